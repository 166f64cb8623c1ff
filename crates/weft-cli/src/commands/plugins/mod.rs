//! `weft plugins`: the plugin host (`weft-plugins`) from the command line.

mod check;
mod run;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use weft_plugins::{Manifest, PluginHost};
use weft_runtime::{Runtime, RuntimeConfig};

use crate::options::CacheOptions;

/// Load a chain of plugins from a `plugins.toml` and check it or run events through it.
#[derive(Subcommand)]
pub enum PluginsCommand {
    Check(check::CheckCommand),
    Run(run::RunCommand),
}

impl PluginsCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            PluginsCommand::Check(c) => c.run(),
            PluginsCommand::Run(c) => c.run(),
        }
    }
}

/// The manifest, and where compiled plugins are cached.
#[derive(Args)]
pub struct HostOptions {
    /// The plugin manifest.
    pub manifest: PathBuf,
    #[command(flatten)]
    pub cache: CacheOptions,
}

impl HostOptions {
    /// Reads the manifest and loads its plugins on a runtime that counts fuel when a
    /// plugin has a `fuel` limit.
    fn load(&self) -> anyhow::Result<Arc<PluginHost>> {
        let manifest = Manifest::from_file(&self.manifest)?;
        let mut config = RuntimeConfig {
            fuel: manifest.plugins.iter().any(|p| p.limits.fuel.is_some()),
            ..RuntimeConfig::default()
        };
        self.cache.apply(&mut config);
        let runtime = Runtime::new(config).context("failed to start the runtime")?;
        Ok(Arc::new(PluginHost::new(Arc::new(runtime), manifest)))
    }
}

/// A plugin's file as the user wrote it: relative to the current directory when it is
/// below it.
fn shown(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
