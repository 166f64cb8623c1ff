//! Loading: what is not a component is rejected with a message saying what it is;
//! the compile cache skips compilation the second time; imports are checked.

mod common;

use weft_runtime::{CompileCache, LoadError, Runtime, RuntimeConfig, SessionError, SessionOptions};

fn load_err(bytes: &[u8]) -> LoadError {
    match common::runtime().load_bytes("input.wasm", bytes.to_vec()) {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn non_components_are_named_for_what_they_are() {
    let module = wat::parse_str("(module)").unwrap();
    let e = load_err(&module);
    assert!(matches!(e, LoadError::CoreModule { .. }), "{e}");
    // What to run instead is the CLI's to say (`weft new`), not the library's.
    assert!(
        e.to_string().contains("core WebAssembly module") && !e.to_string().contains("weft new"),
        "{e}"
    );

    let e = load_err(b"hello, world");
    assert!(matches!(e, LoadError::NotWasm { .. }), "{e}");

    let greeter = std::fs::read(weft_test_guests::GREETER).unwrap();
    let e = load_err(&greeter[..greeter.len() / 2]);
    let LoadError::Invalid { offset, .. } = &e else {
        panic!("expected invalid, got {e}");
    };
    assert!(*offset > 8 && *offset <= greeter.len() / 2, "{e}");
    assert!(e.to_string().contains("offset"), "{e}");
}

#[test]
fn a_second_load_comes_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(RuntimeConfig {
        cache: Some(CompileCache::new(dir.path())),
        ..RuntimeConfig::default()
    })
    .unwrap();
    let first = runtime.load_file(weft_test_guests::GREETER).unwrap();
    assert!(!first.from_cache());
    let second = runtime.load_file(weft_test_guests::GREETER).unwrap();
    assert!(second.from_cache());
    let mut session = runtime.session(&second, common::quiet()).unwrap();
    assert_eq!(
        session.call_wave(r#"greet({name: "Ada"})"#).unwrap(),
        r#""Hello, Ada! Welcome aboard.""#
    );

    let uncached = Runtime::new(RuntimeConfig {
        cache: None,
        ..RuntimeConfig::default()
    })
    .unwrap();
    assert!(
        !uncached
            .load_file(weft_test_guests::GREETER)
            .unwrap()
            .from_cache()
    );
    assert!(
        !uncached
            .load_file(weft_test_guests::GREETER)
            .unwrap()
            .from_cache()
    );
}

#[test]
fn the_host_implements_greeter_logging() {
    let mut session = common::session("greeter");
    let out = session
        .call_wave(r#"greet({name: "Ada", title: some("Dr.")})"#)
        .unwrap();
    assert_eq!(out, r#""Hello, Dr. Ada! Welcome aboard.""#);
    let out = session
        .call_wave(r#"example:greeter/greeting@1.0.0#farewell({name: "Ada"})"#)
        .unwrap();
    assert_eq!(out, r#""Goodbye, Ada! See you next time.""#);
    let logs: Vec<_> = session
        .logs()
        .iter()
        .map(|l| (l.level, l.message.as_str()))
        .collect();
    assert_eq!(logs, vec![(1, "Greeting Ada"), (1, "Farewell Ada")]);
}

#[test]
fn missing_imports_are_all_listed_unless_trapped() {
    let component = common::runtime()
        .load_bytes(
            "needs.wat",
            wat::parse_str(
                r#"(component
                    (import "acme:kv/store@1.0.0" (instance (export "get" (func (param "k" string) (result string)))))
                    (import "acme:log/sink" (instance (export "write" (func (param "m" string)))))
                )"#,
            )
            .unwrap(),
        )
        .unwrap();
    let err = match common::runtime().session(&component, SessionOptions::default()) {
        Err(SessionError::Link(e)) => e.to_string(),
        Err(e) => panic!("unexpected {e}"),
        Ok(_) => panic!("expected a link error"),
    };
    assert!(err.contains("2 import(s)"), "{err}");
    assert!(
        err.contains("acme:kv/store@1.0.0") && err.contains("get: func(k: string) -> string"),
        "{err}"
    );
    assert!(
        err.contains("acme:log/sink") && !err.contains("--"),
        "{err}"
    );
    let options = SessionOptions {
        trap_unknown_imports: true,
        ..SessionOptions::default()
    };
    assert!(common::runtime().session(&component, options).is_ok());
}

#[test]
fn unknown_exports_list_signatures_and_the_closest_name() {
    let mut session = common::session("greeter");
    let err = session
        .call_wave(r#"gret({name: "x"})"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean `greet`?"), "{err}");
    assert!(
        err.contains(
            "greet: func(person: record { name: string, title: option<string> }) -> string"
        ),
        "{err}"
    );
    let err = session
        .call_wave(r#"greet({name: "x"}, 2)"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("takes 1 argument(s), 2 given") && err.contains("signature"),
        "{err}"
    );
}

#[test]
fn instances_from_one_prepared_component_are_independent() {
    let prepared = common::runtime()
        .prepare(&common::load("types"), &weft_runtime::Imports::new())
        .unwrap();
    let mut a = prepared
        .instantiate(Default::default(), Default::default())
        .unwrap();
    let mut b = prepared
        .instantiate(Default::default(), Default::default())
        .unwrap();
    a.run_script("let c = counter(\"a\")\nc.increment(5)")
        .unwrap();
    assert_eq!(a.call_wave("counter.live()").unwrap(), "1");
    assert_eq!(b.call_wave("counter.live()").unwrap(), "0");
}

#[test]
fn types_only_imports_need_no_implementation() {
    // The plugins import `example:plugin-system/hooks`, which holds only types.
    let mut session = common::runtime()
        .session(&common::load("auth-plugin"), common::quiet())
        .unwrap();
    let out = session.call_wave(r#"handler("secret")"#).unwrap();
    assert_eq!(out, "handler-1");
}
