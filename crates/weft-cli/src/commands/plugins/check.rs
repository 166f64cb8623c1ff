//! `weft plugins check`: load and validate every plugin of a manifest.

use std::io::Write as _;

use anyhow::bail;
use clap::Args;
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
}

impl CheckCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let host = self.host.load()?;
        let plugins = host.plugins();
        let mut out = std::io::stdout().lock();
        let mut failed = 0;
        for plugin in &plugins {
            let file = shown(&plugin.path);
            match &plugin.status {
                PluginStatus::Loaded {
                    world,
                    info,
                    wanted,
                    ..
                } => {
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
                PluginStatus::Failed(error) => {
                    failed += 1;
                    writeln!(out, "FAILED  {} ({file})", plugin.name)?;
                    let mut message = String::new();
                    let causes = std::iter::successors(
                        Some(error.as_ref() as &(dyn std::error::Error + 'static)),
                        |e| e.source(),
                    );
                    for cause in causes.map(|c| c.to_string()) {
                        // Errors that show their source in their own message are not repeated.
                        if !message.contains(&cause) {
                            if !message.is_empty() {
                                message.push_str(": ");
                            }
                            message.push_str(&cause);
                        }
                    }
                    for line in message.lines() {
                        writeln!(out, "        {line}")?;
                    }
                }
                PluginStatus::Disabled => {
                    writeln!(out, "off     {} ({file}): enabled = false", plugin.name)?;
                }
            }
        }
        if failed > 0 {
            bail!("{failed} of {} plugins failed to load", plugins.len());
        }
        Ok(())
    }
}
