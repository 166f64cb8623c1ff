//! Reading, classifying, validating and compiling a component file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::component::Component;

use crate::exports::ExportCatalog;

/// Why a file could not be loaded as a component.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("failed to read `{path}`: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },
    /// The bytes are not WebAssembly at all.
    #[error("`{path}` is not a WebAssembly file: {detail}")]
    NotWasm {
        /// The file.
        path: String,
        /// What was found instead.
        detail: String,
    },
    /// The file is a core module, not a component.
    #[error("`{path}` is a core WebAssembly module, not a component")]
    CoreModule {
        /// The file.
        path: String,
    },
    /// The binary is malformed or does not validate.
    #[error("`{path}` is not a valid component: {message} (at offset {offset:#x})")]
    Invalid {
        /// The file.
        path: String,
        /// What the validator said.
        message: String,
        /// Where in the file.
        offset: usize,
    },
    /// wasmtime could not compile it.
    #[error("failed to compile `{path}`: {message}")]
    Compile {
        /// The file.
        path: String,
        /// wasmtime's error, with its causes.
        message: String,
    },
}

/// A compiled component, ready to be instantiated any number of times.
#[derive(Clone)]
pub struct LoadedComponent {
    pub(crate) component: Component,
    pub(crate) catalog: Arc<ExportCatalog>,
    pub(crate) name: Arc<str>,
    pub(crate) from_cache: bool,
    pub(crate) async_imports: bool,
}

impl LoadedComponent {
    /// The wasmtime component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// The component's exported functions and resources.
    pub fn exports(&self) -> &ExportCatalog {
        &self.catalog
    }

    /// The name it was loaded under (usually its path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether compilation was skipped because the compile cache had it.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// Whether the component imports a WIT `async func`: it then needs imports linked
    /// for async calls ([`Imports::asynchronous`](crate::Imports::asynchronous)).
    pub fn has_async_imports(&self) -> bool {
        self.async_imports
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A component binary.
    Component,
    /// A core module binary.
    Module,
    /// Text, presumably WAT.
    Text,
}

const MAGIC: &[u8; 4] = b"\0asm";

/// Says what `bytes` are, or why they are not WebAssembly.
pub fn classify(name: &str, bytes: &[u8]) -> Result<Kind, LoadError> {
    if bytes.len() >= 8 && &bytes[..4] == MAGIC {
        return match bytes[4..8] {
            [0x01, 0x00, 0x00, 0x00] => Ok(Kind::Module),
            [_, _, 0x01, 0x00] => Ok(Kind::Component),
            _ => Err(LoadError::Invalid {
                path: name.to_string(),
                message: format!("unknown binary version/layer {:02x?}", &bytes[4..8]),
                offset: 4,
            }),
        };
    }
    if bytes.starts_with(MAGIC) || bytes.is_empty() {
        return Err(LoadError::Invalid {
            path: name.to_string(),
            message: "unexpected end of file in the header".to_string(),
            offset: bytes.len(),
        });
    }
    let text = std::str::from_utf8(&bytes[..bytes.len().min(512)]).unwrap_or("");
    if text.trim_start().starts_with('(') || text.trim_start().starts_with(";;") {
        return Ok(Kind::Text);
    }
    Err(LoadError::NotWasm {
        path: name.to_string(),
        detail: format!(
            "expected the magic bytes `\\0asm` at offset 0, found {:02x?}",
            &bytes[..bytes.len().min(4)]
        ),
    })
}

/// Turns a file's bytes (binary, or WAT text) into WebAssembly binary, rejecting
/// what is neither with an error that says what was found.
pub fn to_binary(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, LoadError> {
    match classify(name, &bytes)? {
        Kind::Component | Kind::Module => Ok(bytes),
        Kind::Text => wat::Parser::new()
            .parse_bytes(Some(std::path::Path::new(name)), &bytes)
            .map(|b| b.into_owned())
            .map_err(|e| LoadError::NotWasm {
                path: name.to_string(),
                detail: format!("it looks like WAT text but does not parse: {e}"),
            }),
    }
}

/// Turns a file's bytes into component binary bytes, rejecting everything else
/// with an error that says what the file is.
pub(crate) fn component_bytes(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, LoadError> {
    let binary = to_binary(name, bytes)?;
    match classify(name, &binary)? {
        Kind::Component => Ok(binary),
        _ => Err(LoadError::CoreModule {
            path: name.to_string(),
        }),
    }
}

/// Validates the component with wasmparser (weft's one configuration,
/// [`weft_wit::validate::features`]) so errors carry an exact offset.
pub(crate) fn validate(name: &str, bytes: &[u8]) -> Result<(), LoadError> {
    weft_wit::validate::validate(bytes).map_err(|e| LoadError::Invalid {
        path: name.to_string(),
        message: e.message().to_string(),
        offset: e.offset(),
    })
}

/// Reads `path`, mapping I/O errors.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|error| LoadError::Read {
        path: path.to_path_buf(),
        error,
    })
}

/// Does `component` import a WIT `async func`, directly or in an imported interface?
pub(crate) fn imports_async(engine: &wasmtime::Engine, component: &Component) -> bool {
    use wasmtime::component::types::ComponentItem;
    component
        .component_type()
        .imports(engine)
        .any(|(_, item)| match item.ty {
            ComponentItem::ComponentFunc(f) => f.async_(),
            ComponentItem::ComponentInstance(i) => i
                .exports(engine)
                .any(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(f) if f.async_())),
            _ => false,
        })
}
