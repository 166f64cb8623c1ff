//! Golden tests for `weft_wit::load` + diagnostics.
//!
//! Each `tests/ui/check/<case>.wit` (or directory `<case>/`) is loaded; the
//! rendered diagnostics, or the summary on success, are compared with
//! `<case>.out` beside it. `BLESS=1 cargo test -p weft-wit` rewrites them.
//!
//! For invalid single files whose every diagnostic carries a fix, the fixes are
//! applied and the result must load: a hint that does not fix the file fails
//! the test.

use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("tests/ui/check")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "wit"))
        .collect();
    out.sort();
    out
}

fn golden(path: &Path, actual: &str) -> Result<(), String> {
    let expected_path = PathBuf::from(format!("{}.out", path.display()));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e} (run with BLESS=1)", expected_path.display()))?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        ));
    }
    Ok(())
}

#[test]
fn check_cases() {
    let mut failures = Vec::new();
    let mut fixes_checked = 0;
    for case in cases() {
        let actual = match weft_wit::load(&case) {
            Ok(loaded) => format!("ok: {}\n", weft_wit::summarize(&loaded)),
            Err(weft_wit::LoadError::Invalid { diagnostics, .. }) => {
                let all_fixed = diagnostics
                    .iter()
                    .all(|d| d.hint.as_ref().is_some_and(|h| !h.fix.is_empty()));
                if case.is_file() && all_fixed {
                    let text = std::fs::read_to_string(&case).unwrap();
                    let fixed =
                        weft_wit::apply_fixes(&case.display().to_string(), &text, &diagnostics);
                    fixes_checked += 1;
                    if let Err(e) = weft_wit::load_str("fixed.wit", &fixed) {
                        failures.push(format!(
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
        if let Err(e) = golden(&case, &actual) {
            failures.push(e);
        }
    }
    // Most invalid inputs carry only text fixes; if this drops, the
    // fix-application check above has stopped seeing them.
    assert!(
        fixes_checked >= 10,
        "only {fixes_checked} inputs had their fixes applied"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
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
