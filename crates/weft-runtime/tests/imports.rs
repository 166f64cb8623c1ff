//! The import registry: host functions with embedder state, typed definitions, mocks,
//! traps and forwards, each checked when the component is linked.

mod common;

use std::sync::{Arc, Mutex};

use weft_runtime::wasmtime::StoreContextMut;
use weft_runtime::{
    CallError, Capabilities, Forward, HostState, Imports, Limits, LinkError, Mock, Output, Session,
    TrapKind, Val,
};

fn quiet() -> Capabilities {
    Capabilities {
        stdout: Output::Capture,
        stderr: Output::Capture,
        ..Capabilities::default()
    }
}

fn instantiate<T: Send + 'static>(name: &str, imports: &Imports<T>, data: T) -> Session<T> {
    common::runtime()
        .prepare(&common::load(name), imports)
        .unwrap_or_else(|e| panic!("{name} links: {e}"))
        .instantiate_with(&quiet(), Limits::default(), data)
        .unwrap()
}

fn link_error<T: Send + 'static>(name: &str, imports: &Imports<T>) -> LinkError {
    match common::runtime().prepare(&common::load(name), imports) {
        Err(e) => e,
        Ok(_) => panic!("{name} should not link"),
    }
}

/// The embedder's own store data.
#[derive(Default)]
struct Journal {
    lines: Vec<String>,
}

#[test]
fn a_host_function_writes_to_the_embedders_state() {
    let imports = Imports::<Journal>::default().func(
        "example:greeter/logging#log",
        |mut store, params, _results| {
            if let [Val::U8(level), Val::String(message)] = params {
                store
                    .data_mut()
                    .data_mut()
                    .lines
                    .push(format!("{level}:{message}"));
            }
            Ok(())
        },
    );
    let mut session = instantiate("greeter", &imports, Journal::default());
    assert_eq!(
        session.call_wave(r#"greet({name: "Ada"})"#).unwrap(),
        r#""Hello, Ada! Welcome aboard.""#
    );
    assert_eq!(session.data().lines, ["1:Greeting Ada"]);
    session.data_mut().lines.clear();
    session.call_wave(r#"farewell({name: "Ada"})"#).unwrap();
    assert_eq!(session.data().lines, ["1:Farewell Ada"]);
}

#[test]
fn greeter_logging_is_an_entry_to_opt_into() {
    let err = link_error("greeter", &Imports::new()).to_string();
    assert!(
        err.contains("example:greeter/logging@1.0.0") && err.contains("log: func(level: u8"),
        "{err}"
    );
    let mut session = instantiate("greeter", &Imports::new().greeter_logging(), ());
    session.call_wave(r#"greet({name: "Ada"})"#).unwrap();
    assert_eq!(session.logs()[0].message, "Greeting Ada");
}

#[test]
fn typed_definitions_are_checked_at_link_time() {
    let typed = |level_as_u32: bool| {
        Imports::<Journal>::default().define("example:greeter/logging", move |linker| {
            let mut logging = linker.instance("example:greeter/logging@1.0.0")?;
            if level_as_u32 {
                logging.func_wrap(
                    "log",
                    |_: StoreContextMut<'_, HostState<Journal>>, (_l, _m): (u32, String)| Ok(()),
                )
            } else {
                logging.func_wrap(
                    "log",
                    |mut store: StoreContextMut<'_, HostState<Journal>>, (_l, m): (u8, String)| {
                        store.data_mut().data_mut().lines.push(m);
                        Ok(())
                    },
                )
            }
        })
    };
    let mut session = instantiate("greeter", &typed(false), Journal::default());
    session.call_wave(r#"greet({name: "Bo"})"#).unwrap();
    assert_eq!(session.data().lines, ["Greeting Bo"]);

    let err = format!(
        "{:#}",
        anyhow::Error::from(link_error("greeter", &typed(true)))
    );
    assert!(
        err.contains("greeter") && err.contains("log") && err.contains("u8") && err.contains("u32"),
        "{err}"
    );
}

fn legacy_with(imports: Imports) -> Session {
    instantiate("legacy-app", &imports, ())
}

#[test]
fn mocks_return_fixed_and_scripted_values() {
    let mut session = legacy_with(
        Imports::new()
            .mock("legacy:storage/storage-v1#save", Mock::wave("true"))
            .mock(
                "legacy:storage/storage-v1#load",
                Mock::json(serde_json::json!("stored")),
            ),
    );
    assert_eq!(
        session.call_wave(r#"round-trip("k", "stored")"#).unwrap(),
        r#"ok("stored")"#
    );

    // `count` loads, adds one and saves: the scripted loads are the stored counts.
    let mut session = legacy_with(
        Imports::new()
            .mock("legacy:storage/storage-v1#save", Mock::wave("true"))
            .mock(
                "legacy:storage/storage-v1#load",
                Mock::wave_sequence(["none", r#"some("41")"#]),
            ),
    );
    assert_eq!(session.call_wave(r#"count("c")"#).unwrap(), "ok(1)");
    assert_eq!(session.call_wave(r#"count("c")"#).unwrap(), "ok(42)");
    // The script has run out: the third call traps with a message naming the mock.
    match session.call_wave(r#"count("c")"#) {
        Err(CallError::Trap { trap, .. }) => {
            assert!(
                trap.message.contains("storage-v1@1.0.0#load"),
                "{}",
                trap.message
            );
            assert!(trap.message.contains("3 time(s)"), "{}", trap.message);
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn a_mock_value_that_does_not_fit_is_refused_at_link_time() {
    let err = link_error(
        "legacy-app",
        &Imports::new()
            .mock("legacy:storage/storage-v1#save", Mock::wave("42"))
            .mock("legacy:storage/storage-v1#load", Mock::wave("none")),
    );
    let text = err.to_string();
    assert!(matches!(err, LinkError::MockValue { .. }), "{text}");
    assert!(
        text.contains("legacy:storage/storage-v1@1.0.0#save") && text.contains("expected bool"),
        "{text}"
    );
}

#[test]
fn an_interface_can_be_made_to_trap() {
    let mut session =
        legacy_with(Imports::new().trap("legacy:storage/storage-v1", "storage is offline"));
    match session.call_wave(r#"count("c")"#) {
        Err(CallError::Trap { trap, .. }) => {
            assert_eq!(trap.kind, TrapKind::Other);
            assert!(
                trap.message.contains("storage is offline"),
                "{}",
                trap.message
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn imports_forward_to_other_instances() {
    // legacy-app -> storage-adapter -> storage-v2, three instances in three stores.
    let storage = Arc::new(Mutex::new(instantiate("storage-v2", &Imports::new(), ())));
    let adapter = Arc::new(Mutex::new(instantiate(
        "storage-adapter",
        &Imports::new().forward("modern:storage/storage-v2", Forward::to(storage.clone())),
        (),
    )));
    let mut app = legacy_with(
        Imports::new().forward("legacy:storage/storage-v1", Forward::to(adapter.clone())),
    );
    assert_eq!(app.call_wave(r#"count("visits")"#).unwrap(), "ok(1)");
    assert_eq!(app.call_wave(r#"count("visits")"#).unwrap(), "ok(2)");
    // The value landed in storage-v2, as bytes.
    let stored = storage
        .lock()
        .unwrap()
        .call_wave(r#"get("visits")"#)
        .unwrap();
    assert!(stored.contains("value: [50]"), "{stored}");
}

#[test]
fn a_forward_to_an_export_of_another_type_is_refused_at_link_time() {
    let storage = Arc::new(Mutex::new(instantiate("storage-v2", &Imports::new(), ())));
    let err = link_error(
        "legacy-app",
        &Imports::new()
            .forward(
                "legacy:storage/storage-v1#save",
                Forward::to(storage.clone()).export("put"),
            )
            .mock("legacy:storage/storage-v1#load", Mock::wave("none")),
    );
    let text = err.to_string();
    assert!(matches!(err, LinkError::Mismatch { .. }), "{text}");
    assert!(
        text.contains("storage-v1@1.0.0#save")
            && text.contains("func(key: string, value: string) -> bool")
            && text.contains("func(entry: record"),
        "{text}"
    );
}

#[test]
fn trap_stubs_reuse_the_resource_types_wasi_defines() {
    // An interface nobody provides that `use`s WASI's `input-stream`: its stub must take
    // WASI's resource type, not invent one (wasmtime would refuse the instance).
    let mut resolve = wit_parser::Resolve::default();
    resolve
        .push_str(
            "io.wit",
            r#"package wasi:io@0.2.0;
               interface error { resource error; }
               interface streams { use error.{error}; resource input-stream; }"#,
        )
        .unwrap();
    let package = resolve
        .push_str(
            "reader.wit",
            r#"package acme:reader;
               interface source {
                   use wasi:io/streams@0.2.0.{input-stream};
                   open: func() -> input-stream;
               }
               world reader {
                   import source;
                   export run: func() -> u32;
               }"#,
        )
        .unwrap();
    let world = resolve.select_world(&[package], Some("reader")).unwrap();
    let mut module =
        wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    let bytes = wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    let component = common::runtime().load_bytes("reader", bytes).unwrap();
    let missing = match common::runtime().prepare(&component, &Imports::new()) {
        Err(LinkError::Missing(m)) => m.missing,
        other => panic!("expected missing imports, got {:?}", other.err()),
    };
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("acme:reader/source"), "{missing:?}");
    common::runtime()
        .prepare(&component, &Imports::new().trap_unknown(true))
        .expect("stubs share WASI's input-stream");
}
