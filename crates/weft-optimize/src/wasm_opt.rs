//! Finding binaryen's `wasm-opt` and running it on one core module.
//!
//! wasm-opt is an external program, not a library weft links: binaryen is C++, and its
//! registry packages (npm's `binaryen`, Debian's `binaryen`) ship the command.
//! `scripts/setup-binaryen.sh` installs npm's into [`CACHE_RELATIVE`] under `$HOME`, which
//! is why that place is searched after `PATH`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use crate::OptimizeError;

/// The environment variable that names the wasm-opt to use.
pub const ENV: &str = "WEFT_WASM_OPT";

/// Where `scripts/setup-binaryen.sh` installs wasm-opt, relative to `$HOME`.
pub const CACHE_RELATIVE: &str = ".cache/weft/binaryen/node_modules/.bin/wasm-opt";

/// The features wasm-opt may read and write: those of wasmparser's defaults (what
/// wasmtime 48 and `weft_wit::validate` accept) that binaryen 132 knows. Naming them
/// instead of `--all-features` keeps wasm-opt from emitting proposals (GC, strings,
/// shared memory, ...) that the engine would refuse; naming them at all matters because
/// binaryen starts from the MVP and the modules wit-component adds carry no
/// `target_features` section to widen it. Older binaryens (Debian's 108) lack the last
/// three flags, so only those its `--help` lists are passed.
const FEATURES: &[&str] = &[
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-multivalue",
    "--enable-reference-types",
    "--enable-simd",
    "--enable-extended-const",
    "--enable-tail-call",
    "--enable-multimemory",
];

/// A wasm-opt optimisation level, the `-O` flag it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// `-O0`: no optimisation passes (wasm-opt still rewrites the binary).
    O0,
    /// `-O1`.
    O1,
    /// `-O2`.
    O2,
    /// `-O3`: for speed.
    O3,
    /// `-O4`: for speed, with more inlining.
    O4,
    /// `-Os`: for size, keeping speed.
    Os,
    /// `-Oz`: for size above all; weft's default, since size is what this is for.
    #[default]
    Oz,
}

impl FromStr for Level {
    type Err = String;

    /// Parses `z`, `-Oz`, `Oz`, `3`, ... as the level.
    fn from_str(text: &str) -> Result<Level, String> {
        let bare = text.trim_start_matches('-').trim_start_matches('O');
        Ok(match bare {
            "0" => Level::O0,
            "1" => Level::O1,
            "2" => Level::O2,
            "3" => Level::O3,
            "4" => Level::O4,
            "s" => Level::Os,
            "z" => Level::Oz,
            _ => return Err(format!("unknown level `{text}`: use 0, 1, 2, 3, 4, s or z")),
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self {
            Level::O0 => "0",
            Level::O1 => "1",
            Level::O2 => "2",
            Level::O3 => "3",
            Level::O4 => "4",
            Level::Os => "s",
            Level::Oz => "z",
        };
        write!(f, "-O{level}")
    }
}

/// How a wasm-opt was found, which decides whether its absence is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Named by the caller (`--wasm-opt PATH`).
    Explicit,
    /// Named by [`ENV`].
    Env,
    /// `wasm-opt` on `PATH`.
    Path,
    /// Where `scripts/setup-binaryen.sh` installs it.
    Cache,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Explicit => "--wasm-opt",
            Origin::Env => ENV,
            Origin::Path => "PATH",
            Origin::Cache => "scripts/setup-binaryen.sh's install",
        })
    }
}

/// A wasm-opt that answered `--version`.
#[derive(Debug, Clone)]
pub struct WasmOpt {
    path: PathBuf,
    version: String,
    origin: Origin,
    /// The [`FEATURES`] flags this build knows.
    features: Vec<&'static str>,
}

impl WasmOpt {
    /// Finds wasm-opt: `explicit` if given, else [`ENV`], else `wasm-opt` on `PATH`, else
    /// [`CACHE_RELATIVE`] under `$HOME`. `Ok(None)` when none of the implicit places has
    /// one; an error when an explicitly named one (argument or [`ENV`]) does not run.
    pub fn find(explicit: Option<&Path>) -> Result<Option<WasmOpt>, OptimizeError> {
        if let Some(path) = explicit {
            return WasmOpt::at(path, Origin::Explicit).map(Some);
        }
        if let Some(path) = std::env::var_os(ENV).filter(|p| !p.is_empty()) {
            return WasmOpt::at(Path::new(&path), Origin::Env).map(Some);
        }
        let on_path = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .map(|dir| dir.join("wasm-opt"))
            .find(|candidate| candidate.is_file());
        let cached = std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(CACHE_RELATIVE))
            .filter(|candidate| candidate.is_file());
        let found = on_path
            .map(|path| (path, Origin::Path))
            .or(cached.map(|path| (path, Origin::Cache)));
        match found {
            Some((path, origin)) => WasmOpt::at(&path, origin).map(Some),
            None => Ok(None),
        }
    }

    /// The wasm-opt at `path`, checked by running `--version`.
    pub fn at(path: &Path, origin: Origin) -> Result<WasmOpt, OptimizeError> {
        let unavailable = |reason: String| OptimizeError::WasmOptUnavailable {
            path: path.to_path_buf(),
            origin,
            reason,
        };
        let output = Command::new(path)
            .arg("--version")
            .output()
            .map_err(|e| unavailable(e.to_string()))?;
        if !output.status.success() {
            return Err(unavailable(format!(
                "`--version` exited with {}: {}",
                output.status,
                last_lines(&output.stderr)
            )));
        }
        let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if !version.starts_with("wasm-opt") {
            return Err(unavailable(format!(
                "`--version` printed `{version}`, not wasm-opt's version"
            )));
        }
        let help = Command::new(path)
            .arg("--help")
            .output()
            .map_err(|e| unavailable(e.to_string()))?;
        let help = String::from_utf8_lossy(&help.stdout);
        let features = FEATURES
            .iter()
            .copied()
            .filter(|flag| help.split_whitespace().any(|word| word == *flag))
            .collect();
        Ok(WasmOpt {
            path: path.to_path_buf(),
            version,
            origin,
            features,
        })
    }

    /// The program's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What `--version` printed, e.g. `wasm-opt version 132 (version_132)`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How it was found.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// Runs wasm-opt at `level` on one core module. `keep_names` passes `-g` so the
    /// `name` section survives. The error is a one-line reason for the report.
    pub fn run(&self, module: &[u8], level: Level, keep_names: bool) -> Result<Vec<u8>, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temp dir: {e}"))?;
        let input = dir.path().join("in.wasm");
        let output = dir.path().join("out.wasm");
        std::fs::write(&input, module).map_err(|e| format!("cannot write its input: {e}"))?;
        let mut command = Command::new(&self.path);
        command
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .arg(level.to_string())
            .args(&self.features);
        if keep_names {
            command.arg("-g");
        }
        let ran = command
            .output()
            .map_err(|e| format!("`{}` did not start: {e}", self.path.display()))?;
        if !ran.status.success() {
            return Err(format!(
                "wasm-opt exited with {}: {}",
                ran.status,
                last_lines(&ran.stderr)
            ));
        }
        std::fs::read(&output).map_err(|e| format!("wasm-opt wrote no output: {e}"))
    }
}

/// The last lines of a program's stderr, on one line: wasm-opt prints the failing
/// function first and the reason last.
fn last_lines(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(3)..];
    if tail.is_empty() {
        "(no message)".to_string()
    } else {
        tail.join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_in_every_spelling() {
        for text in ["z", "Oz", "-Oz"] {
            assert_eq!(text.parse::<Level>().unwrap(), Level::Oz);
        }
        assert_eq!("3".parse::<Level>().unwrap().to_string(), "-O3");
        assert!(
            "fast"
                .parse::<Level>()
                .unwrap_err()
                .contains("0, 1, 2, 3, 4, s or z")
        );
    }

    #[test]
    fn a_missing_explicit_wasm_opt_is_an_error_that_names_it() {
        let error = WasmOpt::find(Some(Path::new("/nonexistent/wasm-opt"))).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("/nonexistent/wasm-opt"), "{message}");
        assert!(message.contains("--wasm-opt"), "{message}");
    }

    #[test]
    fn stderr_is_cut_to_its_last_lines() {
        assert_eq!(last_lines(b"a\n\nb\nc\nd\n"), "b / c / d");
        assert_eq!(last_lines(b""), "(no message)");
    }
}
