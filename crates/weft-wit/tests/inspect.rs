//! `weft_wit::inspect` on a real guest component.

#[test]
fn inspect_reports_wit_producers_and_sizes() {
    let bytes = std::fs::read(weft_test_guests::GREETER).unwrap();
    let report = weft_wit::inspect(&bytes).unwrap();
    assert_eq!(report.size, bytes.len());
    assert!(report.invalid.is_none(), "{:?}", report.invalid);
    let wit = report.wit.expect("the greeter's WIT decodes");
    assert!(
        wit.contains("greet: func(person: person) -> string;"),
        "{wit}"
    );
    assert!(
        wit.contains("import example:greeter/logging@1.0.0;"),
        "{wit}"
    );
    assert!(
        report
            .imports
            .iter()
            .any(|i| i == "example:greeter/logging@1.0.0")
    );
    assert_eq!(
        report.exports,
        vec!["example:greeter/greeting@1.0.0".to_string()]
    );
    assert!(
        report
            .producers
            .iter()
            .any(|p| p.field == "processed-by" && p.name == "wit-component"),
        "{:?}",
        report.producers
    );
    assert!(!report.modules.is_empty());
    assert!(
        report
            .modules
            .iter()
            .all(|m| m.size > 0 && m.offset + m.size <= bytes.len())
    );
    assert!(report.custom_sections.iter().any(|s| s.name == "producers"));

    // A truncated file is reported with the offset where reading stopped.
    let broken = &bytes[..bytes.len() - 10];
    match weft_wit::inspect(broken) {
        Err(e) => assert!(e.offset > 0 && e.offset <= broken.len(), "{e}"),
        Ok(report) => assert!(report.invalid.is_some()),
    }
}
