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
    // The library says what happened; the flag that changes it is the CLI's to name.
    assert!(
        message.contains("100ms") && !message.contains("--"),
        "{message}"
    );
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
        max_memory: 32 << 20,
        ..Limits::default()
    });
    let (kind, message) = trap_kind(s.call_wave("hoard(4)"));
    assert_eq!(kind, TrapKind::MemoryLimit);
    assert!(
        message.contains("33554432") && !message.contains("--"),
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

fn wat_session(wat: &str, limits: Limits) -> weft_runtime::Session {
    let component = common::runtime()
        .load_bytes("limits.wat", wat.as_bytes().to_vec())
        .unwrap();
    common::runtime()
        .session(
            &component,
            SessionOptions {
                limits,
                ..common::quiet()
            },
        )
        .unwrap()
}

#[test]
fn table_growth_is_limited() {
    // The table bomb of the hardening issue: it grew to 10-14 GB before tables counted.
    let mut s = wat_session(
        r#"(component
          (core module $m
            (table $t 0 funcref)
            (func (export "grow") (param i32) (result i32)
              (local $i i32) (local $r i32)
              (loop $l
                (local.set $r (table.grow $t (ref.null func) (i32.const 50000000)))
                (if (i32.eq (local.get $r) (i32.const -1)) (then (return (local.get $i))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
              (local.get $i)))
          (core instance $i (instantiate $m))
          (func (export "grow") (param "n" u32) (result u32) (canon lift (core func $i "grow"))))"#,
        Limits::default(),
    );
    let (kind, message) = trap_kind(s.call_wave("grow(100)"));
    assert_eq!(kind, TrapKind::TableLimit, "{message}");
    assert!(message.contains("50000000"), "{message}");
}

#[test]
fn the_memory_limit_is_a_total_over_all_memories() {
    // Two memories of 40 MiB each under a 64 MiB limit: the second growth fails.
    let mut s = wat_session(
        r#"(component
          (core module $m
            (memory $a 0)
            (memory $b 0)
            (func (export "grow") (result i32)
              (drop (memory.grow $a (i32.const 640)))
              (memory.grow $b (i32.const 640))))
          (core instance $i (instantiate $m))
          (func (export "grow") (result s32) (canon lift (core func $i "grow"))))"#,
        Limits {
            max_memory: 64 << 20,
            ..Limits::default()
        },
    );
    let (kind, message) = trap_kind(s.call_wave("grow()"));
    assert_eq!(kind, TrapKind::MemoryLimit, "{message}");
    assert!(message.contains("83886080"), "{message}");
}

#[test]
fn there_is_a_memory_limit_by_default() {
    let mut s = hostile(Limits::default());
    let (kind, message) = trap_kind(s.call_wave("hoard(64)"));
    assert_eq!(kind, TrapKind::MemoryLimit, "{message}");
    assert!(
        message.contains(&weft_runtime::DEFAULT_MAX_MEMORY.to_string()),
        "{message}"
    );
}

#[test]
fn returned_data_is_bounded_by_the_memory_limit() {
    // 4 MB as `Val`s was past wasmtime's default 128 MiB of hostcall data.
    let mut s = common::session("types");
    let out = s.call_vals("make-bytes", &[weft_runtime::Val::U32(4_000_000)]);
    match out.unwrap().as_slice() {
        [weft_runtime::Val::List(bytes)] => assert_eq!(bytes.len(), 4_000_000),
        other => panic!("unexpected {other:?}"),
    }
    let mut s = wat_session_types_small();
    // 6 MB fits in its memory but not, as `Val`s, in 128 MiB of hostcall data.
    let (kind, message) = trap_kind(s.call_wave("make-bytes(6000000)"));
    assert_eq!(kind, TrapKind::HostcallData, "{message}");
}

/// The types guest under a 16 MiB memory limit, which still fits a 6 MB list.
fn wat_session_types_small() -> weft_runtime::Session {
    common::runtime()
        .session(
            &common::load("types"),
            SessionOptions {
                limits: Limits {
                    max_memory: 16 << 20,
                    ..Limits::default()
                },
                ..common::quiet()
            },
        )
        .unwrap()
}

/// Serves one line to one connection on a free loopback port; returns `host:port`.
fn one_line_server() -> (String, std::thread::JoinHandle<()>) {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        // Bounded: the test either connects once or not at all.
        listener.set_nonblocking(false).unwrap();
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.write_all(b"hello from the host\n");
        }
    });
    (address, server)
}

#[test]
fn allow_network_grants_tcp() {
    let (address, server) = one_line_server();
    let mut options = common::quiet();
    options.capabilities.network = true;
    let mut s = common::runtime()
        .session(&common::load("net-probe"), options)
        .unwrap();
    assert_eq!(
        s.call_wave(&format!("read-line({address:?})")).unwrap(),
        r#"ok("hello from the host")"#
    );
    server.join().unwrap();
}

#[test]
fn without_a_grant_tcp_is_denied() {
    let (address, server) = one_line_server();
    let mut s = common::session("net-probe");
    let out = s.call_wave(&format!("read-line({address:?})")).unwrap();
    assert!(out.starts_with("err(") && out.contains("connect"), "{out}");
    // Nothing connected: let the server go.
    std::net::TcpStream::connect(&address).unwrap();
    server.join().unwrap();
}
