//! Resource handles across their whole lifetime: construct, borrow, pass as own,
//! drop, and cleanup at the end of a session.

mod common;

use weft_runtime::CallError;

fn wave(session: &mut weft_runtime::Session, call: &str) -> String {
    session
        .call_wave(call)
        .unwrap_or_else(|e| panic!("{call}: {e}"))
}

#[test]
fn methods_statics_and_explicit_drops() {
    let mut s = common::session("types");
    s.run_script("let c = counter(\"clicks\")\nlet d = counter(\"taps\")")
        .unwrap();
    assert_eq!(wave(&mut s, "c.increment(2)"), "2");
    assert_eq!(wave(&mut s, "c.increment(3)"), "5");
    assert_eq!(wave(&mut s, "d.increment(10)"), "10");
    assert_eq!(wave(&mut s, "c.name()"), r#""clicks""#);
    // A static function taking two borrows returns a new owned handle, named automatically.
    let merged = wave(&mut s, "counter.merge(c, d)");
    assert_eq!(merged, "counter-1");
    assert_eq!(wave(&mut s, "counter-1.get()"), "15");
    assert_eq!(wave(&mut s, "counter-1.name()"), r#""clicks+taps""#);
    assert_eq!(wave(&mut s, "counter.live()"), "3");
    s.run_script("drop(counter-1)").unwrap();
    assert_eq!(wave(&mut s, "counter.drops()"), "1");
    assert_eq!(wave(&mut s, "counter.live()"), "2");
    // Passing `own` moves the handle into the guest, which drops it.
    assert_eq!(wave(&mut s, "consume(d)"), "10");
    assert_eq!(wave(&mut s, "counter.drops()"), "2");
    let err = s.call_wave("d.get()").unwrap_err();
    assert!(
        matches!(&err, CallError::UnknownHandle { name, .. } if name == "d"),
        "{err}"
    );
    let report = s.finish();
    assert_eq!(report.created, 3);
    assert_eq!(report.dropped, 2);
    assert_eq!(report.dropped_at_end, vec!["c".to_string()]);
    assert!(report.leaked.is_empty(), "{report:?}");
}

#[test]
fn every_handle_is_dropped_once_at_the_end() {
    let component = common::load("types");
    let mut s = common::runtime()
        .session(&component, common::quiet())
        .unwrap();
    for i in 0..5 {
        s.eval(&weft_runtime::call::Statement::Call(format!(
            "counter(\"n{i}\")"
        )))
        .unwrap();
    }
    assert_eq!(wave(&mut s, "counter.live()"), "5");
    // Drop two through the session, then check the guest saw exactly those destructors.
    s.drop_handle("counter-1").unwrap();
    s.drop_handle("counter-2").unwrap();
    assert_eq!(wave(&mut s, "counter.drops()"), "2");
    assert!(matches!(
        s.drop_handle("counter-1"),
        Err(CallError::UnknownHandle { .. })
    ));
    let report = s.finish();
    assert_eq!(report.dropped_at_end.len(), 3);
    assert_eq!(report.leaked.len(), 0);
}

#[test]
fn repeated_create_destroy_cycles_do_not_leak() {
    let mut s = common::session("types");
    for i in 0..200 {
        s.run_script(&format!(
            "let c = counter(\"{i}\")\nc.increment(1)\ndrop(c)"
        ))
        .unwrap();
    }
    assert_eq!(wave(&mut s, "counter.live()"), "0");
    assert_eq!(wave(&mut s, "counter.drops()"), "200");
    assert!(s.finish().leaked.is_empty());
}

#[test]
fn handle_mistakes_are_explained() {
    let mut s = common::session("types");
    let err = s.call_wave("consume(nobody)").unwrap_err().to_string();
    assert!(
        err.contains("handle `nobody`") && err.contains("create one first"),
        "{err}"
    );
    s.run_script("let c = counter(\"x\")").unwrap();
    let err = s.call_wave("c.explode()").unwrap_err().to_string();
    assert!(
        err.contains("no method `explode`") && err.contains("`increment`"),
        "{err}"
    );
    let err = s
        .run_script("let c = counter(\"again\")")
        .unwrap_err()
        .to_string();
    assert!(err.contains("already live"), "{err}");
    let err = s.run_script("let n = echo-u8(1)").unwrap_err().to_string();
    assert!(err.contains("returned none"), "{err}");
}

#[test]
fn handles_cross_json_calls_by_name() {
    let mut s = common::session("types");
    let handle = s
        .call_json("counter", &serde_json::json!(["json"]))
        .unwrap();
    assert_eq!(handle, serde_json::json!("counter-1"));
    assert_eq!(
        s.call_json("counter.increment", &serde_json::json!([handle, 4]))
            .unwrap(),
        serde_json::json!(4)
    );
    assert_eq!(
        s.call_json("consume", &serde_json::json!(["counter-1"]))
            .unwrap(),
        serde_json::json!(4)
    );
    assert!(s.finish().dropped_at_end.is_empty());
}
