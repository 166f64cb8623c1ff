//! Runs the example program on the real guests and checks what it reports.

use std::process::Command;

#[test]
fn embeds_mocks_calls_from_threads_and_swaps() {
    let output = Command::new(env!("CARGO_BIN_EXE_embed"))
        .arg(weft_test_guests::path("greeter"))
        .arg(weft_test_guests::path("legacy-app"))
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains(r#"round-trip -> ok("from the mock")"#),
        "{stdout}"
    );
    assert!(
        stdout.contains("1600 calls from 8 threads, none failed"),
        "{stdout}"
    );
}
