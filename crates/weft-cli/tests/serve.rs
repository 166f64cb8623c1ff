//! `weft serve` through the real binary: each test starts it on a free loopback port,
//! talks to it over HTTP and stops it with SIGTERM.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running `weft serve`, stopped (SIGTERM) when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Served {
    fn start(component: &Path, flags: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .arg("serve")
            .arg(component)
            .args(["--addr", "127.0.0.1:0", "--no-access-log"])
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("weft runs");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("weft serve printed its address")
                .unwrap();
            if let Some(at) = line.find("http://") {
                break line[at..].trim_end_matches('/').to_string();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Served { child, base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server with SIGTERM and returns whether it exited cleanly.
    fn stop(mut self) -> bool {
        terminate(&self.child);
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status.success()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn terminate(child: &Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
}

/// One request: its status, `x-echo-method` header (if any) and body.
fn send(method: &str, url: &str, content_type: &str, body: &str) -> (u16, Option<String>, String) {
    let request = ureq::request(method, url).set("content-type", content_type);
    let response = match if body.is_empty() && method == "GET" {
        request.call()
    } else {
        request.send_string(body)
    } {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("{method} {url}: {error}"),
    };
    let status = response.status();
    let echoed = response.header("x-echo-method").map(str::to_string);
    (status, echoed, response.into_string().unwrap())
}

fn get(url: &str) -> (u16, String) {
    let (status, _, body) = send("GET", url, "text/plain", "");
    (status, body)
}

fn post_json(url: &str, body: Value) -> (u16, Value) {
    let (status, _, text) = send("POST", url, "application/json", &body.to_string());
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn guest(name: &str) -> &'static Path {
    Path::new(weft_test_guests::path(name))
}

#[test]
fn a_wasi_http_handler_answers_and_a_trap_fails_only_its_request() {
    let hello = Served::start(guest("http-hello"), &[]);
    assert_eq!(get(&hello.url("/")), (200, "Hello, world!\n".to_string()));
    assert!(hello.stop(), "a clean shutdown exits 0");

    let echo = Served::start(guest("http-echo"), &[]);
    let big: String = "0123456789abcdef".repeat(1 << 16);
    let (status, method, body) = send("PUT", &echo.url("/upload?x=1"), "text/plain", &big);
    assert_eq!((status, method.as_deref()), (200, Some("PUT")));
    assert_eq!(body.len(), big.len());
    assert!(body == big, "the 1 MiB body came back intact");
    let (status, body) = get(&echo.url("/trap"));
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("unreachable"), "{body}");
    let (status, _, body) = send("POST", &echo.url("/after"), "text/plain", "still here");
    assert_eq!((status, body.as_str()), (200, "still here"));
}

#[test]
fn a_handler_past_its_timeout_gets_504_and_the_server_goes_on() {
    let echo = Served::start(guest("http-echo"), &["--timeout", "300ms"]);
    let started = Instant::now();
    let (status, body) = get(&echo.url("/spin"));
    assert_eq!(status, 504, "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(body.contains("--timeout"), "{body}");
    let (status, _, body) = send("POST", &echo.url("/"), "text/plain", "next");
    assert_eq!((status, body.as_str()), (200, "next"));
    // The spinning guest was stopped, not left running: shutdown does not wait for it.
    assert!(echo.stop(), "a clean shutdown exits 0");
}

#[test]
fn capabilities_are_granted_as_in_weft_call() {
    let echo = Served::start(guest("http-echo"), &["--env", "GREETING=hi"]);
    assert_eq!(
        get(&echo.url("/env?name=GREETING")),
        (200, "hi".to_string())
    );
    assert_eq!(
        get(&echo.url("/env?name=HOME")).0,
        404,
        "the host's env is not the guest's"
    );
}

/// WASI 0.3's `wasi:http/service` (an async `handle`, bodies as streams) is refused
/// with a hint unless `--experimental-p3`, and then served like a 0.2 handler.
#[test]
fn a_wasi_0_3_service_is_served_with_experimental_p3() {
    let refused = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["serve", weft_test_guests::path("http-service")])
        .args(["--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("pass `--experimental-p3`"), "{stderr}");

    let service = Served::start(
        guest("http-service"),
        &["--experimental-p3", "--timeout", "2s"],
    );
    assert_eq!(
        get(&service.url("/")),
        (200, "Hello from WASI 0.3!\n".to_string())
    );
    // The body streams through the guest's `stream<u8>`s both ways, chunk by chunk.
    let big: String = "0123456789abcdef".repeat(1 << 16);
    let (status, method, body) = send("PUT", &service.url("/upload"), "text/plain", &big);
    assert_eq!((status, method.as_deref()), (200, Some("PUT")));
    assert!(body == big, "the 1 MiB body came back intact");
    let (status, body) = get(&service.url("/trap"));
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("unreachable"), "{body}");
    let (status, body) = get(&service.url("/spin"));
    assert_eq!(status, 504, "{body}");
    // Requests at once, each in its own instance, after a trap and a timeout.
    std::thread::scope(|scope| {
        let answers: Vec<_> = (0..8)
            .map(|i| {
                let url = service.url(&format!("/n{i}"));
                scope.spawn(move || send("POST", &url, "text/plain", &format!("request {i}")))
            })
            .collect();
        for (i, answer) in answers.into_iter().enumerate() {
            let (status, _, body) = answer.join().unwrap();
            assert_eq!((status, body), (200, format!("request {i}")));
        }
    });
    assert!(service.stop(), "a clean shutdown exits 0");
}

#[test]
fn a_javascript_handler_built_by_jco_is_served() {
    let js = weft_test_guests::js_path("http-hello");
    let served = Served::start(&js, &[]);
    assert_eq!(
        get(&served.url("/")),
        (200, "Hello from JavaScript!\n".to_string())
    );
}

#[test]
fn the_gateway_calls_exports_with_json_and_reports_bad_arguments() {
    let served = Served::start(guest("greeter"), &[]);
    let (status, value) = post_json(
        &served.url("/call/greet"),
        json!({"person": {"name": "Ada", "title": "Dr."}}),
    );
    assert_eq!(
        (status, value),
        (200, json!("Hello, Dr. Ada! Welcome aboard."))
    );
    let (status, value) = post_json(&served.url("/call/farewell"), json!([{"name": "Ada"}]));
    assert_eq!(status, 200);
    assert!(value.as_str().unwrap().contains("Ada"), "{value}");

    let (status, problem) = post_json(&served.url("/call/greet"), json!({"person": {"name": 3}}));
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "urn:weft:problem:bad-argument");
    assert_eq!(problem["path"], "person.name");
    assert_eq!(problem["expected"], "string");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("signature: greet"),
        "{problem}"
    );
    let (status, problem) = post_json(&served.url("/call/greet"), json!({"persn": {}}));
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("did you mean `person`"),
        "{problem}"
    );
    let (status, problem) = post_json(&served.url("/call/gret"), json!([]));
    assert_eq!(status, 404);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("did you mean `greet`"),
        "{problem}"
    );
    let (status, _, text) = send(
        "POST",
        &served.url("/call/greet"),
        "application/json",
        "{oops",
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("bad-body"), "{text}");
}

#[test]
fn the_gateway_maps_err_results_to_statuses_and_keeps_u64_exact() {
    let served = Served::start(guest("types"), &[]);
    let (status, value) = post_json(
        &served.url("/call/echo-u64"),
        json!(["18446744073709551615"]),
    );
    assert_eq!((status, value), (200, json!("18446744073709551615")));
    let (status, value) = post_json(
        &served.url("/call/echo-result"),
        json!([{"tag": "err", "val": 404}]),
    );
    assert_eq!((status, value), (404, json!({"tag": "err", "val": 404})));
    let (status, value) = post_json(
        &served.url("/call/echo-result"),
        json!([{"tag": "ok", "val": "fine"}]),
    );
    assert_eq!((status, value), (200, json!({"tag": "ok", "val": "fine"})));
    let (status, problem) = post_json(&served.url("/call/counter"), json!(["x"]));
    assert_eq!(status, 400, "a constructor needs a session: {problem}");
    assert_eq!(problem["type"], "urn:weft:problem:needs-session");
}

#[test]
fn sessions_keep_handles_across_requests_and_run_destructors_at_the_end() {
    let served = Served::start(guest("types"), &[]);
    let (status, opened) = post_json(&served.url("/sessions"), json!(null));
    assert_eq!(status, 201, "{opened}");
    let id = opened["id"].as_str().unwrap().to_string();
    let call = served.url(&format!("/sessions/{id}/call"));
    let (status, _, text) = send(
        "POST",
        &call,
        "text/plain",
        "let c = counter(\"clicks\")\nc.increment(2)\n",
    );
    assert_eq!(status, 200, "{text}");
    let results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(results["results"][0]["bound"], "c");
    assert_eq!(results["results"][1]["value"], 2);
    let (status, value) = post_json(
        &call,
        json!({"export": "counter.increment", "args": {"self": "c", "by": 40}}),
    );
    assert_eq!((status, value), (200, json!({"value": 42})));
    let (status, text) = get(&served.url(&format!("/sessions/{id}")));
    assert_eq!(status, 200);
    assert!(text.contains("\"c\""), "{text}");
    let (status, _, text) = send(
        "DELETE",
        &served.url(&format!("/sessions/{id}")),
        "text/plain",
        "",
    );
    assert_eq!(status, 200, "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["dropped_at_end"], json!(["c"]));
    assert_eq!(get(&served.url(&format!("/sessions/{id}"))).0, 404);
}

#[test]
fn idle_sessions_expire() {
    let served = Served::start(guest("types"), &["--session-idle", "200ms"]);
    let (_, opened) = post_json(&served.url("/sessions"), json!(null));
    let id = opened["id"].as_str().unwrap();
    assert_eq!(get(&served.url(&format!("/sessions/{id}"))).0, 200);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(get(&served.url(&format!("/sessions/{id}"))).0, 404);
}

#[test]
fn a_sqldb_session_creates_inserts_and_queries() {
    let served = Served::start(guest("sqldb"), &[]);
    let (_, opened) = post_json(&served.url("/sessions"), json!(null));
    let id = opened["id"].as_str().unwrap();
    let script = r#"let db = db(":memory:")
db.execute("create table people (name text, age integer)", [])
db.execute("insert into people values (?1, ?2)", ["Ada", "36"])
db.query("select name, age from people", [])
"#;
    let (status, _, text) = send(
        "POST",
        &served.url(&format!("/sessions/{id}/call")),
        "text/plain",
        script,
    );
    assert_eq!(status, 200, "{text}");
    let results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        results["results"][2]["value"],
        json!({"tag": "ok", "val": 1})
    );
    let rows = &results["results"][3]["value"]["val"];
    assert_eq!(
        rows[0]["columns"][0]["value"],
        json!({"tag": "text", "val": "Ada"})
    );
    assert_eq!(
        rows[0]["columns"][1]["value"],
        json!({"tag": "integer", "val": 36})
    );
}

#[test]
fn a_javascript_component_built_by_jco_is_served_as_a_gateway() {
    let js = weft_test_guests::js_path("hello");
    let served = Served::start(&js, &[]);
    let (status, value) = post_json(&served.url("/call/greet"), json!({"name": "Ada"}));
    assert_eq!(
        (status, value),
        (200, json!("Hello, Ada, from JavaScript!"))
    );
    let (status, value) = post_json(&served.url("/call/add"), json!([2, 40]));
    assert_eq!((status, value), (200, json!(42)));
}

#[test]
fn the_openapi_document_validates_with_a_real_validator() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["greeter", "types", "sqldb"] {
        let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/greeter");
        let served = if name == "greeter" {
            Served::start(guest(name), &["--wit", wit.to_str().unwrap()])
        } else {
            Served::start(guest(name), &[])
        };
        let (status, text) = get(&served.url("/openapi.json"));
        assert_eq!(status, 200);
        let document: Value = serde_json::from_str(&text).unwrap();
        if name == "greeter" {
            let person = &document["components"]["schemas"]["greeting.person"];
            assert_eq!(person["description"], "Someone to greet.");
            assert_eq!(
                person["properties"]["name"]["description"],
                "The person's name."
            );
            assert_eq!(person["required"], json!(["name"]));
        }
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, &text).unwrap();
        let out = Command::new("python3")
            .args(["-m", "openapi_spec_validator"])
            .arg(&file)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{name}: {}{} (install the validator with `bash scripts/setup.sh`)",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_page_calls_greet_in_headless_chromium() {
    let served = Served::start(guest("greeter"), &[]);
    let (status, page) = get(&served.url("/"));
    assert_eq!(status, 200);
    assert!(page.contains("page.js"));
    let driver =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../weft-serve/tests/browser/greet.mjs");
    let out = Command::new("node")
        .arg(&driver)
        .arg(served.url("/"))
        .output()
        .expect("node runs (install it and Chromium with `bash scripts/setup-browser.sh`)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Hello, Dr. Ada! Welcome aboard."
    );
}

#[test]
fn watch_swaps_the_component_without_a_failed_request() {
    let dir = tempfile::tempdir().unwrap();
    let served_file = dir.path().join("app.wasm");
    std::fs::copy(guest("http-hello"), &served_file).unwrap();
    let served = Served::start(&served_file, &["--watch"]);
    assert_eq!(get(&served.url("/")).0, 200);
    let staged = dir.path().join("next.wasm.tmp");
    std::fs::copy(guest("http-echo"), &staged).unwrap();
    std::fs::rename(&staged, &served_file).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut requests = 0;
    loop {
        let (status, method, _) = send("POST", &served.url("/"), "text/plain", "x");
        assert_eq!(status, 200, "request {requests} failed during the reload");
        requests += 1;
        if method.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new component never took over"
        );
    }
    assert!(served.stop());
}

#[test]
fn a_composition_is_linked_at_run_time_and_relinked_on_change() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(guest("greeter"), dir.path().join("greeter.wasm")).unwrap();
    std::fs::copy(guest("logger"), dir.path().join("logger.wasm")).unwrap();
    std::fs::copy(guest("notes"), dir.path().join("notes.wasm")).unwrap();
    std::fs::copy(guest("sqldb"), dir.path().join("sqldb.wasm")).unwrap();
    let manifest = dir.path().join("app.toml");
    std::fs::write(
        &manifest,
        r#"[component.dependencies]
greeter = { path = "greeter.wasm" }
logger = { path = "logger.wasm" }
notes = { path = "notes.wasm" }
sqldb = { path = "sqldb.wasm" }
[[component.instantiate]]
component = "greeter"
dependencies = { logging = "logger" }
[[component.instantiate]]
component = "notes"
dependencies = { connection = "sqldb" }
"#,
    )
    .unwrap();
    let served = Served::start(&manifest, &["--watch"]);
    let person = json!({"person": {"name": "Ada"}});
    assert_eq!(
        post_json(&served.url("/call/greet"), person.clone()),
        (200, json!("Hello, Ada! Welcome aboard."))
    );
    // A notebook holds a sqldb connection across requests: a resource of one member
    // kept by another, through the host.
    let (_, opened) = post_json(&served.url("/sessions"), json!(null));
    let id = opened["id"].as_str().unwrap();
    let (status, _, text) = send(
        "POST",
        &served.url(&format!("/sessions/{id}/call")),
        "text/plain",
        "let book = notebook(\":memory:\")\nbook.add(\"buy milk\")\nbook.find(\"milk\")\n",
    );
    assert_eq!(status, 200, "{text}");
    let results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        results["results"][2]["value"],
        json!({"tag": "ok", "val": ["buy milk"]})
    );

    // Another implementation replaces the greeter: new calls reach it, none fails.
    let staged = dir.path().join("greeter.wasm.tmp");
    std::fs::copy(guest("greeter-terse"), &staged).unwrap();
    std::fs::rename(&staged, dir.path().join("greeter.wasm")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, value) = post_json(&served.url("/call/greet"), person.clone());
        assert_eq!(status, 200, "a request failed during the relink: {value}");
        if value != json!("Hello, Ada! Welcome aboard.") {
            assert_eq!(value, json!("Hi, Ada."));
            break;
        }
        assert!(Instant::now() < deadline, "the new greeter never took over");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(served.stop());
}
