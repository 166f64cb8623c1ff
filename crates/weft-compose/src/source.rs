//! Reading host manifests (TOML) with errors that point at the line to fix, drawn by
//! weft-wit's one renderer ([`weft_wit::report`]).

use std::path::{Path, PathBuf};

pub use weft_wit::Location;

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
    #[error("{message}\n{}\n  help: {hint}", location.excerpt())]
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
            location: Box::new(Location::from_span(
                path.display().to_string(),
                text,
                e.span().unwrap_or(0..0),
            )),
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
