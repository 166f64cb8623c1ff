//! Resource handles across their whole lifetime: construct, borrow, pass as own,
//! drop, and cleanup at the end of a session.

mod common;

use std::sync::{Arc, Mutex};

use weft_runtime::{CallError, Session};

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
        s.eval(&weft_runtime::Statement::Call(format!("counter(\"n{i}\")")))
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

#[test]
fn the_guest_holds_exactly_the_handles_finish_drops() {
    // The types guest counts its own constructions and destructions. Its counters live in
    // the instance, which goes away with the session, so they can be read only before
    // `finish`: what they show is that the handles `finish` reports as dropped at the end
    // are exactly the ones the guest still holds. That the destructors then really run is
    // observed from outside the instance by `finish_runs_each_live_destructor_once`.
    let mut s = common::session("types");
    s.run_script("let a = counter(\"a\")\nlet b = counter(\"b\")\nlet c = counter(\"c\")")
        .unwrap();
    assert_eq!(wave(&mut s, "counter.merge(a, b)"), "counter-1");
    s.run_script("drop(a)").unwrap();
    assert_eq!(wave(&mut s, "consume(b)"), "0");
    assert_eq!(wave(&mut s, "counter.drops()"), "2");
    assert_eq!(wave(&mut s, "counter.live()"), "2");
    let live: Vec<String> = s.handles().into_iter().map(|(name, _)| name).collect();
    assert_eq!(live, ["c", "counter-1"]);
    let report = s.finish();
    assert_eq!(report.created, 4);
    assert_eq!(report.dropped, 2);
    assert_eq!(report.dropped_at_end, live);
    assert!(report.leaked.is_empty(), "{report:?}");
}

/// A component whose `probe` resource's destructor logs the handle's id (one digit)
/// through the host's `example:greeter/logging`. The host turns that into a `tracing`
/// event, which outlives the instance, so a test can see destructors that run while a
/// session finishes or is dropped. `fail` traps, to kill the session.
const PROBE: &str = r#"(component
  (import "example:greeter/logging@1.0.0" (instance $logging
    (export "log" (func (param "level" u8) (param "message" string)))))
  (core module $memory
    (memory (export "memory") 1)
    (data (i32.const 0) "0123456789"))
  (core instance $memory (instantiate $memory))
  (alias core export $memory "memory" (core memory $mem))
  (alias export $logging "log" (func $log))
  (core func $log (canon lower (func $log) (memory $mem)))
  (core module $destructor
    (import "host" "log" (func $log (param i32 i32 i32)))
    (func (export "dtor") (param $rep i32)
      (call $log (i32.const 2) (local.get $rep) (i32.const 1))))
  (core instance $destructor
    (instantiate $destructor (with "host" (instance (export "log" (func $log))))))
  (type $probe (resource (rep i32) (dtor (core func $destructor "dtor"))))
  (core func $new (canon resource.new $probe))
  (core module $impl
    (import "canon" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param $id i32) (result i32)
      (call $new (local.get $id)))
    (func (export "fail") unreachable))
  (core instance $impl (instantiate $impl (with "canon" (instance (export "new" (func $new))))))
  (export $probe-export "probe" (type $probe))
  (func $make (param "id" u32) (result (own $probe-export))
    (canon lift (core func $impl "make")))
  (func $fail (canon lift (core func $impl "fail")))
  (export "make" (func $make))
  (export "fail" (func $fail))
)"#;

/// Records the messages of `guest` events: what the probe's destructors log.
#[derive(Clone, Default)]
struct GuestLog(Arc<Mutex<Vec<String>>>);

impl GuestLog {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// Collects the `message` field of an event.
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for GuestLog {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "guest"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        self.0.lock().unwrap().push(message.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Runs `f` with guest log events recorded into the returned log (this thread only:
/// sessions call into the guest on the caller's thread).
fn with_guest_log(f: impl FnOnce(&GuestLog)) {
    let log = GuestLog::default();
    tracing::subscriber::with_default(log.clone(), || f(&log));
}

fn probe_session() -> Session {
    let component = common::runtime()
        .load_bytes("probe.wat", PROBE.as_bytes().to_vec())
        .expect("the probe component loads");
    common::runtime()
        .session(&component, common::quiet())
        .expect("probe session")
}

#[test]
fn finish_runs_each_live_destructor_once() {
    with_guest_log(|log| {
        let mut s = probe_session();
        s.run_script("let a = make(1)\nlet b = make(2)\nlet c = make(3)\ndrop(b)")
            .unwrap();
        assert_eq!(
            log.take(),
            ["2"],
            "only the dropped handle's destructor ran"
        );
        let report = s.finish();
        assert_eq!(report.dropped_at_end, ["a", "c"]);
        assert!(report.leaked.is_empty(), "{report:?}");
        assert_eq!(
            log.take(),
            ["1", "3"],
            "each live handle's destructor, once"
        );
    });
}

#[test]
fn a_session_dropped_without_finish_runs_the_destructors() {
    with_guest_log(|log| {
        let mut s = probe_session();
        s.run_script("let x = make(4)\nlet y = make(5)").unwrap();
        assert_eq!(wave(&mut s, "make(6)"), "probe-1");
        assert!(log.take().is_empty());
        drop(s);
        // Handles are released in name order: probe-1, x, y.
        assert_eq!(log.take(), ["6", "4", "5"]);
    });
}

#[test]
fn a_dead_session_leaks_instead_of_entering_the_instance() {
    with_guest_log(|log| {
        let mut s = probe_session();
        s.run_script("let x = make(7)").unwrap();
        let err = s.call_wave("fail()").unwrap_err();
        assert!(matches!(err, CallError::Trap { .. }), "{err}");
        let report = s.finish();
        assert_eq!(report.leaked, ["x"]);
        assert!(report.dropped_at_end.is_empty());
        assert!(
            log.take().is_empty(),
            "no destructor runs in a trapped instance"
        );

        // Dropped without finish, a dead session does not enter the instance either.
        let mut s = probe_session();
        s.run_script("let x = make(8)").unwrap();
        assert!(s.call_wave("fail()").is_err());
        drop(s);
        assert!(log.take().is_empty());
    });
}

#[test]
fn a_handle_passed_as_own_through_call_vals_leaves_the_table() {
    let mut s = common::session("types");
    let made = s
        .call_vals("counter", &[weft_runtime::Val::String("x".into())])
        .unwrap();
    assert_eq!(s.handles().len(), 1);
    s.call_vals("consume", &made).unwrap();
    assert!(s.handles().is_empty(), "{:?}", s.handles());
    let report = s.finish();
    assert_eq!(report.dropped, 1);
    assert!(report.leaked.is_empty() && report.dropped_at_end.is_empty());
}
