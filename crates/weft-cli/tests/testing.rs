//! `weft test` and `weft call --record` through the real binary: the bundled test files
//! as a directory, the report formats, and a recorded session replayed on the Rust
//! greeter, on the JavaScript one, and after it was changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Where the example files refer to the built guests, relative to themselves.
const GUESTS: &str = "../../guests/target/wasm32-wasip2/release";

fn weft(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(dir)
        .env(
            "WEFT_CACHE_DIR",
            std::env::temp_dir().join("weft-cli-testing-cache"),
        )
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Copies of the bundled test files (examples/tests/*.toml) in `dir`, pointing at the
/// guests this build made.
fn examples_in(dir: &Path) -> usize {
    let guests = Path::new(weft_test_guests::path("greeter"))
        .parent()
        .unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tests");
    let mut copied = 0;
    for entry in std::fs::read_dir(examples).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains(GUESTS),
                "{}: update this test",
                path.display()
            );
            let text = text.replace(GUESTS, guests.to_str().unwrap());
            std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
            copied += 1;
        }
    }
    copied
}

#[test]
fn a_directory_of_test_files_runs_and_reports_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let files = examples_in(dir.path());
    let out = weft(dir.path(), &["test", "."]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let cases = stdout.lines().filter(|l| l.starts_with("ok   ")).count();
    assert!(cases >= files * 2 - 1, "{stdout}");
    assert!(
        stdout.ends_with(&format!("{cases} passed, 0 failed\n")),
        "{stdout}"
    );

    let out = weft(dir.path(), &["test", ".", "--format", "json"]);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["passed"], cases);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["files"].as_array().unwrap().len(), files);

    let out = weft(dir.path(), &["test", "greeter.toml", "--format", "junit"]);
    assert!(out.status.success());
    let xml = text(&out.stdout);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains("<testcase name=\"greet logs the greeting\""),
        "{xml}"
    );
}

#[test]
fn the_filter_and_a_failing_case_set_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    examples_in(dir.path());
    let out = weft(
        dir.path(),
        &["test", "legacy-app.toml", "--filter", "no number"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("1 passed, 0 failed\n"));
    // On a component without those exports the file cannot run: exit status 1 too.
    let out = weft(
        dir.path(),
        &[
            "test",
            "greeter.toml",
            "--component",
            weft_test_guests::path("logger"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

fn record(dir: &Path, component: &str) -> PathBuf {
    let trace = dir.join("trace.json");
    let out = weft(
        dir,
        &[
            "call",
            component,
            "--record",
            trace.to_str().unwrap(),
            r#"greet({name: "Ada", title: some("Dr.")})"#,
            r#"farewell({name: "Ada"})"#,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    trace
}

#[test]
fn a_recorded_session_replays_and_a_changed_one_fails_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let greeter = weft_test_guests::path("greeter");
    let trace = record(dir.path(), greeter);
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    assert_eq!(recorded["weft-trace"], 1);
    let calls = recorded["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["result"], r#""Hello, Dr. Ada! Welcome aboard.""#);
    assert_eq!(
        calls[0]["imports"],
        serde_json::json!([{"import": "example:greeter/logging@1.0.0#log", "args": ["1", "\"Greeting Ada\""]}])
    );

    let trace_arg = trace.to_str().unwrap();
    let out = weft(dir.path(), &["test", "--replay", trace_arg, greeter]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).ends_with("1 passed, 0 failed\n"));

    // The JavaScript greeter behaves the same, so the Rust one's recording passes on it.
    let js = weft_test_guests::js_path("greeter");
    let out = weft(
        dir.path(),
        &["test", "--replay", trace_arg, js.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // A recording of other behaviour: the farewell logged another line and said more.
    let changed = std::fs::read_to_string(&trace)
        .unwrap()
        .replace("Farewell Ada", "Bye Ada")
        .replace("See you next time.", "See you soon.");
    std::fs::write(&trace, changed).unwrap();
    let out = weft(dir.path(), &["test", "--replay", trace_arg, greeter]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL "), "{stdout}");
    assert!(stdout.contains("- log(1, \"Bye Ada\")"), "{stdout}");
    assert!(stdout.contains("+ log(1, \"Farewell Ada\")"), "{stdout}");
    assert!(
        stdout.contains("expected \"Goodbye, Ada! See you soon.\""),
        "{stdout}"
    );
}
