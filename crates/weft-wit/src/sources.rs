//! The text of a WIT input as weft holds it, and resolving it with `wit-parser`: the
//! step both loading and the fix-and-reparse loop of [`crate::diagnose`] take, so a
//! parse error can be mapped to the exact text it came from.

use std::ops::Range;
use std::path::PathBuf;

use wit_parser::{
    PackageId, PackageName, ParseError, ParseErrorKind, Resolve, ResolveError, ResolveErrorKind,
    SourceMap, UnresolvedPackageGroup,
};

/// One text file taking part in a load.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The name used in messages (the path as the user spelled it).
    pub display: String,
    /// The file's text (possibly patched by recovery).
    pub text: String,
}

/// A dependency found under `deps/`.
#[derive(Debug, Clone)]
pub(crate) enum DepSource {
    /// A package made of these text files (indices into `Sources::files`).
    Text(Vec<usize>),
    /// A wasm-encoded WIT package, binary or WAT.
    Binary(PathBuf),
}

/// All text that makes up one WIT input, and the features it is resolved with.
#[derive(Debug, Clone)]
pub(crate) struct Sources {
    pub files: Vec<SourceFile>,
    pub main: Vec<usize>,
    pub deps: Vec<DepSource>,
    pub features: Features,
}

/// The `@unstable(feature = ...)` WIT items to keep while resolving; wit-parser leaves
/// out the others (`--features`, `--all-features` on the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// The features to enable, by name.
    pub names: Vec<String>,
    /// Enable every feature.
    pub all: bool,
}

/// An error from `wit-parser`, with its span resolved to one of our files.
#[derive(Debug, Clone)]
pub(crate) struct RawError {
    /// The first line of wit-parser's message.
    pub message: String,
    /// Further lines of wit-parser's message.
    pub notes: Vec<String>,
    /// File index and byte range in that file.
    pub at: Option<(usize, Range<usize>)>,
    /// What wit-parser says the error is.
    pub kind: RawKind,
}

/// The structured part of a [`RawError`].
#[derive(Debug, Clone)]
pub(crate) enum RawKind {
    Other,
    ItemNotFound {
        name: String,
        kind: String,
    },
    PackageNotFound {
        requested: String,
        known: Vec<String>,
    },
}

impl RawError {
    fn plain(message: String) -> RawError {
        RawError {
            message,
            notes: Vec::new(),
            at: None,
            kind: RawKind::Other,
        }
    }
}

fn file_index(sources: &Sources, display: &str) -> Option<usize> {
    sources.files.iter().position(|f| f.display == display)
}

fn locate(
    sources: &Sources,
    map: &SourceMap,
    span: wit_parser::Span,
) -> Option<(usize, Range<usize>)> {
    let loc = map.resolve_span(span)?;
    Some((file_index(sources, loc.path)?, loc.range))
}

fn split_message(text: &str) -> (String, Vec<String>) {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").to_string();
    let notes = lines
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    (first, notes)
}

fn raw_from_parse(sources: &Sources, map: &SourceMap, e: &ParseError) -> RawError {
    let kind = e.kind();
    let (message, notes) = split_message(&kind.to_string());
    let at = locate(sources, map, kind.span());
    let kind = match kind {
        ParseErrorKind::ItemNotFound { name, kind, .. } => RawKind::ItemNotFound {
            name: name.clone(),
            kind: kind.clone(),
        },
        _ => RawKind::Other,
    };
    RawError {
        message,
        notes,
        at,
        kind,
    }
}

fn raw_from_resolve(sources: &Sources, map: &SourceMap, e: &ResolveError) -> RawError {
    let kind = e.kind();
    let (mut message, mut notes) = split_message(&kind.to_string());
    if let Some(m) = message.strip_suffix(" known packages:") {
        message = m.trim_end_matches('.').to_string();
    }
    let at = locate(sources, map, kind.span());
    let raw_kind = match kind {
        ResolveErrorKind::PackageNotFound {
            requested, known, ..
        } => {
            notes.clear();
            if !known.is_empty() {
                let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                notes.push(format!("known packages: {}", list.join(", ")));
            }
            RawKind::PackageNotFound {
                requested: requested.to_string(),
                known: known.iter().map(|k| k.to_string()).collect(),
            }
        }
        ResolveErrorKind::DuplicatePackage { span2, .. } => {
            if let Some((f, r)) = locate(sources, map, *span2) {
                notes.push(format!(
                    "also defined in `{}` at byte {}",
                    sources.files[f].display, r.start
                ));
            }
            RawKind::Other
        }
        _ => RawKind::Other,
    };
    RawError {
        message,
        notes,
        at,
        kind: raw_kind,
    }
}

fn parse_group(
    sources: &Sources,
    indices: &[usize],
) -> Result<UnresolvedPackageGroup, Box<RawError>> {
    let mut map = SourceMap::new();
    for &i in indices {
        let f = &sources.files[i];
        map.push_str(&f.display, f.text.clone());
    }
    map.parse()
        .map_err(|(map, e)| Box::new(raw_from_parse(sources, &map, &e)))
}

/// Parses and resolves `sources`, returning the main package and the nested
/// packages of the main files, or the first error `wit-parser` reports.
pub(crate) fn resolve_sources(
    sources: &Sources,
) -> Result<(Resolve, PackageId, Vec<PackageId>), Box<RawError>> {
    if sources.main.is_empty() {
        return Err(Box::new(RawError::plain(
            "no `.wit` files found in the directory".to_string(),
        )));
    }
    let mut resolve = Resolve::new();
    resolve
        .features
        .extend(sources.features.names.iter().cloned());
    resolve.all_features = sources.features.all;
    let mut groups = Vec::new();
    for dep in &sources.deps {
        match dep {
            DepSource::Binary(p) => {
                resolve.push_file(p).map_err(|e| {
                    Box::new(RawError::plain(format!(
                        "failed to load dependency `{}`: {e:#}",
                        p.display()
                    )))
                })?;
            }
            DepSource::Text(indices) if indices.is_empty() => {}
            DepSource::Text(indices) => groups.push(parse_group(sources, indices)?),
        }
    }
    let main = parse_group(sources, &sources.main)?;
    let nested_names: Vec<PackageName> = main.nested.iter().map(|p| p.name.clone()).collect();
    let id = resolve
        .push_groups(main, groups)
        .map_err(|e| Box::new(raw_from_resolve(sources, &resolve.source_map, &e)))?;
    let nested = nested_names
        .iter()
        .filter_map(|n| resolve.package_names.get(n).copied())
        .collect();
    Ok((resolve, id, nested))
}
