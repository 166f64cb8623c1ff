//! Loading WIT from what a user points at: a `.wit` file, a directory with an
//! optional `deps/` folder, a WIT package encoded as wasm, or a component whose
//! embedded WIT is decoded.
//!
//! Text sources are read into memory by weft itself (instead of through
//! `Resolve::push_path`) so that a failed parse can be diagnosed against the
//! exact text, and re-parsed after applying a suggested fix to find the errors
//! that follow the first one (see [`crate::diagnose`]). The directory layout is
//! the one `wit-parser` documents for `Resolve::push_dir`.

use std::path::{Path, PathBuf};

use wit_parser::{PackageId, Resolve, WorldId};

use crate::diagnose::{self, Diagnostic};
use crate::sources::{DepSource, Features, SourceFile, Sources, resolve_sources};

/// What kind of input a [`Loaded`] package came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// A single `.wit` file.
    File,
    /// A directory of `.wit` files, with dependencies under `deps/`.
    Directory,
    /// A WIT package encoded as a wasm binary.
    WitPackage,
    /// A component; its WIT is the world it imports and exports.
    Component,
}

/// WIT resolved from one input path.
#[derive(Debug)]
pub struct Loaded {
    /// The resolved packages, the main ones and all their dependencies.
    pub resolve: Resolve,
    /// The package the input defines (for a component: the package holding
    /// its decoded world).
    pub main: PackageId,
    /// Further packages defined in the same source with `package x:y { .. }`.
    pub nested: Vec<PackageId>,
    /// For a component, the world it implements.
    pub world: Option<WorldId>,
    /// What the input was.
    pub kind: InputKind,
    /// The path that was loaded.
    pub path: PathBuf,
}

impl Loaded {
    /// The main package followed by the nested ones.
    pub fn packages(&self) -> Vec<PackageId> {
        let mut out = vec![self.main];
        out.extend(&self.nested);
        out
    }
}

/// Why [`load`] failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path could not be read.
    #[error("failed to read `{path}`")]
    Io {
        /// The path that was read.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is WIT text that does not parse or resolve.
    #[error("`{path}` is not valid WIT: {}", count_errors(.diagnostics))]
    Invalid {
        /// The path that was checked.
        path: PathBuf,
        /// Every error found, in source order of discovery.
        diagnostics: Vec<Diagnostic>,
    },
    /// A WIT text file past any real package's size.
    #[error(
        "`{path}` is {size} bytes, past the {limit}-byte limit for a WIT text file; is it really WIT?"
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The input looked like wasm but could not be decoded.
    #[error("failed to decode the WIT in `{path}`")]
    Decode {
        /// The wasm file.
        path: PathBuf,
        /// What `wit-component` reported.
        #[source]
        source: anyhow::Error,
    },
}

fn count_errors(d: &[Diagnostic]) -> String {
    match d.len() {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    }
}

/// Loads and resolves the WIT at `path`.
///
/// A directory is read as one package (all its `*.wit` files) plus its
/// `deps/`; a `.wasm` file is decoded as a WIT package or as a component;
/// anything else is read as a single WIT file.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_with(path, &Features::default())
}

/// [`load`] with the `@unstable` `features` enabled. They apply to WIT text; a wasm
/// input was resolved when it was encoded.
pub fn load_with(path: &Path, features: &Features) -> Result<Loaded, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        let sources = read_dir_sources(path, features).map_err(io)?;
        return load_sources(path, sources, InputKind::Directory);
    }
    if meta.len() > MAX_WIT_TEXT && !starts_with_wasm_magic(path).map_err(io)? {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: MAX_WIT_TEXT,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.starts_with(b"\0asm") {
        return load_wasm(path, &bytes);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })?;
    let sources = Sources {
        files: vec![SourceFile {
            display: path.display().to_string(),
            text,
        }],
        main: vec![0],
        deps: Vec::new(),
        features: features.clone(),
    };
    load_sources(path, sources, InputKind::File)
}

/// Loads WIT from text in memory, named `name` in messages. Used by tests and
/// by tools that hold WIT they did not read from disk.
pub fn load_str(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let sources = Sources {
        files: vec![SourceFile {
            display: name.to_string(),
            text: text.to_string(),
        }],
        main: vec![0],
        deps: Vec::new(),
        features: Features::default(),
    };
    load_sources(Path::new(name), sources, InputKind::File)
}

pub(crate) fn load_wasm(path: &Path, bytes: &[u8]) -> Result<Loaded, LoadError> {
    let decode_error = |source| LoadError::Decode {
        path: path.to_path_buf(),
        source,
    };
    // wit-component reads through a buffer it first grows to whatever size a section
    // header claims, zero-filled: 19 bytes can make it write gigabytes (found by the
    // `load` fuzz target). Parsing the bytes in memory first refuses such a file at once.
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Err(e) = payload {
            return Err(decode_error(anyhow::anyhow!(
                "{} (at offset {:#x})",
                e.message(),
                e.offset()
            )));
        }
    }
    let decoded = wit_component::decode(bytes).map_err(decode_error)?;
    let (resolve, main, world, kind) = match decoded {
        wit_component::DecodedWasm::WitPackage(resolve, pkg) => {
            (resolve, pkg, None, InputKind::WitPackage)
        }
        wit_component::DecodedWasm::Component(resolve, world) => {
            let pkg = resolve.worlds[world]
                .package
                .ok_or_else(|| LoadError::Decode {
                    path: path.to_path_buf(),
                    source: anyhow::anyhow!("the decoded world is not in a package"),
                })?;
            (resolve, pkg, Some(world), InputKind::Component)
        }
    };
    Ok(Loaded {
        resolve,
        main,
        nested: Vec::new(),
        world,
        kind,
        path: path.to_path_buf(),
    })
}

fn load_sources(path: &Path, sources: Sources, kind: InputKind) -> Result<Loaded, LoadError> {
    match resolve_sources(&sources) {
        Ok((resolve, main, nested)) => Ok(Loaded {
            resolve,
            main,
            nested,
            world: None,
            kind,
            path: path.to_path_buf(),
        }),
        Err(first) => Err(LoadError::Invalid {
            path: path.to_path_buf(),
            diagnostics: diagnose::diagnose_all(sources, *first),
        }),
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    let mut entries = dir.read_dir()?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn push_wit_files(dir: &Path, files: &mut Vec<SourceFile>) -> std::io::Result<Vec<usize>> {
    let mut out = Vec::new();
    for entry in sorted_entries(dir)? {
        let p = entry.path();
        if p.is_dir() || p.extension().and_then(|e| e.to_str()) != Some("wit") {
            continue;
        }
        out.push(push_file(&p, files)?);
    }
    Ok(out)
}

/// The largest WIT text file read: the WASI packages are tens of KiB, and wit-parser's
/// memory grows many times over with its input (a 200 MB file took 5.4 GB).
pub const MAX_WIT_TEXT: u64 = 16 << 20;

/// Whether the file at `path` starts like a wasm binary (a component can be large).
fn starts_with_wasm_magic(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path)?.read(&mut magic)?;
    Ok(read == 4 && &magic == b"\0asm")
}

fn push_file(p: &Path, files: &mut Vec<SourceFile>) -> std::io::Result<usize> {
    let size = std::fs::metadata(p)?.len();
    if size > MAX_WIT_TEXT {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{size} bytes, past the {MAX_WIT_TEXT}-byte limit for a WIT text file; is it really WIT?"
            ),
        ));
    }
    let text = std::fs::read_to_string(p)?;
    files.push(SourceFile {
        display: p.display().to_string(),
        text,
    });
    Ok(files.len() - 1)
}

fn read_dir_sources(dir: &Path, features: &Features) -> std::io::Result<Sources> {
    let mut files = Vec::new();
    let main = push_wit_files(dir, &mut files)?;
    let mut deps = Vec::new();
    let deps_dir = dir.join("deps");
    if deps_dir.is_dir() {
        for entry in sorted_entries(&deps_dir)? {
            let p = entry.path();
            if p.is_dir() {
                deps.push(DepSource::Text(push_wit_files(&p, &mut files)?));
                continue;
            }
            match p.extension().and_then(|e| e.to_str()) {
                Some("wit") => deps.push(DepSource::Text(vec![push_file(&p, &mut files)?])),
                // wit-parser decodes both (WAT with its `wat` feature).
                Some("wasm" | "wat") => deps.push(DepSource::Binary(p)),
                _ => {}
            }
        }
    }
    Ok(Sources {
        files,
        main,
        deps,
        features: features.clone(),
    })
}
