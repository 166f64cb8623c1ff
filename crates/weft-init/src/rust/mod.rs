//! The Rust project: a `cdylib` crate on `wit-bindgen` 0.63 for `wasm32-wasip2`, which
//! rustc links straight into a component (no `cargo component`, no post-processing).

mod code;
mod names;

use std::process::{Command, Stdio};

use crate::project::{Context, Generated};

/// The files of the Rust project, and how to build it.
pub fn generate(cx: &Context) -> Generated {
    let lib = code::lib_rs(cx.resolve, cx.world, cx.qualified, cx.name, cx.exports);
    let mut notes = Vec::new();
    let lib = match rustfmt(&lib) {
        Ok(formatted) => formatted,
        Err(why) => {
            notes.push(format!(
                "src/lib.rs was not formatted ({why}); run `cargo fmt` in the project"
            ));
            lib
        }
    };
    let artifact = format!(
        "target/wasm32-wasip2/release/{}.wasm",
        cx.name.replace('-', "_")
    );
    Generated {
        files: vec![
            ("Cargo.toml".into(), cargo_toml(cx.name)),
            ("src/lib.rs".into(), lib),
            (".gitignore".into(), "/target\n".into()),
        ],
        build: vec!["cargo build --target wasm32-wasip2 --release".into()],
        artifact,
        edit: "src/lib.rs",
        layout: vec![
            (
                "src/lib.rs",
                "the component: one `impl` per exported interface, each function returning a placeholder until you write it (look for `TODO`)",
            ),
            (
                "Cargo.toml",
                "a `cdylib` on `wit-bindgen`, with a release profile tuned for size",
            ),
        ],
        notes,
    }
}

fn cargo_toml(name: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
# For wasm32-wasip2, rustc links a cdylib straight into a component.
crate-type = ["cdylib"]

[dependencies]
wit-bindgen = "0.63"

# Small components: smaller files load, compile and instantiate faster. One codegen unit
# with LTO drops unused code, `strip` the symbols, and `panic = "abort"` links no unwinding
# machinery (a panic traps the component either way). weft's own guests use the same.
[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true
panic = "abort"

# A workspace of its own, so the crate builds as created inside another workspace.
[workspace]
"#
    )
}

/// `text` as `cargo fmt` leaves it, so the new crate passes `cargo fmt --check`.
///
/// rustfmt's layout rules (struct literals break past 18 characters, calls past 60, ...)
/// are not worth copying; like bindgen, run the formatter when it is there.
fn rustfmt(text: &str) -> Result<String, String> {
    use std::io::Write as _;
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2024"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{}` did not start: {e}", rustfmt.to_string_lossy()))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    stdin
        .write_all(text.as_bytes())
        .map_err(|e| format!("writing to rustfmt failed: {e}"))?;
    drop(stdin);
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "rustfmt wrote something not UTF-8".into())
}
