//! Golden tests: one directory per case under `tests/golden/cases/` (failures under
//! `cases/fail/`), run through the library, output compared with a file beside it.
//!
//! A case directory holds exactly one of:
//!
//! - `compose.toml`: a manifest, composed with `compose_manifest_file`;
//! - `compose.wac`: a WAC document, composed with `compose_wac_file` (packages from the
//!   case's `deps/`);
//! - `plug.txt`: the socket on the first line, one plug per following line;
//! - `targets.txt`: `COMPONENT WIT-PATH [WORLD] [--allow-wasi]`;
//! - `new.txt`: `MODULE [WIT-PATH [WORLD]]`; with an `embed.txt` (`WIT-PATH [WORLD]`)
//!   beside it, that world is first embedded into the module as a `component-type`
//!   custom section (what wit-bindgen leaves), so the case builds from embedded WIT.
//!
//! Every case that produces a component (all but `targets.txt`) also runs it through
//! weft-runtime: `call.txt` holds one call per line (WAVE, as `weft call` takes it), and
//! each call and its result (or error) is appended to the summary. Imports the result
//! leaves open are stubbed to trap (`--trap-unknown-imports`), so a call that reaches one
//! shows as that error. A case whose component has nothing meaningful to call holds
//! `no-call.txt` instead, saying why; a case with neither fails.
//!
//! Before a case runs, its files are copied into a temp dir along with every
//! `tests/golden/components/*.wat` (see the README there), and every `.wat` file is
//! compiled to a `.wasm` beside it. A case that succeeds writes a summary (warnings,
//! exports, imports) that must equal `expected.txt`; a case that fails writes the error
//! and its causes, which must equal `error.txt`. The temp dir prints as `$DIR`.
//! `BLESS=1 cargo test -p weft-compose --test golden` rewrites the expected files. Each
//! case is a test of its own, named by its path under `cases/`
//! (`cargo test -p weft-compose --test golden -- fail/`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use weft_snapshots::Snapshots;

use weft_compose::{Composition, WacOptions};
use weft_runtime::{Runtime, RuntimeConfig, SessionOptions};

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn cases() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for entry in entries {
            let is_case = [
                "compose.toml",
                "compose.wac",
                "plug.txt",
                "targets.txt",
                "new.txt",
            ]
            .iter()
            .any(|f| entry.join(f).exists());
            if is_case {
                out.push(entry);
            } else if entry.file_name().is_some_and(|n| n != "deps" && n != "wit") {
                walk(&entry, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&golden_root().join("cases"), &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

fn compile_wat(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            compile_wat(&path);
        } else if path.extension().is_some_and(|e| e == "wat") {
            let bytes = wat::parse_file(&path).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(path.with_extension("wasm"), bytes).unwrap();
            std::fs::remove_file(&path).unwrap();
        }
    }
}

fn summary(c: &Composition) -> String {
    let mut out = String::new();
    for w in &c.warnings {
        writeln!(out, "warning: {w}").unwrap();
    }
    writeln!(out, "exports:").unwrap();
    for e in &c.exports {
        writeln!(out, "  {} {}", e.kind, e.name).unwrap();
    }
    writeln!(out, "imports:").unwrap();
    for i in &c.imports {
        writeln!(out, "  {} {}", i.kind, i.name).unwrap();
    }
    out
}

fn error_text(error: &dyn std::error::Error) -> String {
    let mut out = format!("{error}\n");
    let mut cause = error.source();
    while let Some(c) = cause {
        writeln!(out, "caused by: {c}").unwrap();
        cause = c.source();
    }
    out
}

fn validate(c: &Composition) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::default())
        .validate_all(&c.bytes)
        .expect("output validates");
}

/// Runs each line of `call.txt` in one session of `c` and renders `call: LINE -> RESULT`
/// lines; with `no-call.txt` instead, says that nothing is called and why.
fn calls(runtime: &Runtime, dir: &Path, c: &Composition) -> String {
    let call_file = dir.join("call.txt");
    let Ok(script) = std::fs::read_to_string(&call_file) else {
        return match std::fs::read_to_string(dir.join("no-call.txt")) {
            Ok(reason) => format!("not called: {}\n", reason.trim()),
            Err(_) => panic!(
                "the case has neither call.txt (calls to run on its output) nor no-call.txt (why not)"
            ),
        };
    };
    let component = runtime
        .load_bytes("output.wasm", c.bytes.clone())
        .unwrap_or_else(|e| panic!("weft-runtime loads the output: {e}"));
    let options = SessionOptions {
        trap_unknown_imports: true,
        ..SessionOptions::default()
    };
    let mut session = runtime
        .session(&component, options)
        .unwrap_or_else(|e| panic!("weft-runtime instantiates the output: {e}"));
    let mut out = String::new();
    let lines: Vec<&str> = script.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "call.txt is empty");
    for line in lines {
        match session.call_wave(line) {
            Ok(result) if result.is_empty() => {
                writeln!(out, "call: {line} -> (no result)").unwrap()
            }
            Ok(result) => writeln!(out, "call: {line} -> {result}").unwrap(),
            Err(e) => writeln!(out, "call: {line} -> error: {e}").unwrap(),
        }
    }
    out
}

/// Runs one case in `dir` (the prepared temp dir): Ok(summary) or Err(error text).
fn run_case(runtime: &Runtime, dir: &Path) -> Result<String, String> {
    let args = |file: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(file))
            .unwrap()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let done = |r: Result<Composition, String>| {
        r.map(|c| {
            validate(&c);
            summary(&c) + &calls(runtime, dir, &c)
        })
    };
    if dir.join("compose.toml").exists() {
        done(
            weft_compose::compose_manifest_file(&dir.join("compose.toml"))
                .map_err(|e| error_text(&e)),
        )
    } else if dir.join("compose.wac").exists() {
        done(
            weft_compose::compose_wac_file(&dir.join("compose.wac"), &WacOptions::default())
                .map_err(|e| error_text(&e)),
        )
    } else if dir.join("plug.txt").exists() {
        let files: Vec<PathBuf> = args("plug.txt").iter().map(|f| dir.join(f)).collect();
        done(weft_compose::plug(&files[0], &files[1..]).map_err(|e| error_text(&e)))
    } else if dir.join("targets.txt").exists() {
        let mut a = args("targets.txt");
        let allow_wasi = a.last().is_some_and(|f| f == "--allow-wasi");
        if allow_wasi {
            a.pop();
        }
        let bytes = std::fs::read(dir.join(&a[0])).unwrap();
        let world = weft_compose::WorldPath {
            wit: dir.join(&a[1]),
            world: a.get(2).cloned(),
            ..Default::default()
        };
        weft_compose::targets(&bytes, &world, allow_wasi)
            .map(|world| format!("fits world `{world}`\n"))
            .map_err(|e| error_text(&e))
    } else {
        let a = args("new.txt");
        let mut bytes = std::fs::read(dir.join(&a[0])).unwrap();
        if dir.join("embed.txt").exists() {
            bytes = embed_wit(&bytes, dir, &args("embed.txt"));
        }
        let options = weft_compose::NewOptions {
            world: a.get(1).map(|w| weft_compose::WorldPath {
                wit: dir.join(w),
                world: a.get(2).cloned(),
                ..Default::default()
            }),
            ..Default::default()
        };
        weft_compose::new_component(&bytes, &options)
            .map(|out| {
                validate(&out.component);
                format!(
                    "adapter: {:?}\n{}{}",
                    out.wasi_adapter,
                    summary(&out.component),
                    calls(runtime, dir, &out.component)
                )
            })
            .map_err(|e| error_text(&e))
    }
}

/// `module` with the world `args` names (`WIT-PATH [WORLD]`, relative to `dir`) embedded
/// as a `component-type` custom section, as wit-bindgen embeds it.
fn embed_wit(module: &[u8], dir: &Path, args: &[String]) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_path(dir.join(&args[0])).unwrap();
    let world = resolve
        .select_world(&[package], args.get(1).map(String::as_str))
        .unwrap();
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    module
}

fn main() {
    let cases = cases();
    assert!(!cases.is_empty(), "no golden cases");
    let runtime = Arc::new(
        Runtime::new(RuntimeConfig {
            cache: None,
            ..RuntimeConfig::default()
        })
        .unwrap(),
    );
    let mut expected = BTreeSet::new();
    let mut trials = Vec::new();
    for case in cases {
        let name = case
            .strip_prefix(golden_root().join("cases"))
            .unwrap()
            .display()
            .to_string();
        let file = if name.starts_with("fail") {
            "error.txt"
        } else {
            "expected.txt"
        };
        expected.insert(case.join(file));
        let runtime = Arc::clone(&runtime);
        trials.push(weft_snapshots::trial(name.clone(), move |s| {
            golden_case(s, &runtime, &case, &name)
        }));
    }
    trials.push(weft_snapshots::orphans(
        "orphaned-snapshots",
        &golden_root().join("cases"),
        |p| {
            p.file_name()
                .is_some_and(|n| n == "expected.txt" || n == "error.txt")
        },
        expected,
    ));
    weft_snapshots::run(trials)
}

fn golden_case(s: &mut Snapshots, runtime: &Runtime, case: &Path, name: &str) {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(golden_root().join("components")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wat") {
            std::fs::copy(&path, tmp.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    copy_dir(case, tmp.path());
    for generated in ["expected.txt", "error.txt"] {
        let _ = std::fs::remove_file(tmp.path().join(generated));
    }
    compile_wat(tmp.path());
    let expect_failure = name.starts_with("fail");
    let (file, text) = match run_case(runtime, tmp.path()) {
        Ok(text) if !expect_failure => ("expected.txt", text),
        Err(text) if expect_failure => ("error.txt", text),
        Ok(text) => return s.fail(format!("{name}: expected a failure, got:\n{text}")),
        Err(text) => return s.fail(format!("{name}: failed:\n{text}")),
    };
    let dir = tmp.path().display().to_string();
    s.check(&case.join(file), &text.replace(&dir, "$DIR"));
}
