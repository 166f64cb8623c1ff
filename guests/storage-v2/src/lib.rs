//! A `modern:storage/storage-v2` store (world `modern:storage/modern-storage`).
//!
//! Where entries live is the host's choice: when the environment variable `STORAGE_DIR`
//! names a directory (one the host granted through a WASI preopen), each entry is a file
//! there and survives the component instance; otherwise entries live in the instance's
//! memory. A file is named by the hex of its key (or, for a key over 100 bytes, by the
//! hex of the key's SHA-256), so any key is safe and fits a file name; it holds a small
//! header (revision, creation time, lengths), the key, the content type and then the
//! value, and is replaced atomically (write to a temporary file, then rename).

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/storage-v2",
        world: "modern:storage/modern-storage@2.0.0",
    });
}

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bindings::exports::modern::storage::storage_v2::{Guest, StorageEntry};
use sha2::{Digest, Sha256};

/// The component's export implementation.
struct Component;

/// The environment variable naming the directory to keep entries in.
const DIR_VARIABLE: &str = "STORAGE_DIR";

/// A stored entry with its revision.
#[derive(Clone)]
struct Stored {
    entry: StorageEntry,
    revision: u64,
}

/// Where this instance keeps entries, chosen on first use.
enum Backend {
    Memory(HashMap<String, Stored>),
    Directory(PathBuf),
}

static BACKEND: LazyLock<Mutex<Backend>> = LazyLock::new(|| {
    Mutex::new(match std::env::var_os(DIR_VARIABLE) {
        Some(dir) if !dir.is_empty() => Backend::Directory(PathBuf::from(dir)),
        _ => Backend::Memory(HashMap::new()),
    })
});

fn with_backend<T>(f: impl FnOnce(&mut Backend) -> Result<T, String>) -> Result<T, String> {
    // A panic cannot leave the lock poisoned for later calls: panics abort the instance.
    let mut backend = BACKEND
        .lock()
        .map_err(|_| "storage lock poisoned".to_owned())?;
    f(&mut backend)
}

impl Guest for Component {
    fn put(mut entry: StorageEntry) -> Result<u64, String> {
        if entry.created_at == 0 {
            entry.created_at = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|e| format!("the wall clock is before 1970: {e}"))?
                .as_secs();
        }
        with_backend(|backend| match backend {
            Backend::Memory(entries) => {
                let revision = entries.get(&entry.key).map_or(0, |s| s.revision) + 1;
                entries.insert(entry.key.clone(), Stored { entry, revision });
                Ok(revision)
            }
            Backend::Directory(dir) => {
                let revision = read_file(dir, &entry.key)?.map_or(0, |s| s.revision) + 1;
                write_file(dir, &Stored { entry, revision })?;
                Ok(revision)
            }
        })
    }

    fn get(key: String) -> Result<Option<StorageEntry>, String> {
        with_backend(|backend| match backend {
            Backend::Memory(entries) => Ok(entries.get(&key).map(|s| s.entry.clone())),
            Backend::Directory(dir) => Ok(read_file(dir, &key)?.map(|s| s.entry)),
        })
    }

    fn delete(key: String) -> Result<bool, String> {
        with_backend(|backend| match backend {
            Backend::Memory(entries) => Ok(entries.remove(&key).is_some()),
            Backend::Directory(dir) => {
                // Read first, so a colliding digest name never deletes another key's entry.
                if read_file(dir, &key)?.is_none() {
                    return Ok(false);
                }
                let path = entry_path(dir, &key);
                match std::fs::remove_file(&path) {
                    Ok(()) => Ok(true),
                    Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(format!("cannot delete {}: {e}", path.display())),
                }
            }
        })
    }
}

/// Keys up to this many bytes are stored under their hex (2 characters a byte, plus
/// `.entry`: 206 characters); longer ones under a digest, as file names stop at 255 bytes.
const MAX_HEX_KEY_LEN: usize = 100;

/// The file holding `key`'s entry. A short key's file is named by the key's UTF-8 bytes in
/// hex, a longer key's by `sha256-` and the hex of the key's SHA-256. Either way the name
/// holds only `[0-9a-z-]` and a fixed suffix, so no key can name another path, and the two
/// forms cannot meet (hex names have no `-`). The full key is also stored in the file and
/// checked on every read, so a digest collision is an error, never another key's entry.
fn entry_path(dir: &Path, key: &str) -> PathBuf {
    let name = if key.len() <= MAX_HEX_KEY_LEN {
        hex(key.as_bytes())
    } else {
        format!("sha256-{}", hex(&Sha256::digest(key.as_bytes())))
    };
    dir.join(format!("{name}.entry"))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Marks an entry file that stores its key (layout 2).
const MAGIC: &[u8; 8] = b"weftkv2\n";
/// Layout 1, written before long keys were supported: no stored key, so it is read only
/// under a hex name, which is the key.
const MAGIC_V1: &[u8; 8] = b"weftkv1\n";
/// Layout 2: magic, revision (u64 LE), created-at (u64 LE), key length (u32 LE),
/// content-type length (u32 LE), then the key, the content type and the value.
const HEADER_LEN: usize = 8 + 8 + 8 + 4 + 4;
/// Layout 1: magic, revision, created-at, content-type length, content type, value.
const HEADER_LEN_V1: usize = 8 + 8 + 8 + 4;

fn length_u32(what: &str, len: usize) -> Result<[u8; 4], String> {
    u32::try_from(len)
        .map(u32::to_le_bytes)
        .map_err(|_| format!("the {what} is longer than 4 GiB, the most an entry file holds"))
}

fn write_file(dir: &Path, stored: &Stored) -> Result<(), String> {
    let path = entry_path(dir, &stored.entry.key);
    let key = stored.entry.key.as_bytes();
    let content_type = stored.entry.content_type.as_bytes();
    let mut bytes =
        Vec::with_capacity(HEADER_LEN + key.len() + content_type.len() + stored.entry.value.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&stored.revision.to_le_bytes());
    bytes.extend_from_slice(&stored.entry.created_at.to_le_bytes());
    bytes.extend_from_slice(&length_u32("key", key.len())?);
    bytes.extend_from_slice(&length_u32("content type", content_type.len())?);
    bytes.extend_from_slice(key);
    bytes.extend_from_slice(content_type);
    bytes.extend_from_slice(&stored.entry.value);
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, &path)
        .map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

/// `key`'s entry from `dir`, `None` when there is none; `err` when the file cannot be read,
/// is not an entry file, or holds another key (a digest collision).
fn read_file(dir: &Path, key: &str) -> Result<Option<Stored>, String> {
    let path = entry_path(dir, key);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let corrupt = || {
        format!(
            "{} is not a storage entry file (truncated, or not written by storage-v2); \
             delete it to store the key again",
            path.display()
        )
    };
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let len_at =
        |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
    // Where the key (layout 2 only), the content type and the value start.
    let (key_range, content_type_start, content_type_len) =
        if bytes.starts_with(MAGIC) && bytes.len() >= HEADER_LEN {
            let key_end = HEADER_LEN.checked_add(len_at(24));
            (key_end.map(|end| HEADER_LEN..end), key_end, len_at(28))
        } else if bytes.starts_with(MAGIC_V1)
            && bytes.len() >= HEADER_LEN_V1
            && key.len() <= MAX_HEX_KEY_LEN
        {
            (None, Some(HEADER_LEN_V1), len_at(24))
        } else {
            return Err(corrupt());
        };
    let content_type_start = content_type_start.ok_or_else(corrupt)?;
    let value_start = content_type_start
        .checked_add(content_type_len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(corrupt)?;
    if let Some(range) = key_range
        && &bytes[range] != key.as_bytes()
    {
        return Err(format!(
            "{} holds another key with the same SHA-256 name; this key cannot be stored \
             next to it",
            path.display()
        ));
    }
    let content_type = String::from_utf8(bytes[content_type_start..value_start].to_vec())
        .map_err(|_| corrupt())?;
    Ok(Some(Stored {
        entry: StorageEntry {
            key: key.to_owned(),
            value: bytes[value_start..].to_vec(),
            content_type,
            created_at: u64_at(16),
        },
        revision: u64_at(8),
    }))
}

bindings::export!(Component with_types_in bindings);
