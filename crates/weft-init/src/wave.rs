//! An example `weft call` for the generated README and next steps: the first export that
//! can be called with made-up arguments, its arguments written in WAVE (`""`, `0`,
//! `none`, `[]`, the first case, every record field). A resource is constructed first
//! (`let r = counter("")`) and then one of its methods called on the handle.

use wit_parser::{Function, Handle, Resolve, Type, TypeDefKind};

use crate::model::{Exports, dealias, params};

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
    Some(match t {
        Type::Bool => "false".into(),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => "0".into(),
        Type::S8 | Type::S16 | Type::S32 | Type::S64 => "0".into(),
        Type::F32 | Type::F64 => "0.0".into(),
        Type::Char => "'?'".into(),
        Type::String => "\"\"".into(),
        Type::ErrorContext => return None,
        Type::Id(id) => match &resolve.types[dealias(resolve, *id)].kind {
            TypeDefKind::Record(r) => {
                let fields: Option<Vec<String>> = r
                    .fields
                    .iter()
                    .map(|f| Some(format!("{}: {}", f.name, value(resolve, &f.ty)?)))
                    .collect();
                format!("{{{}}}", fields?.join(", "))
            }
            TypeDefKind::Flags(_) => "{}".into(),
            TypeDefKind::Enum(e) => e.cases.first()?.name.clone(),
            TypeDefKind::Variant(v) => v.cases.iter().find_map(|c| match &c.ty {
                None => Some(c.name.clone()),
                Some(t) => value(resolve, t).map(|v| format!("{}({v})", c.name)),
            })?,
            TypeDefKind::Option(_) => "none".into(),
            TypeDefKind::List(_) => "[]".into(),
            TypeDefKind::Result(r) => match &r.ok {
                None => "ok".into(),
                Some(t) => format!("ok({})", value(resolve, t)?),
            },
            TypeDefKind::Tuple(t) => {
                let items: Option<Vec<String>> =
                    t.types.iter().map(|t| value(resolve, t)).collect();
                format!("({})", items?.join(", "))
            }
            TypeDefKind::Type(t) => return value(resolve, t),
            TypeDefKind::Handle(Handle::Own(_) | Handle::Borrow(_))
            | TypeDefKind::Resource
            | TypeDefKind::Map(..)
            | TypeDefKind::FixedLengthList(..)
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_)
            | TypeDefKind::Unknown => return None,
        },
    })
}
