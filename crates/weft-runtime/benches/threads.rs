//! Calls per second of one prepared component from 1 and from 2 threads, each thread
//! with its own session (target: 2 threads make at least 1.8x the calls of 1, on 2 cores).
//!
//! Every thread calls `greet` on the greeter through `Session::call_vals` for a fixed
//! time; instances are replaced every [`PER_INSTANCE`] calls (instantiation is part of the
//! time). Prints one line per thread count and the ratio, and the same ratio for a native
//! loop (no wasm at all) measured in the same run: how far two threads scale on this
//! machine at best.
//!
//! Run: `cargo bench -p weft-runtime --bench threads` (`SECONDS=3` by default).

use std::time::{Duration, Instant};

use weft_runtime::{Capabilities, Imports, Limits, Output, Prepared, Runtime, RuntimeConfig, Val};

/// Calls made on one instance before it is replaced.
const PER_INSTANCE: u64 = 1000;

fn calls_for(prepared: &Prepared, run_for: Duration) -> u64 {
    let args = [Val::Record(vec![
        ("name".into(), Val::String("Ada".into())),
        ("title".into(), Val::Option(None)),
    ])];
    let quiet = Capabilities {
        stdout: Output::Discard,
        stderr: Output::Discard,
        ..Capabilities::default()
    };
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed() < run_for {
        let mut session = prepared
            .instantiate(quiet.clone(), Limits::default())
            .expect("instantiate");
        for _ in 0..PER_INSTANCE {
            session.call_vals("greet", &args).expect("greet");
        }
        calls += PER_INSTANCE;
    }
    calls
}

/// Native work for the machine's own scaling limit: an integer hash chain, no memory.
fn native_rounds_for(run_for: Duration) -> u64 {
    let start = Instant::now();
    let mut rounds = 0u64;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    while start.elapsed() < run_for {
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        rounds += 1;
    }
    std::hint::black_box(x);
    rounds
}

/// Runs `work` on `threads` threads at once and returns the total it reports per second.
fn rate(threads: usize, work: impl Fn() -> u64 + Sync) -> (f64, u64) {
    let start = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(&work)).collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    (total as f64 / start.elapsed().as_secs_f64(), total)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let seconds: u64 = std::env::var("SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let run_for = Duration::from_secs(seconds);
    let runtime = Runtime::new(RuntimeConfig {
        cache: None,
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let loaded = runtime
        .load_file(weft_test_guests::GREETER)
        .expect("load greeter");
    let prepared = runtime
        .prepare(&loaded, &Imports::new().greeter_logging())
        .expect("prepare");
    let mut rates = Vec::new();
    for threads in [1usize, 2] {
        let (rate, total) = rate(threads, || calls_for(&prepared, run_for));
        println!("threads {threads}: {rate:.0} calls/s ({total} calls)");
        rates.push(rate);
    }
    let (native_1, _) = rate(1, || native_rounds_for(run_for));
    let (native_2, _) = rate(2, || native_rounds_for(run_for));
    println!(
        "2 threads / 1 thread: {:.2}x (target >= 1.8x on 2 cores); a native loop on this machine: {:.2}x",
        rates[1] / rates[0],
        native_2 / native_1
    );
}
