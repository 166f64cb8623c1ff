//! WAVE text <-> [`Val`], with resource handles written as their session names.
//!
//! wasm-wave parses the text; [`from_node`] checks the tree against the expected
//! type one level at a time, so an error names the path of the offending value.
//! Scalars are converted by wasm-wave itself.

use std::collections::BTreeMap;

use wasm_wave::ast::{Node, NodeType};
use wasmtime::component::{Type, Val};

use weft_wit::closest;

use super::{HandleLookup, HandleNamer, Path, ValueError, describe, val_contains_resource};

/// Parses the WAVE text `text` as a value of type `ty`.
pub fn parse_value(
    text: &str,
    ty: &Type,
    path: &Path,
    handles: &HandleLookup<'_>,
) -> Result<Val, ValueError> {
    let parsed = wasm_wave::untyped::UntypedValue::parse(text)
        .map_err(|e| ValueError::new(path, ty, format!("text that is not WAVE ({e})")))?;
    from_node(parsed.node(), ty, text, path, handles)
}

/// Converts a parsed WAVE node to a value of type `ty`.
pub fn from_node(
    node: &Node,
    ty: &Type,
    src: &str,
    path: &Path,
    handles: &HandleLookup<'_>,
) -> Result<Val, ValueError> {
    let mismatch = || ValueError::new(path, ty, found(node, src));
    match ty {
        Type::Bool
        | Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::S64
        | Type::U64
        | Type::Float32
        | Type::Float64
        | Type::Char
        | Type::String => {
            let val = node.to_wasm_value::<Val>(ty, src).map_err(|_| {
                let err = mismatch();
                match scalar_hint(node, ty) {
                    Some(hint) => err.with_hint(hint),
                    None => err,
                }
            })?;
            // A finite number past f32's range would silently become infinity.
            if let Val::Float32(f) = val
                && f.is_infinite()
                && !src[node.span()].contains("inf")
            {
                return Err(mismatch().with_hint(format!(
                    "it is past f32's range (±{}); write `inf` for infinity",
                    f32::MAX
                )));
            }
            Ok(val)
        }
        Type::List(list) => {
            let items = node
                .as_list()
                .map_err(|_| mismatch().with_hint("write a list as `[a, b, c]`"))?;
            let elem = list.ty();
            let vals = items
                .enumerate()
                .map(|(i, n)| from_node(n, &elem, src, &path.index(i), handles))
                .collect::<Result<_, _>>()?;
            Ok(Val::List(vals))
        }
        Type::Tuple(tuple) => {
            let items: Vec<&Node> = node
                .as_tuple()
                .map_err(|_| mismatch().with_hint("write a tuple as `(a, b)`"))?
                .collect();
            let types: Vec<Type> = tuple.types().collect();
            if items.len() != types.len() {
                return Err(mismatch().with_hint(format!(
                    "the tuple needs {} element(s), {} given",
                    types.len(),
                    items.len()
                )));
            }
            let vals = items
                .iter()
                .zip(&types)
                .enumerate()
                .map(|(i, (n, t))| from_node(n, t, src, &path.index(i), handles))
                .collect::<Result<_, _>>()?;
            Ok(Val::Tuple(vals))
        }
        Type::Record(record) => {
            let given: BTreeMap<&str, &Node> = node
                .as_record(src)
                .map_err(|_| mismatch().with_hint("write a record as `{field: value, ...}`"))?
                .collect();
            let names: Vec<&str> = record.fields().map(|f| f.name).collect();
            if let Some(unknown) = given.keys().find(|k| !names.contains(k)) {
                let mut err = ValueError::new(
                    &path.field(unknown),
                    ty,
                    format!("unknown field `{unknown}`"),
                );
                err.expected = format!("one of the fields {}", backticked(&names));
                if let Some(near) = closest(unknown, names.iter().copied()) {
                    err = err.with_hint(format!("did you mean `{near}`?"));
                }
                return Err(err);
            }
            let mut fields = Vec::with_capacity(names.len());
            for field in record.fields() {
                let field_path = path.field(field.name);
                let val = match given.get(field.name) {
                    Some(n) => from_node(n, &field.ty, src, &field_path, handles)?,
                    // WAVE lets option fields be left out: they are `none`.
                    None if matches!(field.ty, Type::Option(_)) => Val::Option(None),
                    None => {
                        return Err(ValueError::new(
                            &field_path,
                            &field.ty,
                            "nothing (the field is missing)",
                        )
                        .with_hint(format!("add `{}: ...` to the record", field.name)));
                    }
                };
                fields.push((field.name.to_string(), val));
            }
            Ok(Val::Record(fields))
        }
        Type::Variant(variant) => {
            let (label, payload) = node.as_variant(src).map_err(|_| {
                mismatch().with_hint("write a variant case as `name` or `name(payload)`")
            })?;
            let case = variant.cases().find(|c| c.name == label).ok_or_else(|| {
                unknown_case(path, ty, label, variant.cases().map(|c| c.name).collect())
            })?;
            let val = match (&case.ty, payload) {
                (Some(t), Some(p)) => {
                    Some(Box::new(from_node(p, t, src, &path.field(label), handles)?))
                }
                (None, None) => None,
                (Some(_), None) => {
                    return Err(mismatch()
                        .with_hint(format!("case `{label}` takes a payload: `{label}(...)`")));
                }
                (None, Some(_)) => {
                    return Err(mismatch()
                        .with_hint(format!("case `{label}` has no payload: write `{label}`")));
                }
            };
            Ok(Val::Variant(label.to_string(), val))
        }
        Type::Enum(e) => {
            let label = node.as_enum(src).map_err(|_| mismatch())?;
            if !e.names().any(|n| n == label) {
                return Err(unknown_case(path, ty, label, e.names().collect()));
            }
            Ok(Val::Enum(label.to_string()))
        }
        Type::Option(option) => {
            let inner = option.ty();
            match node.ty() {
                NodeType::OptionNone => Ok(Val::Option(None)),
                NodeType::OptionSome => {
                    let payload = node
                        .as_option()
                        .map_err(|_| mismatch())?
                        .ok_or_else(mismatch)?;
                    Ok(Val::Option(Some(Box::new(from_node(
                        payload, &inner, src, path, handles,
                    )?))))
                }
                // WAVE allows `x` for `some(x)` when that cannot be ambiguous.
                _ if !matches!(inner, Type::Option(_) | Type::Result(_)) => Ok(Val::Option(Some(
                    Box::new(from_node(node, &inner, src, path, handles)?),
                ))),
                _ => Err(mismatch().with_hint("write `some(...)` or `none`")),
            }
        }
        Type::Result(result) => {
            let parsed = node
                .as_result()
                .map_err(|_| mismatch().with_hint("write `ok(...)`, `err(...)`, `ok` or `err`"))?;
            let (is_ok, payload, payload_ty, label) = match parsed {
                Ok(p) => (true, p, result.ok(), "ok"),
                Err(p) => (false, p, result.err(), "err"),
            };
            let val = match (payload_ty, payload) {
                (Some(t), Some(p)) => Some(Box::new(from_node(
                    p,
                    &t,
                    src,
                    &path.field(label),
                    handles,
                )?)),
                (None, None) => None,
                (Some(_), None) => {
                    return Err(mismatch()
                        .with_hint(format!("`{label}` takes a payload here: `{label}(...)`")));
                }
                (None, Some(_)) => {
                    return Err(mismatch()
                        .with_hint(format!("`{label}` has no payload here: write `{label}`")));
                }
            };
            Ok(Val::Result(if is_ok { Ok(val) } else { Err(val) }))
        }
        Type::Flags(flags) => {
            let given: Vec<&str> = node
                .as_flags(src)
                .map_err(|_| mismatch().with_hint("write flags as `{read, write}`"))?
                .collect();
            for name in &given {
                if !flags.names().any(|n| n == *name) {
                    return Err(unknown_case(path, ty, name, flags.names().collect()));
                }
            }
            // In the type's order, as a guest returns them, so one value has one text.
            Ok(Val::Flags(
                flags
                    .names()
                    .filter(|n| given.contains(n))
                    .map(str::to_string)
                    .collect(),
            ))
        }
        Type::Own(_) | Type::Borrow(_) => {
            if node.ty() != NodeType::Label {
                return Err(mismatch().with_hint("pass a resource as the name of a handle, e.g. `let c = counter(\"x\")` then `c`"));
            }
            let name = &src[node.span()];
            handles(name, ty)
                .map_err(|msg| ValueError::new(path, ty, format!("handle `{name}`")).with_hint(msg))
        }
        // A stream is written as the list of its items and a future as its value; the
        // session turns them into host-written streams and futures before the call.
        Type::Stream(stream) => {
            let payload = movable_payload(stream.ty(), path, ty)?;
            let items = node.as_list().map_err(|_| {
                mismatch().with_hint("write a stream as the list of its items, `[a, b, c]`")
            })?;
            let vals = items
                .enumerate()
                .map(|(i, n)| from_node(n, &payload, src, &path.index(i), handles))
                .collect::<Result<_, _>>()?;
            Ok(Val::List(vals))
        }
        Type::Future(future) => {
            let payload = movable_payload(future.ty(), path, ty)?;
            let value = from_node(node, &payload, src, path, handles)?;
            Ok(Val::Option(Some(Box::new(value))))
        }
        Type::Map(_) | Type::FixedLengthList(_) | Type::ErrorContext => {
            Err(ValueError::new(path, ty, found(node, src))
                .with_hint("weft cannot write values of this type yet"))
        }
    }
}

/// The payload of a stream or future parameter, if weft can write its items.
pub(crate) fn movable_payload(
    payload: Option<Type>,
    path: &Path,
    ty: &Type,
) -> Result<Type, ValueError> {
    match payload {
        Some(payload) if crate::streams::payload_supported(Some(&payload)) => Ok(payload),
        other => Err(ValueError::new(path, ty, "a value").with_hint(
            crate::streams::StreamError::Unsupported(match &other {
                Some(t) => describe(t),
                None => "unit (payload-less)".to_string(),
            })
            .to_string(),
        )),
    }
}

/// Prints `val` as WAVE; resources print as the name `namer` gives them.
pub fn to_wave(val: &Val, namer: &mut HandleNamer<'_>) -> String {
    let mut out = String::new();
    write_val(&mut out, val, namer);
    out
}

fn write_val(out: &mut String, val: &Val, namer: &mut HandleNamer<'_>) {
    if !val_contains_resource(val) {
        // wasm-wave only fails on resources, streams and futures; resources are handled
        // below, and the others cannot come back from a synchronous call.
        match wasm_wave::to_string(val) {
            Ok(s) => out.push_str(&s),
            Err(e) => out.push_str(&format!("<{e}>")),
        }
        return;
    }
    let seq = |out: &mut String,
               open: &str,
               items: &mut dyn Iterator<Item = &Val>,
               close: &str,
               namer: &mut HandleNamer<'_>| {
        out.push_str(open);
        for (i, v) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_val(out, v, namer);
        }
        out.push_str(close);
    };
    match val {
        Val::Resource(r) => out.push_str(&namer(r)),
        Val::List(v) | Val::FixedLengthList(v) => seq(out, "[", &mut v.iter(), "]", namer),
        Val::Tuple(v) => seq(out, "(", &mut v.iter(), ")", namer),
        Val::Record(fields) => {
            out.push('{');
            for (i, (name, v)) in fields.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { "" });
                out.push_str(name);
                out.push_str(": ");
                write_val(out, v, namer);
            }
            out.push('}');
        }
        Val::Variant(name, Some(v)) => {
            out.push_str(name);
            seq(out, "(", &mut std::iter::once(&**v), ")", namer);
        }
        Val::Option(Some(v)) => seq(out, "some(", &mut std::iter::once(&**v), ")", namer),
        Val::Result(Ok(Some(v))) => seq(out, "ok(", &mut std::iter::once(&**v), ")", namer),
        Val::Result(Err(Some(v))) => seq(out, "err(", &mut std::iter::once(&**v), ")", namer),
        Val::Map(entries) => {
            out.push('[');
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { "" });
                seq(out, "(", &mut [k, v].into_iter(), ")", namer);
            }
            out.push(']');
        }
        // Only values that contain a resource reach here, and these variants cannot.
        _ => out.push_str(&wasm_wave::to_string(val).unwrap_or_default()),
    }
}

fn found(node: &Node, src: &str) -> String {
    let text = &src[node.span()];
    let short: String = text.chars().take(40).collect();
    let ellipsis = if short.len() < text.len() { "…" } else { "" };
    let kind = match node.ty() {
        NodeType::BoolTrue | NodeType::BoolFalse => "bool",
        NodeType::Number => "number",
        NodeType::Char => "char",
        NodeType::String | NodeType::MultilineString => "string",
        NodeType::Tuple => "tuple",
        NodeType::List => "list",
        NodeType::Record => "record",
        NodeType::Label => "label",
        NodeType::VariantWithPayload => "case with payload",
        NodeType::OptionSome | NodeType::OptionNone => "option",
        NodeType::ResultOk | NodeType::ResultErr => "result",
        NodeType::Flags => "flags",
    };
    format!("{kind} `{short}{ellipsis}`")
}

fn scalar_hint(node: &Node, ty: &Type) -> Option<String> {
    match (node.ty(), ty) {
        (
            NodeType::Number,
            Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::S8
            | Type::S16
            | Type::S32
            | Type::S64,
        ) => Some(format!(
            "the number must be a whole number in the range of {}",
            describe(ty)
        )),
        (NodeType::String, Type::Char) => Some("write a char in single quotes: 'x'".to_string()),
        (NodeType::Char, Type::String) => {
            Some("write a string in double quotes: \"x\"".to_string())
        }
        (NodeType::Label, Type::String) => Some("strings need double quotes".to_string()),
        _ => None,
    }
}

fn unknown_case(path: &Path, ty: &Type, label: &str, names: Vec<&str>) -> ValueError {
    let err = ValueError::new(path, ty, format!("`{label}`"));
    match closest(label, names.iter().copied()) {
        Some(near) => err.with_hint(format!("did you mean `{near}`?")),
        None => err.with_hint(format!("the cases are {}", backticked(&names))),
    }
}

pub(crate) fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
