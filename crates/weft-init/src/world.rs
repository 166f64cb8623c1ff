//! Finding the world `--world` names: `PATH`, `PATH:WORLD`, or a package name such as
//! `example:greeter` or `example:greeter/greeter` looked up among the packages under a
//! WIT root (`./wit` on the command line).
//!
//! A path may itself contain `:` (WIT's own names do), so the split is not on the last
//! colon: the longest prefix that exists on disk is the path, and the rest the world.

use std::path::{Path, PathBuf};

use wit_parser::{PackageId, Resolve, WorldId};

use crate::error::InitError;

/// The resolved world a project is generated for.
#[derive(Debug)]
pub struct Selected {
    /// Everything loaded, the world's package and its dependencies.
    pub resolve: Resolve,
    /// The world.
    pub world: WorldId,
    /// The package holding the world.
    pub package: PackageId,
}

impl Selected {
    /// The world's fully qualified name, e.g. `example:greeter/greeter@1.0.0`, the form
    /// `wit_bindgen::generate!` and `weft targets` take.
    pub fn qualified_name(&self) -> String {
        let world = &self.resolve.worlds[self.world];
        qualified(&self.resolve, self.package, &world.name)
    }
}

fn qualified(resolve: &Resolve, package: PackageId, world: &str) -> String {
    let name = &resolve.packages[package].name;
    match &name.version {
        Some(v) => format!("{}:{}/{world}@{v}", name.namespace, name.name),
        None => format!("{}:{}/{world}", name.namespace, name.name),
    }
}

/// Resolves `spec` (the `--world` argument), looking package names up under `wit_root`.
pub fn select(spec: &str, wit_root: &Path) -> Result<Selected, InitError> {
    if Path::new(spec).exists() {
        return select_in(spec, Path::new(spec), None);
    }
    for (i, _) in spec.match_indices(':') {
        let (path, world) = (&spec[..i], &spec[i + 1..]);
        if !path.is_empty() && Path::new(path).exists() {
            return select_in(path, Path::new(path), Some(world));
        }
    }
    if looks_like_package(spec) {
        return select_package(spec, wit_root);
    }
    Err(InitError::NotFound {
        spec: spec.to_string(),
        path: spec.split(':').next().unwrap_or(spec).to_string(),
        root: wit_root.to_path_buf(),
    })
}

/// `ns:name`, optionally `@version` and `/world`: no path separator before the colon.
fn looks_like_package(spec: &str) -> bool {
    let Some((ns, rest)) = spec.split_once(':') else {
        return false;
    };
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let name = rest.split(['@', '/']).next().unwrap_or_default();
    ok(ns) && ok(name)
}

/// Loads `path` and selects `world` among its packages (main and nested).
fn select_in(spec: &str, path: &Path, world: Option<&str>) -> Result<Selected, InitError> {
    let loaded = weft_wit::load(path)?;
    let packages = loaded.packages();
    pick(spec, loaded.resolve, &packages, world)
}

fn pick(
    spec: &str,
    resolve: Resolve,
    packages: &[PackageId],
    world: Option<&str>,
) -> Result<Selected, InitError> {
    let all: Vec<(PackageId, WorldId)> = packages
        .iter()
        .flat_map(|&p| resolve.packages[p].worlds.values().map(move |&w| (p, w)))
        .collect();
    let names: Vec<String> = all
        .iter()
        .map(|&(p, w)| qualified(&resolve, p, &resolve.worlds[w].name))
        .collect();
    let main = resolve.packages[packages[0]].name.to_string();
    let found = match world {
        None if all.len() == 1 => Some(all[0]),
        None => {
            return Err(InitError::WorldNeeded {
                spec: spec.to_string(),
                package: main,
                available: names,
            });
        }
        // A bare world name, or a qualified one as `generate!` writes it.
        Some(w) => all
            .iter()
            .zip(&names)
            .find(|((_, id), q)| resolve.worlds[*id].name == w || q.as_str() == w)
            .map(|(&pw, _)| pw),
    };
    let Some((package, world_id)) = found else {
        let w = world.unwrap_or_default();
        let short: Vec<&str> = all
            .iter()
            .map(|&(_, id)| resolve.worlds[id].name.as_str())
            .collect();
        return Err(InitError::NoSuchWorld {
            world: w.to_string(),
            package: main,
            suggestion: weft_wit::closest(w, short).map(str::to_string),
            available: names,
        });
    };
    Ok(Selected {
        resolve,
        world: world_id,
        package,
    })
}

/// `ns:name[@version][/world]` among the packages in `root` and its subdirectories.
fn select_package(spec: &str, root: &Path) -> Result<Selected, InitError> {
    let (package, world) = match spec.split_once('/') {
        Some((p, w)) => (p, Some(w)),
        None => (spec, None),
    };
    let mut found = Vec::new();
    let mut matched = Vec::new();
    for dir in package_dirs(root) {
        // A directory that does not load is not the one asked for; its errors would
        // only distract from "not found" (and `weft wit check` reports them).
        let Ok(loaded) = weft_wit::load(&dir) else {
            continue;
        };
        for id in loaded.packages() {
            let name = &loaded.resolve.packages[id].name;
            found.push(name.to_string());
            if name.to_string() == package || format!("{}:{}", name.namespace, name.name) == package
            {
                matched.push((name.to_string(), dir.clone()));
            }
        }
    }
    match matched.len() {
        0 => Err(InitError::NoSuchPackage {
            name: package.to_string(),
            root: root.to_path_buf(),
            found,
        }),
        // Loaded again so that the resolve holds that package and its deps alone.
        1 => {
            let loaded = weft_wit::load(&matched[0].1)?;
            let id = loaded
                .packages()
                .into_iter()
                .find(|&id| loaded.resolve.packages[id].name.to_string() == matched[0].0);
            let ids: Vec<PackageId> = id.into_iter().collect();
            pick(spec, loaded.resolve, &ids, world)
        }
        _ => Err(InitError::SeveralPackages {
            name: package.to_string(),
            root: root.to_path_buf(),
            found: matched.into_iter().map(|(n, _)| n).collect(),
        }),
    }
}

/// `root` if it holds `.wit` files, and each subdirectory of it that does (but `deps`).
fn package_dirs(root: &Path) -> Vec<PathBuf> {
    let has_wit = |dir: &Path| {
        dir.read_dir().is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "wit")))
        })
    };
    let mut dirs = Vec::new();
    if has_wit(root) {
        dirs.push(root.to_path_buf());
    }
    if let Ok(entries) = root.read_dir() {
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "deps") && has_wit(p))
            .collect();
        subdirs.sort();
        dirs.extend(subdirs);
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_are_told_from_paths() {
        assert!(looks_like_package("example:greeter"));
        assert!(looks_like_package("example:greeter@1.0.0/greeter"));
        assert!(!looks_like_package("wit/greeter:greeter"));
        assert!(!looks_like_package("greeter"));
    }
}
