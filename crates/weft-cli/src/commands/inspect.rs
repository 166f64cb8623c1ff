//! `weft inspect`: what a component is made of.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use weft_wit::{Inspection, inspect};

/// Show a component's imports and exports as WIT, its producers, the size of each
/// core module and custom section, and whether it validates.
#[derive(Args)]
#[command(after_help = "Examples:
  weft inspect greeter.wasm
  weft inspect --json greeter.wasm | jq .producers

Exit status: 0 when the file validates, 1 when it does not or cannot be read, 2 for
usage errors.")]
pub struct InspectCommand {
    /// The component file (binary or WAT).
    pub component: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

impl InspectCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let bytes = std::fs::read(&self.component)
            .with_context(|| format!("failed to read `{}`", self.component.display()))?;
        let name = self.component.display().to_string();
        let bytes = weft_runtime::to_binary(&name, bytes)?;
        let report = inspect(&bytes).with_context(|| {
            if bytes.starts_with(b"\0asm") {
                format!(
                    "`{name}` starts as WebAssembly but cannot be read: it is truncated or corrupt"
                )
            } else {
                format!("`{name}` is not a WebAssembly binary")
            }
        })?;
        let mut out = std::io::stdout().lock();
        if self.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        } else {
            write_text(&mut out, &name, &report)?;
        }
        match &report.invalid {
            Some(message) => anyhow::bail!("`{name}` does not validate: {message}"),
            None => Ok(()),
        }
    }
}

fn write_text(out: &mut impl Write, name: &str, report: &Inspection) -> std::io::Result<()> {
    let status = if report.invalid.is_some() {
        "invalid"
    } else {
        "valid"
    };
    writeln!(
        out,
        "{name}: {}, {} bytes, {status}",
        report.kind, report.size
    )?;
    let list = |out: &mut dyn Write, title: &str, items: &[String]| -> std::io::Result<()> {
        writeln!(out, "\n{title} ({}):", items.len())?;
        for item in items {
            writeln!(out, "  {item}")?;
        }
        Ok(())
    };
    list(out, "imports", &report.imports)?;
    list(out, "exports", &report.exports)?;
    let producers: Vec<String> = report
        .producers
        .iter()
        .map(|p| format!("{:<9} {:<13} {} {}", p.location, p.field, p.name, p.version))
        .collect();
    list(out, "producers", &producers)?;
    let modules: Vec<String> = report
        .modules
        .iter()
        .map(|m| {
            format!(
                "module {}: {} bytes at offset {:#x}",
                m.index, m.size, m.offset
            )
        })
        .collect();
    list(out, "core modules", &modules)?;
    let sections: Vec<String> = report
        .custom_sections
        .iter()
        .map(|s| format!("{:<9} {}: {} bytes", s.location, s.name, s.size))
        .collect();
    list(out, "custom sections", &sections)?;
    match (&report.wit, &report.wit_error) {
        (Some(wit), _) => writeln!(out, "\nWIT:\n{}", wit.trim_end())?,
        (None, Some(error)) => writeln!(out, "\nWIT: not available: {error}")?,
        (None, None) => {}
    }
    Ok(())
}
