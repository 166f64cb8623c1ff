//! Golden tests for `weft_wit::diff`: one directory per rule under
//! `tests/ui/diff/<case>/` with `old.wit` and `new.wit`; the rendered report is
//! compared with `report.out` (`BLESS=1` rewrites it).
//!
//! In every case where wit-component's `semver_check` could run on a world,
//! its answer and weft's must agree.

use std::path::{Path, PathBuf};

fn golden(path: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run with BLESS=1)", path.display()))?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ));
    }
    Ok(())
}

fn report(case: &Path) -> weft_wit::DiffReport {
    // `old.wit`/`new.wit`, or `old/`/`new/` directories with `deps/`.
    let side = |name: &str| {
        let dir = case.join(name);
        if dir.is_dir() {
            dir
        } else {
            case.join(format!("{name}.wit"))
        }
    };
    let old = weft_wit::load(&side("old")).unwrap();
    let new = weft_wit::load(&side("new")).unwrap();
    weft_wit::diff(&old, &new).unwrap()
}

#[test]
fn diff_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir("tests/ui/diff")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in cases {
        let r = report(&case);
        for sc in &r.semver_check {
            if !sc.agrees() {
                failures.push(format!(
                    "{}: world `{}`: wit-component says {:?}, weft says {}",
                    case.display(),
                    sc.world,
                    sc.compatible,
                    sc.weft_compatible
                ));
            }
        }
        if let Err(e) = golden(&case.join("report.out"), &r.render()) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The table of rules, as (case, required bump, verdict ok, semver_check ran and said compatible).
#[test]
fn rules_table() {
    use weft_wit::Bump::{Major, Minor, Patch};
    const NONE: weft_wit::Bump = weft_wit::Bump::None;
    let table: &[(&str, weft_wit::Bump, bool, Option<bool>)] = &[
        ("seed-legacy-to-modern-storage", Major, true, None),
        ("func-removed-from-import", Major, false, Some(false)),
        ("func-added-to-import", Minor, true, Some(true)),
        ("func-added-to-export", Major, false, Some(false)),
        ("func-removed-from-export", Minor, true, Some(true)),
        ("func-signature-changed", Major, false, Some(false)),
        ("param-renamed", Major, true, Some(false)),
        ("record-field-added", Major, false, Some(false)),
        ("enum-case-added", Major, true, Some(false)),
        ("type-added-to-import", Minor, true, Some(true)),
        ("type-added-to-export", Major, false, Some(false)),
        ("docs-only", Patch, true, Some(true)),
        ("docs-only-same-version", Patch, false, Some(true)),
        ("world-import-added", Minor, true, Some(true)),
        ("world-export-added", Major, false, Some(false)),
        ("world-export-removed", Minor, true, Some(true)),
        ("world-import-removed", Major, false, Some(false)),
        ("interface-used-both-ways", Major, false, None),
        ("standalone-interface-func-added", Minor, true, None),
        ("resource-method-added", Minor, true, Some(true)),
        ("zero-x-breaking", Major, false, Some(false)),
        ("zero-x-addition", Minor, true, Some(true)),
        ("unversioned", Major, true, None),
        ("version-goes-down", NONE, false, None),
        ("no-changes", NONE, true, Some(true)),
        ("dependency-upgraded", Minor, true, Some(true)),
        ("dependency-major-upgrade", Major, true, Some(true)),
    ];
    let mut failures = Vec::new();
    for &(case, bump, ok, compatible) in table {
        let r = report(&Path::new("tests/ui/diff").join(case));
        if r.verdict.required != bump || r.verdict.ok != ok {
            failures.push(format!(
                "{case}: expected {bump} (ok: {ok}), got {} (ok: {}): {}",
                r.verdict.required, r.verdict.ok, r.verdict.message
            ));
        }
        if let Some(c) = compatible {
            let ran: Vec<_> = r.semver_check.iter().map(|s| s.compatible).collect();
            if ran.is_empty() || ran.iter().any(|x| *x != Some(c)) {
                failures.push(format!("{case}: semver_check expected {c}, got {ran:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
