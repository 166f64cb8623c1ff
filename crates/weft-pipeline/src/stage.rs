//! One stage: a transform component checked against `example:pipeline`'s world,
//! compiled and linked once, and its instance with the `processor` its config made.

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use wasmtime::component::ResourceAny;
use weft_compose::{TargetsError, targets_world};
use weft_runtime::{
    CallError, Capabilities, Imports, LinkError, LoadError, Output, Prepared, Runtime, Session,
    SessionError, TypedExport,
};
use wit_parser::Resolve;

use crate::manifest::StageSpec;

/// The `example:pipeline` WIT this host runs transforms of.
const PIPELINE_WIT: &str = include_str!("../../../wit/pipeline/pipeline.wit");

/// `process`'s parameters and results.
type Process = TypedExport<(ResourceAny, Vec<u8>), (Result<Vec<u8>, String>,)>;

/// A stage ready to be instantiated.
pub(crate) struct Stage {
    pub(crate) spec: StageSpec,
    prepared: Prepared,
}

/// A live instance of a stage and its processor.
pub(crate) struct StageInstance {
    session: Session,
    processor: ResourceAny,
    process: Process,
    reset: TypedExport<(ResourceAny,), ()>,
}

/// Why a stage could not be loaded or started.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not the one the manifest pins.
    #[error("`{}` has SHA-256 {found}, but the manifest pins {expected}", path.display())]
    Sha256Mismatch {
        /// The file.
        path: PathBuf,
        /// The manifest's value.
        expected: String,
        /// The file's.
        found: String,
    },
    /// The component is not a transform (the diff `weft targets` prints).
    #[error(transparent)]
    Fit(#[from] TargetsError),
    /// The component did not compile.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Its imports could not be linked.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// Its instance could not be made.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Making its processor failed.
    #[error(transparent)]
    Call(#[from] CallError),
}

impl Stage {
    /// Reads, checks, compiles and links the stage `spec` describes.
    pub(crate) fn load(runtime: &Runtime, spec: &StageSpec) -> Result<Stage, StageError> {
        let bytes = std::fs::read(&spec.path).map_err(|source| StageError::Read {
            path: spec.path.clone(),
            source,
        })?;
        if let Some(expected) = &spec.sha256 {
            let found = hex::encode(Sha256::digest(&bytes));
            if *expected != found {
                return Err(StageError::Sha256Mismatch {
                    path: spec.path.clone(),
                    expected: expected.clone(),
                    found,
                });
            }
        }
        let mut resolve = Resolve::default();
        let package = resolve
            .push_str("pipeline.wit", PIPELINE_WIT)
            .expect("the built-in pipeline WIT parses");
        let world = resolve
            .select_world(&[package], Some("transform-component"))
            .expect("the built-in WIT has the transform world");
        targets_world(&bytes, &resolve, world, true)?;
        let component = runtime.load_bytes(&spec.name, bytes)?;
        let prepared = runtime.prepare(&component, &Imports::new())?;
        Ok(Stage {
            spec: spec.clone(),
            prepared,
        })
    }

    /// A fresh instance with a processor made from the stage's config.
    pub(crate) fn instantiate(&self) -> Result<StageInstance, StageError> {
        // A stage's stdout must not mix with the pipeline's output.
        let capabilities = Capabilities {
            stdout: Output::HostStderr,
            ..Capabilities::default()
        };
        let mut session =
            self.prepared
                .instantiate_with(&capabilities, self.spec.limits.clone(), ())?;
        let constructor = session.typed_export::<(&str,), (ResourceAny,)>(
            "example:pipeline/transform#[constructor]processor",
        )?;
        let (processor,) = session.call_typed(&constructor, (self.spec.config.as_str(),))?;
        let process =
            session.typed_export("example:pipeline/transform#[method]processor.process")?;
        let reset = session.typed_export("example:pipeline/transform#[method]processor.reset")?;
        Ok(StageInstance {
            session,
            processor,
            process,
            reset,
        })
    }
}

impl StageInstance {
    /// `process(chunk)`: `Ok(Err(message))` is the transform's own error, `Err` a
    /// failure of the instance (a trap or a limit).
    pub(crate) fn process(&mut self, chunk: Vec<u8>) -> Result<Result<Vec<u8>, String>, CallError> {
        let (result,) = self
            .session
            .call_typed(&self.process, (self.processor, chunk))?;
        Ok(result)
    }

    /// `reset()`: the next chunk starts a new stream.
    pub(crate) fn reset(&mut self) -> Result<(), CallError> {
        self.session.call_typed(&self.reset, (self.processor,))
    }
}
