//! The seed's "minimise transfer" claim, measured: the same input base64-encoded by an
//! async `stream<u8>` export and by a chunked `processor` resource, MB/s side by side,
//! with native Rust doing the same work as the limit, all in one run.
//!
//! 1. **stream**: `async-streams`' `encode-base64(input: stream<u8>) -> stream<u8>`,
//!    one call. The input is a host stream (`Session::set_stream_input`) the guest reads
//!    in 64 KiB reads; the output goes to a `StreamSink` that counts it. One call
//!    crosses the boundary; the bytes move between host buffers and guest memory.
//! 2. **processor**: `transform-base64-encode`'s `processor.process(chunk) ->
//!    result<list<u8>, string>`, one typed call per 64 KiB chunk, then the empty end
//!    chunk; the outputs are counted. Both guests use the `base64` crate's `STANDARD`
//!    engine and carry a partial 3-byte group to the next chunk.
//! 3. **pipe**: `base64-pipe`'s `encoder` resource in WASI 0.2 style: `write(chunk)` of
//!    each 64 KiB chunk, then `read(n)` of everything waiting, then `finish` and a last
//!    `read`: two typed calls per chunk.
//! 4. **native**: the `base64` crate's `STANDARD` engine on the same chunks in Rust,
//!    the partial group carried the same way.
//!
//! Before timing, each variant's output length is checked against base64's. Every
//! variant runs `REPEATS` times (3), interleaved, each on a fresh instance (made
//! outside the timed part); the median MB/s of input is printed with the range, and
//! ratios against native and between the two component variants.
//!
//! Environment: `STREAM_MB` (100), `CHUNK_KIB` (64), `REPEATS` (3).
//! Run: `cargo bench -p weft-runtime --bench streams`, or `bash benches/async.sh`.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use weft_runtime::wasmtime::component::ResourceAny;
use weft_runtime::{
    Capabilities, CompileCache, Imports, Limits, Runtime, RuntimeConfig, Session, Statement,
    StreamItems, StreamSink,
};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pattern(len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    weft_test_guests::Pattern::new(len)
        .read_exact(&mut out)
        .expect("in memory");
    out
}

/// Counts what a stream delivers.
struct Count(Arc<AtomicU64>);

impl StreamSink for Count {
    fn items(&mut self, items: StreamItems<'_>) -> bool {
        if let StreamItems::Bytes(bytes) = items {
            self.0.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        true
    }
}

fn session(runtime: &Runtime, guest: &str) -> Session {
    let component = runtime
        .load_file(weft_test_guests::path(guest))
        .expect("guest loads");
    runtime
        .prepare(&component, &Imports::new())
        .expect("links")
        .instantiate_with(&Capabilities::default(), Limits::default(), ())
        .expect("instantiates")
}

/// One stream call over `input`, read from memory as the guest asks; returns the output length and the time.
fn stream_run(runtime: &Runtime, input: &Arc<[u8]>) -> (u64, Duration) {
    let mut session = session(runtime, "async-streams");
    let count = Arc::new(AtomicU64::new(0));
    session.set_stream_sink(Some(Box::new(Count(Arc::clone(&count)))));
    session.set_stream_input(Some(Box::new(std::io::Cursor::new(Arc::clone(input)))));
    let started = Instant::now();
    session
        .eval(&Statement::Call("encode-base64()".into()))
        .expect("the stream call");
    (count.load(Ordering::Relaxed), started.elapsed())
}

/// Every chunk through `processor.process`, then the end; output length and time.
fn processor_run(runtime: &Runtime, input: &[u8], chunk: usize) -> (u64, Duration) {
    let mut session = session(runtime, "transform-base64-encode");
    let constructor = session
        .typed_export::<(&str,), (ResourceAny,)>(
            "example:pipeline/transform#[constructor]processor",
        )
        .expect("constructor");
    let (processor,) = session.call_typed(&constructor, ("",)).expect("processor");
    let process = session
        .typed_export::<(ResourceAny, Vec<u8>), (Result<Vec<u8>, String>,)>(
            "example:pipeline/transform#[method]processor.process",
        )
        .expect("process");
    let started = Instant::now();
    let mut out = 0u64;
    for piece in input.chunks(chunk).chain(std::iter::once(&[][..])) {
        let (result,) = session
            .call_typed(&process, (processor, piece.to_vec()))
            .expect("process");
        out += result.expect("encodes").len() as u64;
    }
    (out, started.elapsed())
}

/// Every chunk written into the `encoder` resource and the encoding read back out.
fn pipe_run(runtime: &Runtime, input: &[u8], chunk: usize) -> (u64, Duration) {
    let mut session = session(runtime, "base64-pipe");
    let constructor = session
        .typed_export::<(), (ResourceAny,)>("encoder")
        .expect("constructor");
    let (encoder,) = session.call_typed(&constructor, ()).expect("encoder");
    let write = session
        .typed_export::<(ResourceAny, Vec<u8>), (u64,)>("encoder.write")
        .expect("write");
    let read = session
        .typed_export::<(ResourceAny, u32), (Vec<u8>,)>("encoder.read")
        .expect("read");
    let finish = session
        .typed_export::<(ResourceAny,), ()>("encoder.finish")
        .expect("finish");
    let started = Instant::now();
    let mut out = 0u64;
    for piece in input.chunks(chunk) {
        session
            .call_typed(&write, (encoder, piece.to_vec()))
            .expect("write");
        let (encoded,) = session
            .call_typed(&read, (encoder, u32::MAX))
            .expect("read");
        out += encoded.len() as u64;
    }
    session.call_typed(&finish, (encoder,)).expect("finish");
    let (last,) = session
        .call_typed(&read, (encoder, u32::MAX))
        .expect("read");
    out += last.len() as u64;
    (out, started.elapsed())
}

/// base64 in Rust on the same chunks, the partial group carried.
fn native_run(input: &[u8], chunk: usize) -> (u64, Duration) {
    let started = Instant::now();
    let mut pending = Vec::with_capacity(chunk + 2);
    let mut out = 0u64;
    let mut encoded = Vec::new();
    for piece in input.chunks(chunk) {
        pending.extend_from_slice(piece);
        let whole = pending.len() / 3 * 3;
        encoded.resize(whole / 3 * 4, 0);
        let n = STANDARD
            .encode_slice(&pending[..whole], &mut encoded)
            .expect("sized");
        out += std::hint::black_box(&encoded[..n]).len() as u64;
        pending.drain(..whole);
    }
    out += STANDARD.encode(&pending).len() as u64;
    (out, started.elapsed())
}

fn mbps(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

fn median(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

fn main() {
    let len = env_or("STREAM_MB", 100usize) << 20;
    let chunk = env_or("CHUNK_KIB", 64usize) << 10;
    let repeats = env_or("REPEATS", 3usize).max(1);
    let dir = std::env::temp_dir().join(format!("weft-streams-bench-{}", std::process::id()));
    let runtime = Runtime::new(RuntimeConfig {
        cache: Some(CompileCache::new(dir.clone())),
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let input: Arc<[u8]> = pattern(len).into();
    let expected = STANDARD.encode(&input[..]).len() as u64;
    assert_eq!(stream_run(&runtime, &input).0, expected, "stream output");
    assert_eq!(
        processor_run(&runtime, &input, chunk).0,
        expected,
        "processor output"
    );
    assert_eq!(pipe_run(&runtime, &input, chunk).0, expected, "pipe output");
    assert_eq!(native_run(&input, chunk).0, expected, "native output");

    let (mut stream, mut processor, mut pipe, mut native) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..repeats {
        stream.push(mbps(len, stream_run(&runtime, &input).1));
        processor.push(mbps(len, processor_run(&runtime, &input, chunk).1));
        pipe.push(mbps(len, pipe_run(&runtime, &input, chunk).1));
        native.push(mbps(len, native_run(&input, chunk).1));
    }
    let (stream, processor, pipe, native) = (
        median(stream),
        median(processor),
        median(pipe),
        median(native),
    );
    println!(
        "base64-encode of {} MB, {} KiB chunks, median of {repeats} (range):",
        len >> 20,
        chunk >> 10
    );
    for (name, (m, lo, hi)) in [
        ("async stream<u8> export", stream),
        ("chunked processor resource", processor),
        ("write/read pipe resource", pipe),
        ("native Rust", native),
    ] {
        println!("  {name:<28} {m:>8.1} MB/s  ({lo:.1} .. {hi:.1})");
    }
    println!(
        "  stream / processor: {:.2}x   stream / pipe: {:.2}x   stream / native: {:.2}x   processor / native: {:.2}x",
        stream.0 / processor.0,
        stream.0 / pipe.0,
        stream.0 / native.0,
        processor.0 / native.0
    );
    let _ = std::fs::remove_dir_all(dir);
}
