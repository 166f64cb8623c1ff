//! `weft new`: a core module becomes a component.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use weft_compose::{NewOptions, WasiAdapter};

use crate::options::{OutputArg, WitWorld};

/// Turn a core wasm module into a component.
///
/// The module's interface comes from WIT embedded by wit-bindgen, or from `--wit` and
/// `--world`. A module that imports `wasi_snapshot_preview1` is adapted to WASI 0.2 with
/// the adapter built into weft (the one matching wasmtime 48): nothing to download.
#[derive(Args)]
#[command(after_help = "Examples:
  weft new target/wasm32-wasip1/release/greeter.wasm -o greeter.wasm
  weft new module.wasm --wit wit/greeter --world greeter -o greeter.wasm

Exit status: 0 when the component was written, 1 on any error.")]
pub struct NewCommand {
    /// The core module.
    pub module: PathBuf,
    /// The world describing the module's imports and exports, if it carries no WIT.
    #[command(flatten)]
    pub world: WitWorld,
    /// Which `wasi_snapshot_preview1` adapter to use.
    #[arg(long, value_enum, default_value_t = AdapterArg::Auto)]
    pub adapter: AdapterArg,
    /// Another adapter module for imports from module NAME (repeatable).
    #[arg(long = "adapt", value_name = "NAME=FILE")]
    pub adapt: Vec<String>,
    #[command(flatten)]
    pub output: OutputArg,
}

/// The `--adapter` choices.
#[derive(Clone, Copy, ValueEnum)]
pub enum AdapterArg {
    /// Command adapter if the module exports `_start`, else reactor; none if it does not use WASI preview1.
    Auto,
    /// The command adapter (exports `wasi:cli/run`).
    Command,
    /// The reactor adapter (a library of exports).
    Reactor,
    /// The proxy adapter (for `wasi:http/proxy`).
    Proxy,
}

impl NewCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let module = weft_compose::read_wasm(&self.module)
            .with_context(|| format!("failed to read `{}`", self.module.display()))?;
        let mut adapters = Vec::new();
        for spec in &self.adapt {
            let Some((name, file)) = spec.split_once('=') else {
                anyhow::bail!(
                    "invalid `--adapt {spec}`; expected `NAME=FILE`, e.g. `my_shim=shim.wasm`"
                );
            };
            let bytes =
                std::fs::read(file).with_context(|| format!("failed to read adapter `{file}`"))?;
            adapters.push((name.to_string(), bytes));
        }
        let options = NewOptions {
            world: self.world.get(),
            wasi_adapter: match self.adapter {
                AdapterArg::Auto => WasiAdapter::Auto,
                AdapterArg::Command => WasiAdapter::Command,
                AdapterArg::Reactor => WasiAdapter::Reactor,
                AdapterArg::Proxy => WasiAdapter::Proxy,
            },
            adapters,
        };
        let built = weft_compose::new_component(&module, &options).with_context(|| {
            format!(
                "failed to turn `{}` into a component",
                self.module.display()
            )
        })?;
        if let Some(adapter) = built.wasi_adapter {
            let kind = match adapter {
                WasiAdapter::Command => "command",
                WasiAdapter::Proxy => "proxy",
                WasiAdapter::Reactor | WasiAdapter::Auto => "reactor",
            };
            crate::output::stderr_line!("adapted wasi_snapshot_preview1 with the {kind} adapter");
        }
        self.output.write_composition(&built.component)
    }
}
