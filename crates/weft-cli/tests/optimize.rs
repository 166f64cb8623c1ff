//! `weft optimize`: every guest, optimized with and without wasm-opt, validates and
//! answers as before; bad inputs and a broken wasm-opt give clear errors or warnings and
//! never a bad output file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One call per guest whose answer does not depend on the time, the host or randomness;
/// guests not listed are compared by `weft call --list` only (they need capabilities,
/// time or imports no one provides).
const CALLS: &[(&str, &[&str])] = &[
    ("greeter", &[r#"greet({name: "Ada", title: none})"#]),
    (
        "greeter-terse",
        &[r#"farewell({name: "Ada", title: some("Dr.")})"#],
    ),
    (
        "types",
        &[
            r#"let c = counter("clicks")"#,
            "c.increment(2)",
            "c.increment(40)",
        ],
    ),
    ("async-exports", &["double(21)", "sum([4, 5])"]),
    (
        "async-types",
        &["--trap-unknown-imports", "double(21)", "sum([1, 2, 3])"],
    ),
    (
        "async-streams",
        &["range(1, 3)", r#"join(["x", "y"], "-")"#],
    ),
    ("hostile", &["ok(1)"]),
    (
        "image-filters",
        &["apply-filter([{r: 10, g: 20, b: 30, a: 255}], sepia)"],
    ),
    (
        "sqldb",
        &[
            r#"let d = db(":memory:")"#,
            r#"d.execute("create table t (x text)", [])"#,
            r#"d.execute("insert into t values (?)", ["hi"])"#,
            r#"d.query("select x from t", [])"#,
        ],
    ),
    (
        "transform-base64-encode",
        &[r#"let p = processor("")"#, "p.process([104, 105])"],
    ),
    (
        "transform-gzip",
        &[r#"let p = processor("")"#, "p.process([104, 105])"],
    ),
    (
        "base64-pipe",
        &[
            "let e = encoder()",
            "e.write([104, 105])",
            "e.finish()",
            "e.read(10)",
        ],
    ),
    ("rate-limit", &[r#"wanted-events("")"#]),
    (
        "auth-plugin",
        &[r#"let h = handler("secret")"#, "h.metadata()"],
    ),
];

/// Runs `weft ARGS` with `env` set, `WEFT_WASM_OPT` and `RUST_LOG` cleared (unless `env`
/// sets them), and its compile cache in `cache`.
fn weft_env(cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
    command
        .args(args)
        .env("WEFT_CACHE_DIR", cache)
        .env_remove("RUST_LOG")
        .env_remove("WEFT_WASM_OPT");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn weft(cache: &Path, args: &[&str]) -> Output {
    weft_env(cache, args, &[])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts success and no panic, with the output in the message.
fn ok(out: &Output, what: &str) -> String {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    stdout
}

/// The wasm-opt `weft optimize` would find, as it looks for one (PATH, then the setup
/// script's install), or `None` after saying the half of the test that needs it is
/// skipped.
fn wasm_opt(test: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("wasm-opt"))
            .find(|p| p.is_file())
    });
    let cached = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(weft_optimize::CACHE_RELATIVE))
        .filter(|p| p.is_file());
    let found = std::env::var_os(weft_optimize::ENV)
        .map(PathBuf::from)
        .or(on_path)
        .or(cached);
    if found.is_none() {
        eprintln!(
            "SKIPPED {test}: no wasm-opt (run `bash scripts/setup-binaryen.sh`, or set WEFT_WASM_OPT)"
        );
    }
    found
}

/// Optimizes every guest with `extra` flags and checks that the result validates
/// and answers as the original (`weft call`), two guests at a time.
fn every_guest_answers_the_same(extra: &[&str], expect_wasm_opt: bool) {
    let dir = tempfile::tempdir().unwrap();
    let guests = weft_test_guests::ALL;
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((name, path)) = guests.get(i) else {
                        break;
                    };
                    check_guest(dir.path(), name, Path::new(path), extra, expect_wasm_opt);
                }
            });
        }
    });
}

/// One compile cache for the guest checks, kept in cargo's temp dir for integration
/// tests: each original guest is compiled once for both checks and for later runs
/// (entries are keyed by the bytes and the engine, so a rebuilt guest is a new entry).
fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("optimize-test-cache")
}

fn check_guest(dir: &Path, name: &str, original: &Path, extra: &[&str], expect_wasm_opt: bool) {
    let cache = &shared_cache();
    let optimized = dir.join(format!("{name}.opt.wasm"));
    let optimized_arg = optimized.to_str().unwrap();
    let mut args = vec![
        "optimize",
        original.to_str().unwrap(),
        "-o",
        optimized_arg,
        "--json",
    ];
    args.extend_from_slice(extra);
    let report = ok(&weft(cache, &args), &format!("optimize {name}"));
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let (before, after) = (
        report["before"].as_u64().unwrap(),
        report["after"].as_u64().unwrap(),
    );
    assert!(after < before, "{name}: {after} >= {before}");
    assert_eq!(
        after,
        std::fs::metadata(&optimized).unwrap().len(),
        "{name}"
    );
    assert_eq!(report["warnings"], serde_json::json!([]), "{name}");
    let statuses: Vec<&str> = report["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["wasm_opt"]["status"].as_str().unwrap())
        .collect();
    let expected = if expect_wasm_opt {
        "optimized"
    } else {
        "not-run"
    };
    assert!(
        statuses.iter().all(|s| *s == expected),
        "{name}: {statuses:?}"
    );

    // `optimize` validated it before writing; `weft call` loads it through weft-runtime.
    let original = original.to_str().unwrap();
    match CALLS
        .iter()
        .find(|(guest, _)| *guest == name.replace('_', "-"))
    {
        Some((_, calls)) => {
            let call = |path: &str| {
                let args: Vec<&str> = ["call", path].iter().chain(calls.iter()).copied().collect();
                ok(&weft(cache, &args), name)
            };
            let answer = call(original);
            assert!(!answer.trim().is_empty(), "{name}: no answer");
            assert_eq!(answer, call(optimized_arg), "{name}: answers differ");
        }
        None => {
            let list = |path: &str| ok(&weft(cache, &["call", path, "--list"]), name);
            assert_eq!(
                list(original),
                list(optimized_arg),
                "{name}: exports differ"
            );
        }
    }
}

#[test]
fn every_guest_answers_the_same_when_only_stripped() {
    every_guest_answers_the_same(&["--no-wasm-opt"], false);
}

#[test]
fn every_guest_answers_the_same_after_wasm_opt() {
    let Some(wasm_opt) = wasm_opt("every_guest_answers_the_same_after_wasm_opt") else {
        return;
    };
    every_guest_answers_the_same(&["--wasm-opt", wasm_opt.to_str().unwrap()], true);
}

#[test]
fn every_listed_call_names_a_built_guest() {
    for (guest, _) in CALLS {
        weft_test_guests::path(guest);
    }
}

/// jco's component (StarlingMonkey, about 12 MB) keeps its answers once stripped. Only
/// stripped: npm's wasm-opt takes about two minutes on its main module.
#[test]
fn a_javascript_component_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path();
    let original = weft_test_guests::js_path("greeter");
    let original = original.to_str().unwrap();
    let optimized = dir.path().join("greeter.opt.wasm");
    let optimized = optimized.to_str().unwrap();
    let report = ok(
        &weft(
            cache,
            &["optimize", original, "-o", optimized, "--no-wasm-opt"],
        ),
        "optimize",
    );
    // Its main module has a `name` section, unlike the Rust guests (built stripped).
    assert!(report.contains("custom:name"), "{report}");
    assert!(report.contains("stripped"), "{report}");
    let greet = r#"greet({name: "Ada", title: none})"#;
    let answer = ok(&weft(cache, &["call", original, greet]), "call");
    assert_eq!(
        answer,
        ok(&weft(cache, &["call", optimized, greet]), "call")
    );
}

/// The error, with nothing written and no temp file left beside the output.
fn fails(args: &[&str], dir: &Path) -> String {
    let out = weft(&dir.join("cache"), args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("weft-optimize") || n.ends_with(".opt.wasm"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    stderr
}

#[test]
fn bad_input_is_named_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.opt.wasm");
    let out = out.to_str().unwrap();

    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "not wasm at all").unwrap();
    let stderr = fails(
        &["optimize", text_file.to_str().unwrap(), "-o", out],
        dir.path(),
    );
    assert!(stderr.contains("notes.txt"), "{stderr}");

    let guest = std::fs::read(weft_test_guests::path("greeter")).unwrap();
    let cut = dir.path().join("cut.wasm");
    std::fs::write(&cut, &guest[..guest.len() / 2]).unwrap();
    let stderr = fails(&["optimize", cut.to_str().unwrap(), "-o", out], dir.path());
    assert!(
        stderr.contains("cut.wasm") && stderr.contains("truncated"),
        "{stderr}"
    );

    let missing = dir.path().join("missing.wasm");
    let stderr = fails(
        &["optimize", missing.to_str().unwrap(), "-o", out],
        dir.path(),
    );
    assert!(
        stderr.contains("failed to read") && stderr.contains("missing.wasm"),
        "{stderr}"
    );
}

#[test]
fn an_unwritable_output_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let guest = weft_test_guests::path("greeter");
    let out = dir.path().join("no-such-dir/out.wasm");
    let args = [
        "optimize",
        guest,
        "-o",
        out.to_str().unwrap(),
        "--no-wasm-opt",
    ];
    let stderr = fails(&args, dir.path());
    assert!(stderr.contains("no-such-dir/out.wasm"), "{stderr}");
    assert!(stderr.contains("writable"), "{stderr}");
}

#[test]
fn a_core_module_is_optimized_too() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("m.wat");
    std::fs::write(
        &module,
        r#"(module (func $add (export "add") (param i32 i32) (result i32)
             local.get 0 local.get 1 i32.add))"#,
    )
    .unwrap();
    let out = dir.path().join("m.opt.wasm");
    let args = [
        "optimize",
        module.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let report = ok(
        &weft(
            &dir.path().join("cache"),
            &[&args[..], &["--no-wasm-opt"]].concat(),
        ),
        "optimize",
    );
    assert!(
        report.starts_with(&format!("{} -> {}: module:", args[1], args[3])),
        "{report}"
    );
    assert!(report.contains("custom:name"), "{report}");
}

/// A fake wasm-opt: answers `--version` like binaryen, then runs `body` for the real call.
fn fake_wasm_opt(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'wasm-opt version 1 (fake)'; exit 0; fi\nif [ \"$1\" = --help ]; then exit 0; fi\n{body}\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

#[test]
fn a_broken_wasm_opt_falls_back_to_the_stripped_modules_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let guest = weft_test_guests::path("greeter");
    let stripped = dir.path().join("stripped.wasm");
    let stripped_arg = stripped.to_str().unwrap();
    ok(
        &weft(
            &cache,
            &["optimize", guest, "-o", stripped_arg, "--no-wasm-opt"],
        ),
        "strip",
    );
    let failing = fake_wasm_opt(dir.path(), "failing", "echo 'Fatal: it broke' >&2; exit 1");
    // `$3` is the file after `-o`: wasm-opt's arguments are `IN -o OUT -Oz ...`.
    let garbage = fake_wasm_opt(dir.path(), "garbage", "printf 'garbage' > \"$3\"");
    for (fake, reason) in [(&failing, "it broke"), (&garbage, "does not validate")] {
        let out = dir.path().join("out.wasm");
        let args = ["optimize", guest, "-o", out.to_str().unwrap(), "--wasm-opt"];
        let report = ok(
            &weft(&cache, &[&args[..], &[fake.to_str().unwrap()]].concat()),
            "optimize",
        );
        assert!(report.contains("warning: module 0 `main`: "), "{report}");
        assert!(report.contains(reason), "{report}");
        assert_eq!(
            std::fs::read(&out).unwrap(),
            std::fs::read(&stripped).unwrap()
        );
    }
}

#[test]
fn an_explicit_wasm_opt_that_does_not_run_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let guest = weft_test_guests::path("greeter");
    let out = dir.path().join("out.opt.wasm");
    let args = [
        "optimize",
        guest,
        "-o",
        out.to_str().unwrap(),
        "--wasm-opt",
        "/nonexistent/wasm-opt",
    ];
    let stderr = fails(&args, dir.path());
    assert!(stderr.contains("/nonexistent/wasm-opt"), "{stderr}");
    assert!(stderr.contains("setup-binaryen.sh"), "{stderr}");
    let env = [(weft_optimize::ENV, "/nonexistent/wasm-opt")];
    let out = weft_env(&dir.path().join("cache"), &args[..4], &env);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(weft_optimize::ENV), "{stderr}");
}

#[test]
fn no_wasm_opt_anywhere_is_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let guest = weft_test_guests::path("greeter");
    let out = dir.path().join("out.wasm");
    let home = dir.path().to_str().unwrap();
    let args = ["optimize", guest, "-o", out.to_str().unwrap(), "--json"];
    let run = weft_env(
        &dir.path().join("cache"),
        &args,
        &[("PATH", ""), ("HOME", home)],
    );
    let report: serde_json::Value = serde_json::from_str(&ok(&run, "optimize")).unwrap();
    assert_eq!(report["wasm_opt"], serde_json::Value::Null);
    let warning = report["warnings"][0].as_str().unwrap();
    assert!(warning.contains("wasm-opt was not found"), "{warning}");
    assert!(text(&run.stderr).contains("warning: wasm-opt was not found"));
}

#[test]
fn the_json_report_has_every_module_and_section() {
    let dir = tempfile::tempdir().unwrap();
    let guest = weft_test_guests::path("greeter");
    let out = dir.path().join("out.wasm");
    let args = [
        "optimize",
        guest,
        "-o",
        out.to_str().unwrap(),
        "--json",
        "--no-wasm-opt",
    ];
    let report = ok(&weft(&dir.path().join("cache"), &args), "optimize");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["kind"], "component");
    let modules = report["modules"].as_array().unwrap();
    assert_eq!(modules[0]["name"], "main");
    assert_eq!(modules[0]["index"], 0);
    let top = &report["components"][0];
    assert_eq!(top["component"], serde_json::json!([]));
    let names = top["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "custom:component-name")
        .unwrap();
    assert!(names["before"].as_u64().unwrap() > 0);
    assert_eq!(names["after"], 0);
    let module_bytes: u64 = modules.iter().map(|m| m["after"].as_u64().unwrap()).sum();
    assert!(module_bytes < report["after"].as_u64().unwrap());
    let ratio = report["ratio"].as_f64().unwrap();
    assert!(ratio > 0.5 && ratio < 1.0, "{ratio}");
}
