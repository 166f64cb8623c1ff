//! Runtime linking: a composition (the seed's `compose.toml`, or a WAC document)
//! instantiated and linked at run time, with no composed binary.
//!
//! `weft-compose` checks the manifest exactly as `weft compose` does and answers a
//! [`LinkPlan`](weft_compose::LinkPlan) instead of bytes; this crate loads each member
//! into the runtime and builds a [`weft_runtime::App`] from the plan. Sessions of the
//! prepared application hold one instance per member in one store, each linked import
//! forwarding to its provider's export (resources through host stand-ins: see
//! `weft_runtime::App`).
//!
//! ```no_run
//! use weft_link::Linked;
//! use weft_runtime::{Capabilities, Imports, Limits, Runtime, RuntimeConfig};
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let linked = Linked::load(&runtime, "examples/compose/compose.toml".as_ref(), &Default::default())?;
//! let prepared = linked.prepare(&runtime, &Imports::new())?;
//! let mut session = prepared.instantiate(Capabilities::default(), Limits::default())?;
//! let greeting = session.call_wave(r#"greet({name: "Ada", title: none})"#)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A running application can have one member replaced ([`LiveApp::replace`]): the
//! application is linked again around the new component and swapped in atomically;
//! sessions made after the swap reach the new instance, sessions made before finish on
//! theirs (instance state does not move across).
//!
//! A manifest may bind an import to an export served on NATS
//! (`dependencies = { logging = "nats://HOST:PORT" }`): the plan leaves it open and
//! [`Linked::remotes`] lists it, for the host to bind (`weft_federation::import_remote`).

#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use weft_compose::{CompositionError, LinkPlan, PlannedRemote, WacOptions, Warning};
use weft_runtime::{
    App, AppError, Capabilities, HotSwap, Imports, Limits, LoadError, LoadedComponent, Prepared,
    Runtime, Session, SessionError,
};

/// Why a composition could not be loaded for runtime linking.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The manifest or WAC document does not compose (the same errors as `weft compose`).
    #[error(transparent)]
    Composition(#[from] CompositionError),
    /// A member's component could not be compiled.
    #[error("member `{member}` of `{}`: {source}", app.display())]
    Load {
        /// The manifest.
        app: PathBuf,
        /// The member.
        member: String,
        /// Why.
        #[source]
        source: LoadError,
    },
    /// The plan does not fit the components (a replaced member lacks an import or export).
    #[error(transparent)]
    App(#[from] AppError),
    /// The members' imports and exports do not link.
    #[error(transparent)]
    Runtime(#[from] weft_runtime::LinkError),
}

/// Is `path` a composition rather than a component: a `.toml` manifest or a `.wac`
/// document?
pub fn is_composition(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("toml" | "wac")
    )
}

/// A composition loaded for runtime linking: its plan and its members compiled.
#[derive(Clone)]
pub struct Linked {
    path: PathBuf,
    sources: Vec<PathBuf>,
    app: App,
    /// Imports bound to served exports, by member name.
    remotes: Vec<(String, PlannedRemote)>,
    warnings: Vec<Warning>,
}

impl Linked {
    /// Plans the composition at `path` (a `.wac` document, found with `wac`'s packages;
    /// any other file is read as a `compose.toml` manifest) and compiles its members.
    pub fn load(runtime: &Runtime, path: &Path, wac: &WacOptions) -> Result<Linked, LinkError> {
        let plan = weft_compose::plan_file(path, wac)?;
        Linked::from_plan(runtime, path, plan)
    }

    /// Compiles the members of `plan`, read from `path`.
    pub fn from_plan(runtime: &Runtime, path: &Path, plan: LinkPlan) -> Result<Linked, LinkError> {
        let mut app = App::new(path.display().to_string());
        let mut sources = vec![path.to_path_buf()];
        let mut remotes = Vec::new();
        for member in plan.members {
            remotes.extend(
                member
                    .remotes
                    .iter()
                    .map(|r| (member.name.clone(), r.clone())),
            );
            sources.extend(member.source.clone());
            let component = runtime
                .load_bytes(
                    &format!("{} ({})", member.name, member.package),
                    member.bytes,
                )
                .map_err(|source| LinkError::Load {
                    app: path.to_path_buf(),
                    member: member.name.clone(),
                    source,
                })?;
            app.member(&member.name, component)?;
            for link in &member.links {
                app.link(&member.name, &link.import, &link.provider, &link.export)?;
            }
            for export in &member.exposes {
                app.expose(&member.name, export)?;
            }
        }
        Ok(Linked {
            path: path.to_path_buf(),
            sources,
            app,
            remotes,
            warnings: plan.warnings,
        })
    }

    /// The imports the composition binds to exports served on NATS: each with the
    /// member that imports it (the host must bind it before [`Linked::prepare`]).
    pub fn remotes(&self) -> impl Iterator<Item = (&LoadedComponent, &PlannedRemote)> {
        self.remotes.iter().filter_map(|(member, remote)| {
            self.app
                .members()
                .find(|(name, _)| name == member)
                .map(|(_, component)| (component, remote))
        })
    }

    /// The composition's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The files the composition was read from: itself, and each member's file when it
    /// names one (what `--watch` watches).
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }

    /// The application built from the plan.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// What the manifest asked for that is left out (as `weft compose` warns).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Links the members with `imports` for what no member provides.
    pub fn prepare<T: Send + 'static>(
        &self,
        runtime: &Runtime,
        imports: &Imports<T>,
    ) -> Result<Prepared<T>, weft_runtime::LinkError> {
        runtime.prepare_app(&self.app, imports)
    }

    /// Replaces member `member` with the component at `path`.
    pub fn replace(
        &mut self,
        runtime: &Runtime,
        member: &str,
        path: &Path,
    ) -> Result<(), LinkError> {
        let component = runtime.load_file(path).map_err(|source| LinkError::Load {
            app: self.path.clone(),
            member: member.to_string(),
            source,
        })?;
        self.app.replace(member, component)?;
        Ok(())
    }
}

/// A linked application in use: sessions come from the newest preparation, and a member
/// can be replaced while sessions run.
pub struct LiveApp<T: 'static = ()> {
    linked: Linked,
    imports: Imports<T>,
    current: Arc<HotSwap<T>>,
}

impl<T: Send + 'static> LiveApp<T> {
    /// Prepares `linked` with `imports`.
    pub fn new(
        runtime: &Runtime,
        linked: Linked,
        imports: Imports<T>,
    ) -> Result<LiveApp<T>, LinkError> {
        let prepared = linked.prepare(runtime, &imports)?;
        Ok(LiveApp {
            linked,
            imports,
            current: Arc::new(HotSwap::new(prepared)),
        })
    }

    /// The swappable preparation, for hosts that instantiate it themselves.
    pub fn hot_swap(&self) -> Arc<HotSwap<T>> {
        Arc::clone(&self.current)
    }

    /// A session of the current application.
    pub fn instantiate(
        &self,
        capabilities: &Capabilities,
        limits: Limits,
        data: T,
    ) -> Result<Session<T>, SessionError> {
        self.current.instantiate_with(capabilities, limits, data)
    }

    /// Replaces member `member` with the component at `path` and swaps the relinked
    /// application in. On an error the running application is left as it was.
    pub fn replace(
        &mut self,
        runtime: &Runtime,
        member: &str,
        path: &Path,
    ) -> Result<(), LinkError> {
        let mut next = self.linked.clone();
        next.replace(runtime, member, path)?;
        let prepared = next.prepare(runtime, &self.imports)?;
        self.current.swap(prepared);
        self.linked = next;
        Ok(())
    }
}
