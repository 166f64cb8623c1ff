//! weft never panics over its own output: a stderr that cannot be written (`2>/dev/full`)
//! or a stdout whose reader went away still ends with weft's own exit status.

use std::process::{Command, Stdio};

#[test]
fn an_unwritable_stderr_keeps_the_exit_status() {
    // The error printer, and (with `-v`) log messages, both write to stderr.
    for verbose in [None, Some("-v")] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full exists on Linux");
        let status = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(verbose)
            .args([
                "call",
                "--no-cache",
                weft_test_guests::GREETER,
                "no-such-export()",
            ])
            .stdout(Stdio::null())
            .stderr(full)
            .status()
            .expect("run weft");
        // 1 is weft's status for a failure it reports; a panic would be 101.
        assert_eq!(status.code(), Some(1), "with {verbose:?}");
    }
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["call", weft_test_guests::GREETER, "--list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run weft");
    // Close the reading end before weft writes.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}
