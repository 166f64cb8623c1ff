//! `weft targets`: does a component fit a WIT world?
//!
//! `wit_component::targets` gives the verdict (it instantiates a component of the world's
//! type with the component under test and validates). When the answer is no, this module
//! says which imports and exports differ and how, in WIT: a component may import less
//! than the world offers and export more than it requires, so only lines that break that
//! rule are reported as differences.

use std::fmt;
use std::path::PathBuf;

use wac_graph::types::are_semver_compatible;
use wit_component::DecodedWasm;
use wit_parser::{
    InterfaceId, Resolve, Type, TypeDefKind, TypeOwner, WorldId, WorldItem, WorldKey,
};

use crate::component::describe_binary;
use crate::new::{LoadWorldError, WorldPath, load_world};
use crate::wit_text::{Side, WorldWit, indent, line_diff};

/// One way a component differs from a world. As JSON (`weft targets --json`), a
/// `kind` (`import-not-in-world`, `missing-export`, `mismatch`, `other`) and the fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Difference {
    /// The component imports something the world does not provide.
    ImportNotInWorld {
        /// The import.
        name: String,
        /// Its WIT, as the component declares it.
        wit: Option<String>,
    },
    /// The world requires an export the component lacks.
    MissingExport {
        /// The export.
        name: String,
        /// Its WIT, as the world declares it.
        wit: Option<String>,
    },
    /// An import or export exists on both sides with different types.
    Mismatch {
        /// `import` or `export`.
        side: &'static str,
        /// The item.
        name: String,
        /// The world's WIT.
        expected: String,
        /// The component's WIT.
        found: String,
    },
    /// The checker found a problem the item comparison could not pin down.
    Other {
        /// The checker's message.
        message: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::ImportNotInWorld { name, .. } => {
                write!(
                    f,
                    "the component imports `{name}`, which the world does not provide"
                )
            }
            Difference::MissingExport { name, wit } => {
                write!(
                    f,
                    "the world requires export `{name}`, which the component lacks"
                )?;
                if let Some(wit) = wit {
                    write!(f, ":\n{}", indent(wit, 4))?;
                }
                Ok(())
            }
            Difference::Mismatch {
                side,
                name,
                expected,
                found,
            } => write!(
                f,
                "{side} `{name}` differs (- world, + component):\n{}",
                indent(&line_diff(expected, found), 4)
            ),
            Difference::Other { message } => f.write_str(message),
        }
    }
}

/// Why a component does not fit (or could not be checked against) a world.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// The input is not a component.
    #[error("the input is {found}, not a component; turn a core module into one with `weft new`")]
    NotAComponent {
        /// What it is instead.
        found: &'static str,
    },
    /// The WIT could not be loaded.
    #[error("failed to load WIT from `{}`", path.display())]
    Wit {
        /// The WIT path.
        path: PathBuf,
        /// What went wrong, with file and line.
        #[source]
        source: anyhow::Error,
    },
    /// The world does not exist or was not given when several exist.
    #[error("cannot select a world in `{}`{}", path.display(), world.as_ref().map(|w| format!(" named `{w}`")).unwrap_or_default())]
    World {
        /// The WIT path.
        path: PathBuf,
        /// The requested world.
        world: Option<String>,
        /// wit-parser's explanation.
        #[source]
        source: anyhow::Error,
    },
    /// The component does not fit the world.
    #[error("the component does not fit world `{world}`:\n{}{}", differences.iter().map(|d| format!("  - {}", indent(&d.to_string(), 4).trim_start())).collect::<Vec<_>>().join("\n"), wasi_hint(differences))]
    Mismatch {
        /// The world.
        world: String,
        /// Every difference found.
        differences: Vec<Difference>,
    },
}

fn wasi_hint(differences: &[Difference]) -> &'static str {
    let imports_wasi = differences.iter().any(
        |d| matches!(d, Difference::ImportNotInWorld { name, .. } if name.starts_with("wasi:")),
    );
    if imports_wasi {
        "\n  help: components built for `wasm32-wasip2` import WASI; a world they target must \
         include it, e.g. `include wasi:cli/imports@0.2.6;`, or pass `--allow-wasi`"
    } else {
        ""
    }
}

/// Checks that `component` fits `world` (the world name may be omitted when the package
/// has one world). Returns the world's full name.
///
/// With `allow_wasi`, imports of WASI 0.2 interfaces ([`weft_wit::is_wasi_p2`]) that the
/// world does not list are accepted, as a host such as wasmtime provides them: this is
/// what a `wasm32-wasip2` Rust component targeting a WASI-free world needs. The verdict is still
/// wit-component's, against the world with those WASI interfaces added to its imports, so
/// every other difference still fails.
pub fn targets(
    component: &[u8],
    world: &WorldPath,
    allow_wasi: bool,
) -> Result<String, TargetsError> {
    if !wasmparser::Parser::is_component(component) {
        return Err(TargetsError::NotAComponent {
            found: describe_binary(component),
        });
    }
    let (resolve, world_id) = load_world(world).map_err(|e| match e {
        LoadWorldError::Wit(source) => TargetsError::Wit {
            path: world.wit.clone(),
            source,
        },
        LoadWorldError::World(source) => TargetsError::World {
            path: world.wit.clone(),
            world: world.world.clone(),
            source,
        },
    })?;
    targets_world(component, &resolve, world_id, allow_wasi)
}

/// [`targets`] against a world already loaded into `resolve`, for hosts that carry their
/// WIT built in rather than in files.
pub fn targets_world(
    component: &[u8],
    resolve: &Resolve,
    world_id: WorldId,
    allow_wasi: bool,
) -> Result<String, TargetsError> {
    if !wasmparser::Parser::is_component(component) {
        return Err(TargetsError::NotAComponent {
            found: describe_binary(component),
        });
    }
    let world_name = match resolve.worlds[world_id].package {
        Some(pkg) => resolve.id_of_name(pkg, &resolve.worlds[world_id].name),
        None => resolve.worlds[world_id].name.clone(),
    };
    let mut checked = wit_component::targets(resolve, world_id, component);
    if allow_wasi && checked.is_err() {
        // wit-component stays the judge: it checks the component again against the world
        // plus the WASI imports the component has. When that world cannot be built (the
        // component's WIT does not decode or merge, or a WASI interface it imports uses
        // one it does not), the first verdict stands.
        if let Ok(with_wasi) = world_with_wasi_imports(resolve, world_id, component) {
            checked = wit_component::targets(&with_wasi, world_id, component);
        }
    }
    let Err(error) = checked else {
        return Ok(world_name);
    };

    let expected = WorldWit::from_world(resolve.clone(), world_id);
    let mut differences = match WorldWit::decode(component) {
        Ok(found) => compare(&expected, &found),
        Err(_) => Vec::new(),
    };
    if allow_wasi {
        // Accepted, so not differences; what is left, or wit-component's own account
        // below, is why the component still does not fit.
        differences.retain(
            |d| !matches!(d, Difference::ImportNotInWorld { name, .. } if weft_wit::is_wasi_p2(name)),
        );
    }
    if differences.is_empty() {
        differences.push(Difference::Other {
            message: format!("{error:#}"),
        });
    }
    Err(TargetsError::Mismatch {
        world: world_name,
        differences,
    })
}

/// A copy of `resolve` in which world `world` also imports every WASI 0.2 interface the
/// component imports, as a host that provides WASI offers them.
fn world_with_wasi_imports(
    resolve: &Resolve,
    world: WorldId,
    component: &[u8],
) -> anyhow::Result<Resolve> {
    let DecodedWasm::Component(found, found_world) = wit_component::decode(component)? else {
        anyhow::bail!("expected a component, found an encoded WIT package");
    };
    let mut merged = resolve.clone();
    // Interfaces the world's packages already define keep the world's definitions; the
    // component's WASI packages that the world lacks are added.
    let remap = merged.merge(found)?;
    let found_world = remap.worlds[found_world.index()]
        .ok_or_else(|| anyhow::anyhow!("the component's world was not merged"))?;
    // Appended in the component's order: a valid component imports an interface before
    // one that uses its types.
    let wasi: Vec<(WorldKey, WorldItem)> = merged.worlds[found_world]
        .imports
        .iter()
        .filter(|(key, _)| weft_wit::is_wasi_p2(&merged.name_world_key(key)))
        .map(|(key, item)| (key.clone(), item.clone()))
        .collect();
    for (key, item) in wasi {
        if merged.worlds[world].imports.contains_key(&key) {
            continue;
        }
        // wit-component's world encoder indexes the interfaces a `use` refers to among the
        // imports before it (and panics otherwise): check rather than trust the order.
        if let WorldItem::Interface { id, .. } = &item {
            let imported = &merged.worlds[world].imports;
            for used in interface_uses(&merged, *id) {
                if !imported.contains_key(&WorldKey::Interface(used)) {
                    anyhow::bail!(
                        "`{}` uses `{}`, which is not imported before it",
                        merged.name_world_key(&key),
                        merged.id_of(used).unwrap_or_default()
                    );
                }
            }
        }
        merged.worlds[world].imports.insert(key, item);
    }
    Ok(merged)
}

/// The other interfaces whose types interface `id` uses.
fn interface_uses(resolve: &Resolve, id: InterfaceId) -> Vec<InterfaceId> {
    let mut used = Vec::new();
    for ty in resolve.interfaces[id].types.values() {
        if let TypeDefKind::Type(Type::Id(target)) = resolve.types[*ty].kind
            && let TypeOwner::Interface(owner) = resolve.types[target].owner
            && owner != id
            && !used.contains(&owner)
        {
            used.push(owner);
        }
    }
    used
}

/// Compares a world with a component's WIT, item by item.
fn compare(world: &WorldWit, component: &WorldWit) -> Vec<Difference> {
    let mut out = Vec::new();
    let world_imports = world.names(Side::Import);
    for name in component.names(Side::Import) {
        let wit = component.item_text(Side::Import, &name);
        let counterpart = world_imports.iter().find(|w| **w == name).or_else(|| {
            world_imports
                .iter()
                .find(|w| are_semver_compatible(w, &name))
        });
        match counterpart {
            None => out.push(Difference::ImportNotInWorld { name, wit }),
            Some(world_name) => {
                let expected = world
                    .item_text(Side::Import, world_name)
                    .unwrap_or_default();
                let found = wit.unwrap_or_default();
                // The component may import less than the world offers: only lines it
                // has that the world lacks are a problem.
                if line_diff(&expected, &found)
                    .lines()
                    .any(|l| l.starts_with('+'))
                {
                    out.push(Difference::Mismatch {
                        side: "import",
                        name,
                        expected,
                        found,
                    });
                }
            }
        }
    }
    let component_exports = component.names(Side::Export);
    for name in world.names(Side::Export) {
        let expected = world.item_text(Side::Export, &name);
        let counterpart = component_exports.iter().find(|c| **c == name).or_else(|| {
            component_exports
                .iter()
                .find(|c| are_semver_compatible(c, &name))
        });
        match counterpart {
            None => out.push(Difference::MissingExport {
                name,
                wit: expected,
            }),
            Some(component_name) => {
                let found = component
                    .item_text(Side::Export, component_name)
                    .unwrap_or_default();
                let expected = expected.unwrap_or_default();
                // The component may export more than the world requires: only world
                // lines it lacks are a problem.
                if line_diff(&expected, &found)
                    .lines()
                    .any(|l| l.starts_with('-'))
                {
                    out.push(Difference::Mismatch {
                        side: "export",
                        name,
                        expected,
                        found,
                    });
                }
            }
        }
    }
    out
}
