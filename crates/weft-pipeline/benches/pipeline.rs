//! The throughput of a `weft_pipeline::Pipeline`, against native Rust doing the same
//! work and against the same components driven one stage at a time, measured in the
//! same run:
//!
//! 1. gzip then base64-encode, MB/s of input: `Pipeline::run` on the `transform-gzip`
//!    (config: the level, [`GZIP_LEVEL`] by default, the guest's own default) and
//!    `transform-base64-encode` (config empty: the standard padded alphabet) guests,
//!    against native Rust on one thread doing the same work the same way: each chunk
//!    written into a flate2 `GzEncoder` at the same level (flate2 1.1 on miniz_oxide,
//!    the guest's flate2 and backend), what it produced encoded with base64's
//!    `STANDARD` engine (bytes that do not fill a 3-byte group carried to the next
//!    chunk, as the guest does), the encoding written out; at the end the encoder's
//!    trailer and the carried bytes (target: weft makes at least 0.5x native's MB/s).
//!    The input is text made in memory (lines of words and numbers), read in chunks of
//!    `CHUNK_KIB` (64 KiB); every output goes to `std::io::sink()`. Before timing, the
//!    weft output is checked once to decode (base64, then gunzip) to the input, and
//!    compared with native's and the one-thread driver's bytes.
//! 2. Stage-parallel against one stage at a time: the same two components, each chunk
//!    through stage 1 then stage 2 on one thread, driven on weft-runtime's host core
//!    (`Runtime::load_file`, `prepare`, `instantiate_with`, the typed `processor`
//!    constructor and `process` method) by the pipeline protocol: an empty output is not
//!    forwarded, and at the end the empty end-of-input chunk goes through stage 1, what
//!    it returns through stage 2, then the end through stage 2 (target: the pipeline
//!    makes at least 1.6x the one-thread MB/s, on 2 cores). The one-thread run times
//!    each stage's calls, so it also prints the most stage parallelism can give on
//!    these two stages (the sum of the stages' times over the largest), and the
//!    pipeline's per-stage busy time from `RunStats`. Two more lines for reading the
//!    ratio: the same comparison on two stages of equal cost (`transform-grep` with the
//!    pattern `fox`, twice: every line matches, so both stages filter the whole input),
//!    and the native gzip + base64 work on 2 threads at once (each its own copy of the
//!    stream) against 1, how far 2 threads scale on this machine at best.
//!
//! Every variant runs `REPEATS` times (3 by default), interleaved, after one untimed
//! checking run; the pipeline and the directly driven instances are each made once and
//! their processors reset before every run (outside the timed part for the latter,
//! inside `Pipeline::run` for the former). The median is printed with the range.
//!
//! Environment: `PIPELINE_MB` (64) input size, `CHUNK_KIB` (64), `GZIP_LEVEL` (6),
//! `REPEATS` (3).
//!
//! Run: `cargo bench -p weft-pipeline --bench pipeline`, or `bash benches/pipeline.sh`,
//! which also measures the peak RSS of the `weft pipeline` command.

use std::io::{Read as _, Write};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use weft_pipeline::{Pipeline, RunStats, StageSpec};
use weft_runtime::wasmtime::component::ResourceAny;
use weft_runtime::{
    Capabilities, CompileCache, Imports, Limits, Runtime, RuntimeConfig, Session, TypedExport,
};

/// The guest's own default level (`flate2::Compression::default()`).
const GZIP_LEVEL: u32 = 6;

/// `process`'s parameters and results.
type Process = TypedExport<(ResourceAny, Vec<u8>), (Result<Vec<u8>, String>,)>;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Text with some structure: lines of words and numbers (as in the tests).
fn text(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut i = 0u64;
    while out.len() < len {
        writeln!(out, "line {i}: the quick brown fox {}", i * 7919 % 1000).expect("a Vec");
        i += 1;
    }
    out.truncate(len);
    out
}

/// gzip then base64 in native Rust, a chunk at a time, on the calling thread.
fn native(input: &[u8], chunk_size: usize, level: u32, mut out: impl Write) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    let mut pending: Vec<u8> = Vec::with_capacity(3);
    let mut encoded = Vec::new();
    let mut written = 0u64;
    let mut emit = |compressed: &mut Vec<u8>, last: bool, out: &mut dyn Write| {
        let mut bytes = &compressed[..];
        encoded.clear();
        if !pending.is_empty() {
            let take = (3 - pending.len()).min(bytes.len());
            pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if pending.len() == 3 || last {
                encode_into(&pending, &mut encoded);
                pending.clear();
            }
        }
        let whole = if last {
            bytes.len()
        } else {
            bytes.len() / 3 * 3
        };
        encode_into(&bytes[..whole], &mut encoded);
        pending.extend_from_slice(&bytes[whole..]);
        compressed.clear();
        out.write_all(&encoded).expect("write");
        written += encoded.len() as u64;
    };
    for chunk in input.chunks(chunk_size) {
        encoder.write_all(chunk).expect("gzip");
        emit(encoder.get_mut(), false, &mut out);
    }
    encoder.try_finish().expect("gzip");
    emit(encoder.get_mut(), true, &mut out);
    out.flush().expect("flush");
    written
}

/// Appends the base64 of `bytes` to `out`.
fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let n = STANDARD
        .encode_slice(bytes, &mut out[start..])
        .expect("sized for the encoding");
    out.truncate(start + n);
}

/// One component driven directly on the host core: its session, its processor.
struct Direct {
    session: Session,
    processor: ResourceAny,
    process: Process,
    reset: TypedExport<(ResourceAny,), ()>,
    busy: Duration,
}

impl Direct {
    fn new(runtime: &Runtime, path: &str, config: &str) -> Direct {
        let component = runtime.load_file(path).expect("load");
        let prepared = runtime
            .prepare(&component, &Imports::new())
            .expect("prepare");
        let mut session = prepared
            .instantiate_with(&Capabilities::default(), Limits::default(), ())
            .expect("instantiate");
        let constructor = session
            .typed_export::<(&str,), (ResourceAny,)>(
                "example:pipeline/transform#[constructor]processor",
            )
            .expect("constructor");
        let (processor,) = session
            .call_typed(&constructor, (config,))
            .expect("processor");
        let process = session
            .typed_export("example:pipeline/transform#[method]processor.process")
            .expect("process");
        let reset = session
            .typed_export("example:pipeline/transform#[method]processor.reset")
            .expect("reset");
        Direct {
            session,
            processor,
            process,
            reset,
            busy: Duration::ZERO,
        }
    }

    /// A new stream, as `Pipeline::run` starts each one.
    fn reset(&mut self) {
        self.session
            .call_typed(&self.reset, (self.processor,))
            .expect("reset");
        self.busy = Duration::ZERO;
    }

    fn process(&mut self, chunk: Vec<u8>) -> Vec<u8> {
        let started = Instant::now();
        let (result,) = self
            .session
            .call_typed(&self.process, (self.processor, chunk))
            .expect("process call");
        self.busy += started.elapsed();
        result.expect("the transform accepts the chunk")
    }
}

/// `data` through stages `i..` and out; an empty output goes no further.
fn push(stages: &mut [Direct], i: usize, data: Vec<u8>, out: &mut dyn Write, written: &mut u64) {
    if i == stages.len() {
        out.write_all(&data).expect("write");
        *written += data.len() as u64;
        return;
    }
    let output = stages[i].process(data);
    if !output.is_empty() {
        push(stages, i + 1, output, out, written);
    }
}

/// Every chunk through every stage in turn on this thread, then the end of input
/// through each stage in order (what it flushes going through the stages after it).
fn one_thread(stages: &mut [Direct], input: &[u8], chunk_size: usize, out: &mut dyn Write) -> u64 {
    let mut written = 0;
    for chunk in input.chunks(chunk_size) {
        push(stages, 0, chunk.to_vec(), out, &mut written);
    }
    for i in 0..stages.len() {
        let flushed = stages[i].process(Vec::new());
        if !flushed.is_empty() {
            push(stages, i + 1, flushed, out, &mut written);
        }
    }
    out.flush().expect("flush");
    written
}

/// The median and the range of `samples` (MB/s).
struct Figure {
    median: f64,
    min: f64,
    max: f64,
}

impl Figure {
    fn of(mut samples: Vec<f64>) -> Figure {
        samples.sort_by(f64::total_cmp);
        Figure {
            median: samples[samples.len() / 2],
            min: samples[0],
            max: samples[samples.len() - 1],
        }
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:7.1} MB/s (range {:.1}-{:.1})",
            self.median, self.min, self.max
        )
    }
}

fn mb_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64()
}

/// A two-stage chain, as a pipeline and as instances driven directly, each made once
/// and reset before every run.
struct Chain {
    pipeline: Pipeline,
    direct: Vec<Direct>,
    chunk_size: usize,
}

impl Chain {
    fn new(runtime: &Runtime, stages: [(&str, String); 2], chunk_size: usize) -> Chain {
        let specs: Vec<StageSpec> = stages
            .iter()
            .map(|(guest, config)| {
                StageSpec::new(weft_test_guests::path(guest).into(), config.clone())
            })
            .collect();
        let pipeline = Pipeline::new(runtime, &specs, chunk_size).unwrap_or_else(|e| panic!("{e}"));
        let direct = stages
            .iter()
            .map(|(guest, config)| Direct::new(runtime, weft_test_guests::path(guest), config))
            .collect();
        Chain {
            pipeline,
            direct,
            chunk_size,
        }
    }

    /// One `Pipeline::run` (which resets the processors first).
    fn parallel(&mut self, input: &[u8], out: impl Write) -> RunStats {
        self.pipeline
            .run(input, out)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// One run on the calling thread; returns the time and each stage's time in calls.
    fn one_thread(&mut self, input: &[u8], out: &mut dyn Write) -> (Duration, Vec<Duration>) {
        for stage in &mut self.direct {
            stage.reset();
        }
        let started = Instant::now();
        one_thread(&mut self.direct, input, self.chunk_size, out);
        let elapsed = started.elapsed();
        (elapsed, self.direct.iter().map(|s| s.busy).collect())
    }
}

fn busy_line(stats: &RunStats) -> String {
    let stages: Vec<String> = stats
        .stages
        .iter()
        .map(|s| format!("{} {:.2}s", s.name, s.busy.as_secs_f64()))
        .collect();
    format!(
        "{:.2}s wall, busy {}",
        stats.elapsed.as_secs_f64(),
        stages.join(", ")
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let mb: usize = env_or("PIPELINE_MB", 64);
    let chunk_size: usize = env_or::<usize>("CHUNK_KIB", 64) << 10;
    let level: u32 = env_or("GZIP_LEVEL", GZIP_LEVEL);
    let repeats: usize = env_or::<usize>("REPEATS", 3).max(1);
    let cache = tempfile::tempdir().expect("temp dir");
    let runtime = Runtime::new(RuntimeConfig {
        cache: Some(CompileCache::new(cache.path())),
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let input = text(mb << 20);
    println!(
        "input: {:.1} MB of text, chunks of {} KiB, gzip level {level}, {repeats} runs per figure (median, range)",
        input.len() as f64 / 1e6,
        chunk_size >> 10
    );

    let mut gzip_b64 = Chain::new(
        &runtime,
        [
            ("transform-gzip", level.to_string()),
            ("transform-base64-encode", String::new()),
        ],
        chunk_size,
    );
    // Checked once: weft's output decodes to the input, and is what the other two make.
    let mut weft_out = Vec::new();
    gzip_b64.parallel(&input, &mut weft_out);
    let compressed = STANDARD.decode(&weft_out).expect("the output is base64");
    let mut decoded = Vec::with_capacity(input.len());
    flate2::read::MultiGzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .expect("the output is gzip");
    assert!(
        decoded == input,
        "the weft output does not decode to the input"
    );
    drop(decoded);
    let mut native_out = Vec::new();
    native(&input, chunk_size, level, &mut native_out);
    let mut one_out = Vec::new();
    gzip_b64.one_thread(&input, &mut one_out);
    assert!(
        one_out == weft_out,
        "the one-thread driver's output differs"
    );
    println!(
        "checked: the weft output ({} bytes, {} of gzip) decodes to the input; native output {} bytes, {}",
        weft_out.len(),
        compressed.len(),
        native_out.len(),
        if native_out == weft_out {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    drop((weft_out, native_out, one_out, compressed));

    let mut native_rates = Vec::new();
    let mut parallel_rates = Vec::new();
    let mut one_rates = Vec::new();
    let mut last_stats = None;
    let mut one_busy = [Duration::ZERO; 2];
    let mut one_elapsed = Duration::ZERO;
    for _ in 0..repeats {
        let started = Instant::now();
        native(&input, chunk_size, level, std::io::sink());
        native_rates.push(mb_per_s(input.len(), started.elapsed()));
        let stats = gzip_b64.parallel(&input, std::io::sink());
        parallel_rates.push(mb_per_s(input.len(), stats.elapsed));
        last_stats = Some(stats);
        let (elapsed, busy) = gzip_b64.one_thread(&input, &mut std::io::sink());
        one_rates.push(mb_per_s(input.len(), elapsed));
        one_elapsed += elapsed;
        for (sum, b) in one_busy.iter_mut().zip(busy) {
            *sum += b;
        }
    }
    let native_fig = Figure::of(native_rates);
    let parallel_fig = Figure::of(parallel_rates);
    let one_fig = Figure::of(one_rates);
    println!();
    println!("1. gzip -> base64-encode, MB/s of input");
    println!("  native (flate2 + base64, 1 thread)  {native_fig}");
    println!("  weft Pipeline::run                  {parallel_fig}");
    println!(
        "  weft / native: {:.2}x (target >= 0.5x)",
        parallel_fig.median / native_fig.median
    );
    println!();
    println!("2. stage-parallel vs one stage at a time on one thread");
    println!("  one thread (host core, typed calls) {one_fig}");
    println!("  stage-parallel (Pipeline::run)      {parallel_fig}");
    println!(
        "  parallel / one thread: {:.2}x (target >= 1.6x on 2 cores)",
        parallel_fig.median / one_fig.median
    );
    let max_busy = one_busy.iter().max().copied().unwrap_or_default();
    let sum_busy: Duration = one_busy.iter().sum();
    println!(
        "  one thread, time in calls over all runs: gzip {:.2}s, base64-encode {:.2}s, of {:.2}s; at best stage-parallel gives sum/max = {:.2}x",
        one_busy[0].as_secs_f64(),
        one_busy[1].as_secs_f64(),
        one_elapsed.as_secs_f64(),
        sum_busy.as_secs_f64() / max_busy.as_secs_f64()
    );
    if let Some(stats) = &last_stats {
        println!("  last pipeline run: {}", busy_line(stats));
    }

    // Two stages of equal cost: how far the pipeline itself scales.
    let mut balanced = Chain::new(
        &runtime,
        [
            ("transform-grep", "fox".to_string()),
            ("transform-grep", "fox".to_string()),
        ],
        chunk_size,
    );
    // Every whole line has `fox`; only the cut last line may not.
    let kept: usize = input
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| line.windows(3).any(|w| w == b"fox"))
        .map(<[u8]>::len)
        .sum();
    assert!(kept + 64 > input.len(), "grep keeps nearly every line");
    let mut check = Vec::new();
    balanced.parallel(&input, &mut check);
    assert!(
        check[..] == input[..kept],
        "grep keeps the lines with `fox`"
    );
    check.clear();
    balanced.one_thread(&input, &mut check);
    assert!(
        check[..] == input[..kept],
        "the one-thread driver's output differs"
    );
    drop(check);
    let mut balanced_parallel = Vec::new();
    let mut balanced_one = Vec::new();
    let mut balanced_busy = [Duration::ZERO; 2];
    let mut balanced_stats = None;
    for _ in 0..repeats {
        let stats = balanced.parallel(&input, std::io::sink());
        balanced_parallel.push(mb_per_s(input.len(), stats.elapsed));
        balanced_stats = Some(stats);
        let (elapsed, busy) = balanced.one_thread(&input, &mut std::io::sink());
        balanced_one.push(mb_per_s(input.len(), elapsed));
        for (sum, b) in balanced_busy.iter_mut().zip(busy) {
            *sum += b;
        }
    }
    let bp = Figure::of(balanced_parallel);
    let bo = Figure::of(balanced_one);
    let max_busy = balanced_busy.iter().max().copied().unwrap_or_default();
    let sum_busy: Duration = balanced_busy.iter().sum();
    println!(
        "  equal stages, grep fox -> grep fox: one thread {bo}, stage-parallel {bp}: {:.2}x (sum/max {:.2}x)",
        bp.median / bo.median,
        sum_busy.as_secs_f64() / max_busy.as_secs_f64()
    );
    if let Some(stats) = &balanced_stats {
        println!("    last pipeline run: {}", busy_line(stats));
    }

    // The machine's limit: the native work as 2 independent streams at once, on a
    // quarter of the input to keep it cheap.
    let part = &input[..input.len() / 4];
    let mut ones = Vec::new();
    let mut twos = Vec::new();
    for _ in 0..repeats {
        let started = Instant::now();
        native(part, chunk_size, level, std::io::sink());
        ones.push(mb_per_s(part.len(), started.elapsed()));
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| native(part, chunk_size, level, std::io::sink()));
            }
        });
        twos.push(mb_per_s(2 * part.len(), started.elapsed()));
    }
    let (one, two) = (Figure::of(ones), Figure::of(twos));
    println!(
        "  native gzip + base64, 2 streams on 2 threads vs 1 ({:.0} MB each): {:.1} vs {:.1} MB/s = {:.2}x (this machine's limit for 2 threads)",
        part.len() as f64 / 1e6,
        two.median,
        one.median,
        two.median / one.median
    );
}
