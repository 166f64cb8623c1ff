//! WIT text of single items (a type, a function, a world item), used by
//! [`crate::diff`] to compare two versions of an item and to show the before
//! and after of a change.
//!
//! Type *names* are printed by `wit-component`'s printer; the bodies of
//! declarations are written here because the printer only prints whole
//! interfaces. Docs are rendered apart from the shape so that a doc-only edit
//! can be told from a change of shape.

use std::fmt::Write;

use wit_component::WitPrinter;
use wit_parser::{
    Docs, Function, FunctionKind, Handle, InterfaceId, PackageId, Resolve, Type, TypeDefKind,
    TypeId, TypeOwner, WorldItem, WorldKey,
};

/// The WIT name of `ty` (`list<u8>`, `option<person>`, `my-record`).
pub(crate) fn type_name(resolve: &Resolve, ty: &Type) -> String {
    let mut p = WitPrinter::default();
    match p.print_type_name(resolve, ty) {
        Ok(()) => p.output.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

fn opt_name(resolve: &Resolve, ty: &Option<Type>) -> String {
    ty.as_ref()
        .map_or_else(|| "_".to_string(), |t| type_name(resolve, t))
}

/// The package-relative path of an interface: `name` inside `home`, the full
/// `ns:pkg/name@version` elsewhere.
pub(crate) fn interface_path(
    resolve: &Resolve,
    id: InterfaceId,
    home: Option<PackageId>,
) -> String {
    let iface = &resolve.interfaces[id];
    match (&iface.name, iface.package) {
        (Some(name), Some(pkg)) if Some(pkg) == home => name.clone(),
        (Some(_), Some(_)) => resolve.id_of(id).unwrap_or_default(),
        _ => "<anonymous interface>".to_string(),
    }
}

/// `true` when the type is a `use` of a type from another interface or world.
pub(crate) fn is_use(resolve: &Resolve, id: TypeId) -> bool {
    let td = &resolve.types[id];
    matches!(td.kind, TypeDefKind::Type(Type::Id(other)) if resolve.types[other].owner != td.owner)
}

/// The declaration of type `id` (named `name`) without docs.
pub(crate) fn typedef(
    resolve: &Resolve,
    id: TypeId,
    name: &str,
    home: Option<PackageId>,
) -> String {
    let td = &resolve.types[id];
    let mut s = String::new();
    match &td.kind {
        TypeDefKind::Type(Type::Id(other)) if resolve.types[*other].owner != td.owner => {
            let o = &resolve.types[*other];
            let from = match o.owner {
                TypeOwner::Interface(i) => interface_path(resolve, i, home),
                TypeOwner::World(w) => resolve.worlds[w].name.clone(),
                TypeOwner::None => String::new(),
            };
            let oname = o.name.clone().unwrap_or_default();
            if oname == name {
                let _ = write!(s, "use {from}.{{{name}}};");
            } else {
                let _ = write!(s, "use {from}.{{{oname} as {name}}};");
            }
        }
        TypeDefKind::Record(r) => {
            let _ = writeln!(s, "record {name} {{");
            for f in &r.fields {
                let _ = writeln!(s, "  {}: {},", f.name, type_name(resolve, &f.ty));
            }
            s.push('}');
        }
        TypeDefKind::Variant(v) => {
            let _ = writeln!(s, "variant {name} {{");
            for c in &v.cases {
                match &c.ty {
                    Some(t) => {
                        let _ = writeln!(s, "  {}({}),", c.name, type_name(resolve, t));
                    }
                    None => {
                        let _ = writeln!(s, "  {},", c.name);
                    }
                }
            }
            s.push('}');
        }
        TypeDefKind::Enum(e) => {
            let _ = writeln!(s, "enum {name} {{");
            for c in &e.cases {
                let _ = writeln!(s, "  {},", c.name);
            }
            s.push('}');
        }
        TypeDefKind::Flags(fl) => {
            let _ = writeln!(s, "flags {name} {{");
            for c in &fl.flags {
                let _ = writeln!(s, "  {},", c.name);
            }
            s.push('}');
        }
        TypeDefKind::Resource => {
            let _ = write!(s, "resource {name};");
        }
        other => {
            let _ = write!(s, "type {name} = {};", kind_rhs(resolve, other));
        }
    }
    s
}

fn kind_rhs(resolve: &Resolve, kind: &TypeDefKind) -> String {
    match kind {
        TypeDefKind::Type(t) => type_name(resolve, t),
        TypeDefKind::Tuple(t) => format!(
            "tuple<{}>",
            t.types
                .iter()
                .map(|t| type_name(resolve, t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeDefKind::Option(t) => format!("option<{}>", type_name(resolve, t)),
        TypeDefKind::Result(r) => match (&r.ok, &r.err) {
            (None, None) => "result".to_string(),
            (Some(ok), None) => format!("result<{}>", type_name(resolve, ok)),
            _ => format!(
                "result<{}, {}>",
                opt_name(resolve, &r.ok),
                opt_name(resolve, &r.err)
            ),
        },
        TypeDefKind::List(t) => format!("list<{}>", type_name(resolve, t)),
        TypeDefKind::Map(k, v) => {
            format!("map<{}, {}>", type_name(resolve, k), type_name(resolve, v))
        }
        TypeDefKind::FixedLengthList(t, n) => format!("list<{}, {n}>", type_name(resolve, t)),
        TypeDefKind::Future(t) => match t {
            Some(t) => format!("future<{}>", type_name(resolve, t)),
            None => "future".to_string(),
        },
        TypeDefKind::Stream(t) => match t {
            Some(t) => format!("stream<{}>", type_name(resolve, t)),
            None => "stream".to_string(),
        },
        TypeDefKind::Handle(Handle::Own(t)) => {
            format!(
                "own<{}>",
                resolve.types[*t].name.clone().unwrap_or_default()
            )
        }
        TypeDefKind::Handle(Handle::Borrow(t)) => {
            format!(
                "borrow<{}>",
                resolve.types[*t].name.clone().unwrap_or_default()
            )
        }
        TypeDefKind::Resource
        | TypeDefKind::Record(_)
        | TypeDefKind::Variant(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Flags(_)
        | TypeDefKind::Unknown => kind.as_str().to_string(),
    }
}

/// All the docs of a type: its own and those of its fields, cases and flags.
pub(crate) fn typedef_docs(resolve: &Resolve, id: TypeId) -> String {
    let td = &resolve.types[id];
    let mut s = docs(&td.docs);
    let mut push = |name: &str, d: &Docs| {
        if let Some(c) = &d.contents {
            let _ = write!(s, "\n{name}: {c}");
        }
    };
    match &td.kind {
        TypeDefKind::Record(r) => r.fields.iter().for_each(|f| push(&f.name, &f.docs)),
        TypeDefKind::Variant(v) => v.cases.iter().for_each(|c| push(&c.name, &c.docs)),
        TypeDefKind::Enum(e) => e.cases.iter().for_each(|c| push(&c.name, &c.docs)),
        TypeDefKind::Flags(f) => f.flags.iter().for_each(|c| push(&c.name, &c.docs)),
        _ => {}
    }
    s
}

/// The text of `docs`, or empty.
pub(crate) fn docs(docs: &Docs) -> String {
    docs.contents.clone().unwrap_or_default()
}

/// How a function is shown in messages: `load`, `db.close`, `db.constructor`.
pub(crate) fn function_label(f: &Function) -> String {
    match &f.kind {
        FunctionKind::Freestanding | FunctionKind::AsyncFreestanding => f.name.clone(),
        FunctionKind::Constructor(_) => {
            format!("{}.constructor", f.name.trim_start_matches("[constructor]"))
        }
        _ => f
            .name
            .split_once(']')
            .map_or_else(|| f.name.clone(), |(_, rest)| rest.to_string()),
    }
}

/// The declaration of a function without docs (`load: func(key: string) -> option<string>;`).
pub(crate) fn function(resolve: &Resolve, f: &Function) -> String {
    let skip_self = matches!(
        f.kind,
        FunctionKind::Method(_) | FunctionKind::AsyncMethod(_)
    );
    let params = f
        .params
        .iter()
        .skip(usize::from(skip_self))
        .map(|p| format!("{}: {}", p.name, type_name(resolve, &p.ty)))
        .collect::<Vec<_>>()
        .join(", ");
    let result = match (&f.kind, &f.result) {
        (FunctionKind::Constructor(_), _) | (_, None) => String::new(),
        (_, Some(t)) => format!(" -> {}", type_name(resolve, t)),
    };
    let is_async = matches!(
        f.kind,
        FunctionKind::AsyncFreestanding
            | FunctionKind::AsyncMethod(_)
            | FunctionKind::AsyncStatic(_)
    );
    let prefix = match (&f.kind, is_async) {
        (FunctionKind::Static(_) | FunctionKind::AsyncStatic(_), true) => "static async func",
        (FunctionKind::Static(_) | FunctionKind::AsyncStatic(_), false) => "static func",
        (_, true) => "async func",
        (_, false) => "func",
    };
    match f.kind {
        FunctionKind::Constructor(_) => format!("constructor({params});"),
        _ => format!("{}: {prefix}({params}){result};", f.item_name()),
    }
}

/// How a world item key is shown: the name, or the interface path without
/// its version (so a version bump is a change, not a removal plus an addition).
pub(crate) fn world_key(resolve: &Resolve, key: &WorldKey, home: Option<PackageId>) -> String {
    match key {
        WorldKey::Name(n) => n.clone(),
        WorldKey::Interface(id) => {
            let path = interface_path(resolve, *id, home);
            path.split('@').next().unwrap_or(&path).to_string()
        }
    }
}

/// The version of the package an interface key points to, if any.
pub(crate) fn world_key_version(resolve: &Resolve, key: &WorldKey) -> Option<semver::Version> {
    match key {
        WorldKey::Interface(id) => resolve.interfaces[*id]
            .package
            .and_then(|p| resolve.packages[p].name.version.clone()),
        WorldKey::Name(_) => None,
    }
}

/// One world item as WIT (`import wasi:cli/environment@0.2.0;`).
pub(crate) fn world_item(
    resolve: &Resolve,
    dir: &str,
    key: &WorldKey,
    item: &WorldItem,
    home: Option<PackageId>,
) -> String {
    match item {
        WorldItem::Interface { id, .. } => match key {
            WorldKey::Interface(_) => format!("{dir} {};", interface_path(resolve, *id, home)),
            WorldKey::Name(n) => {
                let iface = &resolve.interfaces[*id];
                if iface.name.is_some() {
                    format!("{dir} {n}: {};", interface_path(resolve, *id, home))
                } else {
                    let mut s = format!("{dir} {n}: interface {{\n");
                    for f in iface.functions.values() {
                        let _ = writeln!(s, "  {}", function(resolve, f));
                    }
                    s.push('}');
                    s
                }
            }
        },
        WorldItem::Function(f) => format!("{dir} {}", function(resolve, f)),
        WorldItem::Type { id, .. } => {
            let name = resolve.types[*id].name.clone().unwrap_or_default();
            typedef(resolve, *id, &name, home)
        }
    }
}

/// The declaration of type `id` as a WIT author wrote it, with its docs as `///` lines
/// above it (`weft repl`'s `:type`).
pub fn documented_typedef(resolve: &Resolve, id: TypeId) -> String {
    let name = resolve.types[id].name.clone().unwrap_or_default();
    with_doc_lines(
        &docs(&resolve.types[id].docs),
        typedef(resolve, id, &name, None),
    )
}

/// The declaration of function `f` (`greet: func(person: person) -> string;`), with its
/// docs as `///` lines above it (`weft repl`'s `:exports`).
pub fn documented_function(resolve: &Resolve, f: &Function) -> String {
    with_doc_lines(&docs(&f.docs), function(resolve, f))
}

fn with_doc_lines(docs: &str, decl: String) -> String {
    let mut s = String::new();
    for line in docs.lines() {
        let _ = writeln!(s, "/// {line}");
    }
    s.push_str(&decl);
    s
}
