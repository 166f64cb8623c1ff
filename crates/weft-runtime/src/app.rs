//! Runtime linking: the components of an application instantiated in one store, each
//! import that another member satisfies forwarding to that member's export.
//!
//! wasmtime has no way to plug one instance's exports into another's imports (its
//! `add_export` request is open; static composition is the upstream answer), so weft
//! links through the host: the consumer's import is a host function that calls the
//! provider's export in the same store. Members share the store, so they share its
//! limits, its WASI context and its resource tables.
//!
//! Resources cannot be handed over as they are: lowering checks a handle's type, and
//! the consumer's import of `db` is not the provider's `db`. Each resource type a
//! member exports gets a host-defined stand-in (a dynamic host resource type); the store
//! keeps a table from stand-in to the real handle. A result holding one of the
//! provider's handles reaches the consumer as a stand-in; a stand-in passed back is
//! replaced by the real handle (moved for `own`, lent for `borrow`); the stand-in's
//! destructor drops the real handle, so the provider's destructor runs when the consumer
//! drops it.

use std::sync::Arc;

use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{
    ComponentExportIndex, Instance, LinkerInstance, ResourceAny, ResourceDynamic, ResourceType, Val,
};
use wasmtime::{AsContextMut, StoreContextMut};

use crate::exports::ExportCatalog;
use crate::imports::Mode;
use crate::link::{LinkError, func_has_resources, func_sig};
use crate::load::LoadedComponent;
use crate::state::HostState;
use crate::values::map_resources;

/// The first id of the dynamic host resource types that stand in for members'
/// resources (`we` in ASCII, to tell them apart in a debugger).
const PROXY_BASE: u32 = 0x7765_0000;

/// An application of several components linked at run time: its members, in the order
/// they are instantiated (providers before their consumers), where each member's imports
/// come from, and which members' exports the application exposes.
///
/// ```no_run
/// use weft_runtime::{App, Capabilities, Imports, Limits, Runtime, RuntimeConfig};
/// let runtime = Runtime::new(RuntimeConfig::default())?;
/// let mut app = App::new("greeter+logger");
/// app.member("logger", runtime.load_file("logger.wasm")?)?;
/// app.member("greeter", runtime.load_file("greeter.wasm")?)?;
/// app.link("greeter", "example:greeter/logging@1.0.0", "logger", "example:greeter/logging@1.0.0")?;
/// app.expose("greeter", "example:greeter/greeting@1.0.0")?;
/// let prepared = runtime.prepare_app(&app, &Imports::new())?;
/// let mut session = prepared.instantiate(Capabilities::default(), Limits::default())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct App {
    name: String,
    members: Vec<Member>,
}

#[derive(Clone)]
struct Member {
    name: String,
    component: LoadedComponent,
    links: Vec<MemberLink>,
    exposes: Vec<String>,
}

/// One import of a member satisfied by an export of an earlier member.
#[derive(Clone)]
struct MemberLink {
    import: String,
    provider: usize,
    export: String,
}

/// A member, import or export an [`App`] was given does not exist or does not fit.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Two members have the same name.
    #[error("the application already has a member named `{0}`")]
    DuplicateMember(String),
    /// No member has that name.
    #[error(
        "the application has no member named `{name}`; its members: {}",
        list(members)
    )]
    UnknownMember {
        /// The name given.
        name: String,
        /// The members that exist.
        members: Vec<String>,
    },
    /// A member imports from one instantiated after it.
    #[error(
        "member `{consumer}` cannot import from `{provider}`, which is added after it; add providers before their consumers"
    )]
    Order {
        /// The importing member.
        consumer: String,
        /// The providing member.
        provider: String,
    },
    /// The member's component has no such import.
    #[error(
        "member `{member}` (`{component}`) has no import `{import}`; its imports: {}",
        list(available)
    )]
    UnknownImport {
        /// The member.
        member: String,
        /// Its component.
        component: String,
        /// The import asked for.
        import: String,
        /// Its imports.
        available: Vec<String>,
    },
    /// The member's component has no such export.
    #[error(
        "member `{member}` (`{component}`) has no export `{export}`; its exports: {}",
        list(available)
    )]
    UnknownExport {
        /// The member.
        member: String,
        /// Its component.
        component: String,
        /// The export asked for.
        export: String,
        /// Its exports.
        available: Vec<String>,
    },
    /// An interface import given a function, or the other way round.
    #[error("import {import} is {import_kind}, but export {export} is {export_kind}")]
    KindMismatch {
        /// The import and its member: `` `logging` of member `greeter` ``.
        import: String,
        /// What it is (`an interface`, `a function`).
        import_kind: &'static str,
        /// The export and its member.
        export: String,
        /// What it is.
        export_kind: &'static str,
    },
    /// The application has no members.
    #[error("the application `{0}` has no members")]
    Empty(String),
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a top-level import or export is, for [`AppError::KindMismatch`].
fn kind_of(item: &ComponentItem) -> &'static str {
    match item {
        ComponentItem::ComponentInstance(_) => "an interface",
        ComponentItem::ComponentFunc(_) => "a function",
        ComponentItem::Resource(_) => "a resource",
        _ => "another kind of item",
    }
}

impl App {
    /// An empty application named `name` (used in messages; usually its manifest's path).
    pub fn new(name: impl Into<String>) -> App {
        App {
            name: name.into(),
            members: Vec::new(),
        }
    }

    /// The application's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a member: an instance of `component`, instantiated after those added before.
    pub fn member(
        &mut self,
        name: impl Into<String>,
        component: LoadedComponent,
    ) -> Result<(), AppError> {
        let name = name.into();
        if self.members.iter().any(|m| m.name == name) {
            return Err(AppError::DuplicateMember(name));
        }
        self.members.push(Member {
            name,
            component,
            links: Vec::new(),
            exposes: Vec::new(),
        });
        Ok(())
    }

    /// The members' names and components, in instantiation order.
    pub fn members(&self) -> impl Iterator<Item = (&str, &LoadedComponent)> {
        self.members.iter().map(|m| (m.name.as_str(), &m.component))
    }

    /// Satisfies the import `import` of member `consumer` (its full name, an interface
    /// or a function) with the export `export` of member `provider`, added before it.
    /// Types are checked when the application is prepared.
    pub fn link(
        &mut self,
        consumer: &str,
        import: &str,
        provider: &str,
        export: &str,
    ) -> Result<(), AppError> {
        let c = self.index(consumer)?;
        let p = self.index(provider)?;
        if p >= c {
            return Err(AppError::Order {
                consumer: consumer.to_string(),
                provider: provider.to_string(),
            });
        }
        let import_item = self.item(c, import, true)?;
        let export_item = self.item(p, export, false)?;
        if kind_of(&import_item) != kind_of(&export_item) {
            return Err(AppError::KindMismatch {
                import: format!("`{import}` of member `{consumer}`"),
                import_kind: kind_of(&import_item),
                export: format!("`{export}` of member `{provider}`"),
                export_kind: kind_of(&export_item),
            });
        }
        self.members[c].links.push(MemberLink {
            import: import.to_string(),
            provider: p,
            export: export.to_string(),
        });
        Ok(())
    }

    /// Exposes the export `export` (an interface or a function) of member `member` as an
    /// export of the application.
    pub fn expose(&mut self, member: &str, export: &str) -> Result<(), AppError> {
        let m = self.index(member)?;
        self.item(m, export, false)?;
        self.members[m].exposes.push(export.to_string());
        Ok(())
    }

    /// Replaces the component of member `member` (a rebuilt one), keeping its links and
    /// exposed exports: the new component must still have every import linked and every
    /// export used or exposed (types are checked when the application is prepared). On
    /// an error the member keeps its component.
    pub fn replace(&mut self, member: &str, component: LoadedComponent) -> Result<(), AppError> {
        let m = self.index(member)?;
        let old = std::mem::replace(&mut self.members[m].component, component);
        let checked = self.check_member(m);
        if checked.is_err() {
            self.members[m].component = old;
        }
        checked
    }

    /// Checks that member `m` still has what its links and exposed exports name.
    fn check_member(&self, m: usize) -> Result<(), AppError> {
        for link in &self.members[m].links {
            self.item(m, &link.import, true)?;
        }
        for consumer in &self.members {
            for link in consumer.links.iter().filter(|l| l.provider == m) {
                self.item(m, &link.export, false)?;
            }
        }
        for export in &self.members[m].exposes {
            self.item(m, export, false)?;
        }
        Ok(())
    }

    fn index(&self, name: &str) -> Result<usize, AppError> {
        self.members
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| AppError::UnknownMember {
                name: name.to_string(),
                members: self.members.iter().map(|m| m.name.clone()).collect(),
            })
    }

    /// The top-level import (or export) `name` of member `m`.
    fn item(&self, m: usize, name: &str, import: bool) -> Result<ComponentItem, AppError> {
        let member = &self.members[m];
        let component = member.component.component();
        let engine = component.engine();
        let ty = component.component_type();
        let mut names = Vec::new();
        let items: Vec<(&str, ComponentItem)> = if import {
            ty.imports(engine).map(|(n, e)| (n, e.ty)).collect()
        } else {
            ty.exports(engine).map(|(n, e)| (n, e.ty)).collect()
        };
        for (item_name, item) in items {
            if item_name == name {
                return Ok(item);
            }
            names.push(item_name.to_string());
        }
        let component = member.component.name().to_string();
        Err(if import {
            AppError::UnknownImport {
                member: member.name.clone(),
                component,
                import: name.to_string(),
                available: names,
            }
        } else {
            AppError::UnknownExport {
                member: member.name.clone(),
                component,
                export: name.to_string(),
                available: names,
            }
        })
    }
}

/// What [`Runtime::prepare_app`](crate::Runtime::prepare_app) needs of one member: its
/// component, where its linked imports go, and the proxy ids of its own resources.
pub(crate) struct MemberPlan<'a> {
    pub(crate) component: &'a LoadedComponent,
    pub(crate) links: Vec<(String, MemberExport)>,
    pub(crate) resources: Vec<(ComponentExportIndex, u32)>,
}

impl App {
    /// Each member's plan, with proxy ids for every exported resource of every member.
    pub(crate) fn plans(&self) -> Result<Vec<MemberPlan<'_>>, AppError> {
        if self.members.is_empty() {
            return Err(AppError::Empty(self.name.clone()));
        }
        let mut next = PROXY_BASE;
        let ids: Vec<Arc<[ProxyId]>> = self
            .members
            .iter()
            .map(|m| {
                m.component
                    .exports()
                    .resources()
                    .iter()
                    .map(|r| {
                        next += 1;
                        ProxyId {
                            interface: r.interface.clone(),
                            name: r.name.clone(),
                            index: r.index,
                            id: next,
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| MemberPlan {
                component: &m.component,
                links: m
                    .links
                    .iter()
                    .map(|l| {
                        let provider = &self.members[l.provider];
                        (
                            l.import.clone(),
                            MemberExport {
                                consumer: m.name.clone(),
                                member: l.provider,
                                member_name: provider.name.clone(),
                                export: l.export.clone(),
                                catalog: Arc::clone(&provider.component.catalog),
                                proxies: Arc::clone(&ids[l.provider]),
                            },
                        )
                    })
                    .collect(),
                resources: ids[i].iter().map(|p| (p.index, p.id)).collect(),
            })
            .collect())
    }

    /// Whether any member imports an `async func` (its sessions then need async calls).
    pub fn has_async_imports(&self) -> bool {
        self.members.iter().any(|m| m.component.has_async_imports())
    }

    /// The application's exports: what each member exposes, in one catalog.
    pub fn catalog(&self) -> ExportCatalog {
        ExportCatalog::merge(
            self.members
                .iter()
                .map(|m| (&*m.component.catalog, m.exposes.as_slice())),
        )
    }
}

/// The proxy id of one exported resource type of a member.
#[derive(Debug)]
pub(crate) struct ProxyId {
    interface: Option<String>,
    name: String,
    index: ComponentExportIndex,
    id: u32,
}

/// An import bound to an export of an earlier member of the same store.
#[derive(Clone)]
pub(crate) struct MemberExport {
    consumer: String,
    member: usize,
    member_name: String,
    export: String,
    catalog: Arc<ExportCatalog>,
    proxies: Arc<[ProxyId]>,
}

impl MemberExport {
    /// What provides it, for messages.
    fn describe(&self, export: &str) -> String {
        format!("export `{export}` of member `{}`", self.member_name)
    }

    /// The proxy id standing in for the provider's resource `name` of the interface
    /// this link exports.
    pub(crate) fn proxy_id(&self, name: &str) -> Option<u32> {
        self.proxies
            .iter()
            .find(|p| p.name == name && p.interface.as_deref() == Some(self.export.as_str()))
            .map(|p| p.id)
    }
}

/// The links of one store: its members' instances and the stand-ins for their
/// resources.
#[derive(Default)]
pub(crate) struct Links {
    instances: Vec<Instance>,
    /// Each member resource type with its stand-in type and its member.
    origins: Vec<Origin>,
    /// Real handles by stand-in rep; `None` once dropped or moved back.
    proxies: Vec<Option<ResourceAny>>,
    free: Vec<u32>,
}

struct Origin {
    real: ResourceType,
    proxy: ResourceType,
    id: u32,
    member: usize,
}

impl Links {
    /// Records a member's instance, with the real types of its exported resources.
    pub(crate) fn add<T>(
        store: &mut StoreContextMut<'_, HostState<T>>,
        instance: Instance,
        resources: &[(ComponentExportIndex, u32)],
    ) {
        let member = store.data().links.instances.len();
        let origins: Vec<Origin> = resources
            .iter()
            .filter_map(|(index, id)| {
                let real = instance.get_resource(&mut *store, *index)?;
                Some(Origin {
                    real,
                    proxy: ResourceType::host_dynamic(*id),
                    id: *id,
                    member,
                })
            })
            .collect();
        let links = &mut store.data_mut().links;
        links.instances.push(instance);
        links.origins.extend(origins);
    }

    /// The member a stand-in type stands for, if `ty` is one.
    fn proxy_member(&self, ty: ResourceType) -> Option<usize> {
        self.origins
            .iter()
            .find(|o| o.proxy == ty)
            .map(|o| o.member)
    }

    /// The stand-in id for a member's real resource type, if `ty` is one.
    fn proxy_id(&self, ty: ResourceType) -> Option<u32> {
        self.origins.iter().find(|o| o.real == ty).map(|o| o.id)
    }

    fn insert(&mut self, real: ResourceAny) -> u32 {
        match self.free.pop() {
            Some(rep) => {
                self.proxies[rep as usize] = Some(real);
                rep
            }
            None => {
                self.proxies.push(Some(real));
                u32::try_from(self.proxies.len() - 1).expect("fewer than 2^32 live handles")
            }
        }
    }

    fn take(&mut self, rep: u32) -> Option<ResourceAny> {
        let real = self.proxies.get_mut(rep as usize)?.take();
        if real.is_some() {
            self.free.push(rep);
        }
        real
    }

    /// How many stand-ins are live.
    pub(crate) fn live(&self) -> usize {
        self.proxies.iter().filter(|p| p.is_some()).count()
    }

    fn get(&self, rep: u32) -> Option<ResourceAny> {
        *self.proxies.get(rep as usize)?
    }
}

/// A resolved link of one import function: the provider's function and how to call it.
struct Forwarding {
    member: usize,
    index: ComponentExportIndex,
    /// `export \`...\` of member \`...\``, for messages.
    target: String,
    /// Whether any parameter or result holds a resource (else values pass untouched).
    resources: bool,
}

impl Forwarding {
    fn instance<T>(&self, store: &StoreContextMut<'_, HostState<T>>) -> wasmtime::Result<Instance> {
        store
            .data()
            .links
            .instances
            .get(self.member)
            .copied()
            .ok_or_else(|| wasmtime::format_err!("{} is not instantiated yet", self.target))
    }

    /// The consumer's arguments, with stand-ins for the provider's resources replaced by
    /// the real handles.
    fn arguments<T>(
        &self,
        store: &mut StoreContextMut<'_, HostState<T>>,
        params: &[Val],
    ) -> wasmtime::Result<Vec<Val>> {
        let mut args = params.to_vec();
        if self.resources {
            for arg in &mut args {
                map_resources(arg, &mut |r| self.unwrap(store, r))?;
            }
        }
        Ok(args)
    }

    fn unwrap<T>(
        &self,
        store: &mut StoreContextMut<'_, HostState<T>>,
        handle: ResourceAny,
    ) -> wasmtime::Result<ResourceAny> {
        if store.data().links.proxy_member(handle.ty()) != Some(self.member) {
            // Not the provider's: a handle of another member (or of WASI) that the
            // provider imports as the same host type.
            return Ok(handle);
        }
        let owned = handle.owned();
        let rep = handle.try_into_resource_dynamic(&mut *store)?.rep();
        let links = &mut store.data_mut().links;
        let real = if owned {
            links.take(rep)
        } else {
            links.get(rep)
        };
        real.ok_or_else(|| {
            wasmtime::format_err!("a handle passed to {} was already dropped", self.target)
        })
    }

    /// The provider's results, with its resources replaced by stand-ins.
    fn results<T>(
        &self,
        store: &mut StoreContextMut<'_, HostState<T>>,
        results: &mut [Val],
    ) -> wasmtime::Result<()> {
        if self.resources {
            for result in results {
                map_resources(result, &mut |r| wrap(store, r))?;
            }
        }
        Ok(())
    }
}

/// A stand-in for `handle` when it is a member's own resource; other handles pass.
fn wrap<T>(
    store: &mut StoreContextMut<'_, HostState<T>>,
    handle: ResourceAny,
) -> wasmtime::Result<ResourceAny> {
    let Some(id) = store.data().links.proxy_id(handle.ty()) else {
        return Ok(handle);
    };
    let rep = store.data_mut().links.insert(handle);
    ResourceDynamic::new_own(rep, id).try_into_resource_any(&mut *store)
}

/// Defines the import function `name` (`qualified` in messages) of type `func` to call
/// the provider's function of the same name in the linked export.
pub(crate) fn define_forward<T: Send + 'static>(
    inst: &mut LinkerInstance<'_, HostState<T>>,
    mode: Mode,
    name: &str,
    qualified: &str,
    func: &ComponentFunc,
    link: &MemberExport,
) -> Result<(), LinkError> {
    let interface = qualified.split_once('#').map(|_| link.export.as_str());
    let target_name = match interface {
        Some(i) => format!("{i}#{name}"),
        None => link.export.clone(),
    };
    let wanted = interface.map_or(link.export.as_str(), |_| name);
    let Some(export) = link
        .catalog
        .funcs()
        .iter()
        .find(|f| f.interface.as_deref() == interface && f.name == wanted)
    else {
        return Err(LinkError::Unsupported {
            import: format!("{qualified}` of member `{}", link.consumer),
            reason: format!(
                "member `{}` has no export `{target_name}`",
                link.member_name
            ),
        });
    };
    let expected = func_sig(func);
    let found = func_sig(&export.ty);
    if expected != found {
        return Err(LinkError::Mismatch {
            import: format!("{qualified}` of member `{}", link.consumer),
            provider: link.describe(&target_name),
            expected,
            found,
        });
    }
    if func.async_() || export.ty.async_() {
        return Err(LinkError::Unsupported {
            import: qualified.to_string(),
            reason: "runtime links do not carry `async func` calls yet; compose the components with `weft compose` instead".to_string(),
        });
    }
    let forwarding = Arc::new(Forwarding {
        member: link.member,
        index: export.index,
        target: link.describe(&target_name),
        resources: func_has_resources(func),
    });
    let failed = |e| LinkError::wasmtime(format!("cannot define `{qualified}`"), e);
    match mode {
        Mode::Sync => inst
            .func_new(name, move |mut store, _ty, params, results| {
                let instance = forwarding.instance(&store)?;
                let callee = instance
                    .get_func(&mut store, forwarding.index)
                    .ok_or_else(|| wasmtime::format_err!("{} is missing", forwarding.target))?;
                let args = forwarding.arguments(&mut store, params)?;
                callee.call(&mut store, &args, results)?;
                forwarding.results(&mut store, results)
            })
            .map_err(failed),
        Mode::Async => inst
            .func_new_async(name, move |mut store, _ty, params, results| {
                let forwarding = Arc::clone(&forwarding);
                Box::new(async move {
                    let instance = forwarding.instance(&store)?;
                    let callee = instance
                        .get_func(&mut store, forwarding.index)
                        .ok_or_else(|| wasmtime::format_err!("{} is missing", forwarding.target))?;
                    let args = forwarding.arguments(&mut store, params)?;
                    callee.call_async(&mut store, &args, results).await?;
                    forwarding.results(&mut store, results)
                })
            })
            .map_err(failed),
    }
}

/// Defines the import resource `name` as the stand-in type `id`, whose destructor drops
/// the real handle.
pub(crate) fn define_proxy_resource<T: Send + 'static>(
    inst: &mut LinkerInstance<'_, HostState<T>>,
    mode: Mode,
    name: &str,
    id: u32,
) -> wasmtime::Result<()> {
    let ty = ResourceType::host_dynamic(id);
    match mode {
        Mode::Sync => inst.resource(name, ty, |mut store, rep| {
            match store.data_mut().links.take(rep) {
                Some(real) => real.resource_drop(&mut store),
                None => Ok(()),
            }
        }),
        Mode::Async => inst.resource_async(name, ty, |mut store, rep| {
            Box::new(async move {
                match store.data_mut().links.take(rep) {
                    Some(real) => real.resource_drop_async(store.as_context_mut()).await,
                    None => Ok(()),
                }
            })
        }),
    }
}
