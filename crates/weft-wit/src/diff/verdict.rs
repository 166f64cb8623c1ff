//! The verdict: which bump the changes require, and whether the declared versions
//! give it.

use semver::Version;

use super::{Bump, Change, Verdict};

/// The bump between two declared versions, or `None` when the version went down.
pub fn declared_bump(old: &Version, new: &Version) -> Option<Bump> {
    if new < old {
        return None;
    }
    if !old.pre.is_empty() {
        // A pre-release promises nothing to its users.
        return Some(if new == old { Bump::None } else { Bump::Major });
    }
    let b = if old.major == 0 && new.major == 0 {
        if new.minor > old.minor {
            Bump::Major
        } else if new.patch > old.patch {
            Bump::Minor
        } else if new != old {
            Bump::Patch
        } else {
            Bump::None
        }
    } else if new.major > old.major {
        Bump::Major
    } else if new.minor > old.minor {
        Bump::Minor
    } else if new.patch > old.patch || new != old {
        Bump::Patch
    } else {
        Bump::None
    };
    Some(b)
}

/// The smallest version after `old` that allows a change of size `bump`.
pub fn next_version(old: &Version, bump: Bump) -> Version {
    let (ma, mi, pa) = (old.major, old.minor, old.patch);
    match (bump, ma) {
        (Bump::None, _) => old.clone(),
        (Bump::Major, 0) => Version::new(0, mi + 1, 0),
        (Bump::Major, _) => Version::new(ma + 1, 0, 0),
        (Bump::Minor, 0) => Version::new(0, mi, pa + 1),
        (Bump::Minor, _) => Version::new(ma, mi + 1, 0),
        (Bump::Patch, _) => Version::new(ma, mi, pa + 1),
    }
}

pub(super) fn verdict(old: Option<&Version>, new: Option<&Version>, changes: &[Change]) -> Verdict {
    // The first of the largest changes names the verdict.
    let worst = changes.iter().rev().max_by_key(|c| c.bump);
    let required = worst.map_or(Bump::None, |c| c.bump);
    let what = worst.map(|c| c.what.clone()).unwrap_or_default();
    match (old, new) {
        (Some(o), Some(n)) => {
            let declared = declared_bump(o, n);
            let needed = next_version(o, required);
            match declared {
                None => Verdict {
                    ok: false,
                    required,
                    declared: None,
                    needed_version: Some(needed.to_string()),
                    message: format!("declared {o} -> {n}: the version goes down"),
                },
                Some(d) if d >= required => Verdict {
                    ok: true,
                    required,
                    declared: Some(d),
                    needed_version: Some(needed.to_string()),
                    message: if required == Bump::None {
                        format!("declared {o} -> {n}; no changes")
                    } else {
                        format!(
                            "declared {o} -> {n} covers the changes: the largest, {what}, is {} ({required})",
                            required.adjective()
                        )
                    },
                },
                Some(d) => Verdict {
                    ok: false,
                    required,
                    declared: Some(d),
                    needed_version: Some(needed.to_string()),
                    message: format!(
                        "declared {o} -> {n}, but {what} is {}: this needs {needed}",
                        required.adjective()
                    ),
                },
            }
        }
        _ => Verdict {
            ok: true,
            required,
            declared: None,
            needed_version: None,
            message: if required == Bump::None {
                "no changes".to_string()
            } else {
                format!(
                    "no versions declared to compare; the changes need a {required} release ({what} is {})",
                    required.adjective()
                )
            },
        },
    }
}
