//! Instantiation cost of a pre-linked component (the types guest), with the pooling
//! allocator and with on-demand allocation, and where the time goes.
//!
//! For each allocator:
//!
//! - `weft`: `Prepared::instantiate` (store data, store, instance, session), dropped
//!   outside the timed region;
//! - `weft_with_drop`: the same with dropping the session timed too (the full cycle);
//! - `weft_state`: `HostState::new` alone (WASI context, resource table);
//! - `raw`: `Store::new` with ready store data plus `InstancePre::instantiate`, on
//!   weft's linker: what wasmtime itself costs;
//! - `raw_unit`: the same with `()` as store data, every import a trapping stub: the
//!   floor for this component.
//!
//! Run: `cargo bench -p weft-runtime --bench instantiate -- --measurement-time 3 --warm-up-time 1`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_main};
use wasmtime::Store;
use wasmtime::component::Linker;
use weft_runtime::{Capabilities, HostState, Imports, Limits, Runtime, RuntimeConfig};

/// Times `iters` runs of `timed`, each given a fresh `setup()` built outside the timed
/// region; whatever `timed` returns is dropped outside it too.
fn timed_only<S, R>(
    iters: u64,
    mut setup: impl FnMut() -> S,
    mut timed: impl FnMut(S) -> R,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let input = setup();
        let start = Instant::now();
        let out = timed(input);
        total += start.elapsed();
        drop(out);
    }
    total
}

fn bench_allocator(c: &mut Criterion, pooling: bool) {
    let runtime = Runtime::new(RuntimeConfig {
        cache: None,
        pooling,
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let label = if runtime.pooling() {
        "pooling"
    } else {
        "on_demand"
    };
    eprintln!(
        "asked for pooling: {pooling}; Runtime::pooling() = {}",
        runtime.pooling()
    );
    let engine = runtime.engine();
    let loaded = runtime
        .load_file(weft_test_guests::TYPES)
        .expect("load types");
    let prepared = runtime
        .prepare(&loaded, &Imports::new().greeter_logging())
        .expect("prepare types");
    let pre = prepared.instance_pre().clone();
    let mut unit_linker = Linker::<()>::new(engine);
    unit_linker
        .define_unknown_imports_as_traps(loaded.component())
        .expect("stubs");
    let unit_pre = unit_linker
        .instantiate_pre(loaded.component())
        .expect("instantiate_pre");

    // The session works before it is timed.
    let mut session = prepared
        .instantiate(Capabilities::default(), Limits::default())
        .expect("instantiate");
    session.call_wave("nothing()").expect("nothing()");
    drop(session);

    let mut group = c.benchmark_group(format!("instantiate/{label}"));
    group.bench_function("weft", |b| {
        b.iter_custom(|iters| {
            timed_only(iters, Capabilities::default, |caps| {
                prepared
                    .instantiate(caps, Limits::default())
                    .expect("instantiate")
            })
        })
    });
    group.bench_function("weft_with_drop", |b| {
        b.iter(|| {
            prepared
                .instantiate(Capabilities::default(), Limits::default())
                .expect("instantiate")
        })
    });
    group.bench_function("weft_state", |b| {
        b.iter(|| HostState::new(&Capabilities::default(), &Limits::default(), ()).expect("state"))
    });
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            timed_only(
                iters,
                || HostState::new(&Capabilities::default(), &Limits::default(), ()).expect("state"),
                |state| {
                    let mut store = Store::new(engine, state);
                    store.set_epoch_deadline(u64::MAX / 2);
                    let instance = pre.instantiate(&mut store).expect("instantiate");
                    (store, instance)
                },
            )
        })
    });
    group.bench_function("raw_unit", |b| {
        b.iter_custom(|iters| {
            timed_only(
                iters,
                || (),
                |()| {
                    let mut store = Store::new(engine, ());
                    store.set_epoch_deadline(u64::MAX / 2);
                    let instance = unit_pre.instantiate(&mut store).expect("instantiate");
                    (store, instance)
                },
            )
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_allocator(c, true);
    bench_allocator(c, false);
}

/// The group, in a module of its own: the function the macro defines is public.
mod group {
    criterion::criterion_group!(instantiate, super::benches);
}

criterion_main!(group::instantiate);
