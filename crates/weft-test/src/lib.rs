//! `weft test`: components tested in isolation. A test file (TOML) names the component,
//! mocks its imports (fixed results, sequences, answers by argument, traps; resources
//! with numbered handles), virtualises WASI (fixed env, a temporary directory, a fixed
//! clock, a random seed), and lists cases of `weft call` statements with expectations
//! on their results, the guest's output and the mocks' calls. Every value in the file
//! is checked against the component's WIT types before anything runs.
//!
//! A recorded session ([`Trace`], from `weft call --record`) replays as a test, and any
//! case repeats as a leak check (live handles and guest memory growth).
//!
//! ```no_run
//! use weft_runtime::{Runtime, RuntimeConfig};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let report = weft_test::run_file(&runtime, "tests/adapter.toml".as_ref(), &Default::default())?;
//! let (passed, failed) = report.counts();
//! println!("{passed} passed, {failed} failed");
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod check;
mod file;
mod mocks;
mod report;
mod run;
mod trace;

use std::path::{Path, PathBuf};

use weft_runtime::{LinkError, LoadError, Runtime};

pub use check::{CheckError, DEFAULT_MAX_GROWTH, DEFAULT_TIMEOUT, Plan, check};
pub use file::TestFile;
pub use mocks::MockState;
pub use report::{Format, render};
pub use run::{CaseReport, FileReport, LeakReport, RunOptions, prepare, run_plan};
pub use trace::{TRACE_VERSION, Trace, TraceError, TracedCall, TracedImport};
pub use weft_compose::TomlError;

/// Why a test file could not run at all (as opposed to cases that failed).
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// The file could not be read or parsed.
    #[error(transparent)]
    File(#[from] TomlError),
    /// The component could not be loaded.
    #[error("{}: cannot load the component `{}`", file.display(), component.display())]
    Load {
        /// The test file.
        file: PathBuf,
        /// The component.
        component: PathBuf,
        /// Why.
        #[source]
        source: LoadError,
    },
    /// Values or names in the file do not fit the component.
    #[error("{}: {source}", file.display())]
    Check {
        /// The test file.
        file: PathBuf,
        /// Every problem found.
        #[source]
        source: CheckError,
    },
    /// The mocks do not cover the component's imports.
    #[error("{}: the component cannot be linked with these mocks; mock the imports below with `[[mock]]` (see docs/testing.md)", file.display())]
    Link {
        /// The test file.
        file: PathBuf,
        /// wasmtime's or weft's account.
        #[source]
        source: LinkError,
    },
    /// A trace could not be read.
    #[error(transparent)]
    Trace(#[from] TraceError),
}

/// Reads, checks and runs the test file at `path`.
pub fn run_file(
    runtime: &Runtime,
    path: &Path,
    options: &RunOptions,
) -> Result<FileReport, TestError> {
    let file = TestFile::read(path)?;
    run_test(runtime, &file, options)
}

/// Replays the trace at `trace` against `component` (see [`Trace::to_test`]).
pub fn replay(
    runtime: &Runtime,
    trace: &Path,
    component: &Path,
    options: &RunOptions,
) -> Result<FileReport, TestError> {
    let file = Trace::read(trace)?.to_test(trace, component);
    run_test(runtime, &file, options)
}

/// Checks and runs a parsed test file.
pub fn run_test(
    runtime: &Runtime,
    file: &TestFile,
    options: &RunOptions,
) -> Result<FileReport, TestError> {
    let component = runtime
        .load_file(&file.component)
        .map_err(|source| TestError::Load {
            file: file.path.clone(),
            component: file.component.clone(),
            source,
        })?;
    let plan = check(file, runtime.engine(), &component).map_err(|source| TestError::Check {
        file: file.path.clone(),
        source,
    })?;
    let prepared = prepare(runtime, &component, &plan).map_err(|source| TestError::Link {
        file: file.path.clone(),
        source,
    })?;
    Ok(run_plan(&prepared, &plan, file.path.clone(), options))
}
