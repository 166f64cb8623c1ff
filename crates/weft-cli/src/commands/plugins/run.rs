//! `weft plugins run`: events as JSON lines on stdin through the chain, one answer per
//! line on stdout.

use std::io::{BufRead as _, Write as _};

use anyhow::Context;
use clap::Args;
use serde_json::{Map, Value, json};
use weft_plugins::{Dispatch, Event, PluginStats, PluginStatus, StepOutcome, bytes_json};

use super::HostOptions;
use crate::output::stderr_line;

/// Run events through a chain of plugins: one JSON event per line on stdin, one JSON
/// answer per line on stdout.
///
/// An event is the JSON form of `hooks.event`: `{"event-type": ..., "payload": ...,
/// "timestamp": ...}`, where `payload` is a list of bytes or a string (its UTF-8 bytes)
/// and `timestamp` (milliseconds) defaults to now. An answer has `handled`, `response`,
/// `payload` (a string when it is UTF-8), `error` when a plugin stopped the chain, and
/// `trace`: what each plugin did. A line that is not an event is answered with an
/// `error` naming the line, and the host goes on.
#[derive(Args)]
#[command(after_help = "Examples:
  echo '{\"event-type\": \"http.request\", \"payload\": \"{}\"}' | weft plugins run plugins.toml
  weft plugins run plugins.toml --watch --stats < events.jsonl")]
pub struct RunCommand {
    #[command(flatten)]
    host: HostOptions,
    /// Reload a plugin when its file or the manifest changes.
    #[arg(long)]
    watch: bool,
    /// Print each plugin's figures to stderr at the end.
    #[arg(long)]
    stats: bool,
}

impl RunCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let host = self.host.load()?;
        for plugin in host.plugins() {
            if let PluginStatus::Failed(error) = plugin.status {
                stderr_line!("weft plugins: `{}`: not loaded: {error}", plugin.name);
            }
        }
        let _watcher = if self.watch {
            // Reloads are reported on stderr as they happen: stdout carries only answers.
            let watcher = weft_plugins::watch(host.clone(), |reloaded| match reloaded {
                Ok(report) => {
                    for name in report.reloaded.iter().chain(&report.added) {
                        stderr_line!("weft plugins: `{name}`: loaded a new version");
                    }
                    for name in &report.removed {
                        stderr_line!("weft plugins: `{name}`: removed from the chain");
                    }
                    for (name, error) in &report.kept {
                        stderr_line!(
                            "weft plugins: `{name}`: the new version failed, the previous one keeps running: {error}"
                        );
                    }
                    for (name, error) in &report.failed {
                        stderr_line!("weft plugins: `{name}`: not loaded: {error}");
                    }
                }
                Err(error) => {
                    stderr_line!("weft plugins: the manifest was not reloaded: {error}")
                }
            })
            .context("failed to watch the plugin files")?;
            Some(watcher)
        } else {
            None
        };
        let stdin = std::io::stdin().lock();
        let mut stdout = std::io::stdout().lock();
        for (index, line) in stdin.lines().enumerate() {
            let line = line.context("failed to read stdin")?;
            if line.trim().is_empty() {
                continue;
            }
            let answer = match Event::from_json(&line) {
                Ok(event) => answer_json(&host.dispatch(event)),
                Err(error) => json!({"error": format!("stdin line {}: {error}", index + 1)}),
            };
            writeln!(stdout, "{answer}")?;
            stdout.flush()?;
        }
        if self.stats {
            print_stats(&host.stats());
        }
        Ok(())
    }
}

/// The JSON answer to one event.
fn answer_json(dispatch: &Dispatch) -> Value {
    let trace: Vec<Value> = dispatch
        .trace
        .iter()
        .map(|step| {
            let mut entry = Map::new();
            entry.insert("plugin".into(), json!(step.plugin));
            entry.insert("outcome".into(), json!(step.outcome.name()));
            if let StepOutcome::Failed(error) | StepOutcome::Disabled(error) = &step.outcome {
                entry.insert("error".into(), json!(error));
            }
            entry.insert("micros".into(), json!(step.took.as_micros() as u64));
            Value::Object(entry)
        })
        .collect();
    let mut answer = Map::new();
    answer.insert("handled".into(), json!(dispatch.handled));
    answer.insert("response".into(), json!(dispatch.response));
    answer.insert("payload".into(), bytes_json(&dispatch.payload));
    if let Some(error) = &dispatch.error {
        answer.insert("error".into(), json!(error));
    }
    answer.insert("trace".into(), Value::Array(trace));
    Value::Object(answer)
}

/// The per-plugin table `--stats` prints.
fn print_stats(stats: &[PluginStats]) {
    let width = stats.iter().map(|s| s.name.len()).max().unwrap_or(0).max(6);
    stderr_line!(
        "{:width$}  {:>7} {:>7} {:>6} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "plugin",
        "events",
        "handled",
        "errors",
        "restarts",
        "skipped",
        "p50",
        "p90",
        "p99",
        "max",
        "memory",
        "instances"
    );
    for s in stats {
        stderr_line!(
            "{:width$}  {:>7} {:>7} {:>6} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}{}",
            s.name,
            s.events,
            s.handled,
            s.errors,
            s.restarts,
            s.skipped,
            format!("{:?}", s.p50),
            format!("{:?}", s.p90),
            format!("{:?}", s.p99),
            format!("{:?}", s.max),
            format!("{} KiB", s.memory / 1024),
            s.instances,
            s.disabled
                .as_ref()
                .map(|r| format!("  ({r})"))
                .unwrap_or_default(),
        );
    }
}
