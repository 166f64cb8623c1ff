//! One plugin of a chain across reloads: its current version, a pool of its instances,
//! its health (failures in a window, disabled or not) and its metrics.
//!
//! Pooling: an event takes an idle instance of the current version, or makes one while
//! fewer than the plugin's `instances` are alive, or waits for one to come back. So a
//! plugin runs on as many threads at once as `instances` allows, each instance with its
//! own store and handler state. An instance that fails is dropped and a fresh one made
//! from the config (a restart). A reload swaps the version: idle instances of the old
//! one are dropped at once, busy ones when their event is done.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::event::{Event, HookResult};
use crate::instance::Instance;
use crate::metrics::{Metrics, PluginStats};
use crate::version::Version;

/// When failures disable a plugin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FailurePolicy {
    pub(crate) max_failures: u32,
    pub(crate) window: Duration,
}

/// What one plugin did with one event.
pub(crate) enum Handled {
    /// Its `on-event` answered.
    Result(HookResult),
    /// It wants no events of this type.
    Filtered,
    /// It is disabled; the reason.
    Disabled(String),
    /// It failed; what happened, and what was done about it.
    Failed(String),
}

/// A plugin in a chain.
pub(crate) struct Plugin {
    pub(crate) name: String,
    state: Mutex<State>,
    /// Signalled when an instance comes back or is dropped.
    returned: Condvar,
    pub(crate) metrics: Metrics,
}

struct State {
    version: Arc<Version>,
    idle: Vec<Instance>,
    /// Instances of any version that exist (idle or busy).
    live: usize,
    /// The memory of live instances, as last seen.
    memory: usize,
    failures: VecDeque<Instant>,
    disabled: Option<String>,
}

impl Plugin {
    /// A plugin whose first version is `version`, with its first instance idle.
    pub(crate) fn new(version: Version, first: Instance) -> Plugin {
        let mut state = State {
            version: Arc::new(version),
            idle: Vec::new(),
            live: 1,
            memory: 0,
            failures: VecDeque::new(),
            disabled: None,
        };
        state.keep(first);
        Plugin {
            name: state.version.spec.name.clone(),
            state: Mutex::new(state),
            returned: Condvar::new(),
            metrics: Metrics::new(),
        }
    }

    /// The current version.
    pub(crate) fn version(&self) -> Arc<Version> {
        Arc::clone(&self.lock().version)
    }

    /// Replaces the version: new events see `version`, events in flight finish on the
    /// old one. A disabled plugin is enabled again.
    pub(crate) fn swap(&self, version: Version, first: Instance) {
        let mut state = self.lock();
        for stale in std::mem::take(&mut state.idle) {
            state.forget(&stale);
        }
        state.version = Arc::new(version);
        state.failures.clear();
        state.disabled = None;
        state.live += 1;
        state.keep(first);
        drop(state);
        self.returned.notify_all();
    }

    /// Hands `event` to this plugin, restarting it if it fails.
    pub(crate) fn handle(&self, event: &Event, policy: FailurePolicy) -> Handled {
        let (version, mut instance) = match self.take(&event.event_type) {
            Ok(taken) => taken,
            Err(handled) => return handled,
        };
        let started = Instant::now();
        let called = instance.on_event(event.clone());
        self.metrics.called(started.elapsed());
        match called {
            Ok(Ok(result)) => {
                self.give_back(instance);
                if result.handled {
                    self.metrics.handled();
                }
                Handled::Result(result)
            }
            Ok(Err(message)) => {
                self.give_back(instance);
                self.metrics.error();
                Handled::Failed(format!("the plugin returned an error: {message}"))
            }
            Err(error) => {
                self.drop_instance(instance);
                self.metrics.error();
                let failure = format!("{error}");
                Handled::Failed(self.restart(&version, failure, policy))
            }
        }
    }

    /// After an instance of `version` failed with `failure`: counts the failure, and
    /// either disables the plugin or makes a fresh instance. Returns the event's error.
    fn restart(&self, version: &Arc<Version>, failure: String, policy: FailurePolicy) -> String {
        if let Some(disabled) = self.count_failure(&failure, policy) {
            return format!("{failure}; {disabled}");
        }
        // A reload may have replaced the version meanwhile; its own first instance is
        // already in the pool, so there is nothing to restart.
        if self.lock().version.generation != version.generation {
            return failure;
        }
        self.lock().live += 1;
        match Instance::create(&version.prepared, &version.spec, version.generation) {
            Ok(fresh) => {
                self.metrics.restarted();
                self.give_back(fresh);
                format!("{failure}; the plugin was restarted")
            }
            Err(error) => {
                self.forget_one();
                let failure = format!("{failure}; restarting it failed: {error}");
                match self.count_failure(&failure, policy) {
                    Some(disabled) => format!("{failure}; {disabled}"),
                    None => failure,
                }
            }
        }
    }

    /// Records a failure; disables the plugin when the policy says so, returning why.
    fn count_failure(&self, failure: &str, policy: FailurePolicy) -> Option<String> {
        let mut state = self.lock();
        let now = Instant::now();
        state.failures.push_back(now);
        while state
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) > policy.window)
        {
            state.failures.pop_front();
        }
        if state.failures.len() < policy.max_failures as usize {
            return None;
        }
        let reason = format!(
            "disabled after {} failures within {:?}; the last: {failure}",
            state.failures.len(),
            policy.window
        );
        tracing::warn!(plugin = %self.name, "{reason}");
        for idle in std::mem::take(&mut state.idle) {
            state.forget(&idle);
        }
        state.disabled = Some(reason.clone());
        drop(state);
        self.returned.notify_all();
        Some(format!(
            "the plugin is now disabled ({} failures within {:?})",
            policy.max_failures, policy.window
        ))
    }

    /// Takes an instance for an event of `event_type`, or says why the plugin skips it.
    fn take(&self, event_type: &str) -> Result<(Arc<Version>, Instance), Handled> {
        let mut state = self.lock();
        loop {
            if let Some(reason) = &state.disabled {
                self.metrics.skipped();
                return Err(Handled::Disabled(reason.clone()));
            }
            let version = Arc::clone(&state.version);
            if !version.wants(event_type) {
                self.metrics.skipped();
                return Err(Handled::Filtered);
            }
            if let Some(instance) = state.idle.pop() {
                return Ok((version, instance));
            }
            if state.live < version.spec.instances {
                state.live += 1;
                drop(state);
                return match Instance::create(&version.prepared, &version.spec, version.generation)
                {
                    Ok(instance) => Ok((version, instance)),
                    Err(error) => {
                        self.forget_one();
                        self.metrics.error();
                        Err(Handled::Failed(format!(
                            "failed to create an instance: {error}"
                        )))
                    }
                };
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Returns an instance to the pool, or drops it if its version is gone.
    fn give_back(&self, instance: Instance) {
        let mut state = self.lock();
        if instance.generation == state.version.generation && state.disabled.is_none() {
            state.keep(instance);
        } else {
            state.forget(&instance);
        }
        drop(state);
        self.returned.notify_one();
    }

    /// Drops an instance that failed.
    fn drop_instance(&self, instance: Instance) {
        let mut state = self.lock();
        state.forget(&instance);
        drop(state);
        self.returned.notify_one();
    }

    /// Counts down an instance that was never made.
    fn forget_one(&self) {
        self.lock().live -= 1;
        self.returned.notify_one();
    }

    /// The plugin's figures now.
    pub(crate) fn stats(&self) -> PluginStats {
        let state = self.lock();
        self.metrics
            .snapshot(&self.name, state.memory, state.live, state.disabled.clone())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves counters, not broken invariants.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Puts an instance in the idle pool, counting its memory.
    fn keep(&mut self, mut instance: Instance) {
        self.memory = self.memory - instance.counted + instance.memory;
        instance.counted = instance.memory;
        self.idle.push(instance);
    }

    /// Forgets an instance that is being dropped.
    fn forget(&mut self, instance: &Instance) {
        self.live -= 1;
        self.memory -= instance.counted;
    }
}
