//! `weft optimize`: a smaller component with the same behaviour (`weft_optimize`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use weft_optimize::{Keep, Level, Optimizer, Options, optimize, write_atomically};

/// Shrink a component: strip names and debug info, run wasm-opt on each core module,
/// and report the sizes before and after.
///
/// Debug info and names are stripped from the component and from every core module in
/// it, binaryen's wasm-opt runs on each core module, the result is validated, and the
/// sizes before and after are printed per module and section.
///
/// wasm-opt is `--wasm-opt PATH`, else `$WEFT_WASM_OPT`, else `wasm-opt` on PATH, else the
/// one `scripts/setup-binaryen.sh` installs in ~/.cache/weft/binaryen. When none is found
/// the modules are only stripped, and the report says so. A module wasm-opt fails on, or
/// whose output does not validate, is kept stripped, with a warning.
#[derive(Args)]
#[command(after_help = "Examples:
  weft optimize greeter.wasm -o greeter.opt.wasm
  weft optimize greeter.wasm -o small.wasm --strip-all -Oz
  weft optimize greeter.wasm -o fast.wasm -O3 --keep-names
  weft optimize greeter.wasm -o greeter.opt.wasm --no-wasm-opt --json | jq .after

Exit status: 0 when the output was written, 1 when the input cannot be optimized or the
output cannot be written (nothing is written then), 2 for usage errors.")]
pub struct OptimizeCommand {
    /// The component (or core module) to optimize, binary or WAT.
    pub input: PathBuf,
    /// Where to write the result (written to a temp file beside it, then renamed).
    #[arg(short, long, value_name = "OUT.wasm")]
    pub output: PathBuf,
    /// Keep `name` and `component-name` sections (function names in traps and backtraces).
    #[arg(long)]
    pub keep_names: bool,
    /// Strip `producers` sections too (kept by default: they say which tools made it).
    #[arg(long)]
    pub strip_producers: bool,
    /// Strip every custom section except `component-type` (producers and unknown ones too).
    #[arg(long, conflicts_with_all = ["keep_names", "strip_producers"])]
    pub strip_all: bool,
    /// Only strip: do not run wasm-opt even when one is found.
    #[arg(long, conflicts_with = "wasm_opt")]
    pub no_wasm_opt: bool,
    /// The wasm-opt to run; an error if it does not run.
    #[arg(long, value_name = "PATH")]
    pub wasm_opt: Option<PathBuf>,
    /// wasm-opt's optimization level: 0, 1, 2, 3, 4, s or z (`-Oz`: smallest, the point
    /// of this command; `-O3` for speed).
    #[arg(short = 'O', value_name = "LEVEL", default_value = "z")]
    pub level: Level,
    /// Print the report as one JSON object (schema in docs/optimize.md).
    #[arg(long)]
    pub json: bool,
}

impl OptimizeCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let name = self.input.display().to_string();
        let bytes =
            std::fs::read(&self.input).with_context(|| format!("failed to read `{name}`"))?;
        let bytes = weft_runtime::to_binary(&name, bytes)?;
        let keep = if self.strip_all {
            Keep::nothing()
        } else {
            Keep {
                names: self.keep_names,
                producers: !self.strip_producers,
                ..Keep::default()
            }
        };
        let optimizer = if self.no_wasm_opt {
            Optimizer::Off
        } else {
            Optimizer::find(self.wasm_opt.as_deref())?
        };
        let options = Options {
            keep,
            optimizer,
            level: self.level,
        };
        let optimized =
            optimize(&bytes, &options).with_context(|| format!("cannot optimize `{name}`"))?;
        write_atomically(&self.output, &optimized.bytes)?;
        let mut out = std::io::stdout().lock();
        if self.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&optimized.report)?)?;
            // The JSON carries them too; stderr is where a script's user looks.
            for warning in &optimized.report.warnings {
                eprintln!("warning: {warning}");
            }
        } else {
            write!(
                out,
                "{} -> {}: {}",
                name,
                self.output.display(),
                optimized.report
            )?;
        }
        Ok(())
    }
}
