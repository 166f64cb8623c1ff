//! The cross-check against `wit_component::semver_check`, world by world, and the
//! changes that check cannot see.

use semver::Version;
use wit_parser::{PackageId, Resolve, WorldId, WorldItem};

use super::{Bump, Change, ChangeKind, SemverCheck, base_name};
use crate::load::Loaded;

/// weft's answer for one world: is every change relevant to it below major?
/// `owners` says which new package each change belongs to (ranges of
/// `changes`). With `like_wit_component`, the changes wit-component's check
/// cannot see are left out (see [`SemverCheck::weft_compatible_like_wit_component`]),
/// to compare like with like.
fn weft_world_compatible(
    resolve: &Resolve,
    world: WorldId,
    wname: &str,
    changes: &[Change],
    owners: &[(PackageId, std::ops::Range<usize>)],
    like_wit_component: bool,
) -> bool {
    let w = &resolve.worlds[world];
    let iface_side = |pkg: PackageId, name: &str| -> (bool, bool) {
        let mut imp = false;
        let mut exp = false;
        for (items, is_exp) in [(&w.imports, false), (&w.exports, true)] {
            for item in items.values() {
                if let WorldItem::Interface { id, .. } = item {
                    let i = &resolve.interfaces[*id];
                    if i.package == Some(pkg) && i.name.as_deref() == Some(name) {
                        if is_exp {
                            exp = true;
                        } else {
                            imp = true;
                        }
                    }
                }
            }
        }
        (imp, exp)
    };
    let uses_package = |pkg: PackageId| {
        w.imports.values().chain(w.exports.values()).any(|item| {
            matches!(item, WorldItem::Interface { id, .. }
                if resolve.interfaces[*id].package == Some(pkg))
        })
    };
    owners.iter().all(|(pkg, range)| {
        changes[range.clone()]
            .iter()
            .filter(|c| !(like_wit_component && unseen_by_semver_check(c)))
            .all(|c| {
                if c.world.as_deref() == Some(wname) {
                    return c.bump < Bump::Major;
                }
                match (&c.interface, c.importers, c.exporters) {
                    (Some(i), Some(ib), Some(eb)) => {
                        let (imp, exp) = iface_side(*pkg, i);
                        !(imp && ib == Bump::Major || exp && eb == Bump::Major)
                    }
                    // A renamed package renames every interface of it the
                    // world imports or exports.
                    _ if c.item.starts_with("package `") && c.bump == Bump::Major => {
                        !uses_package(*pkg)
                    }
                    _ => true,
                }
            })
    })
}

/// Whether wit-component's semver check cannot see `c`: a change of a
/// dependency's version only, or a removed type.
fn unseen_by_semver_check(c: &Change) -> bool {
    // `diff_interface` names types `type `iface.name``.
    c.version_only || (c.kind == ChangeKind::Removed && c.item.starts_with("type `"))
}

pub(super) fn cross_check(
    old: &Loaded,
    new: &Loaded,
    changes: &[Change],
    owners: &[(PackageId, std::ops::Range<usize>)],
) -> Vec<SemverCheck> {
    let mut out = Vec::new();
    let (or, nr) = (&old.resolve, &new.resolve);
    let op = &or.packages[old.main];
    let np = &nr.packages[new.main];
    let same_name = base_name(or, old.main) == base_name(nr, new.main);
    for (wname, &nw) in &np.worlds {
        let Some(&ow) = op.worlds.get(wname) else {
            continue;
        };
        let weft_compatible = weft_world_compatible(nr, nw, wname, changes, owners, false);
        let weft_compatible_like_wit_component =
            weft_world_compatible(nr, nw, wname, changes, owners, true);
        let (compatible, detail) = if !same_name {
            (None, Some("not applicable: the package was renamed".into()))
        } else {
            match run_semver_check(old, new, ow, nw) {
                Ok(()) => (Some(true), None),
                Err(Outcome::Incompatible(e)) => (Some(false), Some(e)),
                Err(Outcome::CouldNotRun(e)) => (None, Some(format!("could not run: {e}"))),
            }
        };
        out.push(SemverCheck {
            world: wname.clone(),
            compatible,
            weft_compatible,
            weft_compatible_like_wit_component,
            detail,
        });
    }
    out
}

enum Outcome {
    Incompatible(String),
    CouldNotRun(String),
}

fn run_semver_check(old: &Loaded, new: &Loaded, ow: WorldId, nw: WorldId) -> Result<(), Outcome> {
    let mut merged = new.resolve.clone();
    let mut old_resolve = old.resolve.clone();
    // Give every old package a version of its own so the merge keeps them
    // apart from the new ones, even a dependency that changed shape under the
    // same version (as a component's packages do); semver_check ignores
    // versions.
    let all: Vec<PackageId> = old_resolve.packages.iter().map(|(id, _)| id).collect();
    for (i, pkg) in all.into_iter().enumerate() {
        let key = old_resolve.packages[pkg].name.clone();
        old_resolve.package_names.shift_remove(&key);
        let mut name = key;
        let mut v = Version::new(0, 0, 0);
        v.pre = semver::Prerelease::new(&format!("weft-old.{i}"))
            .map_err(|e| Outcome::CouldNotRun(e.to_string()))?;
        name.version = Some(v);
        old_resolve.packages[pkg].name = name.clone();
        old_resolve.package_names.insert(name, pkg);
    }
    let remap = merged
        .merge(old_resolve)
        .map_err(|e| Outcome::CouldNotRun(format!("{e:#}")))?;
    let ow = remap
        .worlds
        .get(ow.index())
        .copied()
        .flatten()
        .ok_or_else(|| Outcome::CouldNotRun("the old world was lost in the merge".into()))?;
    // `semver_check` may panic on unusual inputs in encoders; keep weft alive.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wit_component::semver_check(merged, ow, nw)
    }));
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Outcome::Incompatible(
            format!("{e:#}").lines().next().unwrap_or("").to_string(),
        )),
        Err(_) => Err(Outcome::CouldNotRun("wit-component panicked".into())),
    }
}
