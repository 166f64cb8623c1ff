//! A cross-instance call through a runtime link against the same call inside the
//! statically composed component (target: the link costs at most 3x).
//!
//! Both sides run the seed's compose.toml (greeter + logger: every `greet` makes one
//! `log` call across the instance boundary) and notes over sqldb (every `count` makes
//! a `db.query` call on a resource handle that crosses as a stand-in), through the same
//! `Session::call_vals` front end, so the difference is the link alone. Prints calls per
//! second for each and the ratio.
//!
//! Run: `bash benches/in-process.sh` (`SECONDS=3` by default).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use weft_link::Linked;
use weft_runtime::{
    Capabilities, Imports, Limits, Output, Prepared, Runtime, RuntimeConfig, Session, Statement,
    Val,
};

/// Where the example manifests refer to the built guests, relative to themselves.
const GUESTS_IN_EXAMPLES: &str = "../../guests/target/wasm32-wasip2/release";

fn manifest(file: &str, dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/compose");
    let guests = Path::new(weft_test_guests::path("greeter"))
        .parent()
        .unwrap();
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let copy = dir.join(file);
    std::fs::write(
        &copy,
        text.replace(GUESTS_IN_EXAMPLES, guests.to_str().unwrap()),
    )
    .unwrap();
    copy
}

fn session(prepared: &Prepared) -> Session {
    let quiet = Capabilities {
        stdout: Output::Discard,
        stderr: Output::Discard,
        ..Capabilities::default()
    };
    prepared.instantiate(quiet, Limits::default()).unwrap()
}

/// Calls per second of `call`, after a warm-up.
fn rate(mut call: impl FnMut(), run_for: Duration) -> f64 {
    for _ in 0..1000 {
        call();
    }
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < run_for {
        for _ in 0..1000 {
            call();
        }
        calls += 1000;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

/// `greet` with values through `Session::invoke`: one `log` call crosses per call.
fn greet_rate(prepared: &Prepared, run_for: Duration) -> f64 {
    let person = [Val::Record(vec![
        ("name".into(), Val::String("Ada".into())),
        ("title".into(), Val::Option(None)),
    ])];
    let mut session = session(prepared);
    let greet = session
        .component()
        .exports()
        .resolve("greet")
        .unwrap()
        .clone();
    rate(|| drop(session.invoke(&greet, &person).unwrap()), run_for)
}

/// `book.count()` on a notebook holding a sqldb `db` handle: one `db.query` on the
/// handle crosses per call. Through the WAVE front end (the handle is named), the same
/// on both sides.
fn count_rate(prepared: &Prepared, run_for: Duration) -> f64 {
    let mut session = session(prepared);
    let open = Statement::parse(r#"let book = notebook(":memory:")"#)
        .unwrap()
        .unwrap();
    session.eval(&open).unwrap();
    session.call_wave(r#"book.add("x")"#).unwrap();
    rate(|| drop(session.call_wave("book.count()").unwrap()), run_for)
}

/// Calls per second of one case on a prepared application.
type Measure = fn(&Prepared, Duration) -> f64;

fn main() {
    let seconds: u64 = std::env::var("SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let run_for = Duration::from_secs(seconds);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let imports = Imports::new();
    let cases: [(&str, Measure); 2] = [
        ("compose.toml", greet_rate),
        ("notes-on-sqldb.toml", count_rate),
    ];
    println!(
        "{:<22} {:>14} {:>14} {:>16}",
        "case", "composed/s", "linked/s", "linked cost"
    );
    for (file, measure) in cases {
        let path = manifest(file, dir.path());
        let composed = weft_compose::compose_manifest_file(&path).unwrap();
        let composed = runtime.load_bytes(file, composed.bytes).unwrap();
        let composed = runtime.prepare(&composed, &imports).unwrap();
        let linked = Linked::load(&runtime, &path, &Default::default())
            .unwrap()
            .prepare(&runtime, &imports)
            .unwrap();
        let composed_rate = measure(&composed, run_for);
        let linked_rate = measure(&linked, run_for);
        println!(
            "{file:<22} {composed_rate:>14.0} {linked_rate:>14.0} {:>15.2}x",
            composed_rate / linked_rate
        );
    }
    println!("(linked cost: time per call linked / composed; target <= 3x)");
}
