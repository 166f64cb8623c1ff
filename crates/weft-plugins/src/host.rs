//! The plugin host: a chain of plugins from a manifest, events dispatched through it from
//! any number of threads, and reloads that swap plugins while events flow.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use semver::Version as SemVer;
use weft_runtime::{Runtime, sha256_hex};

use crate::event::{Event, PluginInfo};
use crate::manifest::{Manifest, ManifestError, OnError, PluginSpec};
use crate::metrics::PluginStats;
use crate::plugin::{FailurePolicy, Handled, Plugin};
use crate::version::{PluginError, Version};

/// A chain of plugins loaded from a `plugins.toml`. `Send + Sync`: share it in an
/// [`Arc`] and call [`PluginHost::dispatch`] from any thread.
pub struct PluginHost {
    runtime: Arc<Runtime>,
    manifest_path: PathBuf,
    chain: RwLock<Arc<Chain>>,
    generations: AtomicU64,
    /// One reload at a time.
    reloading: Mutex<()>,
}

/// The plugins in order, and the ones that are not running.
struct Chain {
    plugins: Vec<Arc<Plugin>>,
    policy: FailurePolicy,
    /// The manifest's plugins in order, as last loaded.
    specs: Vec<PluginSpec>,
    /// Plugins that could not be loaded, by name.
    failed: Vec<(String, Arc<PluginError>)>,
}

/// One plugin's state, from [`PluginHost::plugins`].
#[derive(Debug, Clone)]
pub struct PluginReport {
    /// Its name.
    pub name: String,
    /// Its file.
    pub path: PathBuf,
    /// Loaded, failed or disabled.
    pub status: PluginStatus,
}

/// Whether a plugin is running.
#[derive(Debug, Clone)]
pub enum PluginStatus {
    /// In the chain.
    Loaded {
        /// The world it was checked against.
        world: String,
        /// The `example:plugin-system` version it was built for.
        version: SemVer,
        /// Its `metadata()`.
        info: PluginInfo,
        /// The event types it wants (from `event-filter`), or `None` for all.
        wanted: Option<Vec<String>>,
        /// The SHA-256 of its file.
        sha256: String,
    },
    /// Not loaded, and why.
    Failed(Arc<PluginError>),
    /// `enabled = false` in the manifest.
    Disabled,
}

/// What the chain did with one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    /// A plugin answered the event.
    pub handled: bool,
    /// Its answer.
    pub response: Option<String>,
    /// The payload after every plugin that ran (the original if none changed it).
    pub payload: Vec<u8>,
    /// The error that stopped the chain (`on-error = "stop"`), naming its plugin.
    pub error: Option<String>,
    /// What each plugin did, in order.
    pub trace: Vec<Step>,
}

/// One plugin's part in a [`Dispatch`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The plugin.
    pub plugin: String,
    /// What it did.
    pub outcome: StepOutcome,
    /// How long it took.
    pub took: Duration,
}

/// What one plugin did with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// Passed it on unchanged.
    Passed,
    /// Passed it on with a new payload.
    Modified,
    /// Answered it; the chain stopped here.
    Handled,
    /// Does not want this event type (`event-filter`).
    Filtered,
    /// Is disabled after failing; the reason.
    Disabled(String),
    /// Failed; what happened.
    Failed(String),
}

impl StepOutcome {
    /// A one-word name: `passed`, `modified`, `handled`, `filtered`, `disabled`, `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            StepOutcome::Passed => "passed",
            StepOutcome::Modified => "modified",
            StepOutcome::Handled => "handled",
            StepOutcome::Filtered => "filtered",
            StepOutcome::Disabled(_) => "disabled",
            StepOutcome::Failed(_) => "failed",
        }
    }
}

/// What a [`PluginHost::reload`] changed.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Plugins that now run a new version.
    pub reloaded: Vec<String>,
    /// Plugins new to the chain.
    pub added: Vec<String>,
    /// Plugins no longer in it.
    pub removed: Vec<String>,
    /// Plugins whose new version failed; their previous version keeps running.
    pub kept: Vec<(String, Arc<PluginError>)>,
    /// New plugins that failed to load.
    pub failed: Vec<(String, Arc<PluginError>)>,
}

impl ReloadReport {
    /// Did the reload change nothing and fail nothing?
    pub fn is_empty(&self) -> bool {
        self.reloaded.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.kept.is_empty()
            && self.failed.is_empty()
    }
}

impl PluginHost {
    /// Loads the manifest at `path` and every enabled plugin in it. A plugin that fails
    /// to load is reported by [`PluginHost::plugins`] and left out of the chain; only a
    /// manifest that cannot be read fails here.
    pub fn load(runtime: Arc<Runtime>, path: &Path) -> Result<PluginHost, ManifestError> {
        let manifest = Manifest::from_file(path)?;
        Ok(PluginHost::new(runtime, manifest))
    }

    /// A host for an already parsed manifest.
    pub fn new(runtime: Arc<Runtime>, manifest: Manifest) -> PluginHost {
        let host = PluginHost {
            runtime,
            manifest_path: manifest.path.clone(),
            chain: RwLock::new(Arc::new(Chain {
                plugins: Vec::new(),
                policy: policy(&manifest),
                specs: Vec::new(),
                failed: Vec::new(),
            })),
            generations: AtomicU64::new(0),
            reloading: Mutex::new(()),
        };
        host.apply(manifest);
        host
    }

    /// The manifest's path.
    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }

    /// Every plugin of the manifest, in order, with its state.
    pub fn plugins(&self) -> Vec<PluginReport> {
        let chain = self.chain();
        chain
            .specs
            .iter()
            .map(|spec| {
                let status = if !spec.enabled {
                    PluginStatus::Disabled
                } else if let Some(plugin) = chain.plugins.iter().find(|p| p.name == spec.name) {
                    let version = plugin.version();
                    PluginStatus::Loaded {
                        world: version.fit.world.clone(),
                        version: version.fit.version.clone(),
                        info: version.info.clone(),
                        wanted: version.wanted.clone(),
                        sha256: version.digest.clone(),
                    }
                } else {
                    let error = chain
                        .failed
                        .iter()
                        .find(|(name, _)| *name == spec.name)
                        .map(|(_, e)| Arc::clone(e))
                        .expect("an enabled plugin is loaded or failed");
                    PluginStatus::Failed(error)
                };
                PluginReport {
                    name: spec.name.clone(),
                    path: spec.path.clone(),
                    status,
                }
            })
            .collect()
    }

    /// The files a reload depends on: the manifest and every plugin's component.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let chain = self.chain();
        std::iter::once(self.manifest_path.clone())
            .chain(chain.specs.iter().map(|s| s.path.clone()))
            .collect()
    }

    /// Passes `event` through the chain: each enabled plugin in order, until one
    /// handles it, or one fails under `on-error = "stop"`.
    pub fn dispatch(&self, mut event: Event) -> Dispatch {
        let chain = self.chain();
        let mut dispatch = Dispatch {
            handled: false,
            response: None,
            payload: Vec::new(),
            error: None,
            trace: Vec::with_capacity(chain.plugins.len()),
        };
        for plugin in &chain.plugins {
            let started = Instant::now();
            let handled = plugin.handle(&event, chain.policy);
            let outcome = match handled {
                Handled::Result(result) => {
                    let modified = result.modified_payload.is_some();
                    if let Some(payload) = result.modified_payload {
                        event.payload = payload;
                    }
                    if result.handled {
                        dispatch.handled = true;
                        dispatch.response = result.response;
                        StepOutcome::Handled
                    } else if modified {
                        StepOutcome::Modified
                    } else {
                        StepOutcome::Passed
                    }
                }
                Handled::Filtered => StepOutcome::Filtered,
                Handled::Disabled(reason) => StepOutcome::Disabled(reason),
                Handled::Failed(error) => {
                    let stop = plugin.version().spec.on_error == OnError::Stop;
                    if stop {
                        dispatch.error = Some(format!("plugin `{}`: {error}", plugin.name));
                    }
                    StepOutcome::Failed(error)
                }
            };
            let stops = outcome == StepOutcome::Handled || dispatch.error.is_some();
            dispatch.trace.push(Step {
                plugin: plugin.name.clone(),
                outcome,
                took: started.elapsed(),
            });
            if stops {
                break;
            }
        }
        dispatch.payload = event.payload;
        dispatch
    }

    /// Reads the manifest again and brings the chain in line with it: plugins whose file
    /// or settings changed are loaded anew and swapped in (events in flight finish on the
    /// old version); one that fails keeps its previous version running. A manifest that
    /// does not parse changes nothing.
    pub fn reload(&self) -> Result<ReloadReport, ManifestError> {
        let manifest = Manifest::from_file(&self.manifest_path)?;
        Ok(self.apply(manifest))
    }

    /// Every running plugin's figures.
    pub fn stats(&self) -> Vec<PluginStats> {
        self.chain().plugins.iter().map(|p| p.stats()).collect()
    }

    fn chain(&self) -> Arc<Chain> {
        Arc::clone(&self.chain.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Makes the chain match `manifest`.
    fn apply(&self, manifest: Manifest) -> ReloadReport {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let old = self.chain();
        let mut report = ReloadReport::default();
        let mut plugins = Vec::new();
        let mut failed = Vec::new();
        for spec in manifest.plugins.iter().filter(|s| s.enabled) {
            let existing = old.plugins.iter().find(|p| p.name == spec.name);
            if let Some(plugin) = existing {
                let current = plugin.version();
                if current.spec.same_settings(spec)
                    && file_digest(&spec.path) == Some(current.digest.clone())
                {
                    plugins.push(Arc::clone(plugin));
                    continue;
                }
            }
            let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
            match (Version::load(&self.runtime, spec, generation), existing) {
                (Ok((version, first)), Some(plugin)) => {
                    plugin.swap(version, first);
                    report.reloaded.push(spec.name.clone());
                    plugins.push(Arc::clone(plugin));
                }
                (Ok((version, first)), None) => {
                    report.added.push(spec.name.clone());
                    plugins.push(Arc::new(Plugin::new(version, first)));
                }
                (Err(error), Some(plugin)) => {
                    tracing::warn!(
                        plugin = %spec.name,
                        "the new version failed to load; the previous one keeps running: {error}"
                    );
                    report.kept.push((spec.name.clone(), Arc::new(error)));
                    plugins.push(Arc::clone(plugin));
                }
                (Err(error), None) => {
                    let error = Arc::new(error);
                    report.failed.push((spec.name.clone(), Arc::clone(&error)));
                    failed.push((spec.name.clone(), error));
                }
            }
        }
        report.removed = old
            .plugins
            .iter()
            .filter(|p| !plugins.iter().any(|kept| kept.name == p.name))
            .map(|p| p.name.clone())
            .collect();
        let chain = Chain {
            plugins,
            policy: policy(&manifest),
            specs: manifest.plugins,
            failed,
        };
        *self.chain.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(chain);
        report
    }
}

fn policy(manifest: &Manifest) -> FailurePolicy {
    FailurePolicy {
        max_failures: manifest.max_failures,
        window: manifest.failure_window,
    }
}

/// The SHA-256 of the file at `path`, if it can be read.
fn file_digest(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|bytes| sha256_hex(&bytes))
}
