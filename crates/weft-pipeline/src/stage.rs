//! One stage: a transform component checked against `example:pipeline`'s world,
//! compiled and linked once, and its instance with the `processor` its config made.

use wasmtime::component::ResourceAny;
use weft_compose::{TargetsError, targets_world};
use weft_runtime::{
    CallError, Capabilities, Imports, LinkError, LoadError, Output, PinError, Prepared, Runtime,
    Session, SessionError, TypedExport, read_pinned,
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
    /// The file could not be read, or is not the one the manifest pins.
    #[error(transparent)]
    Pin(#[from] PinError),
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
        let (bytes, _) = read_pinned(&spec.path, spec.sha256.as_deref())?;
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
