//! Places in input files (manifests, WAC documents), for error messages that point at
//! the line to fix.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A position in an input file, shown as `path:line:column` with the offending line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The input file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The source line, for the snippet.
    pub text: String,
    /// How many characters of `text` to underline (at least 1).
    pub width: usize,
}

impl Location {
    /// The location of the byte range `span` in `source`, which was read from `path`.
    pub fn from_span(path: &Path, source: &str, span: Range<usize>) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let text = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let width = source[start..end.min(line_end)].chars().count().max(1);
        Location {
            path: path.to_path_buf(),
            line,
            column,
            text,
            width,
        }
    }

    /// The `path:line:column` prefix alone.
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.path.display(), self.line, self.column)
    }

    /// The offending line with the span underlined, indented, for the end of a message.
    pub fn snippet(&self) -> String {
        let gutter = self.line.to_string();
        let pad = " ".repeat(gutter.len());
        format!(
            "{pad} |\n{gutter} | {}\n{pad} | {}{}",
            self.text,
            " ".repeat(self.column - 1),
            "^".repeat(self.width)
        )
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.position())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `names` as a backticked, comma-separated list, or `none`.
pub(crate) fn list(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = names
        .into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Why a host's TOML manifest could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum TomlError {
    /// The file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, or a key or value is wrong.
    #[error("{}: {message}\n{}\n  = hint: {hint}", location.position(), location.snippet())]
    Syntax {
        /// Where the mistake is.
        location: Box<Location>,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
}

/// Reads and parses the TOML manifest at `path` into `T`; errors point at the line and
/// hint at the closest key or at the format's documentation, `docs`.
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &Path, docs: &str) -> Result<T, TomlError> {
    let text = std::fs::read_to_string(path).map_err(|source| TomlError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_toml(path, &text, docs)
}

/// Parses manifest `text`, read from `path`, into `T` (see [`read_toml`]).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    docs: &str,
) -> Result<T, TomlError> {
    toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        TomlError::Syntax {
            location: Box::new(Location::from_span(path, text, e.span().unwrap_or(0..0))),
            hint: manifest_hint(&message, docs),
            message,
        }
    })
}

/// The hint for a TOML manifest error from serde: for an unknown key (serde's
/// "unknown field `x`, expected one of `a`, `b`"), the closest key; otherwise where the
/// format is documented (`docs`, e.g. `docs/plugins.md`).
pub fn manifest_hint(message: &str, docs: &str) -> String {
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'));
    let Some((field, rest)) = unknown else {
        return format!("see {docs} for the manifest format");
    };
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    match weft_wit::closest(field, expected.iter().copied()) {
        Some(key) => format!("did you mean `{key}`? (see {docs})"),
        None => format!("the keys here are {}; see {docs}", expected.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_columns() {
        let src = "a = 1\nbcd = \"x\"\n";
        let at = Location::from_span(Path::new("f.toml"), src, 12..15);
        assert_eq!((at.line, at.column, at.width), (2, 7, 3));
        assert_eq!(at.text, "bcd = \"x\"");
        assert_eq!(at.position(), "f.toml:2:7");
        assert!(at.snippet().ends_with("|       ^^^"), "{}", at.snippet());
    }

    #[test]
    fn manifest_hints_name_the_closest_key() {
        let hint = manifest_hint(
            "unknown field `confg`, expected one of `path`, `config`",
            "docs/x.md",
        );
        assert_eq!(hint, "did you mean `config`? (see docs/x.md)");
        let hint = manifest_hint("unknown field `zzz`, expected `path`", "docs/x.md");
        assert_eq!(hint, "the keys here are path; see docs/x.md");
        assert_eq!(
            manifest_hint("invalid type", "docs/x.md"),
            "see docs/x.md for the manifest format"
        );
    }
}
