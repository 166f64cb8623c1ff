//! `weft test`: run test files (components with mocked imports), or replay a trace.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use weft_runtime::Runtime;
use weft_test::{FileReport, Format, RunOptions, TestFile};

use crate::options::CacheOptions;

/// Test components in isolation: mocked imports, cases with expectations, leak checks.
///
/// Each FILE is a test file (TOML; see docs/testing.md) or a directory of them
/// (`*.toml`, in name order). Every value in a file is checked against the
/// component's WIT types before anything runs. Each case runs in a fresh instance.
#[derive(Args)]
#[command(after_help = "Examples:
  weft test examples/tests/
  weft test adapter.toml --format junit > junit.xml
  weft test greeter.toml --component js-greeter.wasm
  weft test sqldb.toml --leaks 100000
  weft call greeter.wasm --record trace.json 'greet({name: \"Ada\"})'
  weft test --replay trace.json greeter.wasm

Exit status: 0 when every case passed, 1 when a case failed or a file could not run,
2 for usage errors.")]
pub struct TestCommand {
    /// Test files, or directories of them; with `--replay`, the component to replay on.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Replay the trace TRACE (from `weft call --record`) on the component given as FILE.
    #[arg(long, value_name = "TRACE")]
    pub replay: Option<PathBuf>,
    /// Repeat every case N times in one session and fail on live handles or guest
    /// memory growth between the first and last cycle.
    #[arg(long, value_name = "N")]
    pub leaks: Option<u32>,
    /// Run the files' cases on COMPONENT instead of the component each file names (the
    /// same tests on another build, or another language's).
    #[arg(long, value_name = "COMPONENT", conflicts_with = "replay")]
    pub component: Option<PathBuf>,
    /// Run only the cases whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// How to report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub cache: CacheOptions,
}

/// The report formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// A line per case, then the totals.
    Text,
    /// JUnit XML.
    Junit,
    /// JSON.
    Json,
}

impl TestCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let mut config = weft_runtime::RuntimeConfig {
            fuel: true,
            ..weft_runtime::RuntimeConfig::default()
        };
        self.cache.apply(&mut config);
        let runtime = Runtime::new(config)?;
        let options = RunOptions {
            leaks: self.leaks,
            filter: self.filter.clone(),
        };
        let mut reports: Vec<FileReport> = Vec::new();
        let mut broken = 0;
        if let Some(trace) = &self.replay {
            let [component] = self.files.as_slice() else {
                bail!(
                    "`--replay TRACE` replays on one component: `weft test --replay {} COMPONENT`",
                    trace.display()
                );
            };
            reports.push(weft_test::replay(&runtime, trace, component, &options)?);
        } else {
            for path in test_files(&self.files)? {
                let file = TestFile::read(&path).map(|mut file| {
                    if let Some(component) = &self.component {
                        file.component = component.clone();
                    }
                    file
                });
                let ran = file
                    .map_err(weft_test::TestError::from)
                    .and_then(|file| weft_test::run_test(&runtime, &file, &options));
                match ran {
                    Ok(report) => reports.push(report),
                    Err(error) => {
                        broken += 1;
                        crate::output::print_error(&anyhow::Error::new(error));
                    }
                }
            }
        }
        let format = match self.format {
            ReportFormat::Text => Format::Text,
            ReportFormat::Junit => Format::Junit,
            ReportFormat::Json => Format::Json,
        };
        print!("{}", weft_test::render(&reports, format));
        let failed: usize = reports.iter().map(|r| r.counts().1).sum();
        match (failed, broken) {
            (0, 0) => Ok(()),
            (_, 0) => bail!("{failed} case(s) failed"),
            (0, _) => bail!("{broken} test file(s) could not run"),
            _ => bail!("{failed} case(s) failed, and {broken} test file(s) could not run"),
        }
    }
}

/// The test files `paths` name: files as given, directories' `*.toml` in name order.
fn test_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read the directory `{}`", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            found.sort();
            if found.is_empty() {
                bail!("`{}` holds no test files (`*.toml`)", path.display());
            }
            files.extend(found);
        } else {
            files.push(Path::new(path).to_path_buf());
        }
    }
    Ok(files)
}
