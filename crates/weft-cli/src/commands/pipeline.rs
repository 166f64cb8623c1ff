//! `weft pipeline`: stream input through a chain of transform components.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use weft_pipeline::{Pipeline, PipelineManifest, Progress, RunStats, StageSpec};
use weft_runtime::{Runtime, RuntimeConfig, parse_duration, parse_size};

use crate::options::CacheOptions;
use crate::output::stderr_line;

/// Stream input through a chain of transform components (`example:pipeline`), every
/// stage at once, in constant memory.
///
/// A STAGE is `PATH[=CONFIG]` (the config string given to `processor(config)`), or one
/// `pipeline.toml` naming the stages, their configs, pins and limits. Input comes from
/// stdin or `-i` files (each its own stream, the instances reset between them); output
/// goes to stdout or `-o`, written to a temporary file and renamed at the end, so a
/// failed run leaves no half-written output.
#[derive(Args)]
#[command(after_help = "Examples:
  weft pipeline transform_gzip.wasm transform_base64_encode.wasm < big.log > big.b64
  weft pipeline transform_base64_decode.wasm transform_gunzip.wasm -i big.b64 -o big.log
  weft pipeline 'transform_grep.wasm={\"pattern\": \"ERROR\"}' -i logs/ -o errors/
  weft pipeline pipeline.toml --stats --json

Exit status: 0 when every input went through, 1 when a stage failed or on any error.")]
pub struct PipelineCommand {
    /// The stages in order (`PATH[=CONFIG]`), or one `pipeline.toml`.
    #[arg(required = true, value_name = "STAGE")]
    stages: Vec<String>,
    /// An input file, or a directory of them (repeatable) [default: stdin].
    #[arg(short, long = "input", value_name = "PATH")]
    inputs: Vec<PathBuf>,
    /// The output file, or with several inputs a directory [default: stdout].
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Bytes read at a time, e.g. `64KiB` [default: 64KiB, or the manifest's].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    chunk_size: Option<usize>,
    /// Write the output in place, so a failed run leaves what was written so far.
    #[arg(long)]
    keep_partial: bool,
    /// Print per-stage time, bytes and the bottleneck stage on stderr.
    #[arg(long)]
    stats: bool,
    /// With `--stats`: as JSON.
    #[arg(long, requires = "stats")]
    json: bool,
    /// Wall-clock time each `process` call may take, e.g. `500ms` (stages given as paths).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// The most linear memory one stage may use, e.g. `64MiB` (stages given as paths).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<usize>,
    /// Fuel for each `process` call (stages given as paths).
    #[arg(long, value_name = "UNITS")]
    fuel: Option<u64>,
    #[command(flatten)]
    cache: CacheOptions,
}

impl PipelineCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let manifest = self.manifest()?;
        let mut config = RuntimeConfig {
            fuel: manifest.stages.iter().any(|s| s.limits.fuel.is_some()),
            ..RuntimeConfig::default()
        };
        self.cache.apply(&mut config);
        let runtime = Runtime::new(config).context("failed to start the runtime")?;
        // Every stage is checked before any input is read.
        let mut pipeline = Pipeline::from_manifest(&runtime, &manifest)?;
        let inputs = self.input_files()?;
        let mut all = Vec::new();
        if inputs.is_empty() {
            let output = self.output.clone();
            all.push(self.run_one(&mut pipeline, None, output.as_deref())?);
        } else {
            let several = inputs.len() > 1;
            if several && let Some(dir) = &self.output {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("failed to create `{}`", dir.display()))?;
            }
            for input in &inputs {
                let output = match (&self.output, several) {
                    (Some(dir), true) => Some(dir.join(input.file_name().unwrap_or_default())),
                    (output, _) => output.clone(),
                };
                let stats = self
                    .run_one(&mut pipeline, Some(input), output.as_deref())
                    .with_context(|| format!("input `{}`", input.display()))?;
                all.push(stats);
            }
        }
        if self.stats {
            print_stats(&all, self.json);
        }
        Ok(())
    }

    /// The stages from the arguments, or from the one manifest given.
    fn manifest(&self) -> anyhow::Result<PipelineManifest> {
        let mut manifest = match self.stages.as_slice() {
            [one] if one.ends_with(".toml") => PipelineManifest::from_file(Path::new(one))?,
            stages => PipelineManifest {
                chunk_size: weft_pipeline::DEFAULT_CHUNK_SIZE,
                stages: stages
                    .iter()
                    .map(|arg| {
                        let mut stage = StageSpec::from_arg(arg);
                        stage.limits.timeout = self.timeout;
                        stage.limits.fuel = self.fuel;
                        if let Some(max) = self.max_memory {
                            stage.limits.max_memory = max;
                        }
                        stage
                    })
                    .collect(),
            },
        };
        if let Some(size) = self.chunk_size {
            if size == 0 {
                bail!("`--chunk-size 0`: a chunk must hold at least 1 byte");
            }
            manifest.chunk_size = size;
        }
        Ok(manifest)
    }

    /// The input files: each `-i` file, and the files of each `-i` directory in name order.
    fn input_files(&self) -> anyhow::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for input in &self.inputs {
            if input.is_dir() {
                let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                    .with_context(|| format!("failed to read the directory `{}`", input.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                entries.sort();
                files.extend(entries);
            } else {
                files.push(input.clone());
            }
        }
        Ok(files)
    }

    /// Streams one input (stdin when `None`) to one output (stdout when `None`).
    fn run_one(
        &self,
        pipeline: &mut Pipeline,
        input: Option<&Path>,
        output: Option<&Path>,
    ) -> anyhow::Result<RunStats> {
        let progress = ProgressDisplay::start(pipeline.progress());
        let reader: Box<dyn std::io::Read + Send> = match input {
            Some(path) => Box::new(
                std::fs::File::open(path)
                    .with_context(|| format!("failed to open `{}`", path.display()))?,
            ),
            None => Box::new(std::io::stdin()),
        };
        let stats = match output {
            None => pipeline.run(reader, std::io::stdout())?,
            Some(path) if self.keep_partial => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("failed to create `{}`", path.display()))?;
                pipeline.run(reader, std::io::BufWriter::new(file))?
            }
            Some(path) => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                let temp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))
                    .with_context(|| {
                        format!(
                            "failed to create a temporary file beside `{}`",
                            path.display()
                        )
                    })?;
                let stats = pipeline.run(reader, std::io::BufWriter::new(temp.as_file()))?;
                temp.persist(path)
                    .with_context(|| format!("failed to write `{}`", path.display()))?;
                stats
            }
        };
        drop(progress);
        Ok(stats)
    }
}

/// A progress bar on stderr while a run goes on, when stderr is a terminal.
struct ProgressDisplay {
    stop: std::sync::Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressDisplay {
    fn start(progress: std::sync::Arc<Progress>) -> ProgressDisplay {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {elapsed} in {msg}")
                        .expect("a valid template"),
                );
                let started = std::time::Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    let seconds = started.elapsed().as_secs_f64().max(0.001);
                    let bytes_in = progress.bytes_in.load(Ordering::Relaxed);
                    let stages: Vec<String> = progress
                        .stage_bytes
                        .iter()
                        .enumerate()
                        .map(|(i, b)| {
                            let b = b.load(Ordering::Relaxed);
                            format!(
                                "{}: {}/s",
                                i + 1,
                                indicatif::HumanBytes((b as f64 / seconds) as u64)
                            )
                        })
                        .collect();
                    bar.set_message(format!(
                        "{} out {}  [{}]",
                        indicatif::HumanBytes(bytes_in),
                        indicatif::HumanBytes(progress.bytes_out.load(Ordering::Relaxed)),
                        stages.join(", ")
                    ));
                    bar.tick();
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            })
        });
        ProgressDisplay { stop, thread }
    }
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `--stats`: per stage, summed over every input.
fn print_stats(runs: &[RunStats], json: bool) {
    let Some(first) = runs.first() else { return };
    let mut total = first.clone();
    for run in &runs[1..] {
        total.bytes_in += run.bytes_in;
        total.bytes_out += run.bytes_out;
        total.elapsed += run.elapsed;
        for (sum, stage) in total.stages.iter_mut().zip(&run.stages) {
            sum.bytes_in += stage.bytes_in;
            sum.bytes_out += stage.bytes_out;
            sum.calls += stage.calls;
            sum.busy += stage.busy;
        }
    }
    let bottleneck = total.bottleneck().map(|s| s.name.clone());
    if json {
        let stages: Vec<serde_json::Value> = total
            .stages
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name, "bytes_in": s.bytes_in, "bytes_out": s.bytes_out,
                    "calls": s.calls, "busy_ms": s.busy.as_secs_f64() * 1000.0,
                })
            })
            .collect();
        let json = serde_json::json!({
            "inputs": runs.len(), "bytes_in": total.bytes_in, "bytes_out": total.bytes_out,
            "elapsed_ms": total.elapsed.as_secs_f64() * 1000.0, "stages": stages,
            "bottleneck": bottleneck,
        });
        stderr_line!("{json}");
        return;
    }
    let width = total
        .stages
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    stderr_line!(
        "{:width$}  {:>12} {:>12} {:>8} {:>10}",
        "stage",
        "bytes in",
        "bytes out",
        "calls",
        "busy"
    );
    for s in &total.stages {
        stderr_line!(
            "{:width$}  {:>12} {:>12} {:>8} {:>10}",
            s.name,
            s.bytes_in,
            s.bytes_out,
            s.calls,
            format!("{:.1?}", s.busy)
        );
    }
    let seconds = total.elapsed.as_secs_f64().max(1e-9);
    stderr_line!(
        "{} inputs, {} bytes in, {} out in {:.1?} ({:.1} MB/s); bottleneck: {}",
        runs.len(),
        total.bytes_in,
        total.bytes_out,
        total.elapsed,
        total.bytes_in as f64 / seconds / 1e6,
        bottleneck.unwrap_or_default()
    );
}
