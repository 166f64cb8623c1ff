//! Golden tests for `weft_wit::diff`: one directory per rule under
//! `tests/ui/diff/<case>/` with `old.wit` and `new.wit`; the rendered report is
//! compared with `report.out` (`BLESS=1` rewrites it).
//!
//! In every case where wit-component's `semver_check` ran on a world, its
//! answer and weft's (both ignoring versions) must agree. The table of rules
//! names every case and, for each of its worlds, what wit-component and weft
//! say, `None` where the check does not run: a check that does not run is
//! expected, never taken for agreement.
//!
//! Each case is a test of its own (`cargo test -p weft-wit --test diff -- enum`), and the
//! table is one more (`rules`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use weft_snapshots::{Snapshots, Trial};

const CASES: &str = "tests/ui/diff";

fn main() {
    let cases = case_dirs();
    let mut trials = weft_snapshots::case_trials(&cases, diff_case);
    trials.push(Trial::test("rules", || {
        rules();
        Ok(())
    }));
    let expected: BTreeSet<PathBuf> = cases.iter().map(|c| c.join("report.out")).collect();
    trials.push(weft_snapshots::orphans(
        "orphaned-snapshots",
        Path::new(CASES),
        |p| p.extension().is_some_and(|e| e == "out"),
        expected,
    ));
    weft_snapshots::run(trials)
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

/// What one world's cross-check must say: (world, wit-component's answer or
/// `None` when its check does not run, weft's answer counting every change,
/// weft's answer leaving out what wit-component cannot see).
type World = (&'static str, Option<bool>, bool, bool);

/// The table of rules, as (case, required bump, verdict ok, the cross-check per world).
fn rules_table() -> Vec<(&'static str, weft_wit::Bump, bool, Vec<World>)> {
    use weft_wit::Bump::{Major, Minor, Patch};
    const NONE: weft_wit::Bump = weft_wit::Bump::None;
    // Most cases have one world, `app`, where weft's two answers coincide.
    let app = |c: bool| vec![("app", Some(c), c, c)];
    vec![
        ("seed-legacy-to-modern-storage", Major, true, vec![]),
        // wit-component's check does not apply across a rename: not run.
        (
            "package-renamed",
            Major,
            true,
            vec![("app", None, false, false)],
        ),
        ("func-removed-from-import", Major, false, app(false)),
        ("func-added-to-import", Minor, true, app(true)),
        ("func-added-to-export", Major, false, app(false)),
        ("func-removed-from-export", Minor, true, app(true)),
        ("func-signature-changed", Major, false, app(false)),
        ("param-renamed", Major, true, app(false)),
        ("record-field-added", Major, false, app(false)),
        ("enum-case-added", Major, true, app(false)),
        ("enum-case-renamed", Major, false, app(false)),
        ("variant-case-removed", Major, false, app(false)),
        ("flags-flag-removed", Major, true, app(false)),
        ("type-added-to-import", Minor, true, app(true)),
        ("type-added-to-export", Major, false, app(false)),
        // wit-component's check cannot see a removed type that no function uses.
        (
            "type-removed-from-import",
            Major,
            false,
            vec![("app", Some(true), false, true)],
        ),
        ("interface-removed", Major, false, app(false)),
        ("docs-only", Patch, true, app(true)),
        ("docs-only-same-version", Patch, false, app(true)),
        ("docs-package-type-world", Patch, true, app(true)),
        ("world-import-added", Minor, true, app(true)),
        ("world-export-added", Major, false, app(false)),
        ("world-export-removed", Minor, true, app(true)),
        ("world-import-removed", Major, false, app(false)),
        ("world-added", Minor, true, app(true)),
        ("world-removed", Major, false, app(true)),
        (
            "interface-used-both-ways",
            Major,
            false,
            vec![
                ("host", Some(true), true, true),
                ("guest", Some(false), false, false),
            ],
        ),
        ("standalone-interface-func-added", Minor, true, vec![]),
        ("resource-method-added", Minor, true, app(true)),
        (
            "resource-method-added-to-export",
            Major,
            false,
            vec![("server", Some(false), false, false)],
        ),
        ("constructor-changed", Major, false, app(false)),
        ("zero-x-breaking", Major, false, app(false)),
        ("zero-x-addition", Minor, true, app(true)),
        ("unversioned", Major, true, vec![]),
        ("version-goes-down", NONE, false, vec![]),
        ("no-changes", NONE, true, app(true)),
        ("dependency-upgraded", Minor, true, app(true)),
        // wit-component clears versions, so it cannot see the dependency's
        // 0.2 -> 0.3 move; weft counts it, and agrees when leaving it out.
        (
            "dependency-major-upgrade",
            Major,
            true,
            vec![("app", Some(true), false, true)],
        ),
    ]
}

fn case_dirs() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn diff_case(s: &mut Snapshots, case: &Path) {
    let name = case.file_name().unwrap().to_str().unwrap();
    if !rules_table().iter().any(|(c, ..)| *c == name) {
        s.fail(format!("{name}: not in the rules table"));
    }
    let r = report(case);
    for sc in &r.semver_check {
        if sc.agrees() == Some(false) {
            s.fail(format!(
                "{}: world `{}`: wit-component says {:?}, weft says {}",
                case.display(),
                sc.world,
                sc.compatible,
                sc.weft_compatible_like_wit_component
            ));
        }
    }
    s.check(&case.join("report.out"), &r.render());
}

fn rules() {
    let mut failures = Vec::new();
    let table = rules_table();
    for (case, bump, ok, worlds) in &table {
        let r = report(&Path::new(CASES).join(case));
        if r.verdict.required != *bump || r.verdict.ok != *ok {
            failures.push(format!(
                "{case}: expected {bump} (ok: {ok}), got {} (ok: {}): {}",
                r.verdict.required, r.verdict.ok, r.verdict.message
            ));
        }
        let got: Vec<World> = r
            .semver_check
            .iter()
            .map(|s| {
                let world: &'static str = worlds
                    .iter()
                    .find(|w| w.0 == s.world)
                    .map_or("(unexpected world)", |w| w.0);
                (
                    world,
                    s.compatible,
                    s.weft_compatible,
                    s.weft_compatible_like_wit_component,
                )
            })
            .collect();
        if got != *worlds {
            failures.push(format!(
                "{case}: cross-check expected {worlds:?}, got {got:?}"
            ));
        }
        // A check that did not run says so in the report.
        for s in r.semver_check.iter().filter(|s| s.compatible.is_none()) {
            let line = s.render();
            if !line.contains("not run") || s.detail.is_none() {
                failures.push(format!("{case}: a check that did not run reads: {line}"));
            }
        }
    }
    assert!(table.len() >= 30, "the table lost cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
