//! Placeholders: the made-up value of a WIT type (zero, empty, `none`, the first case
//! that can be made, every record field) and what a function body does with its result.
//!
//! [`value`] walks the type once for every language; a [`Spelling`] says how the
//! language writes each literal. A handle has a value only where the language can make
//! one (an own handle of an exported resource); borrows, imported resources and what
//! `model` refuses have none.

use wit_parser::{Handle, Resolve, Result_, Type, TypeDefKind, TypeId};

use crate::model::dealias;

/// How one language writes the literals of a placeholder.
pub trait Spelling {
    /// `bool`'s placeholder, `false`.
    const FALSE: &'static str;
    /// `char`'s placeholder, `?`.
    const CHAR: &'static str;
    /// `string`'s placeholder, the empty string.
    const STRING: &'static str;
    /// An `option`'s placeholder, none.
    const NONE: &'static str;

    /// Zero of the numeric type `t`: `0`, or `0.0` for a float.
    fn zero(t: &Type) -> &'static str {
        match t {
            Type::F32 | Type::F64 => "0.0",
            _ => "0",
        }
    }

    /// An empty list of `element`s.
    fn list(element: &Type) -> String;

    /// A `result`'s `ok`, with its payload if it has one.
    fn ok(payload: Option<&str>) -> String;

    /// A tuple of `items`: `(a, b)`, and `(a,)` for one.
    fn tuple(items: &[String]) -> String {
        match items {
            [item] => format!("({item},)"),
            _ => format!("({})", items.join(", ")),
        }
    }

    /// How a value of the named type `real` (which `written` aliases, or is) is named,
    /// asked before its contents are made: Rust's `alias::Name`, Python's `module.Name`.
    /// Empty for a language whose literals carry no type name.
    fn name(&mut self, _written: TypeId, _real: TypeId) -> Option<String> {
        Some(String::new())
    }

    /// A record field: its WIT name and value.
    fn field(name: &str, value: &str) -> String;

    /// A record of type `name` with `fields`, each spelled by [`Spelling::field`] and
    /// joined by `, `.
    fn record(name: &str, fields: &str) -> String;

    /// Flags of type `name`, none set.
    fn flags(name: &str) -> String;

    /// `case` of the enum `name`.
    fn enum_case(name: &str, case: &str) -> String;

    /// `case` of the variant `name`, with its payload if it has one.
    fn variant_case(name: &str, case: &str, payload: Option<&str>) -> String;

    /// An own handle of `resource` (as written), if the language can make one.
    fn own(&mut self, resource: TypeId) -> Option<String>;

    /// The value of `result`, whose `ok` payload has no placeholder: none, unless the
    /// language falls back to the `err`.
    fn without_ok(&mut self, _result: &Result_) -> Option<String> {
        None
    }
}

/// The placeholder of type `t` in `L`'s spelling, `None` when there is none to make up.
pub fn value<L: Spelling>(resolve: &Resolve, lang: &mut L, t: &Type) -> Option<String> {
    Some(match t {
        Type::Bool => L::FALSE.into(),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => L::zero(t).into(),
        Type::S8 | Type::S16 | Type::S32 | Type::S64 => L::zero(t).into(),
        Type::F32 | Type::F64 => L::zero(t).into(),
        Type::Char => L::CHAR.into(),
        Type::String => L::STRING.into(),
        Type::ErrorContext => return None,
        Type::Id(id) => return value_id(resolve, lang, *id),
    })
}

fn value_id<L: Spelling>(resolve: &Resolve, lang: &mut L, id: TypeId) -> Option<String> {
    let real = dealias(resolve, id);
    Some(match &resolve.types[real].kind {
        TypeDefKind::Record(r) => {
            let name = lang.name(id, real)?;
            let mut fields = Vec::new();
            for f in &r.fields {
                fields.push(L::field(&f.name, &value(resolve, lang, &f.ty)?));
            }
            L::record(&name, &fields.join(", "))
        }
        TypeDefKind::Flags(_) => L::flags(&lang.name(id, real)?),
        TypeDefKind::Enum(e) => {
            let name = lang.name(id, real)?;
            L::enum_case(&name, &e.cases.first()?.name)
        }
        TypeDefKind::Variant(v) => {
            let name = lang.name(id, real)?;
            v.cases.iter().find_map(|c| match &c.ty {
                None => Some(L::variant_case(&name, &c.name, None)),
                Some(t) => {
                    value(resolve, lang, t).map(|p| L::variant_case(&name, &c.name, Some(&p)))
                }
            })?
        }
        TypeDefKind::Option(_) => L::NONE.into(),
        TypeDefKind::List(t) => L::list(t),
        TypeDefKind::Result(r) => match &r.ok {
            None => L::ok(None),
            Some(t) => match value(resolve, lang, t) {
                Some(v) => L::ok(Some(&v)),
                None => lang.without_ok(r)?,
            },
        },
        TypeDefKind::Tuple(t) => {
            let mut items = Vec::new();
            for ty in &t.types {
                items.push(value(resolve, lang, ty)?);
            }
            L::tuple(&items)
        }
        TypeDefKind::Handle(Handle::Own(r)) => lang.own(*r)?,
        TypeDefKind::Type(t) => return value(resolve, lang, t),
        TypeDefKind::Handle(Handle::Borrow(_))
        | TypeDefKind::Resource
        | TypeDefKind::Map(..)
        | TypeDefKind::FixedLengthList(..)
        | TypeDefKind::Future(_)
        | TypeDefKind::Stream(_)
        | TypeDefKind::Unknown => return None,
    })
}

/// What a placeholder body does with a function's result, where the language returns
/// the `ok` value and raises (or throws) the `err` one.
#[derive(Debug, PartialEq, Eq)]
pub enum Body {
    /// Return this value.
    Return(String),
    /// Raise (throw) this error value.
    Raise(String),
    /// Fail as not implemented: nothing of the type can be made up.
    Unimplemented,
}

/// The body for a function returning `result`. A `string` is `message` (a string
/// literal saying where to write the code), and a `result` is always its error: that
/// `message` when the error is a `string` or has no payload.
pub fn body<L: Spelling>(resolve: &Resolve, lang: &mut L, result: &Type, message: &str) -> Body {
    if let Type::String = result {
        return Body::Return(message.to_string());
    }
    if let Type::Id(id) = result
        && let TypeDefKind::Result(r) = &resolve.types[dealias(resolve, *id)].kind
    {
        return match &r.err {
            None | Some(Type::String) => Body::Raise(message.to_string()),
            Some(e) => value(resolve, lang, e).map_or(Body::Unimplemented, Body::Raise),
        };
    }
    value(resolve, lang, result).map_or(Body::Unimplemented, Body::Return)
}
