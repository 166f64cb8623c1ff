//! A program that embeds weft-runtime the way an application would:
//!
//! 1. its own store data (`Visitor`) and its own host interface (the greeter's
//!    `example:greeter/logging`, defined with a typed `func_wrap` that writes to it);
//! 2. a mock for an import it does not want to implement (`legacy-app`'s storage);
//! 3. one prepared greeter called from 8 threads at once;
//! 4. a hot swap of the prepared component while those calls continue, with no
//!    failed call: calls after the swap are served by the new one.
//!
//! Run: `cargo run -p weft-embed-example -- GREETER.wasm LEGACY_APP.wasm`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use anyhow::{Context, bail};
use weft_runtime::wasmtime::StoreContextMut;
use weft_runtime::{
    Capabilities, HostState, HotSwap, Imports, Limits, Mock, Output, Prepared, Runtime,
    RuntimeConfig, Val,
};

/// The embedder's data in every store: which version of the host served it, and what
/// the guest logged.
struct Visitor {
    version: &'static str,
    logged: Vec<String>,
}

const THREADS: usize = 8;
const CALLS_PER_THREAD: usize = 200;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(greeter), Some(legacy_app)) = (args.next(), args.next()) else {
        bail!("usage: embed GREETER.wasm LEGACY_APP.wasm");
    };
    let runtime = Runtime::new(RuntimeConfig {
        cache: None,
        ..RuntimeConfig::default()
    })?;

    mock_an_import(&runtime, &legacy_app)?;

    let greeter = runtime.load_file(&greeter)?;
    let host = Arc::new(HotSwap::new(prepare_greeter(&runtime, &greeter, "v1")?));
    let calls = AtomicUsize::new(0);
    let served_by_v2 = AtomicUsize::new(0);
    let swapped = AtomicBool::new(false);
    thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..THREADS)
            .map(|id| {
                let host = Arc::clone(&host);
                let (calls, served_by_v2, swapped) = (&calls, &served_by_v2, &swapped);
                scope.spawn(move || -> anyhow::Result<()> {
                    for n in 0..CALLS_PER_THREAD {
                        let swapped_before = swapped.load(Ordering::SeqCst);
                        let mut session = host.instantiate_with(
                            &quiet(),
                            Limits::default(),
                            Visitor {
                                version: "",
                                logged: Vec::new(),
                            },
                        )?;
                        let name = format!("guest-{id}-{n}");
                        let result = session.call_vals(
                            "greet",
                            &[Val::Record(vec![
                                ("name".into(), Val::String(name.clone())),
                                ("title".into(), Val::Option(None)),
                            ])],
                        )?;
                        let expected = format!("Hello, {name}! Welcome aboard.");
                        if result != [Val::String(expected.clone())] {
                            bail!("thread {id}: expected {expected:?}, got {result:?}");
                        }
                        let visitor = session.data();
                        if visitor.logged != [format!("{}: Greeting {name}", visitor.version)] {
                            bail!(
                                "thread {id}: the host interface logged {:?}",
                                visitor.logged
                            );
                        }
                        // An instance made after the swap finished must be the new one.
                        if swapped_before && visitor.version != "v2" {
                            bail!(
                                "thread {id}: call {n} after the swap was served by {}",
                                visitor.version
                            );
                        }
                        if visitor.version == "v2" {
                            served_by_v2.fetch_add(1, Ordering::SeqCst);
                        }
                        calls.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(())
                })
            })
            .collect();
        // Swap once the threads are well into their calls.
        while calls.load(Ordering::SeqCst) < THREADS * CALLS_PER_THREAD / 4 {
            thread::yield_now();
        }
        let old = host.swap(prepare_greeter(&runtime, &greeter, "v2")?);
        swapped.store(true, Ordering::SeqCst);
        drop(old);
        for worker in workers {
            worker.join().expect("a worker panicked")?;
        }
        Ok(())
    })?;
    let total = calls.load(Ordering::SeqCst);
    let v2 = served_by_v2.load(Ordering::SeqCst);
    println!(
        "{total} calls from {THREADS} threads, none failed; {} served before the swap, {v2} after",
        total - v2
    );
    if v2 == 0 || v2 == total {
        bail!("the swap did not happen while calls were running");
    }
    Ok(())
}

/// The greeter linked with this program's own logging host, tagged with `version`.
fn prepare_greeter(
    runtime: &Runtime,
    greeter: &weft_runtime::LoadedComponent,
    version: &'static str,
) -> anyhow::Result<Prepared<Visitor>> {
    let imports = Imports::<Visitor>::default().define("example:greeter/logging", move |linker| {
        linker.instance("example:greeter/logging@1.0.0")?.func_wrap(
            "log",
            move |mut store: StoreContextMut<'_, HostState<Visitor>>,
                  (_level, message): (u8, String)| {
                let visitor = store.data_mut().data_mut();
                visitor.version = version;
                visitor.logged.push(format!("{version}: {message}"));
                Ok(())
            },
        )
    });
    runtime
        .prepare(greeter, &imports)
        .context("linking the greeter with this program's logging host")
}

/// `legacy-app` imports the seed's storage-v1; this program mocks it instead.
fn mock_an_import(runtime: &Runtime, path: &str) -> anyhow::Result<()> {
    let app = runtime.load_file(path)?;
    let imports = Imports::new()
        .mock("legacy:storage/storage-v1#save", Mock::wave("true"))
        .mock(
            "legacy:storage/storage-v1#load",
            Mock::wave(r#"some("from the mock")"#),
        );
    let prepared = runtime.prepare(&app, &imports)?;
    let mut session = prepared.instantiate(quiet(), Limits::default())?;
    let loaded = session.call_wave(r#"round-trip("key", "from the mock")"#)?;
    println!("legacy-app over a mocked storage-v1: round-trip -> {loaded}");
    if loaded != r#"ok("from the mock")"# {
        bail!("the mocked storage gave {loaded}");
    }
    Ok(())
}

fn quiet() -> Capabilities {
    Capabilities {
        stdout: Output::Discard,
        stderr: Output::Discard,
        ..Capabilities::default()
    }
}
