//! The engine weft runs every component on, and the entry points that load,
//! prepare and instantiate components.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, InstancePre};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

use crate::cache::CompileCache;
use crate::exports::ExportCatalog;
use crate::host::{Capabilities, WeftState};
use crate::linker::{self, LinkError};
use crate::load::{self, LoadError, LoadedComponent};
use crate::session::{Session, SessionError};

/// How often the epoch advances; deadlines are measured in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// How the runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The compile cache; `None` turns it off.
    pub cache: Option<CompileCache>,
    /// Count fuel, so [`Limits::fuel`] can be enforced (costs some speed).
    pub fuel: bool,
    /// Use the pooling instance allocator if the host allows it.
    pub pooling: bool,
    /// The most stack a guest may use, in bytes.
    pub max_wasm_stack: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            cache: CompileCache::default_dir().map(CompileCache::new),
            fuel: false,
            pooling: true,
            max_wasm_stack: 1 << 20,
        }
    }
}

/// Limits on one session's guest.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// The most linear memory one memory of the guest may grow to, in bytes.
    pub max_memory: Option<usize>,
    /// Fuel for each call (roughly one unit per wasm instruction); needs
    /// [`RuntimeConfig::fuel`].
    pub fuel: Option<u64>,
    /// Wall-clock time each call may take.
    pub timeout: Option<Duration>,
}

/// Everything that shapes one session.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// What the guest may touch.
    pub capabilities: Capabilities,
    /// Resource limits.
    pub limits: Limits,
    /// Satisfy imports weft does not provide with functions that trap when called.
    pub trap_unknown_imports: bool,
}

/// A failure to set the runtime up.
#[derive(Debug, thiserror::Error)]
#[error("failed to configure the wasmtime engine: {0}")]
pub struct RuntimeError(String);

/// The weft runtime: a configured wasmtime engine, its compile cache and the
/// thread that drives deadlines.
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
    /// Creates the engine. The pooling allocator is used when requested and the
    /// host can reserve its address space; otherwise weft falls back to on-demand
    /// allocation.
    pub fn new(config: RuntimeConfig) -> Result<Runtime, RuntimeError> {
        let mut wasm = Config::new();
        wasm.wasm_component_model(true)
            .epoch_interruption(true)
            .consume_fuel(config.fuel)
            .max_wasm_stack(config.max_wasm_stack);
        let mut pooling = false;
        let engine = if config.pooling {
            let mut pooled = wasm.clone();
            pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config()));
            match Engine::new(&pooled) {
                Ok(engine) => {
                    pooling = true;
                    engine
                }
                Err(error) => {
                    tracing::debug!(
                        "pooling allocator unavailable ({error}); allocating on demand"
                    );
                    Engine::new(&wasm).map_err(|e| RuntimeError(format!("{e:#}")))?
                }
            }
        } else {
            Engine::new(&wasm).map_err(|e| RuntimeError(format!("{e:#}")))?
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
        Ok(LoadedComponent {
            component,
            catalog,
            name: name.into(),
            from_cache,
        })
    }

    /// Links `component`'s imports once, so it can be instantiated many times cheaply.
    pub fn prepare(
        &self,
        component: &LoadedComponent,
        trap_unknown_imports: bool,
    ) -> Result<Prepared, LinkError> {
        let linker = linker::build(&self.engine, &component.component, trap_unknown_imports)?;
        let pre = linker
            .instantiate_pre(&component.component)
            .map_err(LinkError::wasmtime)?;
        Ok(Prepared {
            pre,
            component: component.clone(),
            fuel: self.config.fuel,
        })
    }

    /// Links and instantiates `component` in a new session.
    pub fn session(
        &self,
        component: &LoadedComponent,
        options: SessionOptions,
    ) -> Result<Session, SessionError> {
        let prepared = self
            .prepare(component, options.trap_unknown_imports)
            .map_err(SessionError::Link)?;
        prepared.instantiate(options.capabilities, options.limits)
    }
}

/// A component whose imports are linked: instantiating it is only allocation
/// and initialisation.
#[derive(Clone)]
pub struct Prepared {
    pre: InstancePre<WeftState>,
    component: LoadedComponent,
    fuel: bool,
}

impl Prepared {
    /// A new instance in its own store, with `capabilities` and `limits`.
    pub fn instantiate(
        &self,
        capabilities: Capabilities,
        limits: Limits,
    ) -> Result<Session, SessionError> {
        if limits.fuel.is_some() && !self.fuel {
            return Err(SessionError::Config(
                "a fuel limit needs a runtime created with fuel counting (`RuntimeConfig::fuel`)"
                    .to_string(),
            ));
        }
        let state = WeftState::new(&capabilities, limits.max_memory)
            .map_err(|e| SessionError::Config(e.to_string()))?;
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|state| state);
        store.set_epoch_deadline(u64::MAX / 2);
        if self.fuel {
            store
                .set_fuel(u64::MAX)
                .map_err(|e| SessionError::Config(format!("{e:#}")))?;
        }
        let instance = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| SessionError::Instantiate(crate::trap::describe_failure(&e, &limits)))?;
        Ok(Session::new(
            store,
            instance,
            self.component.clone(),
            limits,
            self.fuel,
        ))
    }

    /// The linked component.
    pub fn component(&self) -> &LoadedComponent {
        &self.component
    }
}

fn pooling_config() -> PoolingAllocationConfig {
    let mut pooling = PoolingAllocationConfig::default();
    // Enough for a few dozen live sessions of components with several core modules;
    // the address space is reserved up front, so keep it modest.
    pooling
        .total_component_instances(64)
        .total_core_instances(512)
        .total_memories(128)
        .total_tables(256)
        .max_memories_per_component(16)
        .max_tables_per_component(32)
        .max_core_instances_per_component(64)
        .max_memory_size(4 << 30);
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

/// The number of epoch ticks in `timeout`, at least one.
pub(crate) fn ticks(timeout: Duration) -> u64 {
    (timeout.as_nanos() / EPOCH_TICK.as_nanos()).max(1) as u64
}
