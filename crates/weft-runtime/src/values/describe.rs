//! Short WIT-like descriptions of component types, for error messages.
//!
//! wasmtime's dynamic types are structural (a record has fields but no name), so
//! these descriptions spell out the structure: `record { name, title }`.

use std::fmt::Write;

use wasmtime::component::{ResourceType, Type};

/// Describes `ty` in WIT syntax, abbreviating nested aggregates.
pub fn describe(ty: &Type) -> String {
    describe_named(ty, &[])
}

/// Like [`describe`], naming the resource types listed in `resources`.
pub fn describe_named(ty: &Type, resources: &[(ResourceType, String)]) -> String {
    let mut out = String::new();
    Writer {
        out: &mut out,
        resources,
    }
    .write(ty, 0);
    out
}

struct Writer<'a> {
    out: &'a mut String,
    resources: &'a [(ResourceType, String)],
}

impl Writer<'_> {
    fn resource(&self, ty: &ResourceType) -> &str {
        self.resources
            .iter()
            .find(|(t, _)| t == ty)
            .map_or("resource", |(_, n)| n.as_str())
    }

    /// `future<T>` / `stream<T>`, or the bare keyword for a payload-less one.
    fn payload(&mut self, keyword: &str, payload: Option<Type>, depth: usize) {
        self.out.push_str(keyword);
        if let Some(payload) = payload {
            self.out.push('<');
            self.write(&payload, depth + 1);
            self.out.push('>');
        }
    }

    fn write(&mut self, ty: &Type, depth: usize) {
        // Past two levels the structure stops helping; the path already says where.
        let deep = depth >= 2;
        match ty {
            Type::Bool => self.out.push_str("bool"),
            Type::S8 => self.out.push_str("s8"),
            Type::U8 => self.out.push_str("u8"),
            Type::S16 => self.out.push_str("s16"),
            Type::U16 => self.out.push_str("u16"),
            Type::S32 => self.out.push_str("s32"),
            Type::U32 => self.out.push_str("u32"),
            Type::S64 => self.out.push_str("s64"),
            Type::U64 => self.out.push_str("u64"),
            Type::Float32 => self.out.push_str("f32"),
            Type::Float64 => self.out.push_str("f64"),
            Type::Char => self.out.push_str("char"),
            Type::String => self.out.push_str("string"),
            Type::List(l) => {
                self.out.push_str("list<");
                self.write(&l.ty(), depth + 1);
                self.out.push('>');
            }
            Type::FixedLengthList(l) => {
                self.out.push_str("list<");
                self.write(&l.ty(), depth + 1);
                let _ = write!(self.out, ", {}>", l.len());
            }
            Type::Map(m) => {
                self.out.push_str("map<");
                self.write(&m.key(), depth + 1);
                self.out.push_str(", ");
                self.write(&m.value(), depth + 1);
                self.out.push('>');
            }
            Type::Option(o) => {
                self.out.push_str("option<");
                self.write(&o.ty(), depth + 1);
                self.out.push('>');
            }
            Type::Result(r) => {
                self.out.push_str("result");
                match (r.ok(), r.err()) {
                    (None, None) => {}
                    (Some(ok), None) => {
                        self.out.push('<');
                        self.write(&ok, depth + 1);
                        self.out.push('>');
                    }
                    (ok, Some(err)) => {
                        self.out.push('<');
                        match ok {
                            Some(ok) => self.write(&ok, depth + 1),
                            None => self.out.push('_'),
                        }
                        self.out.push_str(", ");
                        self.write(&err, depth + 1);
                        self.out.push('>');
                    }
                }
            }
            Type::Tuple(t) => {
                self.out.push_str("tuple<");
                for (i, ty) in t.types().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.write(&ty, depth + 1);
                }
                self.out.push('>');
            }
            Type::Record(_) if deep => self.out.push_str("record"),
            Type::Record(r) => {
                self.out.push_str("record { ");
                for (i, field) in r.fields().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    let _ = write!(self.out, "{}: ", field.name);
                    self.write(&field.ty, depth + 1);
                }
                self.out.push_str(" }");
            }
            Type::Variant(v) => {
                self.out.push_str("variant { ");
                for (i, case) in v.cases().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(case.name);
                    if let Some(ty) = &case.ty {
                        self.out.push('(');
                        self.write(ty, depth + 1);
                        self.out.push(')');
                    }
                }
                self.out.push_str(" }");
            }
            Type::Enum(e) => {
                let _ = write!(
                    self.out,
                    "enum {{ {} }}",
                    e.names().collect::<Vec<_>>().join(", ")
                );
            }
            Type::Flags(f) => {
                let _ = write!(
                    self.out,
                    "flags {{ {} }}",
                    f.names().collect::<Vec<_>>().join(", ")
                );
            }
            Type::Own(r) => {
                let name = format!("own<{}>", self.resource(r));
                self.out.push_str(&name);
            }
            Type::Borrow(r) => {
                let name = format!("borrow<{}>", self.resource(r));
                self.out.push_str(&name);
            }
            Type::Future(f) => self.payload("future", f.ty(), depth),
            Type::Stream(s) => self.payload("stream", s.ty(), depth),
            Type::ErrorContext => self.out.push_str("error-context"),
        }
    }
}

/// Describes what a value looks like, for "found ..." in error messages.
pub fn describe_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "null".to_string(),
        serde_json::Value::Bool(b) => format!("boolean `{b}`"),
        serde_json::Value::Number(n) => format!("number `{n}`"),
        serde_json::Value::String(s) => {
            format!("string {}", serde_json::Value::String(truncate(s)))
        }
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
