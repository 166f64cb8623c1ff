//! What the compile cache's integrity check costs: `CompileCache::get` (read the entry,
//! check its BLAKE3 keyed hash, `Component::deserialize` from memory) against
//! `Component::deserialize_file` of the same artifact (mapped, unchecked: what the cache
//! did before it verified entries), for the greeter and the SQLite guest (1.1 MB).
//!
//! Run: `cargo bench -p weft-runtime --bench cache -- --measurement-time 3 --warm-up-time 1`.

use criterion::{Criterion, criterion_main};
use wasmtime::component::Component;
use weft_runtime::{CompileCache, Runtime, RuntimeConfig};

fn bench_guest(c: &mut Criterion, runtime: &Runtime, name: &str, path: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = CompileCache::new(dir.path().join("cache"));
    let engine = runtime.engine();
    let bytes = std::fs::read(path).expect("read guest");
    let component = Component::new(engine, &bytes).expect("compile");
    cache.put(engine, &bytes, &component);
    let artifact = dir.path().join("plain.cwasm");
    std::fs::write(&artifact, component.serialize().expect("serialize")).expect("write");
    assert!(cache.get(engine, &bytes).is_some(), "the entry verifies");

    let mut group = c.benchmark_group(format!("cache/{name}"));
    group.bench_function("verified_get", |b| {
        b.iter(|| cache.get(engine, &bytes).expect("hit"))
    });
    group.bench_function("unverified_deserialize_file", |b| {
        b.iter(|| {
            // SAFETY: the file was just written by `Component::serialize` above.
            #[allow(unsafe_code)]
            unsafe { Component::deserialize_file(engine, &artifact) }.expect("deserialize")
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig {
        cache: None,
        pooling: false,
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    bench_guest(c, &runtime, "greeter", weft_test_guests::GREETER);
    bench_guest(c, &runtime, "sqldb", weft_test_guests::SQLDB);
}

/// The group, in a module of its own: the function the macro defines is public.
mod group {
    criterion::criterion_group!(cache, super::benches);
}

criterion_main!(group::cache);
