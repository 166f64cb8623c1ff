//! An example `weft call` for the generated README and next steps: the first export that
//! can be called with made-up arguments, its arguments written in WAVE (`""`, `0`,
//! `none`, `[]`, the first case, every record field). A resource is constructed first
//! (`let r = counter("")`) and then one of its methods called on the handle.

use wit_parser::{Function, Resolve, Type, TypeId};

use crate::model::{Exports, params};
use crate::placeholder::{self, Spelling};

/// The statements of one example call, e.g. `["greeting.greet({name: \"\", title: none})"]`;
/// empty when every export needs a handle weft cannot make.
pub fn example_call(resolve: &Resolve, exports: &Exports) -> Vec<String> {
    let call = |prefix: &str, f: &Function, name: &str| -> Option<String> {
        let args: Option<Vec<String>> = params(f).iter().map(|p| value(resolve, &p.ty)).collect();
        Some(format!("{prefix}{name}({})", args?.join(", ")))
    };
    if let Some(s) = exports.functions.iter().find_map(|f| call("", f, &f.name)) {
        return vec![s];
    }
    for iface in &exports.interfaces {
        let prefix = match &resolve.interfaces[iface.id].name {
            Some(n) => format!("{n}."),
            None => String::new(),
        };
        if let Some(s) = iface
            .functions
            .iter()
            .find_map(|f| call(&prefix, f, &f.name))
        {
            return vec![s];
        }
    }
    for r in exports.interfaces.iter().flat_map(|i| &i.resources) {
        let Some(new) = r.constructor.and_then(|c| call("", c, r.name)) else {
            continue;
        };
        let handle = r.name.chars().next().unwrap_or('r').to_string();
        let mut out = vec![format!("let {handle} = {new}")];
        if let Some(m) = r
            .methods
            .iter()
            .find_map(|m| call(&format!("{handle}."), m, m.item_name()))
        {
            out.push(m);
        }
        return out;
    }
    Vec::new()
}

/// A WAVE value of type `t`, `None` for a handle.
fn value(resolve: &Resolve, t: &Type) -> Option<String> {
    placeholder::value(resolve, &mut Wave, t)
}

/// WAVE, the text `weft call` reads: values carry no type names, and weft cannot make
/// up a handle.
struct Wave;

impl Spelling for Wave {
    const FALSE: &'static str = "false";
    const CHAR: &'static str = "'?'";
    const STRING: &'static str = "\"\"";
    const NONE: &'static str = "none";

    fn list(_element: &Type) -> String {
        "[]".into()
    }

    fn ok(payload: Option<&str>) -> String {
        match payload {
            None => "ok".into(),
            Some(v) => format!("ok({v})"),
        }
    }

    fn tuple(items: &[String]) -> String {
        format!("({})", items.join(", "))
    }

    fn field(name: &str, value: &str) -> String {
        format!("{name}: {value}")
    }

    fn record(_name: &str, fields: &str) -> String {
        format!("{{{fields}}}")
    }

    fn flags(_name: &str) -> String {
        "{}".into()
    }

    fn enum_case(_name: &str, case: &str) -> String {
        case.into()
    }

    fn variant_case(_name: &str, case: &str, payload: Option<&str>) -> String {
        match payload {
            None => case.into(),
            Some(v) => format!("{case}({v})"),
        }
    }

    fn own(&mut self, _resource: TypeId) -> Option<String> {
        None
    }
}
