//! Reports of a run: text for people (a line per case, then `N passed, M failed`),
//! JUnit XML and JSON for CI systems.

use std::fmt::Write;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::run::FileReport;

/// How a run is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A line per case, failures indented below it, then the totals.
    #[default]
    Text,
    /// JUnit XML: a test suite per file.
    Junit,
    /// One JSON document with every file and case.
    Json,
}

/// Renders the reports of a run in `format`.
pub fn render(reports: &[FileReport], format: Format) -> String {
    match format {
        Format::Text => text(reports),
        Format::Junit => junit(reports),
        Format::Json => json(reports),
    }
}

fn totals(reports: &[FileReport]) -> (usize, usize) {
    reports
        .iter()
        .map(FileReport::counts)
        .fold((0, 0), |(p, f), (dp, df)| (p + dp, f + df))
}

fn text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for case in &report.cases {
            let status = if case.passed { "ok  " } else { "FAIL" };
            // No durations: the text stays the same from run to run (JUnit and JSON have them).
            let _ = write!(out, "{status} {}: {}", report.path.display(), case.name);
            if let Some(leaks) = &case.leaks {
                let _ = write!(
                    out,
                    " [{} cycles: guest memory {} -> {} bytes, handles {} -> {}]",
                    leaks.cycles,
                    leaks.memory_first,
                    leaks.memory_last,
                    leaks.handles_first,
                    leaks.handles_last
                );
            }
            out.push('\n');
            for failure in &case.failures {
                let _ = writeln!(out, "    {failure}");
            }
        }
    }
    let (passed, failed) = totals(reports);
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

fn junit(reports: &[FileReport]) -> String {
    let mut report = Report::new("weft test");
    for file in reports {
        let mut suite = TestSuite::new(file.path.display().to_string());
        for case in &file.cases {
            let status = if case.passed {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(case.failures.first().cloned().unwrap_or_default());
                status.set_description(case.failures.join("\n"));
                status
            };
            let mut test = TestCase::new(case.name.clone(), status);
            test.set_time(case.duration);
            suite.add_test_case(test);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot write JUnit XML: {e} -->\n"))
}

fn json(reports: &[FileReport]) -> String {
    let (passed, failed) = totals(reports);
    let value = serde_json::json!({
        "passed": passed,
        "failed": failed,
        "files": reports,
    });
    serde_json::to_string_pretty(&value).expect("reports serialize") + "\n"
}
