//! The seed's adapter pattern (world `weft:storage-adapter/storage-adapter`): it exports
//! the old `legacy:storage/storage-v1` and implements it on the `modern:storage/storage-v2`
//! it imports, so old clients keep working once storage moves to v2.
//!
//! Written as in the seed: a `StorageAdapter` holding the modern store behind a trait.
//! `save` stores the string's UTF-8 bytes as `text/plain` stamped with the current time
//! and reports success as a bool; `load` returns the value when it is valid UTF-8. v1 has
//! no way to report errors, so v2's errors become `false` and `None`, as in the seed.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/storage-v1", "../../wit/storage-v2", "wit"],
        world: "weft:storage-adapter/storage-adapter@0.1.0",
        // The imported interface comes from another package; generate its bindings here.
        generate_all,
    });
}

use std::time::{SystemTime, UNIX_EPOCH};

use bindings::exports::legacy::storage::storage_v1::Guest;
use bindings::modern::storage::storage_v2::{self, StorageEntry};

/// The new storage interface, as the adapter uses it.
trait ModernStorage {
    fn put(&self, entry: StorageEntry) -> Result<u64, String>;
    fn get(&self, key: String) -> Result<Option<StorageEntry>, String>;
}

/// The `storage-v2` this component imports.
struct ImportedStorage;

impl ModernStorage for ImportedStorage {
    fn put(&self, entry: StorageEntry) -> Result<u64, String> {
        storage_v2::put(&entry)
    }

    fn get(&self, key: String) -> Result<Option<StorageEntry>, String> {
        storage_v2::get(&key)
    }
}

/// The old interface on top of a modern store.
struct StorageAdapter {
    inner: Box<dyn ModernStorage>,
}

impl StorageAdapter {
    fn save(&self, key: String, value: String) -> bool {
        self.inner
            .put(StorageEntry {
                key,
                value: value.into_bytes(),
                content_type: "text/plain".to_string(),
                created_at: current_timestamp(),
            })
            .is_ok()
    }

    fn load(&self, key: String) -> Option<String> {
        match self.inner.get(key) {
            Ok(Some(entry)) => String::from_utf8(entry.value).ok(),
            _ => None,
        }
    }
}

/// Seconds since the Unix epoch, from `wasi:clocks/wall-clock`.
fn current_timestamp() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The adapter over the imported store.
fn adapter() -> StorageAdapter {
    StorageAdapter {
        inner: Box::new(ImportedStorage),
    }
}

/// The component's export implementation.
struct Component;

impl Guest for Component {
    fn save(key: String, value: String) -> bool {
        adapter().save(key, value)
    }

    fn load(key: String) -> Option<String> {
        adapter().load(key)
    }
}

bindings::export!(Component with_types_in bindings);
