//! Snapshot tests for weft's crates, in the manner of wasm-tools' `tests/cli.rs` and
//! wit-parser's UI tests.
//!
//! A test binary declared with `harness = false` lists its input files, makes one
//! [`Trial`] per file with [`trial`], and hands them to [`run`]: each file is a test of
//! its own, named by its path, filtered with cargo's own filter
//! (`cargo test --test cli -- call/streams`). A trial compares what it produced with the
//! expected files beside its input through [`Snapshots::check`]; `BLESS=1` rewrites
//! them instead. [`orphans`] finds expected files that no input produces any more.

#![deny(missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use libtest_mimic::{Failed, Trial};

/// Runs `trials` as the test binary's tests, with cargo's test arguments, and exits.
pub fn run(trials: Vec<Trial>) -> ! {
    let args = libtest_mimic::Arguments::from_args();
    libtest_mimic::run(&args, trials).exit()
}

/// Is this a blessing run (`BLESS` set), which rewrites expected files?
pub fn blessing() -> bool {
    std::env::var_os("BLESS").is_some()
}

/// A trial named `name` that runs `test` and fails with every mismatch it recorded.
pub fn trial(name: impl Into<String>, test: impl FnOnce(&mut Snapshots) + Send + 'static) -> Trial {
    Trial::test(name, move || {
        let mut snapshots = Snapshots::default();
        test(&mut snapshots);
        snapshots.finish()
    })
}

/// A trial per case, named by its file name, each running `test` on its path.
pub fn case_trials(cases: &[PathBuf], test: fn(&mut Snapshots, &Path)) -> Vec<Trial> {
    cases
        .iter()
        .map(|case| {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let case = case.clone();
            trial(name, move |s| test(s, &case))
        })
        .collect()
}

/// The outcome of one trial: the expected files it compared and what went wrong.
#[derive(Debug, Default)]
pub struct Snapshots {
    failures: Vec<String>,
}

impl Snapshots {
    /// Compares `actual` with the file `expected`; a missing file stands for no output.
    /// When blessing, writes `actual` there instead (removing the file when `actual` is
    /// empty).
    pub fn check(&mut self, expected: &Path, actual: &str) {
        if blessing() {
            let written = if actual.is_empty() {
                match std::fs::remove_file(expected) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                    _ => Ok(()),
                }
            } else {
                std::fs::write(expected, actual)
            };
            if let Err(e) = written {
                self.fail(format!("{}: cannot bless: {e}", expected.display()));
            }
            return;
        }
        let found = match std::fs::read_to_string(expected) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return self.fail(format!("{}: {e}", expected.display())),
        };
        if found != actual {
            self.fail(format!(
                "{} differs (BLESS=1 to accept)\n--- expected\n{found}\n--- actual\n{actual}",
                expected.display()
            ));
        }
    }

    /// Records a failure that is not a snapshot mismatch.
    pub fn fail(&mut self, message: impl Into<String>) {
        self.failures.push(message.into());
    }

    /// Records `result`'s error, if any, as a failure.
    pub fn require(&mut self, result: Result<(), String>) {
        if let Err(message) = result {
            self.fail(message);
        }
    }

    /// Panics with every failure recorded, for use inside an ordinary `#[test]`.
    pub fn assert_passed(self) {
        if let Err(failed) = self.finish() {
            panic!("{}", failed.message().unwrap_or_default());
        }
    }

    fn finish(self) -> Result<(), Failed> {
        if self.failures.is_empty() {
            Ok(())
        } else {
            Err(self.failures.join("\n\n").into())
        }
    }
}

/// Every file under `dir`, recursively, in path order.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list test inputs in {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A trial that fails when `dir` holds a file `is_snapshot` says is an expected output
/// but that is not among `expected`: a snapshot left behind by a renamed or deleted input.
pub fn orphans(
    name: &str,
    dir: &Path,
    is_snapshot: fn(&Path) -> bool,
    expected: BTreeSet<PathBuf>,
) -> Trial {
    let dir = dir.to_path_buf();
    trial(name, move |snapshots| {
        for file in files(&dir) {
            if is_snapshot(&file) && !expected.contains(&file) {
                snapshots.fail(format!(
                    "{}: no input produces this file any more; delete it",
                    file.display()
                ));
            }
        }
    })
}
