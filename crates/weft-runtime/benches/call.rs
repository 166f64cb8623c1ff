//! In-process call cost: weft's dynamic path against a typed call of the same export.
//!
//! `greet` on the greeter (a record with a string in, a string out, one `logging.log`
//! call back into the host) and `nothing()` on the types guest (no arguments, no
//! results: pure call overhead), each called through
//!
//! - `typed`: what `wasmtime::component::bindgen!` generates (for `greet`, the
//!   bindings of `wit/greeter`; for `nothing`, the `TypedFunc<(), ()>` such bindings
//!   wrap), with a trivial host `logging` implementation;
//! - `raw_val`: wasmtime's own dynamic API, `Func::call` with prebuilt `Val`s, on weft's
//!   linker and store data: the floor for any dynamic call;
//! - `weft_vals`: `Session::call_vals` with prebuilt `Val`s;
//! - `weft_wave`: `Session::call_wave` with text, which parses, resolves, converts and
//!   renders the result back to text;
//! - `resolve`: `ExportCatalog::resolve` of the name alone, which every weft call does
//!   first (no guest code runs);
//! - `weft_typed`: the typed escape hatch, `Session::typed_func` (resolved once) called on
//!   `Session::store_mut`, with the logging import defined as a typed `func_wrap` through
//!   `Imports::define`, against `typed` (target: at most 1.05x);
//! - `weft_vals_async`: `Session::call_vals_async` on a session linked for async calls
//!   (WASI's async bindings), awaited in a loop on a current-thread tokio runtime: what
//!   the async path costs per call over `weft_vals`;
//! - `weft_vals_no_cm_async` / `typed_no_cm_async`: `weft_vals` and `typed` on an engine
//!   with component-model concurrency support off (`RuntimeConfig::component_async`).
//!
//! Every variant runs on the same engine, built by `Runtime::new` (epoch interruption,
//! pooling allocator). Instances are replaced every [`CHUNK`] calls outside the timed
//! region, so the session's log of guest messages stays small.
//!
//! Run: `cargo bench -p weft-runtime --bench call -- --measurement-time 3 --warm-up-time 1`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_main};
use wasmtime::component::{
    Component, HasSelf, Instance, InstancePre, Linker, ResourceTable, TypedFunc, Val,
};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use weft_runtime::{
    Capabilities, HostState, Imports, Limits, Output, Prepared, Runtime, RuntimeConfig, Session,
};

/// Calls made on one instance before it is replaced (outside the timed region).
const CHUNK: u64 = 20_000;

/// The greeter's bindings, as a typed embedder would generate them.
mod typed {
    #![allow(missing_docs)]
    wasmtime::component::bindgen!({
        path: "../../wit/greeter",
        world: "greeter",
    });
}

use typed::exports::example::greeter::greeting::Person;

/// Store data for the typed side: WASI (the guest imports it) and a trivial logger.
struct TypedHost {
    table: ResourceTable,
    wasi: WasiCtx,
    logged: u64,
}

impl WasiView for TypedHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl typed::example::greeter::logging::Host for TypedHost {
    fn log(&mut self, _level: u8, _message: String) {
        self.logged += 1;
    }
}

fn typed_store(engine: &Engine) -> Store<TypedHost> {
    let host = TypedHost {
        table: ResourceTable::new(),
        wasi: WasiCtx::builder().build(),
        logged: 0,
    };
    let mut store = Store::new(engine, host);
    store.set_epoch_deadline(u64::MAX / 2);
    store
}

/// A weft store and instance without a session around them, for wasmtime's own APIs.
fn raw_instance(pre: &InstancePre<HostState<()>>) -> (Store<HostState<()>>, Instance) {
    let state = HostState::new(&quiet(), &Limits::default(), ()).expect("store data");
    let mut store = Store::new(pre.engine(), state);
    store.set_epoch_deadline(u64::MAX / 2);
    let instance = pre.instantiate(&mut store).expect("instantiate");
    (store, instance)
}

fn quiet() -> Capabilities {
    Capabilities {
        stdout: Output::Discard,
        stderr: Output::Discard,
        ..Capabilities::default()
    }
}

fn session(prepared: &Prepared) -> Session {
    prepared
        .instantiate(quiet(), Limits::default())
        .expect("instantiate")
}

/// Times `iters` calls of `call`, on a fresh `make()` every [`CHUNK`] calls; building
/// the instance is not timed.
fn chunked<S>(iters: u64, mut make: impl FnMut() -> S, mut call: impl FnMut(&mut S)) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        let mut state = make();
        let start = Instant::now();
        for _ in 0..n {
            call(&mut state);
        }
        total += start.elapsed();
        left -= n;
    }
    total
}

fn export_index(
    store: &mut Store<HostState<()>>,
    instance: &Instance,
    interface: &str,
    func: &str,
) -> wasmtime::component::ComponentExportIndex {
    let iface = instance
        .get_export_index(&mut *store, None, interface)
        .unwrap_or_else(|| panic!("no export {interface}"));
    instance
        .get_export_index(&mut *store, Some(&iface), func)
        .unwrap_or_else(|| panic!("no export {interface}#{func}"))
}

/// The greeter's `bindgen!` pre-instance on `engine`, with WASI and the trivial logger.
fn typed_greeter(engine: &Engine, component: &Component) -> typed::GreeterPre<TypedHost> {
    let mut linker = Linker::<TypedHost>::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("wasi");
    typed::Greeter::add_to_linker::<TypedHost, HasSelf<TypedHost>>(&mut linker, |h| h)
        .expect("logging");
    typed::GreeterPre::new(linker.instantiate_pre(component).expect("pre")).expect("typed pre")
}

/// Times `iters` typed calls of `greet` through `pre`, as [`chunked`] does.
fn typed_greets(
    iters: u64,
    engine: &Engine,
    pre: &typed::GreeterPre<TypedHost>,
    person: &Person,
) -> Duration {
    chunked(
        iters,
        || {
            let mut store = typed_store(engine);
            let g = pre.instantiate(&mut store).expect("typed instance");
            (store, g)
        },
        |(store, g)| {
            let out = g
                .example_greeter_greeting()
                .call_greet(&mut *store, std::hint::black_box(person))
                .expect("typed call");
            std::hint::black_box(out);
        },
    )
}

fn bench_greet(c: &mut Criterion, runtime: &Runtime, plain: &Runtime) {
    let engine = runtime.engine();
    let loaded = runtime
        .load_file(weft_test_guests::GREETER)
        .expect("load greeter");
    let prepared = runtime
        .prepare(&loaded, &Imports::new().greeter_logging())
        .expect("prepare greeter");
    let weft_pre = prepared.instance_pre().clone();

    let typed_pre = typed_greeter(engine, loaded.component());

    let person = Person {
        name: "Ada".to_string(),
        title: None,
    };
    let args = vec![Val::Record(vec![
        ("name".to_string(), Val::String("Ada".to_string())),
        ("title".to_string(), Val::Option(None)),
    ])];
    let expected = "Hello, Ada! Welcome aboard.";

    // Check every path returns the same answer before timing it.
    {
        let mut store = typed_store(engine);
        let g = typed_pre.instantiate(&mut store).expect("typed instance");
        let out = g
            .example_greeter_greeting()
            .call_greet(&mut store, &person)
            .expect("typed call");
        assert_eq!(out, expected);
        assert_eq!(store.data().logged, 1);
        let mut s = session(&prepared);
        let out = s.call_vals("greet", &args).expect("call_vals");
        assert_eq!(out, vec![Val::String(expected.to_string())]);
        let text = s
            .call_wave(r#"greet({name: "Ada", title: none})"#)
            .expect("call_wave");
        assert_eq!(text, format!("{expected:?}"));
    }

    let mut group = c.benchmark_group("greet");
    group.bench_function("typed", |b| {
        b.iter_custom(|iters| typed_greets(iters, engine, &typed_pre, &person))
    });
    group.bench_function("raw_val", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || {
                    let (mut store, instance) = raw_instance(&weft_pre);
                    let index = export_index(
                        &mut store,
                        &instance,
                        "example:greeter/greeting@1.0.0",
                        "greet",
                    );
                    let func = instance.get_func(&mut store, index).expect("greet");
                    (store, func)
                },
                |(store, func)| {
                    let mut results = [Val::Bool(false)];
                    func.call(&mut *store, std::hint::black_box(&args), &mut results)
                        .expect("raw call");
                    std::hint::black_box(results);
                },
            )
        })
    });
    group.bench_function("weft_vals", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || session(&prepared),
                |s| {
                    let out = s
                        .call_vals("greet", std::hint::black_box(&args))
                        .expect("call_vals");
                    std::hint::black_box(out);
                },
            )
        })
    });
    group.bench_function("weft_wave", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || session(&prepared),
                |s| {
                    let out = s
                        .call_wave(std::hint::black_box(r#"greet({name: "Ada", title: none})"#))
                        .expect("call_wave");
                    std::hint::black_box(out);
                },
            )
        })
    });
    // The escape hatch on both sides of the call: the export through `typed_func`, the
    // logging import as a typed `func_wrap`, as the `typed` variant has them.
    let typed_logging = Imports::new().define("example:greeter/logging", |linker| {
        linker.instance("example:greeter/logging@1.0.0")?.func_wrap(
            "log",
            |_store: wasmtime::StoreContextMut<'_, HostState<()>>,
             (_level, _message): (u8, String)| { Ok(()) },
        )
    });
    let typed_prepared = runtime
        .prepare(&loaded, &typed_logging)
        .expect("prepare greeter with typed logging");
    group.bench_function("weft_typed", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || {
                    let mut s = session(&typed_prepared);
                    let greet = s
                        .typed_func::<(&Person,), (String,)>("greet")
                        .expect("typed greet");
                    (s, greet)
                },
                |(s, greet)| {
                    let out = greet
                        .call(s.store_mut(), (std::hint::black_box(&person),))
                        .expect("typed call");
                    std::hint::black_box(out);
                },
            )
        })
    });
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let async_prepared = runtime
        .prepare(&loaded, &Imports::new().greeter_logging().asynchronous())
        .expect("prepare greeter for async calls");
    group.bench_function("weft_vals_async", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(CHUNK);
                total += tokio.block_on(async {
                    let mut s = async_prepared
                        .instantiate_async(&quiet(), Limits::default(), ())
                        .await
                        .expect("instantiate");
                    let start = Instant::now();
                    for _ in 0..n {
                        let out = s
                            .call_vals_async("greet", std::hint::black_box(&args))
                            .await
                            .expect("call_vals_async");
                        std::hint::black_box(out);
                    }
                    start.elapsed()
                });
                left -= n;
            }
            total
        })
    });
    let plain_loaded = plain
        .load_file(weft_test_guests::GREETER)
        .expect("load greeter");
    let plain_prepared = plain
        .prepare(&plain_loaded, &Imports::new().greeter_logging())
        .expect("prepare greeter");
    let plain_typed_pre = typed_greeter(plain.engine(), plain_loaded.component());
    group.bench_function("typed_no_cm_async", |b| {
        b.iter_custom(|iters| typed_greets(iters, plain.engine(), &plain_typed_pre, &person))
    });
    group.bench_function("weft_vals_no_cm_async", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || session(&plain_prepared),
                |s| {
                    let out = s
                        .call_vals("greet", std::hint::black_box(&args))
                        .expect("call_vals");
                    std::hint::black_box(out);
                },
            )
        })
    });
    group.bench_function("resolve", |b| {
        b.iter(|| {
            let export = loaded
                .exports()
                .resolve(std::hint::black_box("greet"))
                .expect("resolve");
            std::hint::black_box(export);
        })
    });
    group.finish();
}

fn bench_nothing(c: &mut Criterion, runtime: &Runtime) {
    let loaded = runtime
        .load_file(weft_test_guests::TYPES)
        .expect("load types");
    let prepared = runtime
        .prepare(&loaded, &Imports::new().greeter_logging())
        .expect("prepare types");
    let pre = prepared.instance_pre().clone();
    let lookup = |store: &mut Store<HostState<()>>, instance: &Instance| {
        export_index(store, instance, "weft:types/echo@0.1.0", "nothing")
    };

    let mut group = c.benchmark_group("nothing");
    group.bench_function("typed", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || {
                    let (mut store, instance) = raw_instance(&pre);
                    let index = lookup(&mut store, &instance);
                    let func: TypedFunc<(), ()> = instance
                        .get_typed_func(&mut store, index)
                        .expect("typed nothing");
                    (store, func)
                },
                |(store, func)| func.call(&mut *store, ()).expect("typed call"),
            )
        })
    });
    group.bench_function("raw_val", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || {
                    let (mut store, instance) = raw_instance(&pre);
                    let index = lookup(&mut store, &instance);
                    let func = instance.get_func(&mut store, index).expect("nothing");
                    (store, func)
                },
                |(store, func)| func.call(&mut *store, &[], &mut []).expect("raw call"),
            )
        })
    });
    group.bench_function("weft_vals", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || session(&prepared),
                |s| {
                    let out = s.call_vals("nothing", &[]).expect("call_vals");
                    std::hint::black_box(out);
                },
            )
        })
    });
    group.bench_function("weft_wave", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || session(&prepared),
                |s| {
                    let out = s
                        .call_wave(std::hint::black_box("nothing()"))
                        .expect("call_wave");
                    std::hint::black_box(out);
                },
            )
        })
    });
    group.bench_function("resolve", |b| {
        b.iter(|| {
            let export = loaded
                .exports()
                .resolve(std::hint::black_box("nothing"))
                .expect("resolve");
            std::hint::black_box(export);
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig {
        cache: None,
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    eprintln!(
        "engine: pooling allocator {}, component-model concurrency support {}",
        if runtime.pooling() { "on" } else { "off" },
        if runtime.engine().get_concurrency_support() {
            "on"
        } else {
            "off"
        },
    );
    let plain = Runtime::new(RuntimeConfig {
        cache: None,
        component_async: false,
        ..RuntimeConfig::default()
    })
    .expect("runtime without component-model async");
    bench_greet(c, &runtime, &plain);
    bench_nothing(c, &runtime);
}

/// The group, in a module of its own: the function the macro defines is public.
mod group {
    criterion::criterion_group!(call, super::benches);
}

criterion_main!(group::call);
