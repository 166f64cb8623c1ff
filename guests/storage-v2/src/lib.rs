//! A `modern:storage/storage-v2` store (world `modern:storage/modern-storage`).
//!
//! Where entries live is the host's choice: when the environment variable `STORAGE_DIR`
//! names a directory (one the host granted through a WASI preopen), each entry is a file
//! there and survives the component instance; otherwise entries live in the instance's
//! memory. File names are the hex of the key, so any key is safe; a file holds a small
//! header (revision, creation time, content type) and then the value, and is replaced
//! atomically (write to a temporary file, then rename).

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/storage-v2",
        world: "modern:storage/modern-storage@2.0.0",
    });
}

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bindings::exports::modern::storage::storage_v2::{Guest, StorageEntry};

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

/// The file holding `key`'s entry: the key's UTF-8 bytes in hex, so no key can name
/// another path.
fn entry_path(dir: &std::path::Path, key: &str) -> PathBuf {
    let mut name = String::with_capacity(key.len() * 2 + 6);
    for byte in key.bytes() {
        name.push_str(&format!("{byte:02x}"));
    }
    name.push_str(".entry");
    dir.join(name)
}

/// Marks an entry file and its layout version.
const MAGIC: &[u8; 8] = b"weftkv1\n";
/// Magic, revision (u64 LE), created-at (u64 LE), content-type length (u32 LE).
const HEADER_LEN: usize = 8 + 8 + 8 + 4;

fn write_file(dir: &std::path::Path, stored: &Stored) -> Result<(), String> {
    let path = entry_path(dir, &stored.entry.key);
    let content_type = stored.entry.content_type.as_bytes();
    let content_type_len = u32::try_from(content_type.len())
        .map_err(|_| "the content type is longer than 4 GiB".to_owned())?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + content_type.len() + stored.entry.value.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&stored.revision.to_le_bytes());
    bytes.extend_from_slice(&stored.entry.created_at.to_le_bytes());
    bytes.extend_from_slice(&content_type_len.to_le_bytes());
    bytes.extend_from_slice(content_type);
    bytes.extend_from_slice(&stored.entry.value);
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, &path)
        .map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

fn read_file(dir: &std::path::Path, key: &str) -> Result<Option<Stored>, String> {
    let path = entry_path(dir, key);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let corrupt = || format!("{} is not a storage entry file", path.display());
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(corrupt());
    }
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let revision = u64_at(8);
    let created_at = u64_at(16);
    let content_type_len = u32::from_le_bytes(bytes[24..28].try_into().expect("4 bytes")) as usize;
    let value_start = HEADER_LEN
        .checked_add(content_type_len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(corrupt)?;
    let content_type =
        String::from_utf8(bytes[HEADER_LEN..value_start].to_vec()).map_err(|_| corrupt())?;
    Ok(Some(Stored {
        entry: StorageEntry {
            key: key.to_owned(),
            value: bytes[value_start..].to_vec(),
            content_type,
            created_at,
        },
        revision,
    }))
}

bindings::export!(Component with_types_in bindings);
