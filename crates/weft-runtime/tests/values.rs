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
fn more_edge_values_round_trip_as_wave() {
    let cases = [
        (
            "echo-bytes",
            "[0, 1, 127, 128, 255]",
            "[0, 1, 127, 128, 255]",
        ),
        ("echo-bytes", "[]", "[]"),
        ("echo-f32", "inf", "inf"),
        ("echo-f32", "-inf", "-inf"),
        ("echo-f64", "nan", "nan"),
        ("echo-u16", "0", "0"),
        ("echo-s8", "127", "127"),
        ("echo-s16", "32767", "32767"),
        ("echo-s32", "2147483647", "2147483647"),
    ];
    for (func, input, expected) in cases {
        wave(func, input, expected);
    }
}

/// Calls `func` with the one JSON argument `value` and expects it back unchanged.
fn json_echo(func: &str, value: serde_json::Value) {
    json_call(func, value.clone(), value);
}

/// Calls `func` with the one JSON argument `input` and expects `expected`.
fn json_call(func: &str, input: serde_json::Value, expected: serde_json::Value) {
    let mut session = common::session("types");
    let out = session
        .call_json(func, &json!([input.clone()]))
        .unwrap_or_else(|e| panic!("{func}({input}): {e}"));
    assert_eq!(out, expected, "{func}({input})");
}

#[test]
fn integer_bounds_round_trip_as_json() {
    let cases = [
        ("echo-u8", json!(0)),
        ("echo-u16", json!(0)),
        ("echo-u16", json!(65535)),
        ("echo-u32", json!(0)),
        ("echo-u32", json!(4294967295u32)),
        ("echo-s8", json!(-128)),
        ("echo-s8", json!(127)),
        ("echo-s16", json!(-32768)),
        ("echo-s16", json!(32767)),
        ("echo-s32", json!(-2147483648i32)),
        ("echo-s32", json!(2147483647)),
    ];
    for (func, value) in cases {
        json_echo(func, value);
    }
    // One past each bound is refused, not wrapped.
    let mut session = common::session("types");
    for (func, value, ty) in [
        ("echo-u16", json!(65536), "u16"),
        ("echo-u32", json!(4294967296u64), "u32"),
        ("echo-s8", json!(-129), "s8"),
        ("echo-s16", json!(32768), "s16"),
        ("echo-s32", json!(-2147483649i64), "s32"),
    ] {
        let e = session
            .call_json(func, &json!([value]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("out of range for {ty}")), "{func}: {e}");
    }
}

#[test]
fn sixty_four_bit_integers_switch_to_strings_past_two_to_the_53() {
    const LIMIT: u64 = 1 << 53;
    // Up to 2^53 a JSON number is exact, so it stays a number.
    json_echo("echo-u64", json!(LIMIT));
    json_echo("echo-s64", json!(LIMIT as i64));
    json_echo("echo-s64", json!(-(LIMIT as i64)));
    // One more is printed as a decimal string, whether it came in as a string or a number.
    json_echo("echo-u64", json!("9007199254740993"));
    json_call("echo-u64", json!(LIMIT + 1), json!("9007199254740993"));
    json_echo("echo-s64", json!("9007199254740993"));
    json_echo("echo-s64", json!("-9007199254740993"));
    json_call(
        "echo-s64",
        json!(-(LIMIT as i64) - 1),
        json!("-9007199254740993"),
    );
    // A decimal string at or under 2^53 comes back as a number.
    json_call("echo-u64", json!("9007199254740992"), json!(LIMIT));
}

#[test]
fn floats_and_aggregates_round_trip_as_json() {
    json_echo("echo-f32", json!("nan"));
    json_echo("echo-f32", json!("inf"));
    json_echo("echo-f32", json!(1.5));
    json_echo("echo-f64", json!("inf"));
    let ada = json!({"name": "Ada", "age": 36, "email": "ada@example.org", "tags": ["math"]});
    let bob = json!({"name": "Bob", "age": 7, "email": null, "tags": []});
    json_echo("echo-list", json!([ada, bob]));
    json_echo("echo-list", json!([]));
    json_echo("echo-point", json!({"x": -1, "y": 2}));
    json_echo("echo-point", json!({"x": -2147483648i32, "y": 2147483647}));
    json_echo("echo-result-ok-only", json!({"tag": "ok", "val": 1}));
    json_echo("echo-result-ok-only", json!({"tag": "err"}));
    json_echo("echo-result-err-only", json!({"tag": "ok"}));
    json_echo("echo-result-err-only", json!({"tag": "err", "val": "bad"}));
    // `"val": null` stands for "no payload" on input.
    json_call(
        "echo-result-err-only",
        json!({"tag": "ok", "val": null}),
        json!({"tag": "ok"}),
    );
}

/// A MiB of bytes in a pattern that does not repeat on a power of two.
fn mebibyte() -> Vec<u8> {
    (0..1usize << 20).map(|i| (i % 253) as u8).collect()
}

#[test]
fn one_mebibyte_of_bytes_round_trips_as_wave() {
    let bytes = mebibyte();
    let text = format!(
        "[{}]",
        bytes
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut session = common::session("types");
    let out = session
        .call_wave(&format!("echo-bytes({text})"))
        .expect("echo-bytes of 1 MiB");
    // Parse what came back rather than compare text, so a mismatch names the first bad byte.
    let back: Vec<u8> = out
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .expect("a WAVE list")
        .split(", ")
        .map(|n| n.parse().expect("a u8"))
        .collect();
    assert_eq!(back.len(), bytes.len());
    if let Some(i) = (0..bytes.len()).find(|&i| back[i] != bytes[i]) {
        panic!("byte {i} came back as {}, sent {}", back[i], bytes[i]);
    }
    // Same bytes; the text is also the canonical spelling (not printed: it is 4 MB).
    assert!(out == text, "the 1 MiB list came back spelled differently");
}

#[test]
fn one_mebibyte_of_bytes_round_trips_as_json() {
    let bytes = mebibyte();
    let mut session = common::session("types");
    let out = session
        .call_json("echo-bytes", &json!([bytes]))
        .expect("echo-bytes of 1 MiB");
    let back: Vec<u8> = serde_json::from_value(out).expect("an array of bytes");
    assert_eq!(back.len(), bytes.len());
    if let Some(i) = (0..bytes.len()).find(|&i| back[i] != bytes[i]) {
        panic!("byte {i} came back as {}, sent {}", back[i], bytes[i]);
    }
    // And the guest's own 1 MiB (byte i is i % 251) arrives intact as JSON.
    let out = session
        .call_json("make-bytes", &json!([1u32 << 20]))
        .unwrap();
    let made: Vec<u8> = serde_json::from_value(out).expect("an array of bytes");
    assert_eq!(made.len(), 1 << 20);
    assert!(made.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
}

#[test]
fn one_mebibyte_lists_cross_both_ways() {
    const LEN: usize = 1 << 20;
    let mut session = common::session("types");
    let bytes: Vec<Val> = (0..LEN).map(|i| Val::U8((i % 253) as u8)).collect();
    let out = session.call_vals("bytes-len", &[Val::List(bytes)]).unwrap();
    assert_eq!(out, vec![Val::U64(LEN as u64)]);
    let out = session
        .call_vals("make-bytes", &[Val::U32(LEN as u32)])
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

#[test]
fn f32_values_past_its_range_are_refused_not_rounded_to_infinity() {
    let mut s = common::session("types");
    let wave = s.call_wave("echo-f32(1e40)").unwrap_err().to_string();
    assert!(wave.contains("past f32's range"), "{wave}");
    assert_eq!(s.call_wave("echo-f32(inf)").unwrap(), "inf");
    let json = s
        .call_json("echo-f32", &serde_json::json!([1e40]))
        .unwrap_err()
        .to_string();
    assert!(json.contains("past f32's range"), "{json}");
}

#[test]
fn a_json_flag_named_twice_is_refused_as_in_wave() {
    let mut s = common::session("types");
    let err = s
        .call_json("echo-flags", &serde_json::json!([["read", "read"]]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("flag `read` a second time"), "{err}");
}

#[test]
fn json_text_with_a_key_named_twice_is_refused_as_wave_refuses_a_repeated_field() {
    use weft_runtime::values::json::parse_strict;
    let err = parse_strict(r#"[{"name": "Ada", "name": "Bo"}]"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the key `name` appears twice") && err.contains("column"),
        "{err}"
    );
    let value = parse_strict(r#"[{"name": "Ada", "tags": [1, 2.5, null, true]}]"#).unwrap();
    assert_eq!(
        value,
        serde_json::json!([{"name": "Ada", "tags": [1, 2.5, null, true]}])
    );
}

#[test]
fn a_prebuilt_value_of_the_wrong_type_is_an_error_and_the_session_lives_on() {
    let mut s = common::session("greeter");
    let wrong = weft_runtime::Val::Record(vec![
        ("name".into(), weft_runtime::Val::U32(7)),
        ("title".into(), weft_runtime::Val::Option(None)),
    ]);
    match s.call_vals("greet", &[wrong]) {
        Err(CallError::Value { error, .. }) => {
            assert_eq!(error.path, "person.name");
            assert_eq!(error.expected, "string");
        }
        other => panic!("expected a value error, got {other:?}"),
    }
    assert_eq!(
        s.call_wave(r#"greet({name: "Ada"})"#).unwrap(),
        r#""Hello, Ada! Welcome aboard.""#
    );
}

/// Flags come out of WAVE and JSON in the order of their type, whatever order the text
/// names them in, so that a value prints the way a guest would return it (found by the
/// `values` fuzz target: `{none, a}` read back as `{a, none}`).
#[test]
fn flags_are_read_in_the_order_of_their_type() {
    use weft_runtime::values::{Path, json::from_json, wave::parse_value};
    let component = common::load("types");
    let echo = component
        .exports()
        .funcs()
        .iter()
        .find(|f| f.name == "echo-flags")
        .expect("types exports echo-flags");
    let (_, ty) = echo.ty.params().next().expect("echo-flags takes flags");
    let no_handles = |_: &str, _: &weft_runtime::wasmtime::component::Type| Err(String::new());
    let path = Path::root("x");
    let expected = Val::Flags(vec!["read".to_string(), "admin".to_string()]);
    assert_eq!(
        parse_value("{admin, read}", &ty, &path, &no_handles).unwrap(),
        expected
    );
    assert_eq!(
        from_json(&json!(["admin", "read"]), &ty, &path, &no_handles).unwrap(),
        expected
    );
    assert_eq!(
        from_json(
            &json!({"admin": true, "read": true}),
            &ty,
            &path,
            &no_handles
        )
        .unwrap(),
        expected
    );
}
