//! Completion against the types guest's real export catalog.

use weft_repl::{Scope, complete};
use weft_runtime::{ExportCatalog, Runtime, RuntimeConfig};

fn catalog() -> ExportCatalog {
    let config = RuntimeConfig {
        cache: None,
        ..RuntimeConfig::default()
    };
    let runtime = Runtime::new(config).unwrap();
    let types = runtime.load_file(weft_test_guests::path("types")).unwrap();
    types.exports().clone()
}

/// The replacements offered for `line` completed at its end, and where they start.
fn offered(catalog: &ExportCatalog, handles: &[(&str, &str)], line: &str) -> (usize, Vec<String>) {
    let handles: Vec<(String, String)> = handles
        .iter()
        .map(|(h, t)| (h.to_string(), t.to_string()))
        .collect();
    let scope = Scope {
        catalog,
        handles: &handles,
    };
    let (start, candidates) = complete(&scope, line, line.len());
    (
        start,
        candidates.into_iter().map(|c| c.replacement).collect(),
    )
}

#[test]
fn export_names_complete_at_the_start_and_after_let() {
    let catalog = catalog();
    let (start, words) = offered(&catalog, &[], "echo-re");
    assert_eq!(start, 0);
    assert!(words.contains(&"echo-record(".to_string()), "{words:?}");
    assert!(words.contains(&"echo-result(".to_string()), "{words:?}");
    assert!(words.iter().all(|w| w.starts_with("echo-re")), "{words:?}");
    let (start, words) = offered(&catalog, &[], "let c = coun");
    assert_eq!(start, 8);
    assert_eq!(
        words,
        [
            "counter(",
            "counter.drops(",
            "counter.live(",
            "counter.merge("
        ]
    );
}

#[test]
fn a_handles_methods_complete_after_its_name() {
    let catalog = catalog();
    let handles = [("c", "counter")];
    let (_, words) = offered(&catalog, &handles, "c.");
    assert!(words.contains(&"c.increment(".to_string()), "{words:?}");
    assert!(words.contains(&"c.get(".to_string()), "{words:?}");
    let (_, words) = offered(&catalog, &handles, "drop(");
    assert_eq!(words, ["c)"]);
    // A borrow parameter offers the handles of its resource type.
    let (_, words) = offered(&catalog, &handles, "counter.merge(");
    assert_eq!(words, ["c"]);
}

#[test]
fn record_fields_complete_inside_braces_and_skip_those_written() {
    let catalog = catalog();
    let (start, words) = offered(&catalog, &[], "echo-record({");
    assert_eq!(start, 13);
    assert_eq!(words, ["age: ", "email: ", "name: ", "tags: "]);
    let (_, words) = offered(&catalog, &[], r#"echo-record({name: "a, b", ag"#);
    assert_eq!(words, ["age: "]);
    // Inside a field's value: that field's type (an option) decides.
    let (_, words) = offered(&catalog, &[], r#"echo-record({name: "Ada", email: "#);
    assert_eq!(words, ["none", "some("]);
    // Inside a list of records, the records' fields.
    let (_, words) = offered(&catalog, &[], r#"echo-list([{name: "x"}, {na"#);
    assert_eq!(words, ["name: "]);
}

#[test]
fn cases_and_flags_complete_from_their_types() {
    let catalog = catalog();
    let (_, words) = offered(&catalog, &[], "echo-enum(");
    assert_eq!(words, ["blue", "green", "red"]);
    let (_, words) = offered(&catalog, &[], "echo-flags({read, ");
    assert_eq!(words, ["admin", "execute", "write"]);
    let (_, words) = offered(&catalog, &[], "echo-result(e");
    assert_eq!(words, ["err("]);
    let (_, words) = offered(&catalog, &[], "echo-variant(");
    assert_eq!(words, ["circle(", "empty", "polygon(", "rectangle("]);
    let (_, words) = offered(&catalog, &[], "echo-bool(t");
    assert_eq!(words, ["true"]);
}

#[test]
fn nothing_is_offered_inside_a_string_or_after_the_call() {
    let catalog = catalog();
    assert!(offered(&catalog, &[], r#"echo-enum("re"#).1.is_empty());
    assert!(offered(&catalog, &[], "echo-enum(red) ").1.is_empty());
    assert!(offered(&catalog, &[], "no-such-export(").1.is_empty());
}
