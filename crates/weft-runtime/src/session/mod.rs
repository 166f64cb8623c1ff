//! A session: one instance in its own store, the resource handles it holds, and the
//! calls made on it.
//!
//! Every dynamic call, whatever its front end (values, WAVE text, JSON), goes through
//! one core, [`Session::invoke`] (or [`Session::invoke_async`]): it applies the limits,
//! calls the export and names the handles it returned. Hot paths can skip values
//! altogether with [`Session::typed_func`] and [`Session::store_mut`].

mod handles;
mod streaming;
mod text;
mod typed;

pub use streaming::STREAMED;
pub use text::Outcome;
pub use typed::TypedExport;

use std::sync::Arc;

use wasmtime::Store;
use wasmtime::component::{
    ComponentNamedList, Func, Instance, Lift, Lower, ResourceAny, Type, TypedFunc, Val,
};

use crate::call::SyntaxError;
use crate::exports::{ExportFunc, ResolveError};
use crate::imports::{ImportCall, Mode};
use crate::limits::{Limits, ticks};
use crate::link::LinkError;
use crate::load::LoadedComponent;
use crate::state::{GrantError, HostState, LogRecord};
use crate::trap::{Trap, classify};
use crate::values::check::check;
use crate::values::{Path, ValueError, for_each_resource};

use handles::{Handle, HandleTable, ResourceNames};

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The component's imports could not be satisfied.
    #[error(transparent)]
    Link(LinkError),
    /// Instantiation failed (a start function trapped, or a limit was hit).
    #[error("failed to instantiate the component: {0}")]
    Instantiate(#[source] Box<Trap>),
    /// A capability could not be granted.
    #[error(transparent)]
    Grant(GrantError),
    /// A fuel limit was given to a runtime that does not count fuel.
    #[error("a fuel limit needs a runtime created with fuel counting (`RuntimeConfig::fuel`)")]
    FuelNotEnabled,
    /// Imports linked for async calls need an async instantiation.
    #[error(
        "the component was linked for async calls (`Imports::asynchronous`); instantiate it with `instantiate_async`"
    )]
    NeedsAsync,
    /// Imports linked for sync calls are instantiated synchronously: their WASI blocks
    /// the thread, which must not be an async task's.
    #[error(
        "the component was linked for sync calls; instantiate it with `instantiate_with`, or link it with `Imports::asynchronous` for async calls"
    )]
    NeedsSync,
    /// wasmtime refused to set the store up.
    #[error("failed to set up the store")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The call text does not parse.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// No export (or several) answer to the name.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// Too many or too few arguments.
    #[error("`{export}` takes {} argument(s), {given} given\n  signature: {signature}", if required == expected { expected.to_string() } else { format!("{required} to {expected}") })]
    Arity {
        /// The export.
        export: String,
        /// Its signature.
        signature: String,
        /// How many it takes at most.
        expected: usize,
        /// How many it needs (trailing options may be left out).
        required: usize,
        /// How many were given.
        given: usize,
    },
    /// An argument does not fit its parameter's type.
    #[error("in a call to `{export}`: {error}\n  signature: {signature}")]
    Value {
        /// The export.
        export: String,
        /// Its signature.
        signature: String,
        /// What does not fit, and where.
        #[source]
        error: Box<ValueError>,
    },
    /// Arguments given as JSON were not an array.
    #[error(
        "arguments for `{export}` must be a JSON array (one element per parameter)\n  signature: {signature}"
    )]
    JsonArgs {
        /// The export.
        export: String,
        /// Its signature.
        signature: String,
    },
    /// A handle name that the session does not hold.
    #[error("no live handle named `{name}`{}", live_list(live))]
    UnknownHandle {
        /// The name used.
        name: String,
        /// The names that exist.
        live: Vec<String>,
    },
    /// A method name that the handle's resource does not have.
    #[error("`{handle}` is a `{resource}`, which has no method `{method}`; its methods: {}", methods.join(", "))]
    UnknownMethod {
        /// The handle.
        handle: String,
        /// Its resource type.
        resource: String,
        /// The method asked for.
        method: String,
        /// The methods that exist.
        methods: Vec<String>,
    },
    /// `let` on a call that returns no resource.
    #[error(
        "`let {name} = ...` names a resource, but `{export}` returned none; call it without `let`"
    )]
    NothingToBind {
        /// The name.
        name: String,
        /// The export.
        export: String,
    },
    /// A handle passed more than once in one call, at least once as `own`.
    #[error(
        "in a call to `{export}`: `{name}` is passed more than once, and passing it as `own` moves it to the guest; pass it once"
    )]
    HandleMovedTwice {
        /// The export.
        export: String,
        /// The handle.
        name: String,
    },
    /// `drop` in a batch of concurrent calls.
    #[error("`drop({0})` cannot run beside other calls; drop the handle after them")]
    DropInBatch(String),
    /// A handle name already in use.
    #[error("a handle named `{0}` is already live; choose another name or `drop({0})` first")]
    HandleExists(String),
    /// The typed function asked for does not have the export's type.
    #[error("`{export}` does not have the type asked for: {message}")]
    Typed {
        /// The export.
        export: String,
        /// wasmtime's account of the difference.
        message: String,
    },
    /// A sync call on a session whose imports were linked for async calls.
    #[error(
        "`{export}` must be called with an async call (`call_vals_async`): the component was linked for async calls"
    )]
    NeedsAsync {
        /// The export.
        export: String,
    },
    /// An async call on a session whose imports were linked for sync calls.
    #[error(
        "`{export}` must be called with a sync call (`call_vals`): the component was linked for sync calls"
    )]
    NeedsSync {
        /// The export.
        export: String,
    },
    /// The guest trapped or a limit stopped it.
    #[error("`{export}` failed: {trap}")]
    Trap {
        /// The export.
        export: String,
        /// What happened.
        #[source]
        trap: Box<Trap>,
    },
    /// A stream or future argument could not be made.
    #[error("in a call to `{export}`: {error}")]
    Stream {
        /// The export.
        export: String,
        /// What went wrong (already in the message).
        error: crate::streams::StreamError,
    },
    /// An earlier call trapped; the instance cannot be entered again.
    #[error(
        "the session can no longer be used because an earlier call failed ({0}); start a new session"
    )]
    Dead(String),
}

fn live_list(live: &[String]) -> String {
    if live.is_empty() {
        "; the session holds no handles (create one with `let NAME = resource(...)`)".to_string()
    } else {
        format!(
            "; live handles: {}",
            live.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// What happened to the handles of a finished session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionReport {
    /// Handles created by calls.
    pub created: usize,
    /// Handles dropped during the session (by `drop` or passed as `own`).
    pub dropped: usize,
    /// Handles still alive at the end, dropped by the session (their destructors ran).
    pub dropped_at_end: Vec<String>,
    /// Handles that could not be dropped (the instance had trapped): leaks.
    pub leaked: Vec<String>,
}

/// One live instance (or the instances of a linked application), the handles it has returned, and the embedder's data `T`.
pub struct Session<T: 'static = ()> {
    store: Store<HostState<T>>,
    /// One instance per member of a linked application; one for a lone component.
    instances: Vec<Instance>,
    component: LoadedComponent,
    limits: Limits,
    fuel: bool,
    mode: Mode,
    handles: HandleTable,
    resource_names: ResourceNames,
    report: SessionReport,
    dead: Option<String>,
    /// Where stream results go as they arrive; collected into lists when `None`.
    stream_sink: Option<crate::streams::SharedSink>,
    /// The bytes of the next call's first `stream<u8>` parameter.
    stream_input: Option<Box<dyn std::io::Read + Send>>,
}

impl<T: Send + 'static> Session<T> {
    pub(crate) fn new(
        mut store: Store<HostState<T>>,
        instances: Vec<Instance>,
        component: LoadedComponent,
        limits: Limits,
        fuel: bool,
        mode: Mode,
    ) -> Session<T> {
        let resource_names = ResourceNames(
            component
                .catalog
                .resources()
                .iter()
                .filter_map(|r| {
                    let ty = instances.get(r.member)?.get_resource(&mut store, r.index)?;
                    Some((ty, r.name.clone(), r.interface.clone()))
                })
                .collect(),
        );
        Session {
            store,
            instances,
            component,
            limits,
            fuel,
            mode,
            handles: HandleTable::default(),
            resource_names,
            report: SessionReport::default(),
            dead: None,
            stream_sink: None,
            stream_input: None,
        }
    }

    /// The component this session runs.
    pub fn component(&self) -> &LoadedComponent {
        &self.component
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        self.store.data().data()
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut().data_mut()
    }

    /// The store, for calls through typed functions ([`Session::typed_func`]) or
    /// wasmtime's own API.
    pub fn store_mut(&mut self) -> &mut Store<HostState<T>> {
        &mut self.store
    }

    /// The store.
    pub fn store(&self) -> &Store<HostState<T>> {
        &self.store
    }

    /// The instance (of a linked application: its last member's).
    pub fn instance(&self) -> Instance {
        *self
            .instances
            .last()
            .expect("a session holds at least one instance")
    }

    /// How many resource handles of one member of a linked application another member
    /// holds now (through host stand-ins); 0 for a lone component.
    pub fn linked_handles(&self) -> usize {
        self.store.data().links.live()
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Messages the guest sent to host-provided logging.
    pub fn logs(&self) -> &[LogRecord] {
        self.store.data().logs()
    }

    /// Takes the import calls the guest made since the last take, when the imports
    /// were linked with [`Imports::record_calls`](crate::Imports::record_calls).
    pub fn take_import_calls(&mut self) -> Vec<ImportCall> {
        self.store.data_mut().take_import_calls()
    }

    /// What the guest wrote to stdout, when it was captured.
    pub fn stdout(&self) -> Option<Vec<u8>> {
        self.store
            .data()
            .stdout
            .as_ref()
            .map(|p| p.contents().to_vec())
    }

    /// What the guest wrote to stderr, when it was captured.
    pub fn stderr(&self) -> Option<Vec<u8>> {
        self.store
            .data()
            .stderr
            .as_ref()
            .map(|p| p.contents().to_vec())
    }

    /// The live handles: (name, resource type).
    pub fn handles(&self) -> Vec<(String, String)> {
        self.handles
            .iter()
            .map(|(n, h)| (n.clone(), h.type_name.clone()))
            .collect()
    }

    /// The export `target` as a raw typed function: `Params` and `Results` are Rust
    /// tuples of the export's types. Call it with [`Session::store_mut`]; limits other
    /// than memory are the caller's to set on the store. [`Session::typed_export`] is the
    /// same with the session's limits applied to every call.
    ///
    /// ```no_run
    /// # fn demo(session: &mut weft_runtime::Session) -> Result<(), Box<dyn std::error::Error>> {
    /// let sum = session.typed_func::<(Vec<u32>,), (u64,)>("sum")?;
    /// let (total,) = sum.call(session.store_mut(), (vec![1, 2, 3],))?;
    /// assert_eq!(total, 6);
    /// # Ok(()) }
    /// ```
    pub fn typed_func<Params, Results>(
        &mut self,
        target: &str,
    ) -> Result<TypedFunc<Params, Results>, CallError>
    where
        Params: ComponentNamedList + Lower,
        Results: ComponentNamedList + Lift,
    {
        let catalog = Arc::clone(&self.component.catalog);
        let export = catalog.resolve(target)?;
        self.func(export)
            .typed::<Params, Results>(&self.store)
            .map_err(|e| CallError::Typed {
                export: export.qualified_name(),
                message: format!("{e:#}"),
            })
    }

    /// Calls the export `target` with values already built.
    pub fn call_vals(&mut self, target: &str, args: &[Val]) -> Result<Vec<Val>, CallError> {
        let catalog = Arc::clone(&self.component.catalog);
        let export = catalog.resolve(target)?;
        self.check_vals(export, args)?;
        self.invoke(export, args)
    }

    /// Calls the export `target` with values already built, asynchronously. Must run on
    /// a tokio runtime.
    pub async fn call_vals_async(
        &mut self,
        target: &str,
        args: &[Val],
    ) -> Result<Vec<Val>, CallError> {
        let catalog = Arc::clone(&self.component.catalog);
        let export = catalog.resolve(target)?;
        self.check_vals(export, args)?;
        self.invoke_async(export, args).await
    }

    /// Checks prebuilt values against the export's parameters, so a wrong one is a
    /// `CallError::Value` naming where it is wrong, and the session lives on.
    fn check_vals(&self, export: &ExportFunc, args: &[Val]) -> Result<(), CallError> {
        let expected = export.ty.params().len();
        if args.len() != expected {
            return Err(CallError::Arity {
                export: export.qualified_name(),
                signature: self.component.catalog.signature(export),
                expected,
                required: expected,
                given: args.len(),
            });
        }
        for ((name, ty), val) in export.ty.params().zip(args) {
            check(val, &ty, &Path::root(name)).map_err(|error| CallError::Value {
                export: export.qualified_name(),
                signature: self.component.catalog.signature(export),
                error: Box::new(error),
            })?;
        }
        Ok(())
    }

    /// The core of every dynamic call: applies the limits, calls `export` with `args`
    /// (an async-lifted export is driven to completion on this thread), and names the
    /// handles it returned.
    pub fn invoke(&mut self, export: &ExportFunc, args: &[Val]) -> Result<Vec<Val>, CallError> {
        self.invoke_bound(export, args, None)
    }

    pub(crate) fn invoke_bound(
        &mut self,
        export: &ExportFunc,
        args: &[Val],
        bind: Option<&str>,
    ) -> Result<Vec<Val>, CallError> {
        if export.moves_streams {
            let results = self.invoke_streaming(export, args.to_vec())?;
            self.after_call(export, args, &results, bind);
            return Ok(results);
        }
        let func = self.before_call(export, Mode::Sync)?;
        let mut results = vec![Val::Bool(false); export.ty.results().len()];
        let called = if export.ty.async_() {
            // Async-lifted exports cannot be entered synchronously; with sync imports
            // nothing here waits on a reactor, so a local executor drives the call.
            futures::executor::block_on(func.call_async(&mut self.store, args, &mut results))
        } else {
            func.call(&mut self.store, args, &mut results)
        };
        if let Err(error) = called {
            return Err(self.fail(export, error));
        }
        self.after_call(export, args, &results, bind);
        Ok(results)
    }

    /// [`Session::invoke`] for sessions linked for async calls; the timeout also bounds
    /// the time a call spends waiting on async imports. Must run on a tokio runtime.
    pub async fn invoke_async(
        &mut self,
        export: &ExportFunc,
        args: &[Val],
    ) -> Result<Vec<Val>, CallError> {
        self.invoke_async_bound(export, args, None).await
    }

    pub(crate) async fn invoke_async_bound(
        &mut self,
        export: &ExportFunc,
        args: &[Val],
        bind: Option<&str>,
    ) -> Result<Vec<Val>, CallError> {
        if export.moves_streams {
            let results = self.invoke_streaming_async(export, args.to_vec()).await?;
            self.after_call(export, args, &results, bind);
            return Ok(results);
        }
        let func = self.before_call(export, Mode::Async)?;
        let mut results = vec![Val::Bool(false); export.ty.results().len()];
        let call = func.call_async(&mut self.store, args, &mut results);
        let called = match self.limits.timeout {
            Some(timeout) => match tokio::time::timeout(timeout, call).await {
                Ok(called) => called,
                Err(_elapsed) => {
                    let trap = Trap::deadline(&self.limits);
                    self.dead = Some(trap.message.clone());
                    return Err(CallError::Trap {
                        export: export.qualified_name(),
                        trap: Box::new(trap),
                    });
                }
            },
            None => call.await,
        };
        if let Err(error) = called {
            return Err(self.fail(export, error));
        }
        self.after_call(export, args, &results, bind);
        Ok(results)
    }

    /// Checks the session can be entered by a call made in `mode` and sets the per-call
    /// limits.
    fn before_call(&mut self, export: &ExportFunc, mode: Mode) -> Result<Func, CallError> {
        self.arm(&export.qualified_name(), mode)?;
        Ok(self.func(export))
    }

    /// Checks the session can be entered by a call to `export` made in `mode` and sets
    /// the per-call limits: fuel and the epoch deadline.
    pub(super) fn arm(&mut self, export: &str, mode: Mode) -> Result<(), CallError> {
        match (self.mode, mode) {
            (Mode::Async, Mode::Sync) => {
                return Err(CallError::NeedsAsync {
                    export: export.to_string(),
                });
            }
            (Mode::Sync, Mode::Async) => {
                return Err(CallError::NeedsSync {
                    export: export.to_string(),
                });
            }
            _ => {}
        }
        self.ensure_alive()?;
        if self.fuel {
            let fuel = self.limits.fuel.unwrap_or(u64::MAX);
            if let Err(e) = self.store.set_fuel(fuel) {
                return Err(self.fail_named(export, e));
            }
        }
        match self.limits.timeout {
            Some(timeout) => self.store.set_epoch_deadline(ticks(timeout)),
            None => self.store.set_epoch_deadline(u64::MAX / 2),
        }
        Ok(())
    }

    /// Forgets the handles a call took as `own` (they belong to the guest now) and
    /// registers the handles it returned (a directly returned one under `bind`).
    pub(super) fn after_call(
        &mut self,
        export: &ExportFunc,
        args: &[Val],
        results: &[Val],
        bind: Option<&str>,
    ) {
        let mut moved = Vec::new();
        for ((_, ty), val) in export.ty.params().zip(args) {
            owned_in(&ty, val, &mut moved);
        }
        for resource in moved {
            if let Some(name) = self.handles.name_of(&resource).map(str::to_string) {
                self.handles.remove(&name);
                self.report.dropped += 1;
            }
        }
        if let (Some(name), Some(Val::Resource(resource))) = (bind, results.first()) {
            self.register(*resource, export, Some(name));
        }
        for val in results {
            let mut returned = Vec::new();
            for_each_resource(val, &mut |r| returned.push(*r));
            for resource in returned {
                self.register(resource, export, None);
            }
        }
    }

    /// Drops the handle `name` now; the guest's destructor runs.
    pub fn drop_handle(&mut self, name: &str) -> Result<(), CallError> {
        let handle = self.take_handle(name)?;
        let dropped = handle.resource.resource_drop(&mut self.store);
        self.after_drop(name, dropped)
    }

    /// [`Session::drop_handle`] for sessions linked for async calls.
    pub async fn drop_handle_async(&mut self, name: &str) -> Result<(), CallError> {
        let handle = self.take_handle(name)?;
        let dropped = handle.resource.resource_drop_async(&mut self.store).await;
        self.after_drop(name, dropped)
    }

    /// Takes the handle `name` out of the table, to be dropped.
    fn take_handle(&mut self, name: &str) -> Result<Handle, CallError> {
        self.ensure_alive()?;
        self.handles
            .remove(name)
            .ok_or_else(|| self.unknown_handle(name))
    }

    /// Counts a drop, or ends the session if the guest's destructor failed.
    fn after_drop(&mut self, name: &str, dropped: wasmtime::Result<()>) -> Result<(), CallError> {
        match dropped {
            Ok(()) => {
                self.report.dropped += 1;
                Ok(())
            }
            Err(error) => {
                let trap = classify(error, &self.limits);
                self.dead = Some(trap.message.clone());
                Err(CallError::Trap {
                    export: format!("drop({name})"),
                    trap: Box::new(trap),
                })
            }
        }
    }

    /// Ends the session: drops every live handle (running guest destructors) and
    /// reports what happened to them. A session linked for async calls ends with
    /// [`Session::finish_async`].
    pub fn finish(mut self) -> SessionReport {
        self.release_handles();
        std::mem::take(&mut self.report)
    }

    /// [`Session::finish`] for sessions linked for async calls.
    pub async fn finish_async(mut self) -> SessionReport {
        for (name, handle) in self.handles.take_all() {
            let dropped = self.dead.is_none()
                && handle
                    .resource
                    .resource_drop_async(&mut self.store)
                    .await
                    .is_ok();
            if dropped {
                self.report.dropped_at_end.push(name);
            } else {
                self.report.leaked.push(name);
            }
        }
        std::mem::take(&mut self.report)
    }

    fn fail(&mut self, export: &ExportFunc, error: wasmtime::Error) -> CallError {
        self.fail_named(&export.qualified_name(), error)
    }

    /// Ends the session after `export` failed with `error`.
    pub(super) fn fail_named(&mut self, export: &str, error: wasmtime::Error) -> CallError {
        let trap = classify(error, &self.limits);
        self.dead = Some(trap.message.clone());
        CallError::Trap {
            export: export.to_string(),
            trap: Box::new(trap),
        }
    }

    /// Whether the instance has failed (trapped, or hit a limit) and takes no more calls.
    pub fn is_dead(&self) -> bool {
        self.dead.is_some()
    }

    fn ensure_alive(&self) -> Result<(), CallError> {
        match &self.dead {
            Some(reason) => Err(CallError::Dead(reason.clone())),
            None => Ok(()),
        }
    }

    pub(super) fn func(&mut self, export: &ExportFunc) -> Func {
        self.instances[export.member]
            .get_func(&mut self.store, export.index)
            .expect("catalog indices come from this component")
    }

    fn unknown_handle(&self, name: &str) -> CallError {
        CallError::UnknownHandle {
            name: name.to_string(),
            live: self.handles.names(),
        }
    }

    /// Names a handle the guest returned, unless it is already known.
    fn register(&mut self, resource: ResourceAny, export: &ExportFunc, name: Option<&str>) {
        if !resource.owned() || self.handles.name_of(&resource).is_some() {
            return;
        }
        let (type_name, interface) = self.resource_names.find(&resource.ty()).map_or(
            ("resource".to_string(), export.interface.clone()),
            |(n, i)| (n.to_string(), i.map(str::to_string)),
        );
        let handle = Handle {
            resource,
            type_name,
            interface,
        };
        if self.handles.insert(handle, name).is_some() {
            self.report.created += 1;
        }
    }
}

impl<T: 'static> Session<T> {
    /// Drops every live handle, recording which destructors ran and which could not.
    fn release_handles(&mut self) {
        let handles = self.handles.take_all();
        for (name, handle) in handles {
            let dropped = self.dead.is_none()
                && self.mode == Mode::Sync
                && handle.resource.resource_drop(&mut self.store).is_ok();
            if dropped {
                self.report.dropped_at_end.push(name);
            } else {
                self.report.leaked.push(name);
            }
        }
    }
}

/// Collects the resources `val` passes as `own` where its type `ty` says so.
fn owned_in(ty: &Type, val: &Val, out: &mut Vec<ResourceAny>) {
    match (ty, val) {
        (Type::Own(_), Val::Resource(r)) => out.push(*r),
        (Type::List(l), Val::List(items)) => items.iter().for_each(|v| owned_in(&l.ty(), v, out)),
        (Type::Option(o), Val::Option(Some(v))) => owned_in(&o.ty(), v, out),
        (Type::Record(r), Val::Record(fields)) => {
            for (field, (_, v)) in r.fields().zip(fields) {
                owned_in(&field.ty, v, out);
            }
        }
        (Type::Tuple(t), Val::Tuple(items)) => {
            for (ty, v) in t.types().zip(items) {
                owned_in(&ty, v, out);
            }
        }
        (Type::Variant(variant), Val::Variant(case, Some(v))) => {
            if let Some(ty) = variant.cases().find(|c| c.name == case).and_then(|c| c.ty) {
                owned_in(&ty, v, out);
            }
        }
        (Type::Result(r), Val::Result(Ok(Some(v)))) => {
            if let Some(ty) = r.ok() {
                owned_in(&ty, v, out);
            }
        }
        (Type::Result(r), Val::Result(Err(Some(v)))) => {
            if let Some(ty) = r.err() {
                owned_in(&ty, v, out);
            }
        }
        _ => {}
    }
}

/// A session dropped without [`Session::finish`] still runs the guest destructors of the
/// handles it holds, so no code path leaks guest state.
impl<T: 'static> Drop for Session<T> {
    fn drop(&mut self) {
        self.release_handles();
    }
}
