//! `weft wit check|print|diff`: WIT authoring tools over the `weft-wit` library.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};

use crate::options::WitFeatures;

/// Check, print and compare WIT packages.
#[derive(Subcommand)]
pub enum WitCommand {
    Check(CheckCommand),
    Print(PrintCommand),
    Diff(DiffCommand),
}

impl WitCommand {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            WitCommand::Check(c) => c.run(),
            WitCommand::Print(c) => c.run(),
            WitCommand::Diff(c) => c.run(),
        }
    }
}

/// Check WIT and explain every error: location, source line, and how to fix it.
///
/// PATH is a `.wit` file, a directory (one package, dependencies under `deps/`),
/// or a component (its embedded WIT). On success a one-line summary is printed.
#[derive(Args)]
#[command(after_help = "Examples:
  weft wit check wit/greeter/greeter.wit
  weft wit check wit/plugin-system   # a directory (with deps/ if it has any)
  weft wit check greeter.wasm --json

Exit status: 0 when the WIT is valid, 1 when it is not or on any error.")]
pub struct CheckCommand {
    /// The `.wit` file, WIT directory or component to check.
    pub path: PathBuf,
    /// Print the result as JSON: `{"ok": true, "summary": ..}` or `{"ok": false, "diagnostics": [..]}`.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub features: WitFeatures,
}

impl CheckCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let display = self.path.display().to_string();
        match weft_wit::load_with(&self.path, &self.features.get()) {
            Ok(loaded) => {
                let summary = weft_wit::summarize(&loaded);
                if self.json {
                    let v = serde_json::json!({ "ok": true, "path": display, "summary": summary });
                    write_stdout(&format!("{}\n", serde_json::to_string_pretty(&v)?))
                } else {
                    write_stdout(&format!("ok: {summary}\n"))
                }
            }
            Err(weft_wit::LoadError::Invalid { diagnostics, .. }) => {
                if self.json {
                    let v = serde_json::json!({ "ok": false, "path": display, "diagnostics": diagnostics });
                    write_stdout(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
                } else {
                    crate::output::stderr_line!("{}", weft_wit::diagnose::render(&diagnostics));
                }
                let n = diagnostics.len();
                bail!(
                    "`{display}` is not valid WIT: {n} {}",
                    if n == 1 { "error" } else { "errors" }
                )
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Print the resolved WIT in canonical form.
///
/// A file, a directory and a wasm-encoded package print the same text (the main
/// package and any nested `package x:y { .. }` blocks). A component prints as
/// `wasm-tools component wit` shows it: its world, then every package the world
/// uses as a nested block.
#[derive(Args)]
#[command(after_help = "Examples:
  weft wit print wit/greeter
  weft wit print greeter.wasm        # the component's world and the packages it uses
  weft wit print wit/greeter --json  # wit-parser's JSON form, dependencies included

Exit status: 0 on success, 1 when the WIT is invalid or on any error.")]
pub struct PrintCommand {
    /// The `.wit` file, WIT directory or component to print.
    pub path: PathBuf,
    /// Print wit-parser's JSON form of the resolved packages instead of WIT text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub features: WitFeatures,
}

impl PrintCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let loaded = load(&self.path, &self.features)?;
        let text = if self.json {
            weft_wit::print_json(&loaded)? + "\n"
        } else {
            weft_wit::print(&loaded)?
        };
        write_stdout(&text)
    }
}

/// Compare two versions of a WIT package and check the declared version bump.
///
/// Every added, removed or changed world, interface, type and function is listed
/// with its WIT before and after, classified major, minor or patch with the
/// reason (for components that import the interface and for those that export
/// it), and each world is cross-checked with wit-component's semver check.
#[derive(Args)]
#[command(after_help = "Examples:
  weft wit diff v1/storage.wit v2/storage.wit
  weft wit diff old/ new/ --json
  weft wit diff old.wasm new.wasm

Exit status: 0 when the declared versions cover the changes, 1 when the bump is too
small (or the version goes down) or on any error.")]
pub struct DiffCommand {
    /// The old version: a `.wit` file, WIT directory or component.
    pub old: PathBuf,
    /// The new version: a `.wit` file, WIT directory or component.
    pub new: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub features: WitFeatures,
}

impl DiffCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let old = load(&self.old, &self.features)?;
        let new = load(&self.new, &self.features)?;
        let report = weft_wit::diff(&old, &new)?;
        if self.json {
            write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        } else if report.verdict.ok {
            write_stdout(&report.render())?;
        } else {
            write_stdout(&report.render_changes())?;
        }
        if !report.verdict.ok {
            bail!("{}", report.verdict.message);
        }
        Ok(())
    }
}

/// Loads WIT, printing diagnostics to stderr when it is invalid.
fn load(path: &std::path::Path, features: &WitFeatures) -> anyhow::Result<weft_wit::Loaded> {
    match weft_wit::load_with(path, &features.get()) {
        Ok(l) => Ok(l),
        Err(e @ weft_wit::LoadError::Invalid { .. }) => {
            if let weft_wit::LoadError::Invalid { diagnostics, .. } = &e {
                crate::output::stderr_line!("{}", weft_wit::diagnose::render(diagnostics));
            }
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
