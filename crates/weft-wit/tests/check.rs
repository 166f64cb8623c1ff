//! Golden tests for `weft_wit::load` + diagnostics.
//!
//! Each `tests/ui/check/<case>.wit` (or directory `<case>/`) is loaded; the
//! rendered diagnostics, or the summary on success, are compared with
//! `<case>.out` beside it. `BLESS=1 cargo test -p weft-wit` rewrites them.
//!
//! For invalid single files whose every diagnostic carries a fix, the fixes are
//! applied and the result must load: a hint that does not fix the file fails
//! the test.
//!
//! Each case is a test of its own (`cargo test -p weft-wit --test check -- casing`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use weft_snapshots::{Snapshots, Trial};

const CASES: &str = "tests/ui/check";

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "wit"))
        .collect();
    out.sort();
    out
}

fn expected_path(case: &Path) -> PathBuf {
    PathBuf::from(format!("{}.out", case.display()))
}

fn main() {
    let cases = cases();
    let mut trials = weft_snapshots::case_trials(&cases, check_case);
    trials.push(Trial::test(
        "fixes-are-checked-on-most-invalid-inputs",
        || {
            // Most invalid inputs carry only text fixes; if this drops, the fix-application
            // check of each case has stopped seeing them.
            let fixed = self::cases()
                .iter()
                .filter(|c| every_fix_applies(c))
                .count();
            if fixed >= 10 {
                Ok(())
            } else {
                Err(format!("only {fixed} inputs had their fixes applied").into())
            }
        },
    ));
    let expected: BTreeSet<PathBuf> = cases.iter().map(|c| expected_path(c)).collect();
    trials.push(weft_snapshots::orphans(
        "orphaned-snapshots",
        Path::new(CASES),
        |p| p.extension().is_some_and(|e| e == "out"),
        expected,
    ));
    trials.push(Trial::test(
        "a-text-file-past-any-real-package-is-refused-before-parsing",
        || {
            a_text_file_past_any_real_package_is_refused_before_parsing();
            Ok(())
        },
    ));
    weft_snapshots::run(trials)
}

/// Does `case` fail with diagnostics that all carry a fix? Those fixes are applied.
fn every_fix_applies(case: &Path) -> bool {
    match weft_wit::load(case) {
        Err(weft_wit::LoadError::Invalid { diagnostics, .. }) => all_fixable(case, &diagnostics),
        _ => false,
    }
}

/// Is `case` one file whose every diagnostic carries a fix?
fn all_fixable(case: &Path, diagnostics: &[weft_wit::Diagnostic]) -> bool {
    case.is_file()
        && diagnostics
            .iter()
            .all(|d| d.hint.as_ref().is_some_and(|h| !h.fix.is_empty()))
}

fn check_case(s: &mut Snapshots, case: &Path) {
    let actual = match weft_wit::load(case) {
        Ok(loaded) => format!("ok: {}\n", weft_wit::summarize(&loaded)),
        Err(weft_wit::LoadError::Invalid { diagnostics, .. }) => {
            if all_fixable(case, &diagnostics) {
                let text = std::fs::read_to_string(case).unwrap();
                let fixed = weft_wit::apply_fixes(&case.display().to_string(), &text, &diagnostics);
                if let Err(e) = weft_wit::load_str("fixed.wit", &fixed) {
                    s.fail(format!(
                        "{}: applying every fix does not give valid WIT: {e}\n{fixed}\n{}",
                        case.display(),
                        match &e {
                            weft_wit::LoadError::Invalid { diagnostics, .. } =>
                                weft_wit::diagnose::render(diagnostics),
                            _ => String::new(),
                        }
                    ));
                }
            }
            weft_wit::diagnose::render(&diagnostics)
        }
        Err(e) => format!("error: {e}\n"),
    };
    s.check(&expected_path(case), &actual);
}

fn a_text_file_past_any_real_package_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.wit");
    let line = "// padding\n".repeat(1 << 10);
    let mut text = String::from("package a:b;\n");
    while text.len() as u64 <= weft_wit::MAX_WIT_TEXT {
        text.push_str(&line);
    }
    std::fs::write(&path, text).unwrap();
    let err = weft_wit::load(&path).unwrap_err().to_string();
    assert!(err.contains("limit for a WIT text file"), "{err}");
}
