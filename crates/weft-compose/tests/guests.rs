//! The issue's demonstrations on the real guests (built from `guests/` by
//! `weft-test-guests`): compose, then run the result through weft-runtime.
//!
//! - greeter + logger (the seed's compose.toml, as written) → one component without a
//!   `logging` import, whose `greet` returns the greeting and logs a line;
//! - storage-adapter + storage-v2 → a `legacy:storage/storage-v1` provider; legacy-app
//!   over it → an app whose v1 calls land in the v2 store;
//! - the seed's two-step flow: storage-adapter + storage-v2 composed into a v1 provider,
//!   then legacy-app plugged onto it;
//! - the same through WAC and through `plug`;
//! - every manifest and WAC document in `examples/compose/`, composed and called;
//! - `targets --allow-wasi` on a real `wasm32-wasip2` guest;
//! - one composed output under the `wasmtime` CLI when it is installed.
//!
//! Every output is validated with wasmparser inside weft-compose; the tests check it
//! again here so a change there cannot hide it.

use std::path::{Path, PathBuf};
use std::process::Command;

use weft_compose::{Composition, ExternKind, Warning};
use weft_runtime::{Capabilities, Output, Runtime, RuntimeConfig, SessionOptions};

/// The seed's compose.toml, verbatim (`formatter.wasm` does not exist: a warning).
const SEED_MANIFEST: &str = r#"[component]
name = "application"
[component.dependencies]
greeter = { path = "greeter.wasm" }
logger = { path = "logger.wasm" }
formatter = { path = "formatter.wasm" }
[component.instantiate]
component = "greeter"
dependencies = { logging = "logger" }
"#;

/// A temp dir holding copies of the named guests as `<file name>`.
fn workdir(guests: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (guest, file) in guests {
        std::fs::copy(weft_test_guests::path(guest), dir.path().join(file)).unwrap();
    }
    dir
}

fn import_names(c: &Composition) -> Vec<&str> {
    c.imports.iter().map(|i| i.name.as_str()).collect()
}

fn export_names(c: &Composition) -> Vec<&str> {
    c.exports.iter().map(|i| i.name.as_str()).collect()
}

fn assert_valid(bytes: &[u8]) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::default())
        .validate_all(bytes)
        .expect("composed output validates");
}

fn capture_stderr() -> SessionOptions {
    SessionOptions {
        capabilities: Capabilities {
            stderr: Output::Capture,
            ..Capabilities::default()
        },
        ..SessionOptions::default()
    }
}

/// Runs `calls` in one session of the component at `path`; returns the results and
/// the captured stderr.
fn run(path: &Path, calls: &[&str]) -> (Vec<String>, String) {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let component = runtime.load_file(path).unwrap();
    let mut session = runtime.session(&component, capture_stderr()).unwrap();
    let results = calls
        .iter()
        .map(|call| {
            session
                .call_wave(call)
                .unwrap_or_else(|e| panic!("{call}: {e}"))
        })
        .collect();
    let stderr = String::from_utf8(session.stderr().unwrap_or_default()).unwrap();
    (results, stderr)
}

fn compose_seed(dir: &Path) -> Composition {
    let manifest = dir.join("compose.toml");
    std::fs::write(&manifest, SEED_MANIFEST).unwrap();
    weft_compose::compose_manifest_file(&manifest).unwrap()
}

#[test]
fn seed_manifest_composes_greeter_and_logger_as_written() {
    let dir = workdir(&[("greeter", "greeter.wasm"), ("logger", "logger.wasm")]);
    let composed = compose_seed(dir.path());
    assert_valid(&composed.bytes);
    assert_eq!(
        composed.warnings,
        [Warning::UnusedDependency {
            name: "formatter".into(),
            path: "formatter.wasm".into()
        }]
    );
    assert!(
        !import_names(&composed)
            .iter()
            .any(|i| i.starts_with("example:greeter/logging")),
        "logging is satisfied inside: {:?}",
        import_names(&composed)
    );
    assert_eq!(
        composed
            .exports
            .iter()
            .map(|e| (e.name.as_str(), e.kind))
            .collect::<Vec<_>>(),
        [("example:greeter/greeting@1.0.0", ExternKind::Instance)]
    );
}

#[test]
fn composed_greeter_greets_and_logs_through_weft_runtime() {
    let dir = workdir(&[("greeter", "greeter.wasm"), ("logger", "logger.wasm")]);
    let composed = compose_seed(dir.path());
    let app = dir.path().join("app.wasm");
    std::fs::write(&app, &composed.bytes).unwrap();
    let (results, stderr) = run(&app, &[r#"greet({name: "Ada", title: none})"#]);
    assert!(results[0].contains("Ada"), "greeting: {}", results[0]);
    assert!(
        stderr.contains("Ada"),
        "the logger's line on stderr: {stderr:?}"
    );
    assert!(
        stderr.starts_with('['),
        "logger format `[level] message`: {stderr:?}"
    );
}

const STORAGE_MANIFEST: &str = r#"[component]
name = "legacy-app-on-v2"

[component.dependencies]
app = { path = "legacy_app.wasm" }
adapter = { path = "storage_adapter.wasm" }
store = { path = "storage_v2.wasm" }

# The v2 store, exported too so the test can look inside it.
[[component.instantiate]]
component = "store"
exports = true

[[component.instantiate]]
component = "adapter"
dependencies = { storage-v2 = "store" }

[[component.instantiate]]
component = "app"
dependencies = { "legacy:storage/storage-v1" = "adapter" }
"#;

/// storage-adapter over storage-v2: a component that exports only v1.
const ADAPTER_MANIFEST: &str = r#"[component.dependencies]
adapter = { path = "storage_adapter.wasm" }
v2 = { path = "storage_v2.wasm" }

[component.instantiate]
component = "adapter"
dependencies = { storage-v2 = "v2" }
"#;

/// Composes [`ADAPTER_MANIFEST`] in `dir` (which holds the two guests).
fn compose_adapter(dir: &Path) -> Composition {
    let manifest = dir.join("adapter.toml");
    std::fs::write(&manifest, ADAPTER_MANIFEST).unwrap();
    weft_compose::compose_manifest_file(&manifest).unwrap()
}

/// The `created-at` of a WAVE-rendered v2 `storage-entry`.
fn created_at(entry: &str) -> u64 {
    let rest = entry
        .split_once("created-at: ")
        .unwrap_or_else(|| panic!("no created-at in {entry}"))
        .1;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|e| panic!("created-at in {entry}: {e}"))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn storage_adapter_over_v2_provides_v1() {
    let dir = workdir(&[
        ("storage-adapter", "storage_adapter.wasm"),
        ("storage-v2", "storage_v2.wasm"),
    ]);
    let composed = compose_adapter(dir.path());
    assert_valid(&composed.bytes);
    assert_eq!(export_names(&composed), ["legacy:storage/storage-v1@1.0.0"]);
    assert!(
        !import_names(&composed)
            .iter()
            .any(|i| i.starts_with("modern:storage") || i.starts_with("legacy:storage")),
        "storage is satisfied inside: {:?}",
        import_names(&composed)
    );
    assert!(composed.warnings.is_empty(), "{:?}", composed.warnings);

    // v1 calls on the composed component, answered by the v2 store behind the adapter:
    // a save is kept, a second save replaces it (v2's `put` replaces by key), a key never
    // saved loads as nothing (v2's `get` of an absent key is `ok(none)`).
    let out = dir.path().join("storage-v1.wasm");
    std::fs::write(&out, &composed.bytes).unwrap();
    let (results, _) = run(
        &out,
        &[
            r#"load("motd")"#,
            r#"save("motd", "hello")"#,
            r#"load("motd")"#,
            r#"save("motd", "bonjour")"#,
            r#"load("motd")"#,
            r#"save("", "empty key")"#,
            r#"load("")"#,
            r#"load("other")"#,
        ],
    );
    assert_eq!(
        results,
        [
            "none",
            "true",
            r#"some("hello")"#,
            "true",
            r#"some("bonjour")"#,
            "true",
            r#"some("empty key")"#,
            "none"
        ]
    );
}

#[test]
fn v1_saves_through_the_adapter_are_v2_entries() {
    let dir = workdir(&[
        ("storage-adapter", "storage_adapter.wasm"),
        ("storage-v2", "storage_v2.wasm"),
    ]);
    // The same composition with the v2 store exported too, to look inside it.
    let manifest = dir.path().join("adapter.toml");
    std::fs::write(
        &manifest,
        ADAPTER_MANIFEST.replace(
            "[component.instantiate]",
            "[[component.instantiate]]\ncomponent = \"v2\"\nexports = true\n\n[[component.instantiate]]",
        ),
    )
    .unwrap();
    let composed = weft_compose::compose_manifest_file(&manifest).unwrap();
    assert_valid(&composed.bytes);
    assert_eq!(
        export_names(&composed),
        [
            "modern:storage/storage-v2@2.0.0",
            "legacy:storage/storage-v1@1.0.0"
        ]
    );
    let out = dir.path().join("both.wasm");
    std::fs::write(&out, &composed.bytes).unwrap();
    let before = now_secs();
    let (results, _) = run(
        &out,
        &[
            r#"save("motd", "hi")"#,
            r#"get("motd")"#,
            r#"put({key: "raw", value: [255], content-type: "application/octet-stream", created-at: 7})"#,
            r#"load("raw")"#,
            r#"delete("motd")"#,
            r#"load("motd")"#,
        ],
    );
    assert_eq!(results[0], "true");
    // The v1 string became v2's bytes, typed `text/plain` and stamped with the time.
    assert!(
        results[1].starts_with(
            r#"ok(some({key: "motd", value: [104, 105], content-type: "text/plain", created-at: "#
        ),
        "{}",
        results[1]
    );
    let stamped = created_at(&results[1]);
    assert!(
        (before.saturating_sub(60)..=now_secs() + 60).contains(&stamped),
        "created-at {stamped} is the current time ({before})"
    );
    assert_eq!(results[2], "ok(1)");
    // v1 cannot carry bytes that are not UTF-8: the adapter loads them as nothing.
    assert_eq!(results[3], "none");
    // A v2 delete is seen by v1.
    assert_eq!(results[4], "ok(true)");
    assert_eq!(results[5], "none");
}

/// The seed's two-step flow (storage-adapter.toml's comment): compose the adapter with the
/// v2 store, then plug the legacy app onto the result.
#[test]
fn legacy_app_plugged_onto_the_composed_adapter_round_trips() {
    let dir = workdir(&[
        ("storage-adapter", "storage_adapter.wasm"),
        ("storage-v2", "storage_v2.wasm"),
    ]);
    let storage_v1 = dir.path().join("storage-v1.wasm");
    std::fs::write(&storage_v1, compose_adapter(dir.path()).bytes).unwrap();
    let legacy_app = PathBuf::from(weft_test_guests::path("legacy-app"));
    let plugged = weft_compose::plug(&legacy_app, std::slice::from_ref(&storage_v1)).unwrap();
    assert_valid(&plugged.bytes);
    assert!(plugged.warnings.is_empty(), "{:?}", plugged.warnings);
    assert_eq!(export_names(&plugged), ["weft:legacy-app/app@0.1.0"]);
    assert!(
        !import_names(&plugged)
            .iter()
            .any(|i| i.contains(":storage/")),
        "v1 is plugged and v2 is inside: {:?}",
        import_names(&plugged)
    );
    let app = dir.path().join("legacy.wasm");
    std::fs::write(&app, &plugged.bytes).unwrap();
    let (results, _) = run(
        &app,
        &[
            r#"round-trip("motd", "hello")"#,
            r#"count("visits")"#,
            r#"count("visits")"#,
            r#"round-trip("visits", "many")"#,
            r#"count("visits")"#,
        ],
    );
    assert_eq!(results[0], r#"ok("hello")"#);
    assert_eq!(results[1], "ok(1)");
    assert_eq!(results[2], "ok(2)");
    assert_eq!(results[3], r#"ok("many")"#);
    assert!(
        results[4].starts_with(r#"err("`visits` holds \"many\", not a count"#),
        "{}",
        results[4]
    );
}

#[test]
fn legacy_app_v1_calls_land_in_v2_storage() {
    let dir = workdir(&[
        ("legacy-app", "legacy_app.wasm"),
        ("storage-adapter", "storage_adapter.wasm"),
        ("storage-v2", "storage_v2.wasm"),
    ]);
    let manifest = dir.path().join("compose.toml");
    std::fs::write(&manifest, STORAGE_MANIFEST).unwrap();
    let composed = weft_compose::compose_manifest_file(&manifest).unwrap();
    assert_valid(&composed.bytes);
    let exports = export_names(&composed);
    assert!(
        exports.contains(&"modern:storage/storage-v2@2.0.0"),
        "{exports:?}"
    );
    assert!(
        exports.iter().any(|e| e.starts_with("weft:legacy-app/app")),
        "{exports:?}"
    );
    assert!(
        !exports.contains(&"legacy:storage/storage-v1@1.0.0"),
        "consumed: {exports:?}"
    );

    let app = dir.path().join("app.wasm");
    std::fs::write(&app, &composed.bytes).unwrap();
    let (results, _) = run(
        &app,
        &[
            r#"round-trip("motd", "hello")"#,
            r#"count("visits")"#,
            r#"count("visits")"#,
            r#"get("motd")"#,
        ],
    );
    assert_eq!(results[0], r#"ok("hello")"#);
    assert_eq!(results[1], "ok(1)");
    assert_eq!(results[2], "ok(2)");
    // The v1 `save` went through the adapter into the v2 store: there it is an entry
    // with v2's fields.
    assert!(
        results[3].starts_with("ok(some({key: \"motd\""),
        "{}",
        results[3]
    );
    assert!(results[3].contains("content-type"), "{}", results[3]);
}

#[test]
fn wac_document_composes_greeter_and_logger() {
    let dir = workdir(&[]);
    let deps = dir.path().join("deps/example");
    std::fs::create_dir_all(&deps).unwrap();
    std::fs::copy(weft_test_guests::path("greeter"), deps.join("greeter.wasm")).unwrap();
    std::fs::copy(weft_test_guests::path("logger"), deps.join("logger.wasm")).unwrap();
    let wac = dir.path().join("app.wac");
    std::fs::write(
        &wac,
        "package example:app;\n\
         let logger = new example:logger { ... };\n\
         let greeter = new example:greeter { logging: logger.logging, ... };\n\
         export greeter.greeting;\n",
    )
    .unwrap();
    let composed =
        weft_compose::compose_wac_file(&wac, &weft_compose::WacOptions::default()).unwrap();
    assert_valid(&composed.bytes);
    assert_eq!(export_names(&composed), ["example:greeter/greeting@1.0.0"]);
    let out = dir.path().join("app.wasm");
    std::fs::write(&out, &composed.bytes).unwrap();
    let (results, stderr) = run(
        &out,
        &[r#"greet({name: "Grace", title: some("Rear Admiral")})"#],
    );
    assert!(results[0].contains("Grace"), "{}", results[0]);
    assert!(stderr.contains("Grace"), "{stderr:?}");
}

#[test]
fn plug_logger_into_greeter() {
    let greeter = PathBuf::from(weft_test_guests::path("greeter"));
    let logger = PathBuf::from(weft_test_guests::path("logger"));
    let composed = weft_compose::plug(&greeter, &[logger]).unwrap();
    assert_valid(&composed.bytes);
    assert_eq!(export_names(&composed), ["example:greeter/greeting@1.0.0"]);
    assert!(
        !import_names(&composed)
            .iter()
            .any(|i| i.contains("logging"))
    );
    let dir = workdir(&[]);
    let out = dir.path().join("plugged.wasm");
    std::fs::write(&out, &composed.bytes).unwrap();
    let (results, stderr) = run(&out, &[r#"farewell({name: "Ada", title: none})"#]);
    assert!(results[0].contains("Ada"), "{}", results[0]);
    assert!(!stderr.is_empty());
}

#[test]
fn plugging_a_store_into_the_greeter_plugs_nothing() {
    let greeter = PathBuf::from(weft_test_guests::path("greeter"));
    let store = PathBuf::from(weft_test_guests::path("storage-v2"));
    let err = weft_compose::plug(&greeter, &[store]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no plug exports anything"), "{msg}");
    assert!(
        msg.contains("example:greeter/logging@1.0.0"),
        "lists the socket's imports: {msg}"
    );
    assert!(
        msg.contains("modern:storage/storage-v2@2.0.0"),
        "lists the plug's exports: {msg}"
    );
}

#[test]
fn composed_output_runs_under_the_wasmtime_cli_when_installed() {
    let version = Command::new("wasmtime").arg("--version").output().ok();
    let Some(version) = version.filter(|o| o.status.success()) else {
        eprintln!(
            "composed_output_runs_under_the_wasmtime_cli_when_installed: SKIPPED: no `wasmtime` \
             on PATH; install it with `cargo install --locked wasmtime-cli@48.0.8` to run this check"
        );
        return;
    };
    eprintln!("using {}", String::from_utf8_lossy(&version.stdout).trim());
    let dir = workdir(&[("greeter", "greeter.wasm"), ("logger", "logger.wasm")]);
    let composed = compose_seed(dir.path());
    let app = dir.path().join("app.wasm");
    std::fs::write(&app, &composed.bytes).unwrap();
    let out = Command::new("wasmtime")
        .arg("run")
        .arg("--invoke")
        .arg(r#"greet({name: "Ada", title: none})"#)
        .arg(&app)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "wasmtime failed: {stderr}");
    assert!(stdout.contains("Hello, Ada! Welcome aboard."), "{stdout}");
    assert!(stderr.contains("[debug] Greeting Ada"), "{stderr}");
}

/// The manifests and the WAC document in `examples/compose/` compose as written (their
/// guest paths pointed at wherever weft-test-guests built the guests), and each result
/// answers the calls its comment shows.
#[test]
fn examples_compose_and_run() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/compose");
    let built = Path::new(weft_test_guests::path("greeter"))
        .parent()
        .unwrap();
    let dir = workdir(&[]);
    let compose = |file: &str| {
        let text = std::fs::read_to_string(examples.join(file)).unwrap();
        let relative = "../../guests/target/wasm32-wasip2/release";
        assert!(text.contains(relative), "{file} refers to the built guests");
        let text = text.replace(relative, built.to_str().unwrap());
        let manifest = dir.path().join(file);
        std::fs::write(&manifest, text).unwrap();
        let composed = weft_compose::compose_manifest_file(&manifest)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_valid(&composed.bytes);
        let out = dir.path().join(file).with_extension("wasm");
        std::fs::write(&out, &composed.bytes).unwrap();
        (composed, out)
    };

    let (composed, app) = compose("compose.toml");
    assert_eq!(export_names(&composed), ["example:greeter/greeting@1.0.0"]);
    let (results, stderr) = run(&app, &[r#"greet({name: "Ada", title: none})"#]);
    assert_eq!(results, [r#""Hello, Ada! Welcome aboard.""#]);
    assert_eq!(stderr, "[debug] Greeting Ada\n");

    let (composed, storage_v1) = compose("storage-adapter.toml");
    assert_eq!(export_names(&composed), ["legacy:storage/storage-v1@1.0.0"]);
    let (results, _) = run(
        &storage_v1,
        &[
            r#"save("motd", "hello")"#,
            r#"load("motd")"#,
            r#"load("x")"#,
        ],
    );
    assert_eq!(results, ["true", r#"some("hello")"#, "none"]);
    // The comment's second step: plug the legacy app onto it.
    let legacy_app = PathBuf::from(weft_test_guests::path("legacy-app"));
    let plugged = weft_compose::plug(&legacy_app, &[storage_v1]).unwrap();
    let legacy = dir.path().join("plugged.wasm");
    std::fs::write(&legacy, &plugged.bytes).unwrap();
    let (results, _) = run(
        &legacy,
        &[
            r#"round-trip("motd", "hello")"#,
            r#"count("visits")"#,
            r#"count("visits")"#,
        ],
    );
    assert_eq!(results, [r#"ok("hello")"#, "ok(1)", "ok(2)"]);

    let (composed, legacy) = compose("legacy-app.toml");
    assert_eq!(
        export_names(&composed),
        [
            "modern:storage/storage-v2@2.0.0",
            "weft:legacy-app/app@0.1.0"
        ]
    );
    let (results, _) = run(
        &legacy,
        &[r#"round-trip("motd", "hello")"#, r#"get("motd")"#],
    );
    assert_eq!(results[0], r#"ok("hello")"#);
    assert!(
        results[1].starts_with(
            r#"ok(some({key: "motd", value: [104, 101, 108, 108, 111], content-type: "text/plain", created-at: "#
        ),
        "{}",
        results[1]
    );

    let mut options = weft_compose::WacOptions::default();
    options.deps.insert(
        "example:greeter".into(),
        weft_test_guests::path("greeter").into(),
    );
    options.deps.insert(
        "example:logger".into(),
        weft_test_guests::path("logger").into(),
    );
    let composed = weft_compose::compose_wac_file(&examples.join("app.wac"), &options).unwrap();
    assert_valid(&composed.bytes);
    assert_eq!(export_names(&composed), ["example:greeter/greeting@1.0.0"]);
    let app = dir.path().join("app.wasm");
    std::fs::write(&app, &composed.bytes).unwrap();
    let (results, stderr) = run(&app, &[r#"greet({name: "Ada", title: some("Dr.")})"#]);
    assert_eq!(results, [r#""Hello, Dr. Ada! Welcome aboard.""#]);
    assert_eq!(stderr, "[debug] Greeting Ada\n");
}

/// A `wasm32-wasip2` guest imports WASI that `wit/greeter` does not list: it fits only with
/// `allow_wasi`, and then still fails against a world it really does not fit.
#[test]
fn targets_allow_wasi_on_a_real_guest() {
    let wit = weft_compose::WorldPath {
        wit: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/greeter"),
        world: Some("greeter".to_string()),
        ..Default::default()
    };
    let greeter = std::fs::read(weft_test_guests::path("greeter")).unwrap();
    let err = weft_compose::targets(&greeter, &wit, false).unwrap_err();
    assert!(err.to_string().contains("--allow-wasi"), "{err}");
    let world = weft_compose::targets(&greeter, &wit, true).unwrap();
    assert_eq!(world, "example:greeter/greeter@1.0.0");
    // The logger exports `logging` but not the `greeting` the greeter world requires.
    let logger = std::fs::read(weft_test_guests::path("logger")).unwrap();
    let err = weft_compose::targets(&logger, &wit, true).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("example:greeter/greeting@1.0.0"), "{msg}");
    assert!(!msg.contains("wasi:"), "WASI is accepted: {msg}");
}
