//! `weft call --stream-in FILE --stream`: 100 MB through an async `stream<u8>` transform,
//! written to stdout as it arrives, with weft's own memory flat; and a reader that goes
//! away early ends the stream without an error.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use base64::Engine as _;

/// weft's peak resident memory so far, in KiB (`VmHWM`), while it runs.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_hundred_megabytes_stream_from_a_file_to_stdout_in_constant_memory() {
    const LEN: usize = 100 << 20;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.bin");
    let mut data = Vec::with_capacity(LEN);
    let mut x: u32 = 1;
    while data.len() < LEN {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::File::create(&input)
        .unwrap()
        .write_all(&data)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args([
            "call",
            weft_test_guests::ASYNC_STREAMS,
            "--stream",
            "--stream-in",
        ])
        .arg(&input)
        .arg("encode-base64()")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let expected = base64::engine::general_purpose::STANDARD.encode(&data);
    let mut offset = 0;
    let mut chunk = vec![0; 1 << 20];
    let mut peak = 0;
    loop {
        let n = stdout.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        assert_eq!(
            &chunk[..n],
            &expected.as_bytes()[offset..offset + n],
            "output differs at byte {offset}"
        );
        offset += n;
        peak = peak.max(peak_rss_kib(child.id()).unwrap_or(0));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(offset, expected.len());
    // Holding the input or the output would take 100 MB and 133 MB.
    assert!(
        peak > 0 && peak < 96 << 10,
        "weft's peak RSS was {peak} KiB"
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_stream_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["call", weft_test_guests::ASYNC_STREAMS, "--stream"])
        .arg("range(0, 4000000000)")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0; 16];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"0\n1\n2\n"), "{first:?}");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stderr.is_empty(), "{stderr}");
}
