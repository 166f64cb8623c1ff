//! JSON <-> [`Val`], following the way jco maps WIT to JavaScript (see
//! `docs/values.md`): records are objects with the WIT field names, variants and
//! results are `{"tag": ..., "val": ...}`, options are `null` or the value, and
//! 64-bit integers past 2^53 are decimal strings.

use serde_json::{Map, Value, json};
use wasmtime::component::{Type, Val};

use super::describe::describe_json;
use super::wave::backticked;
use weft_wit::closest;

use super::{HandleLookup, HandleNamer, Path, ValueError};

/// The largest integer a JSON number holds exactly in every consumer (2^53).
const MAX_SAFE_INTEGER: u64 = 1 << 53;

/// Converts a JSON value to a value of type `ty`.
pub fn from_json(
    value: &Value,
    ty: &Type,
    path: &Path,
    handles: &HandleLookup<'_>,
) -> Result<Val, ValueError> {
    let mismatch = || ValueError::new(path, ty, describe_json(value));
    match ty {
        Type::Bool => value.as_bool().map(Val::Bool).ok_or_else(mismatch),
        Type::S8 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::S8)),
        Type::U8 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::U8)),
        Type::S16 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::S16)),
        Type::U16 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::U16)),
        Type::S32 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::S32)),
        Type::U32 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::U32)),
        Type::S64 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::S64)),
        Type::U64 => int(value, path, ty).and_then(|i| fit(i, path, ty, value).map(Val::U64)),
        Type::Float32 => {
            let f = float(value).ok_or_else(|| {
                mismatch().with_hint("write a number, or \"nan\", \"inf\", \"-inf\"")
            })?;
            // A finite number past f32's range would silently become infinity.
            if f.is_finite() && (f as f32).is_infinite() {
                return Err(mismatch().with_hint(format!(
                    "{f} is past f32's range (±{}); write \"inf\" for infinity",
                    f32::MAX
                )));
            }
            Ok(Val::Float32(f as f32))
        }
        Type::Float64 => float(value)
            .map(Val::Float64)
            .ok_or_else(|| mismatch().with_hint("write a number, or \"nan\", \"inf\", \"-inf\"")),
        Type::Char => {
            let s = value.as_str().ok_or_else(mismatch)?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Val::Char(c)),
                _ => {
                    Err(mismatch()
                        .with_hint("a char is a string of exactly one Unicode scalar value"))
                }
            }
        }
        Type::String => value
            .as_str()
            .map(|s| Val::String(s.to_string()))
            .ok_or_else(mismatch),
        Type::List(list) => {
            let items = value.as_array().ok_or_else(mismatch)?;
            let elem = list.ty();
            let vals = items
                .iter()
                .enumerate()
                .map(|(i, v)| from_json(v, &elem, &path.index(i), handles))
                .collect::<Result<_, _>>()?;
            Ok(Val::List(vals))
        }
        Type::Tuple(tuple) => {
            let items = value
                .as_array()
                .ok_or_else(|| mismatch().with_hint("write a tuple as an array"))?;
            let types: Vec<Type> = tuple.types().collect();
            if items.len() != types.len() {
                return Err(
                    mismatch().with_hint(format!("the tuple needs {} element(s)", types.len()))
                );
            }
            let vals = items
                .iter()
                .zip(&types)
                .enumerate()
                .map(|(i, (v, t))| from_json(v, t, &path.index(i), handles))
                .collect::<Result<_, _>>()?;
            Ok(Val::Tuple(vals))
        }
        Type::Record(record) => {
            let object = value.as_object().ok_or_else(mismatch)?;
            let names: Vec<&str> = record.fields().map(|f| f.name).collect();
            if let Some(unknown) = object.keys().find(|k| !names.contains(&k.as_str())) {
                let mut err = ValueError::new(
                    &path.field(unknown),
                    ty,
                    format!("unknown field `{unknown}`"),
                );
                err.expected = format!("one of the fields {}", backticked(&names));
                if let Some(near) = closest(unknown, names.iter().copied()) {
                    err = err.with_hint(format!(
                        "did you mean `{near}`? (WIT field names are kebab-case)"
                    ));
                }
                return Err(err);
            }
            let mut fields = Vec::with_capacity(names.len());
            for field in record.fields() {
                let field_path = path.field(field.name);
                let val = match object.get(field.name) {
                    Some(v) => from_json(v, &field.ty, &field_path, handles)?,
                    None if matches!(field.ty, Type::Option(_)) => Val::Option(None),
                    None => {
                        return Err(ValueError::new(
                            &field_path,
                            &field.ty,
                            "nothing (the field is missing)",
                        )
                        .with_hint(format!("add `\"{}\": ...` to the object", field.name)));
                    }
                };
                fields.push((field.name.to_string(), val));
            }
            Ok(Val::Record(fields))
        }
        Type::Variant(variant) => {
            let (tag, payload) = tagged(value).ok_or_else(|| {
                mismatch().with_hint("write a variant as {\"tag\": \"case\", \"val\": payload}")
            })?;
            let case = variant.cases().find(|c| c.name == tag).ok_or_else(|| {
                unknown_name(path, ty, tag, variant.cases().map(|c| c.name).collect())
            })?;
            let val = match (&case.ty, payload) {
                (Some(t), Some(p)) => Some(Box::new(from_json(p, t, &path.field(tag), handles)?)),
                (None, None | Some(Value::Null)) => None,
                (Some(_), None) => {
                    return Err(mismatch().with_hint(format!("case `{tag}` needs a \"val\"")));
                }
                (None, Some(_)) => {
                    return Err(
                        mismatch().with_hint(format!("case `{tag}` has no payload: drop \"val\""))
                    );
                }
            };
            Ok(Val::Variant(tag.to_string(), val))
        }
        Type::Enum(e) => {
            let name = value.as_str().ok_or_else(mismatch)?;
            if !e.names().any(|n| n == name) {
                return Err(unknown_name(path, ty, name, e.names().collect()));
            }
            Ok(Val::Enum(name.to_string()))
        }
        Type::Option(option) => {
            let inner = option.ty();
            if value.is_null() {
                return Ok(Val::Option(None));
            }
            if matches!(inner, Type::Option(_)) {
                // `option<option<T>>` needs the explicit form to tell `some(none)` from `none`.
                let (tag, payload) = tagged(value)
                    .filter(|(tag, _)| *tag == "some")
                    .ok_or_else(|| mismatch().with_hint("an option of an option is written null or {\"tag\": \"some\", \"val\": ...}"))?;
                let payload = payload.unwrap_or(&Value::Null);
                return Ok(Val::Option(Some(Box::new(from_json(
                    payload,
                    &inner,
                    &path.field(tag),
                    handles,
                )?))));
            }
            Ok(Val::Option(Some(Box::new(from_json(
                value, &inner, path, handles,
            )?))))
        }
        Type::Result(result) => {
            let (tag, payload) = tagged(value).ok_or_else(|| mismatch().with_hint("write a result as {\"tag\": \"ok\", \"val\": ...} or {\"tag\": \"err\", \"val\": ...}"))?;
            let payload_ty = match tag {
                "ok" => result.ok(),
                "err" => result.err(),
                other => return Err(unknown_name(path, ty, other, vec!["ok", "err"])),
            };
            let val = match (payload_ty, payload) {
                (Some(t), Some(p)) => Some(Box::new(from_json(p, &t, &path.field(tag), handles)?)),
                (None, None | Some(Value::Null)) => None,
                (Some(_), None) => {
                    return Err(mismatch().with_hint(format!("`{tag}` needs a \"val\"")));
                }
                (None, Some(_)) => {
                    return Err(
                        mismatch().with_hint(format!("`{tag}` has no payload: drop \"val\""))
                    );
                }
            };
            Ok(Val::Result(if tag == "ok" { Ok(val) } else { Err(val) }))
        }
        Type::Flags(flags) => {
            let names: Vec<&str> = flags.names().collect();
            let set: Vec<String> = match value {
                Value::Object(object) => {
                    let mut set = Vec::new();
                    for (k, v) in object {
                        if !names.contains(&k.as_str()) {
                            return Err(unknown_name(path, ty, k, names));
                        }
                        match v.as_bool() {
                            Some(true) => set.push(k.clone()),
                            Some(false) => {}
                            None => {
                                return Err(ValueError::new(
                                    &path.field(k),
                                    &Type::Bool,
                                    describe_json(v),
                                ));
                            }
                        }
                    }
                    set
                }
                Value::Array(items) => {
                    let mut set = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let name = item.as_str().ok_or_else(|| {
                            ValueError::new(&path.index(i), ty, describe_json(item))
                        })?;
                        if !names.contains(&name) {
                            return Err(unknown_name(path, ty, name, names));
                        }
                        if set.iter().any(|s| s == name) {
                            return Err(ValueError::new(
                                &path.index(i),
                                ty,
                                format!("flag `{name}` a second time"),
                            )
                            .with_hint("name each flag once"));
                        }
                        set.push(name.to_string());
                    }
                    set
                }
                _ => {
                    return Err(
                        mismatch().with_hint("write flags as {\"read\": true} or [\"read\"]")
                    );
                }
            };
            // In the type's order, as a guest returns them, so one value has one text.
            Ok(Val::Flags(
                names
                    .iter()
                    .filter(|n| set.iter().any(|s| s == *n))
                    .map(|n| n.to_string())
                    .collect(),
            ))
        }
        Type::Own(_) | Type::Borrow(_) => {
            let name = value.as_str().ok_or_else(|| {
                mismatch().with_hint("pass a resource as the name of its handle, a string")
            })?;
            handles(name, ty)
                .map_err(|msg| ValueError::new(path, ty, format!("handle `{name}`")).with_hint(msg))
        }
        // As in WAVE: a stream is the array of its items, a future its value.
        Type::Stream(stream) => {
            let payload = super::wave::movable_payload(stream.ty(), path, ty)?;
            let items = value
                .as_array()
                .ok_or_else(|| mismatch().with_hint("write a stream as the array of its items"))?;
            let vals = items
                .iter()
                .enumerate()
                .map(|(i, item)| from_json(item, &payload, &path.index(i), handles))
                .collect::<Result<_, _>>()?;
            Ok(Val::List(vals))
        }
        Type::Future(future) => {
            let payload = super::wave::movable_payload(future.ty(), path, ty)?;
            let value = from_json(value, &payload, path, handles)?;
            Ok(Val::Option(Some(Box::new(value))))
        }
        Type::Map(_) | Type::FixedLengthList(_) | Type::ErrorContext => {
            Err(mismatch().with_hint("weft cannot write values of this type yet"))
        }
    }
}

/// Converts a value to JSON; resources become the names `namer` gives them.
pub fn to_json(val: &Val, namer: &mut HandleNamer<'_>) -> Value {
    match val {
        Val::Bool(b) => json!(b),
        Val::S8(i) => json!(i),
        Val::U8(i) => json!(i),
        Val::S16(i) => json!(i),
        Val::U16(i) => json!(i),
        Val::S32(i) => json!(i),
        Val::U32(i) => json!(i),
        Val::S64(i) if i.unsigned_abs() > MAX_SAFE_INTEGER => json!(i.to_string()),
        Val::S64(i) => json!(i),
        Val::U64(i) if *i > MAX_SAFE_INTEGER => json!(i.to_string()),
        Val::U64(i) => json!(i),
        // Through the shortest decimal that round-trips the f32, so 0.1f32 prints 0.1.
        Val::Float32(f) => float_json(f.to_string().parse().unwrap_or(f64::from(*f))),
        Val::Float64(f) => float_json(*f),
        Val::Char(c) => json!(c.to_string()),
        Val::String(s) => json!(s),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Value::Array(items.iter().map(|v| to_json(v, namer)).collect())
        }
        Val::Map(entries) => Value::Array(
            entries
                .iter()
                .map(|(k, v)| json!([to_json(k, namer), to_json(v, namer)]))
                .collect(),
        ),
        Val::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, v)| (name.clone(), to_json(v, namer)))
                .collect::<Map<_, _>>(),
        ),
        Val::Variant(tag, payload) => tagged_json(tag, payload.as_deref(), namer),
        Val::Enum(name) => json!(name),
        Val::Option(None) => Value::Null,
        Val::Option(Some(inner)) => match &**inner {
            // Keep `some(none)` apart from `none`.
            Val::Option(_) => tagged_json("some", Some(inner), namer),
            other => to_json(other, namer),
        },
        Val::Result(Ok(payload)) => tagged_json("ok", payload.as_deref(), namer),
        Val::Result(Err(payload)) => tagged_json("err", payload.as_deref(), namer),
        Val::Flags(names) => Value::Object(
            names
                .iter()
                .map(|n| (n.clone(), Value::Bool(true)))
                .collect(),
        ),
        Val::Resource(r) => json!(namer(r)),
        Val::Future(_) => json!("<future>"),
        Val::Stream(_) => json!("<stream>"),
        Val::ErrorContext(_) => json!("<error-context>"),
    }
}

fn tagged_json(tag: &str, payload: Option<&Val>, namer: &mut HandleNamer<'_>) -> Value {
    let mut object = Map::new();
    object.insert("tag".to_string(), json!(tag));
    if let Some(payload) = payload {
        object.insert("val".to_string(), to_json(payload, namer));
    }
    Value::Object(object)
}

fn float_json(f: f64) -> Value {
    if f.is_nan() {
        json!("nan")
    } else if f.is_infinite() {
        json!(if f > 0.0 { "inf" } else { "-inf" })
    } else {
        json!(f)
    }
}

fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "nan" | "NaN" => Some(f64::NAN),
            "inf" | "Infinity" => Some(f64::INFINITY),
            "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Reads any JSON integer (number or decimal string) as i128, so range checks are exact.
fn int(value: &Value, path: &Path, ty: &Type) -> Result<i128, ValueError> {
    let parsed = match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        let hint = if matches!(ty, Type::U64 | Type::S64) {
            "write a whole number (past 2^53, as a decimal string)"
        } else {
            "write a whole number"
        };
        ValueError::new(path, ty, describe_json(value)).with_hint(hint)
    })
}

fn fit<T: TryFrom<i128>>(i: i128, path: &Path, ty: &Type, value: &Value) -> Result<T, ValueError> {
    T::try_from(i).map_err(|_| {
        ValueError::new(path, ty, describe_json(value))
            .with_hint(format!("{i} is out of range for {}", super::describe(ty)))
    })
}

fn tagged(value: &Value) -> Option<(&str, Option<&Value>)> {
    let object = value.as_object()?;
    let tag = object.get("tag")?.as_str()?;
    if object.keys().any(|k| k != "tag" && k != "val") {
        return None;
    }
    Some((tag, object.get("val")))
}

fn unknown_name(path: &Path, ty: &Type, name: &str, names: Vec<&str>) -> ValueError {
    let err = ValueError::new(path, ty, format!("`{name}`"));
    match closest(name, names.iter().copied()) {
        Some(near) => err.with_hint(format!("did you mean `{near}`?")),
        None => err.with_hint(format!("the names are {}", backticked(&names))),
    }
}

/// Parses JSON text as [`from_json`] expects it, refusing an object that names a key
/// twice: serde_json keeps the last one silently, where WAVE refuses a repeated field.
/// Errors carry serde_json's line and column.
pub fn parse_strict(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|strict| strict.0)
}

/// A JSON value read without letting a repeated key through.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` appears twice in one object"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
