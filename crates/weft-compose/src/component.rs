//! What every operation hands back: validated component bytes, the component's imports
//! and exports, and the warnings met on the way.
//!
//! It exists so that each operation validates its output the same way (with the
//! wasm-tools family wasmtime 48 uses, whatever family built the bytes) and reports
//! open imports the same way.

use std::fmt;
use std::path::PathBuf;

use wasmparser::{ComponentExternalKind, ComponentTypeRef, Parser, Payload};

/// A component produced by one of this crate's operations.
#[derive(Debug, Clone)]
pub struct Composition {
    /// The encoded component, already validated.
    pub bytes: Vec<u8>,
    /// The component's imports: every import left unsatisfied by the composition, which
    /// the host (or a later composition) must provide.
    pub imports: Vec<Extern>,
    /// The component's exports.
    pub exports: Vec<Extern>,
    /// Things worth telling the user that did not stop the operation.
    pub warnings: Vec<Warning>,
}

/// One import or export of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extern {
    /// The name, e.g. `example:greeter/logging@1.0.0`.
    pub name: String,
    /// What kind of item it is.
    pub kind: ExternKind,
}

/// The kind of a component import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternKind {
    /// An instance, usually of a WIT interface.
    Instance,
    /// A function.
    Func,
    /// A type (resources and other named types).
    Type,
    /// A nested component.
    Component,
    /// A core module.
    Module,
    /// A value.
    Value,
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExternKind::Instance => "instance",
            ExternKind::Func => "func",
            ExternKind::Type => "type",
            ExternKind::Component => "component",
            ExternKind::Module => "module",
            ExternKind::Value => "value",
        })
    }
}

/// Something that did not stop an operation but that the user should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A manifest dependency that no instantiation uses; it was not even read.
    UnusedDependency {
        /// The dependency's name in `[component.dependencies]`.
        name: String,
        /// The path the manifest gives for it.
        path: PathBuf,
    },
    /// A plug that exports nothing the socket imports; it was left out.
    UnusedPlug {
        /// The plug's path.
        path: PathBuf,
    },
    /// The result exports nothing, so nothing can call into it.
    NoExports,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnusedDependency { name, path } => write!(
                f,
                "dependency `{name}` (`{}`) is not used by any instantiation and was left out; \
                 name it in an instantiation's `dependencies` or `component`, or remove it",
                path.display()
            ),
            Warning::UnusedPlug { path } => write!(
                f,
                "plug `{}` exports nothing the socket imports and was left out",
                path.display()
            ),
            Warning::NoExports => {
                write!(f, "the result exports nothing, so nothing can call into it")
            }
        }
    }
}

/// The output of an operation failed validation. This is a bug in weft-compose or in the
/// library that encoded the component, never in the user's input.
#[derive(Debug, thiserror::Error)]
#[error(
    "the produced component is not valid; this is a bug in weft, please report it with the inputs"
)]
pub struct ValidationError {
    /// What the validator found.
    #[source]
    pub source: wasmparser::BinaryReaderError,
}

/// Validates `bytes` as a component with weft's one validator configuration
/// ([`weft_wit::validate::features`]), and lists its top-level imports and exports.
pub fn validate(bytes: Vec<u8>, warnings: Vec<Warning>) -> Result<Composition, ValidationError> {
    weft_wit::validate::validate(&bytes).map_err(|source| ValidationError { source })?;
    let (imports, exports) = externs(&bytes).map_err(|source| ValidationError { source })?;
    Ok(Composition {
        bytes,
        imports,
        exports,
        warnings,
    })
}

/// Lists the top-level imports and exports of a (valid) component.
pub(crate) fn externs(
    bytes: &[u8],
) -> Result<(Vec<Extern>, Vec<Extern>), wasmparser::BinaryReaderError> {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    // Nested modules and components report their own sections; only depth 0 counts.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    let import = import?;
                    let kind = match import.ty {
                        ComponentTypeRef::Module(_) => ExternKind::Module,
                        ComponentTypeRef::Func(_) => ExternKind::Func,
                        ComponentTypeRef::Value(_) => ExternKind::Value,
                        ComponentTypeRef::Type(_) => ExternKind::Type,
                        ComponentTypeRef::Instance(_) => ExternKind::Instance,
                        ComponentTypeRef::Component(_) => ExternKind::Component,
                    };
                    imports.push(Extern {
                        name: import.name.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section {
                    let export = export?;
                    let kind = match export.kind {
                        ComponentExternalKind::Module => ExternKind::Module,
                        ComponentExternalKind::Func => ExternKind::Func,
                        ComponentExternalKind::Value => ExternKind::Value,
                        ComponentExternalKind::Type => ExternKind::Type,
                        ComponentExternalKind::Instance => ExternKind::Instance,
                        ComponentExternalKind::Component => ExternKind::Component,
                    };
                    exports.push(Extern {
                        name: export.name.name.to_string(),
                        kind,
                    });
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

/// Whether `bytes` start like a binary component, a core module, or neither.
pub(crate) fn describe_binary(bytes: &[u8]) -> &'static str {
    if Parser::is_component(bytes) {
        "a component"
    } else if Parser::is_core_wasm(bytes) {
        "a core wasm module"
    } else if bytes.starts_with(b"\0asm") {
        "a wasm binary of an unknown version"
    } else {
        "not a wasm binary"
    }
}

/// A component (or module) file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The file is WebAssembly text that does not parse.
    #[error(transparent)]
    Wat(#[from] wat::Error),
    /// The file starts like a wasm binary but is not a valid one.
    #[error(
        "not a valid WebAssembly binary: {message} (at byte {offset}); the file may be truncated or corrupt"
    )]
    InvalidBinary {
        /// What the validator found.
        message: String,
        /// Where.
        offset: usize,
    },
    /// The file is neither a wasm binary nor text.
    #[error(
        "neither a WebAssembly binary (it does not start with `\\0asm`) nor WebAssembly text (it is not UTF-8 at byte {offset})"
    )]
    NotWasm {
        /// The first byte that is not UTF-8.
        offset: usize,
    },
}

/// Reads a binary wasm file, or WebAssembly text (`.wat`, or any file that does not
/// start with the wasm magic number) compiled to binary.
pub fn read_wasm(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    let bytes = std::fs::read(path)?;
    if bytes.starts_with(b"\0asm") {
        // Checked here, so a truncated file is reported as one, not as whatever the
        // command would have made of it.
        if let Err(error) = weft_wit::validate::validate(&bytes) {
            return Err(ReadError::InvalidBinary {
                message: error.message().to_string(),
                offset: error.offset(),
            });
        }
        return Ok(bytes);
    }
    if let Err(error) = std::str::from_utf8(&bytes) {
        return Err(ReadError::NotWasm {
            offset: error.valid_up_to(),
        });
    }
    let wasm = wat::parse_bytes(&bytes).map_err(|mut e| {
        e.set_path(path);
        e
    })?;
    Ok(wasm.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_files_say_what_they_are_and_where() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("cut.wasm");
        std::fs::write(&binary, b"\0asm\x0d\x00\x01\x00\x01\x7f").unwrap();
        let error = read_wasm(&binary).unwrap_err().to_string();
        assert!(
            error.starts_with("not a valid WebAssembly binary:"),
            "{error}"
        );
        assert!(
            error.contains("unexpected end-of-file (at byte 10)"),
            "{error}"
        );
        let neither = dir.path().join("junk.bin");
        std::fs::write(&neither, b"(module)\xff").unwrap();
        let error = read_wasm(&neither).unwrap_err().to_string();
        assert!(error.contains("it is not UTF-8 at byte 8"), "{error}");
    }
}
