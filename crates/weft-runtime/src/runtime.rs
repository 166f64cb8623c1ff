//! The engine weft runs every component on, and the entry points that load, link and
//! instantiate components.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use wasmtime::component::{Component, ComponentExportIndex, InstancePre};
use wasmtime::{
    AsContextMut, Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
};

use crate::app::{App, Links};
use crate::cache::CompileCache;
use crate::exports::ExportCatalog;
use crate::imports::{Imports, Mode};
use crate::limits::{EPOCH_TICK, Limits};
use crate::link::{self, LinkError};
use crate::load::{self, LoadError, LoadedComponent};
use crate::session::{Session, SessionError};
use crate::state::{Capabilities, HostState};
use crate::trap::classify;

/// wasmtime's default bound on the data one call hands the host.
const DEFAULT_HOSTCALL_DATA: usize = 128 << 20;

/// How the runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The compile cache; `None` turns it off.
    pub cache: Option<CompileCache>,
    /// Count fuel, so [`Limits::fuel`] can be enforced (costs some speed).
    pub fuel: bool,
    /// Use the pooling instance allocator if the host allows it.
    pub pooling: bool,
    /// How big the pool is, when pooling is used.
    pub pool: PoolSizes,
    /// The most stack a guest may use, in bytes.
    pub max_wasm_stack: usize,
    /// Component-model async (async-lifted exports, `stream`, `future`). It adds a cost
    /// to every call (see `docs/benchmarks.md`); turn it off for hosts that never call
    /// async components.
    pub component_async: bool,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            cache: CompileCache::default_dir().map(CompileCache::new),
            fuel: false,
            pooling: true,
            pool: PoolSizes::default(),
            max_wasm_stack: 1 << 20,
            component_async: true,
        }
    }
}

/// The sizes of the pooling allocator: how many instances can be live at once. The
/// address space for all of them is reserved when the runtime starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSizes {
    /// Component instances live at once (one per session).
    pub component_instances: u32,
    /// Core instances live at once, over all components.
    pub core_instances: u32,
    /// Linear memories live at once.
    pub memories: u32,
    /// Tables live at once.
    pub tables: u32,
    /// The largest one linear memory can grow to, in bytes.
    pub max_memory_size: usize,
}

impl Default for PoolSizes {
    fn default() -> Self {
        // Enough for a few dozen live sessions of components with several core modules.
        PoolSizes {
            component_instances: 64,
            core_instances: 512,
            memories: 128,
            tables: 256,
            max_memory_size: 4 << 30,
        }
    }
}

/// A failure to set the runtime up.
#[derive(Debug, thiserror::Error)]
#[error("failed to configure the wasmtime engine")]
pub struct RuntimeError(#[source] Box<dyn std::error::Error + Send + Sync>);

/// The weft runtime: a configured wasmtime engine, its compile cache and the thread
/// that drives deadlines. It is `Send + Sync`; share it behind an `Arc`.
pub struct Runtime {
    engine: Engine,
    config: RuntimeConfig,
    pooling: bool,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

impl Runtime {
    /// Creates the engine. The pooling allocator is used when requested and the host can
    /// reserve its address space; otherwise weft falls back to on-demand allocation.
    ///
    /// ```no_run
    /// use weft_runtime::{Runtime, RuntimeConfig};
    /// let runtime = Runtime::new(RuntimeConfig { fuel: true, ..RuntimeConfig::default() })?;
    /// # Ok::<(), weft_runtime::RuntimeError>(())
    /// ```
    pub fn new(config: RuntimeConfig) -> Result<Runtime, RuntimeError> {
        let mut wasm = Config::new();
        wasm.wasm_component_model(true)
            .epoch_interruption(true)
            .consume_fuel(config.fuel)
            .max_wasm_stack(config.max_wasm_stack)
            .concurrency_support(config.component_async);
        if config.component_async {
            wasm.wasm_component_model_async(true);
        }
        let engine_error = |e: wasmtime::Error| RuntimeError(e.into_boxed_dyn_error());
        let mut pooling = false;
        let engine = if config.pooling {
            let mut pooled = wasm.clone();
            pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config(
                &config.pool,
            )));
            match Engine::new(&pooled) {
                Ok(engine) => {
                    pooling = true;
                    engine
                }
                Err(error) => {
                    tracing::debug!(
                        "pooling allocator unavailable ({error}); allocating on demand"
                    );
                    Engine::new(&wasm).map_err(engine_error)?
                }
            }
        } else {
            Engine::new(&wasm).map_err(engine_error)?
        };
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(&engine, ticker_stop.clone());
        Ok(Runtime {
            engine,
            config,
            pooling,
            ticker_stop,
        })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether the pooling allocator is in use.
    pub fn pooling(&self) -> bool {
        self.pooling
    }

    /// Loads a component from a file: binary or WAT text.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<LoadedComponent, LoadError> {
        let path = path.as_ref();
        let bytes = load::read(path)?;
        self.load_bytes(&path.display().to_string(), bytes)
    }

    /// Loads a component from bytes; `name` is used in messages.
    pub fn load_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<LoadedComponent, LoadError> {
        let bytes = load::component_bytes(name, bytes)?;
        let cached = self
            .config
            .cache
            .as_ref()
            .and_then(|c| c.get(&self.engine, &bytes));
        let from_cache = cached.is_some();
        let component = match cached {
            Some(component) => component,
            None => {
                // A cache entry exists only for bytes that validated, so only a miss validates.
                load::validate(name, &bytes)?;
                let component =
                    Component::new(&self.engine, &bytes).map_err(|e| LoadError::Compile {
                        path: name.to_string(),
                        message: format!("{e:#}"),
                    })?;
                if let Some(cache) = &self.config.cache {
                    cache.put(&self.engine, &bytes, &component);
                }
                component
            }
        };
        tracing::debug!(
            "{name}: {}",
            if from_cache {
                "compiled artifact mapped from the cache"
            } else {
                "compiled"
            }
        );
        let catalog = Arc::new(ExportCatalog::new(&self.engine, &component));
        let async_imports = load::imports_async(&self.engine, &component);
        Ok(LoadedComponent {
            component,
            catalog,
            name: name.into(),
            from_cache,
            async_imports,
        })
    }

    /// Links `component`'s imports as `imports` says, once, so it can be instantiated many
    /// times cheaply (and from many threads: [`Prepared`] is `Send + Sync`).
    ///
    /// ```no_run
    /// use weft_runtime::{Capabilities, Imports, Limits, Mock, Runtime, RuntimeConfig};
    /// let runtime = Runtime::new(RuntimeConfig::default())?;
    /// let app = runtime.load_file("legacy-app.wasm")?;
    /// let imports = Imports::new()
    ///     .mock("legacy:storage/storage-v1#save", Mock::wave("true"))
    ///     .mock("legacy:storage/storage-v1#load", Mock::wave(r#"some("hello")"#));
    /// let prepared = runtime.prepare(&app, &imports)?;
    /// let mut session = prepared.instantiate_with(&Capabilities::default(), Limits::default(), ())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare<T: Send + 'static>(
        &self,
        component: &LoadedComponent,
        imports: &Imports<T>,
    ) -> Result<Prepared<T>, LinkError> {
        let pre = self.instance_pre(component, imports)?;
        Ok(Prepared {
            members: Arc::from([MemberPre {
                pre: pre.clone(),
                resources: Vec::new(),
            }]),
            pre,
            component: component.clone(),
            fuel: self.config.fuel,
            mode: imports.mode(),
        })
    }

    /// Links the members of `app` at run time (see [`App`]): each is linked with
    /// `imports` for what no member provides and with forwards to its providers for the
    /// rest. Its sessions hold one instance of every member, in one store, and answer to
    /// the exports the application exposes.
    pub fn prepare_app<T: Send + 'static>(
        &self,
        app: &App,
        imports: &Imports<T>,
    ) -> Result<Prepared<T>, LinkError> {
        let plans = app.plans().map_err(|e| LinkError::App(Box::new(e)))?;
        let mut members = Vec::with_capacity(plans.len());
        for plan in plans {
            let mut linked = imports.clone();
            for (import, export) in plan.links {
                linked.link_member(&import, export);
            }
            members.push(MemberPre {
                pre: self.instance_pre(plan.component, &linked)?,
                resources: plan.resources,
            });
        }
        let (_, last) = app
            .members()
            .last()
            .expect("an app with no members has no plans");
        let component = LoadedComponent {
            component: last.component.clone(),
            catalog: Arc::new(app.catalog()),
            name: app.name().into(),
            from_cache: app.members().all(|(_, c)| c.from_cache),
            async_imports: app.members().any(|(_, c)| c.async_imports),
        };
        Ok(Prepared {
            pre: members.last().expect("one per plan").pre.clone(),
            members: members.into(),
            component,
            fuel: self.config.fuel,
            mode: imports.mode(),
        })
    }

    fn instance_pre<T: Send + 'static>(
        &self,
        component: &LoadedComponent,
        imports: &Imports<T>,
    ) -> Result<InstancePre<HostState<T>>, LinkError> {
        let linker = link::build(&self.engine, &component.component, imports)?;
        linker.instantiate_pre(&component.component).map_err(|e| {
            LinkError::wasmtime(
                format!(
                    "`{}` does not link with the imports given",
                    component.name()
                ),
                e,
            )
        })
    }

    /// Links `component` with the imports `weft call` gives (WASI 0.2 with `wasi:http`,
    /// and the seed greeter's logging host), and instantiates it in a new session.
    pub fn session(
        &self,
        component: &LoadedComponent,
        options: SessionOptions,
    ) -> Result<Session, SessionError> {
        let imports = Imports::new()
            .greeter_logging()
            .trap_unknown(options.trap_unknown_imports);
        let prepared = self
            .prepare(component, &imports)
            .map_err(SessionError::Link)?;
        prepared.instantiate_with(&options.capabilities, options.limits, ())
    }
}

/// Everything that shapes one session made by [`Runtime::session`].
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// What the guest may touch.
    pub capabilities: Capabilities,
    /// Resource limits.
    pub limits: Limits,
    /// Satisfy imports nothing provides with functions that trap when called.
    pub trap_unknown_imports: bool,
}

/// A component whose imports are linked: instantiating it is only allocation and
/// initialisation. Cheap to clone, `Send + Sync` when `T` is.
pub struct Prepared<T: 'static = ()> {
    /// The last member's pre-instance (the only one, for a lone component).
    pre: InstancePre<HostState<T>>,
    /// Every member, in instantiation order.
    members: Arc<[MemberPre<T>]>,
    component: LoadedComponent,
    fuel: bool,
    mode: Mode,
}

impl<T> Clone for Prepared<T> {
    fn clone(&self) -> Self {
        Prepared {
            pre: self.pre.clone(),
            members: Arc::clone(&self.members),
            component: self.component.clone(),
            fuel: self.fuel,
            mode: self.mode,
        }
    }
}

impl<T: Send + 'static> Prepared<T> {
    /// A new instance in its own store, with `capabilities`, `limits` and the embedder's
    /// `data`. For imports linked with [`Imports::asynchronous`], use
    /// [`Prepared::instantiate_async`].
    pub fn instantiate_with(
        &self,
        capabilities: &Capabilities,
        limits: Limits,
        data: T,
    ) -> Result<Session<T>, SessionError> {
        if self.mode == Mode::Async {
            return Err(SessionError::NeedsAsync);
        }
        let mut store = self.new_store(capabilities, &limits, data)?;
        let mut instances = Vec::with_capacity(self.members.len());
        for member in self.members.iter() {
            let instance = member.pre.instantiate(&mut store);
            if !self.member_ready(&mut store, &instance, member, &mut instances) {
                return self.session(store, instance.map(|_| instances), limits);
            }
        }
        self.session(store, Ok(instances), limits)
    }

    /// A new instance for async calls ([`Session::call_vals_async`]), of imports linked
    /// with [`Imports::asynchronous`]. Must run on a tokio runtime.
    pub async fn instantiate_async(
        &self,
        capabilities: &Capabilities,
        limits: Limits,
        data: T,
    ) -> Result<Session<T>, SessionError> {
        if self.mode == Mode::Sync {
            return Err(SessionError::NeedsSync);
        }
        let mut store = self.new_store(capabilities, &limits, data)?;
        let mut instances = Vec::with_capacity(self.members.len());
        for member in self.members.iter() {
            let instance = member.pre.instantiate_async(&mut store).await;
            if !self.member_ready(&mut store, &instance, member, &mut instances) {
                return self.session(store, instance.map(|_| instances), limits);
            }
        }
        self.session(store, Ok(instances), limits)
    }

    /// Records a member's new instance in the store's links; `false` if it failed.
    fn member_ready(
        &self,
        store: &mut Store<HostState<T>>,
        instance: &wasmtime::Result<wasmtime::component::Instance>,
        member: &MemberPre<T>,
        instances: &mut Vec<wasmtime::component::Instance>,
    ) -> bool {
        match instance {
            Ok(instance) => {
                if self.members.len() > 1 {
                    Links::add(&mut store.as_context_mut(), *instance, &member.resources);
                }
                instances.push(*instance);
                true
            }
            Err(_) => false,
        }
    }

    /// The session around a new instance, or why instantiating failed.
    fn session(
        &self,
        store: Store<HostState<T>>,
        instances: wasmtime::Result<Vec<wasmtime::component::Instance>>,
        limits: Limits,
    ) -> Result<Session<T>, SessionError> {
        let instances =
            instances.map_err(|e| SessionError::Instantiate(Box::new(classify(e, &limits))))?;
        Ok(Session::new(
            store,
            instances,
            self.component.clone(),
            limits,
            self.fuel,
            self.mode,
        ))
    }

    /// A store set up as every session's is (capabilities, the store-wide limiter,
    /// fuel), for embedders that instantiate [`Prepared::instance_pre`] themselves
    /// through typed bindings, such as a `wasi:http` server. Per-call deadlines are theirs
    /// to set: the epoch deadline starts far in the future.
    pub fn new_store(
        &self,
        capabilities: &Capabilities,
        limits: &Limits,
        data: T,
    ) -> Result<Store<HostState<T>>, SessionError> {
        if limits.fuel.is_some() && !self.fuel {
            return Err(SessionError::FuelNotEnabled);
        }
        let state = HostState::new(capabilities, limits, data).map_err(SessionError::Grant)?;
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(HostState::limiter);
        // wasmtime bounds the data a guest hands the host in one call (128 MiB by default,
        // counted as the host's `Val`s); anything the guest may hold in memory may cross.
        store.set_hostcall_fuel(limits.max_memory.max(DEFAULT_HOSTCALL_DATA));
        store.set_epoch_deadline(u64::MAX / 2);
        if self.fuel {
            store
                .set_fuel(u64::MAX)
                .map_err(|e| SessionError::Store(e.into_boxed_dyn_error()))?;
        }
        Ok(store)
    }

    /// The linked component.
    pub fn component(&self) -> &LoadedComponent {
        &self.component
    }

    /// wasmtime's pre-instance, for embedders that instantiate through typed bindings
    /// (`bindgen!`'s `*Pre::new`).
    pub fn instance_pre(&self) -> &InstancePre<HostState<T>> {
        &self.pre
    }

    /// The mode the imports were linked in.
    pub fn mode(&self) -> Mode {
        self.mode
    }
}

/// One member of a prepared application: its pre-instance and the proxy ids of the
/// resources it exports.
struct MemberPre<T: 'static> {
    pre: InstancePre<HostState<T>>,
    resources: Vec<(ComponentExportIndex, u32)>,
}

impl Prepared<()> {
    /// A new instance with no embedder data.
    pub fn instantiate(
        &self,
        capabilities: Capabilities,
        limits: Limits,
    ) -> Result<Session, SessionError> {
        self.instantiate_with(&capabilities, limits, ())
    }
}

/// A prepared component that can be replaced while it is in use, for hot reload: new
/// instances come from the newest one, instances made before keep running on theirs.
pub struct HotSwap<T: 'static = ()> {
    current: RwLock<Arc<Prepared<T>>>,
}

impl<T: Send + 'static> HotSwap<T> {
    /// Starts with `prepared`.
    pub fn new(prepared: Prepared<T>) -> HotSwap<T> {
        HotSwap {
            current: RwLock::new(Arc::new(prepared)),
        }
    }

    /// The prepared component new instances should come from.
    pub fn current(&self) -> Arc<Prepared<T>> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Replaces the prepared component atomically and returns the one it replaced.
    pub fn swap(&self, prepared: Prepared<T>) -> Arc<Prepared<T>> {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *current, Arc::new(prepared))
    }

    /// Instantiates the current prepared component, for async calls.
    pub async fn instantiate_async(
        &self,
        capabilities: &Capabilities,
        limits: Limits,
        data: T,
    ) -> Result<Session<T>, SessionError> {
        let current = self.current();
        current.instantiate_async(capabilities, limits, data).await
    }

    /// Instantiates the current prepared component.
    pub fn instantiate_with(
        &self,
        capabilities: &Capabilities,
        limits: Limits,
        data: T,
    ) -> Result<Session<T>, SessionError> {
        self.current().instantiate_with(capabilities, limits, data)
    }
}

fn pooling_config(sizes: &PoolSizes) -> PoolingAllocationConfig {
    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .total_component_instances(sizes.component_instances)
        .total_core_instances(sizes.core_instances)
        .total_memories(sizes.memories)
        .total_tables(sizes.tables)
        .max_memories_per_component(16)
        // Multi-memory modules: the store-wide limit is what bounds their total.
        .max_memories_per_module(8)
        .max_tables_per_module(8)
        .max_tables_per_component(32)
        .max_core_instances_per_component(64)
        .max_memory_size(sizes.max_memory_size);
    pooling
}

fn spawn_epoch_ticker(engine: &Engine, stop: Arc<AtomicBool>) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("weft-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                match weak.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => break,
                }
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("could not start the deadline thread ({error}); timeouts will not fire");
    }
}
