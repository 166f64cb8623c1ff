//! The composition examples end to end through the real `weft` binary: `weft compose`
//! (and `weft plug`) write a component, `weft call` runs it, and the output is what the
//! example's comment promises.
//!
//! The manifests in `examples/compose/` refer to the guests where a plain build puts them
//! (`../../guests/target/wasm32-wasip2/release`, as `scripts/demo.sh` builds them). Tests
//! take guest paths only from `weft-test-guests` (which builds into
//! `$WEFT_GUESTS_TARGET_DIR` when set), so each test writes a copy of the manifest with that
//! directory replaced by the one the guests were built in, and fails if the manifest no
//! longer refers to the guests that way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where the example manifests refer to the built guests, relative to themselves.
const GUESTS_IN_EXAMPLES: &str = "../../guests/target/wasm32-wasip2/release";

/// `examples/compose/`.
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/compose")
}

/// The directory weft-test-guests built the guests into.
fn built_guests() -> &'static Path {
    Path::new(weft_test_guests::path("greeter"))
        .parent()
        .expect("a guest path has a parent directory")
}

/// A copy of the example manifest `file` in `dir`, its guest paths pointing at the built
/// guests.
fn manifest_copy(file: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(examples().join(file)).unwrap();
    assert!(
        text.contains(GUESTS_IN_EXAMPLES),
        "{file} no longer refers to the guests as `{GUESTS_IN_EXAMPLES}/…`; update this test"
    );
    let text = text.replace(GUESTS_IN_EXAMPLES, built_guests().to_str().unwrap());
    let copy = dir.join(file);
    std::fs::write(&copy, text).unwrap();
    copy
}

/// Runs `weft ARGS` with its compile cache inside `dir`.
fn weft(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(dir)
        .env("WEFT_CACHE_DIR", dir.join("cache"))
        .env_remove("RUST_LOG")
        .output()
        .expect("run the weft binary")
}

/// Runs `weft ARGS`, requires exit status 0 and returns (stdout, stderr).
fn weft_ok(dir: &Path, args: &[&str]) -> (String, String) {
    let out = weft(dir, args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        out.status.success(),
        "`weft {}` exited with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        args.join(" "),
        out.status
    );
    (stdout, stderr)
}

/// Composes the example manifest `file` with `weft compose` into `DIR/OUT`.
fn compose(dir: &Path, file: &str, out: &str) -> PathBuf {
    let manifest = manifest_copy(file, dir);
    let output = dir.join(out);
    let (stdout, _) = weft_ok(
        dir,
        &[
            "compose",
            manifest.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
    );
    assert!(output.is_file(), "weft compose wrote no {out}: {stdout}");
    output
}

#[test]
fn compose_toml_greets_and_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let app = compose(tmp.path(), "compose.toml", "app.wasm");
    let (stdout, stderr) = weft_ok(
        tmp.path(),
        &[
            "call",
            app.to_str().unwrap(),
            r#"greet({name: "Ada", title: none})"#,
        ],
    );
    assert_eq!(stdout, "\"Hello, Ada! Welcome aboard.\"\n");
    // The logger composed inside writes its line to stderr itself (through WASI), in its
    // `[level] message` format; weft's host logger would print `DEBUG guest: …` instead.
    assert!(
        stderr.lines().any(|l| l == "[debug] Greeting Ada"),
        "the logger's line on stderr: {stderr:?}"
    );
    assert!(
        !stderr.contains("guest:"),
        "the line comes from the composed logger, not weft's host logging: {stderr:?}"
    );
}

#[test]
fn legacy_app_manifest_lands_v1_calls_in_v2() {
    let tmp = tempfile::tempdir().unwrap();
    let legacy = compose(tmp.path(), "legacy-app.toml", "legacy.wasm");
    let (stdout, _) = weft_ok(
        tmp.path(),
        &[
            "call",
            legacy.to_str().unwrap(),
            r#"round-trip("motd", "hello")"#,
            r#"count("visits")"#,
            r#"count("visits")"#,
            r#"get("motd")"#,
        ],
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[..3], [r#"ok("hello")"#, "ok(1)", "ok(2)"]);
    // `get` is v2's: the v1 string "hello" is stored as bytes, typed text/plain.
    assert!(
        lines[3].starts_with(
            r#"ok(some({key: "motd", value: [104, 101, 108, 108, 111], content-type: "text/plain", created-at: "#
        ),
        "{}",
        lines[3]
    );
}

/// storage-adapter.toml's two steps: compose the v1-over-v2 adapter, plug the legacy app
/// onto it, call the app.
#[test]
fn storage_adapter_then_plug_legacy_app() {
    let tmp = tempfile::tempdir().unwrap();
    let storage_v1 = compose(tmp.path(), "storage-adapter.toml", "storage-v1.wasm");
    let legacy = tmp.path().join("legacy.wasm");
    weft_ok(
        tmp.path(),
        &[
            "plug",
            weft_test_guests::path("legacy-app"),
            "--plug",
            storage_v1.to_str().unwrap(),
            "-o",
            legacy.to_str().unwrap(),
        ],
    );
    let (stdout, _) = weft_ok(
        tmp.path(),
        &[
            "call",
            legacy.to_str().unwrap(),
            r#"round-trip("motd", "hello")"#,
            r#"count("visits")"#,
            r#"count("visits")"#,
        ],
    );
    assert_eq!(stdout, "ok(\"hello\")\nok(1)\nok(2)\n");
}
