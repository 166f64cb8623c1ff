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

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A 19-byte file whose section header claims 3.6 GB: wit-component's decoder would grow
/// its buffer to that size, zero-filled, before finding the file short (found by the
/// `load` fuzz target). Inspecting it and printing or checking its WIT fail at once.
#[test]
fn a_section_claiming_gigabytes_is_refused_without_allocating_them() {
    const BYTES: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x27, 0xff, 0xff, 0xfb, 0xce, 0x0d, 0x0d,
        0x3b, 0x20, 0x01, 0xce,
    ];
    let before = peak_rss_kib();
    let err = weft_wit::print_wit(BYTES).unwrap_err();
    assert!(format!("{err:#}").contains("offset"), "{err:#}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims-gigabytes.wasm");
    std::fs::write(&path, BYTES).unwrap();
    assert!(weft_wit::load(&path).is_err());
    if let Ok(report) = weft_wit::inspect(BYTES) {
        assert!(report.wit.is_none());
    }
    let grown_mib = (peak_rss_kib().saturating_sub(before)) / 1024;
    assert!(grown_mib < 64, "peak RSS grew by {grown_mib} MiB");
}
