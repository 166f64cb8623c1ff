//! A legacy storage client (world `weft:legacy-app/legacy-app`): it imports only the
//! seed's `legacy:storage/storage-v1` and exports `app`, whose functions exercise it. Run
//! over the storage adapter composed on `storage-v2`, it shows an old client working
//! unchanged on the new store.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/storage-v1", "wit"],
        world: "weft:legacy-app/legacy-app@0.1.0",
        // The imported interface comes from another package; generate its bindings here.
        generate_all,
    });
}

use bindings::exports::weft::legacy_app::app::Guest;
use bindings::legacy::storage::storage_v1;

/// The component's export implementation.
struct LegacyApp;

impl Guest for LegacyApp {
    fn round_trip(key: String, value: String) -> Result<String, String> {
        if !storage_v1::save(&key, &value) {
            return Err(format!("save of `{key}` failed"));
        }
        match storage_v1::load(&key) {
            Some(loaded) if loaded == value => Ok(loaded),
            Some(loaded) => Err(format!(
                "load of `{key}` returned {loaded:?}, not the saved {value:?}"
            )),
            None => Err(format!("load of `{key}` found nothing after saving it")),
        }
    }

    fn count(key: String) -> Result<u64, String> {
        let current = match storage_v1::load(&key) {
            None => 0,
            Some(text) => text
                .parse::<u64>()
                .map_err(|e| format!("`{key}` holds {text:?}, not a count: {e}"))?,
        };
        let next = current
            .checked_add(1)
            .ok_or_else(|| format!("`{key}` is at the largest count"))?;
        if storage_v1::save(&key, &next.to_string()) {
            Ok(next)
        } else {
            Err(format!("save of `{key}` failed"))
        }
    }
}

bindings::export!(LegacyApp with_types_in bindings);
