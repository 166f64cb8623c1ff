//! The issue's demonstrations on the real guests (built from `guests/` by
//! `weft-test-guests`): compose, then run the result through weft-runtime.
//!
//! - greeter + logger (the seed's compose.toml, as written) → one component without a
//!   `logging` import, whose `greet` returns the greeting and logs a line;
//! - storage-adapter + storage-v2 → a `legacy:storage/storage-v1` provider; legacy-app
//!   over it → an app whose v1 calls land in the v2 store;
//! - the same through WAC and through `plug`;
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

#[test]
fn storage_adapter_over_v2_provides_v1() {
    let dir = workdir(&[
        ("storage-adapter", "storage_adapter.wasm"),
        ("storage-v2", "storage_v2.wasm"),
    ]);
    let manifest = dir.path().join("adapter.toml");
    std::fs::write(
        &manifest,
        "[component.dependencies]\nadapter = { path = \"storage_adapter.wasm\" }\nv2 = { path = \"storage_v2.wasm\" }\n\
         [component.instantiate]\ncomponent = \"adapter\"\ndependencies = { storage-v2 = \"v2\" }\n",
    )
    .unwrap();
    let composed = weft_compose::compose_manifest_file(&manifest).unwrap();
    assert_valid(&composed.bytes);
    assert_eq!(export_names(&composed), ["legacy:storage/storage-v1@1.0.0"]);
    assert!(
        !import_names(&composed)
            .iter()
            .any(|i| i.starts_with("modern:storage"))
    );
    assert!(composed.warnings.is_empty(), "{:?}", composed.warnings);
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
        println!("skipped: `wasmtime` is not on PATH (install it to run this check)");
        return;
    };
    println!("using {}", String::from_utf8_lossy(&version.stdout).trim());
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
    assert!(stdout.contains("Ada"), "{stdout}");
    assert!(stderr.contains("Ada"), "{stderr}");
}

/// The manifests in `examples/compose/` compose as written, with their paths pointed at
/// wherever weft-test-guests built the guests.
#[test]
fn examples_compose() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/compose");
    let built = Path::new(weft_test_guests::path("greeter"))
        .parent()
        .unwrap();
    let dir = workdir(&[]);
    for (file, export) in [
        ("compose.toml", "example:greeter/greeting@1.0.0"),
        ("storage-adapter.toml", "legacy:storage/storage-v1@1.0.0"),
        ("legacy-app.toml", "weft:legacy-app/app@0.1.0"),
    ] {
        let text = std::fs::read_to_string(examples.join(file)).unwrap();
        let text = text.replace(
            "../../guests/target/wasm32-wasip2/release",
            built.to_str().unwrap(),
        );
        let manifest = dir.path().join(file);
        std::fs::write(&manifest, text).unwrap();
        let composed = weft_compose::compose_manifest_file(&manifest)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_valid(&composed.bytes);
        assert!(
            export_names(&composed).contains(&export),
            "{file}: {:?}",
            export_names(&composed)
        );
    }
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
    assert_eq!(export_names(&composed), ["example:greeter/greeting@1.0.0"]);
}
