//! Every WIT type family crosses the boundary intact, as WAVE text and as JSON.

mod common;

use serde_json::json;
use weft_runtime::{CallError, Val};

/// Calls `func(input)` on the types guest and expects the WAVE result `expected`.
fn wave(func: &str, input: &str, expected: &str) {
    let mut session = common::session("types");
    let out = session
        .call_wave(&format!("{func}({input})"))
        .unwrap_or_else(|e| panic!("{func}({input}): {e}"));
    assert_eq!(out, expected, "{func}({input})");
}

#[test]
fn scalars_round_trip_as_wave() {
    let cases = [
        ("echo-bool", "true", "true"),
        ("echo-bool", "false", "false"),
        ("echo-u8", "255", "255"),
        ("echo-u16", "65535", "65535"),
        ("echo-u32", "4294967295", "4294967295"),
        ("echo-u64", "18446744073709551615", "18446744073709551615"),
        ("echo-s8", "-128", "-128"),
        ("echo-s16", "-32768", "-32768"),
        ("echo-s32", "-2147483648", "-2147483648"),
        ("echo-s64", "-9223372036854775808", "-9223372036854775808"),
        ("echo-f32", "1.5", "1.5"),
        ("echo-f32", "nan", "nan"),
        ("echo-f64", "-inf", "-inf"),
        ("echo-f64", "inf", "inf"),
        ("echo-f64", "0.1", "0.1"),
        ("echo-char", "'λ'", "'λ'"),
        ("echo-char", "'🦀'", "'🦀'"),
        ("echo-string", r#""héllo wörld ✓""#, r#""héllo wörld ✓""#),
        (
            "echo-string",
            r#""line\nbreak \"quoted\"""#,
            r#""line\nbreak \"quoted\"""#,
        ),
        ("echo-string", r#""""#, r#""""#),
    ];
    for (func, input, expected) in cases {
        wave(func, input, expected);
    }
}

#[test]
fn aggregates_round_trip_as_wave() {
    let person =
        r#"{name: "Ada", age: 36, email: some("ada@example.org"), tags: ["math", "engines"]}"#;
    wave("echo-record", person, person);
    // Option fields may be left out in WAVE, and wasm-wave prints `none` fields that way.
    wave(
        "echo-record",
        r#"{name: "Bob", age: 7, email: none, tags: []}"#,
        r#"{name: "Bob", age: 7, tags: []}"#,
    );
    wave(
        "echo-record",
        r#"{name: "Bob", age: 7, tags: []}"#,
        r#"{name: "Bob", age: 7, tags: []}"#,
    );
    wave(
        "echo-list",
        &format!("[{person}, {person}]"),
        &format!("[{person}, {person}]"),
    );
    wave("echo-point", "{x: -1, y: 2}", "{x: -1, y: 2}");
    wave("echo-tuple", r#"(7, "seven", 7.5)"#, r#"(7, "seven", 7.5)"#);
    wave("echo-variant", "circle(2.5)", "circle(2.5)");
    wave("echo-variant", "rectangle((2, 3))", "rectangle((2, 3))");
    wave(
        "echo-variant",
        "polygon([{x: 0, y: 0}, {x: 1, y: 0}])",
        "polygon([{x: 0, y: 0}, {x: 1, y: 0}])",
    );
    wave("echo-variant", "empty", "empty");
    wave("echo-enum", "green", "green");
    wave("echo-flags", "{read, admin}", "{read, admin}");
    wave("echo-flags", "{}", "{}");
    wave("echo-option", r#"some("x")"#, r#"some("x")"#);
    wave("echo-option", "none", "none");
    wave("echo-nested-option", "some(some(5))", "some(some(5))");
    wave("echo-nested-option", "some(none)", "some(none)");
    wave("echo-nested-option", "none", "none");
    wave("echo-result", r#"ok("fine")"#, r#"ok("fine")"#);
    wave("echo-result", "err(404)", "err(404)");
    wave("echo-result-ok-only", "ok(1)", "ok(1)");
    wave("echo-result-ok-only", "err", "err");
    wave("echo-result-err-only", "ok", "ok");
    wave("echo-result-err-only", r#"err("bad")"#, r#"err("bad")"#);
    wave("echo-result-empty", "ok", "ok");
    wave("echo-result-empty", "err", "err");
    wave(
        "echo-nested",
        "[some((red, {read})), none, some((blue, {write, execute}))]",
        "[some((red, {read})), none, some((blue, {write, execute}))]",
    );
}

#[test]
fn computations_see_the_values() {
    wave("char-count", r#""añ🦀""#, "3");
    wave("area", "rectangle((2, 3))", "6");
    wave(
        "area",
        "polygon([{x: 0, y: 0}, {x: 4, y: 0}, {x: 4, y: 3}])",
        "6",
    );
    wave("nothing", "", "");
}

#[test]
fn everything_round_trips_as_json() {
    let cases = [
        ("echo-bool", json!(true)),
        ("echo-u8", json!(255)),
        ("echo-s64", json!(-5)),
        // Past 2^53, 64-bit integers are decimal strings.
        ("echo-u64", json!("18446744073709551615")),
        ("echo-s64", json!("-9223372036854775808")),
        ("echo-f64", json!(0.25)),
        ("echo-f64", json!("nan")),
        ("echo-f32", json!("-inf")),
        ("echo-char", json!("λ")),
        ("echo-string", json!("héllo ✓")),
        ("echo-bytes", json!([0, 1, 255])),
        (
            "echo-record",
            json!({"name": "Ada", "age": 36, "email": null, "tags": ["x"]}),
        ),
        ("echo-tuple", json!([1, "one", 1.5])),
        ("echo-variant", json!({"tag": "circle", "val": 2.5})),
        ("echo-variant", json!({"tag": "empty"})),
        ("echo-enum", json!("blue")),
        ("echo-flags", json!({"read": true, "admin": true})),
        ("echo-option", json!("x")),
        ("echo-option", json!(null)),
        ("echo-nested-option", json!({"tag": "some", "val": null})),
        ("echo-nested-option", json!({"tag": "some", "val": 3})),
        ("echo-nested-option", json!(null)),
        ("echo-result", json!({"tag": "ok", "val": "fine"})),
        ("echo-result", json!({"tag": "err", "val": 7})),
        ("echo-result-empty", json!({"tag": "err"})),
        ("echo-nested", json!([[ "red", {"write": true}], null])),
    ];
    for (func, value) in cases {
        let mut session = common::session("types");
        let out = session
            .call_json(func, &json!([value.clone()]))
            .unwrap_or_else(|e| panic!("{func}({value}): {e}"));
        assert_eq!(out, value, "{func}");
    }
}

#[test]
fn json_accepts_alternative_spellings() {
    let mut session = common::session("types");
    // Flags as a list of names; small 64-bit numbers as strings.
    assert_eq!(
        session
            .call_json("echo-flags", &json!([["read", "write"]]))
            .unwrap(),
        json!({"read": true, "write": true})
    );
    assert_eq!(
        session.call_json("echo-u64", &json!(["42"])).unwrap(),
        json!(42)
    );
    // Trailing option parameters may be left out.
    assert_eq!(
        session.call_json("echo-option", &json!([])).unwrap(),
        json!(null)
    );
}

#[test]
fn one_mebibyte_lists_cross_both_ways() {
    const LEN: usize = 1 << 20;
    let mut session = common::session("types");
    let bytes: Vec<Val> = (0..LEN).map(|i| Val::U8((i % 253) as u8)).collect();
    let out = session
        .call_vals("bytes-len", vec![Val::List(bytes)])
        .unwrap();
    assert_eq!(out, vec![Val::U64(LEN as u64)]);
    let out = session
        .call_vals("make-bytes", vec![Val::U32(LEN as u32)])
        .unwrap();
    let Some(Val::List(items)) = out.first() else {
        panic!("expected a list, got {out:?}");
    };
    assert_eq!(items.len(), LEN);
    assert!(
        items
            .iter()
            .enumerate()
            .all(|(i, v)| *v == Val::U8((i % 251) as u8))
    );
}

fn value_error(call: &str) -> String {
    let mut session = common::session("types");
    match session.call_wave(call) {
        Err(e @ CallError::Value { .. }) => e.to_string(),
        other => panic!("{call}: expected a value error, got {other:?}"),
    }
}

#[test]
fn bad_values_name_path_type_and_what_was_found() {
    let e = value_error(r#"echo-record({name: "Ada", age: 300, tags: []})"#);
    assert!(
        e.contains("`x.age`") && e.contains("expected u8") && e.contains("`300`"),
        "{e}"
    );
    let e = value_error(r#"echo-record({name: "Ada", age: 1, tags: [1]})"#);
    assert!(
        e.contains("`x.tags[0]`") && e.contains("expected string"),
        "{e}"
    );
    let e = value_error(r#"echo-record({name: "Ada", age: 1, tag: []})"#);
    assert!(e.contains("did you mean `tags`?"), "{e}");
    let e = value_error("echo-enum(purple)");
    assert!(
        e.contains("`purple`") && e.contains("enum { red, green, blue }"),
        "{e}"
    );
    let e = value_error("echo-variant(circle)");
    assert!(e.contains("takes a payload"), "{e}");
    let e = value_error(r#"echo-char("ab")"#);
    assert!(e.contains("single quotes"), "{e}");

    let mut session = common::session("types");
    let e = session
        .call_json(
            "echo-record",
            &json!([{"name": "Ada", "age": "old", "tags": []}]),
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`x.age`") && e.contains("expected u8") && e.contains("string \"old\""),
        "{e}"
    );
    let e = session
        .call_json("echo-u8", &json!([256]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("out of range for u8"), "{e}");
    let e = session
        .call_json("echo-u8", &json!(5))
        .unwrap_err()
        .to_string();
    assert!(e.contains("must be a JSON array"), "{e}");
}
