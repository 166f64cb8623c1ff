//! `weft plugins check`: load and validate every plugin of a manifest.

use std::io::Write as _;

use anyhow::bail;
use clap::Args;
use serde_json::json;
use weft_plugins::PluginStatus;

use super::{HostOptions, shown};

/// Load and validate every plugin of a manifest, and print each one's `metadata()` and
/// verdict.
///
/// A plugin must fit the host's world, `example:plugin-system/plugin-impl` at any 1.x
/// version; one that does not gets the same diff `weft targets` prints.
#[derive(Args)]
#[command(after_help = "Examples:
  weft plugins check plugins.toml

Exit status: 0 when every enabled plugin loads, 1 when one does not or on any error.")]
pub struct CheckCommand {
    #[command(flatten)]
    host: HostOptions,
    /// Print one JSON array, an object per plugin: `name`, `file`, `status` (`ok`,
    /// `failed`, `off`), and `info`, `world`, `built_for`, `wants`, `sha256` or `error`.
    #[arg(long)]
    json: bool,
}

impl CheckCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let host = self.host.load()?;
        let plugins = host.plugins();
        let mut out = std::io::stdout().lock();
        let mut failed = 0;
        let mut report = Vec::new();
        for plugin in &plugins {
            let file = shown(&plugin.path);
            let entry = match &plugin.status {
                PluginStatus::Loaded {
                    world,
                    version,
                    info,
                    wanted,
                    sha256,
                } => {
                    if !self.json {
                        writeln!(out, "ok      {} ({file})", plugin.name)?;
                        writeln!(
                            out,
                            "        {} {} by {}: {}",
                            info.name, info.version, info.author, info.description
                        )?;
                        let wants = match wanted {
                            Some(types) => format!("; wants {}", types.join(", ")),
                            None => String::new(),
                        };
                        writeln!(out, "        fits {world}{wants}")?;
                    }
                    json!({
                        "name": plugin.name, "file": file, "status": "ok", "world": world,
                        "info": {"name": info.name, "version": info.version,
                                 "author": info.author, "description": info.description},
                        "wants": wanted, "sha256": sha256, "built_for": version.to_string(),
                    })
                }
                PluginStatus::Failed(error) => {
                    failed += 1;
                    let message = message_of(error.as_ref());
                    if !self.json {
                        writeln!(out, "FAILED  {} ({file})", plugin.name)?;
                        for line in message.lines() {
                            writeln!(out, "        {line}")?;
                        }
                    }
                    json!({"name": plugin.name, "file": file, "status": "failed", "error": message})
                }
                PluginStatus::Disabled => {
                    if !self.json {
                        writeln!(out, "off     {} ({file}): enabled = false", plugin.name)?;
                    }
                    json!({"name": plugin.name, "file": file, "status": "off"})
                }
            };
            report.push(entry);
        }
        if self.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
        if failed > 0 {
            bail!("{failed} of {} plugins failed to load", plugins.len());
        }
        Ok(())
    }
}

/// `error` and its causes on one line, leaving out causes its message already shows.
fn message_of(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = String::new();
    for cause in std::iter::successors(Some(error), |e| e.source()).map(|c| c.to_string()) {
        if !message.contains(&cause) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&cause);
        }
    }
    message
}
