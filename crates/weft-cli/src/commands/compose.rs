//! `weft compose`: many components into one, from a `compose.toml` or a WAC file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use weft_compose::Composition;

use crate::options::WacDeps;

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
    /// Where to write the component; stdout when omitted (not on a terminal).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
        write_composition(&composition, self.output.as_deref())
    }
}

/// Writes the component to `output` (or stdout), warnings to stderr, and a summary of
/// its exports and open imports to stdout (to stderr when the component went there).
pub(crate) fn write_composition(
    composition: &Composition,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let output = output.filter(|p| *p != Path::new("-"));
    for warning in &composition.warnings {
        crate::output::stderr_line!("warning: {warning}");
    }
    write_wasm(&composition.bytes, output)?;
    let mut summary = Vec::new();
    let name = output.map_or("<stdout>".to_string(), |p| format!("`{}`", p.display()));
    writeln!(summary, "wrote {name}")?;
    writeln!(summary, "exports ({}):", composition.exports.len())?;
    for export in &composition.exports {
        writeln!(summary, "  {} {}", export.kind, export.name)?;
    }
    if composition.imports.is_empty() {
        writeln!(summary, "imports: none")?;
    } else {
        writeln!(
            summary,
            "imports left open, to be provided by the host ({}):",
            composition.imports.len()
        )?;
        for import in &composition.imports {
            writeln!(summary, "  {} {}", import.kind, import.name)?;
        }
    }
    if output.is_some() {
        std::io::stdout().lock().write_all(&summary)?;
    } else {
        std::io::stderr().lock().write_all(&summary)?;
    }
    Ok(())
}

/// Writes wasm bytes to `output`, or to stdout unless it is a terminal.
pub(crate) fn write_wasm(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) if path != Path::new("-") => std::fs::write(path, bytes)
            .with_context(|| format!("failed to write `{}`", path.display())),
        _ => {
            let mut stdout = std::io::stdout().lock();
            if stdout.is_terminal() {
                anyhow::bail!(
                    "refusing to write a binary component to a terminal; pass `-o FILE` or redirect stdout"
                );
            }
            stdout
                .write_all(bytes)
                .context("failed to write to stdout")?;
            stdout.flush().context("failed to write to stdout")
        }
    }
}
