//! `weft plugins`: the plugin host (`weft-plugins`) from the command line.

mod check;
mod run;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use weft_plugins::{Manifest, PluginHost};
use weft_runtime::{CompileCache, Runtime, RuntimeConfig};

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

/// Where compiled plugins are cached.
#[derive(Args)]
pub struct HostOptions {
    /// The plugin manifest.
    pub manifest: PathBuf,
    /// Compile without reading or writing the compile cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Where compiled components are cached [default: $WEFT_CACHE_DIR, $XDG_CACHE_HOME/weft or ~/.cache/weft].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
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
        if self.no_cache {
            config.cache = None;
        } else if let Some(dir) = &self.cache_dir {
            config.cache = Some(CompileCache::new(dir));
        }
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
