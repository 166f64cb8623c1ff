//! The text front ends of a session: calls written in WAVE (`greet({name: "Ada"})`,
//! `let c = counter("x")`, `c.increment(2)`, `drop(c)`) and calls with JSON arguments.
//! Both turn text into values against the export's types, then call the core.

use std::cell::RefCell;
use std::sync::Arc;

use wasmtime::component::{ResourceAny, Type, Val};

use super::{CallError, Session};
use crate::call::{CallText, Statement};
use crate::exports::{ExportCatalog, ExportFunc, FuncKind, ResolveError};
use crate::imports::Mode;
use crate::values::{Path, ValueError, json, required_args, wave};

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

/// A call whose arguments are values now, ready for the core.
struct Built<'c> {
    export: &'c ExportFunc,
    vals: Vec<Val>,
}

/// A call of a concurrent batch, built and resolved.
struct Batched<'c> {
    built: Built<'c>,
    func: wasmtime::component::Func,
    bind: Option<String>,
}

impl Batched<'_> {
    fn call(&self) -> super::streaming::PlannedCall {
        super::streaming::PlannedCall::new(self.func, self.built.export, self.built.vals.clone())
    }
}

/// Where the arguments of a call come from.
enum Args<'a> {
    Wave(&'a CallText),
    Json(&'a serde_json::Value),
}

impl<T: Send + 'static> Session<T> {
    /// Evaluates one WAVE call, `target(args)`, and returns its result as WAVE (empty for
    /// a function without result).
    ///
    /// ```no_run
    /// # fn demo(session: &mut weft_runtime::Session) -> Result<(), weft_runtime::CallError> {
    /// let text = session.call_wave(r#"greet({name: "Ada", title: some("Dr.")})"#)?;
    /// assert_eq!(text, r#""Hello, Dr. Ada! Welcome aboard.""#);
    /// # Ok(()) }
    /// ```
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
        let built = self.build(&catalog, target, Args::Json(args))?;
        let results = self.invoke_bound(built.export, &built.vals, None)?;
        Ok(self.json_result(&results))
    }

    /// [`Session::call_json`] for sessions linked for async calls.
    pub async fn call_json_async(
        &mut self,
        target: &str,
        args: &serde_json::Value,
    ) -> Result<serde_json::Value, CallError> {
        let catalog = Arc::clone(&self.component.catalog);
        let built = self.build(&catalog, target, Args::Json(args))?;
        let results = self
            .invoke_async_bound(built.export, &built.vals, None)
            .await?;
        Ok(self.json_result(&results))
    }

    /// A call's result as JSON: `null` for a function without one.
    fn json_result(&mut self, results: &[Val]) -> serde_json::Value {
        match results.first() {
            Some(v) => self.render_json(v),
            None => serde_json::Value::Null,
        }
    }

    /// Runs one statement: a call, `let NAME = call`, or `drop(NAME)`.
    pub fn eval(&mut self, statement: &Statement) -> Result<Option<Outcome>, CallError> {
        let (call, bind) = match call_of(statement) {
            Ok(call) => call,
            Err(name) => return self.drop_handle(name).map(|()| None),
        };
        let catalog = Arc::clone(&self.component.catalog);
        let built = self.build_statement(&catalog, call, bind)?;
        let results = self.invoke_bound(built.export, &built.vals, bind)?;
        Ok(Some(self.outcome(built, results, bind)))
    }

    /// [`Session::eval`] for async calls. Must run on a tokio runtime.
    pub async fn eval_async(
        &mut self,
        statement: &Statement,
    ) -> Result<Option<Outcome>, CallError> {
        let (call, bind) = match statement {
            Statement::Drop { name } => {
                self.drop_handle_async(name).await?;
                return Ok(None);
            }
            Statement::Call(text) => (text, None),
            Statement::Let { name, call } => (call, Some(name.as_str())),
        };
        let catalog = Arc::clone(&self.component.catalog);
        let built = self.build_statement(&catalog, call, bind)?;
        let results = self
            .invoke_async_bound(built.export, &built.vals, bind)
            .await?;
        Ok(Some(self.outcome(built, results, bind)))
    }

    /// Runs the calls `statements` (calls and `let`s) at once, in the store's event
    /// loop: while one async call waits (on an import, a stream, a timer), the others
    /// run. Their outcomes come back in order; a trap in one ends them all. The
    /// timeout bounds the whole batch on an async session, and each call's wasm and
    /// input reads on a sync one.
    pub fn eval_concurrently(
        &mut self,
        statements: &[Statement],
    ) -> Result<Vec<Outcome>, CallError> {
        let catalog = Arc::clone(&self.component.catalog);
        let (batch, name) = self.plan_batch(&catalog, statements, Mode::Sync)?;
        let calls = batch.iter().map(|b| b.call()).collect();
        let sink = self.stream_sink.clone();
        let run = super::streaming::drive_all(&mut self.store, calls, sink);
        let Some(result) = super::streaming::block_on_until_idle(run) else {
            return Err(self.stop_named(&name, super::streaming::stalled()));
        };
        let results = self.settle_named(&name, result)?;
        Ok(self.batch_outcomes(batch, results))
    }

    /// [`Session::eval_concurrently`] for sessions linked for async calls. Must run on
    /// a tokio runtime.
    pub async fn eval_concurrently_async(
        &mut self,
        statements: &[Statement],
    ) -> Result<Vec<Outcome>, CallError> {
        let catalog = Arc::clone(&self.component.catalog);
        let (batch, name) = self.plan_batch(&catalog, statements, Mode::Async)?;
        let calls = batch.iter().map(|b| b.call()).collect();
        let timeout = self.limits.timeout;
        let sink = self.stream_sink.clone();
        let run = super::streaming::drive_all(&mut self.store, calls, sink);
        let result = match timeout {
            Some(timeout) => tokio::time::timeout(timeout, run).await.ok(),
            None => Some(run.await),
        };
        let Some(result) = result else {
            let trap = crate::trap::Trap::deadline(&self.limits);
            return Err(self.stop_named(&name, trap));
        };
        let results = self.settle_named(&name, result)?;
        Ok(self.batch_outcomes(batch, results))
    }

    /// Builds every statement of a concurrent batch and arms the limits once; the
    /// batch's name (its exports) is for errors.
    fn plan_batch<'c>(
        &mut self,
        catalog: &'c ExportCatalog,
        statements: &[Statement],
        mode: Mode,
    ) -> Result<(Vec<Batched<'c>>, String), CallError> {
        let mut batch: Vec<Batched<'c>> = Vec::with_capacity(statements.len());
        for statement in statements {
            let (call, bind) =
                call_of(statement).map_err(|name| CallError::DropInBatch(name.to_string()))?;
            if let Some(name) = bind
                && batch.iter().any(|b| b.bind.as_deref() == Some(name))
            {
                return Err(CallError::HandleExists(name.to_string()));
            }
            let built = self.build_statement(catalog, call, bind)?;
            super::streaming::refuse_unmovable(built.export)?;
            let func = self.func(built.export);
            batch.push(Batched {
                built,
                func,
                bind: bind.map(str::to_string),
            });
        }
        let name = batch
            .iter()
            .map(|b| b.built.export.qualified_name())
            .collect::<Vec<_>>()
            .join(" | ");
        self.arm(&name, mode)?;
        Ok((batch, name))
    }

    /// The outcomes of a finished batch, its handles registered.
    fn batch_outcomes(&mut self, batch: Vec<Batched<'_>>, results: Vec<Vec<Val>>) -> Vec<Outcome> {
        batch
            .into_iter()
            .zip(results)
            .map(|(b, results)| {
                let bind = b.bind.as_deref();
                self.after_call(b.built.export, &b.built.vals, &results, bind);
                self.outcome(b.built, results, bind)
            })
            .collect()
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

    fn build_statement<'c>(
        &mut self,
        catalog: &'c ExportCatalog,
        text: &str,
        bind: Option<&str>,
    ) -> Result<Built<'c>, CallError> {
        if let Some(name) = bind
            && self.handles.contains(name)
        {
            return Err(CallError::HandleExists(name.to_string()));
        }
        let call = CallText::parse(text)?;
        let built = self.build(catalog, &call.target, Args::Wave(&call))?;
        if let Some(name) = bind
            && !matches!(built.export.ty.results().next(), Some(Type::Own(_)))
        {
            return Err(CallError::NothingToBind {
                name: name.to_string(),
                export: built.export.qualified_name(),
            });
        }
        Ok(built)
    }

    fn outcome(&mut self, built: Built<'_>, results: Vec<Val>, bind: Option<&str>) -> Outcome {
        Outcome {
            export: Some(built.export.qualified_name()),
            results,
            bound: bind.map(str::to_string),
        }
    }

    /// Resolves `target` and turns the arguments into values of its parameter types.
    fn build<'c>(
        &mut self,
        catalog: &'c ExportCatalog,
        target: &str,
        args: Args<'_>,
    ) -> Result<Built<'c>, CallError> {
        let (export, receiver) = self.resolve_target(catalog, target)?;
        let func = self.func(export);
        // The instance's own view of the types: resource parameters must be compared with
        // the resource types of this instance, which the component-level type lacks.
        let params: Vec<(String, Type)> = func
            .ty(&self.store)
            .params()
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        let skip = usize::from(receiver.is_some());
        let explicit = &params[skip.min(params.len())..];
        // The parameter the stream input fills is left out of the call text.
        let from_input = self
            .has_stream_input()
            .then(|| explicit.iter().position(|(_, t)| is_byte_stream(t)))
            .flatten();
        let written: Vec<(String, Type)> = explicit
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != from_input)
            .map(|(_, p)| p.clone())
            .collect();
        let nodes: Vec<&wasm_wave::ast::Node>;
        let given = match &args {
            Args::Wave(call) => {
                nodes = match &call.args {
                    Some(node) => node.as_tuple().map(Iterator::collect).unwrap_or_default(),
                    None => Vec::new(),
                };
                nodes.len()
            }
            Args::Json(value) => {
                nodes = Vec::new();
                value
                    .as_array()
                    .ok_or_else(|| CallError::JsonArgs {
                        export: export.qualified_name(),
                        signature: catalog.signature(export),
                    })?
                    .len()
            }
        };
        check_arity(catalog, export, &written, given)?;
        let mut vals = Vec::with_capacity(params.len());
        // Every handle the arguments name, and whether it is passed as `own`.
        let used: RefCell<Vec<(String, bool)>> = RefCell::new(Vec::new());
        if let Some(receiver) = &receiver {
            used.borrow_mut().push((receiver.clone(), false));
            let handle = self
                .handles
                .get(receiver)
                .ok_or_else(|| self.unknown_handle(receiver))?;
            vals.push(Val::Resource(handle.resource));
        }
        for (at, (name, ty)) in explicit.iter().enumerate() {
            if Some(at) == from_input {
                let input = self.take_stream_input().expect("checked above");
                vals.push(input.map_err(|error| CallError::Stream {
                    export: export.qualified_name(),
                    error,
                })?);
                continue;
            }
            let i = at - usize::from(from_input.is_some_and(|k| k < at));
            let lookup = |n: &str, t: &Type| {
                used.borrow_mut()
                    .push((n.to_string(), matches!(t, Type::Own(_))));
                self.lookup_handle(n, t)
            };
            let path = Path::root(name);
            let val = match &args {
                Args::Wave(call) => match nodes.get(i) {
                    Some(node) => wave::from_node(node, ty, &call.args_source, &path, &lookup),
                    // Trailing option parameters may be left out, as in WAVE.
                    None => Ok(Val::Option(None)),
                },
                Args::Json(value) => match value.as_array().and_then(|items| items.get(i)) {
                    Some(item) => json::from_json(item, ty, &path, &lookup),
                    None => Ok(Val::Option(None)),
                },
            }
            .map_err(|error| value_error(catalog, export, error))?;
            vals.push(val);
        }
        check_moves(&export.qualified_name(), &used.into_inner())?;
        self.host_streams(&params, &mut vals)
            .map_err(|error| CallError::Stream {
                export: export.qualified_name(),
                error,
            })?;
        Ok(Built { export, vals })
    }

    /// Resolves `target` in `catalog` (the session's own, held through an `Arc` by the
    /// caller so the export is borrowed, not cloned, while the session is mutated), and
    /// for `handle.method` also the receiver.
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

    fn lookup_handle(&self, name: &str, ty: &Type) -> Result<Val, String> {
        let expected = match ty {
            Type::Own(r) | Type::Borrow(r) => r,
            _ => return Err("not a resource type".to_string()),
        };
        let Some(handle) = self.handles.get(name) else {
            let live = self.handles.names();
            return Err(if live.is_empty() {
                "no live handle has that name; create one first with `let NAME = resource(...)`"
                    .to_string()
            } else {
                format!(
                    "no live handle has that name; live handles: {}",
                    live.join(", ")
                )
            });
        };
        if handle.resource.ty() != *expected {
            return Err(format!(
                "`{name}` is a `{}`, but this parameter takes a `{}`",
                handle.type_name,
                self.resource_names
                    .find(expected)
                    .map_or("resource", |(n, _)| n)
            ));
        }
        Ok(Val::Resource(handle.resource))
    }

    fn name_of(&self, resource: &ResourceAny) -> String {
        self.handles
            .name_of(resource)
            .map_or_else(|| "<borrowed-handle>".to_string(), str::to_string)
    }
}

/// Whether `ty` is `stream<u8>`, the type a byte input fills.
fn is_byte_stream(ty: &Type) -> bool {
    matches!(ty, Type::Stream(s) if s.ty() == Some(Type::U8))
}

/// The call text of a statement and the handle name a `let` binds, or the handle a
/// `drop` names.
fn call_of(statement: &Statement) -> Result<(&str, Option<&str>), &str> {
    match statement {
        Statement::Drop { name } => Err(name),
        Statement::Call(text) => Ok((text, None)),
        Statement::Let { name, call } => Ok((call, Some(name))),
    }
}

/// A handle passed as `own` moves to the guest, so it cannot also be passed again in
/// the same call (wasmtime would take it once and leave the other slot dangling).
fn check_moves(export: &str, used: &[(String, bool)]) -> Result<(), CallError> {
    for (i, (name, owned)) in used.iter().enumerate() {
        let again = used[i + 1..]
            .iter()
            .any(|(n, o)| n == name && (*owned || *o));
        if again {
            return Err(CallError::HandleMovedTwice {
                export: export.to_string(),
                name: name.clone(),
            });
        }
    }
    Ok(())
}

fn check_arity(
    catalog: &ExportCatalog,
    export: &ExportFunc,
    params: &[(String, Type)],
    given: usize,
) -> Result<(), CallError> {
    let required = required_args(params);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(list: &[(&str, bool)]) -> Vec<(String, bool)> {
        list.iter().map(|(n, o)| (n.to_string(), *o)).collect()
    }

    #[test]
    fn a_handle_moved_and_passed_again_is_refused() {
        let twice_owned = check_moves("f", &uses(&[("c", true), ("c", true)]));
        assert!(
            matches!(twice_owned, Err(CallError::HandleMovedTwice { name, .. }) if name == "c")
        );
        let owned_then_borrowed =
            check_moves("f", &uses(&[("d", false), ("c", true), ("c", false)]));
        assert!(owned_then_borrowed.is_err());
        // Borrowing one handle twice is fine, and so is moving two different ones.
        assert!(check_moves("f", &uses(&[("c", false), ("c", false)])).is_ok());
        assert!(check_moves("f", &uses(&[("c", true), ("d", true)])).is_ok());
    }
}
