//! `weft init`: each seed world and a world with resources and imports becomes a project
//! that builds as created, fits its world (`weft targets`), answers `weft call` with its
//! placeholder and passes `cargo fmt --check`; bad input fails with a message that says
//! what to do.
//!
//! The projects build one after another in one test, in a target directory shared by
//! every run (`$HOME/.cache/weft/init-target`, or `WEFT_INIT_TARGET_DIR`), so
//! `wit-bindgen` compiles once per machine and each project adds a few seconds.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The world with resources and imports, kept beside weft-init's tests.
fn kitchen() -> PathBuf {
    root().join("crates/weft-init/tests/wit/kitchen")
}

fn weft(dir: &Path, args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    common::weft_with_stdin(dir, cache.path(), args, b"")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Fails, showing `out`, unless its stderr contains every one of `expected`.
fn assert_stderr(out: &Output, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    for e in expected {
        assert!(stderr.contains(e), "missing {e:?} in {}", text(out));
    }
}

/// Variables the outer `cargo test` sets that must not reach the nested builds: its
/// target dir, rustflags, profile overrides, jobserver and wrappers (as
/// crates/weft-test-guests/build.rs does for the guests).
const REMOVED_ENV: &[&str] = &[
    "CARGO_TARGET_DIR",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_PRIMARY_PACKAGE",
];
const REMOVED_ENV_PREFIXES: &[&str] = &["CARGO_PROFILE_", "CARGO_BUILD_"];

/// `cargo ARGS` in `dir`, with the outer build's variables removed.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if REMOVED_ENV.contains(&key) || REMOVED_ENV_PREFIXES.iter().any(|p| key.starts_with(p)) {
            cmd.env_remove(key);
        }
    }
    cmd.output().unwrap()
}

fn init_target_dir() -> PathBuf {
    std::env::var_os("WEFT_INIT_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/weft/init-target")
        })
}

/// One project to create, build and call.
struct Case {
    name: &'static str,
    world: String,
    qualified: &'static str,
    /// `weft call`'s flags and statements; empty for no call.
    call: &'static [&'static str],
    answer: String,
}

#[test]
fn rust_projects_build_fit_their_worlds_and_answer_placeholders() {
    let wit = root().join("wit");
    let cases = [
        Case {
            name: "my-greeter",
            world: wit.join("greeter").display().to_string(),
            qualified: "example:greeter/greeter@1.0.0",
            call: &[r#"greeting.greet({name: "Ada", title: none})"#],
            answer: "\"not implemented: write `greet` in src/lib.rs\"\n".into(),
        },
        Case {
            name: "my-plugin",
            world: format!("{}:plugin-impl", wit.join("plugin-system").display()),
            qualified: "example:plugin-system/plugin-impl@1.0.0",
            call: &[
                r#"let h = handler("")"#,
                r#"h.on-event({event-type: "x", payload: [], timestamp: 0})"#,
                "h.metadata()",
            ],
            answer: "err(\"not implemented: write `MyHandler::on_event` in src/lib.rs\")\n\
                     {name: \"\", version: \"\", author: \"\", description: \"\"}\n"
                .into(),
        },
        Case {
            name: "my-transform",
            world: wit.join("pipeline").display().to_string(),
            qualified: "example:pipeline/transform-component@1.0.0",
            call: &[r#"let p = processor("")"#, "p.process([1, 2])"],
            answer: "err(\"not implemented: write `MyProcessor::process` in src/lib.rs\")\n".into(),
        },
        Case {
            name: "my_db",
            world: wit.join("database").display().to_string(),
            qualified: "example:database/database-component@1.0.0",
            call: &[r#"let d = db(":memory:")"#, r#"d.execute("select 1", [])"#],
            answer: "err(\"not implemented: write `MyDb::execute` in src/lib.rs\")\n".into(),
        },
        // Imports only: nothing to implement, and no `export!`.
        Case {
            name: "my-host",
            world: format!("{}:plugin-host", wit.join("plugin-system").display()),
            qualified: "example:plugin-system/plugin-host@1.0.0",
            call: &[],
            answer: String::new(),
        },
        kitchen_case("hello` in src/lib.rs"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let target = init_target_dir();
    let target = target.to_str().unwrap();
    for case in &cases {
        let out = weft(tmp.path(), &["init", case.name, "--world", &case.world]);
        assert!(out.status.success(), "{}: {}", case.name, text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("for world `{}`", case.qualified)),
            "{stdout}"
        );
        assert!(stdout.contains("cargo build --target wasm32-wasip2 --release"));
        let dir = tmp.path().join(case.name);

        let build = cargo(
            &dir,
            &[
                "build",
                "--target",
                "wasm32-wasip2",
                "--release",
                "--target-dir",
                target,
            ],
        );
        assert!(build.status.success(), "{}: {}", case.name, text(&build));
        // Warnings in generated code would greet every new user.
        let stderr = String::from_utf8_lossy(&build.stderr);
        assert!(!stderr.contains("warning"), "{}: {stderr}", case.name);
        let fmt = cargo(&dir, &["fmt", "--check"]);
        assert!(fmt.status.success(), "{}: {}", case.name, text(&fmt));

        let wasm = Path::new(target).join(format!(
            "wasm32-wasip2/release/{}.wasm",
            case.name.replace('-', "_")
        ));
        fits_and_answers(&dir, wasm.to_str().unwrap(), case);
    }
}

/// `weft targets` accepts the built component `wasm` for the case's world, and `weft call`
/// answers the case's calls with its placeholders.
fn fits_and_answers(dir: &Path, wasm: &str, case: &Case) {
    let fits = weft(
        dir,
        &[
            "targets",
            wasm,
            "--wit",
            "wit",
            "--world",
            case.qualified,
            "--allow-wasi",
        ],
    );
    assert!(fits.status.success(), "{}: {}", case.name, text(&fits));
    if case.call.is_empty() {
        return;
    }
    let mut args = vec!["call", wasm];
    args.extend(case.call);
    let called = weft(dir, &args);
    assert!(called.status.success(), "{}: {}", case.name, text(&called));
    assert_eq!(
        String::from_utf8_lossy(&called.stdout),
        case.answer,
        "{}",
        case.name
    );
}

#[test]
fn the_readme_and_next_steps_give_commands_that_work_as_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = weft(
        tmp.path(),
        &[
            "init",
            "g",
            "--world",
            &root().join("wit/greeter").display().to_string(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let readme = std::fs::read_to_string(tmp.path().join("g/README.md")).unwrap();
    for command in [
        "cargo build --target wasm32-wasip2 --release",
        "weft targets target/wasm32-wasip2/release/g.wasm --wit wit --world example:greeter/greeter@1.0.0 --allow-wasi",
        r#"weft call target/wasm32-wasip2/release/g.wasm 'greeting.greet({name: "", title: none})'"#,
    ] {
        assert!(stdout.contains(command), "{command}\n{stdout}");
        assert!(readme.contains(command), "{command}\n{readme}");
    }
    // The vendored WIT loads again on its own.
    let check = weft(tmp.path(), &["wit", "check", "g/wit"]);
    assert!(check.status.success(), "{}", text(&check));
}

#[test]
fn a_package_name_is_found_under_the_wit_root() {
    let tmp = tempfile::tempdir().unwrap();
    let wit = root().join("wit").display().to_string();
    let out = weft(
        tmp.path(),
        &[
            "init",
            "p",
            "--world",
            "example:plugin-system@1.0.0/plugin-impl",
            "--wit-root",
            &wit,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(tmp.path().join("p/wit/plugin-system.wit").is_file());
    // wit/ holds plugin-system 1.0.0 and 1.1.0: without a version, the name is ambiguous.
    let several = weft(
        tmp.path(),
        &[
            "init",
            "q",
            "--world",
            "example:plugin-system/plugin-impl",
            "--wit-root",
            &wit,
        ],
    );
    assert_stderr(
        &several,
        &["several packages under", "`example:plugin-system@1.1.0`"],
    );
    let missing = weft(
        tmp.path(),
        &["init", "q", "--world", "example:nope", "--wit-root", &wit],
    );
    assert!(!missing.status.success());
    assert_stderr(
        &missing,
        &["no package `example:nope`", "`example:greeter@1.0.0`"],
    );
}

#[test]
fn an_unknown_world_lists_the_worlds() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = root().join("wit/plugin-system").display().to_string();
    let out = weft(
        tmp.path(),
        &["init", "x", "--world", &format!("{plugins}:plugin-imp")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_stderr(
        &out,
        &[
            "error: package `example:plugin-system@1.0.0` has no world `plugin-imp`; did you mean `plugin-impl`?",
            "its worlds: `example:plugin-system/plugin-host@1.0.0`, `example:plugin-system/plugin-impl@1.0.0`",
        ],
    );
    // Two worlds and none named: the same list, and how to name one.
    let out = weft(tmp.path(), &["init", "x", "--world", &plugins]);
    assert_stderr(&out, &["has 2 worlds; name one with `--world"]);
    assert!(
        !tmp.path().join("x").exists(),
        "nothing is written on error"
    );
}

#[test]
fn bad_wit_gets_the_located_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("bad.wit"),
        "package a:b;\ninterface i {\n  close: func;\n}\nworld w { export i; }\n",
    )
    .unwrap();
    let out = weft(tmp.path(), &["init", "x", "--world", "bad.wit"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_stderr(
        &out,
        &[
            "bad.wit:3:",
            // The fix hint.
            "close: func();",
            "error: `--world bad.wit`: `bad.wit` is not valid WIT",
        ],
    );
    let out = weft(tmp.path(), &["init", "x", "--world", "nowhere/wit"]);
    assert_stderr(&out, &["no file or directory `nowhere/wit`"]);
}

#[test]
fn an_existing_directory_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let greeter = root().join("wit/greeter").display().to_string();
    std::fs::create_dir(tmp.path().join("taken")).unwrap();
    std::fs::write(tmp.path().join("taken/notes.txt"), "mine").unwrap();
    let out = weft(tmp.path(), &["init", "taken", "--world", &greeter]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_stderr(
        &out,
        &["`taken` already exists and is not empty", "--force"],
    );
    assert!(!tmp.path().join("taken/Cargo.toml").exists());

    let out = weft(
        tmp.path(),
        &["init", "taken", "--world", &greeter, "--force"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(tmp.path().join("taken/Cargo.toml").is_file());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("taken/notes.txt")).unwrap(),
        "mine"
    );

    let out = weft(tmp.path(), &["init", "9lives", "--world", &greeter]);
    assert_stderr(
        &out,
        &["`9lives` cannot name a project: it does not start with a letter"],
    );
}

/// The kitchen world's project. Its placeholders answer the same in every language but
/// for the message naming where to write the code, which ends in `hello` (such as
/// ``hello` in app.js``).
fn kitchen_case(hello: &str) -> Case {
    Case {
        name: "kitchen",
        world: kitchen().display().to_string(),
        qualified: "weft:kitchen/kitchen@0.1.0",
        call: &[
            "--trap-unknown-imports",
            r#"hello("x")"#,
            r#"catalog.find("x")"#,
            r#"catalog.describe("x")"#,
            "catalog.run([])",
            "let c = counter(1)",
            "c.increment(2)",
            "counter.live()",
        ],
        answer: format!(
            "\"not implemented: write `{hello}\"\nerr(not-found(\"\"))\n(red, {{}})\nerr(0)\n0\n0\n"
        ),
    }
}

/// `weft init --lang LANG` for every seed world and the kitchen world, each source checked
/// by the command `check` (a syntax check), and the kitchen project built by the command
/// `build`, checked against its world and called.
fn other_language(lang: &str, check: &[&str], build: &[&str], hello: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let wit = root().join("wit");
    let seeds = [
        wit.join("greeter").display().to_string(),
        format!("{}:plugin-impl", wit.join("plugin-system").display()),
        wit.join("pipeline").display().to_string(),
        wit.join("database").display().to_string(),
    ];
    for (i, world) in seeds.iter().enumerate() {
        let name = format!("seed{i}");
        let out = weft(
            tmp.path(),
            &["init", &name, "--lang", lang, "--world", world],
        );
        assert!(out.status.success(), "{world}: {}", text(&out));
        let dir = tmp.path().join(&name);
        let checked = run(&dir, check);
        assert!(checked.status.success(), "{world}: {}", text(&checked));
    }
    let case = kitchen_case(hello);
    let out = weft(
        tmp.path(),
        &["init", case.name, "--lang", lang, "--world", &case.world],
    );
    assert!(out.status.success(), "{}", text(&out));
    let dir = tmp.path().join(case.name);
    let built = run(&dir, build);
    assert!(built.status.success(), "{}", text(&built));
    fits_and_answers(&dir, "kitchen.wasm", &case);
}

/// `command` (the program, then its arguments) run in `dir`.
fn run(dir: &Path, command: &[&str]) -> Output {
    Command::new(command[0])
        .args(&command[1..])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("`{}` did not start: {e}", command[0]))
}

/// jco as `scripts/build-js-guests.sh` installs it, if it has.
fn jco() -> Option<PathBuf> {
    let cache = std::env::var_os("WEFT_JS_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/weft/js")))?;
    let jco = cache.join("node_modules/.bin/jco");
    jco.is_file().then_some(jco)
}

#[test]
fn javascript_projects_build_with_jco_and_answer_placeholders() {
    let Some(jco) = jco() else {
        eprintln!(
            "SKIPPED: jco is not installed (run scripts/build-js-guests.sh, which installs it into ~/.cache/weft/js)"
        );
        return;
    };
    let build = [
        jco.to_str().unwrap(),
        "componentize",
        "app.js",
        "--wit",
        "wit",
        "--world-name",
        "kitchen",
        "-o",
        "kitchen.wasm",
    ];
    other_language(
        "js",
        &["node", "--check", "app.js"],
        &build,
        "hello` in app.js",
    );
}

#[test]
fn python_projects_build_with_componentize_py_and_answer_placeholders() {
    let found = Command::new("componentize-py").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED: componentize-py is not installed (`pip install componentize-py==0.25.1`)"
        );
        return;
    }
    let build = [
        "componentize-py",
        "-d",
        "wit",
        "-w",
        "kitchen",
        "componentize",
        "app",
        "-o",
        "kitchen.wasm",
    ];
    other_language(
        "python",
        &["python3", "-m", "compileall", "-q", "."],
        &build,
        "WitWorld.hello` in app.py",
    );
}
