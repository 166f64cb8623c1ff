//! Reloads while events flow: a changed plugin is swapped atomically, a broken one
//! keeps its previous version, and `watch` reloads on file changes.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::*;
use weft_plugins::{PluginHost, PluginStatus};

/// A manifest of auth and a rate-limit whose file lives in `dir` (so it can change).
fn reloadable(dir: &Path, capacity: u32) -> (String, std::path::PathBuf) {
    let file = dir.join("rate_limit.wasm");
    if !file.exists() {
        std::fs::copy(weft_test_guests::path("rate-limit"), &file).unwrap();
    }
    let text = auth_and_rate_limit(capacity).replace(&guest("rate-limit"), &toml_path(&file));
    (text, file)
}

/// The component with a custom section appended: the same plugin, another file digest.
fn variant(bytes: &[u8], n: u32) -> Vec<u8> {
    let name = b"weft-reload";
    let payload = n.to_le_bytes();
    let mut out = bytes.to_vec();
    out.push(0); // custom section id
    out.push((1 + name.len() + payload.len()) as u8);
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(&payload);
    out
}

#[test]
fn a_hundred_reloads_while_events_stream_fail_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let (text, file) = reloadable(dir.path(), 1_000_000);
    let manifest = write_manifest(dir.path(), &text);
    let host = Arc::new(PluginHost::load(runtime(), &manifest).unwrap());
    let original = std::fs::read(&file).unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..2)
        .map(|t| {
            let (host, done) = (Arc::clone(&host), Arc::clone(&done));
            std::thread::spawn(move || {
                let mut answered = 0u64;
                let mut failed = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let answer = host.dispatch(authorized(&format!("client-{t}-{answered}")));
                    if answer.handled || !failures(&answer).is_empty() || answer.trace.len() != 2 {
                        failed.push(format!("{answer:?}"));
                    }
                    answered += 1;
                }
                (answered, failed)
            })
        })
        .collect();

    for n in 0..100 {
        // Two files in turn: each reload is a real change, and after the first two the
        // compile cache has both.
        std::fs::write(&file, variant(&original, n % 2)).unwrap();
        let report = host.reload().unwrap();
        assert_eq!(report.reloaded, ["rate-limit"], "reload {n}: {report:?}");
    }
    done.store(true, Ordering::Relaxed);
    let mut total = 0;
    for sender in senders {
        let (answered, failed) = sender.join().unwrap();
        assert!(
            failed.is_empty(),
            "{} failed events, e.g. {}",
            failed.len(),
            failed[0]
        );
        total += answered;
    }
    assert!(total > 0);
    let stats = host.stats();
    assert_eq!(stats[1].events, total, "every event reached rate-limit");
    assert_eq!(stats[1].errors, 0);
}

#[test]
fn a_broken_new_version_keeps_the_previous_one_running() {
    let dir = tempfile::tempdir().unwrap();
    let (text, file) = reloadable(dir.path(), 100);
    let manifest = write_manifest(dir.path(), &text);
    let host = PluginHost::load(runtime(), &manifest).unwrap();
    let before = sha_of(&host);

    std::fs::write(&file, b"\0asm garbage").unwrap();
    let report = host.reload().unwrap();
    assert_eq!(report.kept.len(), 1, "{report:?}");
    assert_eq!(report.kept[0].0, "rate-limit");
    assert_eq!(sha_of(&host), before, "the old version still runs");
    let answer = host.dispatch(authorized("ada"));
    assert_eq!(answer.trace[1].outcome.name(), "modified", "{answer:?}");

    // A manifest that no longer parses changes nothing.
    write_manifest(dir.path(), "[[plugin]\n");
    let error = host.reload().unwrap_err().to_string();
    assert!(error.contains("plugins.toml:1:"), "{error}");
    assert_eq!(host.stats().len(), 2);
}

#[test]
fn a_manifest_edit_changes_config_adds_and_removes_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _file) = reloadable(dir.path(), 1);
    let manifest = write_manifest(dir.path(), &text);
    let host = PluginHost::load(runtime(), &manifest).unwrap();
    assert!(!host.dispatch(authorized("ada")).handled);
    assert!(
        host.dispatch(authorized("ada")).handled,
        "budget of 1 spent"
    );

    // A bigger budget is a new handler config: the plugin is reloaded.
    let (text, _) = reloadable(dir.path(), 10);
    write_manifest(dir.path(), &text);
    let report = host.reload().unwrap();
    assert_eq!(report.reloaded, ["rate-limit"]);
    assert!(!host.dispatch(authorized("ada")).handled);

    // Dropping auth and adding the hostile plugin.
    let without_auth = text.split("[[plugin]]").nth(2).unwrap().to_string();
    let text = format!(
        "[[plugin]]\nname = \"hostile\"\npath = {}\n[[plugin]]{without_auth}",
        guest("hostile-plugin")
    );
    write_manifest(dir.path(), &text);
    let report = host.reload().unwrap();
    assert_eq!(
        (report.added, report.removed),
        (vec!["hostile".into()], vec!["auth".into()])
    );
    let answer = host.dispatch(authorized("ada"));
    assert_eq!(
        outcomes(&answer),
        [
            ("hostile".into(), "passed"),
            ("rate-limit".into(), "modified")
        ]
    );

    // Nothing changed: nothing is reloaded.
    assert!(host.reload().unwrap().is_empty());
}

#[test]
fn watch_reloads_when_a_plugin_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (text, file) = reloadable(dir.path(), 1);
    let manifest = write_manifest(dir.path(), &text);
    let host = Arc::new(PluginHost::load(runtime(), &manifest).unwrap());
    let (tx, reloads) = mpsc::channel();
    let _watcher = weft_plugins::watch(Arc::clone(&host), move |report| {
        let _ = tx.send(report.map(|r| r.reloaded).map_err(|e| e.to_string()));
    })
    .unwrap();
    assert!(!host.dispatch(authorized("ada")).handled);
    assert!(host.dispatch(authorized("ada")).handled);

    // Replacing the file the way a build does: write a temp file, rename it over.
    let original = std::fs::read(&file).unwrap();
    let temp = dir.path().join("rate_limit.wasm.tmp");
    std::fs::write(&temp, variant(&original, 1)).unwrap();
    std::fs::rename(&temp, &file).unwrap();
    let reloaded = reloads
        .recv_timeout(Duration::from_secs(20))
        .expect("a reload");
    assert_eq!(reloaded, Ok(vec!["rate-limit".to_string()]));
    // A fresh instance: ada's bucket is full again.
    assert!(!host.dispatch(authorized("ada")).handled);
}

fn sha_of(host: &PluginHost) -> String {
    match &host.plugins()[1].status {
        PluginStatus::Loaded { sha256, .. } => sha256.clone(),
        other => panic!("{other:?}"),
    }
}
