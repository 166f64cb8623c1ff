//! Soak test (run by `scripts/soak.sh`, not by CI): create and drop resources over and
//! over in one session, and check that neither the host nor the guest grows.
//!
//! For `types.counter` and `sqldb.db`, CYCLES (default 1,000,000) `let`/`drop` pairs run
//! through `Session::eval` in one session. The host's resident memory (`/proc/self/statm`)
//! and the guest's linear memory (`HostState::memory_bytes`) are sampled after 1% of the
//! cycles and at the end; a
//! leak shows as growth between the two. For counters, the guest's own count of live
//! counters is printed too.

use weft_runtime::{
    Capabilities, Imports, Limits, Output, Runtime, RuntimeConfig, Session, Statement,
};

fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

/// The guest's linear memory, all memories together.
fn guest_kib(session: &Session) -> u64 {
    (session.store().data().memory_bytes() / 1024) as u64
}

fn soak(runtime: &Runtime, name: &str, path: &str, create: &str, cycles: u64, last: Option<&str>) {
    let component = runtime.load_file(path).expect("load");
    let prepared = runtime
        .prepare(&component, &Imports::new())
        .expect("prepare");
    let quiet = Capabilities {
        stdout: Output::Discard,
        stderr: Output::Discard,
        ..Capabilities::default()
    };
    let mut session = prepared
        .instantiate(quiet, Limits::default())
        .expect("instantiate");
    let make = Statement::Let {
        name: "h".into(),
        call: create.into(),
    };
    let drop = Statement::Drop { name: "h".into() };
    let warm = (cycles / 100).max(1);
    let mut sampled = (0, 0);
    let start = std::time::Instant::now();
    for i in 1..=cycles {
        session.eval(&make).expect("create");
        session.eval(&drop).expect("drop");
        if i == warm {
            sampled = (resident_kib(), guest_kib(&session));
        }
    }
    let end = (resident_kib(), guest_kib(&session));
    let tail = last
        .map(|call| format!("; {call} = {}", session.call_wave(call).expect("last call")))
        .unwrap_or_default();
    println!(
        "{name}: {cycles} create/drop cycles in {:.1}s; host RSS {} KiB after {warm}, {} KiB at the end ({:+} KiB); guest memory {} KiB, then {} KiB{tail}",
        start.elapsed().as_secs_f64(),
        sampled.0,
        end.0,
        end.0 as i64 - sampled.0 as i64,
        sampled.1,
        end.1,
    );
}

fn main() {
    let cycles: u64 = std::env::var("CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = Runtime::new(RuntimeConfig {
        cache: None,
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    soak(
        &runtime,
        "types.counter",
        weft_test_guests::TYPES,
        r#"counter("soak")"#,
        cycles,
        Some("counter.live()"),
    );
    soak(
        &runtime,
        "sqldb.db",
        weft_test_guests::SQLDB,
        r#"db(":memory:")"#,
        cycles,
        None,
    );
}
