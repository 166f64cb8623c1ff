//! A plugin host for WebAssembly components: the seed's plugin architecture
//! (`example:plugin-system`) as a library an application embeds, and the engine of
//! `weft plugins`.
//!
//! A [`PluginHost`] loads a chain of plugins from a `plugins.toml` ([`Manifest`]),
//! modelled on Extism's manifest. Every plugin is checked against the host's world
//! before it runs (any `example:plugin-system` 1.x; [`world`]), runs in its own stores
//! with its own limits and capabilities, is restarted when it fails and disabled when it
//! keeps failing, and can be swapped while events flow ([`PluginHost::reload`],
//! [`watch`]). Events go through the chain with the seed's semantics: `handled` stops
//! it, `modified-payload` replaces the payload for later plugins and the host, and an
//! error continues or stops the chain by the manifest's `on-error`.
//!
//! Everything runs on `weft-runtime`'s host core: compiling (and its cache), linking
//! (WASI with granted capabilities only), limits and traps are the core's.
//!
//! ```no_run
//! use std::sync::Arc;
//! use weft_plugins::{Event, PluginHost};
//! use weft_runtime::{Runtime, RuntimeConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Arc::new(Runtime::new(RuntimeConfig::default())?);
//! let host = PluginHost::load(runtime, "plugins.toml".as_ref())?;
//! let answer = host.dispatch(Event {
//!     event_type: "http.request".into(),
//!     payload: br#"{"authorization": "Bearer eyJ..."}"#.to_vec(),
//!     timestamp: 1_700_000_000_000,
//! });
//! if answer.handled {
//!     println!("refused: {}", answer.response.unwrap_or_default());
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod event;
mod host;
mod instance;
mod manifest;
mod metrics;
mod plugin;
mod version;
mod watch;
pub mod world;

pub use event::{Event, EventJsonError, HookResult, PluginInfo, bytes_json};
pub use host::{Dispatch, PluginHost, PluginReport, PluginStatus, ReloadReport, Step, StepOutcome};
pub use instance::CreateError;
pub use manifest::{
    DEFAULT_FAILURE_WINDOW, DEFAULT_MAX_FAILURES, DEFAULT_PLUGIN_MEMORY, DEFAULT_TIMEOUT, Manifest,
    ManifestError, OnError, PluginSpec,
};
pub use metrics::PluginStats;
pub use version::PluginError;
pub use watch::watch;
pub use weft_watch::Watcher;
