//! Paths of weft's guest components, built from source for every test run.
//!
//! The example and test components live in `guests/`, a cargo workspace of its own (one
//! small `cdylib` crate per component, bindings from `wit_bindgen::generate!`). A `cdylib`
//! for `wasm32-wasip2` is linked straight into a component, so no post-processing is needed.
//!
//! This crate's `build.rs` runs
//! `cargo build --release --target wasm32-wasip2 --manifest-path guests/Cargo.toml` with its
//! target dir at `guests/target` (or `$WEFT_GUESTS_TARGET_DIR`), without the environment the
//! outer cargo hands to build scripts that would leak into the nested build
//! (`CARGO_TARGET_DIR`, `RUSTFLAGS`, `CARGO_ENCODED_RUSTFLAGS`, `CARGO_PROFILE_*`,
//! `CARGO_BUILD_*`, `CARGO_MAKEFLAGS`, `RUSTC_WORKSPACE_WRAPPER`, …). When `clang-19` is
//! on `PATH` it sets `CC_wasm32_wasip2`/`AR_wasm32_wasip2`/`CFLAGS_wasm32_wasip2` so guests
//! with C code can use Debian's clang and wasi-libc. It reruns when anything in `guests/`
//! (outside the target dir) or the root `wit/` changes.
//!
//! For every built component it generates a constant named after the guest's package
//! (uppercased, `-` becomes `_`), e.g. [`GREETER`], plus [`ALL`]; [`path`] looks one up by
//! name. Tests take guest paths only from here, so a guest that does not build fails the
//! test build instead of a test at run time.
//!
//! If the guest build fails, this crate fails to build and prints cargo's output; the usual
//! fixes are `rustup target add wasm32-wasip2`, and `bash scripts/setup.sh` for clang.

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// The path of the built guest component `name` (a package name such as `"greeter"`;
/// `-` and `_` are interchangeable).
///
/// # Panics
///
/// If no guest of that name was built; the message lists the known guests.
pub fn path(name: &str) -> &'static str {
    let wanted = name.replace('_', "-");
    ALL.iter()
        .find(|(known, _)| known.replace('_', "-") == wanted)
        .map(|(_, path)| *path)
        .unwrap_or_else(|| {
            let known: Vec<&str> = ALL.iter().map(|(known, _)| *known).collect();
            panic!("no guest component named `{name}`; known guests: {known:?}")
        })
}

/// The path of the JavaScript guest `name` that `scripts/build-js-guests.sh` built from
/// `guests-js/NAME` (the test command runs it before the tests), in
/// `$WEFT_JS_GUESTS_DIR` or `~/.cache/weft/js-guests`.
///
/// # Panics
///
/// If it has not been built; the message says how to build it.
pub fn js_path(name: &str) -> std::path::PathBuf {
    script_built(
        "WEFT_JS_GUESTS_DIR",
        "js-guests",
        "build-js-guests.sh",
        name,
    )
}

/// The path of the Python guest `name` that `scripts/build-py-guests.sh` built from
/// `guests-py/NAME` with componentize-py (the test command runs it before the tests), in
/// `$WEFT_PY_GUESTS_DIR` or `~/.cache/weft/py-guests`.
///
/// # Panics
///
/// If it has not been built; the message says how to build it.
pub fn py_path(name: &str) -> std::path::PathBuf {
    script_built(
        "WEFT_PY_GUESTS_DIR",
        "py-guests",
        "build-py-guests.sh",
        name,
    )
}

/// A component a build script put in `$VAR` or `~/.cache/weft/DEFAULT`.
fn script_built(var: &str, default: &str, script: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::var_os(var)
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| {
                std::path::PathBuf::from(h)
                    .join(".cache/weft")
                    .join(default)
            })
        })
        .unwrap_or_else(|| panic!("{var} or HOME is set"));
    let path = dir.join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: build it with `bash scripts/{script}`",
        path.display()
    );
    path
}

/// An HS256 JSON Web Token over the JSON `claims`, signed with `secret`, with header
/// algorithm `alg`: what the auth plugin's tests present to it.
pub fn mint_jwt(claims: &str, secret: &str, alg: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{Hmac, Mac};

    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
    let payload = URL_SAFE_NO_PAD.encode(claims);
    let signing_input = format!("{header}.{payload}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// A real `nats-server` (installed by `scripts/setup.sh`) on a free loopback port,
/// stopped when dropped.
pub struct NatsServer {
    child: std::process::Child,
    port: u16,
}

impl NatsServer {
    /// Starts one on a free port and waits until it accepts connections.
    ///
    /// # Panics
    ///
    /// If `nats-server` is not installed or does not come up within 10 s.
    pub fn start() -> NatsServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        NatsServer::start_on(port)
    }

    /// Starts one on `port` (to restart a stopped one where its clients expect it).
    pub fn start_on(port: u16) -> NatsServer {
        let child = std::process::Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server runs; install it with `bash scripts/setup.sh`");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "nats-server did not come up on {port}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        NatsServer { child, port }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its address, `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `wrpc-wasmtime nats serve` (wRPC 0.17, the Bytecode Alliance's peer for weft's NATS
/// federation, installed by `scripts/setup-wrpc.sh`) serving a component in its own
/// process, stopped when dropped. Its log (on stdout) and stderr are kept.
pub struct WrpcServer {
    child: std::process::Child,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl WrpcServer {
    /// Starts serving `component` on `nats`. It subscribes only after compiling the
    /// component: wait for its subjects with a call that is retried.
    ///
    /// # Panics
    ///
    /// If `wrpc-wasmtime` is not installed.
    pub fn serve(component: &std::path::Path, nats: &NatsServer) -> WrpcServer {
        let mut child = std::process::Command::new(wrpc_wasmtime())
            .args(["nats", "serve", "--nats", &nats.url()])
            .arg(component)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("wrpc-wasmtime runs; install it with `bash scripts/setup-wrpc.sh`");
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        for pipe in [
            Box::new(stdout) as Box<dyn std::io::Read + Send>,
            Box::new(stderr),
        ] {
            let output = std::sync::Arc::clone(&output);
            std::thread::spawn(move || {
                use std::io::BufRead as _;
                for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut kept = output.lock().unwrap_or_else(|p| p.into_inner());
                    kept.push_str(&line);
                    kept.push('\n');
                }
            });
        }
        WrpcServer { child, output }
    }

    /// What it has printed so far (its log and the guest's output).
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for WrpcServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `wrpc-wasmtime` binary: on `PATH`, or where `cargo install` puts it.
pub fn wrpc_wasmtime() -> std::path::PathBuf {
    let installed = std::env::var_os("HOME")
        .map(|h| std::path::PathBuf::from(h).join(".cargo/bin/wrpc-wasmtime"));
    match installed {
        Some(path) if path.is_file() => path,
        _ => std::path::PathBuf::from("wrpc-wasmtime"),
    }
}

/// Bytes `0, 1, 2, ...` (mod 251), `len` of them, generated as they are read: a large
/// input for stream tests and benchmarks that costs no memory.
pub struct Pattern {
    left: usize,
    next: u8,
}

impl Pattern {
    /// A reader of `len` pattern bytes.
    pub fn new(len: usize) -> Pattern {
        Pattern { left: len, next: 0 }
    }
}

impl std::io::Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left);
        for b in &mut buf[..n] {
            *b = self.next;
            self.next = (self.next + 1) % 251;
        }
        self.left -= n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component's preamble: `\0asm`, then version 0x0d and layer 1 (a core module has
    /// layer 0).
    const COMPONENT_MAGIC: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

    #[test]
    fn every_guest_is_a_valid_component() {
        assert!(!ALL.is_empty());
        for (name, path) in ALL {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {path}: {e}"));
            assert!(
                bytes.starts_with(&COMPONENT_MAGIC),
                "{name}: {path} is not a component"
            );
            // Validate with the wasm-tools family wasmtime uses, so a guest built by a newer
            // toolchain than the runtime understands fails here, not deep in a runtime test.
            wasmparser::Validator::new()
                .validate_all(&bytes)
                .unwrap_or_else(|e| panic!("{name}: {path} does not validate: {e}"));
        }
    }

    #[test]
    fn core_guests_are_built() {
        for name in ["greeter", "hostile", "logger", "types"] {
            assert!(
                ALL.iter().any(|(known, _)| *known == name),
                "{name} missing"
            );
        }
        assert_eq!(path("greeter"), GREETER);
        assert_eq!(path("types"), TYPES);
        assert_eq!(path("hostile"), HOSTILE);
        assert_eq!(path("logger"), LOGGER);
    }

    #[test]
    #[should_panic(expected = "known guests")]
    fn unknown_guest_panics_with_the_list() {
        path("no-such-guest");
    }
}
