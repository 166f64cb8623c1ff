//! The plugin host's throughput and memory, each against what wasmtime itself gives on
//! the same engine, measured in the same run:
//!
//! 1. Events per second through the seed's chain, `auth-plugin` (an HS256 JWT check) then
//!    `rate-limit` (a token bucket per client), on one thread: the weft host
//!    (`PluginHost::dispatch`) against a host written with `wasmtime::component::bindgen!`
//!    that calls the same two components directly, the limit for any host (target: weft
//!    makes at least 0.7x its events). The `bindgen!` host has one store per plugin and
//!    the handler made once, and for each event calls auth's `on-event`, applies its
//!    modified payload and calls rate-limit's `on-event`: the chain's semantics without
//!    the pool, the metrics, the trace, the event filter or the per-call limits.
//! 2. Events per second from 2 threads against 1: the weft host with `instances = 2` on
//!    both plugins (one shared `PluginHost`), and the same ratio for the `bindgen!` host
//!    (each thread its own stores), which is how far two threads scale on this machine.
//!    Two more lines say where weft's loss comes from: the `bindgen!` host with its
//!    instances pooled as weft pools them (per plugin, idle instances behind a mutex,
//!    an event taking the last one returned, whichever thread used it), on 1 and 2
//!    threads; and the 2 threads on a weft host each (`instances = 1`), which shows what
//!    sharing one host (its pool, locks and metrics) costs.
//! 3. Memory per loaded plugin: a manifest of [`COPIES`] copies of `auth-plugin` (same
//!    file, different names, one instance each) is loaded as a warm-up and kept loaded
//!    (the compile cache holds the artifact, the allocator has seen a whole load's
//!    transient peak), then loaded a second time and one event dispatched through it.
//!    Printed: the growth of the process's resident memory (`/proc/self/statm`) over
//!    that second load, per plugin, split into anonymous pages (host heap: the plugin's
//!    component, linker and instance-pre, store, handler, metrics; the linear-memory and
//!    table pages the guest wrote) and file-backed/shared pages (the compiled code and
//!    memory image mapped from the compile cache's artifact: every load maps the file
//!    anew, so RSS counts these pages once per copy although the page cache holds them
//!    once); the growth of the proportional set size (`/proc/self/smaps_rollup`, which
//!    counts a page mapped by N copies 1/N per copy: what the copies cost in physical
//!    memory); and the linear memory per plugin the host reports
//!    (`PluginStats::memory`: the size of the guest's memories, of which RSS only counts
//!    the pages touched).
//!
//! Every event is an `http.request` whose payload is a JSON object of headers with a
//! valid `Authorization: Bearer` token (HS256, `exp` an hour ahead) and `x-client-id`:
//! [`EVENTS`] distinct events, minted before timing and cycled through. The rate limit's
//! capacity is so large that every event passes both plugins; both hosts are checked to
//! do so once before timing, and every timed event is counted as passed or refused.
//!
//! Both hosts run on the engine `Runtime::new` builds (epoch interruption, pooling
//! allocator, component-model concurrency support, no fuel); the components are
//! compiled once per host (weft's through its compile cache, in a temp dir here).
//!
//! Run: `cargo bench -p weft-plugins --bench plugins` (`SECONDS=3` per figure by
//! default), or `bash benches/plugins.sh`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use weft_plugins::{Event, PluginHost, PluginStatus, StepOutcome};
use weft_runtime::{CompileCache, Runtime, RuntimeConfig};

/// The auth plugin's secret.
const SECRET: &str = "correct horse battery staple";
/// The auth plugin's config, the same string for both hosts.
const AUTH_CONFIG: &str = r#"{"secret": "correct horse battery staple"}"#;
/// The rate limit's config: a bucket no benchmark run can empty.
const RATE_CONFIG: &str = r#"{"capacity": 1000000000, "refill-per-second": 1}"#;
/// Distinct events (clients and tokens) cycled through.
const EVENTS: usize = 64;
/// Copies of `auth-plugin` in the memory manifest.
const COPIES: usize = 20;
/// How long each configuration runs before it is timed.
const WARM_UP: Duration = Duration::from_millis(300);

/// The auth plugin's bindings (`example:plugin-system@1.0.0`).
mod auth {
    #![allow(missing_docs)]
    wasmtime::component::bindgen!({
        path: "../../wit/plugin-system",
        world: "plugin-impl",
    });
}

/// The rate limit's bindings (`example:plugin-system@1.1.0`).
mod rate {
    #![allow(missing_docs)]
    wasmtime::component::bindgen!({
        path: "../../wit/plugin-system-1.1",
        world: "filtered-plugin-impl",
    });
}

type AuthEvent = auth::example::plugin_system::hooks::Event;
type RateEvent = rate::example::plugin_system::hooks::Event;

/// Store data of the `bindgen!` host: WASI only (both plugins import it).
struct BindgenState {
    table: ResourceTable,
    wasi: WasiCtx,
}

impl WasiView for BindgenState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Both plugins compiled and linked for the `bindgen!` host.
struct BindgenPlugins {
    engine: Engine,
    auth: auth::PluginImplPre<BindgenState>,
    rate: rate::FilteredPluginImplPre<BindgenState>,
}

impl BindgenPlugins {
    fn new(engine: &Engine) -> BindgenPlugins {
        let mut linker = Linker::<BindgenState>::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("WASI links");
        let compile = |name: &str| {
            Component::from_file(engine, weft_test_guests::path(name))
                .unwrap_or_else(|e| panic!("{name} compiles: {e:#}"))
        };
        let pre = |component: &Component| {
            linker
                .instantiate_pre(component)
                .expect("the plugin links with WASI")
        };
        BindgenPlugins {
            engine: engine.clone(),
            auth: auth::PluginImplPre::new(pre(&compile("auth-plugin"))).expect("auth's exports"),
            rate: rate::FilteredPluginImplPre::new(pre(&compile("rate-limit")))
                .expect("rate-limit's exports"),
        }
    }

    fn store(&self) -> Store<BindgenState> {
        let mut store = Store::new(
            &self.engine,
            BindgenState {
                table: ResourceTable::new(),
                wasi: WasiCtx::builder().build(),
            },
        );
        // The engine interrupts on epochs; this host sets no deadline.
        store.set_epoch_deadline(u64::MAX / 2);
        store
    }
}

type AuthResult = auth::example::plugin_system::hooks::HookResult;
type RateResult = rate::example::plugin_system::hooks::HookResult;

/// One instance of auth in the `bindgen!` host: its store, instance and handler.
struct AuthSlot {
    store: Store<BindgenState>,
    instance: auth::PluginImpl,
    handler: ResourceAny,
}

impl AuthSlot {
    fn new(plugins: &BindgenPlugins) -> AuthSlot {
        let mut store = plugins.store();
        let instance = plugins
            .auth
            .instantiate(&mut store)
            .expect("auth instantiates");
        let handler = instance
            .example_plugin_system_plugin()
            .handler()
            .call_constructor(&mut store, AUTH_CONFIG)
            .expect("auth's handler");
        AuthSlot {
            store,
            instance,
            handler,
        }
    }

    fn on_event(&mut self, event: &AuthEvent) -> AuthResult {
        self.instance
            .example_plugin_system_plugin()
            .handler()
            .call_on_event(&mut self.store, self.handler, event)
            .expect("auth's on-event")
            .expect("auth takes the event")
    }
}

/// One instance of rate-limit in the `bindgen!` host.
struct RateSlot {
    store: Store<BindgenState>,
    instance: rate::FilteredPluginImpl,
    handler: ResourceAny,
}

impl RateSlot {
    fn new(plugins: &BindgenPlugins) -> RateSlot {
        let mut store = plugins.store();
        let instance = plugins
            .rate
            .instantiate(&mut store)
            .expect("rate-limit instantiates");
        let handler = instance
            .example_plugin_system_plugin()
            .handler()
            .call_constructor(&mut store, RATE_CONFIG)
            .expect("rate-limit's handler");
        RateSlot {
            store,
            instance,
            handler,
        }
    }

    fn on_event(&mut self, event: &RateEvent) -> RateResult {
        self.instance
            .example_plugin_system_plugin()
            .handler()
            .call_on_event(&mut self.store, self.handler, event)
            .expect("rate-limit's on-event")
            .expect("rate-limit takes the event")
    }
}

/// What the `bindgen!` chain did with one event.
struct Passed {
    /// Neither plugin answered the event.
    passed: bool,
    /// Which plugins replaced the payload: auth, rate-limit.
    modified: (bool, bool),
    /// The payload after both.
    payload: Vec<u8>,
}

/// The chain's semantics over two calls: auth's `on-event`, its payload applied, then
/// rate-limit's, unless auth answered the event.
fn chain(
    event: &AuthEvent,
    auth: impl FnOnce(&AuthEvent) -> AuthResult,
    rate: impl FnOnce(&RateEvent) -> RateResult,
) -> Passed {
    let first = auth(event);
    let auth_modified = first.modified_payload.is_some();
    if first.handled {
        return Passed {
            passed: false,
            modified: (auth_modified, false),
            payload: first.modified_payload.unwrap_or_default(),
        };
    }
    let next = RateEvent {
        event_type: event.event_type.clone(),
        payload: first
            .modified_payload
            .unwrap_or_else(|| event.payload.clone()),
        timestamp: event.timestamp,
    };
    let second = rate(&next);
    Passed {
        passed: !second.handled,
        modified: (auth_modified, second.modified_payload.is_some()),
        payload: second.modified_payload.unwrap_or(next.payload),
    }
}

/// The `bindgen!` host's chain: one instance of each plugin, owned by one thread.
struct BindgenChain {
    auth: AuthSlot,
    rate: RateSlot,
}

impl BindgenChain {
    fn new(plugins: &BindgenPlugins) -> BindgenChain {
        BindgenChain {
            auth: AuthSlot::new(plugins),
            rate: RateSlot::new(plugins),
        }
    }

    fn dispatch(&mut self, event: &AuthEvent) -> Passed {
        chain(event, |e| self.auth.on_event(e), |e| self.rate.on_event(e))
    }
}

/// The `bindgen!` host with instances pooled as weft pools them: per plugin, idle
/// instances in a `Vec` behind a mutex, each event taking the last one returned,
/// whichever thread used it before.
struct BindgenPool {
    auth: Mutex<Vec<AuthSlot>>,
    rate: Mutex<Vec<RateSlot>>,
}

impl BindgenPool {
    fn new(plugins: &BindgenPlugins, instances: usize) -> BindgenPool {
        BindgenPool {
            auth: Mutex::new((0..instances).map(|_| AuthSlot::new(plugins)).collect()),
            rate: Mutex::new((0..instances).map(|_| RateSlot::new(plugins)).collect()),
        }
    }

    fn dispatch(&self, event: &AuthEvent) -> Passed {
        chain(
            event,
            |e| {
                let mut slot = take(&self.auth);
                let result = slot.on_event(e);
                self.auth.lock().expect("pool").push(slot);
                result
            },
            |e| {
                let mut slot = take(&self.rate);
                let result = slot.on_event(e);
                self.rate.lock().expect("pool").push(slot);
                result
            },
        )
    }
}

/// An idle instance; there is one per thread.
fn take<S>(pool: &Mutex<Vec<S>>) -> S {
    pool.lock()
        .expect("pool")
        .pop()
        .expect("an idle instance: the pool has one per thread")
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// [`EVENTS`] `http.request` events, each from its own client with its own valid token.
fn events() -> Vec<Event> {
    let now = now();
    (0..EVENTS)
        .map(|i| {
            let client = format!("client-{i:02}");
            let claims = format!(r#"{{"sub":"{client}","exp":{}}}"#, now + 3600);
            let token = weft_test_guests::mint_jwt(&claims, SECRET, "HS256");
            let headers = serde_json::json!({
                "Authorization": format!("Bearer {token}"),
                "x-client-id": client,
            });
            Event {
                event_type: "http.request".into(),
                payload: headers.to_string().into_bytes(),
                timestamp: now * 1000,
            }
        })
        .collect()
}

/// A path as a TOML string.
fn toml_path(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// One `[[plugin]]` table.
fn plugin_table(name: &str, guest: &str, config: &str, instances: usize) -> String {
    format!(
        "[[plugin]]\nname = \"{name}\"\npath = {}\nconfig = '{config}'\ninstances = {instances}\n\n",
        toml_path(Path::new(weft_test_guests::path(guest)))
    )
}

/// Writes `text` as `NAME.toml` in `dir` and loads it; every plugin must load.
fn load(runtime: &Arc<Runtime>, dir: &Path, name: &str, text: &str) -> PluginHost {
    let path: PathBuf = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).expect("manifest written");
    let host = PluginHost::load(Arc::clone(runtime), &path).expect("manifest loads");
    for plugin in host.plugins() {
        if let PluginStatus::Failed(error) = plugin.status {
            panic!("plugin `{}` failed to load: {error}", plugin.name);
        }
    }
    host
}

/// One configuration's figures.
struct Rate {
    per_second: f64,
    events: u64,
}

/// Runs `step` on `threads` threads, each on its own `setup()` state: all threads warm
/// up together for [`WARM_UP`], then run together for `run_for`. `step` says whether the
/// event passed the chain; a refused event fails the benchmark.
fn measure<S>(
    threads: usize,
    run_for: Duration,
    setup: impl Fn(usize) -> S + Sync,
    step: impl Fn(&mut S, usize) -> bool + Sync,
) -> Rate {
    let barrier = Barrier::new(threads);
    let run = |thread: usize| {
        let mut state = setup(thread);
        // Threads start at different events, as independent callers would.
        let mut next = thread * EVENTS / threads;
        let mut refused = 0u64;
        let mut go = |until: Duration| {
            let start = Instant::now();
            let mut events = 0u64;
            while start.elapsed() < until {
                for _ in 0..EVENTS {
                    refused += u64::from(!step(&mut state, next % EVENTS));
                    next += 1;
                }
                events += EVENTS as u64;
            }
            (events, start.elapsed())
        };
        barrier.wait();
        go(WARM_UP);
        barrier.wait();
        let (events, took) = go(run_for);
        assert_eq!(refused, 0, "every event passes both plugins");
        (events, took)
    };
    let results: Vec<(u64, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let run = &run;
                scope.spawn(move || run(thread))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    Rate {
        per_second: results
            .iter()
            .map(|(events, took)| *events as f64 / took.as_secs_f64())
            .sum(),
        events: results.iter().map(|(events, _)| events).sum(),
    }
}

/// Checks, outside any timing, that the weft host passes `event` through both plugins,
/// each of which replaces the payload.
fn check_weft(host: &PluginHost, event: &Event) {
    let dispatch = host.dispatch(event.clone());
    let steps: Vec<(&str, &StepOutcome)> = dispatch
        .trace
        .iter()
        .map(|s| (s.plugin.as_str(), &s.outcome))
        .collect();
    assert!(
        !dispatch.handled && dispatch.error.is_none(),
        "weft: {dispatch:?}"
    );
    assert_eq!(
        steps,
        [
            ("auth", &StepOutcome::Modified),
            ("rate-limit", &StepOutcome::Modified)
        ],
        "weft: both plugins pass the event on with a new payload"
    );
    check_payload("weft", &dispatch.payload);
}

/// The same for the `bindgen!` host.
fn check_bindgen(chain: &mut BindgenChain, event: &AuthEvent) {
    let passed = chain.dispatch(event);
    assert!(passed.passed, "bindgen!: the event passes");
    assert_eq!(
        passed.modified,
        (true, true),
        "bindgen!: both plugins replace the payload"
    );
    check_payload("bindgen!", &passed.payload);
}

/// The payload after both plugins carries the headers each adds.
fn check_payload(who: &str, payload: &[u8]) {
    let headers: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(payload).expect("the payload is a JSON object");
    for added in ["x-auth-subject", "x-ratelimit-remaining"] {
        assert!(
            headers.contains_key(added),
            "{who}: `{added}` missing from {headers:?}"
        );
    }
}

/// Resident and file-backed/shared memory of this process, in KiB
/// (`/proc/self/statm`: fields 2 and 3, in pages of 4 KiB on this machine).
fn statm_kib() -> (u64, u64) {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let field = |i: usize| -> u64 {
        statm
            .split_whitespace()
            .nth(i)
            .and_then(|p| p.parse().ok())
            .expect("a statm field")
    };
    (field(1) * 4, field(2) * 4)
}

/// Proportional set size of this process in KiB (`/proc/self/smaps_rollup`): a page
/// mapped N times counts 1/N per mapping, so file pages every copy maps count once.
fn pss_kib() -> u64 {
    let rollup =
        std::fs::read_to_string("/proc/self/smaps_rollup").expect("/proc/self/smaps_rollup");
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a Pss line")
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let seconds: u64 = std::env::var("SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(3);
    let run_for = Duration::from_secs(seconds);
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = Arc::new(
        Runtime::new(RuntimeConfig {
            cache: Some(CompileCache::new(dir.path().join("cache"))),
            ..RuntimeConfig::default()
        })
        .expect("runtime"),
    );
    let events = events();
    let bindgen_events: Vec<AuthEvent> = events
        .iter()
        .map(|e| AuthEvent {
            event_type: e.event_type.clone(),
            payload: e.payload.clone(),
            timestamp: e.timestamp,
        })
        .collect();

    // 1 and 2: the chain, through both hosts.
    let chain = format!(
        "{}{}",
        plugin_table("auth", "auth-plugin", AUTH_CONFIG, 2),
        plugin_table("rate-limit", "rate-limit", RATE_CONFIG, 2)
    );
    let host = load(&runtime, dir.path(), "chain", &chain);
    let plugins = BindgenPlugins::new(runtime.engine());
    check_weft(&host, &events[0]);
    check_bindgen(&mut BindgenChain::new(&plugins), &bindgen_events[0]);
    println!(
        "engine: pooling allocator {}, {EVENTS} distinct http.request events, {seconds} s per figure",
        if runtime.pooling() { "on" } else { "off" }
    );

    let weft = |threads: usize| {
        measure(
            threads,
            run_for,
            |_| (),
            |_, i| !host.dispatch(events[i].clone()).handled,
        )
    };
    let bindgen = |threads: usize| {
        measure(
            threads,
            run_for,
            |_| BindgenChain::new(&plugins),
            |chain, i| chain.dispatch(&bindgen_events[i]).passed,
        )
    };
    let weft_1 = weft(1);
    println!(
        "weft host, 1 thread: {:.0} events/s ({} events)",
        weft_1.per_second, weft_1.events
    );
    let bindgen_1 = bindgen(1);
    println!(
        "bindgen! host, 1 thread: {:.0} events/s ({} events)",
        bindgen_1.per_second, bindgen_1.events
    );
    println!(
        "weft / bindgen!, 1 thread: {:.2}x (target >= 0.7x)",
        weft_1.per_second / bindgen_1.per_second
    );
    let weft_2 = weft(2);
    println!(
        "weft host, 2 threads: {:.0} events/s ({} events)",
        weft_2.per_second, weft_2.events
    );
    let bindgen_2 = bindgen(2);
    println!(
        "bindgen! host, 2 threads: {:.0} events/s ({} events)",
        bindgen_2.per_second, bindgen_2.events
    );
    let instances: Vec<String> = host
        .stats()
        .iter()
        .map(|s| format!("{} {}", s.name, s.instances))
        .collect();
    println!(
        "2 threads / 1 thread: weft {:.2}x; bindgen! (the machine's limit) {:.2}x; weft instances: {}",
        weft_2.per_second / weft_1.per_second,
        bindgen_2.per_second / bindgen_1.per_second,
        instances.join(", ")
    );
    println!(
        "weft / bindgen!, 2 threads: {:.2}x",
        weft_2.per_second / bindgen_2.per_second
    );
    drop(host);
    // The bindgen! host with weft's pooling, on the same 2 threads.
    let pool = BindgenPool::new(&plugins, 2);
    let pooled = |threads: usize| {
        measure(
            threads,
            run_for,
            |_| (),
            |_, i| pool.dispatch(&bindgen_events[i]).passed,
        )
    };
    let (pooled_1, pooled_2) = (pooled(1), pooled(2));
    println!(
        "bindgen! host, instances pooled as weft pools them: 1 thread {:.0} events/s, 2 threads {:.0} events/s; 2 threads / 1 thread {:.2}x",
        pooled_1.per_second,
        pooled_2.per_second,
        pooled_2.per_second / pooled_1.per_second
    );
    drop(pool);
    // The same 2 threads, each with a host of its own (`instances = 1`): what sharing one
    // host costs.
    let single = format!(
        "{}{}",
        plugin_table("auth", "auth-plugin", AUTH_CONFIG, 1),
        plugin_table("rate-limit", "rate-limit", RATE_CONFIG, 1)
    );
    let own: Vec<PluginHost> = (0..2)
        .map(|t| load(&runtime, dir.path(), &format!("own-{t}"), &single))
        .collect();
    let own_2 = measure(
        2,
        run_for,
        |t| &own[t],
        |host, i| !host.dispatch(events[i].clone()).handled,
    );
    println!(
        "weft, 2 threads with a host each: {:.0} events/s ({} events); {:.2}x weft 1 thread",
        own_2.per_second,
        own_2.events,
        own_2.per_second / weft_1.per_second
    );
    drop(own);

    // 3: memory per loaded plugin.
    let copies: String = (1..=COPIES)
        .map(|i| plugin_table(&format!("auth-{i:02}"), "auth-plugin", AUTH_CONFIG, 1))
        .collect();
    let loaded = |name: &str| {
        let host = load(&runtime, dir.path(), name, &copies);
        let dispatch = host.dispatch(events[0].clone());
        assert!(
            !dispatch.handled && dispatch.trace.len() == COPIES,
            "every copy passes the event: {dispatch:?}"
        );
        host
    };
    // The warm-up host stays loaded: freeing it would hand its heap back to the
    // allocator, and the measured load would reuse it without growing RSS.
    let warm_up = loaded("copies-warm-up");
    let ((rss_before, shared_before), pss_before) = (statm_kib(), pss_kib());
    let host = loaded("copies");
    let ((rss_after, shared_after), pss_after) = (statm_kib(), pss_kib());
    let stats = host.stats();
    assert_eq!(stats.len(), COPIES);
    let linear: Vec<usize> = stats.iter().map(|s| s.memory).collect();
    let linear_min = linear.iter().min().copied().unwrap_or(0);
    let linear_max = linear.iter().max().copied().unwrap_or(0);
    let per = |kib: u64| kib as f64 / COPIES as f64;
    let grown = rss_after.saturating_sub(rss_before);
    let shared = shared_after.saturating_sub(shared_before);
    println!(
        "memory, {COPIES} more auth-plugin copies (one instance each) after {COPIES} loaded as a warm-up: RSS {rss_before} KiB -> {rss_after} KiB"
    );
    println!(
        "memory per plugin: RSS +{:.0} KiB ({:.0} KiB anonymous, {:.0} KiB file-backed/shared); PSS +{:.0} KiB; linear memory {} KiB{}",
        per(grown),
        per(grown.saturating_sub(shared)),
        per(shared),
        per(pss_after.saturating_sub(pss_before)),
        linear_max / 1024,
        if linear_min == linear_max {
            String::new()
        } else {
            format!(" (min {} KiB)", linear_min / 1024)
        }
    );
    drop((host, warm_up));
}
