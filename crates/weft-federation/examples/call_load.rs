//! Load for `benches/federation.sh`: calls one export over NATS as fast as it answers,
//! from several callers at once, and prints calls/s and latency percentiles. The same
//! driver calls weft's server and wrpc-wasmtime's, so the figures compare servers.
//!
//!     cargo run --release -p weft-federation --example call_load -- \
//!         nats://127.0.0.1:4222 greeter.wasm greet '{name: "Ada", title: none}' 20000 16

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft_federation::{NatsAddress, Remote};
use weft_runtime::values::{Path, wave};
use weft_runtime::{Runtime, RuntimeConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, component, export, arg, calls, callers] = args.as_slice() else {
        return Err("usage: call_load NATS_URL COMPONENT EXPORT WAVE_ARG CALLS CALLERS".into());
    };
    let (calls, callers): (usize, usize) = (calls.parse()?, callers.parse()?);
    // The export's types come from the component the server runs.
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let loaded = runtime.load_file(component)?;
    let func = loaded.exports().resolve(export)?.clone();
    let params: Vec<_> = func.ty.params().map(|(_, t)| t).collect();
    let results: Vec<_> = func.ty.results().collect();
    let no_handles = |_: &str, _: &_| Err("no handles here".to_string());
    let value = wave::parse_value(arg, &params[0], &Path::root("arg"), &no_handles)?;
    let instance = func.interface.clone();
    let name = func.name.clone();

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let address = NatsAddress::parse(url)?;
    let remote = tokio.block_on(Remote::connect(&address, Duration::from_secs(10)))?;
    let shared = Arc::new((remote, instance, name, vec![value], params, results));
    // One call first: the answer is printed, and a server that is not up fails here.
    let first = tokio.block_on({
        let shared = Arc::clone(&shared);
        async move {
            let (remote, instance, name, args, params, results) = &*shared;
            remote
                .call(instance.as_deref(), name, args, params, results)
                .await
        }
    })?;
    eprintln!("answer: {first:?}");

    let started = Instant::now();
    let latencies = tokio.block_on(async {
        let mut tasks = Vec::new();
        for caller in 0..callers {
            let shared = Arc::clone(&shared);
            let mine = calls / callers + usize::from(caller < calls % callers);
            tasks.push(tokio::spawn(async move {
                let (remote, instance, name, args, params, results) = &*shared;
                let mut latencies = Vec::with_capacity(mine);
                for _ in 0..mine {
                    let start = Instant::now();
                    remote
                        .call(instance.as_deref(), name, args, params, results)
                        .await?;
                    latencies.push(start.elapsed());
                }
                Ok::<_, weft_federation::FederationError>(latencies)
            }));
        }
        let mut all = Vec::with_capacity(calls);
        for task in tasks {
            all.extend(task.await??);
        }
        Ok::<_, Box<dyn std::error::Error>>(all)
    })?;
    let elapsed = started.elapsed();
    let mut latencies = latencies;
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "{} {:.1} {:.3} {:.3}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
    Ok(())
}
