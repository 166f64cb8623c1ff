//! Component files pinned by their SHA-256, as hosts' manifests pin them (Extism's
//! `hash`): the bytes are checked before anything compiles them.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Why a pinned file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// The file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not the one pinned.
    #[error(
        "`{}` has SHA-256 {found}, but the manifest pins {expected}; the file changed, or update `sha256`",
        path.display()
    )]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// The pinned digest.
        expected: String,
        /// The file's.
        found: String,
    },
}

/// The SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks a pin as written in a manifest: 64 hex digits, any case. Returns it in
/// lowercase, or a message saying what is wrong.
pub fn parse_sha256(text: &str) -> Result<String, String> {
    let hex = text.trim().to_ascii_lowercase();
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(format!(
            "`sha256 = \"{text}\"` is not 64 hex digits; `sha256sum FILE` prints the right value"
        ))
    }
}

/// Reads the file at `path` and checks it against `sha256` when one is given. Returns
/// the bytes and their digest.
pub fn read_pinned(path: &Path, sha256: Option<&str>) -> Result<(Vec<u8>, String), PinError> {
    let bytes = std::fs::read(path).map_err(|source| PinError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let digest = sha256_hex(&bytes);
    match sha256 {
        Some(expected) if expected != digest => Err(PinError::Mismatch {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            found: digest,
        }),
        _ => Ok((bytes, digest)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_64_hex_digits() {
        let pin = "AB".repeat(32);
        assert_eq!(parse_sha256(&pin), Ok("ab".repeat(32)));
        assert!(
            parse_sha256("abc")
                .unwrap_err()
                .contains("not 64 hex digits")
        );
        assert!(parse_sha256(&"g".repeat(64)).is_err());
    }

    #[test]
    fn a_file_is_checked_against_its_pin() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.wasm");
        std::fs::write(&path, b"abc").unwrap();
        let right = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(read_pinned(&path, Some(right)).unwrap().1, right);
        let wrong = "0".repeat(64);
        let error = read_pinned(&path, Some(&wrong)).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "has SHA-256 {right}, but the manifest pins {wrong}"
            )),
            "{error}"
        );
        assert!(matches!(
            read_pinned(&dir.path().join("none"), None),
            Err(PinError::Read { .. })
        ));
    }
}
