//! A session: one instance in its own store, the resource handles it holds, and
//! the calls made on it.
//!
//! Handles returned by calls are given names (`counter-1`, or the name of a
//! `let`), so later calls can pass them in text or JSON. Every handle still alive
//! when the session finishes is dropped, which runs the guest's destructor.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::Store;
use wasmtime::component::{Func, Instance, ResourceAny, ResourceType, Type, Val};

use crate::call::{CallText, Statement, SyntaxError};
use crate::exports::{ExportCatalog, ExportFunc, FuncKind, ResolveError};
use crate::host::{LogRecord, WeftState};
use crate::linker::LinkError;
use crate::load::LoadedComponent;
use crate::runtime::{Limits, ticks};
use crate::trap::{Trap, classify};
use crate::values::{Path, ValueError, for_each_resource, json, wave};

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The component's imports could not be satisfied.
    #[error(transparent)]
    Link(LinkError),
    /// Instantiation failed (a start function trapped, or a limit was hit).
    #[error("failed to instantiate the component: {0}")]
    Instantiate(String),
    /// The options given cannot work.
    #[error("{0}")]
    Config(String),
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
    /// A handle name already in use.
    #[error("a handle named `{0}` is already live; choose another name or `drop({0})` first")]
    HandleExists(String),
    /// The guest trapped or a limit stopped it.
    #[error("`{export}` failed: {trap}")]
    Trap {
        /// The export.
        export: String,
        /// What happened.
        trap: Box<Trap>,
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

/// A resource handle the session holds.
#[derive(Debug, Clone)]
struct Handle {
    resource: ResourceAny,
    type_name: String,
    interface: Option<String>,
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

/// The result of one statement.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The export that was called (fully qualified), if any.
    pub export: Option<String>,
    /// The values it returned.
    pub results: Vec<Val>,
    /// The handle name bound by `let`.
    pub bound: Option<String>,
}

/// One live instance and the handles it has returned.
pub struct Session {
    store: Store<WeftState>,
    instance: Instance,
    component: LoadedComponent,
    limits: Limits,
    fuel: bool,
    handles: BTreeMap<String, Handle>,
    resource_types: Vec<(ResourceType, String, Option<String>)>,
    next_id: BTreeMap<String, usize>,
    report: SessionReport,
    dead: Option<String>,
}

impl Session {
    pub(crate) fn new(
        mut store: Store<WeftState>,
        instance: Instance,
        component: LoadedComponent,
        limits: Limits,
        fuel: bool,
    ) -> Session {
        let resource_types = component
            .catalog
            .resources()
            .iter()
            .filter_map(|r| {
                let ty = instance.get_resource(&mut store, r.index)?;
                Some((ty, r.name.clone(), r.interface.clone()))
            })
            .collect();
        Session {
            store,
            instance,
            component,
            limits,
            fuel,
            handles: BTreeMap::new(),
            resource_types,
            next_id: BTreeMap::new(),
            report: SessionReport::default(),
            dead: None,
        }
    }

    /// The component this session runs.
    pub fn component(&self) -> &LoadedComponent {
        &self.component
    }

    /// Messages the guest sent to host-provided logging.
    pub fn logs(&self) -> &[LogRecord] {
        &self.store.data().logs
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

    /// Calls the export `target` with values already built.
    pub fn call_vals(&mut self, target: &str, args: &[Val]) -> Result<Vec<Val>, CallError> {
        // The catalog is shared (`Arc`), so the export is borrowed from a handle to it
        // rather than cloned on every call.
        let catalog = Arc::clone(&self.component.catalog);
        let export = catalog.resolve(target)?;
        let func = self.func(export);
        let expected = export.ty.params().len();
        if args.len() != expected {
            return Err(CallError::Arity {
                export: export.qualified_name(),
                signature: catalog.signature(export),
                expected,
                required: expected,
                given: args.len(),
            });
        }
        self.invoke(export, func, args, &[], None)
    }

    /// Evaluates one WAVE call, `target(args)`, and returns its result as WAVE
    /// (empty for a function without result).
    pub fn call_wave(&mut self, text: &str) -> Result<String, CallError> {
        let outcome = self.eval(&Statement::Call(text.to_string()))?;
        Ok(self.render_wave(&outcome.map(|o| o.results).unwrap_or_default()))
    }

    /// Calls `target` with a JSON array of arguments and returns the result as JSON
    /// (`null` for a function without result).
    pub fn call_json(
        &mut self,
        target: &str,
        args: &serde_json::Value,
    ) -> Result<serde_json::Value, CallError> {
        let catalog = Arc::clone(&self.component.catalog);
        let (export, receiver) = self.resolve_target(&catalog, target)?;
        let func = self.func(export);
        // The instance's own view of the types: resource parameters must be compared with
        // the resource types of this instance, which the component-level type lacks.
        let params: Vec<(String, Type)> = func
            .ty(&self.store)
            .params()
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        let items = args.as_array().ok_or_else(|| CallError::JsonArgs {
            export: export.qualified_name(),
            signature: catalog.signature(export),
        })?;
        let skip = usize::from(receiver.is_some());
        let explicit = &params[skip.min(params.len())..];
        check_arity(&catalog, export, explicit, items.len())?;
        let consumed = RefCell::new(Vec::new());
        let mut vals = Vec::with_capacity(params.len());
        if let Some(receiver) = &receiver {
            vals.push(self.receiver_val(receiver, &params[0].1)?);
        }
        for (i, (name, ty)) in explicit.iter().enumerate() {
            let lookup = |n: &str, t: &Type| self.lookup_handle(n, t, &consumed);
            let val = match items.get(i) {
                Some(item) => json::from_json(item, ty, &Path::root(name), &lookup),
                None => Ok(Val::Option(None)),
            }
            .map_err(|error| value_error(&catalog, export, error))?;
            vals.push(val);
        }
        let results = self.invoke(export, func, &vals, &consumed.into_inner(), None)?;
        Ok(match results.first() {
            Some(v) => self.render_json(v),
            None => serde_json::Value::Null,
        })
    }

    /// Runs one statement: a call, `let NAME = call`, or `drop(NAME)`.
    pub fn eval(&mut self, statement: &Statement) -> Result<Option<Outcome>, CallError> {
        match statement {
            Statement::Drop { name } => {
                self.drop_handle(name)?;
                Ok(None)
            }
            Statement::Call(text) => self.eval_call(text, None).map(Some),
            Statement::Let { name, call } => {
                if self.handles.contains_key(name) {
                    return Err(CallError::HandleExists(name.clone()));
                }
                self.eval_call(call, Some(name)).map(Some)
            }
        }
    }

    /// Runs every statement of `script` (one per line), returning each outcome.
    /// Stops at the first failure.
    pub fn run_script(&mut self, script: &str) -> Result<Vec<Outcome>, CallError> {
        let mut outcomes = Vec::new();
        for line in script.lines() {
            if let Some(statement) = Statement::parse(line)
                && let Some(outcome) = self.eval(&statement?)?
            {
                outcomes.push(outcome);
            }
        }
        Ok(outcomes)
    }

    /// Drops the handle `name` now; the guest's destructor runs.
    pub fn drop_handle(&mut self, name: &str) -> Result<(), CallError> {
        self.ensure_alive()?;
        let handle = self
            .handles
            .remove(name)
            .ok_or_else(|| self.unknown_handle(name))?;
        match handle.resource.resource_drop(&mut self.store) {
            Ok(()) => {
                self.report.dropped += 1;
                Ok(())
            }
            Err(error) => {
                let trap = classify(&error, &self.limits);
                self.dead = Some(trap.message.clone());
                Err(CallError::Trap {
                    export: format!("drop({name})"),
                    trap: Box::new(trap),
                })
            }
        }
    }

    /// Renders values as WAVE, one per line; resources print as their handle names.
    pub fn render_wave(&mut self, vals: &[Val]) -> String {
        let mut namer = |r: &ResourceAny| self.name_of(r);
        vals.iter()
            .map(|v| wave::to_wave(v, &mut namer))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Renders a value as JSON; resources become their handle names.
    pub fn render_json(&mut self, val: &Val) -> serde_json::Value {
        let mut namer = |r: &ResourceAny| self.name_of(r);
        json::to_json(val, &mut namer)
    }

    /// Ends the session: drops every live handle (running guest destructors) and
    /// reports what happened to them.
    pub fn finish(mut self) -> SessionReport {
        self.release_handles();
        std::mem::take(&mut self.report)
    }

    /// Drops every live handle, recording which destructors ran and which could not.
    fn release_handles(&mut self) {
        let handles = std::mem::take(&mut self.handles);
        for (name, handle) in handles {
            if self.dead.is_none() && handle.resource.resource_drop(&mut self.store).is_ok() {
                self.report.dropped_at_end.push(name);
            } else {
                self.report.leaked.push(name);
            }
        }
    }

    fn eval_call(&mut self, text: &str, bind: Option<&str>) -> Result<Outcome, CallError> {
        let call = CallText::parse(text)?;
        let catalog = Arc::clone(&self.component.catalog);
        let (export, receiver) = self.resolve_target(&catalog, &call.target)?;
        let func = self.func(export);
        // The instance's own view of the types: resource parameters must be compared with
        // the resource types of this instance, which the component-level type lacks.
        let params: Vec<(String, Type)> = func
            .ty(&self.store)
            .params()
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        let nodes: Vec<&wasm_wave::ast::Node> = match &call.args {
            Some(node) => node.as_tuple().map(Iterator::collect).unwrap_or_default(),
            None => Vec::new(),
        };
        let skip = usize::from(receiver.is_some());
        let explicit = &params[skip.min(params.len())..];
        check_arity(&catalog, export, explicit, nodes.len())?;
        let consumed = RefCell::new(Vec::new());
        let mut vals = Vec::with_capacity(params.len());
        if let Some(receiver) = &receiver {
            vals.push(self.receiver_val(receiver, &params[0].1)?);
        }
        for (i, (name, ty)) in explicit.iter().enumerate() {
            let lookup = |n: &str, t: &Type| self.lookup_handle(n, t, &consumed);
            let val = match nodes.get(i) {
                Some(node) => {
                    wave::from_node(node, ty, &call.args_source, &Path::root(name), &lookup)
                }
                // Trailing option parameters may be left out, as in WAVE.
                None => Ok(Val::Option(None)),
            }
            .map_err(|error| value_error(&catalog, export, error))?;
            vals.push(val);
        }
        if let Some(name) = bind
            && !matches!(export.ty.results().next(), Some(Type::Own(_)))
        {
            return Err(CallError::NothingToBind {
                name: name.to_string(),
                export: export.qualified_name(),
            });
        }
        let results = self.invoke(export, func, &vals, &consumed.into_inner(), bind)?;
        let bound = bind.map(str::to_string);
        Ok(Outcome {
            export: Some(export.qualified_name()),
            results,
            bound,
        })
    }

    /// Calls `func`, enforcing the limits, and registers returned handles (a directly
    /// returned one under `bind`, when given).
    fn invoke(
        &mut self,
        export: &ExportFunc,
        func: Func,
        args: &[Val],
        consumed: &[String],
        bind: Option<&str>,
    ) -> Result<Vec<Val>, CallError> {
        self.ensure_alive()?;
        if self.fuel {
            let fuel = self.limits.fuel.unwrap_or(u64::MAX);
            self.store
                .set_fuel(fuel)
                .map_err(|e| self.fail(export, &e))?;
        }
        match self.limits.timeout {
            Some(timeout) => self.store.set_epoch_deadline(ticks(timeout)),
            None => self.store.set_epoch_deadline(u64::MAX / 2),
        }
        let mut results = vec![Val::Bool(false); export.ty.results().len()];
        if let Err(error) = func.call(&mut self.store, args, &mut results) {
            return Err(self.fail(export, &error));
        }
        // Handles passed as `own` now belong to the guest.
        for name in consumed {
            if self.handles.remove(name).is_some() {
                self.report.dropped += 1;
            }
        }
        if let (Some(name), Some(Val::Resource(resource))) = (bind, results.first()) {
            self.register(*resource, export, Some(name));
        }
        for val in &results {
            let mut returned = Vec::new();
            for_each_resource(val, &mut |r| returned.push(*r));
            for resource in returned {
                self.register(resource, export, None);
            }
        }
        Ok(results)
    }

    fn fail(&mut self, export: &ExportFunc, error: &wasmtime::Error) -> CallError {
        let trap = classify(error, &self.limits);
        self.dead = Some(trap.message.clone());
        CallError::Trap {
            export: export.qualified_name(),
            trap: Box::new(trap),
        }
    }

    fn ensure_alive(&self) -> Result<(), CallError> {
        match &self.dead {
            Some(reason) => Err(CallError::Dead(reason.clone())),
            None => Ok(()),
        }
    }

    fn func(&mut self, export: &ExportFunc) -> Func {
        self.instance
            .get_func(&mut self.store, export.index)
            .expect("catalog indices come from this component")
    }

    /// Resolves `target` to an export, and for `handle.method` also the receiver.
    /// Resolves `target` in `catalog` (the session's own, held through an `Arc` by the
    /// caller so the export is borrowed, not cloned, while the session is mutated).
    fn resolve_target<'c>(
        &self,
        catalog: &'c ExportCatalog,
        target: &str,
    ) -> Result<(&'c ExportFunc, Option<String>), CallError> {
        if !target.contains('#')
            && let Some((handle_name, method)) = target.split_once('.')
            && let Some(handle) = self.handles.get(handle_name)
        {
            let methods: Vec<&ExportFunc> = catalog
                        .funcs()
                        .iter()
                        .filter(|f| f.interface == handle.interface)
                        .filter(|f| matches!(&f.kind, FuncKind::Method { resource, .. } if *resource == handle.type_name))
                        .collect();
            return match methods
                .iter()
                .find(|f| matches!(&f.kind, FuncKind::Method { method: m, .. } if m == method))
            {
                Some(f) => Ok((f, Some(handle_name.to_string()))),
                None => Err(CallError::UnknownMethod {
                    handle: handle_name.to_string(),
                    resource: handle.type_name.clone(),
                    method: method.to_string(),
                    methods: methods
                        .iter()
                        .filter_map(|f| match &f.kind {
                            FuncKind::Method { method, .. } => Some(format!("`{method}`")),
                            _ => None,
                        })
                        .collect(),
                }),
            };
        }
        match catalog.resolve(target) {
            Ok(export) => Ok((export, None)),
            // `c.get()` where `c` names neither a resource nor an interface: most likely a
            // handle that was dropped or moved, so say that rather than list exports.
            Err(ResolveError::Unknown { .. })
                if target.split_once('.').is_some_and(|(prefix, _)| {
                    !target.contains('#') && !self.names_resource_or_interface(prefix)
                }) =>
            {
                let (prefix, _) = target.split_once('.').unwrap_or_default();
                Err(self.unknown_handle(prefix))
            }
            Err(error) => Err(error.into()),
        }
    }

    fn names_resource_or_interface(&self, name: &str) -> bool {
        let catalog = &self.component.catalog;
        catalog.resources().iter().any(|r| r.name == name)
            || catalog.funcs().iter().any(|f| {
                f.interface.as_deref().is_some_and(|i| {
                    let unversioned = i.split_once('@').map_or(i, |(n, _)| n);
                    i == name
                        || unversioned == name
                        || unversioned.rsplit_once('/').is_some_and(|(_, b)| b == name)
                })
            })
    }

    fn receiver_val(&self, name: &str, ty: &Type) -> Result<Val, CallError> {
        let handle = self
            .handles
            .get(name)
            .ok_or_else(|| self.unknown_handle(name))?;
        debug_assert!(matches!(ty, Type::Borrow(_)));
        Ok(Val::Resource(handle.resource))
    }

    fn lookup_handle(
        &self,
        name: &str,
        ty: &Type,
        consumed: &RefCell<Vec<String>>,
    ) -> Result<Val, String> {
        let (expected, owned) = match ty {
            Type::Own(r) => (r, true),
            Type::Borrow(r) => (r, false),
            _ => return Err("not a resource type".to_string()),
        };
        let Some(handle) = self.handles.get(name) else {
            return Err(match self.unknown_handle(name) {
                CallError::UnknownHandle { live, .. } if !live.is_empty() => {
                    format!(
                        "no live handle has that name; live handles: {}",
                        live.join(", ")
                    )
                }
                _ => {
                    "no live handle has that name; create one first with `let NAME = resource(...)`"
                        .to_string()
                }
            });
        };
        if handle.resource.ty() != *expected {
            return Err(format!(
                "`{name}` is a `{}`, but this parameter takes a `{}`",
                handle.type_name,
                self.resource_name(expected)
            ));
        }
        if owned {
            consumed.borrow_mut().push(name.to_string());
        }
        Ok(Val::Resource(handle.resource))
    }

    fn unknown_handle(&self, name: &str) -> CallError {
        CallError::UnknownHandle {
            name: name.to_string(),
            live: self.handles.keys().cloned().collect(),
        }
    }

    fn resource_name(&self, ty: &ResourceType) -> String {
        self.resource_types
            .iter()
            .find(|(t, _, _)| t == ty)
            .map_or_else(|| "resource".to_string(), |(_, n, _)| n.clone())
    }

    /// Names a handle the guest returned, unless it is already known.
    fn register(&mut self, resource: ResourceAny, export: &ExportFunc, name: Option<&str>) {
        if !resource.owned() || self.handles.values().any(|h| h.resource == resource) {
            return;
        }
        let (type_name, interface) = self
            .resource_types
            .iter()
            .find(|(t, _, _)| *t == resource.ty())
            .map_or(
                ("resource".to_string(), export.interface.clone()),
                |(_, n, i)| (n.clone(), i.clone()),
            );
        let counter = self.next_id.entry(type_name.clone()).or_insert(0);
        let name = name.map(str::to_string).unwrap_or_else(|| {
            loop {
                *counter += 1;
                let candidate = format!("{type_name}-{counter}");
                if !self.handles.contains_key(&candidate) {
                    break candidate;
                }
            }
        });
        self.report.created += 1;
        self.handles.insert(
            name,
            Handle {
                resource,
                type_name,
                interface,
            },
        );
    }

    fn name_of(&self, resource: &ResourceAny) -> String {
        self.handles
            .iter()
            .find(|(_, h)| h.resource == *resource)
            .map_or_else(|| "<borrowed-handle>".to_string(), |(n, _)| n.clone())
    }
}

/// A session dropped without [`Session::finish`] still runs the guest destructors of the
/// handles it holds, so no code path leaks guest state.
impl Drop for Session {
    fn drop(&mut self) {
        self.release_handles();
    }
}

fn check_arity(
    catalog: &ExportCatalog,
    export: &ExportFunc,
    params: &[(String, Type)],
    given: usize,
) -> Result<(), CallError> {
    let required = params.len()
        - params
            .iter()
            .rev()
            .take_while(|(_, t)| matches!(t, Type::Option(_)))
            .count();
    if given < required || given > params.len() {
        return Err(CallError::Arity {
            export: export.qualified_name(),
            signature: catalog.signature(export),
            expected: params.len(),
            required,
            given,
        });
    }
    Ok(())
}

fn value_error(catalog: &ExportCatalog, export: &ExportFunc, error: ValueError) -> CallError {
    CallError::Value {
        export: export.qualified_name(),
        signature: catalog.signature(export),
        error: Box::new(error),
    }
}
