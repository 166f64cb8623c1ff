//! `weft targets`: does a component fit a WIT world?

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::json;
use weft_compose::TargetsError;

use crate::options::WitWorld;

/// Check that a component fits a WIT world: it imports nothing the world does not
/// provide and exports everything the world requires, with the same types.
///
/// When it does not, every import and export that differs is listed, with the WIT of
/// both sides.
#[derive(Args)]
#[command(after_help = "Examples:
  weft targets greeter.wasm --wit wit/greeter --world greeter --allow-wasi
  weft targets app.wasm --wit wit/app --world example:app/app@1.0.0

Exit status: 0 when the component fits the world, 1 when it does not or on any error.")]
#[command(mut_arg("wit", |wit| wit.required(true)))]
pub struct TargetsCommand {
    /// The component.
    pub component: PathBuf,
    /// The world to check against (`--wit` is required here).
    #[command(flatten)]
    pub world: WitWorld,
    /// Accept imports of WASI 0.2 interfaces the world does not list (hosts provide them).
    #[arg(long)]
    pub allow_wasi: bool,
    /// Print one JSON object: `{"ok": true, "world": ..}`, or `{"ok": false, "world": ..,
    /// "differences": [..]}` (or `"error"` when the check could not run).
    #[arg(long)]
    pub json: bool,
}

impl TargetsCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let bytes = weft_compose::read_wasm(&self.component)
            .with_context(|| format!("failed to read `{}`", self.component.display()))?;
        let world = self
            .world
            .get()
            .context("`--wit PATH` names the world's package")?;
        let checked = weft_compose::targets(&bytes, &world, self.allow_wasi);
        let mut out = std::io::stdout().lock();
        if !self.json {
            writeln!(
                out,
                "`{}` fits world `{}`",
                self.component.display(),
                checked?
            )?;
            return Ok(());
        }
        let component = self.component.display().to_string();
        let report = match &checked {
            Ok(world) => json!({"ok": true, "component": component, "world": world}),
            Err(TargetsError::Mismatch { world, differences }) => json!({
                "ok": false, "component": component, "world": world, "differences": differences,
            }),
            Err(error) => {
                json!({"ok": false, "component": component, "error": format!("{error:#}")})
            }
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        match checked {
            Ok(_) => Ok(()),
            Err(TargetsError::Mismatch { world, .. }) => {
                bail!("`{component}` does not fit world `{world}`")
            }
            Err(error) => Err(error.into()),
        }
    }
}
