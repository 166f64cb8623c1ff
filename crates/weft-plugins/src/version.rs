//! One loaded version of a plugin: its file checked, fitted to the host's world,
//! compiled and linked, and its first instance made and described.

use weft_runtime::{
    CallError, Imports, LinkError, LoadError, PinError, Prepared, Runtime, read_pinned,
};

use crate::event::PluginInfo;
use crate::instance::{CreateError, Instance};
use crate::manifest::PluginSpec;
use crate::world::{self, Fit, FitError};

/// A plugin as loaded from its file and manifest entry. Instances made from it carry
/// its `generation`, so a reload can tell them from the new version's.
pub(crate) struct Version {
    pub(crate) generation: u64,
    pub(crate) spec: PluginSpec,
    pub(crate) prepared: Prepared,
    pub(crate) fit: Fit,
    pub(crate) info: PluginInfo,
    /// The event types it wants (`event-filter`), or `None` for every event.
    pub(crate) wanted: Option<Vec<String>>,
    /// The SHA-256 of the file it was loaded from.
    pub(crate) digest: String,
}

/// Why a plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The file could not be read, or is not the one the manifest pins.
    #[error(transparent)]
    Pin(#[from] PinError),
    /// The component does not fit the host's plugin world.
    #[error(transparent)]
    Fit(#[from] FitError),
    /// The component did not compile.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Its imports could not be linked.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// Its first instance could not be made (a capability, the constructor trapped).
    #[error("failed to create the plugin's handler: {0}")]
    Create(#[from] CreateError),
    /// `metadata()` or `wanted-events()` failed.
    #[error("failed to describe the plugin: {0}")]
    Describe(#[from] CallError),
}

impl Version {
    /// Loads the plugin `spec` describes. Returns the version and its first instance.
    pub(crate) fn load(
        runtime: &Runtime,
        spec: &PluginSpec,
        generation: u64,
    ) -> Result<(Version, Instance), PluginError> {
        let (bytes, digest) = read_pinned(&spec.path, spec.sha256.as_deref())?;
        let fit = world::check(&bytes)?;
        let component = runtime.load_bytes(&spec.name, bytes)?;
        let prepared = runtime.prepare(&component, &Imports::new())?;
        let mut first = Instance::create(&prepared, spec, generation)?;
        let info = first.metadata()?;
        let wanted = if fit.filters_events {
            Some(first.wanted_events(&spec.config)?)
        } else {
            None
        };
        let version = Version {
            generation,
            spec: spec.clone(),
            prepared,
            fit,
            info,
            wanted,
            digest,
        };
        Ok((version, first))
    }

    /// Does this version want events of type `event_type`?
    pub(crate) fn wants(&self, event_type: &str) -> bool {
        self.wanted.as_ref().is_none_or(|wanted| {
            wanted
                .iter()
                .any(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => event_type.starts_with(prefix),
                    None => pattern == event_type,
                })
        })
    }
}
