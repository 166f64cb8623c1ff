//! The Python project for `componentize-py` (tested with 0.25.1): `app.py` with a class
//! per exported interface, and a module per interface that exports resources.
//!
//! componentize-py's conventions, as its `bindings` command generates them: the world's
//! own exports are methods of a class `WitWorld` (subclassing `wit_world.WitWorld`), an
//! exported interface `catalog` is a class `Catalog` (subclassing
//! `wit_world.exports.Catalog`) in the app module, and its resources are classes of
//! their own names in a module named after the interface (`catalog.py`). Types live in
//! `wit_world.imports.<iface>` or `wit_world.exports.<iface>` by the interface that
//! defines them: records are dataclasses, variants one class per case (`Shape_Circle`),
//! enums `Enum`s with SHOUTY cases, flags `Flag`s; a `result` is its `ok` value returned
//! or `componentize_py_types.Err(e)` raised.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use wit_parser::{Docs, Function, FunctionKind, Resolve, Type, TypeId, TypeOwner};

use crate::model::{Exports, Resource, dealias, params};
use crate::placeholder::{self, Body, Spelling};
use crate::project::{Context, Generated};

/// The componentize-py release the generated project is tested with.
pub const COMPONENTIZE_PY: &str = "0.25.1";

/// The files of the Python project, and how to build it.
pub fn generate(cx: &Context) -> Generated {
    let world = &cx.resolve.worlds[cx.world].name;
    let artifact = format!("{}.wasm", cx.name);
    let mut files = vec![("app.py".to_string(), app_py(cx))];
    for iface in &cx.exports.interfaces {
        if iface.resources.is_empty() {
            continue;
        }
        let module = iface_module(cx.resolve, iface.id);
        files.push((
            format!("{module}.py"),
            resource_module(cx, iface.id, &iface.resources),
        ));
    }
    files.push((
        "requirements.txt".into(),
        format!("componentize-py=={COMPONENTIZE_PY}\n"),
    ));
    files.push((
        ".gitignore".into(),
        format!("/{artifact}\n/wit_world/\n__pycache__/\n"),
    ));
    Generated {
        files,
        build: vec![
            "pip install -r requirements.txt".into(),
            format!("componentize-py -d wit -w {world} componentize app -o {artifact}"),
        ],
        artifact,
        edit: "app.py",
        layout: vec![
            (
                "app.py",
                "the component: a class per exported interface (and `WitWorld` for the world's own functions), each method returning a placeholder until you write it (look for `TODO`)",
            ),
            (
                "requirements.txt",
                "componentize-py, pinned to the version weft is tested with; `componentize-py -d wit -w WORLD bindings .` writes the typed bindings (`wit_world/`) for an editor",
            ),
        ],
        notes: Vec::new(),
    }
}

/// componentize-py's module name for an interface: its name in snake_case.
fn iface_module(resolve: &Resolve, id: wit_parser::InterfaceId) -> String {
    ident(resolve.interfaces[id].name.as_deref().unwrap_or_default())
}

fn header(out: &mut String, cx: &Context, what: &str) {
    let _ = writeln!(
        out,
        "\"\"\"{what} of the `{}` component, for world `{}`.\n\n\
         Created by `weft init`, built by componentize-py: every export returns a placeholder\n\
         (it raises `Err` where the WIT result allows one) and says where to write the code.\n\"\"\"\n",
        cx.name, cx.qualified
    );
}

fn app_py(cx: &Context) -> String {
    let resolve = cx.resolve;
    let mut ph = Placeholders {
        resolve,
        exports: cx.exports,
        here: None,
        modules: BTreeSet::new(),
    };
    let mut body = String::new();
    if !cx.exports.functions.is_empty() {
        body.push_str("\n\nclass WitWorld(wit_world.WitWorld):\n");
        docs(&mut body, &resolve.worlds[cx.world].docs, "    ");
        body.push('\n');
        let methods: Vec<String> = cx
            .exports
            .functions
            .iter()
            .map(|f| {
                method(
                    &mut ph,
                    f,
                    &format!("WitWorld.{}", ident(&f.name)),
                    "app.py",
                )
            })
            .collect();
        body.push_str(&methods.join("\n"));
    }
    for iface in &cx.exports.interfaces {
        if iface.functions.is_empty() {
            continue;
        }
        let class = resolve.interfaces[iface.id]
            .name
            .as_deref()
            .unwrap_or_default()
            .to_upper_camel_case();
        let _ = writeln!(body, "\n\nclass {class}(wit_world.exports.{class}):");
        docs(&mut body, &resolve.interfaces[iface.id].docs, "    ");
        body.push('\n');
        let methods: Vec<String> = iface
            .functions
            .iter()
            .map(|f| method(&mut ph, f, &format!("{class}.{}", ident(&f.name)), "app.py"))
            .collect();
        body.push_str(&methods.join("\n"));
    }
    let mut out = String::new();
    header(&mut out, cx, "The exports");
    out.push_str(&imports(&ph.modules, true));
    out.push_str(&body);
    out
}

fn resource_module(cx: &Context, iface: wit_parser::InterfaceId, resources: &[Resource]) -> String {
    let resolve = cx.resolve;
    let module = iface_module(resolve, iface);
    let mut ph = Placeholders {
        resolve,
        exports: cx.exports,
        here: Some(iface),
        modules: BTreeSet::new(),
    };
    let file = format!("{module}.py");
    let mut body = String::new();
    for r in resources {
        let class = r.name.to_upper_camel_case();
        let _ = writeln!(
            body,
            "\n\nclass {class}(wit_world.exports.{module}.{class}):"
        );
        ph.modules.insert(format!("wit_world.exports.{module}"));
        docs(&mut body, &resolve.types[r.id].docs, "    ");
        body.push('\n');
        let mut methods = Vec::new();
        if let Some(c) = r.constructor {
            let mut s = format!("    def __init__({}) -> None:\n", args("self", c));
            docs(&mut s, &c.docs, "        ");
            s.push_str(
                "        # TODO: set up the resource from the arguments here.\n        pass\n",
            );
            methods.push(s);
        }
        for f in r.methods.iter().chain(&r.statics) {
            let name = format!("{class}.{}", ident(f.item_name()));
            methods.push(method(&mut ph, f, &name, &file));
        }
        if methods.is_empty() {
            methods.push("    pass\n".into());
        }
        body.push_str(&methods.join("\n"));
    }
    let mut out = String::new();
    header(&mut out, cx, &format!("The resources of `{module}`"));
    out.push_str(&imports(&ph.modules, false));
    out.push_str(&body);
    out
}

/// The import lines: componentize-py's `Err`/`Ok`, the bindings, and every module the
/// code names (the app's own resource modules, such as `catalog`, last).
fn imports(modules: &BTreeSet<String>, app: bool) -> String {
    let mut out = String::from(
        "from componentize_py_types import Err, Ok  # noqa: F401\n\nimport wit_world\n",
    );
    if app {
        out.push_str("import wit_world.exports\n");
    }
    let (bindings, own): (Vec<&String>, Vec<&String>) = modules
        .iter()
        .filter(|m| m.as_str() != "wit_world")
        .partition(|m| m.starts_with("wit_world."));
    for m in bindings.into_iter().chain(own) {
        let _ = writeln!(out, "import {m}");
    }
    out
}

fn args(first: &str, f: &Function) -> String {
    std::iter::once(first.to_string())
        .chain(params(f).iter().map(|p| ident(&p.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One method with its docs, the TODO line and the placeholder.
fn method(ph: &mut Placeholders, f: &Function, name: &str, file: &str) -> String {
    let mut s = String::new();
    let is_static = matches!(f.kind, FunctionKind::Static(_));
    if is_static {
        s.push_str("    @classmethod\n");
    }
    let method = ident(f.item_name());
    let _ = writeln!(
        s,
        "    def {method}({}):",
        args(if is_static { "cls" } else { "self" }, f)
    );
    docs(&mut s, &f.docs, "        ");
    let message = format!("\"not implemented: write `{name}` in {file}\"");
    let _ = writeln!(s, "        # TODO: write `{name}` here.");
    let line = match &f.result {
        None => "pass".to_string(),
        Some(t) => match placeholder::body(ph.resolve, ph, t, &message) {
            Body::Return(v) => format!("return {v}"),
            Body::Raise(e) => format!("raise Err({e})"),
            Body::Unimplemented => format!("raise NotImplementedError({message})"),
        },
    };
    let _ = writeln!(s, "        {line}");
    s
}

/// The placeholders of one Python module, and the modules they name.
struct Placeholders<'a> {
    resolve: &'a Resolve,
    exports: &'a Exports<'a>,
    /// The exported interface whose resource module is being written, if any.
    here: Option<wit_parser::InterfaceId>,
    /// Modules the code refers to.
    modules: BTreeSet<String>,
}

impl Placeholders<'_> {
    /// `wit_world.imports.types.Item`: types are named where their interface defines them.
    fn path(&mut self, id: TypeId, name: &str) -> String {
        let module = match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => {
                let exported = self.exports.interfaces.iter().any(|x| x.id == i);
                let dir = if exported { "exports" } else { "imports" };
                format!("wit_world.{dir}.{}", iface_module(self.resolve, i))
            }
            TypeOwner::World(_) | TypeOwner::None => "wit_world".to_string(),
        };
        self.modules.insert(module.clone());
        format!("{module}.{name}")
    }
}

/// componentize-py's values: dataclasses by keyword, a class per variant case, `Ok(..)`
/// for a `result`, `bytes` for a `list<u8>`, a resource by its constructor.
impl Spelling for Placeholders<'_> {
    const FALSE: &'static str = "False";
    const CHAR: &'static str = "\"?\"";
    const STRING: &'static str = "\"\"";
    const NONE: &'static str = "None";

    fn list(element: &Type) -> String {
        match element {
            Type::U8 => "b\"\"".into(),
            _ => "[]".into(),
        }
    }

    fn ok(payload: Option<&str>) -> String {
        format!("Ok({})", payload.unwrap_or("None"))
    }

    fn name(&mut self, _written: TypeId, real: TypeId) -> Option<String> {
        let name = self.resolve.types[real]
            .name
            .as_deref()?
            .to_upper_camel_case();
        Some(self.path(real, &name))
    }

    fn field(name: &str, value: &str) -> String {
        format!("{}={value}", ident(name))
    }

    fn record(name: &str, fields: &str) -> String {
        format!("{name}({fields})")
    }

    fn flags(name: &str) -> String {
        format!("{name}(0)")
    }

    fn enum_case(name: &str, case: &str) -> String {
        format!("{name}.{}", case.to_shouty_snake_case())
    }

    fn variant_case(name: &str, case: &str, payload: Option<&str>) -> String {
        let case = case.to_upper_camel_case();
        format!("{name}_{case}({})", payload.unwrap_or_default())
    }

    fn own(&mut self, resource: TypeId) -> Option<String> {
        let resolve = self.resolve;
        let r = dealias(resolve, resource);
        let iface = self
            .exports
            .interfaces
            .iter()
            .find(|i| i.resources.iter().any(|x| x.id == r))?;
        let resource = iface.resources.iter().find(|x| x.id == r)?;
        let mut args = Vec::new();
        if let Some(c) = resource.constructor {
            for p in &c.params {
                args.push(placeholder::value(resolve, self, &p.ty)?);
            }
        }
        let class = resource.name.to_upper_camel_case();
        let module = iface_module(resolve, iface.id);
        let class = if self.here == Some(iface.id) {
            class
        } else {
            self.modules.insert(module.clone());
            format!("{module}.{class}")
        };
        Some(format!("{class}({})", args.join(", ")))
    }
}

/// snake_case, Python keywords suffixed with `_` as componentize-py does.
fn ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];
    let snake = name.to_snake_case();
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// WIT docs as a docstring.
fn docs(out: &mut String, docs: &Docs, indent: &str) {
    let Some(text) = &docs.contents else {
        return;
    };
    let text = text.trim_end().replace("\"\"\"", "\\\"\\\"\\\"");
    if !text.contains('\n') {
        let _ = writeln!(out, "{indent}\"\"\"{text}\"\"\"");
        return;
    }
    let mut lines = text.lines();
    let _ = writeln!(out, "{indent}\"\"\"{}", lines.next().unwrap_or_default());
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "{indent}\"\"\"");
}
