//! `weft repl` through a pseudo-terminal, as a user types: Tab completion from the
//! WIT, results, errors that do not end the session, and the history file.

mod common;

use std::path::Path;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};

/// Starts `weft repl COMPONENT` on a pty, with its history and compile cache in `dir`.
fn repl(component: &Path, dir: &Path) -> OsSession {
    repl_cached(component, dir, &dir.join("cache"))
}

/// [`repl`] with the compile cache in `cache`.
fn repl_cached(component: &Path, dir: &Path, cache: &Path) -> OsSession {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_weft"));
    command
        .arg("repl")
        .arg(component)
        .env("WEFT_CACHE_DIR", cache)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG");
    let mut session = Session::spawn(command).expect("weft repl starts on a pty");
    // A 12 MB JavaScript component takes a while to compile in a debug build.
    session.set_expect_timeout(Some(Duration::from_secs(300)));
    session.expect("`:help` for commands").unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

#[test]
fn a_call_typed_with_completion_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = repl(Path::new(weft_test_guests::path("types")), dir.path());
    // `echo-enu` + Tab completes the export and its `(`; `gr` + Tab the enum case.
    repl.send("echo-enu\t").unwrap();
    repl.expect("echo-enum(").unwrap();
    repl.send("gr\t").unwrap();
    repl.expect("green").unwrap();
    repl.send(")\r").unwrap();
    repl.expect("\ngreen").unwrap();
    // Record fields complete inside braces.
    repl.send("echo-point({x: 1, \t").unwrap();
    repl.expect("y: ").unwrap();
    repl.send("2})\r").unwrap();
    repl.expect("{x: 1, y: 2}").unwrap();
    // A handle is kept, and its methods complete after its name.
    repl.send("let c = counter(\"x\")\r").unwrap();
    repl.expect("c: own<counter>").unwrap();
    repl.send("c.incr\t").unwrap();
    repl.expect("c.increment(").unwrap();
    repl.send("5)\r").unwrap();
    repl.expect("\n5").unwrap();
    // An error is shown as `weft call` shows it, and the session goes on.
    repl.send("echo-u8(300)\r").unwrap();
    repl.expect("error:").unwrap();
    repl.send("c.get()\r").unwrap();
    repl.expect("\n5").unwrap();
    // A statement with an open bracket continues on the next line.
    repl.send("echo-tuple((1,\r\"two\", 3.5))\r").unwrap();
    repl.expect("(1, \"two\", 3.5)").unwrap();
    repl.send(":type color\r").unwrap();
    repl.expect("enum color {").unwrap();
    repl.send(":handles\r").unwrap();
    repl.expect("c: own<counter>").unwrap();
    // `:json` switches what results print as, in the terminal too.
    repl.send(":json\r").unwrap();
    repl.expect("results print as JSON").unwrap();
    repl.send("echo-point({x: 3, y: 4})\r").unwrap();
    repl.expect(r#"{"x":3,"y":4}"#).unwrap();
    repl.send(":quit\r").unwrap();
    repl.expect(Eof).unwrap();
    let history = std::fs::read_to_string(dir.path().join("data/weft/repl-history")).unwrap();
    assert!(history.contains("c.increment(5)"), "{history}");
}

#[test]
fn a_trap_ends_the_instance_and_reload_starts_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = repl(Path::new(weft_test_guests::path("hostile")), dir.path());
    repl.send("panic(\"boom\")\r").unwrap();
    repl.expect("`:reload` starts a new one").unwrap();
    repl.send(":reload\r").unwrap();
    repl.expect("reloaded: a new instance").unwrap();
    repl.send(":quit\r").unwrap();
    repl.expect(Eof).unwrap();
}

/// A component built by another toolchain: jco's JavaScript greeter.
#[test]
fn a_javascript_component_answers_in_the_repl() {
    let dir = tempfile::tempdir().unwrap();
    let greeter = weft_test_guests::js_path("greeter");
    // The compiled JavaScript component is kept between runs: compiling it is slow.
    let cache = std::env::temp_dir().join("weft-repl-test-cache");
    let mut repl = repl_cached(&greeter, dir.path(), &cache);
    repl.send("gre\t").unwrap();
    repl.expect("greet(").unwrap();
    repl.send("{n\t").unwrap();
    repl.expect("name: ").unwrap();
    repl.send("\"Ada\", title: none})\r").unwrap();
    repl.expect("Ada").unwrap();
    repl.send(":quit\r").unwrap();
    repl.expect(Eof).unwrap();
}

/// Statements piped in (no terminal) run the same way; `:json` switches the output.
#[test]
fn piped_statements_run_and_json_switches_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let types = weft_test_guests::path("types");
    let input =
        b"echo-point({x: 7, y: 8})\n:json\necho-point({x: 7, y: 8})\n:wave\necho-enum(red)\n\
        let c = counter(\"x\")\ndrop(c)\n:handles\n";
    let out = common::weft_with_stdin(
        dir.path(),
        &dir.path().join("cache"),
        &["repl", types, "--no-history"],
        input,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(
        results,
        [
            "{x: 7, y: 8}",
            r#"{"x":7,"y":8}"#,
            "red",
            "c: own<counter>",
            // A dropped handle is gone.
            "no live handles; `let NAME = CALL` names the resource a call returns"
        ],
        "{stdout}"
    );
}
