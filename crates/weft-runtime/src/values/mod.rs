//! Dynamic values: WIT values as text (WAVE) and JSON, both ways, driven by the
//! type of the export being called.
//!
//! Parsing WAVE is wasm-wave's job; this module walks its syntax tree against the
//! expected type so that errors can name the path of the bad value, and so that
//! resource handles (which WAVE cannot express) can be named by the session.

pub mod check;
pub mod describe;
pub mod json;
pub mod wave;

use std::fmt;

use wasmtime::component::{ResourceAny, Type, Val};

pub use describe::describe;

/// A value that does not fit the type it is given for.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError {
    /// Where the value sits, e.g. `person.title` or `pixels[3].r`.
    pub path: String,
    /// The expected WIT type.
    pub expected: String,
    /// What was found instead.
    pub found: String,
    /// How to fix it, when there is something specific to say.
    pub hint: Option<String>,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "value at `{}` does not fit its type: expected {}, found {}",
            self.path, self.expected, self.found
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValueError {}

impl ValueError {
    pub(crate) fn new(path: &Path, ty: &Type, found: impl Into<String>) -> Self {
        ValueError {
            path: path.to_string(),
            expected: describe(ty),
            found: found.into(),
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Resolves a handle name written in a value to the live resource it names.
///
/// Given the handle's name and the expected `own`/`borrow` type, returns the value
/// or a message saying why the name does not fit.
pub type HandleLookup<'a> = dyn Fn(&str, &Type) -> Result<Val, String> + 'a;

/// Gives a name to a resource that a call returned, so text and JSON can refer to it.
pub type HandleNamer<'a> = dyn FnMut(&ResourceAny) -> String + 'a;

/// The path of a value inside an argument list, built up while walking it.
#[derive(Debug, Clone, Default)]
pub struct Path(String);

impl Path {
    /// A path rooted at a parameter name.
    pub fn root(name: &str) -> Self {
        Path(name.to_string())
    }

    pub(crate) fn field(&self, name: &str) -> Self {
        Path(format!("{}.{name}", self.0))
    }

    pub(crate) fn index(&self, i: usize) -> Self {
        Path(format!("{}[{i}]", self.0))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Does a value of type `ty` hold a resource handle anywhere (an `own` or a `borrow`)?
pub fn type_contains_resource(ty: &Type) -> bool {
    match ty {
        Type::Own(_) | Type::Borrow(_) => true,
        Type::List(l) => type_contains_resource(&l.ty()),
        Type::Record(r) => r.fields().any(|f| type_contains_resource(&f.ty)),
        Type::Tuple(t) => t.types().any(|t| type_contains_resource(&t)),
        Type::Variant(v) => v
            .cases()
            .any(|c| c.ty.as_ref().is_some_and(type_contains_resource)),
        Type::Option(o) => type_contains_resource(&o.ty()),
        Type::Result(r) => {
            r.ok().as_ref().is_some_and(type_contains_resource)
                || r.err().as_ref().is_some_and(type_contains_resource)
        }
        _ => false,
    }
}

/// Does this value hold a resource handle anywhere inside?
pub fn val_contains_resource(val: &Val) -> bool {
    match val {
        Val::Resource(_) => true,
        Val::List(v) | Val::Tuple(v) | Val::FixedLengthList(v) => {
            v.iter().any(val_contains_resource)
        }
        Val::Map(m) => m
            .iter()
            .any(|(k, v)| val_contains_resource(k) || val_contains_resource(v)),
        Val::Record(fields) => fields.iter().any(|(_, v)| val_contains_resource(v)),
        Val::Variant(_, Some(v)) | Val::Option(Some(v)) => val_contains_resource(v),
        Val::Result(Ok(Some(v)) | Err(Some(v))) => val_contains_resource(v),
        _ => false,
    }
}

/// Visits every resource handle inside `val`.
pub fn for_each_resource(val: &Val, f: &mut dyn FnMut(&ResourceAny)) {
    match val {
        Val::Resource(r) => f(r),
        Val::List(v) | Val::Tuple(v) | Val::FixedLengthList(v) => {
            v.iter().for_each(|v| for_each_resource(v, f))
        }
        Val::Map(m) => m.iter().for_each(|(k, v)| {
            for_each_resource(k, f);
            for_each_resource(v, f);
        }),
        Val::Record(fields) => fields.iter().for_each(|(_, v)| for_each_resource(v, f)),
        Val::Variant(_, Some(v)) | Val::Option(Some(v)) => for_each_resource(v, f),
        Val::Result(Ok(Some(v)) | Err(Some(v))) => for_each_resource(v, f),
        _ => {}
    }
}

/// Replaces every resource handle inside `val` with what `f` makes of it.
pub(crate) fn map_resources(
    val: &mut Val,
    f: &mut dyn FnMut(ResourceAny) -> wasmtime::Result<ResourceAny>,
) -> wasmtime::Result<()> {
    match val {
        Val::Resource(r) => *r = f(*r)?,
        Val::List(v) | Val::Tuple(v) | Val::FixedLengthList(v) => {
            for v in v {
                map_resources(v, f)?;
            }
        }
        Val::Map(m) => {
            for (k, v) in m {
                map_resources(k, f)?;
                map_resources(v, f)?;
            }
        }
        Val::Record(fields) => {
            for (_, v) in fields {
                map_resources(v, f)?;
            }
        }
        Val::Variant(_, Some(v)) | Val::Option(Some(v)) => map_resources(v, f)?,
        Val::Result(Ok(Some(v)) | Err(Some(v))) => map_resources(v, f)?,
        _ => {}
    }
    Ok(())
}

/// How many of `params` a call must give: trailing `option` parameters may be left out,
/// as in WAVE.
pub fn required_args(params: &[(String, Type)]) -> usize {
    params.len()
        - params
            .iter()
            .rev()
            .take_while(|(_, t)| matches!(t, Type::Option(_)))
            .count()
}
