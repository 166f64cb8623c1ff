//! `weft plugins check` and `weft plugins run` through the real binary, on the bundled
//! example chain (`examples/plugins/`: auth, a JavaScript blocklist, rate-limit).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

/// Where the example manifest refers to the built guests, relative to itself.
const RUST_GUESTS: &str = "../../guests/target/wasm32-wasip2/release";
const JS_GUESTS: &str = "../../guests-js/target";

fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/plugins")
        .join(file)
}

/// A copy of the example manifest in `dir`, pointing at the guests this build made, with
/// `extra` appended.
fn manifest(dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(example("plugins.toml")).unwrap();
    assert!(
        text.contains(RUST_GUESTS) && text.contains(JS_GUESTS),
        "update this test"
    );
    let rust = Path::new(weft_test_guests::path("auth-plugin"))
        .parent()
        .unwrap();
    let js = weft_test_guests::js_path("blocklist");
    let text = text
        .replace(RUST_GUESTS, rust.to_str().unwrap())
        .replace(JS_GUESTS, js.parent().unwrap().to_str().unwrap());
    let path = dir.join("plugins.toml");
    std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
    path
}

/// One compile cache for the tests of this binary, filled once before any of them runs:
/// compiling the JavaScript plugin (a whole JS engine) takes the most time by far.
fn warm_cache() -> &'static Path {
    static CACHE: OnceLock<PathBuf> = OnceLock::new();
    CACHE.get_or_init(|| {
        let cache = std::env::temp_dir().join(format!("weft-cli-plugins-{}", std::process::id()));
        let dir = tempfile::tempdir().unwrap();
        let path = manifest(dir.path(), "");
        let out = run(
            dir.path(),
            &cache,
            &["plugins", "check", path.to_str().unwrap()],
            b"",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        cache
    })
}

fn weft(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    run(dir, warm_cache(), args, stdin)
}

fn run(dir: &Path, cache: &Path, args: &[&str], stdin: &[u8]) -> Output {
    common::weft_with_stdin(dir, cache, args, stdin)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_prints_each_plugin_and_its_world() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest(dir.path(), "");
    let out = weft(
        dir.path(),
        &["plugins", "check", path.to_str().unwrap()],
        b"",
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let expected = [
        "ok      auth (",
        "        auth-plugin 0.1.0 by weft: JWT (HS256) authentication middleware for http.request events",
        "        fits example:plugin-system/plugin-impl@1.0.0",
        "ok      blocklist (",
        "        fits example:plugin-system/plugin-impl@1.0.0",
        "ok      rate-limit (",
        "        fits example:plugin-system/filtered-plugin-impl@1.1.0; wants http.request",
    ];
    for line in expected {
        assert!(
            stdout.lines().any(|l| l.starts_with(line)),
            "no `{line}` in:\n{stdout}"
        );
    }
}

/// The example chain plus the greeter, a component of another world.
fn manifest_with_greeter(dir: &Path) -> PathBuf {
    let extra = format!(
        "[[plugin]]\nname = \"greeter\"\npath = {:?}\n",
        weft_test_guests::path("greeter")
    );
    manifest(dir, &extra)
}

#[test]
fn check_fails_for_a_plugin_of_another_world() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest_with_greeter(dir.path());
    let out = weft(
        dir.path(),
        &["plugins", "check", path.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAILED  greeter ("), "{stdout}");
    assert!(
        stdout.contains("the world requires export `example:plugin-system/plugin@1.1.0`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok      auth ("),
        "the others still load: {stdout}"
    );
    assert!(
        text(&out.stderr).contains("1 of 4 plugins failed to load"),
        "{}",
        text(&out.stderr)
    );
}

/// `--json`: one object per plugin, the failed one with its error, the others with
/// their metadata (the blocklist is the JavaScript plugin, built by jco).
#[test]
fn check_json_reports_every_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest_with_greeter(dir.path());
    let out = weft(
        dir.path(),
        &["plugins", "check", "--json", path.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_name = |name: &str| {
        report
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {report}"))
            .clone()
    };
    let auth = by_name("auth");
    assert_eq!(auth["status"], "ok");
    assert_eq!(auth["info"]["name"], "auth-plugin");
    assert_eq!(auth["world"], "example:plugin-system/plugin-impl@1.0.0");
    assert_eq!(auth["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(by_name("blocklist")["status"], "ok");
    assert_eq!(
        by_name("rate-limit")["wants"],
        serde_json::json!(["http.request"])
    );
    let greeter = by_name("greeter");
    assert_eq!(greeter["status"], "failed");
    assert!(
        greeter["error"]
            .as_str()
            .unwrap()
            .contains("the world requires export `example:plugin-system/plugin@1.1.0`"),
        "{greeter}"
    );
}

#[test]
fn run_answers_every_line_of_the_example_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest(dir.path(), "");
    let events = std::fs::read(example("events.jsonl")).unwrap();
    let out = weft(
        dir.path(),
        &["plugins", "run", path.to_str().unwrap(), "--stats"],
        &events,
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let answers: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 8, "{answers:#?}");
    let response = |i: usize| answers[i]["response"].as_str().unwrap_or("").to_string();
    assert_eq!(response(0), "401 Missing Authorization header");
    assert_eq!(response(1), "401 Unauthorized");
    for i in [2, 3] {
        assert_eq!(answers[i]["handled"], false, "{}", answers[i]);
        let headers: Value = serde_json::from_str(answers[i]["payload"].as_str().unwrap()).unwrap();
        assert_eq!(headers["x-auth-subject"], "ada");
    }
    assert!(
        response(4).starts_with("429 Too Many Requests"),
        "{}",
        answers[4]
    );
    assert_eq!(response(5), "403 Forbidden");
    assert_eq!(answers[5]["trace"][1]["plugin"], "blocklist");
    let trace: Vec<&str> = answers[6]["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(trace, ["passed", "passed", "filtered"]);
    assert_eq!(answers[6]["payload"], "rate-limit does not want this one");
    let error = answers[7]["error"].as_str().unwrap();
    assert!(
        error.starts_with("stdin line 8: the line is not JSON"),
        "{error}"
    );
    // --stats: one row per plugin.
    assert!(stderr.contains("plugin "), "{stderr}");
    let auth_row = stderr
        .lines()
        .find(|l| l.starts_with("auth "))
        .expect("an auth row");
    let counts: Vec<&str> = auth_row.split_whitespace().take(6).collect();
    assert_eq!(counts, ["auth", "7", "2", "0", "0", "0"], "{stderr}");
}
