//! `weft new`: a core wasm module becomes a component, through `wit-component`.
//!
//! The module's interface comes from WIT embedded in it (a `component-type` custom
//! section, as `wit-bindgen` leaves) or from a WIT package and world given here, or both.
//! A module that imports `wasi_snapshot_preview1` is adapted to WASI 0.2 with the adapter
//! that ships inside the `wasi-preview1-component-adapter-provider` crate (the one
//! matching wasmtime 48), so nobody has to fetch `wasi_snapshot_preview1.wasm`.

use std::path::PathBuf;

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wasmparser::{ExternalKind, Parser, Payload};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

use crate::component::{self, Composition, ValidationError};

/// Which `wasi_snapshot_preview1` adapter to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WasiAdapter {
    /// The command adapter when the module exports `_start`, else the reactor adapter;
    /// none when the module does not import `wasi_snapshot_preview1`.
    #[default]
    Auto,
    /// The command adapter (the component exports `wasi:cli/run`).
    Command,
    /// The reactor adapter (a library of exports).
    Reactor,
    /// The proxy adapter (for `wasi:http/proxy` components; no filesystem or CLI).
    Proxy,
}

/// How to build the component.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The world describing the module's imports and exports, if the module carries no
    /// WIT of its own (or to add to it).
    pub world: Option<WorldPath>,
    /// The preview1 adapter choice.
    pub wasi_adapter: WasiAdapter,
    /// Other adapters, as (import module name, adapter module bytes).
    pub adapters: Vec<(String, Vec<u8>)>,
}

/// A new component and what went into it.
#[derive(Debug, Clone)]
pub struct NewOutput {
    /// The component, its imports and exports.
    pub component: Composition,
    /// The preview1 adapter used, if any.
    pub wasi_adapter: Option<WasiAdapter>,
}

/// Why a module could not become a component.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The input is not a core module.
    #[error("the input is {found}, not a core wasm module; {}", if *found == "a component" { "it is already a component" } else { "pass a `.wasm` core module" })]
    NotAModule {
        /// What it is instead.
        found: &'static str,
    },
    /// The input module is malformed.
    #[error("the input module is not valid wasm")]
    BadModule {
        /// The parser's error.
        #[source]
        source: wasmparser::BinaryReaderError,
    },
    /// The WIT could not be loaded.
    #[error("failed to load WIT from `{}`", path.display())]
    Wit {
        /// The WIT path.
        path: PathBuf,
        /// What went wrong, with file and line.
        #[source]
        source: anyhow::Error,
    },
    /// The world does not exist or was not given when several exist.
    #[error("cannot select a world in `{}`{}", path.display(), world.as_ref().map(|w| format!(" named `{w}`")).unwrap_or_default())]
    World {
        /// The WIT path.
        path: PathBuf,
        /// The requested world.
        world: Option<String>,
        /// wit-parser's explanation (lists the worlds when ambiguous).
        #[source]
        source: anyhow::Error,
    },
    /// The module carries no WIT and none was given.
    #[error(
        "the module has no embedded WIT (`component-type` section) and no `--wit` was given; pass `--wit DIR --world WORLD`"
    )]
    NoWit,
    /// An adapter is not a valid module.
    #[error("adapter `{name}` is not usable")]
    Adapter {
        /// The adapter's import module name.
        name: String,
        /// wit-component's error.
        #[source]
        source: anyhow::Error,
    },
    /// wit-component could not build the component (the module does not fit its WIT,
    /// imports something no adapter provides, ...).
    #[error(
        "the module does not fit its WIT; see the cause below (a missing export, a signature that differs, an import no WIT or adapter provides)"
    )]
    Encode {
        /// wit-component's error.
        #[source]
        source: anyhow::Error,
    },
    /// The result is invalid (a bug).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

struct ModuleFacts {
    imports_preview1: bool,
    exports_start: bool,
    has_wit: bool,
}

fn facts(module: &[u8]) -> Result<ModuleFacts, NewError> {
    let mut facts = ModuleFacts {
        imports_preview1: false,
        exports_start: false,
        has_wit: false,
    };
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|source| NewError::BadModule { source })? {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.map_err(|source| NewError::BadModule { source })?;
                    if import.module == WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME {
                        facts.imports_preview1 = true;
                    }
                }
            }
            Payload::ExportSection(section) => {
                for export in section {
                    let export = export.map_err(|source| NewError::BadModule { source })?;
                    if export.name == "_start" && export.kind == ExternalKind::Func {
                        facts.exports_start = true;
                    }
                }
            }
            Payload::CustomSection(section) if section.name().starts_with("component-type") => {
                facts.has_wit = true;
            }
            _ => {}
        }
    }
    Ok(facts)
}

/// Turns the core module `module` into a component.
pub fn new_component(module: &[u8], options: &NewOptions) -> Result<NewOutput, NewError> {
    if !Parser::is_core_wasm(module) {
        return Err(NewError::NotAModule {
            found: component::describe_binary(module),
        });
    }
    let facts = facts(module)?;
    let mut module = module.to_vec();
    if let Some(world_path) = &options.world {
        let path = &world_path.wit;
        let (resolve, world) = load_world(world_path).map_err(|e| match e {
            LoadWorldError::Wit(source) => NewError::Wit {
                path: path.clone(),
                source,
            },
            LoadWorldError::World(source) => NewError::World {
                path: path.clone(),
                world: world_path.world.clone(),
                source,
            },
        })?;
        wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
            .map_err(|source| NewError::Wit {
                path: path.clone(),
                source,
            })?;
    } else if !facts.has_wit {
        return Err(NewError::NoWit);
    }

    let mut encoder = ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .map_err(|source| NewError::Encode { source })?;

    let adapter = match (facts.imports_preview1, options.wasi_adapter) {
        (false, WasiAdapter::Auto) => None,
        (true, WasiAdapter::Auto) if facts.exports_start => Some(WasiAdapter::Command),
        (true, WasiAdapter::Auto) => Some(WasiAdapter::Reactor),
        (_, chosen) => Some(chosen),
    };
    if let Some(kind) = adapter {
        let bytes = match kind {
            WasiAdapter::Command => WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            WasiAdapter::Proxy => WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER,
            WasiAdapter::Reactor | WasiAdapter::Auto => WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        };
        encoder = encoder
            .adapter(WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, bytes)
            .map_err(|source| NewError::Adapter {
                name: WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME.to_string(),
                source,
            })?;
    }
    for (name, bytes) in &options.adapters {
        encoder = encoder
            .adapter(name, bytes)
            .map_err(|source| NewError::Adapter {
                name: name.clone(),
                source,
            })?;
    }
    let bytes = encoder
        .encode()
        .map_err(|source| NewError::Encode { source })?;
    Ok(NewOutput {
        component: component::validate(bytes, Vec::new())?,
        wasi_adapter: adapter,
    })
}

/// Why [`load_world`] failed.
pub(crate) enum LoadWorldError {
    /// The WIT did not parse or resolve.
    Wit(anyhow::Error),
    /// The world could not be selected.
    World(anyhow::Error),
}

/// A world in a WIT package on disk: what `--wit PATH --world NAME` select.
#[derive(Debug, Clone, Default)]
pub struct WorldPath {
    /// The WIT package: a file, or a directory with `deps/`.
    pub wit: PathBuf,
    /// The world (optional when the package has one).
    pub world: Option<String>,
    /// The `@unstable` WIT features to keep.
    pub features: weft_wit::Features,
}

/// Loads the package of `world` and selects the world in it.
pub(crate) fn load_world(
    world: &WorldPath,
) -> Result<(Resolve, wit_parser::WorldId), LoadWorldError> {
    let mut resolve = Resolve::default();
    resolve
        .features
        .extend(world.features.names.iter().cloned());
    resolve.all_features = world.features.all;
    let (package, _) = resolve.push_path(&world.wit).map_err(LoadWorldError::Wit)?;
    let id = resolve
        .select_world(&[package], world.world.as_deref())
        .map_err(LoadWorldError::World)?;
    Ok((resolve, id))
}
