//! The storage components: `guests/storage-v2` directly (in memory and in a granted
//! directory), then the seed's adapter pattern: `guests/storage-adapter` composed on
//! storage-v2 with weft-compose, and `guests/legacy-app` on top of that.

mod common;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use common::{bytes_json, call, json_bytes, ok, session, session_on, session_with};
use serde_json::{Value, json};
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

#[test]
fn storage_v2_in_memory() -> Result<()> {
    let mut session = session(weft_test_guests::STORAGE_V2)?;
    exercise_v2(&mut session)
}

#[test]
fn storage_v2_in_a_granted_directory_survives_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut first = session_with(weft_test_guests::STORAGE_V2, store_in(dir.path()))?;
    exercise_v2(&mut first)?;
    put(
        &mut first,
        entry("kept", b"across instances", "text/plain", 7),
    )?;
    first.finish();
    // One file per entry, named by the key's hex; nothing escaped the directory.
    let kept = dir.path().join(format!("{}.entry", hex_of("kept")));
    assert!(kept.is_file(), "{}", kept.display());
    assert!(
        !dir.path()
            .parent()
            .expect("a parent")
            .join("escape")
            .exists()
    );

    let mut second = session_with(weft_test_guests::STORAGE_V2, store_in(dir.path()))?;
    assert_eq!(
        get(&mut second, "kept")?,
        entry("kept", b"across instances", "text/plain", 7)
    );
    assert_eq!(
        put(&mut second, entry("kept", b"again", "text/plain", 8))?,
        2,
        "the revision persists"
    );
    Ok(())
}

fn hex_of(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
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
