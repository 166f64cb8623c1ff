//! `weft serve --nats` and `weft call --import IFACE=nats://...` through the real binary,
//! with a real `nats-server` on a free loopback port: imports satisfied by components
//! served in other processes.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use weft_test_guests::{NatsServer, WrpcServer};

/// A `weft serve --nats` process, killed when dropped, and what it writes on stderr.
struct Served {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Served {
    fn start(component: &Path, nats: &NatsServer) -> Served {
        Served::start_with(component, nats, &[])
    }

    /// Serves `component` with more flags.
    fn start_with(component: &Path, nats: &NatsServer, flags: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(["serve", "--nats", &nats.url()])
            .arg(component)
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("weft runs");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let stderr = Arc::new(Mutex::new(String::new()));
        loop {
            let line = lines.next().expect("weft serve started").unwrap();
            stderr.lock().unwrap().push_str(&format!("{line}\n"));
            if line.starts_with("Serving") {
                break;
            }
        }
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                collected.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Served { child, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn weft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("weft runs")
}

fn ok(args: &[&str]) -> String {
    let out = weft(args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "`weft {}` failed:\n{stdout}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn guest(name: &str) -> &'static str {
    weft_test_guests::path(name)
}

#[test]
fn an_import_is_satisfied_by_a_component_served_elsewhere() {
    let nats = NatsServer::start();
    let _store = serve_store(&nats);
    // The adapter's `storage-v2` calls go to the store in the other process, which keeps
    // its state between calls.
    let import = format!("storage-v2={}", nats.url());
    let out = ok(&[
        "call",
        guest("storage-adapter"),
        "--import",
        &import,
        r#"save("motd", "hello")"#,
        r#"load("motd")"#,
        r#"load("nothing")"#,
    ]);
    assert_eq!(out, "true\nsome(\"hello\")\nnone\n");
    let out = ok(&[
        "call",
        guest("storage-adapter"),
        "--import",
        &import,
        r#"load("motd")"#,
    ]);
    assert_eq!(out, "some(\"hello\")\n");
}

/// The storage-v2 guest served on `nats`, once it lists its subjects (after its first
/// line).
fn serve_store(nats: &NatsServer) -> Served {
    let store = Served::start(Path::new(guest("storage-v2")), nats);
    wait_for_subject(&store, "  wrpc.0.0.1.modern:storage/storage-v2@2.0.0.put");
    store
}

/// Waits until `served` lists `subject` among the subjects it serves.
fn wait_for_subject(served: &Served, subject: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !served.stderr().contains(subject) {
        assert!(std::time::Instant::now() < deadline, "{}", served.stderr());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_manifest_binds_an_import_to_a_served_export_when_linked_at_run_time() {
    let nats = NatsServer::start();
    let _store = serve_store(&nats);
    // The legacy app runs on the adapter in this process; the adapter's store is the one
    // served in the other process.
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("remote-store.toml");
    let text = format!(
        r#"[component.dependencies]
app = {{ path = "{app}" }}
adapter = {{ path = "{adapter}" }}

[[component.instantiate]]
component = "adapter"
dependencies = {{ storage-v2 = "{url}" }}

[[component.instantiate]]
component = "app"
dependencies = {{ "legacy:storage/storage-v1" = "adapter" }}
"#,
        app = guest("legacy-app"),
        adapter = guest("storage-adapter"),
        url = nats.url(),
    );
    std::fs::write(&manifest, text).unwrap();
    let manifest = manifest.to_str().unwrap();
    let out = ok(&[
        "call",
        manifest,
        r#"round-trip("motd", "hello")"#,
        r#"count("visits")"#,
    ]);
    assert_eq!(out, "ok(\"hello\")\nok(1)\n");
    // The state lives on the server: a new linked session counts on from the last.
    let out = ok(&["call", manifest, r#"count("visits")"#]);
    assert_eq!(out, "ok(2)\n");

    // Composing it into one binary cannot call the server; the error says where.
    let out = weft(&[
        "compose",
        manifest,
        "-o",
        dir.path().join("x.wasm").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("comes from `nats://") && stderr.contains("weft call MANIFEST"),
        "{stderr}"
    );
    assert!(stderr.contains("remote-store.toml:7"), "{stderr}");
}

#[test]
fn a_served_component_s_own_imports_can_be_served_elsewhere() {
    let nats = NatsServer::start();
    let _store = serve_store(&nats);
    // Three processes: the app here, the adapter it calls, the store the adapter calls.
    let import = format!("storage-v2={}", nats.url());
    let adapter = Served::start_with(
        Path::new(guest("storage-adapter")),
        &nats,
        &["--import", &import],
    );
    wait_for_subject(
        &adapter,
        "  wrpc.0.0.1.legacy:storage/storage-v1@1.0.0.save",
    );
    let import = format!("legacy:storage/storage-v1={}", nats.url());
    let out = ok(&[
        "call",
        guest("legacy-app"),
        "--import",
        &import,
        r#"round-trip("motd", "hello")"#,
        r#"count("visits")"#,
        r#"count("visits")"#,
    ]);
    assert_eq!(out, "ok(\"hello\")\nok(1)\nok(2)\n");
}

#[test]
fn wrpc_wasmtime_and_weft_call_each_other_in_one_chain() {
    let nats = NatsServer::start();
    let store = serve_store(&nats);
    // wRPC's own host runs the adapter: its `storage-v2` import goes over NATS to the store
    // weft serves, and weft's legacy app calls the adapter wRPC serves.
    let adapter = WrpcServer::serve(Path::new(guest("storage-adapter")), &nats);
    let import = format!("legacy:storage/storage-v1={}", nats.url());
    let calls = [r#"round-trip("motd", "hello")"#, r#"count("visits")"#];
    // wrpc-wasmtime subscribes once it has compiled the adapter.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let out = loop {
        let mut args = vec!["call", guest("legacy-app"), "--import", &import];
        args.extend(calls);
        let out = weft(&args);
        if out.status.success() {
            break String::from_utf8(out.stdout).unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the chain did not answer:\n{}\nwrpc-wasmtime:\n{}\nweft serve:\n{}",
            String::from_utf8_lossy(&out.stderr),
            adapter.output(),
            store.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    assert_eq!(out, "ok(\"hello\")\nok(1)\n");
    // The count lives in weft's store, behind wRPC's instance per call of the adapter.
    let out = ok(&[
        "call",
        guest("legacy-app"),
        "--import",
        &import,
        r#"count("visits")"#,
    ]);
    assert_eq!(out, "ok(2)\n");
}

#[test]
fn servers_of_one_interface_share_the_calls_and_one_going_away_is_not_noticed() {
    let nats = NatsServer::start();
    let first = Served::start(Path::new(guest("logger")), &nats);
    let second = Served::start(Path::new(guest("logger")), &nats);
    let import = format!("logging={}", nats.url());
    let calls: Vec<String> = (0..20)
        .map(|i| format!(r#"greet({{name: "Ada{i}", title: none}})"#))
        .collect();
    let mut args = vec!["call", guest("greeter"), "--import", &import];
    args.extend(calls.iter().map(String::as_str));
    let out = ok(&args);
    assert_eq!(out.lines().count(), 20);
    assert!(out.starts_with("\"Hello, Ada0! Welcome aboard.\""), "{out}");
    let count = |served: &Served| served.stderr().matches("[debug] Greeting Ada").count();
    let (a, b) = (count(&first), count(&second));
    assert_eq!(a + b, 20, "every log call reached exactly one server");
    assert!(
        a > 0 && b > 0,
        "the queue group shares the calls: {a} and {b}"
    );

    // One server goes away; the callers do not notice. The JavaScript greeter calls too.
    drop(first);
    let js = weft_test_guests::js_path("greeter");
    let mut args = vec!["call", js.to_str().unwrap(), "--import", &import];
    args.extend(calls.iter().take(5).map(String::as_str));
    let out = ok(&args);
    assert_eq!(out.lines().count(), 5);
    assert_eq!(count(&second), b + 5);
}

#[test]
fn bad_addresses_and_missing_servers_are_clear_errors() {
    let out = weft(&[
        "call",
        guest("greeter"),
        "--import",
        "logging=http://x",
        "greet({name: \"A\"})",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a NATS address"), "{stderr}");

    let nats = NatsServer::start();
    let import = format!("logging={}", nats.url());
    let out = weft(&[
        "call",
        guest("greeter"),
        "--import",
        &import,
        "--timeout",
        "5s",
        "greet({name: \"A\"})",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no server answers on `wrpc.0.0.1.example:greeter/logging@1.0.0.log`"),
        "{stderr}"
    );
}
