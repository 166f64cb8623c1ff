//! What a user sees when a test fails or a test file is wrong: expected against found,
//! mock call diffs, and problems found before anything runs.

use weft_runtime::{Runtime, RuntimeConfig};
use weft_test::{CheckError, FileReport, RunOptions, TestError, TestFile};

fn file(text: &str) -> TestFile {
    let path = std::env::temp_dir().join("weft-test-failures.toml");
    TestFile::parse(&path, text.to_string()).expect("the test file parses")
}

fn run(text: &str) -> Result<FileReport, TestError> {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    weft_test::run_test(&runtime, &file(text), &RunOptions::default())
}

fn problems(text: &str) -> Vec<String> {
    match run(text) {
        Err(TestError::Check {
            source: CheckError { problems },
            ..
        }) => problems,
        other => panic!("expected check problems, got {other:?}"),
    }
}

fn greeter(rest: &str) -> String {
    format!(
        "component = \"{}\"\n{rest}",
        weft_test_guests::path("greeter")
    )
}

fn adapter(rest: &str) -> String {
    format!(
        "component = \"{}\"\n{rest}",
        weft_test_guests::path("storage-adapter")
    )
}

#[test]
fn a_wrong_result_says_what_was_expected_and_found() {
    let report = run(&greeter(
        r#"
[[mock]]
import = "log"
[[case]]
name = "wrong"
calls = [{ call = 'greet({name: "Ada"})', expect = '"Hi, Ada"' }]
"#,
    ))
    .unwrap();
    let case = &report.cases[0];
    assert!(!case.passed);
    assert_eq!(
        case.failures,
        vec![
            "`greet({name: \"Ada\"})`: expected \"Hi, Ada\"\n      found \"Hello, Ada! Welcome aboard.\""
                .to_string()
        ]
    );
}

#[test]
fn mock_expectations_show_the_calls_that_were_made() {
    let report = run(&greeter(
        r#"
[[mock]]
import = "example:greeter/logging#log"
[[case]]
name = "mocks"
calls = ['greet({name: "Ada"})', 'farewell({name: "Ada"})']
order = ['log(1, "Farewell Ada")', 'log(1, "Greeting Ada")']
[[case.mock-called]]
import = "log"
times = 3
"#,
    ))
    .unwrap();
    let failures = report.cases[0].failures.join("\n");
    assert!(
        failures.contains("mock `log` was called 2 time(s), the test expects 3; its calls: log(1, \"Greeting Ada\"); log(1, \"Farewell Ada\")"),
        "{failures}"
    );
    assert!(
        failures.contains("the mocked calls differ from `order`"),
        "{failures}"
    );
    assert!(
        failures.contains("- log(1, \"Greeting Ada\")"),
        "{failures}"
    );
    assert!(
        failures.contains("+ log(1, \"Greeting Ada\")"),
        "{failures}"
    );
}

#[test]
fn a_trap_expectation_checks_the_kind() {
    let report = run(&format!(
        "component = \"{}\"\n{}",
        weft_test_guests::path("hostile"),
        r#"
timeout-ms = 200
[[case]]
name = "spin hits the deadline"
calls = [{ call = "spin()", trap = "deadline" }]
[[case]]
name = "the wrong kind"
calls = [{ call = "spin()", trap = "out-of-fuel" }]
"#
    ))
    .unwrap();
    assert!(report.cases[0].passed, "{:?}", report.cases[0].failures);
    let failure = &report.cases[1].failures[0];
    assert!(
        failure.contains("trapped with `deadline`")
            && failure.contains("the test expects `out-of-fuel`"),
        "{failure}"
    );
}

#[test]
fn a_mock_value_that_does_not_fit_is_refused_before_anything_runs() {
    let problems = problems(&adapter(
        r#"
[[mock]]
import = "put"
returns = "ok(-1)"
[[mock]]
import = "get"
returns = 'ok(some({key: "k", value: "bytes", content-type: "text/plain", created-at: 0}))'
[[case]]
name = "x"
calls = ['save("k", "v")']
"#,
    ));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("weft-test-failures.toml:5:")
            && problems[0].contains("mock `put`")
            && problems[0].contains("value at `result.ok` does not fit its type: expected u64"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains(
            "value at `result.ok.value` does not fit its type: expected list<u8>, found string"
        ),
        "{}",
        problems[1]
    );
}

#[test]
fn a_mock_for_an_import_the_component_lacks_names_what_it_imports() {
    let problems = problems(&adapter(
        r#"
[[mock]]
import = "modern:storage/storage-v2#putt"
returns = "ok(1)"
[[mock]]
import = "wasi:clocks/wall-clock#now"
[[case]]
name = "x"
calls = ['save("k", "v")']
"#,
    ));
    assert!(
        problems[0].contains(
            "the component imports no `modern:storage/storage-v2#putt`; did you mean `put`?"
        ) && problems[0].contains("it imports: modern:storage/storage-v2@2.0.0#put"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("is a WASI import: WASI stays real"),
        "{}",
        problems[1]
    );
}

#[test]
fn calls_and_expectations_are_checked_against_the_exports() {
    let problems = problems(&adapter(
        r#"
[[mock]]
import = "put"
returns = "ok(1)"
[[mock]]
import = "get"
returns = "ok(none)"
[[case]]
name = "bad"
calls = [
    'save("k")',
    { call = 'load("k")', expect = '5' },
    'drop(nothing)',
    { call = 'svae("k", "v")' },
]
"#,
    ));
    let text = problems.join("\n");
    assert!(
        text.contains("`save` takes 2 argument(s), 1 given"),
        "{text}"
    );
    assert!(
        text.contains("expected result: value at `result` does not fit its type: expected string, found number `5`"),
        "{text}"
    );
    assert!(text.contains("`drop(nothing)` names no handle"), "{text}");
    assert!(
        text.contains("no export named `svae`; did you mean `save`?"),
        "{text}"
    );
}

#[test]
fn an_unmocked_import_is_a_link_error_that_says_how_to_mock_it() {
    let error = run(&adapter(
        r#"
[[case]]
name = "x"
calls = ['save("k", "v")']
"#,
    ))
    .unwrap_err();
    let text = format!("{error}: {}", error_chain(&error));
    assert!(
        text.contains("mock the imports below with `[[mock]]`"),
        "{text}"
    );
    assert!(text.contains("modern:storage/storage-v2@2.0.0"), "{text}");
}

#[test]
fn an_unmocked_function_of_a_mocked_interface_traps_with_its_name() {
    let report = run(&adapter(
        r#"
[[mock]]
import = "put"
returns = "ok(1)"
[[case]]
name = "load calls get"
calls = [{ call = 'load("k")', trap = "any", trap-contains = "is not mocked" }]
"#,
    ))
    .unwrap();
    assert!(report.cases[0].passed, "{:?}", report.cases[0].failures);
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = Vec::new();
    let mut source = error.source();
    while let Some(e) = source {
        out.push(e.to_string());
        source = e.source();
    }
    out.join(": ")
}

#[test]
fn an_expected_trap_with_live_handles_passes_and_a_sequence_can_trap() {
    let report = run(&format!(
        "component = \"{}\"\n{}",
        weft_test_guests::path("notes"),
        r#"
[[mock]]
import = "db.execute"
returns = "ok(0)"
[[mock]]
import = "db.query"
sequence = ['ok([{columns: [{name: "n", value: integer(7)}]}])', { trap = "disk gone" }]
[[case]]
name = "the second query traps while the notebook is live"
calls = [
    'let book = notebook(":memory:")',
    { call = "book.count()", expect = "ok(7)" },
    { call = "book.count()", trap = "any", trap-contains = "disk gone" },
]
"#
    ))
    .unwrap();
    assert!(report.cases[0].passed, "{:?}", report.cases[0].failures);
}

#[test]
fn unmocked_imports_trap_when_the_file_says_so() {
    let report = run(&adapter(
        r#"
trap-unknown-imports = true
[[case]]
name = "save calls an import nobody mocks"
calls = [{ call = 'save("k", "v")', trap = "unknown-import" }]
"#,
    ))
    .unwrap();
    assert!(report.cases[0].passed, "{:?}", report.cases[0].failures);
}
