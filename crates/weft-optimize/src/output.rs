//! Writing the result so that a reader never sees half a file.

use std::io::Write;
use std::path::Path;

use crate::OptimizeError;

/// Writes `bytes` to `path` through a temp file in the same directory, renamed over
/// `path` once complete: an interrupted run leaves the old file (or none), never a
/// truncated one, and a failed write removes its temp file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OptimizeError> {
    let error = |source| OptimizeError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".weft-optimize-").suffix(".wasm.tmp");
    #[cfg(unix)]
    builder.permissions(permissions(path));
    let mut temp = builder.tempfile_in(dir).map_err(error)?;
    temp.write_all(bytes).map_err(error)?;
    temp.as_file().sync_all().map_err(error)?;
    temp.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// The mode the file gets: the one it had, else a regular file's `rw-r--r--` (a temp
/// file would otherwise be private to its owner).
#[cfg(unix)]
fn permissions(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|existing| existing.permissions())
        .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wasm");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/out.wasm");
        let message = write_atomically(&path, b"x").unwrap_err().to_string();
        assert!(message.contains("missing/out.wasm"), "{message}");
        assert!(message.contains("directory exists"), "{message}");
    }
}
