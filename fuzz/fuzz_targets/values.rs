//! WAVE and JSON arguments against arbitrary WIT types.
//!
//! The fuzzer builds a WIT type (records, variants, enums, flags, lists, tuples, options,
//! results and every scalar, nested; names that clash with WAVE keywords included),
//! compiles a component that imports a function taking it, and reads the parameter's type
//! back from wasmtime. Then either
//! - it parses arbitrary text as WAVE and as JSON: no panic, and a value that parses is
//!   checked against the type and printed and parsed again to the same text; or
//! - it builds an arbitrary value of the type: printed as WAVE and as JSON, each reads
//!   back to the value it was made from.
#![no_main]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use weft_runtime::values::{self, HandleLookup, Path};
use weft_runtime::wasmtime::component::types::ComponentItem;
use weft_runtime::wasmtime::component::{Component, Type, Val};
use weft_runtime::wasmtime::{Config, Engine};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(wit) = WitType::arbitrary(&mut u, 0) else {
        return;
    };
    let ty = param_type(&wit);
    match u.arbitrary::<bool>() {
        Ok(true) => parse_text(&ty, u.take_rest()),
        _ => {
            if let Ok(val) = arbitrary_val(&mut u, &ty) {
                round_trip(&ty, &val);
            }
        }
    }
});

/// No value names a handle: the types built here hold no resources.
fn no_handles() -> &'static HandleLookup<'static> {
    &|name, _| Err(format!("no handle `{name}`"))
}

fn parse_text(ty: &Type, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let path = Path::root("x");
    if let Ok(val) = values::wave::parse_value(text, ty, &path, no_handles()) {
        values::check::check(&val, ty, &path).expect("a parsed WAVE value has its type");
        let printed = wave(&val);
        let again = values::wave::parse_value(&printed, ty, &path, no_handles())
            .unwrap_or_else(|e| panic!("printed WAVE `{printed}` does not read back: {e}"));
        assert_eq!(wave(&again), printed, "WAVE of `{text}`");
    }
    if let Ok(json) = values::json::parse_strict(text)
        && let Ok(val) = values::json::from_json(&json, ty, &path, no_handles())
    {
        values::check::check(&val, ty, &path).expect("a parsed JSON value has its type");
        let printed = to_json(&val);
        let again = values::json::from_json(&printed, ty, &path, no_handles())
            .unwrap_or_else(|e| panic!("printed JSON `{printed}` does not read back: {e}"));
        assert_eq!(to_json(&again), printed, "JSON of `{text}`");
    }
}

fn round_trip(ty: &Type, val: &Val) {
    let path = Path::root("x");
    let text = wave(val);
    let from_wave = values::wave::parse_value(&text, ty, &path, no_handles())
        .unwrap_or_else(|e| panic!("WAVE `{text}` of {val:?} does not read back: {e}"));
    assert_eq!(wave(&from_wave), text, "WAVE round trip of {val:?}");
    let json = to_json(val);
    let from_json = values::json::from_json(&json, ty, &path, no_handles())
        .unwrap_or_else(|e| panic!("JSON `{json}` of {val:?} does not read back: {e}"));
    assert_eq!(to_json(&from_json), json, "JSON round trip of {val:?}");
    // NaN payloads aside, the text forms say everything a value holds.
    assert_eq!(wave(&from_json), text, "JSON and WAVE agree on {val:?}");
}

fn wave(val: &Val) -> String {
    values::wave::to_wave(val, &mut |_| unreachable!("no resources"))
}

fn to_json(val: &Val) -> serde_json::Value {
    values::json::to_json(val, &mut |_| unreachable!("no resources"))
}

/// The type of `f`'s one parameter in a component that imports `f: func(x: wit)`.
/// Compiling the component is most of an execution's time, and the fuzzer mutates values
/// far more often than types: the types are kept by their text.
fn param_type(wit: &WitType) -> Type {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    static TYPES: OnceLock<Mutex<HashMap<String, Type>>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::new(&Config::new()).expect("an engine"));
    let mut wat = Wat::default();
    let param = wat.reference(wit);
    let text = format!(
        "(component {} (import \"f\" (func (param \"x\" {param}))))",
        wat.defs
    );
    let mut types = TYPES.get_or_init(Default::default).lock().unwrap();
    if let Some(ty) = types.get(&text) {
        return ty.clone();
    }
    if types.len() >= 10_000 {
        types.clear();
    }
    let ty = compile_param_type(engine, &text);
    types.insert(text, ty.clone());
    ty
}

fn compile_param_type(engine: &Engine, text: &str) -> Type {
    let component = Component::new(engine, text)
        .unwrap_or_else(|e| panic!("the generated component is invalid: {e:?}\n{text}"));
    let ty = component.component_type();
    let (_, item) = ty
        .imports(engine)
        .find(|(name, _)| *name == "f")
        .expect("f is imported");
    let ComponentItem::ComponentFunc(func) = item.ty else {
        panic!("f is not a function")
    };
    let (_, param) = func.params().next().expect("f takes x");
    param
}

/// A WIT value type, as the fuzzer chose it.
#[derive(Debug)]
enum WitType {
    Scalar(&'static str),
    List(Box<WitType>),
    Tuple(Vec<WitType>),
    Option(Box<WitType>),
    Result(Option<Box<WitType>>, Option<Box<WitType>>),
    Record(Vec<(String, WitType)>),
    Variant(Vec<(String, Option<WitType>)>),
    Enum(Vec<String>),
    Flags(Vec<String>),
}

const SCALARS: &[&str] = &[
    "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
    "string",
];

/// Labels, the WAVE keywords among them (which WAVE writes with a `%` prefix).
const LABELS: &[&str] = &[
    "a", "b", "x-y", "some", "none", "ok", "err", "true", "false", "inf", "nan", "long-label-name",
    "a1",
];

const MAX_DEPTH: usize = 4;

impl WitType {
    fn arbitrary(u: &mut Unstructured<'_>, depth: usize) -> Result<WitType> {
        let kinds = if depth >= MAX_DEPTH { 1 } else { 10 };
        Ok(match u.choose_index(kinds)? {
            0 | 1 => WitType::Scalar(u.choose(SCALARS)?),
            2 => WitType::List(Box::new(Self::arbitrary(u, depth + 1)?)),
            3 => WitType::Tuple(Self::several(u, depth)?),
            4 => WitType::Option(Box::new(Self::arbitrary(u, depth + 1)?)),
            5 => WitType::Result(Self::maybe(u, depth)?, Self::maybe(u, depth)?),
            6 => WitType::Record(
                labels(u)?
                    .into_iter()
                    .map(|l| Ok((l, Self::arbitrary(u, depth + 1)?)))
                    .collect::<Result<_>>()?,
            ),
            7 => WitType::Variant(
                labels(u)?
                    .into_iter()
                    .map(|l| Ok((l, Self::maybe(u, depth)?.map(|t| *t))))
                    .collect::<Result<_>>()?,
            ),
            8 => WitType::Enum(labels(u)?),
            _ => WitType::Flags(labels(u)?),
        })
    }

    fn several(u: &mut Unstructured<'_>, depth: usize) -> Result<Vec<WitType>> {
        let n = 1 + u.choose_index(4)?;
        (0..n).map(|_| Self::arbitrary(u, depth + 1)).collect()
    }

    fn maybe(u: &mut Unstructured<'_>, depth: usize) -> Result<Option<Box<WitType>>> {
        Ok(if u.arbitrary()? {
            Some(Box::new(Self::arbitrary(u, depth + 1)?))
        } else {
            None
        })
    }
}

/// One to five distinct labels.
fn labels(u: &mut Unstructured<'_>) -> Result<Vec<String>> {
    let n = 1 + u.choose_index(5)?;
    let mut out: Vec<String> = Vec::new();
    for i in 0..n {
        let label = u.choose(LABELS)?;
        out.push(if out.iter().any(|l| l == label) {
            format!("{label}-n{i}")
        } else {
            label.to_string()
        });
    }
    Ok(out)
}

/// A component's type definitions under construction: records, variants, enums and flags
/// are defined and imported under a name, as a component's signatures require.
#[derive(Default)]
struct Wat {
    defs: String,
    count: usize,
}

impl Wat {
    /// How a parameter or a field refers to `ty`, defining it first if it is named.
    fn reference(&mut self, ty: &WitType) -> String {
        let body = match ty {
            WitType::Scalar(name) => return name.to_string(),
            WitType::List(t) => return format!("(list {})", self.reference(t)),
            WitType::Tuple(ts) => {
                let items: Vec<_> = ts.iter().map(|t| self.reference(t)).collect();
                return format!("(tuple {})", items.join(" "));
            }
            WitType::Option(t) => return format!("(option {})", self.reference(t)),
            WitType::Result(ok, err) => {
                let ok = ok.as_ref().map(|t| self.reference(t)).unwrap_or_default();
                let err = err
                    .as_ref()
                    .map(|t| format!("(error {})", self.reference(t)))
                    .unwrap_or_default();
                return format!("(result {ok} {err})");
            }
            WitType::Record(fields) => {
                let fields: Vec<_> = fields
                    .iter()
                    .map(|(l, t)| format!("(field \"{l}\" {})", self.reference(t)))
                    .collect();
                format!("(record {})", fields.join(" "))
            }
            WitType::Variant(cases) => {
                let cases: Vec<_> = cases
                    .iter()
                    .map(|(l, t)| match t {
                        Some(t) => format!("(case \"{l}\" {})", self.reference(t)),
                        None => format!("(case \"{l}\")"),
                    })
                    .collect();
                format!("(variant {})", cases.join(" "))
            }
            WitType::Enum(names) => format!("(enum {})", quoted(names)),
            WitType::Flags(names) => format!("(flags {})", quoted(names)),
        };
        let n = self.count;
        self.count += 1;
        self.defs += &format!("(type $d{n} {body}) (import \"t{n}\" (type $t{n} (eq $d{n}))) ");
        format!("$t{n}")
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An arbitrary value of `ty`.
fn arbitrary_val(u: &mut Unstructured<'_>, ty: &Type) -> Result<Val> {
    Ok(match ty {
        Type::Bool => Val::Bool(u.arbitrary()?),
        Type::S8 => Val::S8(u.arbitrary()?),
        Type::U8 => Val::U8(u.arbitrary()?),
        Type::S16 => Val::S16(u.arbitrary()?),
        Type::U16 => Val::U16(u.arbitrary()?),
        Type::S32 => Val::S32(u.arbitrary()?),
        Type::U32 => Val::U32(u.arbitrary()?),
        Type::S64 => Val::S64(u.arbitrary()?),
        Type::U64 => Val::U64(u.arbitrary()?),
        Type::Float32 => Val::Float32(u.arbitrary()?),
        Type::Float64 => Val::Float64(u.arbitrary()?),
        Type::Char => Val::Char(u.arbitrary()?),
        Type::String => Val::String(u.arbitrary()?),
        Type::List(list) => {
            let n = u.choose_index(5)?;
            let item = list.ty();
            Val::List((0..n).map(|_| arbitrary_val(u, &item)).collect::<Result<_>>()?)
        }
        Type::Tuple(tuple) => Val::Tuple(
            tuple
                .types()
                .map(|t| arbitrary_val(u, &t))
                .collect::<Result<_>>()?,
        ),
        Type::Option(option) => Val::Option(if u.arbitrary()? {
            Some(Box::new(arbitrary_val(u, &option.ty())?))
        } else {
            None
        }),
        Type::Result(result) => {
            let side = |u: &mut Unstructured<'_>, t: Option<Type>| -> Result<Option<Box<Val>>> {
                t.map(|t| arbitrary_val(u, &t).map(Box::new)).transpose()
            };
            Val::Result(if u.arbitrary()? {
                Ok(side(u, result.ok())?)
            } else {
                Err(side(u, result.err())?)
            })
        }
        Type::Record(record) => Val::Record(
            record
                .fields()
                .map(|f| Ok((f.name.to_string(), arbitrary_val(u, &f.ty)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Variant(variant) => {
            let cases: Vec<_> = variant.cases().collect();
            let case = &cases[u.choose_index(cases.len())?];
            let payload = case.ty.as_ref().map(|t| arbitrary_val(u, t)).transpose()?;
            Val::Variant(case.name.to_string(), payload.map(Box::new))
        }
        Type::Enum(e) => {
            let names: Vec<_> = e.names().collect();
            Val::Enum(u.choose(&names)?.to_string())
        }
        Type::Flags(flags) => Val::Flags(
            flags
                .names()
                .filter_map(|n| match u.arbitrary::<bool>() {
                    Ok(true) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
        ),
        other => unreachable!("the fuzzer builds no {other:?}"),
    })
}
