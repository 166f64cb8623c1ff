//! What a world asks a guest to implement, in the shape every language generator walks:
//! the world's own exported functions, then each exported interface with its functions
//! and resources (constructor, methods, statics).
//!
//! It is also where what no generator supports yet is refused, once for all languages:
//! async functions, and streams, futures, maps and fixed-length lists in an export's
//! signature.

use std::collections::HashSet;

use wit_parser::{
    Function, FunctionKind, InterfaceId, Resolve, Type, TypeDefKind, TypeId, WorldId, WorldItem,
    WorldKey,
};

use crate::error::InitError;

/// The exports of a world.
pub struct Exports<'a> {
    /// Functions exported by the world itself.
    pub functions: Vec<&'a Function>,
    /// Exported interfaces, in the world's order.
    pub interfaces: Vec<ExportedInterface<'a>>,
}

/// One exported interface.
pub struct ExportedInterface<'a> {
    /// Its name in the world.
    pub key: &'a WorldKey,
    /// The interface.
    pub id: InterfaceId,
    /// Its freestanding functions.
    pub functions: Vec<&'a Function>,
    /// Its resources.
    pub resources: Vec<Resource<'a>>,
}

/// An exported resource and its functions.
pub struct Resource<'a> {
    /// The resource type.
    pub id: TypeId,
    /// Its WIT name.
    pub name: &'a str,
    /// `constructor(..)`, if it has one.
    pub constructor: Option<&'a Function>,
    /// Methods (`&self`).
    pub methods: Vec<&'a Function>,
    /// Static functions.
    pub statics: Vec<&'a Function>,
}

impl Exports<'_> {
    /// Every exported resource type.
    pub fn resources(&self) -> HashSet<TypeId> {
        self.interfaces
            .iter()
            .flat_map(|i| i.resources.iter().map(|r| r.id))
            .collect()
    }

    /// Whether the world exports anything at all.
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty() && self.interfaces.is_empty()
    }
}

/// Collects the exports of `world`, refusing what the generators cannot write.
pub fn exports<'a>(
    resolve: &'a Resolve,
    world: WorldId,
    world_name: &str,
    lang: &'static str,
) -> Result<Exports<'a>, InitError> {
    let unsupported = |item: &str, what: &str| InitError::Unsupported {
        world: world_name.to_string(),
        item: item.to_string(),
        what: what.to_string(),
        lang,
    };
    let mut out = Exports {
        functions: Vec::new(),
        interfaces: Vec::new(),
    };
    let mut all: Vec<&Function> = Vec::new();
    for (key, item) in &resolve.worlds[world].exports {
        match item {
            WorldItem::Function(f) => {
                out.functions.push(f);
                all.push(f);
            }
            WorldItem::Interface { id, .. } => {
                let iface = &resolve.interfaces[*id];
                let mut resources: Vec<Resource> = iface
                    .types
                    .iter()
                    .filter(|(_, t)| matches!(resolve.types[**t].kind, TypeDefKind::Resource))
                    .map(|(name, &id)| Resource {
                        id,
                        name,
                        constructor: None,
                        methods: Vec::new(),
                        statics: Vec::new(),
                    })
                    .collect();
                let mut functions = Vec::new();
                for f in iface.functions.values() {
                    all.push(f);
                    match &f.kind {
                        FunctionKind::Freestanding => functions.push(f),
                        FunctionKind::Constructor(r) => {
                            if let Some(r) = resources.iter_mut().find(|x| x.id == *r) {
                                r.constructor = Some(f);
                            }
                        }
                        FunctionKind::Method(r) => {
                            if let Some(r) = resources.iter_mut().find(|x| x.id == *r) {
                                r.methods.push(f);
                            }
                        }
                        FunctionKind::Static(r) => {
                            if let Some(r) = resources.iter_mut().find(|x| x.id == *r) {
                                r.statics.push(f);
                            }
                        }
                        // Refused below, with the other async functions.
                        FunctionKind::AsyncFreestanding
                        | FunctionKind::AsyncMethod(_)
                        | FunctionKind::AsyncStatic(_) => {}
                    }
                }
                out.interfaces.push(ExportedInterface {
                    key,
                    id: *id,
                    functions,
                    resources,
                });
            }
            WorldItem::Type { .. } => {}
        }
    }
    for f in all {
        if f.kind.is_async() {
            return Err(unsupported(&f.name, "an async function"));
        }
        let types = f.params.iter().map(|p| &p.ty).chain(f.result.as_ref());
        for ty in types {
            if let Some(what) = unsupported_in(resolve, ty, &mut HashSet::new()) {
                return Err(unsupported(&f.name, what));
            }
        }
    }
    Ok(out)
}

/// What in `ty` no generator supports, if anything.
fn unsupported_in(
    resolve: &Resolve,
    ty: &Type,
    seen: &mut HashSet<TypeId>,
) -> Option<&'static str> {
    let Type::Id(id) = ty else {
        return match ty {
            Type::ErrorContext => Some("an `error-context`"),
            _ => None,
        };
    };
    if !seen.insert(*id) {
        return None;
    }
    let mut each = |tys: &mut dyn Iterator<Item = &Type>| {
        let mut found = None;
        for t in tys {
            found = found.or_else(|| unsupported_in(resolve, t, seen));
        }
        found
    };
    match &resolve.types[*id].kind {
        TypeDefKind::Future(_) => Some("a `future`"),
        TypeDefKind::Stream(_) => Some("a `stream`"),
        TypeDefKind::Map(..) => Some("a `map`"),
        TypeDefKind::FixedLengthList(..) => Some("a fixed-length list"),
        TypeDefKind::Record(r) => each(&mut r.fields.iter().map(|f| &f.ty)),
        TypeDefKind::Variant(v) => each(&mut v.cases.iter().filter_map(|c| c.ty.as_ref())),
        TypeDefKind::Tuple(t) => each(&mut t.types.iter()),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => {
            each(&mut std::iter::once(t))
        }
        TypeDefKind::Result(r) => each(&mut r.ok.iter().chain(r.err.iter())),
        TypeDefKind::Resource
        | TypeDefKind::Handle(_)
        | TypeDefKind::Flags(_)
        | TypeDefKind::Enum(_)
        | TypeDefKind::Unknown => None,
    }
}

/// The typedef a chain of `type a = b` aliases ends at.
pub fn dealias(resolve: &Resolve, mut id: TypeId) -> TypeId {
    while let TypeDefKind::Type(Type::Id(next)) = resolve.types[id].kind {
        id = next;
    }
    id
}

/// The parameters a caller passes: a method's implicit `self` is left out.
pub fn params(f: &Function) -> &[wit_parser::Param] {
    match f.kind {
        FunctionKind::Method(_) | FunctionKind::AsyncMethod(_) => &f.params[1..],
        _ => &f.params,
    }
}
