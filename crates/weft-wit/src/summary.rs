//! The one-line summary `weft wit check` prints on success: what the input
//! defines, counted.

use std::fmt;

use serde::Serialize;
use wit_parser::{Resolve, TypeDefKind, TypeOwner, WorldItem};

use crate::load::{InputKind, Loaded};

/// Counts of what a loaded input defines (its main and nested packages; the
/// dependencies are only counted as packages).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// What the input was.
    pub kind: Option<InputKind>,
    /// Names of the main and nested packages, with versions.
    pub packages: Vec<String>,
    /// Packages loaded as dependencies.
    pub dependencies: usize,
    /// Interfaces defined.
    pub interfaces: usize,
    /// Worlds defined.
    pub worlds: usize,
    /// Named types defined (not counting `use`).
    pub types: usize,
    /// Functions, including resource methods, constructors and world functions.
    pub functions: usize,
    /// For a component: its world's imports and exports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentSummary>,
}

/// What a component's world imports and exports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ComponentSummary {
    /// The world's name.
    pub world: String,
    /// Number of imports.
    pub imports: usize,
    /// Number of exports.
    pub exports: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self
            .packages
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(c) = &self.component {
            write!(
                f,
                "component world `{}`: {}, {}; from ",
                c.world,
                plural(c.imports, "import", "imports"),
                plural(c.exports, "export", "exports"),
            )?;
        }
        write!(
            f,
            "{}: {}, {}, {}, {}",
            names,
            plural(self.interfaces, "interface", "interfaces"),
            plural(self.worlds, "world", "worlds"),
            plural(self.types, "type", "types"),
            plural(self.functions, "function", "functions"),
        )?;
        if self.dependencies > 0 {
            write!(
                f,
                " (+{})",
                plural(
                    self.dependencies,
                    "dependency package",
                    "dependency packages"
                )
            )?;
        }
        Ok(())
    }
}

fn is_use(resolve: &Resolve, kind: &TypeDefKind, owner: TypeOwner) -> bool {
    match kind {
        TypeDefKind::Type(wit_parser::Type::Id(other)) => resolve.types[*other].owner != owner,
        _ => false,
    }
}

/// Counts what `loaded` defines.
pub fn summarize(loaded: &Loaded) -> Summary {
    let resolve = &loaded.resolve;
    let mut s = Summary {
        kind: Some(loaded.kind),
        ..Summary::default()
    };
    let mains = match loaded.kind {
        // A component's WIT lives in the packages its world refers to.
        InputKind::Component => resolve.packages.iter().map(|(id, _)| id).collect(),
        _ => loaded.packages(),
    };
    if let Some(w) = loaded.world {
        let world = &resolve.worlds[w];
        s.component = Some(ComponentSummary {
            world: world.name.clone(),
            imports: world.imports.len(),
            exports: world.exports.len(),
        });
    }
    s.dependencies = resolve.packages.len() - mains.len();
    for &pkg_id in &mains {
        let pkg = &resolve.packages[pkg_id];
        // The synthesized `root:component` package only holds the world.
        if loaded
            .world
            .is_none_or(|w| resolve.worlds[w].package != Some(pkg_id))
        {
            s.packages.push(pkg.name.to_string());
        }
        s.interfaces += pkg.interfaces.len();
        s.worlds += pkg.worlds.len();
        for &iface in pkg.interfaces.values() {
            let i = &resolve.interfaces[iface];
            s.functions += i.functions.len();
            s.types += i
                .types
                .values()
                .filter(|&&t| {
                    let td = &resolve.types[t];
                    !is_use(resolve, &td.kind, td.owner)
                })
                .count();
        }
        for &world in pkg.worlds.values() {
            let w = &resolve.worlds[world];
            for item in w.imports.values().chain(w.exports.values()) {
                match item {
                    WorldItem::Function(_) => s.functions += 1,
                    WorldItem::Type { id, .. } => {
                        let td = &resolve.types[*id];
                        if !is_use(resolve, &td.kind, td.owner) {
                            s.types += 1;
                        }
                    }
                    WorldItem::Interface { .. } => {}
                }
            }
        }
    }
    s
}
