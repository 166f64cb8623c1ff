//! Runtime linking against static composition: every composition case, linked at run
//! time, answers exactly what `weft compose` + a call of the composed component answers,
//! and fails to link with exactly the error `weft compose` gives.

use std::path::{Path, PathBuf};
use std::time::Duration;

use weft_compose::WacOptions;
use weft_link::{LinkError, Linked, LiveApp};
use weft_runtime::{Capabilities, Imports, Limits, Runtime, RuntimeConfig, Session, Statement};

/// Where the example manifests refer to the built guests, relative to themselves.
const GUESTS_IN_EXAMPLES: &str = "../../guests/target/wasm32-wasip2/release";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cli_cases() -> PathBuf {
    root().join("crates/weft-cli/tests/cli/compose")
}

fn built_guests() -> &'static Path {
    Path::new(weft_test_guests::path("greeter"))
        .parent()
        .expect("a guest path has a parent directory")
}

/// A copy of `examples/compose/FILE` in `dir`, its guest paths pointing at the built guests.
fn example(file: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/compose").join(file)).unwrap();
    assert!(
        text.contains(GUESTS_IN_EXAMPLES),
        "{file} no longer refers to the guests as `{GUESTS_IN_EXAMPLES}/…`; update this test"
    );
    let copy = dir.join(file);
    std::fs::write(
        &copy,
        text.replace(GUESTS_IN_EXAMPLES, built_guests().to_str().unwrap()),
    )
    .unwrap();
    copy
}

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).unwrap()
}

fn imports() -> Imports {
    Imports::new().greeter_logging()
}

/// The host clock stopped, so timestamps guests take agree between runs.
fn capabilities() -> Capabilities {
    Capabilities {
        fixed_clock: Some(Duration::from_secs(1_700_000_000)),
        ..Capabilities::default()
    }
}

/// Runs `statements` in `session`: each result as WAVE, or its error.
fn run(session: &mut Session, statements: &[&str]) -> Vec<String> {
    statements
        .iter()
        .map(|line| {
            let statement = Statement::parse(line).unwrap().unwrap();
            match session.eval(&statement) {
                Ok(Some(outcome)) => session.render_wave(&outcome.results),
                Ok(None) => String::new(),
                Err(error) => format!("error: {error}"),
            }
        })
        .collect()
}

/// The composition at `path`, composed and called, then linked and called.
fn both(path: &Path, wac: &WacOptions, statements: &[&str]) -> (Vec<String>, Vec<String>) {
    let runtime = runtime();
    let composition = if path.extension().is_some_and(|e| e == "wac") {
        weft_compose::compose_wac_file(path, wac).unwrap()
    } else {
        weft_compose::compose_manifest_file(path).unwrap()
    };
    let composed = runtime.load_bytes("composed", composition.bytes).unwrap();
    let mut session = runtime
        .prepare(&composed, &imports())
        .unwrap()
        .instantiate(capabilities(), Limits::default())
        .unwrap();
    let statically = run(&mut session, statements);
    assert_eq!(session.finish().leaked, Vec::<String>::new());

    let linked = Linked::load(&runtime, path, wac).unwrap();
    let mut session = linked
        .prepare(&runtime, &imports())
        .unwrap()
        .instantiate(capabilities(), Limits::default())
        .unwrap();
    let dynamically = run(&mut session, statements);
    assert_eq!(session.finish().leaked, Vec::<String>::new());
    (statically, dynamically)
}

fn assert_same(path: &Path, wac: &WacOptions, statements: &[&str], expected: &[&str]) {
    let (statically, dynamically) = both(path, wac, statements);
    assert_eq!(statically, expected, "composed: {}", path.display());
    assert_eq!(
        dynamically,
        statically,
        "linked vs composed: {}",
        path.display()
    );
}

#[test]
fn the_seed_manifest_links_like_it_composes() {
    assert_same(
        &cli_cases().join("seed.toml"),
        &WacOptions::default(),
        &["greet()"],
        &["42"],
    );
}

#[test]
fn an_open_import_is_left_to_the_host() {
    let path = cli_cases().join("open-import.toml");
    assert_same(&path, &WacOptions::default(), &["greet()"], &["42"]);
}

#[test]
fn a_wac_document_links_like_it_composes() {
    let mut wac = WacOptions::default();
    wac.deps
        .insert("example:greeter".into(), cli_cases().join("greeter.wat"));
    wac.deps
        .insert("example:logger".into(), cli_cases().join("logger.wat"));
    assert_same(&cli_cases().join("app.wac"), &wac, &["greet()"], &["42"]);
}

#[test]
fn the_example_manifests_link_like_they_compose() {
    let dir = tempfile::tempdir().unwrap();
    assert_same(
        &example("compose.toml", dir.path()),
        &WacOptions::default(),
        &[
            r#"greet({name: "Ada", title: none})"#,
            r#"greet({name: "Ada", title: some("Dr.")})"#,
        ],
        &[
            r#""Hello, Ada! Welcome aboard.""#,
            r#""Hello, Dr. Ada! Welcome aboard.""#,
        ],
    );
    assert_same(
        &example("storage-adapter.toml", dir.path()),
        &WacOptions::default(),
        &[
            r#"save("motd", "hello")"#,
            r#"load("motd")"#,
            r#"load("nothing")"#,
        ],
        &["true", r#"some("hello")"#, "none"],
    );
    assert_same(
        &example("legacy-app.toml", dir.path()),
        &WacOptions::default(),
        &[
            r#"round-trip("motd", "hello")"#,
            r#"count("visits")"#,
            r#"count("visits")"#,
            r#"get("motd")"#,
        ],
        &[
            r#"ok("hello")"#,
            "ok(1)",
            "ok(2)",
            r#"ok(some({key: "motd", value: [104, 101, 108, 108, 111], content-type: "text/plain", created-at: 1700000000}))"#,
        ],
    );
}

#[test]
fn resources_cross_as_stand_ins_and_drop_through() {
    let dir = tempfile::tempdir().unwrap();
    let statements = [
        r#"let book = notebook(":memory:")"#,
        r#"book.add("buy milk")"#,
        r#"book.add("call Ada")"#,
        r#"book.find("milk")"#,
        "book.count()",
        "drop(book)",
        r#"let other = notebook(":memory:")"#,
        "other.count()",
    ];
    assert_same(
        &example("notes-on-sqldb.toml", dir.path()),
        &WacOptions::default(),
        &statements,
        &[
            "book",
            "ok(1)",
            "ok(2)",
            r#"ok(["buy milk"])"#,
            "ok(2)",
            "",
            "other",
            "ok(0)",
        ],
    );
}

#[test]
fn a_dropped_stand_in_drops_the_real_handle() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime();
    let linked = Linked::load(
        &runtime,
        &example("notes-on-sqldb.toml", dir.path()),
        &Default::default(),
    )
    .unwrap();
    let mut session = linked
        .prepare(&runtime, &imports())
        .unwrap()
        .instantiate(capabilities(), Limits::default())
        .unwrap();
    assert_eq!(session.linked_handles(), 0);
    run(
        &mut session,
        &[
            r#"let a = notebook(":memory:")"#,
            r#"let b = notebook(":memory:")"#,
        ],
    );
    // Each notebook holds one sqldb `db` through a stand-in.
    assert_eq!(session.linked_handles(), 2);
    run(&mut session, &["a.count()", "drop(a)"]);
    assert_eq!(session.linked_handles(), 1);
    let report = session.finish();
    assert_eq!(report.dropped_at_end, ["b"]);
    assert!(report.leaked.is_empty());
}

#[test]
fn a_javascript_component_links_to_a_rust_one() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("js.toml");
    std::fs::write(
        &manifest,
        format!(
            "[component.dependencies]\ngreeter = {{ path = {:?} }}\nlogger = {{ path = {:?} }}\n[component.instantiate]\ncomponent = \"greeter\"\ndependencies = {{ logging = \"logger\" }}\n",
            weft_test_guests::js_path("greeter"),
            weft_test_guests::path("logger"),
        ),
    )
    .unwrap();
    let (statically, dynamically) = both(
        &manifest,
        &WacOptions::default(),
        &[r#"greet({name: "Ada", title: none})"#],
    );
    assert!(statically[0].contains("Ada"), "{statically:?}");
    assert_eq!(dynamically, statically);
}

/// The error `weft compose` gives for `path`, and the one linking gives.
fn errors(path: &Path, wac: &WacOptions) -> (String, String) {
    let composed = if path.extension().is_some_and(|e| e == "wac") {
        weft_compose::compose_wac_file(path, wac)
            .err()
            .unwrap()
            .to_string()
    } else {
        weft_compose::compose_manifest_file(path)
            .err()
            .unwrap()
            .to_string()
    };
    let linked = match Linked::load(&runtime(), path, wac) {
        Ok(_) => panic!("{} linked", path.display()),
        Err(e) => e.to_string(),
    };
    (composed, linked)
}

#[test]
fn link_errors_are_the_compose_errors() {
    for case in ["type-mismatch.toml", "unknown-import.toml"] {
        let (composed, linked) = errors(&cli_cases().join(case), &WacOptions::default());
        assert_eq!(linked, composed, "{case}");
    }
    let mut wac = WacOptions::default();
    wac.deps
        .insert("example:greeter".into(), cli_cases().join("greeter.wat"));
    wac.deps
        .insert("example:logger".into(), cli_cases().join("logger-u32.wat"));
    let (composed, linked) = errors(&cli_cases().join("app.wac"), &wac);
    assert!(composed.contains("logger"), "{composed}");
    assert_eq!(linked, composed);
}

#[test]
fn a_replaced_member_serves_new_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime();
    let linked = Linked::load(
        &runtime,
        &example("compose.toml", dir.path()),
        &Default::default(),
    )
    .unwrap();
    let mut live = LiveApp::new(&runtime, linked, imports()).unwrap();
    let call = r#"greet({name: "Ada", title: none})"#;
    let mut before = live
        .instantiate(&Capabilities::default(), Limits::default(), ())
        .unwrap();
    assert_eq!(
        before.call_wave(call).unwrap(),
        r#""Hello, Ada! Welcome aboard.""#
    );

    // Another implementation of the same world takes the greeter's place.
    let terse = Path::new(weft_test_guests::path("greeter-terse"));
    live.replace(&runtime, "greeter", terse).unwrap();
    let mut after = live
        .instantiate(&Capabilities::default(), Limits::default(), ())
        .unwrap();
    let replaced = after.call_wave(call).unwrap();
    assert_eq!(replaced, r#""Hi, Ada.""#);
    // The session made before keeps its instance.
    assert_eq!(
        before.call_wave(call).unwrap(),
        r#""Hello, Ada! Welcome aboard.""#
    );

    // A replacement that does not fit leaves the running application alone.
    let error = live
        .replace(
            &runtime,
            "greeter",
            Path::new(weft_test_guests::path("sqldb")),
        )
        .unwrap_err();
    assert!(
        matches!(error, LinkError::Runtime(_) | LinkError::App(_)),
        "{error}"
    );
    let mut still = live
        .instantiate(&Capabilities::default(), Limits::default(), ())
        .unwrap();
    assert_eq!(still.call_wave(call).unwrap(), replaced);
}
