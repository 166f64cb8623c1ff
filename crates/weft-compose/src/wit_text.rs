//! WIT text for one import or export of a component, and a line diff of two such texts.
//!
//! A type mismatch between an import and the export plugged into it, or between a
//! component and a world, is only useful to a person when both sides are shown in WIT
//! and the differing lines are marked. The subtype checkers (wac's, wasmparser's) say
//! *that* and roughly *where* types differ; this module shows *how*.

use std::fmt::Write as _;

use wit_component::{DecodedWasm, Output as _, WitPrinter};
use wit_parser::{Function, Resolve, TypeDefKind, WorldId, WorldItem, WorldKey};

/// Which side of a component an item is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Import,
    Export,
}

/// A component's (or a world's) WIT, for rendering its items.
pub(crate) struct WorldWit {
    resolve: Resolve,
    world: WorldId,
}

impl WorldWit {
    /// Decodes the WIT of a binary component.
    pub(crate) fn decode(bytes: &[u8]) -> anyhow::Result<WorldWit> {
        match wit_component::decode(bytes)? {
            DecodedWasm::Component(resolve, world) => Ok(WorldWit { resolve, world }),
            DecodedWasm::WitPackage(..) => {
                anyhow::bail!("expected a component, found an encoded WIT package")
            }
        }
    }

    /// A world of an already loaded `Resolve`.
    pub(crate) fn from_world(resolve: Resolve, world: WorldId) -> WorldWit {
        WorldWit { resolve, world }
    }

    /// The names of the items on `side`, as the component binary spells them.
    pub(crate) fn names(&self, side: Side) -> Vec<String> {
        self.items(side)
            .keys()
            .map(|key| self.resolve.name_world_key(key))
            .collect()
    }

    fn items(&self, side: Side) -> &indexmap::IndexMap<WorldKey, WorldItem> {
        let world = &self.resolve.worlds[self.world];
        match side {
            Side::Import => &world.imports,
            Side::Export => &world.exports,
        }
    }

    /// The WIT text of the item named `name` on `side`, if there is one.
    pub(crate) fn item_text(&self, side: Side, name: &str) -> Option<String> {
        let (key, item) = self
            .items(side)
            .iter()
            .find(|(key, _)| self.resolve.name_world_key(key) == name)?;
        Some(self.render(key, item))
    }

    fn render(&self, key: &WorldKey, item: &WorldItem) -> String {
        let resolve = &self.resolve;
        match item {
            WorldItem::Interface { id, .. } => {
                let short = match key {
                    WorldKey::Name(name) => name.clone(),
                    WorldKey::Interface(id) => resolve.interfaces[*id]
                        .name
                        .clone()
                        .unwrap_or_else(|| "interface".to_string()),
                };
                let mut printer = WitPrinter::default();
                printer.emit_docs(false);
                let printed = printer
                    .print_interface_outer(resolve, *id, &short)
                    .and_then(|()| {
                        printer.output.indent_start();
                        printer.print_interface(resolve, *id)?;
                        printer.output.indent_end();
                        Ok(())
                    });
                match printed {
                    Ok(()) => String::from(printer.output),
                    Err(e) => format!("interface {short} {{ /* cannot print: {e} */ }}"),
                }
            }
            WorldItem::Function(func) => func_text(resolve, func),
            WorldItem::Type { id, .. } => {
                let ty = &resolve.types[*id];
                let name = ty.name.as_deref().unwrap_or("type");
                match ty.kind {
                    TypeDefKind::Resource => format!("resource {name};"),
                    _ => format!(
                        "type {name} = {};",
                        type_name(resolve, &wit_parser::Type::Id(*id))
                    ),
                }
            }
        }
    }
}

fn type_name(resolve: &Resolve, ty: &wit_parser::Type) -> String {
    let mut printer = WitPrinter::default();
    match printer.print_type_name(resolve, ty) {
        Ok(()) => String::from(printer.output),
        Err(_) => "?".to_string(),
    }
}

fn func_text(resolve: &Resolve, func: &Function) -> String {
    let mut out = format!("{}: func(", func.item_name());
    for (i, param) in func.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}: {}", param.name, type_name(resolve, &param.ty));
    }
    out.push(')');
    if let Some(result) = &func.result {
        let _ = write!(out, " -> {}", type_name(resolve, result));
    }
    out.push(';');
    out
}

/// A line diff of `expected` against `found`: common lines with two spaces, lines only
/// in `expected` with `- `, lines only in `found` with `+ `. Lines are compared with
/// their indentation stripped.
pub(crate) fn line_diff(expected: &str, found: &str) -> String {
    let a: Vec<&str> = expected.lines().map(str::trim).collect();
    let b: Vec<&str> = found.lines().map(str::trim).collect();
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "  {}", a[i]);
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "- {}", a[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", b[j]);
            j += 1;
        }
    }
    out
}

/// Indents every line of `text` by `n` spaces.
pub(crate) fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines() {
        let d = line_diff(
            "interface logging {\n  log: func(level: u8, message: string);\n}",
            "interface logging {\n  log: func(message: string);\n}",
        );
        assert_eq!(
            d,
            "  interface logging {\n- log: func(level: u8, message: string);\n+ log: func(message: string);\n  }\n"
        );
    }

    #[test]
    fn renders_interfaces_and_functions_of_a_world() {
        let mut resolve = Resolve::default();
        let pkg = resolve
            .push_str(
                "t.wit",
                "package t:t;\ninterface log { record r { a: u8 } f: func(x: r) -> string; }\n\
                 world w { import log; export run: func(n: list<u32>); }",
            )
            .unwrap();
        let world = resolve.select_world(&[pkg], Some("w")).unwrap();
        let wit = WorldWit::from_world(resolve, world);
        assert_eq!(wit.names(Side::Import), ["t:t/log"]);
        let text = wit.item_text(Side::Import, "t:t/log").unwrap();
        assert!(text.starts_with("interface log {"), "{text}");
        assert!(text.contains("f: func(x: r) -> string;"), "{text}");
        assert_eq!(
            wit.item_text(Side::Export, "run").unwrap(),
            "run: func(n: list<u32>);"
        );
    }
}
