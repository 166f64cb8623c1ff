//! `src/lib.rs` for a world: the `generate!` call, one `impl` per exported interface (and
//! one for the world's own functions), one struct per exported resource, and a body for
//! every function that says where to write the code and returns a placeholder.
//!
//! Types are printed as wit-bindgen prints an export's signature (parameters and results
//! owned): `String`, `Vec<T>`, `Option<T>`, `Result<T, E>`, tuples, named types through
//! their interface's module alias, `RBorrow<'_>` for a borrowed exported resource and
//! `&R` for a borrowed imported one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use wit_parser::{
    Docs, Function, FunctionKind, Handle, Resolve, Result_, Type, TypeDefKind, TypeId, TypeOwner,
    WorldId, WorldItem,
};

use super::names::{Modules, camel, ident};
use crate::model::{Exports, dealias, params};
use crate::placeholder::{self, Spelling};

/// The text of `src/lib.rs`.
pub fn lib_rs(
    resolve: &Resolve,
    world: WorldId,
    qualified: &str,
    crate_name: &str,
    exports: &Exports,
) -> String {
    let mut g = Gen {
        resolve,
        modules: Modules::new(resolve, world),
        exported: exports.resources(),
        wrappers: HashMap::new(),
        used: BTreeMap::new(),
    };
    g.name_wrappers(exports);
    let mut body = String::new();
    if !exports.is_empty() {
        body.push_str("/// The component: implements the world's exports.\nstruct Component;\n");
    }
    if !exports.functions.is_empty() {
        body.push_str("\nimpl bindings::Guest for Component {\n");
        for (i, f) in exports.functions.iter().enumerate() {
            if i > 0 {
                body.push('\n');
            }
            g.function(&mut body, f, &ident(&f.name));
        }
        body.push_str("}\n");
    }
    for iface in &exports.interfaces {
        let Some(module) = g.modules.get(iface.id) else {
            continue;
        };
        let alias = module.alias.clone();
        g.used.insert(alias.clone(), module.path.clone());
        let mut items = Vec::new();
        for r in &iface.resources {
            items.push(format!(
                "    type {} = {};\n",
                camel(r.name),
                g.wrappers[&r.id]
            ));
        }
        for f in &iface.functions {
            let mut s = String::new();
            g.function(&mut s, f, &ident(&f.name));
            items.push(s);
        }
        // An interface of types only has no `Guest` trait to implement.
        if !items.is_empty() {
            let _ = writeln!(body, "\nimpl {alias}::Guest for Component {{");
            body.push_str(&join_items(&items));
            body.push_str("}\n");
        }
        for r in &iface.resources {
            let wrapper = g.wrappers[&r.id].clone();
            let _ = write!(
                body,
                "\n/// The `{}` resource: add its state as fields, and set them in `new`.\n\
                 struct {wrapper} {{}}\n\nimpl {alias}::Guest{} for {wrapper} {{\n",
                r.name,
                camel(r.name),
            );
            let mut items = Vec::new();
            if let Some(f) = r.constructor {
                let mut s = String::new();
                g.function(&mut s, f, &format!("{wrapper}::new"));
                items.push(s);
            }
            for f in r.methods.iter().chain(&r.statics) {
                let mut s = String::new();
                g.function(&mut s, f, &format!("{wrapper}::{}", ident(f.item_name())));
                items.push(s);
            }
            body.push_str(&join_items(&items));
            body.push_str("}\n");
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! The `{crate_name}` component, for world `{qualified}`.\n//!\n\
         //! Created by `weft init`: every export returns a placeholder (an `Err` where it can,\n\
         //! else an empty or zero value). Each says where to write the real code.\n\
         //! `wit/` holds the world's WIT; `cargo build --target wasm32-wasip2 --release` builds it."
    );
    let imports = g.imports(world);
    if !imports.is_empty() {
        out.push_str("//!\n//! Imports, for the component's code to call:\n");
        for line in imports {
            let _ = writeln!(out, "//! - {line}");
        }
    }
    let _ = write!(
        out,
        "\n// `generate_all`: bindings for the interfaces of other packages (in `wit/deps/`) too.\nmod bindings {{\n    wit_bindgen::generate!({{\n        path: \"wit\",\n        world: \"{qualified}\",\n        generate_all,\n    }});\n}}\n\n"
    );
    if !g.used.is_empty() {
        for (alias, path) in &g.used {
            if path.rsplit("::").next() == Some(alias.as_str()) {
                let _ = writeln!(out, "use {path};");
            } else {
                let _ = writeln!(out, "use {path} as {alias};");
            }
        }
        out.push('\n');
    }
    out.push_str(&body);
    // A world of imports only has nothing to export (and wit-bindgen no `export!`).
    if !exports.is_empty() {
        out.push_str("\nbindings::export!(Component with_types_in bindings);\n");
    }
    out
}

fn join_items(items: &[String]) -> String {
    items.join("\n")
}

struct Gen<'a> {
    resolve: &'a Resolve,
    modules: Modules,
    /// The resource types the world exports.
    exported: HashSet<TypeId>,
    /// The Rust struct implementing each exported resource.
    wrappers: HashMap<TypeId, String>,
    /// Module aliases the code refers to, with their paths: the `use` lines.
    used: BTreeMap<String, String>,
}

/// What a function's body is for.
enum Kind {
    /// A constructor: returns the wrapper struct.
    Constructor(String),
    /// Anything else.
    Other,
}

impl Gen<'_> {
    /// `MyCounter`, or `MyEchoCounter` when two exported interfaces both have a `counter`.
    fn name_wrappers(&mut self, exports: &Exports) {
        let mut count: HashMap<String, usize> = HashMap::new();
        for r in exports.interfaces.iter().flat_map(|i| &i.resources) {
            *count.entry(camel(r.name)).or_default() += 1;
        }
        for iface in &exports.interfaces {
            let prefix = self.resolve.interfaces[iface.id]
                .name
                .as_deref()
                .map(camel)
                .unwrap_or_default();
            for r in &iface.resources {
                let name = camel(r.name);
                let wrapper = if count[&name] > 1 {
                    format!("My{prefix}{name}")
                } else {
                    format!("My{name}")
                };
                self.wrappers.insert(r.id, wrapper);
            }
        }
    }

    /// One `fn` with its docs, signature and placeholder body, indented for an `impl`.
    fn function(&mut self, out: &mut String, f: &Function, rust_name: &str) {
        docs(out, &f.docs, "    ");
        let kind = match f.kind {
            FunctionKind::Constructor(r) => Kind::Constructor(self.wrappers[&r].clone()),
            _ => Kind::Other,
        };
        let name = match kind {
            Kind::Constructor(_) => "new".to_string(),
            Kind::Other => ident(f.item_name()),
        };
        let mut args = Vec::new();
        if matches!(f.kind, FunctionKind::Method(_)) {
            args.push("&self".to_string());
        }
        for p in params(f) {
            let ty = self.ty(&p.ty);
            args.push(format!("_{}: {ty}", ident(&p.name)));
        }
        let ret = match (&kind, &f.result) {
            (Kind::Constructor(_), _) => " -> Self".to_string(),
            (_, None) => String::new(),
            (_, Some(t)) => format!(" -> {}", self.ty(t)),
        };
        let _ = writeln!(out, "    fn {name}({}){ret} {{", args.join(", "));
        let todo = format!("write `{rust_name}` in src/lib.rs");
        match (&kind, &f.result) {
            (Kind::Constructor(wrapper), _) => {
                let _ = writeln!(
                    out,
                    "        // TODO: set up the resource from the arguments here.\n        {wrapper} {{}}"
                );
            }
            (Kind::Other, None) => {
                let _ = writeln!(out, "        // TODO: {todo}.");
            }
            (Kind::Other, Some(t)) => {
                let value = self
                    .returned(t, &todo)
                    .unwrap_or_else(|| format!("todo!(\"{todo}\")"));
                let _ = writeln!(
                    out,
                    "        // TODO: write the code here; until then this returns a placeholder.\n        {value}"
                );
            }
        }
        out.push_str("    }\n");
    }

    /// The placeholder a function returns: a `string` says what to do, a `result` is an
    /// `Err` (with that message when the error is a `string`).
    ///
    /// Not [`placeholder::body`]: a Rust function returns its error rather than raise
    /// it, so a `result` whose error cannot be made up returns an `Ok` instead.
    fn returned(&mut self, t: &Type, todo: &str) -> Option<String> {
        let message = format!("\"not implemented: {todo}\".to_string()");
        if let Type::String = t {
            return Some(message);
        }
        let resolve = self.resolve;
        if let Type::Id(id) = t
            && let TypeDefKind::Result(r) = &resolve.types[dealias(resolve, *id)].kind
        {
            let err = match &r.err {
                None => Some("Err(())".to_string()),
                Some(Type::String) => Some(format!("Err({message})")),
                Some(e) => self.placeholder(e).map(|v| format!("Err({v})")),
            };
            return err.or_else(|| match &r.ok {
                None => Some("Ok(())".to_string()),
                Some(ok) => self.placeholder(ok).map(|v| format!("Ok({v})")),
            });
        }
        self.placeholder(t)
    }

    /// A value of type `t`, or `None` when there is none to make up (an imported
    /// resource, a borrow).
    fn placeholder(&mut self, t: &Type) -> Option<String> {
        placeholder::value(self.resolve, self, t)
    }

    /// The Rust type of `t` in an export's signature.
    fn ty(&mut self, t: &Type) -> String {
        match t {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::S8 => "i8".into(),
            Type::S16 => "i16".into(),
            Type::S32 => "i32".into(),
            Type::S64 => "i64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "char".into(),
            Type::String => "String".into(),
            // Refused by `model::exports`.
            Type::ErrorContext => "()".into(),
            Type::Id(id) => self.ty_id(*id),
        }
    }

    fn ty_id(&mut self, id: TypeId) -> String {
        let def = &self.resolve.types[id];
        if let Some(name) = &def.name {
            return self.type_path(id, camel(name));
        }
        match &def.kind {
            TypeDefKind::Option(t) => format!("Option<{}>", self.ty(t)),
            TypeDefKind::List(t) => format!("Vec<{}>", self.ty(t)),
            TypeDefKind::Result(r) => {
                let ok = r.ok.as_ref().map_or("()".into(), |t| self.ty(t));
                let err = r.err.as_ref().map_or("()".into(), |t| self.ty(t));
                format!("Result<{ok}, {err}>")
            }
            TypeDefKind::Tuple(t) => {
                let items: Vec<String> = t.types.iter().map(|t| self.ty(t)).collect();
                match items.len() {
                    1 => format!("({},)", items[0]),
                    _ => format!("({})", items.join(", ")),
                }
            }
            TypeDefKind::Handle(Handle::Own(r)) => self.ty(&Type::Id(*r)),
            TypeDefKind::Handle(Handle::Borrow(r)) => {
                let name = self.resolve.types[*r].name.as_deref().unwrap_or_default();
                if self.exported.contains(&dealias(self.resolve, *r)) {
                    let path = self.type_path(*r, format!("{}Borrow", camel(name)));
                    format!("{path}<'_>")
                } else {
                    format!("&{}", self.type_path(*r, camel(name)))
                }
            }
            TypeDefKind::Type(t) => self.ty(t),
            // Anonymous types of other kinds do not occur (or are refused by `model`).
            _ => "()".into(),
        }
    }

    /// `alias::Name` for a type of an interface, `bindings::Name` for a world's own.
    fn type_path(&mut self, id: TypeId, name: String) -> String {
        match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => match self.modules.get(i) {
                Some(m) => {
                    self.used.insert(m.alias.clone(), m.path.clone());
                    format!("{}::{name}", m.alias)
                }
                None => name,
            },
            TypeOwner::World(_) | TypeOwner::None => format!("bindings::{name}"),
        }
    }

    /// One line per imported interface or function: where it is and what it offers.
    fn imports(&self, world: WorldId) -> Vec<String> {
        let mut lines = Vec::new();
        for (key, item) in &self.resolve.worlds[world].imports {
            match item {
                WorldItem::Function(f) => {
                    lines.push(format!("`bindings::{}` (`{}`)", ident(&f.name), f.name));
                }
                WorldItem::Interface { id, .. } => {
                    let iface = &self.resolve.interfaces[*id];
                    if iface.functions.is_empty() {
                        continue;
                    }
                    let Some(m) = self.modules.get(*id) else {
                        continue;
                    };
                    let funcs: Vec<String> = iface
                        .functions
                        .values()
                        .map(|f| match f.kind.resource() {
                            Some(r) => {
                                let r = camel(
                                    self.resolve.types[r].name.as_deref().unwrap_or_default(),
                                );
                                match f.kind {
                                    FunctionKind::Constructor(_) => format!("`{r}::new`"),
                                    _ => format!("`{r}::{}`", ident(f.item_name())),
                                }
                            }
                            None => format!("`{}`", ident(&f.name)),
                        })
                        .collect();
                    lines.push(format!(
                        "`{}` (`{}`): {}",
                        m.path,
                        self.resolve.name_world_key(key),
                        funcs.join(", ")
                    ));
                }
                WorldItem::Type { .. } => {}
            }
        }
        lines
    }
}

/// wit-bindgen's values: named types built through the name the signature uses (an
/// alias works for struct literals, enum cases and associated functions alike), an
/// exported resource wrapped in its struct.
impl Spelling for Gen<'_> {
    const FALSE: &'static str = "false";
    const CHAR: &'static str = "'?'";
    const STRING: &'static str = "String::new()";
    const NONE: &'static str = "None";

    fn list(_element: &Type) -> String {
        "Vec::new()".into()
    }

    fn ok(payload: Option<&str>) -> String {
        format!("Ok({})", payload.unwrap_or("()"))
    }

    fn name(&mut self, written: TypeId, real: TypeId) -> Option<String> {
        let name = camel(self.resolve.types[real].name.as_deref()?);
        Some(self.type_path(written, name))
    }

    fn field(name: &str, value: &str) -> String {
        format!("{}: {value}", ident(name))
    }

    fn record(name: &str, fields: &str) -> String {
        format!("{name} {{ {fields} }}")
    }

    fn flags(name: &str) -> String {
        format!("{name}::empty()")
    }

    fn enum_case(name: &str, case: &str) -> String {
        format!("{name}::{}", camel(case))
    }

    fn variant_case(name: &str, case: &str, payload: Option<&str>) -> String {
        match payload {
            None => format!("{name}::{}", camel(case)),
            Some(p) => format!("{name}::{}({p})", camel(case)),
        }
    }

    fn own(&mut self, resource: TypeId) -> Option<String> {
        let wrapper = self.wrappers.get(&dealias(self.resolve, resource))?.clone();
        let name = camel(self.resolve.types[resource].name.as_deref()?);
        Some(format!(
            "{}::new({wrapper} {{}})",
            self.type_path(resource, name)
        ))
    }

    /// The `err`: a made-up error is still a value of the type.
    fn without_ok(&mut self, result: &Result_) -> Option<String> {
        Some(match &result.err {
            None => "Err(())".to_string(),
            Some(e) => format!("Err({})", self.placeholder(e)?),
        })
    }
}

/// WIT doc comments as `///` lines.
fn docs(out: &mut String, docs: &Docs, indent: &str) {
    if let Some(text) = &docs.contents {
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                let _ = writeln!(out, "{indent}///");
            } else {
                let _ = writeln!(out, "{indent}/// {line}");
            }
        }
    }
}
