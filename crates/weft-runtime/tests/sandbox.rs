//! Sandbox limits: each stops a misbehaving guest with its own error, and the
//! runtime goes on serving the next call.

mod common;

use std::time::Duration;

use weft_runtime::{CallError, Limits, SessionOptions, TrapKind};

fn hostile(limits: Limits) -> weft_runtime::Session {
    let options = SessionOptions {
        limits,
        ..common::quiet()
    };
    common::runtime()
        .session(&common::load("hostile"), options)
        .unwrap()
}

fn trap_kind(result: Result<String, CallError>) -> (TrapKind, String) {
    match result {
        Err(CallError::Trap { trap, .. }) => (trap.kind, trap.message),
        other => panic!("expected a trap, got {other:?}"),
    }
}

/// After any failure, a new session of the same component still works.
fn still_serves() {
    let mut s = hostile(Limits::default());
    assert_eq!(s.call_wave("ok(41)").unwrap(), "42");
}

#[test]
fn an_endless_loop_hits_the_deadline() {
    let mut s = hostile(Limits {
        timeout: Some(Duration::from_millis(100)),
        ..Limits::default()
    });
    let (kind, message) = trap_kind(s.call_wave("spin()"));
    assert_eq!(kind, TrapKind::Deadline);
    assert!(message.contains("--timeout"), "{message}");
    // The trapped instance refuses further calls with a clear reason.
    assert!(matches!(s.call_wave("ok(1)"), Err(CallError::Dead(_))));
    still_serves();
}

#[test]
fn an_endless_loop_runs_out_of_fuel() {
    let mut s = hostile(Limits {
        fuel: Some(5_000_000),
        ..Limits::default()
    });
    let (kind, message) = trap_kind(s.call_wave("spin()"));
    assert_eq!(kind, TrapKind::OutOfFuel);
    assert!(message.contains("5000000"), "{message}");
    still_serves();
}

#[test]
fn fuel_is_per_call() {
    let mut s = hostile(Limits {
        fuel: Some(100_000),
        ..Limits::default()
    });
    for i in 0..50 {
        assert_eq!(
            s.call_wave(&format!("ok({i})")).unwrap(),
            (i + 1).to_string()
        );
    }
}

#[test]
fn unbounded_allocation_hits_the_memory_cap() {
    let mut s = hostile(Limits {
        max_memory: Some(32 << 20),
        ..Limits::default()
    });
    let (kind, message) = trap_kind(s.call_wave("hoard(4)"));
    assert_eq!(kind, TrapKind::MemoryLimit);
    assert!(
        message.contains("33554432") && message.contains("--max-memory"),
        "{message}"
    );
    still_serves();
}

#[test]
fn deep_recursion_is_stopped() {
    let mut s = hostile(Limits::default());
    let (kind, message) = trap_kind(s.call_wave("recurse(100000000)"));
    // The hostile guest's data stack in linear memory is large (its build.rs), so the
    // native wasm stack runs out first: wasmtime's own stack-overflow trap.
    assert_eq!(kind, TrapKind::StackOverflow, "{message}");
    assert!(message.contains("overflowed its stack"), "{message}");
    still_serves();
}

#[test]
fn a_guest_panic_is_reported_with_its_message() {
    let mut s = hostile(Limits::default());
    let (kind, _) = trap_kind(s.call_wave(r#"panic("boom")"#));
    assert_eq!(kind, TrapKind::GuestAbort);
    let stderr = String::from_utf8(s.stderr().unwrap()).unwrap();
    assert!(stderr.contains("boom"), "{stderr}");
    still_serves();
}
