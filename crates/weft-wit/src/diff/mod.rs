//! What changed between two versions of a WIT package, what each change does
//! to the components on either side of an interface, and whether the declared
//! version bump says so.
//!
//! # The rules
//!
//! An interface has two kinds of users: components that *import* it (they call
//! its functions) and components that *export* it (they implement it). A change
//! is judged for each side:
//!
//! | change                         | importers | exporters |
//! |--------------------------------|-----------|-----------|
//! | interface added                | minor     | minor     |
//! | function or type added         | minor     | **major** (must now provide it) |
//! | function removed               | **major** | minor (may keep it) |
//! | type removed                   | **major** | minor     |
//! | function signature changed     | **major** | **major** |
//! | type shape changed             | **major** | **major** |
//! | interface removed              | **major** | **major** |
//! | docs changed                   | patch     | patch     |
//!
//! Which side counts comes from the worlds of the package and of the input's
//! main package (for a component, its world): an interface that a world
//! exports is judged by the exporter column, one that a world imports by the
//! importer column, one used both ways by the larger of the two. An
//! interface no such world uses is judged as its callers see it (the
//! importer column), which is the convention of WASI's releases.
//!
//! World items follow from the component that targets the world: an added
//! import is minor (the component need not use it), a removed import major; an
//! added export is major (the component must now provide it), a removed export
//! minor. These are exactly the rules of `wit_component::semver_check`, which
//! [`diff`] runs on every world present in both versions as a cross-check
//! (see [`SemverCheck`] for what that check cannot see).
//!
//! By stage: `compare` lists the changes, `verdict` judges the bump they need,
//! `semver_check` runs the cross-check, and `report` renders the result.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use wit_parser::{PackageId, Resolve, WorldId, WorldItem};

use crate::load::{InputKind, Loaded};

mod compare;
mod report;
mod semver_check;
mod verdict;

pub use verdict::{declared_bump, next_version};

use compare::diff_package;
use semver_check::cross_check;
use verdict::verdict;

/// How large a change is, in semantic-versioning terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// No change.
    None,
    /// Documentation only.
    Patch,
    /// Additive: existing users keep working.
    Minor,
    /// Breaking: some existing user stops working.
    Major,
}

impl Bump {
    fn adjective(self) -> &'static str {
        match self {
            Bump::Major => "breaking",
            Bump::Minor => "an addition",
            Bump::Patch => "a documentation change",
            Bump::None => "no change",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// Whether an item appeared, disappeared or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, different.
    Changed,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        })
    }
}

/// One difference between the old and the new package.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What changed, e.g. "function `storage-v1.load`".
    pub item: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The item's WIT in the old version.
    pub before: Option<String>,
    /// The item's WIT in the new version.
    pub after: Option<String>,
    /// The classification that counts for the package.
    pub bump: Bump,
    /// For interface members: what the change is for components importing the interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importers: Option<Bump>,
    /// For interface members: what the change is for components exporting the interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exporters: Option<Bump>,
    /// The interface the item belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// The world the item belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<String>,
    /// The change in a few words, e.g. "removing `load`".
    pub what: String,
    /// Why it has this classification.
    pub reason: String,
    /// `true` when only the version of a referenced package changed (the
    /// shape is the same); wit-component's semver check cannot see these.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub version_only: bool,
}

/// The verdict on the declared versions.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `false` when the declared bump is smaller than the changes need.
    pub ok: bool,
    /// The smallest bump the changes need.
    pub required: Bump,
    /// The bump the versions declare, when both are present.
    pub declared: Option<Bump>,
    /// The smallest version that would be right, when the old one is known.
    pub needed_version: Option<String>,
    /// The verdict in one sentence.
    pub message: String,
}

/// The result of `wit_component::semver_check` on one world, next to weft's own.
#[derive(Debug, Clone, Serialize)]
pub struct SemverCheck {
    /// The world checked.
    pub world: String,
    /// `Some(true)` when wit-component finds the new world compatible,
    /// `Some(false)` when not, `None` when the check did not run (see `detail`).
    pub compatible: Option<bool>,
    /// weft's own answer: no change relevant to this world is major, changes
    /// of a dependency's version included.
    pub weft_compatible: bool,
    /// weft's answer leaving out what wit-component's check cannot see: the
    /// changes of a dependency's version only (it clears all versions) and
    /// removed types (the components it builds import only the types their
    /// functions use, so a type no function uses is invisible to it; removing
    /// one that a function uses changes that function, which still counts).
    /// The answer to compare with `compatible`.
    pub weft_compatible_like_wit_component: bool,
    /// wit-component's error, or why the check did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl SemverCheck {
    /// Whether wit-component's answer and weft's (both ignoring versions) are
    /// the same: `None` when wit-component's check did not run, so there is
    /// nothing to agree with.
    pub fn agrees(&self) -> Option<bool> {
        self.compatible
            .map(|c| c == self.weft_compatible_like_wit_component)
    }
}

/// Everything `weft wit diff` reports.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// The old main package, with its version.
    pub old: String,
    /// The new main package, with its version.
    pub new: String,
    /// Every change, grouped by package, interface and world in source order.
    pub changes: Vec<Change>,
    /// The verdict on the declared versions.
    pub verdict: Verdict,
    /// wit-component's semver check for each world in both versions.
    pub semver_check: Vec<SemverCheck>,
}

/// Why [`diff`] failed.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// One side has no package to compare.
    #[error("`{path}` defines no package to compare")]
    NoPackage {
        /// The input without a package.
        path: std::path::PathBuf,
    },
}

/// Which sides of an interface the package's worlds use.
#[derive(Debug, Default, Clone)]
struct Roles {
    imported_by: Vec<String>,
    exported_by: Vec<String>,
}

struct Side<'a> {
    resolve: &'a Resolve,
    /// The package being compared.
    pkg: PackageId,
    /// The input's main package, whose worlds also say how the interfaces of
    /// `pkg` are used (for a component, its world uses the interfaces of
    /// every other package).
    main: PackageId,
}

/// Compares `old` with `new`.
pub fn diff(old: &Loaded, new: &Loaded) -> Result<DiffReport, DiffError> {
    let mut changes = Vec::new();
    let pairs = package_pairs(old, new);
    // Which new package each change belongs to, by ranges of `changes`.
    let mut owners = Vec::new();
    for &(op, np) in &pairs {
        let o = Side {
            resolve: &old.resolve,
            pkg: op,
            main: old.main,
        };
        let n = Side {
            resolve: &new.resolve,
            pkg: np,
            main: new.main,
        };
        let start = changes.len();
        diff_package(&o, &n, &mut changes);
        owners.push((np, start..changes.len()));
    }
    let old_name = &old.resolve.packages[old.main].name;
    let new_name = &new.resolve.packages[new.main].name;
    let verdict = verdict(
        old_name.version.as_ref(),
        new_name.version.as_ref(),
        &changes,
    );
    let semver_check = cross_check(old, new, &changes, &owners);
    Ok(DiffReport {
        old: old_name.to_string(),
        new: new_name.to_string(),
        changes,
        verdict,
        semver_check,
    })
}

fn base_name(resolve: &Resolve, pkg: PackageId) -> String {
    let n = &resolve.packages[pkg].name;
    format!("{}:{}", n.namespace, n.name)
}

/// The packages to compare: the two main packages (whatever their names),
/// then the others of interest matched by name.
fn package_pairs(old: &Loaded, new: &Loaded) -> Vec<(PackageId, PackageId)> {
    let mut pairs = vec![(old.main, new.main)];
    let others = |l: &Loaded| -> Vec<PackageId> {
        match l.kind {
            // A component's interfaces live in the packages it refers to.
            InputKind::Component => l
                .resolve
                .packages
                .iter()
                .map(|(id, _)| id)
                .filter(|id| *id != l.main)
                .collect(),
            _ => l.nested.clone(),
        }
    };
    let new_others = others(new);
    for op in others(old) {
        let name = base_name(&old.resolve, op);
        if let Some(&np) = new_others
            .iter()
            .find(|&&np| base_name(&new.resolve, np) == name)
        {
            pairs.push((op, np));
        }
    }
    pairs
}

fn roles(side: &Side<'_>) -> BTreeMap<String, Roles> {
    let mut out: BTreeMap<String, Roles> = BTreeMap::new();
    let r = side.resolve;
    let mut worlds: Vec<(&String, &WorldId)> = r.packages[side.pkg].worlds.iter().collect();
    if side.main != side.pkg {
        worlds.extend(&r.packages[side.main].worlds);
    }
    for (wname, &wid) in worlds {
        let w = &side.resolve.worlds[wid];
        for (items, exported) in [(&w.imports, false), (&w.exports, true)] {
            for item in items.values() {
                if let WorldItem::Interface { id, .. } = item {
                    let iface = &side.resolve.interfaces[*id];
                    if iface.package != Some(side.pkg) {
                        continue;
                    }
                    let Some(name) = &iface.name else { continue };
                    let r = out.entry(name.clone()).or_default();
                    let list = if exported {
                        &mut r.exported_by
                    } else {
                        &mut r.imported_by
                    };
                    if !list.contains(wname) {
                        list.push(wname.clone());
                    }
                }
            }
        }
    }
    out
}

fn merge_roles(a: BTreeMap<String, Roles>, b: BTreeMap<String, Roles>) -> BTreeMap<String, Roles> {
    let mut out = a;
    for (k, r) in b {
        let e = out.entry(k).or_default();
        for w in r.imported_by {
            if !e.imported_by.contains(&w) {
                e.imported_by.push(w);
            }
        }
        for w in r.exported_by {
            if !e.exported_by.contains(&w) {
                e.exported_by.push(w);
            }
        }
    }
    out
}
