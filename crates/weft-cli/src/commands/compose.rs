//! `weft compose`: many components into one, from a `compose.toml` or a WAC file.

use std::path::PathBuf;

use clap::Args;

use crate::options::{OutputArg, WacDeps};

/// Compose components into one, from the seed's compose.toml or a WAC document.
///
/// A `.toml` input is a manifest: `[component.dependencies]` names component files,
/// `[component.instantiate]` (or several `[[component.instantiate]]`) says which to
/// instantiate and which instance satisfies which import. Any other input is read as
/// WAC, whose packages come from `--dep` or from `<deps-dir>/<namespace>/<name>.wasm`.
/// Imports nothing satisfies become imports of the result; they are listed.
/// See docs/compose.md for the manifest format.
#[derive(Args)]
#[command(after_help = "Examples:
  weft compose compose.toml -o app.wasm
  weft compose app.wac --dep example:greeter=greeter.wasm -o app.wasm

Exit status: 0 when the composed component was written (warnings go to stderr),
1 on any error.")]
pub struct ComposeCommand {
    /// The manifest (`.toml`) or WAC document (`.wac`).
    pub input: PathBuf,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub wac: WacDeps,
}

impl ComposeCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let is_toml = self.input.extension().is_some_and(|e| e == "toml");
        let composition = if is_toml {
            self.wac.check_manifest()?;
            weft_compose::compose_manifest_file(&self.input)?
        } else {
            weft_compose::compose_wac_file(&self.input, &self.wac.wac_options()?)?
        };
        self.output.write_composition(&composition)
    }
}
