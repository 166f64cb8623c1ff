//! The storage components: `guests/storage-v2` directly (in memory and in a granted
//! directory), then the seed's adapter pattern: `guests/storage-adapter` composed on
//! storage-v2 with weft-compose, and `guests/legacy-app` on top of that.

mod common;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use common::{bytes_json, call, json_bytes, ok, session, session_on, session_with};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use weft_runtime::{Capabilities, Preopen, Runtime, RuntimeConfig, Session};

fn entry(key: &str, value: &[u8], content_type: &str, created_at: u64) -> Value {
    json!({"key": key, "value": bytes_json(value), "content-type": content_type, "created-at": created_at})
}

fn put(session: &mut Session, entry: Value) -> Result<u64> {
    Ok(ok(call(session, "put", json!([entry]))?)?
        .as_u64()
        .expect("a revision"))
}

fn get(session: &mut Session, key: &str) -> Result<Value> {
    ok(call(session, "get", json!([key]))?)
}

fn delete(session: &mut Session, key: &str) -> Result<bool> {
    Ok(ok(call(session, "delete", json!([key]))?)?
        .as_bool()
        .expect("a bool"))
}

/// Capabilities that grant `dir` as `/store` and point storage-v2 at it.
fn store_in(dir: &Path) -> Capabilities {
    Capabilities {
        preopens: vec![Preopen {
            host: dir.to_path_buf(),
            guest: "/store".to_owned(),
            read_only: false,
        }],
        env: vec![("STORAGE_DIR".to_owned(), "/store".to_owned())],
        ..Capabilities::default()
    }
}

/// put, get, replace and delete through storage-v2, whatever the backend.
fn exercise_v2(session: &mut Session) -> Result<()> {
    assert_eq!(get(session, "greeting")?, Value::Null);
    assert_eq!(
        put(session, entry("greeting", b"hello", "text/plain", 42))?,
        1
    );
    assert_eq!(
        get(session, "greeting")?,
        entry("greeting", b"hello", "text/plain", 42)
    );
    assert_eq!(
        put(
            session,
            entry("greeting", &[0, 255], "application/octet-stream", 43)
        )?,
        2
    );
    assert_eq!(
        get(session, "greeting")?,
        entry("greeting", &[0, 255], "application/octet-stream", 43)
    );
    // Keys are opaque: path-like keys stay keys.
    for key in ["../escape", "a/b", "", "ключ"] {
        assert_eq!(
            put(session, entry(key, key.as_bytes(), "text/plain", 1))?,
            1
        );
        assert_eq!(json_bytes(&get(session, key)?["value"])?, key.as_bytes());
    }
    // created-at 0 asks the store for the current time.
    let before = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    put(session, entry("stamped", b"", "text/plain", 0))?;
    let stamped = get(session, "stamped")?["created-at"]
        .as_u64()
        .expect("a time");
    assert!(
        (before..=before + 5).contains(&stamped),
        "{stamped} vs {before}"
    );
    assert!(delete(session, "greeting")?);
    assert!(!delete(session, "greeting")?);
    assert_eq!(get(session, "greeting")?, Value::Null);
    Ok(())
}

/// Keys no file name could hold as they are: path syntax, NUL, and lengths around and far
/// past the 255-byte file-name limit (hex doubles a key's length).
fn unusual_keys() -> Vec<String> {
    vec![
        "../../etc/passwd".to_owned(),
        "a/b/../c".to_owned(),
        "..".to_owned(),
        "/".to_owned(),
        "nul\0inside/..\0".to_owned(),
        "x".repeat(100),
        "x".repeat(101),
        "k/../\0".repeat(200)[..1000].to_owned(),
        // Same as the one above but for the last byte: long keys stay distinct.
        format!("{}!", &"k/../\0".repeat(200)[..999]),
        "é".repeat(500),
    ]
}

/// Every unusual key round-trips, is replaced in place, and is deleted on its own.
fn exercise_unusual_keys(session: &mut Session) -> Result<()> {
    let keys = unusual_keys();
    assert_eq!(keys[7].len(), 1000);
    for key in &keys {
        let value = format!("value of a {}-byte key", key.len());
        assert_eq!(
            put(session, entry(key, value.as_bytes(), "text/plain", 5))?,
            1,
            "{key:?}"
        );
    }
    for key in &keys {
        let value = format!("value of a {}-byte key", key.len());
        assert_eq!(
            get(session, key)?,
            entry(key, value.as_bytes(), "text/plain", 5),
            "{key:?}"
        );
    }
    assert_eq!(
        put(session, entry(&keys[7], b"second", "text/plain", 6))?,
        2
    );
    assert_eq!(
        get(session, &keys[7])?,
        entry(&keys[7], b"second", "text/plain", 6)
    );
    assert!(delete(session, &keys[7])?);
    assert_eq!(get(session, &keys[7])?, Value::Null);
    // Its near twin is untouched.
    assert_eq!(
        json_bytes(&get(session, &keys[8])?["value"])?,
        b"value of a 1000-byte key"
    );
    Ok(())
}

#[test]
fn storage_v2_in_memory() -> Result<()> {
    let mut session = session(weft_test_guests::STORAGE_V2)?;
    exercise_v2(&mut session)?;
    exercise_unusual_keys(&mut session)
}

/// A store granted as `outer/store`, so the test can see whether anything landed beside it.
struct GrantedStore {
    outer: tempfile::TempDir,
}

impl GrantedStore {
    fn new() -> Result<GrantedStore> {
        let outer = tempfile::tempdir()?;
        std::fs::create_dir(outer.path().join("store"))?;
        Ok(GrantedStore { outer })
    }

    fn dir(&self) -> PathBuf {
        self.outer.path().join("store")
    }

    /// Fails unless the granted directory is all there is in its parent, and holds only
    /// entry files with the names storage-v2 gives them (no temporary file left over).
    fn assert_contained(&self) -> Result<Vec<String>> {
        let beside = names_in(self.outer.path())?;
        assert_eq!(beside, ["store"], "files outside the granted directory");
        let names = names_in(&self.dir())?;
        for name in &names {
            let stem = name
                .strip_suffix(".entry")
                .unwrap_or_else(|| panic!("{name}"));
            let stem = stem.strip_prefix("sha256-").unwrap_or(stem);
            assert!(
                stem.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{name}"
            );
            assert!(name.len() <= 255, "{name}");
        }
        Ok(names)
    }
}

/// The file names in `dir`, sorted.
fn names_in(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// The file storage-v2 keeps `key` in: hex up to 100 bytes, else the SHA-256's hex.
fn file_name(key: &str) -> String {
    if key.len() <= 100 {
        format!("{}.entry", hex_of(key.as_bytes()))
    } else {
        format!("sha256-{}.entry", hex_of(&Sha256::digest(key.as_bytes())))
    }
}

#[test]
fn storage_v2_in_a_granted_directory_survives_a_restart() -> Result<()> {
    let store = GrantedStore::new()?;
    let mut first = session_with(weft_test_guests::STORAGE_V2, store_in(&store.dir()))?;
    exercise_v2(&mut first)?;
    exercise_unusual_keys(&mut first)?;
    put(
        &mut first,
        entry("kept", b"across instances", "text/plain", 7),
    )?;
    first.finish();
    // One file per entry, named by the key's hex or digest; nothing escaped the directory.
    let mut expected: Vec<String> = ["kept", "stamped", "../escape", "a/b", "", "ключ"]
        .into_iter()
        .map(str::to_owned)
        .chain(unusual_keys())
        .filter(|key| *key != unusual_keys()[7])
        .map(|key| file_name(&key))
        .collect();
    expected.sort();
    assert_eq!(store.assert_contained()?, expected);

    let mut second = session_with(weft_test_guests::STORAGE_V2, store_in(&store.dir()))?;
    assert_eq!(
        get(&mut second, "kept")?,
        entry("kept", b"across instances", "text/plain", 7)
    );
    assert_eq!(
        put(&mut second, entry("kept", b"again", "text/plain", 8))?,
        2,
        "the revision persists"
    );
    let long = &unusual_keys()[8];
    assert_eq!(
        get(&mut second, long)?,
        entry(long, b"value of a 1000-byte key", "text/plain", 5)
    );
    Ok(())
}

#[test]
fn an_entry_file_under_another_keys_name_is_an_error() -> Result<()> {
    // Copying one long key's file to another long key's name stands in for a SHA-256
    // collision: the key stored inside the file must give it away.
    let store = GrantedStore::new()?;
    let (a, b) = ("a".repeat(300), "b".repeat(300));
    let mut session = session_with(weft_test_guests::STORAGE_V2, store_in(&store.dir()))?;
    put(&mut session, entry(&a, b"a's value", "text/plain", 1))?;
    std::fs::copy(
        store.dir().join(file_name(&a)),
        store.dir().join(file_name(&b)),
    )?;
    for result in [
        call(&mut session, "get", json!([b]))?,
        call(&mut session, "delete", json!([b]))?,
        call(
            &mut session,
            "put",
            json!([entry(&b, b"", "text/plain", 1)]),
        )?,
    ] {
        let message = common::err(result)?;
        assert!(message.contains("holds another key"), "{message}");
    }
    assert!(store.dir().join(file_name(&b)).is_file(), "delete kept it");
    assert_eq!(json_bytes(&get(&mut session, &a)?["value"])?, b"a's value");

    // A file that is not an entry is an error naming it, not an empty entry.
    std::fs::write(store.dir().join(file_name("junk")), b"junk")?;
    let message = common::err(call(&mut session, "get", json!(["junk"]))?)?;
    assert!(
        message.contains(&file_name("junk")) && message.contains("not a storage entry file"),
        "{message}"
    );
    Ok(())
}

#[test]
fn entry_files_of_the_first_layout_still_read() -> Result<()> {
    // Layout 1 (no stored key): magic, revision, created-at, content-type length, type, value.
    let store = GrantedStore::new()?;
    let mut bytes = b"weftkv1\n".to_vec();
    bytes.extend(3u64.to_le_bytes());
    bytes.extend(99u64.to_le_bytes());
    bytes.extend(10u32.to_le_bytes());
    bytes.extend(b"text/plainold");
    std::fs::write(store.dir().join(file_name("old")), bytes)?;
    let mut session = session_with(weft_test_guests::STORAGE_V2, store_in(&store.dir()))?;
    assert_eq!(
        get(&mut session, "old")?,
        entry("old", b"old", "text/plain", 99)
    );
    assert_eq!(
        put(&mut session, entry("old", b"new", "text/plain", 100))?,
        4
    );
    assert_eq!(
        get(&mut session, "old")?,
        entry("old", b"new", "text/plain", 100)
    );
    Ok(())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Composes `socket` with `plugs` and writes the result to `dir/name.wasm`.
fn compose(dir: &Path, name: &str, socket: &str, plugs: &[&str]) -> Result<PathBuf> {
    let plugs: Vec<PathBuf> = plugs.iter().map(PathBuf::from).collect();
    let composition = weft_compose::plug(Path::new(socket), &plugs)?;
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, composition.bytes)?;
    Ok(path)
}

#[test]
fn the_adapter_serves_v1_from_v2() -> Result<()> {
    let work = tempfile::tempdir()?;
    let adapted = compose(
        work.path(),
        "storage-v1-over-v2",
        weft_test_guests::STORAGE_ADAPTER,
        &[weft_test_guests::STORAGE_V2],
    )?;
    let store = tempfile::tempdir()?;
    let mut session = session_with(
        adapted.to_str().expect("utf-8 path"),
        store_in(store.path()),
    )?;
    assert_eq!(call(&mut session, "load", json!(["k"]))?, Value::Null);
    assert_eq!(
        call(&mut session, "save", json!(["k", "v1 value"]))?,
        json!(true)
    );
    assert_eq!(call(&mut session, "load", json!(["k"]))?, json!("v1 value"));
    session.finish();

    // The adapter wrote a v2 entry: text/plain, stamped with the current time.
    let mut v2 = session_with(weft_test_guests::STORAGE_V2, store_in(store.path()))?;
    let stored = get(&mut v2, "k")?;
    assert_eq!(stored["content-type"], json!("text/plain"));
    assert_eq!(json_bytes(&stored["value"])?, b"v1 value");
    assert!(stored["created-at"].as_u64().expect("a time") > 1_600_000_000);
    // A v2 value that is not UTF-8 reads as absent through v1, as in the seed.
    put(
        &mut v2,
        entry("binary", &[0xff, 0xfe], "application/octet-stream", 1),
    )?;
    v2.finish();
    let mut session = session_with(
        adapted.to_str().expect("utf-8 path"),
        store_in(store.path()),
    )?;
    assert_eq!(call(&mut session, "load", json!(["binary"]))?, Value::Null);
    Ok(())
}

#[test]
fn the_legacy_app_runs_unchanged_on_the_adapter() -> Result<()> {
    let work = tempfile::tempdir()?;
    let adapted = compose(
        work.path(),
        "storage-v1-over-v2",
        weft_test_guests::STORAGE_ADAPTER,
        &[weft_test_guests::STORAGE_V2],
    )?;
    let app = compose(
        work.path(),
        "legacy-app-on-v2",
        weft_test_guests::LEGACY_APP,
        &[adapted.to_str().expect("utf-8 path")],
    )?;
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let component = runtime.load_file(&app)?;
    let mut session = session_on(&runtime, &component, Capabilities::default())?;
    let round_trip = call(
        &mut session,
        "round-trip",
        json!(["note", "written by a v1 client"]),
    )?;
    assert_eq!(ok(round_trip)?, json!("written by a v1 client"));
    for expected in 1..=3 {
        assert_eq!(
            ok(call(&mut session, "count", json!(["visits"]))?)?,
            json!(expected)
        );
    }
    let message = common::err(call(&mut session, "count", json!(["note"]))?)?;
    assert!(message.contains("not a count"), "{message}");
    Ok(())
}
