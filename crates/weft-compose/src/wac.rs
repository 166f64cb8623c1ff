//! A WAC document becomes a component: wac-parser parses and resolves it, packages come
//! from local files, wac-graph encodes.
//!
//! WAC says what a manifest cannot: instances passed to instances by expression, exports
//! renamed, a world the result must target. Packages are found the way `wac compose`
//! finds them: `--dep ns:name=path` overrides, else `<deps-dir>/<ns>/<name>.wasm`
//! (or `.wat`, or a WIT package directory).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use wac_graph::EncodeOptions;
use wac_parser::Document;
use wac_resolver::FileSystemPackageResolver;

use crate::component::{self, Composition, ValidationError, Warning};
use crate::source::Location;

/// Where a WAC document's packages come from.
#[derive(Debug, Clone, Default)]
pub struct WacOptions {
    /// Directory searched as `<dir>/<namespace>/<name>.wasm`; `None` means `deps` beside
    /// the document.
    pub deps_dir: Option<PathBuf>,
    /// Explicit package files by package name (`example:greeter` → path); these win over
    /// the directory.
    pub deps: HashMap<String, PathBuf>,
}

/// Why a WAC document could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum WacError {
    /// The document could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The document.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `--dep` argument is not `name=path`.
    #[error(
        "invalid dependency `{0}`; expected `namespace:name=path`, e.g. `example:greeter=greeter.wasm`"
    )]
    BadDep(String),
    /// The document is not valid WAC, or does not resolve against its packages.
    #[error("{}: {message}\n{}", location.position(), location.snippet())]
    Document {
        /// Where the problem is.
        location: Box<Location>,
        /// What it is, with its causes.
        message: String,
    },
    /// The document is not valid WAC, at no particular place.
    #[error("{message}")]
    Unlocated {
        /// What is wrong.
        message: String,
    },
    /// The composed component is invalid (a bug).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl WacError {
    fn from_diagnostic<E>(path: &Path, source: &str, error: &E) -> WacError
    where
        E: Diagnostic + std::error::Error,
    {
        let mut message = error.to_string();
        let mut cause = error.source();
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        let labels: Vec<miette::LabeledSpan> = error.labels().into_iter().flatten().collect();
        let primary = labels
            .iter()
            .find(|l| l.primary())
            .or(labels.first())
            .cloned();
        match primary {
            Some(label) => {
                // wac's primary labels repeat the message; only secondary ones add places.
                for other in labels.iter().filter(|l| l.offset() != label.offset()) {
                    let at = Location::from_span(
                        path,
                        source,
                        other.offset()..other.offset() + other.len(),
                    );
                    message.push_str(&format!(
                        "\n  note: {}: {}",
                        at.position(),
                        other.label().unwrap_or("related")
                    ));
                }
                let span = label.offset()..label.offset() + label.len();
                WacError::Document {
                    location: Box::new(Location::from_span(path, source, span)),
                    message,
                }
            }
            None => WacError::Unlocated { message },
        }
    }
}

/// Parses `name=path` (as given to `--dep`).
pub fn parse_dep(arg: &str) -> Result<(String, PathBuf), WacError> {
    match arg.split_once('=') {
        Some((name, path)) if name.contains(':') && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => Err(WacError::BadDep(arg.to_string())),
    }
}

/// Reads and composes the WAC document at `path`.
pub fn compose_wac_file(path: &Path, options: &WacOptions) -> Result<Composition, WacError> {
    let source = std::fs::read_to_string(path).map_err(|source| WacError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    compose_wac(path, &source, options)
}

/// Composes the WAC document `source`, read from `path` (used for error locations and to
/// find the default `deps` directory).
pub fn compose_wac(
    path: &Path,
    source: &str,
    options: &WacOptions,
) -> Result<Composition, WacError> {
    let document =
        Document::parse(source).map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let keys = wac_resolver::packages(&document)
        .map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let deps_dir = options.deps_dir.clone().unwrap_or_else(|| {
        path.parent()
            .map(|p| p.join("deps"))
            .unwrap_or_else(|| PathBuf::from("deps"))
    });
    let resolver = FileSystemPackageResolver::new(deps_dir, options.deps.clone(), true);
    let packages = resolver
        .resolve(&keys)
        .map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let resolution = document
        .resolve(packages)
        .map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let bytes = resolution
        .encode(EncodeOptions {
            define_components: true,
            validate: false,
            processor: Some(crate::PROCESSOR),
        })
        .map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let mut composition = component::validate(bytes, Vec::new())?;
    if composition.exports.is_empty() {
        composition.warnings.push(Warning::NoExports);
    }
    Ok(composition)
}
