//! Builds the `guests/` workspace for `wasm32-wasip2` and writes `$OUT_DIR/guests.rs` with
//! one path constant per built component. See the crate docs in `src/lib.rs`.

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The guests' target triple: a `cdylib` for it is linked straight into a component.
const TARGET: &str = "wasm32-wasip2";

/// Environment a build script inherits from the outer cargo that would change or break the
/// nested guest build: the outer target dir, host rustflags, profile overrides, the outer
/// jobserver and a clippy/coverage workspace wrapper.
const REMOVED_ENV: &[&str] = &[
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_RUSTDOCFLAGS",
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

/// Prefixes of inherited variables removed for the same reason.
const REMOVED_ENV_PREFIXES: &[&str] = &["CARGO_PROFILE_", "CARGO_BUILD_"];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .and_then(Path::parent)
        .expect("crates/weft-test-guests sits two levels below the repository root")
        .to_path_buf();
    let guests = root.join("guests");
    println!("cargo:rerun-if-env-changed=WEFT_GUESTS_TARGET_DIR");
    let target_dir = env::var_os("WEFT_GUESTS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| guests.join("target"));

    emit_rerun_if_changed(&root, &guests, &target_dir);

    let components = build_guests(&guests, &target_dir);
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("guests.rs");
    fs::write(&out, generate(&components)).expect("write guests.rs");
}

/// Watches the guests' sources and the shared WIT, but not the guests' target dir (the
/// nested build writes there, so watching it would rerun this script forever).
fn emit_rerun_if_changed(root: &Path, guests: &Path, target_dir: &Path) {
    println!("cargo:rerun-if-changed={}", root.join("wit").display());
    let entries = fs::read_dir(guests)
        .unwrap_or_else(|e| panic!("cannot read the guests workspace {}: {e}", guests.display()));
    for entry in entries {
        let path = entry.expect("read guests/ entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let is_target = name == "target" || path == target_dir || target_dir.starts_with(&path);
        if !is_target && !name.starts_with('.') {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// Runs the nested `cargo build` and returns each built component as (package name, path).
fn build_guests(guests: &Path, target_dir: &Path) -> BTreeMap<String, PathBuf> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--target")
        .arg(TARGET)
        .arg("--manifest-path")
        .arg(guests.join("Cargo.toml"))
        // Diagnostics rendered to stderr, artifact records as JSON on stdout.
        .arg("--message-format=json-render-diagnostics")
        // An argument, not `CARGO_TARGET_DIR`: the loop below clears that variable.
        .arg("--target-dir")
        .arg(target_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if REMOVED_ENV.contains(&key) || REMOVED_ENV_PREFIXES.iter().any(|p| key.starts_with(p)) {
            cmd.env_remove(key);
        }
    }
    // A C guest (the SQLite one) compiles C for wasm32-wasip2 through the `cc` crate; the
    // Debian clang-19 with the wasi-libc sysroot does that when no WASI SDK is installed.
    if on_path("clang-19") {
        cmd.env("CC_wasm32_wasip2", "clang-19")
            .env("AR_wasm32_wasip2", "llvm-ar-19")
            .env(
                "CFLAGS_wasm32_wasip2",
                "--sysroot=/usr -I/usr/include/wasm32-wasi",
            );
    }

    let output = match cmd.output() {
        Ok(output) => output,
        Err(e) => panic!("could not run cargo to build the guest components: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        // Print rather than only panic so the whole cargo output reaches the user.
        eprintln!("{stderr}");
        panic!(
            "building the guest components failed ({}).\n\
             command: {cmd:?}\n\
             hints: install the target with `rustup target add {TARGET}`; \
             C guests need clang-19 and wasi-libc: run `bash scripts/setup.sh`.",
            output.status
        );
    }

    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut components = BTreeMap::new();
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        // A `cdylib` is a library component; a `bin` a `wasi:cli/command` one.
        let is_component = msg["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib" || k == "bin"));
        if !is_component {
            continue;
        }
        let name = package_name(msg["package_id"].as_str().unwrap_or_default());
        let wasm = msg["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(".wasm"));
        if let (Some(name), Some(wasm)) = (name, wasm) {
            components.insert(name, PathBuf::from(wasm));
        }
    }
    assert!(
        !components.is_empty(),
        "the guest build succeeded but reported no .wasm components; cargo said:\n{stderr}"
    );
    components
}

/// The package name in a cargo package id: `path+file:///…/dir#name@0.1.0`, or
/// `path+file:///…/name#0.1.0` when the directory is named after the package.
fn package_name(id: &str) -> Option<String> {
    let (url, fragment) = id.rsplit_once('#')?;
    match fragment.split_once('@') {
        Some((name, _version)) => Some(name.to_owned()),
        None => url.rsplit('/').next().map(str::to_owned),
    }
}

/// Is `program` an executable file in one of the `PATH` directories?
fn on_path(program: &str) -> bool {
    env::var_os("PATH")
        .is_some_and(|paths| env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The Rust source of the generated module.
fn generate(components: &BTreeMap<String, PathBuf>) -> String {
    let mut code = String::new();
    for (name, path) in components {
        let konst = name.to_uppercase().replace('-', "_");
        let path = path.to_str().expect("guest path is UTF-8");
        writeln!(code, "/// Path of the built `{name}` guest component.").unwrap();
        writeln!(code, "pub const {konst}: &str = {path:?};").unwrap();
    }
    writeln!(
        code,
        "/// Every built guest component as (package name, path), sorted by name."
    )
    .unwrap();
    writeln!(code, "pub const ALL: &[(&str, &str)] = &[").unwrap();
    for name in components.keys() {
        let konst = name.to_uppercase().replace('-', "_");
        writeln!(code, "    ({name:?}, {konst}),").unwrap();
    }
    writeln!(code, "];").unwrap();
    code
}
