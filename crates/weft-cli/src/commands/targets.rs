//! `weft targets`: does a component fit a WIT world?

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

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
        let world = weft_compose::targets(&bytes, &world, self.allow_wasi)?;
        use std::io::Write as _;
        writeln!(
            std::io::stdout(),
            "`{}` fits world `{world}`",
            self.component.display()
        )?;
        Ok(())
    }
}
