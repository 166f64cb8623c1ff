//! Component values as wRPC sends them: the Component Model value-definition encoding
//! (wRPC 0.17 `SPEC.md`, "Values"), directed by the WIT type.
//!
//! Integers wider than a byte are LEB128 (signed for `s16`..`s64`), `u8` and `s8` one raw
//! byte, floats little-endian, `char` its UTF-8 bytes, strings and lists a LEB128 count
//! first, records and tuples their members one after another, variant and enum cases a
//! LEB128 case index, `option` and `result` a status byte, flags `ceil(n/8)` bytes of
//! bits. A call's parameters are the tuple of its arguments; its results the tuple of its
//! results. Resources, futures and streams are refused here (see [`CodecError`]).

use wasmtime::component::{Type, Val};

/// A value that cannot be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes end before the value does.
    #[error("the message ends inside a value of type {0}")]
    Truncated(String),
    /// Bytes that no value of the type encodes to.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// The type or part being read.
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// Bytes left over after the last value.
    #[error("{0} byte(s) left over after the last value")]
    TrailingBytes(usize),
    /// A type weft does not carry over NATS yet.
    #[error("{0} values are not carried over NATS yet")]
    Unsupported(&'static str),
    /// A value that does not match the type it is encoded as (a bug in the caller).
    #[error("a {found} value does not fit the type {expected}")]
    Mismatch {
        /// The type.
        expected: String,
        /// The value's kind.
        found: String,
    },
}

fn type_name(ty: &Type) -> String {
    weft_runtime::values::describe(ty)
}

/// Appends the encoding of `values`, of types `types`, to `out`.
pub fn encode_all(values: &[Val], types: &[Type], out: &mut Vec<u8>) -> Result<(), CodecError> {
    for (value, ty) in values.iter().zip(types) {
        encode(value, ty, out)?;
    }
    Ok(())
}

/// Decodes one value of each of `types` from `bytes`, which must hold nothing more.
pub fn decode_all(mut bytes: &[u8], types: &[Type]) -> Result<Vec<Val>, CodecError> {
    let values = types
        .iter()
        .map(|ty| decode(&mut bytes, ty))
        .collect::<Result<Vec<_>, _>>()?;
    if !bytes.is_empty() {
        return Err(CodecError::TrailingBytes(bytes.len()));
    }
    Ok(values)
}

fn unsigned(out: &mut Vec<u8>, value: u64) {
    leb128::write::unsigned(out, value).expect("writing to a Vec cannot fail");
}

fn signed(out: &mut Vec<u8>, value: i64) {
    leb128::write::signed(out, value).expect("writing to a Vec cannot fail");
}

fn length(out: &mut Vec<u8>, len: usize) -> Result<(), CodecError> {
    let len = u32::try_from(len).map_err(|_| CodecError::Malformed {
        what: "length".to_string(),
        detail: format!("{len} does not fit in 32 bits"),
    })?;
    unsigned(out, u64::from(len));
    Ok(())
}

/// Appends the encoding of `value`, of type `ty`, to `out`.
pub fn encode(value: &Val, ty: &Type, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let mismatch = || CodecError::Mismatch {
        expected: type_name(ty),
        found: format!("{value:?}").chars().take(40).collect(),
    };
    match (value, ty) {
        (Val::Bool(b), Type::Bool) => out.push(u8::from(*b)),
        (Val::U8(v), Type::U8) => out.push(*v),
        (Val::S8(v), Type::S8) => out.push(v.to_le_bytes()[0]),
        (Val::U16(v), Type::U16) => unsigned(out, u64::from(*v)),
        (Val::U32(v), Type::U32) => unsigned(out, u64::from(*v)),
        (Val::U64(v), Type::U64) => unsigned(out, *v),
        (Val::S16(v), Type::S16) => signed(out, i64::from(*v)),
        (Val::S32(v), Type::S32) => signed(out, i64::from(*v)),
        (Val::S64(v), Type::S64) => signed(out, *v),
        (Val::Float32(v), Type::Float32) => out.extend_from_slice(&v.to_le_bytes()),
        (Val::Float64(v), Type::Float64) => out.extend_from_slice(&v.to_le_bytes()),
        (Val::Char(c), Type::Char) => {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        (Val::String(s), Type::String) => {
            length(out, s.len())?;
            out.extend_from_slice(s.as_bytes());
        }
        (Val::List(items), Type::List(list)) => {
            length(out, items.len())?;
            let element = list.ty();
            for item in items {
                encode(item, &element, out)?;
            }
        }
        (Val::Record(fields), Type::Record(record)) => {
            for ((_, value), field) in fields.iter().zip(record.fields()) {
                encode(value, &field.ty, out)?;
            }
        }
        (Val::Tuple(items), Type::Tuple(tuple)) => {
            for (item, ty) in items.iter().zip(tuple.types()) {
                encode(item, &ty, out)?;
            }
        }
        (Val::Variant(name, payload), Type::Variant(variant)) => {
            let (index, case) = variant
                .cases()
                .enumerate()
                .find(|(_, c)| c.name == name.as_str())
                .ok_or_else(mismatch)?;
            unsigned(out, index as u64);
            if let (Some(payload), Some(ty)) = (payload, &case.ty) {
                encode(payload, ty, out)?;
            }
        }
        (Val::Enum(name), Type::Enum(e)) => {
            let index = e.names().position(|n| n == name).ok_or_else(mismatch)?;
            unsigned(out, index as u64);
        }
        (Val::Option(None), Type::Option(_)) => out.push(0),
        (Val::Option(Some(v)), Type::Option(option)) => {
            out.push(1);
            encode(v, &option.ty(), out)?;
        }
        (Val::Result(result), Type::Result(ty)) => {
            let (status, payload, payload_ty) = match result {
                Ok(v) => (0, v, ty.ok()),
                Err(v) => (1, v, ty.err()),
            };
            out.push(status);
            if let (Some(payload), Some(ty)) = (payload, payload_ty) {
                encode(payload, &ty, out)?;
            }
        }
        (Val::Flags(set), Type::Flags(flags)) => {
            let names: Vec<&str> = flags.names().collect();
            let mut bits = vec![0u8; names.len().div_ceil(8)];
            for name in set {
                let i = names.iter().position(|n| n == name).ok_or_else(mismatch)?;
                bits[i / 8] |= 1 << (i % 8);
            }
            out.extend_from_slice(&bits);
        }
        (_, Type::Own(_) | Type::Borrow(_)) => return Err(CodecError::Unsupported("resource")),
        (_, Type::Future(_) | Type::Stream(_)) => {
            return Err(CodecError::Unsupported("future and stream"));
        }
        (_, Type::ErrorContext) => return Err(CodecError::Unsupported("error-context")),
        (_, Type::Map(_) | Type::FixedLengthList(_)) => {
            return Err(CodecError::Unsupported("map and fixed-length list"));
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

fn take<'a>(bytes: &mut &'a [u8], n: usize, ty: &Type) -> Result<&'a [u8], CodecError> {
    if bytes.len() < n {
        return Err(CodecError::Truncated(type_name(ty)));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

fn read_unsigned(bytes: &mut &[u8], ty: &Type, max: u64) -> Result<u64, CodecError> {
    let value = leb128::read::unsigned(bytes).map_err(|e| leb_error(e, ty))?;
    if value > max {
        return Err(CodecError::Malformed {
            what: type_name(ty),
            detail: format!("{value} is out of range"),
        });
    }
    Ok(value)
}

fn read_signed(bytes: &mut &[u8], ty: &Type, min: i64, max: i64) -> Result<i64, CodecError> {
    let value = leb128::read::signed(bytes).map_err(|e| leb_error(e, ty))?;
    if value < min || value > max {
        return Err(CodecError::Malformed {
            what: type_name(ty),
            detail: format!("{value} is out of range"),
        });
    }
    Ok(value)
}

fn leb_error(error: leb128::read::Error, ty: &Type) -> CodecError {
    match error {
        leb128::read::Error::IoError(_) => CodecError::Truncated(type_name(ty)),
        leb128::read::Error::Overflow => CodecError::Malformed {
            what: type_name(ty),
            detail: "LEB128 integer overflows 64 bits".to_string(),
        },
    }
}

/// A count or length, checked against the bytes left so a hostile count cannot make
/// weft allocate more than the message holds.
fn read_len(bytes: &mut &[u8], ty: &Type, min_item: usize) -> Result<usize, CodecError> {
    let len = read_unsigned(bytes, ty, u64::from(u32::MAX))? as usize;
    if len.saturating_mul(min_item) > bytes.len() {
        return Err(CodecError::Truncated(type_name(ty)));
    }
    Ok(len)
}

/// Reads one value of type `ty` from the front of `bytes`.
pub fn decode(bytes: &mut &[u8], ty: &Type) -> Result<Val, CodecError> {
    let malformed = |detail: String| CodecError::Malformed {
        what: type_name(ty),
        detail,
    };
    Ok(match ty {
        Type::Bool => match take(bytes, 1, ty)?[0] {
            0 => Val::Bool(false),
            1 => Val::Bool(true),
            b => return Err(malformed(format!("byte {b:#04x} is not 0 or 1"))),
        },
        Type::U8 => Val::U8(take(bytes, 1, ty)?[0]),
        Type::S8 => Val::S8(i8::from_le_bytes([take(bytes, 1, ty)?[0]])),
        Type::U16 => Val::U16(read_unsigned(bytes, ty, u64::from(u16::MAX))? as u16),
        Type::U32 => Val::U32(read_unsigned(bytes, ty, u64::from(u32::MAX))? as u32),
        Type::U64 => Val::U64(read_unsigned(bytes, ty, u64::MAX)?),
        Type::S16 => Val::S16(read_signed(bytes, ty, i16::MIN.into(), i16::MAX.into())? as i16),
        Type::S32 => Val::S32(read_signed(bytes, ty, i32::MIN.into(), i32::MAX.into())? as i32),
        Type::S64 => Val::S64(read_signed(bytes, ty, i64::MIN, i64::MAX)?),
        Type::Float32 => Val::Float32(f32::from_le_bytes(
            take(bytes, 4, ty)?.try_into().expect("4 bytes"),
        )),
        Type::Float64 => Val::Float64(f64::from_le_bytes(
            take(bytes, 8, ty)?.try_into().expect("8 bytes"),
        )),
        Type::Char => {
            let first = *bytes
                .first()
                .ok_or_else(|| CodecError::Truncated(type_name(ty)))?;
            let width = match first {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => {
                    return Err(malformed(format!(
                        "byte {first:#04x} starts no UTF-8 scalar"
                    )));
                }
            };
            let text = std::str::from_utf8(take(bytes, width, ty)?)
                .map_err(|e| malformed(e.to_string()))?;
            Val::Char(text.chars().next().expect("one scalar"))
        }
        Type::String => {
            let len = read_len(bytes, ty, 1)?;
            let text = std::str::from_utf8(take(bytes, len, ty)?)
                .map_err(|e| malformed(format!("not UTF-8: {e}")))?;
            Val::String(text.to_string())
        }
        Type::List(list) => {
            let element = list.ty();
            let len = read_len(bytes, ty, min_size(&element))?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(decode(bytes, &element)?);
            }
            Val::List(items)
        }
        Type::Record(record) => Val::Record(
            record
                .fields()
                .map(|f| Ok((f.name.to_string(), decode(bytes, &f.ty)?)))
                .collect::<Result<_, CodecError>>()?,
        ),
        Type::Tuple(tuple) => Val::Tuple(
            tuple
                .types()
                .map(|t| decode(bytes, &t))
                .collect::<Result<_, _>>()?,
        ),
        Type::Variant(variant) => {
            let index = read_unsigned(bytes, ty, u64::from(u32::MAX))? as usize;
            let case = variant
                .cases()
                .nth(index)
                .ok_or_else(|| malformed(format!("no case {index}")))?;
            let payload = match &case.ty {
                Some(t) => Some(Box::new(decode(bytes, t)?)),
                None => None,
            };
            Val::Variant(case.name.to_string(), payload)
        }
        Type::Enum(e) => {
            let index = read_unsigned(bytes, ty, u64::from(u32::MAX))? as usize;
            let name = e
                .names()
                .nth(index)
                .ok_or_else(|| malformed(format!("no case {index}")))?;
            Val::Enum(name.to_string())
        }
        Type::Option(option) => match take(bytes, 1, ty)?[0] {
            0 => Val::Option(None),
            1 => Val::Option(Some(Box::new(decode(bytes, &option.ty())?))),
            b => return Err(malformed(format!("status byte {b:#04x} is not 0 or 1"))),
        },
        Type::Result(result) => {
            let status = take(bytes, 1, ty)?[0];
            let (payload_ty, ok) = match status {
                0 => (result.ok(), true),
                1 => (result.err(), false),
                b => return Err(malformed(format!("status byte {b:#04x} is not 0 or 1"))),
            };
            let payload = match payload_ty {
                Some(t) => Some(Box::new(decode(bytes, &t)?)),
                None => None,
            };
            Val::Result(if ok { Ok(payload) } else { Err(payload) })
        }
        Type::Flags(flags) => {
            let names: Vec<&str> = flags.names().collect();
            let bits = take(bytes, names.len().div_ceil(8), ty)?;
            let mut set = Vec::new();
            for (i, name) in names.iter().enumerate() {
                if bits[i / 8] & (1 << (i % 8)) != 0 {
                    set.push(name.to_string());
                }
            }
            let unused = names.len() % 8;
            if unused != 0 && bits[bits.len() - 1] >> unused != 0 {
                return Err(malformed("bits set beyond the last flag".to_string()));
            }
            Val::Flags(set)
        }
        Type::Own(_) | Type::Borrow(_) => return Err(CodecError::Unsupported("resource")),
        Type::Future(_) | Type::Stream(_) => {
            return Err(CodecError::Unsupported("future and stream"));
        }
        Type::ErrorContext => return Err(CodecError::Unsupported("error-context")),
        Type::Map(_) | Type::FixedLengthList(_) => {
            return Err(CodecError::Unsupported("map and fixed-length list"));
        }
    })
}

/// The fewest bytes a value of `ty` takes (for bounding a count by the bytes left).
fn min_size(ty: &Type) -> usize {
    match ty {
        Type::Record(r) => r.fields().map(|f| min_size(&f.ty)).sum(),
        Type::Tuple(t) => t.types().map(|t| min_size(&t)).sum(),
        Type::Flags(f) => f.names().count().div_ceil(8),
        Type::Float32 => 4,
        Type::Float64 => 8,
        _ => 1,
    }
}

/// Does a value of type `ty` cross as a plain value (no resources, streams or futures)?
pub fn carries(ty: &Type) -> bool {
    match ty {
        Type::Own(_)
        | Type::Borrow(_)
        | Type::Future(_)
        | Type::Stream(_)
        | Type::ErrorContext
        | Type::Map(_)
        | Type::FixedLengthList(_) => false,
        Type::List(l) => carries(&l.ty()),
        Type::Record(r) => r.fields().all(|f| carries(&f.ty)),
        Type::Tuple(t) => t.types().all(|t| carries(&t)),
        Type::Variant(v) => v.cases().all(|c| c.ty.as_ref().is_none_or(carries)),
        Type::Option(o) => carries(&o.ty()),
        Type::Result(r) => {
            r.ok().as_ref().is_none_or(carries) && r.err().as_ref().is_none_or(carries)
        }
        _ => true,
    }
}
