//! Federation through a real `nats-server` on a free loopback port: a component served
//! on NATS in this process, called through `Remote` as an import would call it.

use std::time::{Duration, Instant};

use wasmtime::component::{Type, Val};
use weft_federation::codec;
use weft_federation::{FederationError, NatsAddress, Remote, ServeOptions, Server};
use weft_runtime::values::{Path, wave};
use weft_runtime::{Capabilities, ExportFunc, Imports, Limits, Runtime, RuntimeConfig};
use weft_test_guests::{NatsServer, WrpcServer};

const TYPES: &str = "weft:types/echo@0.1.0";
const HOSTILE: &str = "weft:hostile/misbehave@0.1.0";

/// A component served on NATS: the server, its runtime (whose epoch ticker enforces the
/// limits) and the exports it serves.
struct Serving {
    _server: Server,
    _runtime: Runtime,
    // Its own threads, as in another process: a guest that spins until its deadline
    // holds a thread of the server, never the caller's.
    _tokio: tokio::runtime::Runtime,
}

/// Serves guest `name` on `nats` with `limits`.
fn serve(nats: &NatsServer, name: &str, limits: Limits) -> (Serving, Vec<ExportFunc>) {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let component = runtime.load_file(weft_test_guests::path(name)).unwrap();
    let prepared = runtime
        .prepare(&component, &Imports::new().asynchronous())
        .unwrap();
    let (served, skipped) = weft_federation::servable(&prepared, "");
    assert!(
        skipped.iter().all(|s| !s.contains("echo-u32")),
        "{skipped:?}"
    );
    let exports = served.iter().map(|s| s.export.clone()).collect();
    let tokio = tokio();
    let server = tokio.block_on(async {
        let client = weft_federation::connect(&nats.url()).await.unwrap();
        weft_federation::serve(
            client,
            prepared,
            Capabilities::default(),
            limits,
            served,
            ServeOptions::default(),
        )
        .await
        .unwrap()
    });
    let serving = Serving {
        _server: server,
        _runtime: runtime,
        _tokio: tokio,
    };
    (serving, exports)
}

fn remote(tokio: &tokio::runtime::Runtime, nats: &NatsServer, timeout: Duration) -> Remote {
    let address = NatsAddress::parse(&nats.url()).unwrap();
    tokio.block_on(Remote::connect(&address, timeout)).unwrap()
}

fn tokio() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn func<'a>(exports: &'a [ExportFunc], name: &str) -> &'a ExportFunc {
    exports
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no export {name}"))
}

fn types_of(func: &ExportFunc) -> (Vec<Type>, Vec<Type>) {
    (
        func.ty.params().map(|(_, t)| t).collect(),
        func.ty.results().collect(),
    )
}

/// `val` with every set of flags in name order (WAVE keeps the order written).
fn sorted(val: Val) -> Val {
    match val {
        Val::Flags(mut names) => {
            names.sort();
            Val::Flags(names)
        }
        Val::List(items) => Val::List(items.into_iter().map(sorted).collect()),
        Val::Tuple(items) => Val::Tuple(items.into_iter().map(sorted).collect()),
        Val::Option(Some(v)) => Val::Option(Some(Box::new(sorted(*v)))),
        other => other,
    }
}

fn no_handles(_: &str, _: &Type) -> Result<Val, String> {
    Err("no handles here".to_string())
}

#[test]
fn values_of_every_type_cross_and_come_back() {
    let nats = NatsServer::start();
    let tokio = tokio();
    let (_server, exports) = serve(&nats, "types", Limits::default());
    let remote = remote(&tokio, &nats, Duration::from_secs(10));
    echo_every_type(&tokio, &remote, &exports, &String::new);
}

#[test]
fn weft_calls_every_type_on_a_component_wrpc_wasmtime_serves() {
    let nats = NatsServer::start();
    let tokio = tokio();
    // wRPC's own host serves the types guest; weft's codec and transport call it.
    let (wrpc, exports, remote) = wrpc_serving_types(&nats, &tokio);
    // wRPC 0.17's signed LEB128 decoder (wasm-tokio 0.6 `read_i16_leb128` and its kin)
    // refuses a last byte above its overflow bound even when it only extends the sign, so
    // it cannot read back its own encoding of s16 below -8192 or s64 below -2^62 (weft's
    // bytes are the same as its encoder's, `80 80 7e` for -32768). These cases keep to
    // what it reads; the extremes are the next test's.
    echo_cases(
        &tokio,
        &remote,
        &exports,
        &|| wrpc.output(),
        &[("echo-s16", "-8192"), ("echo-s64", "-4611686018427387904")],
    );
}

#[test]
fn wrpc_wasmtime_refuses_the_most_negative_integers_weft_sends_as_it_would_itself() {
    let nats = NatsServer::start();
    let tokio = tokio();
    let (_wrpc, exports, remote) = wrpc_serving_types(&nats, &tokio);
    // The bytes weft sends are wRPC's own encoder's (`put_i16_leb128`); its decoder fails
    // the call. When a wRPC release reads them, this test fails: then drop the
    // replacements above.
    let (params, results) = types_of(func(&exports, "echo-s16"));
    let mut bytes = Vec::new();
    codec::encode(&Val::S16(i16::MIN), &params[0], &mut bytes).unwrap();
    assert_eq!(bytes, [0x80, 0x80, 0x7e]);
    let refused = tokio.block_on(remote.call(
        Some(TYPES),
        "echo-s16",
        &[Val::S16(i16::MIN)],
        &params,
        &results,
    ));
    assert!(
        matches!(&refused, Err(FederationError::Protocol { detail, .. })
            if detail.contains("ended before a value")),
        "{refused:?}"
    );
    // The server goes on.
    let answer = tokio
        .block_on(remote.call(
            Some(TYPES),
            "echo-s16",
            &[Val::S16(-8192)],
            &params,
            &results,
        ))
        .unwrap();
    assert_eq!(answer, [Val::S16(-8192)]);
}

/// wrpc-wasmtime serving the types guest on `nats`, once it answers; the guest's exports
/// and a client.
fn wrpc_serving_types(
    nats: &NatsServer,
    tokio: &tokio::runtime::Runtime,
) -> (WrpcServer, Vec<ExportFunc>, Remote) {
    let wrpc = WrpcServer::serve(std::path::Path::new(weft_test_guests::path("types")), nats);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let types = runtime.load_file(weft_test_guests::path("types")).unwrap();
    let exports: Vec<ExportFunc> = types.exports().funcs().to_vec();
    let remote = remote(tokio, nats, Duration::from_secs(10));
    wait_until_served(tokio, &remote, &exports, &wrpc);
    (wrpc, exports, remote)
}

/// Retries a cheap call until the server answers: wrpc-wasmtime subscribes only once it
/// has compiled the component.
fn wait_until_served(
    tokio: &tokio::runtime::Runtime,
    remote: &Remote,
    exports: &[ExportFunc],
    wrpc: &WrpcServer,
) {
    let (params, results) = types_of(func(exports, "echo-u32"));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let answer =
            tokio.block_on(remote.call(Some(TYPES), "echo-u32", &[Val::U32(1)], &params, &results));
        match answer {
            Ok(values) => return assert_eq!(values, [Val::U32(1)]),
            Err(e) => assert!(
                Instant::now() < deadline,
                "wrpc-wasmtime did not answer: {e}\n{}",
                wrpc.output()
            ),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Calls every echo function of the types guest on `remote` with a value of its type,
/// and values of several megabytes (more than one NATS message each way).
/// `server_log` says what the server logged, for a failure's message.
fn echo_every_type(
    tokio: &tokio::runtime::Runtime,
    remote: &Remote,
    exports: &[ExportFunc],
    server_log: &dyn Fn() -> String,
) {
    echo_cases(tokio, remote, exports, server_log, &[]);
}

/// [`echo_every_type`] with some cases' values replaced.
fn echo_cases(
    tokio: &tokio::runtime::Runtime,
    remote: &Remote,
    exports: &[ExportFunc],
    server_log: &dyn Fn() -> String,
    replaced: &[(&str, &str)],
) {
    let cases = [
        ("echo-bool", "true"),
        ("echo-u8", "255"),
        ("echo-u16", "65535"),
        ("echo-u32", "300"),
        ("echo-u64", "18446744073709551615"),
        ("echo-s8", "-1"),
        ("echo-s16", "-32768"),
        ("echo-s32", "-1"),
        ("echo-s64", "-9223372036854775808"),
        ("echo-f32", "1.5"),
        ("echo-f64", "-0.25"),
        ("echo-char", "'é'"),
        ("echo-string", r#""Hello, Ada! Welcome aboard.""#),
        ("echo-bytes", "[0, 1, 255]"),
        (
            "echo-record",
            r#"{name: "Ada", age: 36, tags: ["math", "engines"]}"#,
        ),
        ("echo-tuple", r#"(7, "x", 2.5)"#),
        ("echo-variant", "polygon([{x: 0, y: 0}, {x: 4, y: 3}])"),
        ("echo-enum", "blue"),
        ("echo-flags", "{read, admin}"),
        ("echo-option", "none"),
        ("echo-nested-option", "some(none)"),
        ("echo-result", "err(404)"),
        ("echo-result-err-only", r#"err("gone")"#),
        ("echo-result-empty", "ok"),
        ("echo-nested", "[some((red, {write})), none]"),
    ];
    let echo = |name: &str, arg: &Val| {
        let (params, results) = types_of(func(exports, name));
        tokio
            .block_on(remote.call(
                Some(TYPES),
                name,
                std::slice::from_ref(arg),
                &params,
                &results,
            ))
            .unwrap_or_else(|e| panic!("{name}: {e}\nthe server's log:\n{}", server_log()))
    };
    for (name, text) in cases {
        let text = replaced
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(text, |(_, t)| *t);
        let (params, _) = types_of(func(exports, name));
        let arg = wave::parse_value(text, &params[0], &Path::root("x"), &no_handles)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let answer = echo(name, &arg);
        assert_eq!(
            answer.into_iter().map(sorted).collect::<Vec<_>>(),
            vec![sorted(arg)],
            "{name}"
        );
    }
    let bytes = Val::List((0..3_000_000u32).map(|i| Val::U8(i as u8)).collect());
    let text = Val::String("é".repeat(1_500_000));
    for (name, arg) in [("echo-bytes", bytes), ("echo-string", text)] {
        let answer = echo(name, &arg);
        assert!(answer == [arg], "{name}: a different value came back");
    }
}

#[test]
fn the_wire_bytes_are_wrpc_s() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let greeter = runtime
        .load_file(weft_test_guests::path("greeter"))
        .unwrap();
    let greet = greeter.exports().resolve("greet").unwrap();
    let (params, results) = types_of(greet);
    let person = wave::parse_value(
        r#"{name: "Ada", title: none}"#,
        &params[0],
        &Path::root("p"),
        &no_handles,
    )
    .unwrap();
    let mut bytes = Vec::new();
    codec::encode_all(&[person], &params, &mut bytes).unwrap();
    assert_eq!(bytes, [0x03, b'A', b'd', b'a', 0x00]);
    let mut bytes = Vec::new();
    codec::encode_all(
        &[Val::String("Hello, Ada! Welcome aboard.".into())],
        &results,
        &mut bytes,
    )
    .unwrap();
    assert_eq!(bytes[0], 0x1b);
    assert_eq!(&bytes[1..], b"Hello, Ada! Welcome aboard.");
    let types = runtime.load_file(weft_test_guests::path("types")).unwrap();
    let catalog = types.exports();
    let one = |name: &str, text: &str| {
        let export = catalog.resolve(name).unwrap();
        let ty = export.ty.params().next().unwrap().1;
        let val = wave::parse_value(text, &ty, &Path::root("x"), &no_handles).unwrap();
        let mut out = Vec::new();
        codec::encode(&val, &ty, &mut out).unwrap();
        out
    };
    assert_eq!(one("echo-u32", "300"), [0xac, 0x02]);
    assert_eq!(one("echo-s32", "-1"), [0x7f]);
    assert_eq!(one("echo-s32", "64"), [0xc0, 0x00]);
    assert_eq!(one("echo-s8", "-1"), [0xff]);
    assert_eq!(one("echo-f32", "1.5"), [0x00, 0x00, 0xc0, 0x3f]);
    assert_eq!(one("echo-char", "'é'"), [0xc3, 0xa9]);
    assert_eq!(one("echo-result", r#"ok("x")"#), [0x00, 0x01, b'x']);
    assert_eq!(one("echo-enum", "blue"), [0x02]);
    // permissions { read, write, execute, admin }: read and admin are bits 0 and 3.
    assert_eq!(one("echo-flags", "{read, admin}"), [0x09]);
}

#[test]
fn malformed_messages_are_refused_and_the_server_goes_on() {
    let nats = NatsServer::start();
    let tokio = tokio();
    let (_server, exports) = serve(&nats, "types", Limits::default());
    let remote = remote(&tokio, &nats, Duration::from_secs(10));
    for garbage in [
        &[0x80u8; 12][..],
        &[0xac, 0x02, 0x00][..],
        &[0x05, b'a'][..],
        &[][..],
    ] {
        // The server answers every call; it refuses the bytes and says why.
        for func in ["echo-u32", "echo-string"] {
            let error = tokio
                .block_on(remote.invoke(Some(TYPES), func, garbage))
                .unwrap_err();
            let refused = matches!(&error, FederationError::Remote(r)
                if r.contains("malformed") || r.contains("ends inside") || r.contains("left over"));
            assert!(refused, "{func} {garbage:?}: {error}");
        }
    }
    let export = func(&exports, "echo-u32");
    let (params, results) = types_of(export);
    let answer = tokio
        .block_on(remote.call(Some(TYPES), "echo-u32", &[Val::U32(7)], &params, &results))
        .unwrap();
    assert_eq!(answer, [Val::U32(7)]);
}

#[test]
fn a_trap_fails_its_call_and_a_stuck_call_times_out() {
    let nats = NatsServer::start();
    let tokio = tokio();
    let limits = Limits {
        timeout: Some(Duration::from_secs(3)),
        ..Limits::default()
    };
    let (_server, exports) = serve(&nats, "hostile", limits);
    let remote = remote(&tokio, &nats, Duration::from_secs(1));
    let panic = func(&exports, "panic");
    let (params, results) = types_of(panic);
    let error = tokio
        .block_on(remote.call(
            Some(HOSTILE),
            "panic",
            &[Val::String("boom".into())],
            &params,
            &results,
        ))
        .unwrap_err();
    // The server's reason comes back (a wRPC peer would see only the results end).
    assert!(
        matches!(&error, FederationError::Remote(reason) if reason.contains("guest aborted")),
        "{error}"
    );
    // The caller gives up after its own timeout, whatever the server does.
    let started = Instant::now();
    let error = tokio
        .block_on(remote.call(Some(HOSTILE), "spin", &[], &[], &[]))
        .unwrap_err();
    assert!(matches!(error, FederationError::Timeout(_)), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The server serves the next call from a fresh instance.
    let ok = func(&exports, "ok");
    let (params, results) = types_of(ok);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match tokio.block_on(remote.call(Some(HOSTILE), "ok", &[Val::U32(1)], &params, &results)) {
            Ok(answer) => {
                assert_eq!(answer.len(), 1);
                break;
            }
            // The spinning call holds the instance until the server's 3 s limit.
            Err(FederationError::Timeout(_)) if Instant::now() < deadline => continue,
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn calls_resume_after_the_nats_server_restarts() {
    let nats = NatsServer::start();
    let port = nats.port();
    let tokio = tokio();
    let (_server, exports) = serve(&nats, "types", Limits::default());
    let remote = remote(&tokio, &nats, Duration::from_secs(2));
    let export = func(&exports, "echo-u32");
    let (params, results) = types_of(export);
    let call =
        || tokio.block_on(remote.call(Some(TYPES), "echo-u32", &[Val::U32(1)], &params, &results));
    assert_eq!(call().unwrap(), [Val::U32(1)]);
    drop(nats);
    let _nats = NatsServer::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match call() {
            Ok(answer) => {
                assert_eq!(answer, [Val::U32(1)]);
                break;
            }
            Err(e) => assert!(Instant::now() < deadline, "calls did not resume: {e}"),
        }
    }
}
