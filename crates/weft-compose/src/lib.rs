//! Compose WebAssembly components into one, and turn core modules into components.
//!
//! `weft-compose` is the library behind `weft compose`, `weft plug`, `weft new` and
//! `weft targets`. It never runs wasm (no wasmtime here): it builds a composition
//! graph with [`wac_graph`] and encodes it, or asks [`wit_component`] to build or check a
//! component. Every component it produces is validated with `wasmparser` before it is
//! handed back, and comes with the list of its imports (what the host must still
//! provide) and exports.
//!
//! The entry points, one per operation, each with its own error type:
//!
//! - [`compose_manifest`] / [`compose_manifest_file`]: the seed's `compose.toml`
//!   ([`manifest`] defines the format) → [`ComposeError`];
//! - [`compose_wac`] / [`compose_wac_file`]: a WAC document → [`WacError`];
//! - [`plug()`]: plug the exports of some components into the imports of another →
//!   [`PlugError`];
//! - [`plan_manifest_file`] / [`plan_wac_file`]: the same checks, answered as a
//!   [`LinkPlan`] for linking the instances at run time instead of encoding them
//!   ([`compose_file`] and [`plan_file`] pick by the file's extension);
//! - [`new_component`]: a core module (with or without embedded WIT) → a component,
//!   adapting `wasi_snapshot_preview1` itself → [`NewError`];
//! - [`targets()`]: does a component fit a WIT world → [`TargetsError`].
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! // The seed's compose.toml: greeter's `logging` import is satisfied by logger.
//! let composition = weft_compose::compose_manifest_file("examples/compose/compose.toml".as_ref())?;
//! for warning in &composition.warnings {
//!     eprintln!("warning: {warning}");
//! }
//! for import in &composition.imports {
//!     println!("still imports {} {}", import.kind, import.name);
//! }
//! std::fs::write("app.wasm", &composition.bytes)?;
//! # Ok(())
//! # }
//! ```
//!
//! wac 0.12 is built on the wasm-tools 0.258 family while the rest of weft (wasmtime 48)
//! uses 0.254; only encoded bytes pass between the two families, so no type exists twice
//! at a crate boundary.

#![deny(missing_docs)]

mod component;
mod graph;
mod link_plan;
pub mod manifest;
mod mismatch;
mod names;
mod new;
mod plug;
mod source;
mod targets;
mod wac;
mod wit_text;

pub use component::{
    Composition, Extern, ExternKind, ReadError, ValidationError, Warning, read_wasm, validate,
};
pub use graph::{ComposeError, compose_manifest, compose_manifest_file, plan_manifest_file};
pub use link_plan::{LinkPlan, PlanError, PlannedLink, PlannedMember, PlannedRemote};
pub use manifest::Manifest;
pub use mismatch::TypeMismatch;
pub use new::{NewError, NewOptions, NewOutput, WasiAdapter, WorldPath, new_component};
pub use plug::{PlugError, plug};
pub use source::{Location, TomlError, manifest_hint, parse_toml, read_toml};
pub use targets::{Difference, TargetsError, targets, targets_world};
pub use wac::{WacError, WacOptions, compose_wac, compose_wac_file, parse_dep, plan_wac_file};

/// Why a composition file could not be composed or planned: as a manifest or as WAC.
#[derive(Debug, thiserror::Error)]
pub enum CompositionError {
    /// A `compose.toml` manifest.
    #[error(transparent)]
    Manifest(#[from] ComposeError),
    /// A WAC document.
    #[error(transparent)]
    Wac(#[from] WacError),
}

fn is_wac(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "wac")
}

/// Composes the file at `path`: a `.wac` document (its packages found as `wac` says), or
/// a `compose.toml` manifest.
pub fn compose_file(
    path: &std::path::Path,
    wac: &WacOptions,
) -> Result<Composition, CompositionError> {
    Ok(if is_wac(path) {
        compose_wac_file(path, wac)?
    } else {
        compose_manifest_file(path)?
    })
}

/// Plans the file at `path` for linking at run time, as [`compose_file`] reads it.
pub fn plan_file(path: &std::path::Path, wac: &WacOptions) -> Result<LinkPlan, CompositionError> {
    Ok(if is_wac(path) {
        plan_wac_file(path, wac)?
    } else {
        plan_manifest_file(path)?
    })
}

/// The processor name and version written into the producers section of composed output.
pub(crate) const PROCESSOR: wac_graph::Processor<'static> = wac_graph::Processor {
    name: "weft",
    version: env!("CARGO_PKG_VERSION"),
};
