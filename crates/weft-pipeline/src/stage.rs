//! One stage: a transform component checked against `example:pipeline`'s world,
//! compiled and linked once, and its instance with the `processor` its config made; or
//! a stream transform, a component exporting one `async func(stream<u8>) -> stream<u8>`.

use wasmtime::component::{ResourceAny, Type};
use weft_compose::{TargetsError, targets_world};
use weft_runtime::{
    CallError, Capabilities, ExportFunc, Imports, LinkError, LoadError, LoadedComponent, Output,
    PinError, Prepared, Runtime, Session, SessionError, TypedExport, read_pinned,
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
    /// The stream transform's export, for a stage that is one.
    stream_export: Option<String>,
}

/// A live instance of a stage.
pub(crate) enum StageInstance {
    /// A `transform-component` and its processor.
    Processor(ProcessorInstance),
    /// A stream transform: the session and the export to call once per run.
    Stream { session: Session, export: String },
}

/// A live `transform-component` instance and its processor.
pub(crate) struct ProcessorInstance {
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
    /// A stream transform was given a config, which only processors take.
    #[error(
        "`{export}` is a stream transform, which takes no config; drop `={config}` (or `config`)"
    )]
    StreamConfig {
        /// Its export.
        export: String,
        /// The config given.
        config: String,
    },
    /// The component exports several stream transforms.
    #[error(
        "the component exports several stream transforms ({}); a stage runs one, so split it or wrap it",
        exports.join(", ")
    )]
    SeveralStreamExports {
        /// Their names.
        exports: Vec<String>,
    },
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
        let fits = targets_world(&bytes, &resolve, world, true);
        let component = runtime.load_bytes(&spec.name, bytes)?;
        let stream_export = match fits {
            Ok(_) => None,
            // Not a processor: a stream transform will do, else the fit report stands.
            Err(not_a_transform) => match stream_transforms(&component).as_slice() {
                [] => return Err(not_a_transform.into()),
                [export] => Some(export.qualified_name()),
                several => {
                    return Err(StageError::SeveralStreamExports {
                        exports: several.iter().map(|f| f.qualified_name()).collect(),
                    });
                }
            },
        };
        if let Some(export) = &stream_export
            && !spec.config.is_empty()
        {
            return Err(StageError::StreamConfig {
                export: export.clone(),
                config: spec.config.clone(),
            });
        }
        let prepared = runtime.prepare(&component, &Imports::new())?;
        Ok(Stage {
            spec: spec.clone(),
            prepared,
            stream_export,
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
        if let Some(export) = &self.stream_export {
            return Ok(StageInstance::Stream {
                session,
                export: export.clone(),
            });
        }
        let constructor = session.typed_export::<(&str,), (ResourceAny,)>(
            "example:pipeline/transform#[constructor]processor",
        )?;
        let (processor,) = session.call_typed(&constructor, (self.spec.config.as_str(),))?;
        let process =
            session.typed_export("example:pipeline/transform#[method]processor.process")?;
        let reset = session.typed_export("example:pipeline/transform#[method]processor.reset")?;
        Ok(StageInstance::Processor(ProcessorInstance {
            session,
            processor,
            process,
            reset,
        }))
    }
}

/// The exports shaped `async func(stream<u8>) -> stream<u8>`.
fn stream_transforms(component: &LoadedComponent) -> Vec<&ExportFunc> {
    let byte_stream = |t: &Type| matches!(t, Type::Stream(s) if s.ty() == Some(Type::U8));
    component
        .exports()
        .funcs()
        .iter()
        .filter(|f| {
            let params: Vec<Type> = f.ty.params().map(|(_, t)| t).collect();
            let results: Vec<Type> = f.ty.results().collect();
            matches!((params.as_slice(), results.as_slice()), ([p], [r]) if byte_stream(p) && byte_stream(r))
        })
        .collect()
}

impl StageInstance {
    /// `reset()` for a processor; a stream transform starts afresh with each call.
    pub(crate) fn reset(&mut self) -> Result<(), CallError> {
        match self {
            StageInstance::Processor(p) => p.reset(),
            StageInstance::Stream { .. } => Ok(()),
        }
    }
}

impl ProcessorInstance {
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
