//! `weft pipeline` through the real binary: stdin to stdout, files, directories of
//! inputs, a failing stage that leaves no output, and `--stats --json`.

mod common;

use std::path::Path;
use std::process::Output;

fn guest(name: &str) -> &'static str {
    weft_test_guests::path(name)
}

fn weft(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let cache = std::env::temp_dir().join(format!("weft-cli-pipeline-{}", std::process::id()));
    let args: Vec<&str> = std::iter::once("pipeline")
        .chain(args.iter().copied())
        .collect();
    common::weft_with_stdin(dir, &cache, &args, stdin)
}

fn lines(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| format!("line {i} of the input\n").into_bytes())
        .collect()
}

#[test]
fn gzip_and_base64_round_trip_through_stdin_and_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let input = lines(20_000);
    let encoded = weft(
        dir.path(),
        &[guest("transform-gzip"), guest("transform-base64-encode")],
        &input,
    );
    assert!(
        encoded.status.success(),
        "{}",
        String::from_utf8_lossy(&encoded.stderr)
    );
    assert!(encoded.stdout.iter().all(|b| b.is_ascii()), "base64 text");
    let decoded = weft(
        dir.path(),
        &[guest("transform-base64-decode"), guest("transform-gunzip")],
        &encoded.stdout,
    );
    assert!(
        decoded.status.success(),
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
    assert!(
        decoded.stdout == input,
        "the round trip gives back the input"
    );
}

#[test]
fn a_failed_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), lines(100)).unwrap();
    let out = weft(
        dir.path(),
        &[guest("transform-gunzip"), "-i", "in.txt", "-o", "out.gz"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stage 1 (`"), "{stderr}");
    assert!(
        stderr.contains("failed on the input chunk at byte 0"),
        "{stderr}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["in.txt"], "no output and no temporary file is left");
    // With --keep-partial the output is written in place.
    let out = weft(
        dir.path(),
        &[
            guest("transform-gunzip"),
            "-i",
            "in.txt",
            "-o",
            "out.gz",
            "--keep-partial",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.path().join("out.gz").exists());
}

#[test]
fn a_directory_of_inputs_becomes_a_directory_of_outputs_with_json_stats() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    for (name, n) in [("a.log", 10), ("b.log", 3000), ("c.log", 0)] {
        std::fs::write(dir.path().join("in").join(name), lines(n)).unwrap();
    }
    let grep = format!("{}=line 1", guest("transform-grep"));
    let out = weft(
        dir.path(),
        &[&grep, "-i", "in", "-o", "out", "--stats", "--json"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, n) in [("a.log", 10), ("b.log", 3000), ("c.log", 0)] {
        let expected: Vec<u8> = String::from_utf8(lines(n))
            .unwrap()
            .lines()
            .filter(|l| l.contains("line 1"))
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect();
        assert_eq!(
            std::fs::read(dir.path().join("out").join(name)).unwrap(),
            expected,
            "{name}"
        );
    }
    let stats: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(stats["inputs"], 3);
    assert_eq!(stats["stages"][0]["name"], "transform_grep");
    assert_eq!(stats["bottleneck"], "transform_grep");
}
