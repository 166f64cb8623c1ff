//! `weft run` on a `wasi:cli/command` component: the exit status is the component's, and
//! stdin reaches it.

mod common;

use std::path::Path;

fn weft_run(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let cache = tempfile::tempdir().unwrap();
    let guest = weft_test_guests::path("cli-hello");
    let args: Vec<&str> = ["run", guest]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    common::weft_with_stdin(Path::new("."), cache.path(), &args, stdin)
}

/// WASI 0.2's `exit` takes a `result`, so a Rust guest's `process::exit(3)` arrives as
/// `exit(err)`: status 1, as under `wasmtime run`.
#[test]
fn the_exit_status_is_the_components() {
    for (code, status) in [(0, 0), (3, 1)] {
        let out = weft_run(&["exit", &code.to_string()], b"");
        assert_eq!(
            out.status.code(),
            Some(status),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // An exit is the program's own answer, not an error weft reports.
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn stdin_reaches_the_component() {
    let input: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let out = weft_run(&["echo"], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, input);
}
