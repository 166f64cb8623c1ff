//! Short WIT-like descriptions of component types, for error messages.
//!
//! wasmtime's dynamic types are structural (a record has fields but no name), so
//! these descriptions spell out the structure: `record { name, title }`.

use std::fmt::Write;

use wasmtime::component::Type;

/// Describes `ty` in WIT syntax, abbreviating nested aggregates.
pub fn describe(ty: &Type) -> String {
    let mut out = String::new();
    write_type(&mut out, ty, 0);
    out
}

fn write_type(out: &mut String, ty: &Type, depth: usize) {
    // Past two levels the structure stops helping; the path already says where.
    let deep = depth >= 2;
    match ty {
        Type::Bool => out.push_str("bool"),
        Type::S8 => out.push_str("s8"),
        Type::U8 => out.push_str("u8"),
        Type::S16 => out.push_str("s16"),
        Type::U16 => out.push_str("u16"),
        Type::S32 => out.push_str("s32"),
        Type::U32 => out.push_str("u32"),
        Type::S64 => out.push_str("s64"),
        Type::U64 => out.push_str("u64"),
        Type::Float32 => out.push_str("f32"),
        Type::Float64 => out.push_str("f64"),
        Type::Char => out.push_str("char"),
        Type::String => out.push_str("string"),
        Type::List(l) => {
            out.push_str("list<");
            write_type(out, &l.ty(), depth + 1);
            out.push('>');
        }
        Type::FixedLengthList(l) => {
            out.push_str("list<");
            write_type(out, &l.ty(), depth + 1);
            let _ = write!(out, ", {}>", l.len());
        }
        Type::Map(m) => {
            out.push_str("map<");
            write_type(out, &m.key(), depth + 1);
            out.push_str(", ");
            write_type(out, &m.value(), depth + 1);
            out.push('>');
        }
        Type::Option(o) => {
            out.push_str("option<");
            write_type(out, &o.ty(), depth + 1);
            out.push('>');
        }
        Type::Result(r) => {
            out.push_str("result");
            match (r.ok(), r.err()) {
                (None, None) => {}
                (Some(ok), None) => {
                    out.push('<');
                    write_type(out, &ok, depth + 1);
                    out.push('>');
                }
                (ok, Some(err)) => {
                    out.push('<');
                    match ok {
                        Some(ok) => write_type(out, &ok, depth + 1),
                        None => out.push('_'),
                    }
                    out.push_str(", ");
                    write_type(out, &err, depth + 1);
                    out.push('>');
                }
            }
        }
        Type::Tuple(t) => {
            out.push_str("tuple<");
            for (i, ty) in t.types().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_type(out, &ty, depth + 1);
            }
            out.push('>');
        }
        Type::Record(_) if deep => out.push_str("record"),
        Type::Record(r) => {
            out.push_str("record { ");
            for (i, field) in r.fields().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}: ", field.name);
                write_type(out, &field.ty, depth + 1);
            }
            out.push_str(" }");
        }
        Type::Variant(v) => {
            out.push_str("variant { ");
            for (i, case) in v.cases().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(case.name);
                if let Some(ty) = &case.ty {
                    out.push('(');
                    write_type(out, ty, depth + 1);
                    out.push(')');
                }
            }
            out.push_str(" }");
        }
        Type::Enum(e) => {
            let _ = write!(out, "enum {{ {} }}", e.names().collect::<Vec<_>>().join(", "));
        }
        Type::Flags(f) => {
            let _ = write!(out, "flags {{ {} }}", f.names().collect::<Vec<_>>().join(", "));
        }
        Type::Own(_) => out.push_str("own<resource>"),
        Type::Borrow(_) => out.push_str("borrow<resource>"),
        Type::Future(_) => out.push_str("future"),
        Type::Stream(_) => out.push_str("stream"),
        Type::ErrorContext => out.push_str("error-context"),
    }
}

/// Describes what a value looks like, for "found ..." in error messages.
pub fn describe_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "null".to_string(),
        serde_json::Value::Bool(b) => format!("boolean `{b}`"),
        serde_json::Value::Number(n) => format!("number `{n}`"),
        serde_json::Value::String(s) => format!("string {}", serde_json::Value::String(truncate(s))),
        serde_json::Value::Array(a) => format!("array of {} element(s)", a.len()),
        serde_json::Value::Object(o) => {
            let keys: Vec<_> = o.keys().map(|k| format!("`{k}`")).collect();
            format!("object with keys {}", keys.join(", "))
        }
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}
