//! The session `weft call` and `weft repl` drive: what they load (a component, or a
//! composition linked at run time) and how its calls run (directly, or on a tokio
//! runtime when the component imports an `async func` or a remote interface).

use std::path::Path;

use anyhow::{Context, bail};
use weft_federation::{NatsAddress, Remote};
use weft_link::Linked;
use weft_runtime::{
    CallError, ExportCatalog, Imports, LinkError, LoadedComponent, Outcome, Prepared, Runtime,
    Session, SessionError, SessionReport, Statement,
};

use crate::hints;
use crate::options::{RunOptions, WacDeps};

/// How long a call over NATS may take when `--timeout` is not given.
pub(crate) const REMOTE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What `weft call` and `weft repl` run: one component, or a composition linked at run time.
pub(crate) enum Target {
    Component(LoadedComponent),
    Composition(Linked),
}

impl Target {
    pub(crate) fn load(runtime: &Runtime, path: &Path, wac: &WacDeps) -> anyhow::Result<Target> {
        if !weft_link::is_composition(path) {
            let component = runtime.load_file(path).map_err(hints::load_error)?;
            return Ok(Target::Component(component));
        }
        if path.extension().is_some_and(|e| e == "toml") {
            wac.check_manifest()?;
        }
        let linked = Linked::load(runtime, path, &wac.wac_options()?)?;
        for warning in linked.warnings() {
            crate::output::stderr_line!("warning: {warning}");
        }
        Ok(Target::Composition(linked))
    }

    /// The exports a call may name.
    pub(crate) fn catalog(&self) -> ExportCatalog {
        match self {
            Target::Component(component) => component.exports().clone(),
            Target::Composition(linked) => linked.app().catalog(),
        }
    }

    fn has_async_imports(&self) -> bool {
        match self {
            Target::Component(component) => component.has_async_imports(),
            Target::Composition(linked) => linked.app().has_async_imports(),
        }
    }

    pub(crate) fn prepare(
        &self,
        runtime: &Runtime,
        imports: &Imports,
    ) -> Result<Prepared, LinkError> {
        match self {
            Target::Component(component) => runtime.prepare(component, imports),
            Target::Composition(linked) => linked.prepare(runtime, imports),
        }
    }
}

/// Binds each import of `bindings` (the component that imports it, the interface, the
/// server's URL) to calls over NATS that give up after `timeout`.
pub(crate) fn bind_remote_imports<T: 'static>(
    mut imports: Imports<T>,
    bindings: Vec<(&LoadedComponent, &str, &str)>,
    timeout: std::time::Duration,
    tokio: &tokio::runtime::Runtime,
) -> anyhow::Result<Imports<T>> {
    for (component, interface, url) in bindings {
        let address = NatsAddress::parse(url)?;
        let remote = tokio.block_on(Remote::connect(&address, timeout))?;
        imports = weft_federation::import_remote(imports, component, interface, remote)?;
    }
    Ok(imports)
}

/// The imports to bind to exports served on NATS, each with the component that imports
/// it: a component's from `--import IFACE=URL`, a composition's from its manifest.
pub(crate) fn remote_bindings<'a>(
    target: &'a Target,
    remote_imports: &'a [String],
) -> anyhow::Result<Vec<(&'a LoadedComponent, &'a str, &'a str)>> {
    match target {
        Target::Component(component) => remote_imports
            .iter()
            .map(|spec| {
                let (interface, url) = spec.split_once('=').with_context(|| {
                    format!("`--import {spec}`: write `IFACE=nats://HOST:PORT[/PREFIX]`")
                })?;
                Ok((component, interface, url))
            })
            .collect(),
        Target::Composition(_) if !remote_imports.is_empty() => bail!(
            "`--import` satisfies imports of one component; in a composition, bind the import in its manifest: `dependencies = {{ IFACE = \"nats://HOST:PORT\" }}`"
        ),
        Target::Composition(linked) => Ok(linked
            .remotes()
            .map(|(component, remote)| (component, remote.import.as_str(), remote.url.as_str()))
            .collect()),
    }
}

/// One session and how its calls are driven: directly, or on a current-thread tokio
/// runtime when the component imports an `async func` (its imports are then linked for
/// async calls).
pub(crate) struct Calls {
    pub(crate) session: Session,
    tokio: Option<tokio::runtime::Runtime>,
}

impl Calls {
    pub(crate) fn start(
        runtime: &Runtime,
        target: &Target,
        run: &RunOptions,
        remote_imports: &[String],
        record: bool,
    ) -> anyhow::Result<Calls> {
        let options = run.session_options()?;
        let mut imports = Imports::new()
            .greeter_logging()
            .trap_unknown(options.trap_unknown_imports);
        if record {
            imports = imports.record_calls();
        }
        let bindings = remote_bindings(target, remote_imports)?;
        let tokio = if target.has_async_imports() || !bindings.is_empty() {
            imports = imports.asynchronous();
            Some(
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("failed to start the async runtime")?,
            )
        } else {
            None
        };
        if let Some(tokio) = &tokio {
            let timeout = options.limits.timeout.unwrap_or(REMOTE_TIMEOUT);
            imports = bind_remote_imports(imports, bindings, timeout, tokio)?;
        }
        let prepared = target
            .prepare(runtime, &imports)
            .map_err(|e| hints::session_error(SessionError::Link(e)))?;
        let session = match &tokio {
            None => prepared.instantiate_with(&options.capabilities, options.limits, ()),
            Some(tokio) => tokio.block_on(prepared.instantiate_async(
                &options.capabilities,
                options.limits,
                (),
            )),
        }
        .map_err(hints::session_error)?;
        Ok(Calls { session, tokio })
    }

    pub(crate) fn eval(&mut self, statement: &Statement) -> Result<Option<Outcome>, CallError> {
        match &self.tokio {
            None => self.session.eval(statement),
            Some(tokio) => tokio.block_on(self.session.eval_async(statement)),
        }
    }

    pub(crate) fn eval_concurrently(
        &mut self,
        statements: &[Statement],
    ) -> Result<Vec<Outcome>, CallError> {
        match &self.tokio {
            None => self.session.eval_concurrently(statements),
            Some(tokio) => tokio.block_on(self.session.eval_concurrently_async(statements)),
        }
    }

    pub(crate) fn call_json(
        &mut self,
        target: &str,
        args: &serde_json::Value,
    ) -> Result<serde_json::Value, CallError> {
        match &self.tokio {
            None => self.session.call_json(target, args),
            Some(tokio) => tokio.block_on(self.session.call_json_async(target, args)),
        }
    }

    pub(crate) fn finish(self) -> SessionReport {
        match self.tokio {
            None => self.session.finish(),
            Some(tokio) => tokio.block_on(self.session.finish_async()),
        }
    }
}
