//! The bundled test files (`examples/tests/`) through the real runtime, the same greeter
//! tests on a JavaScript component, and leak checks that must catch a leak.

use std::path::{Path, PathBuf};

use weft_runtime::{Runtime, RuntimeConfig};
use weft_test::{FileReport, RunOptions, TestFile};

/// Where the example files refer to the built guests, relative to themselves.
const GUESTS: &str = "../../guests/target/wasm32-wasip2/release";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tests")
}

fn guests_dir() -> PathBuf {
    Path::new(weft_test_guests::path("greeter"))
        .parent()
        .expect("a guest has a directory")
        .to_path_buf()
}

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig {
        fuel: true,
        ..RuntimeConfig::default()
    })
    .expect("a runtime")
}

/// The example `file` (relative to examples/tests), pointing at the guests this build made.
fn example(file: &str) -> TestFile {
    let path = examples().join(file);
    let text = std::fs::read_to_string(&path).expect("the example exists");
    let relative = if file.contains('/') {
        format!("../{GUESTS}")
    } else {
        GUESTS.to_string()
    };
    assert!(text.contains(&relative), "{file}: update this test");
    let text = text.replace(&relative, guests_dir().to_str().expect("a UTF-8 path"));
    TestFile::parse(&path, text).expect("the example parses")
}

fn run(file: &TestFile, options: &RunOptions) -> FileReport {
    weft_test::run_test(&runtime(), file, options)
        .unwrap_or_else(|e| panic!("{}: {e}\n{e:?}", file.path.display()))
}

fn assert_all_pass(report: &FileReport) {
    for case in &report.cases {
        assert!(
            case.passed,
            "{}: `{}` failed:\n{}",
            report.path.display(),
            case.name,
            case.failures.join("\n")
        );
    }
    assert!(!report.cases.is_empty());
}

#[test]
fn every_bundled_test_file_passes() {
    let mut names: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        assert_all_pass(&run(&example(&name), &RunOptions::default()));
    }
}

#[test]
fn the_greeter_tests_pass_on_the_javascript_greeter_too() {
    let file = example("greeter.toml");
    let js = weft_test_guests::js_path("greeter");
    let rust = guests_dir().join("greeter.wasm");
    let text = std::fs::read_to_string(examples().join("greeter.toml"))
        .unwrap()
        .replace(&format!("{GUESTS}/greeter.wasm"), js.to_str().unwrap());
    assert!(text.contains(js.to_str().unwrap()));
    let js_file = TestFile::parse(&file.path, text).unwrap();
    assert_eq!(file.component, rust);
    assert_all_pass(&run(&js_file, &RunOptions::default()));
}

#[test]
fn a_leaking_destructor_is_caught_and_a_tidy_one_passes() {
    let report = run(&example("leaks/leaky.toml"), &RunOptions::default());
    let [tidy, leaky] = report.cases.as_slice() else {
        panic!("two cases: {report:?}");
    };
    assert!(tidy.passed, "{:?}", tidy.failures);
    let leaks = tidy.leaks.as_ref().expect("figures");
    assert_eq!(leaks.cycles, 2000);
    assert!(leaks.memory_last <= leaks.memory_first + weft_test::DEFAULT_MAX_GROWTH);
    assert!(!leaky.passed);
    let message = leaky.failures.join("\n");
    assert!(message.contains("leak: guest memory grew by"), "{message}");
    let leaks = leaky.leaks.as_ref().expect("figures");
    // 2000 cycles leak 4 KiB each: about 8 MiB.
    assert!(
        leaks.memory_last - leaks.memory_first >= 1999 * 4096,
        "{leaks:?}"
    );
}

#[test]
fn leak_checks_see_mock_handles_the_guest_never_drops() {
    // Dropping a notebook drops its `db`: flat. A notebook kept alive by the case is
    // dropped by the cycle, so this passes too; what must fail is a `db` the guest
    // itself keeps, which `notes` never does, so only the figures are checked here.
    let report = run(&example("notes.toml"), &RunOptions::default());
    assert_all_pass(&report);
    let leaks = report.cases[2].leaks.as_ref().expect("the leak case");
    assert_eq!(leaks.cycles, 1000);
    assert_eq!(leaks.handles_first, 0);
    assert_eq!(leaks.handles_last, 0);
}

fn inline(name: &str, text: &str) -> TestFile {
    let path = std::env::temp_dir().join(name);
    TestFile::parse(&path, text.to_string()).expect("the test file parses")
}

#[test]
fn sqldb_and_storage_v2_pass_100000_cycles() {
    let sqldb = inline(
        "sqldb-leaks.toml",
        &format!(
            r#"
component = "{}"
[[case]]
name = "open, write, read, close"
leaks = 100000
calls = [
    'let db = db(":memory:")',
    {{ call = 'db.execute("CREATE TABLE t (x)", [])', expect = "ok(0)" }},
    {{ call = 'db.execute("INSERT INTO t VALUES (?)", ["a"])', expect = "ok(1)" }},
    {{ call = 'db.query("SELECT x FROM t", [])', expect = 'ok([{{columns: [{{name: "x", value: text("a")}}]}}])' }},
    'drop(db)',
]
"#,
            weft_test_guests::path("sqldb")
        ),
    );
    let storage = inline(
        "storage-leaks.toml",
        &format!(
            r#"
component = "{}"
[[case]]
name = "put, get, delete"
leaks = 100000
calls = [
    {{ call = 'put({{key: "k", value: [1, 2, 3], content-type: "application/octet-stream", created-at: 5}})', expect = "ok(1)" }},
    {{ call = 'get("k")', expect = 'ok(some({{key: "k", value: [1, 2, 3], content-type: "application/octet-stream", created-at: 5}}))' }},
    {{ call = 'delete("k")', expect = "ok(true)" }},
]
"#,
            weft_test_guests::path("storage-v2")
        ),
    );
    for file in [sqldb, storage] {
        let report = run(&file, &RunOptions::default());
        assert_all_pass(&report);
        let leaks = report.cases[0].leaks.as_ref().expect("figures");
        assert_eq!(leaks.cycles, 100_000);
        assert_eq!(leaks.handles_last, leaks.handles_first);
    }
}

/// A component that reads WASI's random source and monotonic clock, in WAT.
const WASI_READER: &str = r#"(component
  (import "wasi:random/random@0.2.0" (instance $random
    (export "get-random-u64" (func (result u64)))))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
    (export "now" (func (result u64)))))
  (core func $random (canon lower (func $random "get-random-u64")))
  (core func $now (canon lower (func $clock "now")))
  (core module $m
    (import "host" "random" (func $random (result i64)))
    (import "host" "now" (func $now (result i64)))
    (func (export "roll") (result i64) call $random)
    (func (export "now") (result i64) call $now))
  (core instance $host (export "random" (func $random)) (export "now" (func $now)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func (export "roll") (result u64) (canon lift (core func $i "roll")))
  (func (export "now") (result u64) (canon lift (core func $i "now"))))
"#;

/// Writes [`WASI_READER`] into `dir`.
fn wasi_reader(dir: &Path) -> PathBuf {
    let component = dir.join("reader.wat");
    std::fs::write(&component, WASI_READER).unwrap();
    component
}

/// What `roll()` returned under `[wasi]` settings `wasi`, read from the failure of an
/// expectation that cannot hold (it quotes what came back).
fn rolled(wasi: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let component = wasi_reader(dir.path());
    let file = inline(
        "random.toml",
        &format!(
            r#"
component = "{}"
[wasi]
{wasi}
[[case]]
name = "roll"
calls = [{{ call = "roll()", expect = "0" }}]
"#,
            component.display()
        ),
    );
    let report = run(&file, &RunOptions::default());
    assert!(!report.cases[0].passed);
    report.cases[0].failures.join("\n")
}

#[test]
fn a_random_seed_makes_the_guests_randomness_repeat() {
    let seeded = rolled("random-seed = 7");
    assert!(seeded.contains("found "), "{seeded}");
    assert_eq!(seeded, rolled("random-seed = 7"));
    assert_ne!(seeded, rolled("random-seed = 8"));
    assert_ne!(rolled(""), rolled(""));
}

#[test]
fn a_fixed_clock_steps_the_monotonic_clock_by_a_millisecond_per_reading() {
    let dir = tempfile::tempdir().unwrap();
    let component = wasi_reader(dir.path());
    let file = inline(
        "clock.toml",
        &format!(
            r#"
component = "{}"
[wasi]
clock = 1767225600
[[case]]
name = "now"
calls = [
    {{ call = "now()", expect = "0" }},
    {{ call = "now()", expect = "1000000" }},
    {{ call = "now()", expect = "2000000" }},
]
"#,
            component.display()
        ),
    );
    assert_all_pass(&run(&file, &RunOptions::default()));
}
