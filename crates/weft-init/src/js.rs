//! The JavaScript project: an ES module `app.js` for `jco componentize` (componentize-js),
//! a `package.json` pinning the toolchain weft is tested with, and the vendored WIT.
//!
//! componentize-js finds exports by convention: a world's own function is an exported
//! function of its camelCase name, an exported interface an exported object of its
//! camelCase name, each resource a class on that object (UpperCamelCase), and methods and
//! record fields camelCase. `result<T, E>` is `T` returned or `E` thrown; `option` is
//! `undefined`; 64-bit integers are `BigInt`s; numeric lists typed arrays; variants
//! `{tag, val}`; enums their case's name; flags an object of booleans.

use std::collections::HashMap;
use std::fmt::Write as _;

use heck::{ToLowerCamelCase, ToUpperCamelCase};
use wit_parser::{Docs, Function, FunctionKind, Resolve, Type, TypeId, WorldItem};

use crate::model::{Exports, dealias, params};
use crate::placeholder::{self, Body, Spelling};
use crate::project::{Context, Generated};

/// The jco and componentize-js versions the generated `package.json` pins: those of
/// `scripts/build-js-guests.sh`, which weft's tests build with.
const JCO: &str = "1.35.0";
const COMPONENTIZE_JS: &str = "0.23.0";
/// jco 1.35's preview2-shim 0.26.1 gives jco's WASI programs no preopens; 0.26.0 works.
const PREVIEW2_SHIM: &str = "0.26.0";

/// The files of the JavaScript project, and how to build it.
pub fn generate(cx: &Context) -> Generated {
    let world = &cx.resolve.worlds[cx.world].name;
    let artifact = format!("{}.wasm", cx.name);
    let build = format!("npx jco componentize app.js --wit wit --world-name {world} -o {artifact}");
    let package = format!(
        r#"{{
  "name": "{name}",
  "private": true,
  "type": "module",
  "description": "A component for the WIT world {qualified}, created by weft init",
  "scripts": {{
    "build": "jco componentize app.js --wit wit --world-name {world} -o {artifact}"
  }},
  "devDependencies": {{
    "@bytecodealliance/jco": "{JCO}",
    "@bytecodealliance/componentize-js": "{COMPONENTIZE_JS}"
  }},
  "overrides": {{
    "@bytecodealliance/componentize-js": "$@bytecodealliance/componentize-js",
    "@bytecodealliance/preview2-shim": "{PREVIEW2_SHIM}"
  }}
}}
"#,
        name = cx.name,
        qualified = cx.qualified,
    );
    Generated {
        files: vec![
            ("app.js".into(), app_js(cx)),
            ("package.json".into(), package),
            (".gitignore".into(), format!("/node_modules\n/{artifact}\n")),
        ],
        build: vec!["npm install".into(), build],
        artifact,
        edit: "app.js",
        layout: vec![
            (
                "app.js",
                "the component: an exported object per exported interface (resources as classes on it), each function returning a placeholder until you write it (look for `TODO`)",
            ),
            (
                "package.json",
                "jco and componentize-js, pinned to the versions weft is tested with",
            ),
        ],
        notes: Vec::new(),
    }
}

fn app_js(cx: &Context) -> String {
    let resolve = cx.resolve;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// The `{}` component, for world `{}`, built by `jco componentize`.\n\
         //\n\
         // Created by `weft init`: every export returns a placeholder (it throws the error where the\n\
         // WIT result allows one) and says where to write the real code.\n\
         //\n\
         // componentize-js maps the WIT by convention: record fields and functions are camelCase,\n\
         // `option` is `undefined` when none, 64-bit integers are BigInt, numeric lists typed arrays,\n\
         // variants `{{ tag, val }}`, enums the case's name, flags an object of booleans, and\n\
         // `result<T, E>` is T returned or E thrown (a thrown `Error` traps).",
        cx.name, cx.qualified
    );
    let imports = imports(resolve, cx);
    if !imports.is_empty() {
        out.push_str("//\n// Imports, to import where needed:\n");
        for line in imports {
            let _ = writeln!(out, "//   {line}");
        }
    }
    let mut classes: HashMap<String, usize> = HashMap::new();
    for r in cx.exports.interfaces.iter().flat_map(|i| &i.resources) {
        *classes.entry(r.name.to_upper_camel_case()).or_default() += 1;
    }
    for f in &cx.exports.functions {
        out.push('\n');
        docs(&mut out, &f.docs, "");
        let name = f.name.to_lower_camel_case();
        let _ = writeln!(out, "export function {name}({}) {{", args(f));
        body(&mut out, resolve, cx.exports, f, &name, "  ");
        out.push_str("}\n");
    }
    for iface in &cx.exports.interfaces {
        let object = match iface.key {
            wit_parser::WorldKey::Name(n) => n.to_lower_camel_case(),
            wit_parser::WorldKey::Interface(id) => resolve.interfaces[*id]
                .name
                .as_deref()
                .unwrap_or_default()
                .to_lower_camel_case(),
        };
        let mut members = Vec::new();
        for r in &iface.resources {
            let exported = r.name.to_upper_camel_case();
            let class = if classes[&exported] > 1 {
                format!("{}{exported}", object.to_upper_camel_case())
            } else {
                exported.clone()
            };
            out.push('\n');
            docs(&mut out, &resolve.types[r.id].docs, "");
            let _ = writeln!(out, "class {class} {{");
            let mut items = Vec::new();
            if let Some(c) = r.constructor {
                let mut s = String::new();
                docs(&mut s, &c.docs, "  ");
                let _ = writeln!(
                    s,
                    "  constructor({}) {{\n    // TODO: set up the resource from the arguments here.\n  }}",
                    args(c)
                );
                items.push(s);
            }
            for f in r.methods.iter().chain(&r.statics) {
                let mut s = String::new();
                docs(&mut s, &f.docs, "  ");
                let method = f.item_name().to_lower_camel_case();
                let keyword = if matches!(f.kind, FunctionKind::Static(_)) {
                    "static "
                } else {
                    ""
                };
                let _ = writeln!(s, "  {keyword}{method}({}) {{", args(f));
                body(
                    &mut s,
                    resolve,
                    cx.exports,
                    f,
                    &format!("{class}.{method}"),
                    "    ",
                );
                s.push_str("  }\n");
                items.push(s);
            }
            out.push_str(&items.join("\n"));
            out.push_str("}\n");
            members.push(if class == exported {
                format!("  {class},\n")
            } else {
                format!("  {exported}: {class},\n")
            });
        }
        out.push('\n');
        docs(&mut out, &resolve.interfaces[iface.id].docs, "");
        let _ = writeln!(out, "export const {object} = {{");
        for f in &iface.functions {
            docs(&mut out, &f.docs, "  ");
            let name = f.name.to_lower_camel_case();
            let _ = writeln!(out, "  {name}({}) {{", args(f));
            body(
                &mut out,
                resolve,
                cx.exports,
                f,
                &format!("{object}.{name}"),
                "    ",
            );
            out.push_str("  },\n");
        }
        for m in members {
            out.push_str(&m);
        }
        out.push_str("};\n");
    }
    out
}

fn args(f: &Function) -> String {
    params(f)
        .iter()
        .map(|p| p.name.to_lower_camel_case())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The TODO line and the placeholder `return` (or `throw`).
fn body(
    out: &mut String,
    resolve: &Resolve,
    exports: &Exports,
    f: &Function,
    name: &str,
    indent: &str,
) {
    let message = format!("\"not implemented: write `{name}` in app.js\"");
    let _ = writeln!(out, "{indent}// TODO: write `{name}` here.");
    let Some(result) = &f.result else {
        return;
    };
    let mut ph = Placeholders { resolve, exports };
    let line = match placeholder::body(resolve, &mut ph, result, &message) {
        Body::Return(v) => format!("return {v};"),
        Body::Raise(e) => format!("throw {e};"),
        Body::Unimplemented => format!("throw new Error({message});"),
    };
    let _ = writeln!(out, "{indent}{line}");
}

/// The placeholders of `app.js`.
struct Placeholders<'a> {
    resolve: &'a Resolve,
    exports: &'a Exports<'a>,
}

/// componentize-js's values: objects for records, `{ tag, val }` for variants and
/// results, `BigInt`s for 64-bit integers, typed arrays for numeric lists, `undefined`
/// for none, and an exported resource by its class.
impl Spelling for Placeholders<'_> {
    const FALSE: &'static str = "false";
    const CHAR: &'static str = "\"?\"";
    const STRING: &'static str = "\"\"";
    const NONE: &'static str = "undefined";

    fn zero(t: &Type) -> &'static str {
        match t {
            Type::U64 | Type::S64 => "0n",
            _ => "0",
        }
    }

    fn list(element: &Type) -> String {
        match typed_array(element) {
            Some(array) => format!("new {array}()"),
            None => "[]".into(),
        }
    }

    fn ok(payload: Option<&str>) -> String {
        match payload {
            None => "{ tag: \"ok\" }".into(),
            Some(v) => format!("{{ tag: \"ok\", val: {v} }}"),
        }
    }

    fn tuple(items: &[String]) -> String {
        format!("[{}]", items.join(", "))
    }

    fn field(name: &str, value: &str) -> String {
        format!("{}: {value}", name.to_lower_camel_case())
    }

    fn record(_name: &str, fields: &str) -> String {
        format!("{{ {fields} }}")
    }

    fn flags(_name: &str) -> String {
        "{}".into()
    }

    fn enum_case(_name: &str, case: &str) -> String {
        format!("\"{case}\"")
    }

    fn variant_case(_name: &str, case: &str, payload: Option<&str>) -> String {
        match payload {
            None => format!("{{ tag: \"{case}\" }}"),
            Some(v) => format!("{{ tag: \"{case}\", val: {v} }}"),
        }
    }

    /// `new Class()` for an exported resource, `None` for an imported one.
    fn own(&mut self, resource: TypeId) -> Option<String> {
        let resolve = self.resolve;
        let r = dealias(resolve, resource);
        let name = resolve.types[r].name.as_deref()?.to_upper_camel_case();
        let class = self
            .exports
            .interfaces
            .iter()
            .find(|i| i.resources.iter().any(|x| x.id == r))
            .map(|i| {
                let dup = self
                    .exports
                    .interfaces
                    .iter()
                    .flat_map(|i| &i.resources)
                    .filter(|x| x.name.to_upper_camel_case() == name)
                    .count()
                    > 1;
                let object = resolve.interfaces[i.id].name.as_deref().unwrap_or_default();
                if dup {
                    format!("{}{name}", object.to_upper_camel_case())
                } else {
                    name.clone()
                }
            })?;
        Some(format!("new {class}()"))
    }
}

/// The typed array jco uses for a list of numbers.
fn typed_array(t: &Type) -> Option<&'static str> {
    Some(match t {
        Type::U8 => "Uint8Array",
        Type::S8 => "Int8Array",
        Type::U16 => "Uint16Array",
        Type::S16 => "Int16Array",
        Type::U32 => "Uint32Array",
        Type::S32 => "Int32Array",
        Type::U64 => "BigUint64Array",
        Type::S64 => "BigInt64Array",
        Type::F32 => "Float32Array",
        Type::F64 => "Float64Array",
        _ => return None,
    })
}

/// `import { a, b } from 'ns:pkg/iface@v';` for each imported interface with functions.
fn imports(resolve: &Resolve, cx: &Context) -> Vec<String> {
    let mut lines = Vec::new();
    for (key, item) in &resolve.worlds[cx.world].imports {
        let WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let iface = &resolve.interfaces[*id];
        let mut names: Vec<String> = Vec::new();
        for f in iface.functions.values() {
            let name = match f.kind.resource() {
                Some(r) => resolve.types[r]
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .to_upper_camel_case(),
                None => f.name.to_lower_camel_case(),
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if !names.is_empty() {
            lines.push(format!(
                "import {{ {} }} from '{}';",
                names.join(", "),
                resolve.name_world_key(key)
            ));
        }
    }
    lines
}

/// WIT docs as a JSDoc comment.
fn docs(out: &mut String, docs: &Docs, indent: &str) {
    let Some(text) = &docs.contents else {
        return;
    };
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if let [line] = lines.as_slice() {
        let _ = writeln!(out, "{indent}/** {line} */");
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}
