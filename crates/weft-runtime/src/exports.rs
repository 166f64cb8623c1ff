//! The catalog of a component's exported functions and resources, and how a
//! user's name for an export (`greet`, `greeting#greet`,
//! `example:greeter/greeting@1.0.0#greet`, `counter.increment`) resolves to one.

use std::collections::HashMap;
use std::fmt::Write;

use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, ComponentExportIndex, ResourceType};

use crate::values::describe::describe_named;
use weft_wit::closest;

/// What kind of function an export is, from its name in the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuncKind {
    /// A plain function.
    Plain,
    /// `[constructor]R`.
    Constructor {
        /// The resource.
        resource: String,
    },
    /// `[method]R.m`: the first parameter is `borrow<R>`.
    Method {
        /// The resource.
        resource: String,
        /// The method name.
        method: String,
    },
    /// `[static]R.m`.
    Static {
        /// The resource.
        resource: String,
        /// The function name.
        method: String,
    },
}

impl FuncKind {
    /// The name a user types for the function `name` of this kind: `greet`, `counter`
    /// (a constructor), `counter.get`.
    pub fn short_name(&self, name: &str) -> String {
        match self {
            FuncKind::Plain => name.to_string(),
            FuncKind::Constructor { resource } => resource.clone(),
            FuncKind::Method { resource, method } | FuncKind::Static { resource, method } => {
                format!("{resource}.{method}")
            }
        }
    }

    /// The kind of a function named `name` in a component (`[method]counter.get`).
    pub fn parse(name: &str) -> FuncKind {
        let split = |rest: &str| {
            let (r, m) = rest.split_once('.').unwrap_or((rest, ""));
            (r.to_string(), m.to_string())
        };
        if let Some(resource) = name.strip_prefix("[constructor]") {
            FuncKind::Constructor {
                resource: resource.to_string(),
            }
        } else if let Some(rest) = name.strip_prefix("[method]") {
            let (resource, method) = split(rest);
            FuncKind::Method { resource, method }
        } else if let Some(rest) = name.strip_prefix("[static]") {
            let (resource, method) = split(rest);
            FuncKind::Static { resource, method }
        } else {
            FuncKind::Plain
        }
    }
}

/// One exported function.
#[derive(Debug, Clone)]
pub struct ExportFunc {
    /// The exported interface it belongs to (`example:greeter/greeting@1.0.0`), or
    /// `None` for a function exported directly by the world.
    pub interface: Option<String>,
    /// Its name inside the interface, as the component names it (`[method]counter.get`).
    pub name: String,
    /// What kind of function it is.
    pub kind: FuncKind,
    /// How to find it in an instance.
    pub index: ComponentExportIndex,
    /// Its type.
    pub ty: ComponentFunc,
    /// Which instance of a linked application exports it (0 for a lone component).
    pub member: usize,
    /// Whether its parameters or results hold streams or futures, so that calls to it
    /// run in the store's event loop (found once, not on every call).
    pub moves_streams: bool,
}

/// Whether a function of type `ty` moves streams or futures.
fn moves_streams(ty: &ComponentFunc) -> bool {
    use crate::streams::type_contains_stream_or_future as holds;
    ty.params().any(|(_, t)| holds(&t)) || ty.results().any(|t| holds(&t))
}

impl ExportFunc {
    /// The short name a user types: `greet`, `counter` (constructor), `counter.get`.
    pub fn short_name(&self) -> String {
        self.kind.short_name(&self.name)
    }

    /// The fully qualified name: `example:greeter/greeting@1.0.0#greet`.
    pub fn qualified_name(&self) -> String {
        match &self.interface {
            Some(interface) => format!("{interface}#{}", self.short_name()),
            None => self.short_name(),
        }
    }

    /// A WIT-like signature, e.g. `greet: func(person: record { ... }) -> string`;
    /// resources in `resources` are named.
    pub fn signature_with(&self, resources: &[(ResourceType, String)]) -> String {
        let mut s = format!("{}: ", self.short_name());
        let func = if self.ty.async_() {
            "async func("
        } else {
            "func("
        };
        match &self.kind {
            FuncKind::Constructor { .. } => s.push_str("constructor("),
            FuncKind::Static { .. } => {
                s.push_str("static ");
                s.push_str(func);
            }
            _ => s.push_str(func),
        }
        let skip = usize::from(matches!(self.kind, FuncKind::Method { .. }));
        for (i, (name, ty)) in self.ty.params().skip(skip).enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "{name}: {}", describe_named(&ty, resources));
        }
        s.push(')');
        if !matches!(self.kind, FuncKind::Constructor { .. })
            && let Some(result) = self.ty.results().next()
        {
            let _ = write!(s, " -> {}", describe_named(&result, resources));
        }
        s
    }

    /// Is it exported by an interface answering to `interface` (any, when `None`)?
    fn in_interface(&self, interface: Option<&str>) -> bool {
        match (interface, &self.interface) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(q), Some(full)) => interface_matches(full, q),
        }
    }
}

/// Does the interface name `full` (`ns:pkg/iface@1.0.0`) answer to `query`?
/// Accepted: the full name, the name without version, or the bare interface name.
pub fn interface_matches(full: &str, query: &str) -> bool {
    let unversioned = full.split_once('@').map_or(full, |(n, _)| n);
    let bare = unversioned.rsplit_once('/').map_or(unversioned, |(_, n)| n);
    query == full || query == unversioned || query == bare
}

/// One exported resource type.
#[derive(Debug, Clone)]
pub struct ExportResource {
    /// The interface exporting it, or `None` at the world level.
    pub interface: Option<String>,
    /// The resource's name.
    pub name: String,
    /// How to find it in an instance.
    pub index: ComponentExportIndex,
    /// Which instance of a linked application exports it (0 for a lone component).
    pub member: usize,
}

/// Why an export name did not resolve.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ResolveError {
    /// Nothing has that name.
    #[error("no export named `{query}`{}\n{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(), listing(available))]
    Unknown {
        /// What was asked for.
        query: String,
        /// The closest name that exists.
        suggestion: Option<String>,
        /// Every export with its signature.
        available: Vec<String>,
    },
    /// Several exports answer to the name.
    #[error("`{query}` is ambiguous; name one of:\n{}", listing(candidates))]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// The fully qualified names that match.
        candidates: Vec<String>,
    },
}

fn listing(items: &[String]) -> String {
    if items.is_empty() {
        return "the component exports no functions".to_string();
    }
    let mut s = String::from("exports:");
    for item in items {
        let _ = write!(s, "\n  {item}");
    }
    s
}

/// All exported functions and resources of a component.
#[derive(Debug, Clone, Default)]
pub struct ExportCatalog {
    funcs: Vec<ExportFunc>,
    resources: Vec<ExportResource>,
    resource_names: Vec<(ResourceType, String)>,
    /// Indices into `funcs` by every name a function answers to (its component name and
    /// its short name), so resolving a call does not scan every export.
    by_name: HashMap<String, Vec<usize>>,
}

impl ExportCatalog {
    /// Reads the exports of `component` (types only; nothing is instantiated).
    pub fn new(engine: &Engine, component: &Component) -> ExportCatalog {
        let mut catalog = ExportCatalog::default();
        for (name, item) in component.component_type().exports(engine) {
            let Some(index) = component.get_export_index(None, name) else {
                continue;
            };
            match item.ty {
                ComponentItem::ComponentFunc(ty) => catalog.funcs.push(ExportFunc {
                    interface: None,
                    kind: FuncKind::parse(name),
                    name: name.to_string(),
                    index,
                    moves_streams: moves_streams(&ty),
                    ty,
                    member: 0,
                }),
                ComponentItem::Resource(ty) => {
                    catalog.resource_names.push((ty, name.to_string()));
                    catalog.resources.push(ExportResource {
                        interface: None,
                        name: name.to_string(),
                        index,
                        member: 0,
                    });
                }
                ComponentItem::ComponentInstance(instance) => {
                    for (item_name, item) in instance.exports(engine) {
                        let Some(item_index) = component.get_export_index(Some(&index), item_name)
                        else {
                            continue;
                        };
                        match item.ty {
                            ComponentItem::ComponentFunc(ty) => catalog.funcs.push(ExportFunc {
                                interface: Some(name.to_string()),
                                kind: FuncKind::parse(item_name),
                                name: item_name.to_string(),
                                index: item_index,
                                moves_streams: moves_streams(&ty),
                                ty,
                                member: 0,
                            }),
                            ComponentItem::Resource(ty) => {
                                catalog.resource_names.push((ty, item_name.to_string()));
                                catalog.resources.push(ExportResource {
                                    interface: Some(name.to_string()),
                                    name: item_name.to_string(),
                                    index: item_index,
                                    member: 0,
                                });
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        catalog.index_names();
        catalog
    }

    /// The catalog of a linked application: for each member (in order, numbered from
    /// 0), the items of its catalog under the top-level export names it exposes
    /// (`example:greeter/greeting@1.0.0`, or a function's name).
    pub fn merge<'a>(
        members: impl IntoIterator<Item = (&'a ExportCatalog, &'a [String])>,
    ) -> ExportCatalog {
        let mut merged = ExportCatalog::default();
        for (member, (catalog, exposed)) in members.into_iter().enumerate() {
            let keeps = |interface: &Option<String>, name: &str| {
                let top = interface.as_deref().unwrap_or(name);
                exposed.iter().any(|e| e == top)
            };
            merged.funcs.extend(
                catalog
                    .funcs
                    .iter()
                    .filter(|f| keeps(&f.interface, &f.name))
                    .map(|f| ExportFunc {
                        member,
                        ..f.clone()
                    }),
            );
            merged.resources.extend(
                catalog
                    .resources
                    .iter()
                    .filter(|r| keeps(&r.interface, &r.name))
                    .map(|r| ExportResource {
                        member,
                        ..r.clone()
                    }),
            );
            merged
                .resource_names
                .extend(catalog.resource_names.iter().cloned());
        }
        merged.index_names();
        merged
    }

    /// Indexes every function by its component name and its short name.
    fn index_names(&mut self) {
        for (i, func) in self.funcs.iter().enumerate() {
            self.by_name.entry(func.name.clone()).or_default().push(i);
            let short = func.short_name();
            if short != func.name {
                self.by_name.entry(short).or_default().push(i);
            }
        }
    }

    /// Every exported function.
    pub fn funcs(&self) -> &[ExportFunc] {
        &self.funcs
    }

    /// Every exported resource type.
    pub fn resources(&self) -> &[ExportResource] {
        &self.resources
    }

    /// The name of an exported resource type (a component-level type, as in
    /// [`ExportFunc::ty`]).
    pub fn resource_name(&self, ty: &ResourceType) -> Option<&str> {
        self.resource_names
            .iter()
            .find(|(t, _)| t == ty)
            .map(|(_, n)| n.as_str())
    }

    /// Finds the function a user means by `query`.
    pub fn resolve(&self, query: &str) -> Result<&ExportFunc, ResolveError> {
        let (interface, item) = match query.rsplit_once('#') {
            Some((i, f)) => (Some(i), f),
            None => (None, query),
        };
        let mut found = self.named(interface, item);
        // `greeting.greet` is WAVE's (and wasmtime's) way to write `greeting#greet`.
        if found.is_empty()
            && interface.is_none()
            && let Some((i, f)) = query.split_once('.')
        {
            found = self.named(Some(i), f);
        }
        // A plain function wins over a constructor of the same name.
        if found.len() > 1 && found.iter().any(|f| f.kind == FuncKind::Plain) {
            found.retain(|f| f.kind == FuncKind::Plain);
        }
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(ResolveError::Unknown {
                query: query.to_string(),
                suggestion: {
                    let names: Vec<String> =
                        self.funcs.iter().map(ExportFunc::short_name).collect();
                    closest(item, names.iter().map(String::as_str)).map(str::to_string)
                },
                available: self.signatures(),
            }),
            many => Err(ResolveError::Ambiguous {
                query: query.to_string(),
                candidates: many.iter().map(|f| f.qualified_name()).collect(),
            }),
        }
    }

    /// The functions answering to `item`, inside an interface answering to `interface`
    /// when one is given.
    fn named(&self, interface: Option<&str>, item: &str) -> Vec<&ExportFunc> {
        self.by_name.get(item).map_or_else(Vec::new, |indices| {
            indices
                .iter()
                .map(|&i| &self.funcs[i])
                .filter(|f| f.in_interface(interface))
                .collect()
        })
    }

    /// The signature of `func`, with this component's resource names.
    pub fn signature(&self, func: &ExportFunc) -> String {
        func.signature_with(&self.resource_names)
    }

    /// `interface#signature` for every function, for listings.
    pub fn signatures(&self) -> Vec<String> {
        self.funcs
            .iter()
            .map(|f| match &f.interface {
                Some(i) => format!("{i}#{}", self.signature(f)),
                None => self.signature(f),
            })
            .collect()
    }
}
