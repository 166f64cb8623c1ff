//! Checking a value an embedder built against the type it is passed as, before the call,
//! so a wrong value is an error that names where it is wrong (and the session lives on)
//! rather than a failed call.

use wasmtime::component::{Type, Val};

use super::{Path, ValueError};

/// Fails with the path of the first part of `val` that is not of type `ty`. Resources are
/// checked only for being handles: their types are the instance's to check.
pub fn check(val: &Val, ty: &Type, path: &Path) -> Result<(), ValueError> {
    let wrong = || ValueError::new(path, ty, kind_of(val));
    let each = |items: &[Val], elem: &Type| {
        items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check(v, elem, &path.index(i)))
    };
    match (ty, val) {
        (Type::Bool, Val::Bool(_))
        | (Type::S8, Val::S8(_))
        | (Type::U8, Val::U8(_))
        | (Type::S16, Val::S16(_))
        | (Type::U16, Val::U16(_))
        | (Type::S32, Val::S32(_))
        | (Type::U32, Val::U32(_))
        | (Type::S64, Val::S64(_))
        | (Type::U64, Val::U64(_))
        | (Type::Float32, Val::Float32(_))
        | (Type::Float64, Val::Float64(_))
        | (Type::Char, Val::Char(_))
        | (Type::String, Val::String(_))
        | (Type::Own(_) | Type::Borrow(_), Val::Resource(_))
        | (Type::Future(_), Val::Future(_))
        | (Type::Stream(_), Val::Stream(_))
        | (Type::ErrorContext, Val::ErrorContext(_))
        // The value layer does not build these; wasmtime checks their contents.
        | (Type::Map(_), Val::Map(_))
        | (Type::FixedLengthList(_), Val::FixedLengthList(_)) => Ok(()),
        (Type::List(list), Val::List(items)) => each(items, &list.ty()),
        (Type::Tuple(tuple), Val::Tuple(items)) => {
            let types: Vec<Type> = tuple.types().collect();
            if types.len() != items.len() {
                return Err(wrong());
            }
            types
                .iter()
                .zip(items)
                .enumerate()
                .try_for_each(|(i, (t, v))| check(v, t, &path.index(i)))
        }
        (Type::Record(record), Val::Record(fields)) => {
            let expected: Vec<_> = record.fields().collect();
            if expected.len() != fields.len()
                || expected.iter().zip(fields).any(|(f, (name, _))| f.name != name)
            {
                return Err(wrong());
            }
            expected
                .iter()
                .zip(fields)
                .try_for_each(|(f, (_, v))| check(v, &f.ty, &path.field(f.name)))
        }
        (Type::Variant(variant), Val::Variant(case, payload)) => {
            let Some(found) = variant.cases().find(|c| c.name == case) else {
                return Err(wrong());
            };
            match (&found.ty, payload) {
                (None, None) => Ok(()),
                (Some(t), Some(v)) => check(v, t, &path.field(case)),
                _ => Err(wrong()),
            }
        }
        (Type::Enum(e), Val::Enum(case)) if e.names().any(|n| n == case) => Ok(()),
        (Type::Flags(f), Val::Flags(set))
            if set.iter().all(|s| f.names().any(|n| n == s)) =>
        {
            Ok(())
        }
        (Type::Option(_), Val::Option(None)) => Ok(()),
        (Type::Option(o), Val::Option(Some(v))) => check(v, &o.ty(), path),
        (Type::Result(r), Val::Result(outcome)) => {
            let (ty, payload, arm) = match outcome {
                Ok(v) => (r.ok(), v, "ok"),
                Err(v) => (r.err(), v, "err"),
            };
            match (ty, payload) {
                (None, None) => Ok(()),
                (Some(t), Some(v)) => check(v, &t, &path.field(arm)),
                _ => Err(wrong()),
            }
        }
        _ => Err(wrong()),
    }
}

/// What a value is, for messages.
fn kind_of(val: &Val) -> String {
    let kind = match val {
        Val::Bool(_) => "bool",
        Val::S8(_) => "s8",
        Val::U8(_) => "u8",
        Val::S16(_) => "s16",
        Val::U16(_) => "u16",
        Val::S32(_) => "s32",
        Val::U32(_) => "u32",
        Val::S64(_) => "s64",
        Val::U64(_) => "u64",
        Val::Float32(_) => "f32",
        Val::Float64(_) => "f64",
        Val::Char(_) => "char",
        Val::String(_) => "string",
        Val::List(_) => "list",
        Val::Record(_) => "record",
        Val::Tuple(_) => "tuple",
        Val::Variant(..) => "variant case",
        Val::Enum(_) => "enum case",
        Val::Option(_) => "option",
        Val::Result(_) => "result",
        Val::Flags(_) => "flags",
        Val::Resource(_) => "resource handle",
        _ => "value of another kind",
    };
    format!("a `Val` {kind}")
}
