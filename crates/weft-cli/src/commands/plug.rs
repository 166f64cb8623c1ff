//! `weft plug`: plug components' exports into another component's imports.

use std::path::PathBuf;

use clap::Args;

use crate::options::OutputArg;

/// Plug the exports of components into the matching imports of a socket component.
///
/// Each export of a plug satisfies the socket's import of the same name (or of a
/// semver-compatible version). The result exports what the socket exports; imports no
/// plug satisfies, and the plugs' own imports, stay imports of the result and are listed.
/// An export whose name matches but whose type differs is an error showing both in WIT.
#[derive(Args)]
#[command(after_help = "Examples:
  weft plug greeter.wasm --plug logger.wasm -o app.wasm
  weft plug legacy_app.wasm --plug storage_adapter.wasm -o app.wasm

Exit status: 0 when the component was written, 1 on any error.")]
pub struct PlugCommand {
    /// The component whose imports are satisfied.
    pub socket: PathBuf,
    /// A component whose exports are plugged in (repeatable).
    #[arg(long = "plug", value_name = "COMPONENT", required = true)]
    pub plugs: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArg,
}

impl PlugCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let composition = weft_compose::plug(&self.socket, &self.plugs)?;
        self.output.write_composition(&composition)
    }
}
