//! The size report: bytes before and after, per core module and section kind, and what
//! wasm-opt did. It is `Serialize` for `--json` (the schema is in `docs/optimize.md`) and
//! `Display` for people.

use std::fmt;

use serde::Serialize;

use crate::sections::Measured;

/// What `optimize` did to one binary.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `component` or `module`: what the input was.
    pub kind: &'static str,
    /// The input's size in bytes.
    pub before: u64,
    /// The output's size in bytes.
    pub after: u64,
    /// `after / before`.
    pub ratio: f64,
    /// The wasm-opt that ran, or `null` when none did.
    pub wasm_opt: Option<WasmOptUsed>,
    /// Every core module, nested ones included, in the order they appear in the file.
    pub modules: Vec<ModuleReport>,
    /// The sections of each component level (the top one first), without the modules and
    /// components nested in it. Empty when the input is a core module.
    pub components: Vec<ComponentReport>,
    /// What did not go as asked but did not stop the run: wasm-opt missing or failing.
    pub warnings: Vec<String>,
}

/// The wasm-opt that was run.
#[derive(Debug, Clone, Serialize)]
pub struct WasmOptUsed {
    /// Its path.
    pub path: String,
    /// What its `--version` printed.
    pub version: String,
    /// The level it was given, e.g. `-Oz`.
    pub level: String,
}

/// One core module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    /// The nested component it is in, as the index of each component section on the way
    /// down (definition order); empty for modules of the top-level component.
    pub component: Vec<u32>,
    /// Its index in its component's core module index space (0 for a lone module).
    pub index: u32,
    /// Its name from the component's `component-name` section, else from its own `name`
    /// section; `null` when neither names it.
    pub name: Option<String>,
    /// Its size in the input, in bytes.
    pub before: u64,
    /// Its size in the output, in bytes.
    pub after: u64,
    /// `after / before`.
    pub ratio: f64,
    /// Its sections by kind.
    pub sections: Vec<SectionSize>,
    /// What wasm-opt did to it.
    pub wasm_opt: WasmOptStatus,
}

/// The sections of one component level.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentReport {
    /// As [`ModuleReport::component`]: empty for the top-level component.
    pub component: Vec<u32>,
    /// Its own sections by kind.
    pub sections: Vec<SectionSize>,
}

/// The sections of one kind in one module or component level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionSize {
    /// `code`, `data`, `type`, `canon`, ... or `custom:NAME`.
    pub kind: String,
    /// Bytes in the input, section headers included; 0 when wasm-opt added the kind.
    pub before: u64,
    /// Bytes in the output; 0 when stripped.
    pub after: u64,
}

/// What happened when wasm-opt was given a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum WasmOptStatus {
    /// No wasm-opt ran: none was found, or it was turned off.
    NotRun,
    /// The module is wasm-opt's output.
    Optimized,
    /// wasm-opt failed, or its output was refused; the module is the stripped input.
    FellBack {
        /// Why, in one line.
        reason: String,
    },
}

/// Pairs sizes by kind: the kinds of `before` in order, then kinds only `after` has.
pub(crate) fn pair(before: &[Measured], after: &[Measured]) -> Vec<SectionSize> {
    let find =
        |list: &[Measured], kind: &str| list.iter().find(|m| m.kind == kind).map_or(0, |m| m.bytes);
    let mut sizes: Vec<SectionSize> = before
        .iter()
        .map(|m| SectionSize {
            kind: m.kind.clone(),
            before: m.bytes,
            after: find(after, &m.kind),
        })
        .collect();
    for m in after {
        if !before.iter().any(|b| b.kind == m.kind) {
            sizes.push(SectionSize {
                kind: m.kind.clone(),
                before: 0,
                after: m.bytes,
            });
        }
    }
    sizes
}

/// `after / before`, 1 for an empty input.
pub(crate) fn ratio(before: u64, after: u64) -> f64 {
    if before == 0 {
        1.0
    } else {
        after as f64 / before as f64
    }
}

fn percent(before: u64, after: u64) -> String {
    format!("{:.1}%", ratio(before, after) * 100.0)
}

fn location(component: &[u32]) -> String {
    component
        .iter()
        .map(|i| format!("component {i} / "))
        .collect()
}

/// `module 1 `name``, or `component 0 / module 1` for a nested one.
pub(crate) fn label(module: &ModuleReport) -> String {
    let name = module
        .name
        .as_deref()
        .map(|n| format!(" `{n}`"))
        .unwrap_or_default();
    format!(
        "{}module {}{name}",
        location(&module.component),
        module.index
    )
}

fn write_sections(f: &mut fmt::Formatter<'_>, sections: &[SectionSize]) -> fmt::Result {
    for s in sections {
        let note = match (s.before, s.after) {
            (_, 0) => "stripped".to_string(),
            (0, _) => "added".to_string(),
            (before, after) => percent(before, after),
        };
        writeln!(
            f,
            "  {:<28} {:>10} -> {:>10}  {note}",
            s.kind, s.before, s.after
        )?;
    }
    Ok(())
}

impl fmt::Display for Report {
    /// One summary line, then a block per core module and per component level, then the
    /// warnings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tool = match &self.wasm_opt {
            Some(used) => format!("{} {}", used.version, used.level),
            None => "without wasm-opt".to_string(),
        };
        writeln!(
            f,
            "{}: {} -> {} bytes ({}), {tool}",
            self.kind,
            self.before,
            self.after,
            percent(self.before, self.after)
        )?;
        for m in &self.modules {
            let status = match &m.wasm_opt {
                WasmOptStatus::NotRun => "stripped".to_string(),
                WasmOptStatus::Optimized => "stripped, wasm-opt".to_string(),
                WasmOptStatus::FellBack { .. } => "stripped, wasm-opt failed".to_string(),
            };
            writeln!(
                f,
                "\n{}: {} -> {} bytes ({}), {status}",
                label(m),
                m.before,
                m.after,
                percent(m.before, m.after)
            )?;
            write_sections(f, &m.sections)?;
        }
        for c in &self.components {
            let (before, after) = c
                .sections
                .iter()
                .fold((0, 0), |(b, a), s| (b + s.before, a + s.after));
            let which = if c.component.is_empty() {
                "component".to_string()
            } else {
                location(&c.component).trim_end_matches(" / ").to_string()
            };
            writeln!(
                f,
                "\n{which} sections (without nested modules): {before} -> {after} bytes"
            )?;
            write_sections(f, &c.sections)?;
        }
        for warning in &self.warnings {
            writeln!(f, "\nwarning: {warning}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(kind: &str, bytes: u64) -> Measured {
        Measured {
            kind: kind.to_string(),
            bytes,
        }
    }

    #[test]
    fn pairing_keeps_stripped_and_added_kinds() {
        let sizes = pair(
            &[measured("code", 100), measured("custom:name", 30)],
            &[measured("code", 60), measured("data count", 3)],
        );
        let kinds: Vec<(&str, u64, u64)> = sizes
            .iter()
            .map(|s| (s.kind.as_str(), s.before, s.after))
            .collect();
        assert_eq!(
            kinds,
            [
                ("code", 100, 60),
                ("custom:name", 30, 0),
                ("data count", 0, 3)
            ]
        );
    }

    #[test]
    fn wasm_opt_status_is_tagged_in_json() {
        let json = serde_json::to_string(&WasmOptStatus::FellBack {
            reason: "exited with 1".into(),
        })
        .unwrap();
        assert_eq!(json, r#"{"status":"fell-back","reason":"exited with 1"}"#);
        let json = serde_json::to_string(&WasmOptStatus::NotRun).unwrap();
        assert_eq!(json, r#"{"status":"not-run"}"#);
    }
}
