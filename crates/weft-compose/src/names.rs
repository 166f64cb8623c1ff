//! How a name written in a manifest finds the item it means: the exact name, else
//! without its version, else the interface's short name (and, for an export plugged
//! into an import, a semver-compatible version first).

use wac_graph::types::are_semver_compatible;

/// How a name given in a manifest matches a list of item names.
pub(crate) enum Match<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
    None,
}

fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(n, _)| n)
}

/// `example:greeter/logging@1.0.0` → `logging`.
pub(crate) fn short(name: &str) -> &str {
    let name = unversioned(name);
    name.rsplit_once('/').map_or(name, |(_, s)| s)
}

/// Matches `key` against `names`: the exact name, else the name without its version,
/// else the interface's short name.
pub(crate) fn match_name<'a>(key: &str, names: &[&'a str]) -> Match<'a> {
    if let Some(exact) = names.iter().find(|n| **n == key) {
        return Match::One(exact);
    }
    let stages: [&dyn Fn(&str) -> bool; 2] = [&|n| unversioned(n) == key, &|n| {
        !key.contains(':') && short(n) == key
    }];
    for stage in stages {
        let found: Vec<&str> = names.iter().copied().filter(|n| stage(n)).collect();
        match found.len() {
            0 => continue,
            1 => return Match::One(found[0]),
            _ => return Match::Many(found),
        }
    }
    Match::None
}

/// Picks the export of an instance that satisfies `import`: same name, else a
/// semver-compatible version, else the same name without version, else the same short name.
pub(crate) fn match_export<'a>(import: &str, exports: &[&'a str]) -> Match<'a> {
    if let Some(exact) = exports.iter().find(|n| **n == import) {
        return Match::One(exact);
    }
    let stages: [&dyn Fn(&str) -> bool; 3] = [
        &|n| are_semver_compatible(n, import),
        &|n| unversioned(n) == unversioned(import),
        &|n| short(n) == short(import),
    ];
    for stage in stages {
        let found: Vec<&str> = exports.iter().copied().filter(|n| stage(n)).collect();
        match found.len() {
            0 => continue,
            1 => return Match::One(found[0]),
            _ => return Match::Many(found),
        }
    }
    Match::None
}
