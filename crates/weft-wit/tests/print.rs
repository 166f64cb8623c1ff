//! `weft_wit::print` round trips: printing, parsing the output and printing
//! again gives the same text, and a package printed from its `.wit` file, from
//! its directory and from its wasm encoding is the same text.

use std::path::PathBuf;

fn valid_cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("tests/ui/check")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit") || p.is_dir())
        .filter(|p| weft_wit::load(p).is_ok())
        .collect();
    out.sort();
    out
}

#[test]
fn print_round_trips() {
    let cases = valid_cases();
    assert!(
        cases.len() >= 4,
        "expected several valid cases, got {cases:?}"
    );
    for case in cases {
        let loaded = weft_wit::load(&case).unwrap();
        let first = weft_wit::print(&loaded).unwrap();
        if case.is_dir() {
            // A directory's dependencies are not printed, so its output does
            // not load on its own.
            continue;
        }
        let again = weft_wit::load_str("printed.wit", &first).unwrap_or_else(|e| {
            panic!(
                "{}: printed WIT does not load: {e}\n{first}",
                case.display()
            )
        });
        let second = weft_wit::print(&again).unwrap();
        assert_eq!(first, second, "{}: print is not stable", case.display());
    }
}

#[test]
fn file_directory_and_wasm_print_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/ui/check/seed-greeter.wit").unwrap();
    let pkg_dir = dir.path().join("greeter");
    std::fs::create_dir(&pkg_dir).unwrap();
    std::fs::write(pkg_dir.join("greeter.wit"), &text).unwrap();

    let from_file = weft_wit::load(&pkg_dir.join("greeter.wit")).unwrap();
    let from_dir = weft_wit::load(&pkg_dir).unwrap();
    let bytes = wit_component::encode(&from_file.resolve, from_file.main).unwrap();
    let wasm = dir.path().join("greeter.wasm");
    std::fs::write(&wasm, bytes).unwrap();
    let from_wasm = weft_wit::load(&wasm).unwrap();
    assert_eq!(from_wasm.kind, weft_wit::InputKind::WitPackage);

    let a = weft_wit::print(&from_file).unwrap();
    assert_eq!(a, weft_wit::print(&from_dir).unwrap());
    assert_eq!(a, weft_wit::print(&from_wasm).unwrap());
    assert!(a.contains("interface greeting"));
}

#[test]
fn garbage_never_panics() {
    // Truncations of a valid file at every byte: each must load or give
    // diagnostics, never panic.
    let text = std::fs::read_to_string("tests/ui/check/seed-plugin-system.wit").unwrap();
    for end in 0..text.len() {
        if !text.is_char_boundary(end) {
            continue;
        }
        let _ = weft_wit::load_str("cut.wit", &text[..end]);
    }
    // Every single-byte deletion of a file with several errors.
    let text = std::fs::read_to_string("tests/ui/check/seed-database.wit").unwrap();
    for i in 0..text.len() {
        if text.is_char_boundary(i) && text.is_char_boundary(i + 1) {
            let cut = format!("{}{}", &text[..i], &text[i + 1..]);
            let _ = weft_wit::load_str("cut.wit", &cut);
        }
    }
    for junk in [
        "\0asm",
        "package",
        "package a:b;;;",
        "interface {",
        "}}}",
        "package a:b; world w { import %; }",
    ] {
        let _ = weft_wit::load_str("junk.wit", junk);
    }
}
