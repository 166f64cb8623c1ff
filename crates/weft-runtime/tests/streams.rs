//! `stream<T>` and `future<T>` values through async exports of the async-streams guest:
//! written as lists and values, read to their end, streamed to a sink in constant
//! memory, dropped early by the host, and ended by a deadline or wasmtime's deadlock
//! check when they never complete.

mod common;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft_runtime::{
    CallError, Imports, Limits, Session, SessionOptions, Statement, StreamItems, StreamSink,
    TrapKind, Val,
};
use weft_test_guests::Pattern;

fn session_with(limits: Limits) -> Session {
    let options = SessionOptions {
        limits,
        ..common::quiet()
    };
    common::runtime()
        .session(&common::load("async-streams"), options)
        .unwrap()
}

fn session() -> Session {
    common::session("async-streams")
}

/// Counts the bytes it is given and keeps the first few; stops after `stop_after`.
#[derive(Clone, Default)]
struct Counter {
    bytes: Arc<AtomicUsize>,
    head: Arc<Mutex<Vec<u8>>>,
    stop_after: Option<usize>,
}

impl StreamSink for Counter {
    fn items(&mut self, items: StreamItems<'_>) -> bool {
        let StreamItems::Bytes(bytes) = items else {
            panic!("a stream<u8> arrives as bytes");
        };
        let mut head = self.head.lock().unwrap();
        let room = 64usize.saturating_sub(head.len()).min(bytes.len());
        head.extend_from_slice(&bytes[..room]);
        let total = self.bytes.fetch_add(bytes.len(), Ordering::SeqCst) + bytes.len();
        self.stop_after.is_none_or(|limit| total < limit)
    }
}

#[test]
fn streams_and_futures_are_written_as_lists_and_values_and_read_to_their_end() {
    let mut s = session();
    check_streams_and_futures(&mut s);
    assert!(s.finish().leaked.is_empty());
}

#[test]
fn a_python_component_moves_streams_and_futures_as_the_rust_one_does() {
    // The same world built with componentize-py: CPython's async runtime on the guest side.
    let component = common::runtime()
        .load_file(weft_test_guests::py_path("async-streams"))
        .expect("the Python guest loads");
    let mut s = common::runtime()
        .session(&component, common::quiet())
        .unwrap();
    check_streams_and_futures(&mut s);
    // A byte stream in and out as they arrive, across many of the guest's reads.
    const LEN: usize = 3 << 20;
    let counter = Counter::default();
    s.set_stream_input(Some(Box::new(Pattern::new(LEN))));
    s.set_stream_sink(Some(Box::new(counter.clone())));
    s.eval(&Statement::Call("encode-base64()".into()))
        .unwrap()
        .unwrap();
    assert_eq!(counter.bytes.load(Ordering::SeqCst), LEN.div_ceil(3) * 4);
    let first: Vec<u8> = (0..48).collect();
    let expected = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &first);
    assert_eq!(&counter.head.lock().unwrap()[..64], expected.as_bytes());
    s.set_stream_sink(None);
    assert!(s.finish().leaked.is_empty());
    // A future nothing writes is the same deadlock to wasmtime, whichever language.
    let mut s = common::runtime()
        .session(&component, common::quiet())
        .unwrap();
    match s.eval(&Statement::Call("stalled()".into())) {
        Err(CallError::Trap { trap, .. }) => assert_eq!(trap.kind, TrapKind::Stalled, "{trap}"),
        other => panic!("{other:?}"),
    }
}

/// Calls of every export that moves a payload weft can name, with their answers.
fn check_streams_and_futures(s: &mut Session) {
    assert_eq!(s.call_wave("range(5, 4)").unwrap(), "[5, 6, 7, 8]");
    assert_eq!(
        s.call_wave(r#"split-lines("one\ntwo\n")"#).unwrap(),
        r#"["one", "two", ""]"#
    );
    assert_eq!(
        s.call_wave(r#"join(["a", "b", "c"], ", ")"#).unwrap(),
        r#""a, b, c""#
    );
    assert_eq!(
        s.call_wave(r#"resolve-later("soon")"#).unwrap(),
        r#""soon""#
    );
    assert_eq!(s.call_wave("await-future(41)").unwrap(), "42");
    assert_eq!(s.call_wave("count-bytes([1, 2, 3])").unwrap(), "3");
    assert_eq!(
        s.call_wave("encode-base64([104, 105])").unwrap(),
        "[97, 71, 107, 61]"
    );
    // A stream of 2500 items crosses in several batches, in order.
    let long = s
        .call_vals("range", &[Val::U32(0), Val::U32(2500)])
        .unwrap();
    let [Val::List(items)] = long.as_slice() else {
        panic!("{long:?}")
    };
    assert!(
        items
            .iter()
            .enumerate()
            .all(|(i, v)| *v == Val::U32(i as u32))
    );
    // JSON takes a stream as the array of its items and a future as its value.
    let json = s
        .call_json("join", &serde_json::json!([["x", "y"], "+"]))
        .unwrap();
    assert_eq!(json, serde_json::json!("x+y"));
    assert_eq!(
        s.call_json("await-future", &serde_json::json!([1]))
            .unwrap(),
        serde_json::json!(2)
    );
}

#[test]
fn a_payload_weft_cannot_move_is_refused_before_the_call_and_the_session_lives_on() {
    let mut s = session();
    let err = s.call_wave(r#"enumerate(["a"])"#).unwrap_err();
    assert!(
        matches!(&err, CallError::Stream { .. })
            && err.to_string().contains("`tuple<u32, string>`"),
        "{err}"
    );
    assert_eq!(s.call_wave("range(0, 2)").unwrap(), "[0, 1]");
    // A wrong item names its index in the stream.
    let err = s
        .call_wave(r#"count-bytes([1, "x"])"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("input[1]") && err.contains("expected u8"),
        "{err}"
    );
}

#[test]
fn a_hundred_megabytes_stream_through_the_async_transform_in_constant_memory() {
    const LEN: usize = 100 << 20;
    let mut s = session();
    let counter = Counter::default();
    s.set_stream_input(Some(Box::new(Pattern::new(LEN))));
    s.set_stream_sink(Some(Box::new(counter.clone())));
    let before = s.store().data().memory_bytes();
    let out = s
        .eval(&Statement::Call("encode-base64()".into()))
        .unwrap()
        .unwrap();
    assert_eq!(out.results, [Val::Enum(weft_runtime::STREAMED.into())]);
    assert_eq!(counter.bytes.load(Ordering::SeqCst), LEN.div_ceil(3) * 4);
    // The first 48 input bytes are 0..48; their encoding is base64's, bit for bit.
    let first: Vec<u8> = (0..48).collect();
    let expected = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &first);
    assert_eq!(&counter.head.lock().unwrap()[..64], expected.as_bytes());
    // The guest keeps one chunk in flight, whatever the stream's length.
    let grown = s.store().data().memory_bytes() - before;
    assert!(grown <= 4 << 20, "guest memory grew by {grown} bytes");
    assert!(!s.has_stream_input(), "the call took the input");
}

#[test]
fn the_host_dropping_a_stream_early_stops_the_guest_and_leaks_nothing() {
    let mut s = session();
    let mut memory = Vec::new();
    for _ in 0..200 {
        let counter = Counter {
            stop_after: Some(100_000),
            ..Counter::default()
        };
        s.set_stream_input(Some(Box::new(Pattern::new(10 << 20))));
        s.set_stream_sink(Some(Box::new(counter.clone())));
        s.eval(&Statement::Call("encode-base64()".into())).unwrap();
        let taken = counter.bytes.load(Ordering::SeqCst);
        assert!(
            (100_000..10 << 20).contains(&taken),
            "the sink stopped the stream early: {taken} bytes"
        );
        memory.push(s.store().data().memory_bytes());
    }
    // The guest's allocator settles after a few dozen cycles, a page or two higher
    // depending on how reads and writes interleave; a leak of one 64 KiB chunk per
    // drop would add 9 MiB over the last 150 cycles.
    let growth = memory[199] - memory[50];
    assert!(
        growth <= 256 << 10,
        "guest memory grew by {growth} bytes: {memory:?}"
    );
    s.set_stream_sink(None);
    assert_eq!(s.call_wave("range(0, 3)").unwrap(), "[0, 1, 2]");
    assert!(s.finish().leaked.is_empty());
}

#[test]
fn a_call_that_waits_on_itself_is_stopped_by_the_deadlock_check() {
    let mut s = session();
    match s.call_wave("stalled()") {
        Err(CallError::Trap { trap, .. }) => assert_eq!(trap.kind, TrapKind::Stalled, "{trap}"),
        other => panic!("{other:?}"),
    }
    assert!(s.is_dead());
}

/// Bytes that never come: a pipe whose writer stays silent.
struct Silent;

impl Read for Silent {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_secs(3600));
        Ok(0)
    }
}

#[test]
fn a_call_waiting_on_a_silent_input_is_stopped_by_its_timeout() {
    let limits = Limits {
        timeout: Some(Duration::from_millis(300)),
        ..Limits::default()
    };
    let mut s = session_with(limits);
    s.set_stream_input(Some(Box::new(Silent)));
    let started = std::time::Instant::now();
    match s.eval(&Statement::Call("count-bytes()".into())) {
        Err(CallError::Trap { trap, .. }) => assert_eq!(trap.kind, TrapKind::Deadline, "{trap}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A session of the async-streams guest linked for async calls.
async fn async_session(limits: Limits) -> Session {
    let prepared = common::runtime()
        .prepare(
            &common::load("async-streams"),
            &Imports::new().asynchronous(),
        )
        .unwrap();
    prepared
        .instantiate_async(&common::quiet().capabilities, limits, ())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_session_moves_streams_and_its_timeout_bounds_a_silent_input() {
    let limits = Limits {
        timeout: Some(Duration::from_millis(300)),
        ..Limits::default()
    };
    let mut s = async_session(limits).await;
    let out = s
        .eval_async(&Statement::Call("range(1, 3)".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        out.results,
        [Val::List(vec![Val::U32(1), Val::U32(2), Val::U32(3)])]
    );
    s.set_stream_input(Some(Box::new(Silent)));
    match s.eval_async(&Statement::Call("count-bytes()".into())).await {
        Err(CallError::Trap { trap, .. }) => assert_eq!(trap.kind, TrapKind::Deadline, "{trap}"),
        other => panic!("{other:?}"),
    }
}

/// Five bytes after a pause, then the end.
struct Slow {
    pause: Duration,
    sent: bool,
}

impl Read for Slow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.sent {
            return Ok(0);
        }
        std::thread::sleep(self.pause);
        self.sent = true;
        buf[..5].copy_from_slice(b"hello");
        Ok(5)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_async_session_waiting_on_a_slow_input_leaves_its_thread_to_other_tasks() {
    let mut s = async_session(Limits::default()).await;
    s.set_stream_input(Some(Box::new(Slow {
        pause: Duration::from_millis(300),
        sent: false,
    })));
    let done = std::sync::atomic::AtomicBool::new(false);
    let ticks = AtomicUsize::new(0);
    let call = async {
        let out = s.eval_async(&Statement::Call("count-bytes()".into())).await;
        done.store(true, Ordering::SeqCst);
        out
    };
    // Another task on the one thread: it ticks only while the call waits without
    // blocking the thread.
    let ticker = async {
        while !done.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
            ticks.fetch_add(1, Ordering::SeqCst);
        }
    };
    let (out, ()) = tokio::join!(call, ticker);
    assert_eq!(out.unwrap().unwrap().results, [Val::U64(5)]);
    let ticks = ticks.load(Ordering::SeqCst);
    assert!(
        ticks >= 10,
        "the other task ticked {ticks} time(s) in 300 ms"
    );
}

#[test]
fn a_sync_session_runs_a_batch_of_stream_calls_at_once() {
    let mut s = session();
    let calls = [
        Statement::Call("range(0, 3)".into()),
        Statement::Call(r#"resolve-later("x")"#.into()),
        Statement::Call(r#"join(["a", "b"], "")"#.into()),
    ];
    let outcomes = s.eval_concurrently(&calls).unwrap();
    let rendered: Vec<String> = outcomes.iter().map(|o| s.render_wave(&o.results)).collect();
    assert_eq!(rendered, ["[0, 1, 2]", r#""x""#, r#""ab""#]);
    let err = s
        .eval_concurrently(&[Statement::Drop { name: "c".into() }])
        .unwrap_err();
    assert!(matches!(err, CallError::DropInBatch(_)), "{err}");
}

#[test]
fn the_wasi_0_2_style_pipe_resource_streams_with_write_and_read() {
    // The resource-based counterpart of `encode-base64`: the host writes chunks into a
    // handle and reads the encoding out in pieces, holding neither side whole.
    let mut s = common::session("base64-pipe");
    let input: Vec<u8> = (0..1_000_003u32).map(|i| (i % 251) as u8).collect();
    s.run_script("let p = encoder()").unwrap();
    let encoder = match s.call_vals("encoder", &[]).unwrap().as_slice() {
        [Val::Resource(r)] => *r,
        other => panic!("{other:?}"),
    };
    let write = s
        .typed_export::<(weft_runtime::wasmtime::component::ResourceAny, Vec<u8>), (u64,)>(
            "encoder.write",
        )
        .unwrap();
    let read = s
        .typed_export::<(weft_runtime::wasmtime::component::ResourceAny, u32), (Vec<u8>,)>(
            "encoder.read",
        )
        .unwrap();
    let mut out = Vec::new();
    for chunk in input.chunks(64 << 10) {
        let (waiting,) = s.call_typed(&write, (encoder, chunk.to_vec())).unwrap();
        assert!(waiting <= (64 << 10) / 3 * 4 + 4, "{waiting} bytes waiting");
        loop {
            let (piece,) = s.call_typed(&read, (encoder, 10_000)).unwrap();
            if piece.is_empty() {
                break;
            }
            out.extend(piece);
        }
    }
    s.call_vals("encoder.finish", &[Val::Resource(encoder)])
        .unwrap();
    let (rest,) = s.call_typed(&read, (encoder, u32::MAX)).unwrap();
    out.extend(rest);
    assert_eq!(
        out,
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &input).into_bytes()
    );
    // The named handle `p` is dropped at the end like any other.
    assert_eq!(s.call_wave("p.read(10)").unwrap(), "[]");
    assert!(s.finish().leaked.is_empty());
}
