//! Pipelines of the transform guests through the real runtime: round trips against
//! flate2 and base64 on inputs from 0 bytes to megabytes, grep across chunk boundaries,
//! failing and hostile stages, several inputs on one pipeline, and a JavaScript stage in
//! the middle of a Rust chain.

use std::io::Read as _;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use weft_pipeline::{Pipeline, PipelineError, StageSpec};
use weft_runtime::{CompileCache, Runtime, RuntimeConfig};

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("weft-pipeline-tests-{}", std::process::id()));
        Runtime::new(RuntimeConfig {
            cache: Some(CompileCache::new(dir)),
            fuel: true,
            ..RuntimeConfig::default()
        })
        .expect("runtime")
    })
}

fn stage(guest: &str, config: &str) -> StageSpec {
    StageSpec::new(weft_test_guests::path(guest).into(), config.to_string())
}

fn pipeline(stages: &[StageSpec], chunk_size: usize) -> Pipeline {
    Pipeline::new(runtime(), stages, chunk_size).unwrap_or_else(|e| panic!("{e}"))
}

fn run(pipeline: &mut Pipeline, input: &[u8]) -> Result<Vec<u8>, PipelineError> {
    let mut out = Vec::new();
    pipeline.run(input, &mut out)?;
    Ok(out)
}

/// Text with some structure: lines of words and numbers.
fn text(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(
            format!("line {i}: the quick brown fox {}\n", i * 7919 % 1000).as_bytes(),
        );
        i += 1;
    }
    out.truncate(len);
    out
}

fn gzip_native(input: &[u8], level: u32) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(input).unwrap();
    encoder.finish().unwrap()
}

fn gunzip_native(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(input)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn gzip_then_base64_round_trips_at_every_size() {
    let mut encode = pipeline(
        &[
            stage("transform-gzip", ""),
            stage("transform-base64-encode", ""),
        ],
        64 << 10,
    );
    let mut decode = pipeline(
        &[
            stage("transform-base64-decode", ""),
            stage("transform-gunzip", ""),
        ],
        64 << 10,
    );
    for len in [0, 1, 100, 65_535, 65_536, 65_537, 1 << 20, 5 << 20] {
        let input = text(len);
        let encoded = run(&mut encode, &input).unwrap();
        // What flate2 and base64 make of the same input decodes the same, and ours
        // decodes with them.
        let compressed = STANDARD.decode(&encoded).unwrap();
        assert_eq!(gunzip_native(&compressed), input, "{len} bytes");
        let decoded = run(&mut decode, &encoded).unwrap();
        assert_eq!(decoded.len(), input.len(), "{len} bytes");
        assert!(decoded == input, "{len} bytes: round trip differs");
        let native = STANDARD.encode(gzip_native(&input, 6));
        assert_eq!(run(&mut decode, native.as_bytes()).unwrap(), input);
    }
}

#[test]
fn a_hundred_megabytes_round_trip() {
    let input = text(100 << 20);
    let mut encode = pipeline(&[stage("transform-gzip", "1")], 1 << 20);
    let mut decode = pipeline(&[stage("transform-gunzip", "")], 1 << 20);
    let compressed = run(&mut encode, &input).unwrap();
    assert_eq!(gunzip_native(&compressed).len(), input.len());
    let decoded = run(&mut decode, &compressed).unwrap();
    assert!(decoded == input, "100 MB round trip differs");
}

#[test]
fn grep_finds_matches_across_chunk_boundaries() {
    let input = text(200_000);
    let expected: Vec<u8> = input
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| line.windows(3).any(|w| w == b"777"))
        .flatten()
        .copied()
        .collect();
    assert!(!expected.is_empty());
    // 7-byte chunks cut nearly every line, and the pattern itself, in pieces.
    let mut grep = pipeline(&[stage("transform-grep", "777")], 7);
    assert_eq!(run(&mut grep, &input).unwrap(), expected);
    let stats = {
        let mut out = Vec::new();
        grep.run(&input[..], &mut out).unwrap()
    };
    assert_eq!(stats.bytes_in, input.len() as u64);
    assert_eq!(stats.stages[0].calls, input.len().div_ceil(7) as u64 + 1);
}

#[test]
fn a_failing_stage_in_the_middle_is_named_with_its_offset() {
    let mut broken = pipeline(
        &[
            stage("transform-base64-encode", ""),
            stage("transform-gunzip", ""),
            stage("transform-base64-encode", ""),
        ],
        1024,
    );
    let error = run(&mut broken, &text(10_000)).unwrap_err();
    let PipelineError::Failed {
        index,
        offset,
        ref message,
        ..
    } = error
    else {
        panic!("{error}")
    };
    assert_eq!((index, offset), (2, 0), "{error}");
    assert!(message.contains("transform returned an error"), "{message}");
    assert!(error.to_string().starts_with("stage 2 (`"), "{error}");
    // The pipeline can run again: the stages are reset.
    assert!(run(&mut broken, b"").is_ok());
}

#[test]
fn a_hostile_stage_is_stopped_by_its_limits_and_named() {
    let cases = [
        ("spin", "deadline of 100ms"),
        ("hoard", "memory"),
        ("trap", "the guest aborted"),
        ("err", "hostile transform refused the chunk"),
    ];
    for (mode, expected) in cases {
        let mut hostile = stage("hostile-transform", mode);
        hostile.limits.timeout = Some(std::time::Duration::from_millis(100));
        hostile.limits.max_memory = 32 << 20;
        let mut chain = pipeline(&[stage("transform-base64-encode", ""), hostile], 4096);
        let error = run(&mut chain, &text(10_000)).unwrap_err().to_string();
        assert!(error.starts_with("stage 2 (`"), "{mode}: {error}");
        assert!(error.contains(expected), "{mode}: {error}");
        // The same pipeline runs again, on fresh instances where one died.
        let error = run(&mut chain, &text(10)).unwrap_err().to_string();
        assert!(error.contains(expected), "{mode}, second run: {error}");
    }
}

#[test]
fn a_component_that_is_not_a_transform_is_refused_with_the_world_diff() {
    let error = Pipeline::new(
        runtime(),
        &[stage("transform-gzip", ""), stage("greeter", "")],
        1024,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(error.starts_with("stage 2 (`"), "{error}");
    assert!(
        error.contains("the world requires export `example:pipeline/transform@1.0.0`"),
        "{error}"
    );
}

#[test]
fn several_inputs_reuse_the_instances() {
    let mut gzip = pipeline(&[stage("transform-gzip", "")], 4096);
    for input in [text(10), text(100_000), Vec::new(), text(5000)] {
        let out = run(&mut gzip, &input).unwrap();
        assert_eq!(gunzip_native(&out), input);
    }
}

#[test]
fn a_javascript_stage_in_the_middle_of_a_rust_chain() {
    let rot13 = StageSpec::new(weft_test_guests::js_path("rot13"), String::new());
    let mut chain = pipeline(
        &[
            stage("transform-grep", "fox"),
            rot13,
            stage("transform-gzip", ""),
        ],
        1000,
    );
    let input = text(50_000);
    let out = gunzip_native(&run(&mut chain, &input).unwrap());
    let expected: Vec<u8> = input
        .iter()
        .map(|&b| match b {
            b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
            b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
            other => other,
        })
        .collect();
    assert_eq!(
        out, expected,
        "every line has `fox`, so grep keeps them all"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_streams_go_through_the_same_pipeline() {
    let input = text(300_000);
    let gzip = pipeline(
        &[
            stage("transform-gzip", ""),
            stage("transform-base64-encode", ""),
        ],
        4096,
    );
    let mut out = Vec::new();
    let (gzip, stats) = gzip.run_async(&input[..], &mut out).await;
    assert_eq!(stats.unwrap().bytes_in, input.len() as u64);
    assert_eq!(gunzip_native(&STANDARD.decode(&out).unwrap()), input);
    // The pipeline comes back and runs again; a failure is reported as from `run`.
    let mut again = Vec::new();
    let (_, second) = gzip.run_async(&b"abc"[..], &mut again).await;
    assert_eq!(second.unwrap().bytes_in, 3);
    let gunzip = pipeline(&[stage("transform-gunzip", "")], 4096);
    let (_, failed) = gunzip.run_async(&input[..], tokio::io::sink()).await;
    let error = failed.unwrap_err().to_string();
    assert!(
        error.starts_with("stage 1 (`") && error.contains("at byte 0"),
        "{error}"
    );
}

#[test]
fn a_stream_transform_is_a_stage_beside_the_chunked_processors() {
    // gzip (a processor) -> base64 (an async stream<u8> transform) -> base64 decode
    // (a processor) -> gunzip (a processor): the input comes back, on several inputs
    // through one pipeline.
    let mut p = pipeline(
        &[
            stage("transform-gzip", "6"),
            stage("async-streams", ""),
            stage("transform-base64-decode", ""),
            stage("transform-gunzip", ""),
        ],
        16 << 10,
    );
    for len in [0, 1, 2, 3, 100_000, 1 << 20] {
        let input = text(len);
        let out = run(&mut p, &input).unwrap();
        assert_eq!(out, input, "{len} bytes");
    }
    // Alone, its output is base64's.
    let mut alone = pipeline(&[stage("async-streams", "")], 1000);
    let input = text(70_001);
    let stats = {
        let mut out = Vec::new();
        let stats = alone.run(&input[..], &mut out).unwrap();
        assert_eq!(out, STANDARD.encode(&input).into_bytes());
        stats
    };
    assert_eq!(stats.stages[0].bytes_in, 70_001);
    assert_eq!(
        stats.stages[0].bytes_out,
        STANDARD.encode(&input).len() as u64
    );
}

#[test]
fn a_stream_transform_takes_no_config_and_a_component_with_none_is_refused() {
    let err = Pipeline::new(runtime(), &[stage("async-streams", "url-safe")], 1000)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("stream transform, which takes no config"),
        "{err}"
    );
    // No processor and no stream transform: the fit report stands.
    let err = Pipeline::new(runtime(), &[stage("async-exports", "")], 1000)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("does not fit world"), "{err}");
}
