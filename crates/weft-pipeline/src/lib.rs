//! Streaming pipelines of transform components: the seed's pipeline pattern
//! (`example:pipeline`), with every stage working at once and memory bounded by the
//! chunks in flight, whatever the size of the input.
//!
//! A [`Pipeline`] is built from [`StageSpec`]s (or a [`PipelineManifest`], the
//! `pipeline.toml` of `weft pipeline`). Each stage is checked against the
//! `transform-component` world before any input is read, compiled and linked on
//! weft-runtime's host core, and instantiated once; [`Pipeline::run`] streams any
//! `Read` into any `Write` through them by the WIT's protocol: chunks in order, empty
//! outputs never forwarded, the end of input sent down the chain at the end. A reader,
//! one thread per stage and the writer are joined by bounded channels, so a slow stage
//! holds back the ones before it. Bytes cross each boundary through a typed call, not
//! a value per byte. [`Pipeline::run_async`] does the same over tokio's async streams.
//!
//! ```no_run
//! use weft_pipeline::{Pipeline, StageSpec};
//! use weft_runtime::{Runtime, RuntimeConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let stages = [
//!     StageSpec::from_arg("transform_gzip.wasm=9"),
//!     StageSpec::from_arg("transform_base64_encode.wasm"),
//! ];
//! let mut pipeline = Pipeline::with_default_chunks(&runtime, &stages)?;
//! let stats = pipeline.run(std::fs::File::open("big.log")?, std::fs::File::create("big.b64")?)?;
//! println!("{} bytes in, {} out", stats.bytes_in, stats.bytes_out);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod manifest;
mod pipeline;
mod stage;
mod stream;

pub use manifest::{
    DEFAULT_CHUNK_SIZE, DEFAULT_STAGE_MEMORY, ManifestError, PipelineManifest, StageSpec,
};
pub use pipeline::{Pipeline, PipelineError, Progress, RunStats, StageStats};
pub use stage::StageError;
