//! Per-plugin counters and latency percentiles, shared by every thread that dispatches.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;

/// A plugin's live counters.
pub(crate) struct Metrics {
    events: AtomicU64,
    handled: AtomicU64,
    errors: AtomicU64,
    restarts: AtomicU64,
    skipped: AtomicU64,
    /// Microseconds per `on-event` call.
    latency: Mutex<Histogram<u64>>,
}

/// A plugin's figures at one moment, from [`crate::PluginHost::stats`].
#[derive(Debug, Clone, PartialEq)]
pub struct PluginStats {
    /// The plugin's name.
    pub name: String,
    /// Events handed to it.
    pub events: u64,
    /// Events it answered itself (`handled: true`).
    pub handled: u64,
    /// Events it failed: its own `err`, a trap or a limit.
    pub errors: u64,
    /// Fresh instances made after a failure.
    pub restarts: u64,
    /// Events it did not see: filtered out by its `wanted-events`, or sent while it was
    /// disabled.
    pub skipped: u64,
    /// Median `on-event` latency.
    pub p50: Duration,
    /// 90th percentile latency.
    pub p90: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// The slowest call.
    pub max: Duration,
    /// Linear memory of its live instances, in bytes, as of their last event.
    pub memory: usize,
    /// Its live instances.
    pub instances: usize,
    /// Why it is disabled, when it is.
    pub disabled: Option<String>,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        Metrics {
            events: AtomicU64::new(0),
            handled: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            // One microsecond to ten minutes, to three significant digits.
            latency: Mutex::new(
                Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds"),
            ),
        }
    }

    /// Counts one `on-event` call that took `took`.
    pub(crate) fn called(&self, took: Duration) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let micros = (took.as_micros() as u64).clamp(1, 600_000_000);
        if let Ok(mut latency) = self.latency.lock() {
            latency.saturating_record(micros);
        }
    }

    pub(crate) fn handled(&self) {
        self.handled.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn restarted(&self) {
        self.restarts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn skipped(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
    }

    /// The figures now; `memory`, `instances` and `disabled` come from the pool.
    pub(crate) fn snapshot(
        &self,
        name: &str,
        memory: usize,
        instances: usize,
        disabled: Option<String>,
    ) -> PluginStats {
        let at = |latency: &Histogram<u64>, q: f64| {
            Duration::from_micros(if latency.is_empty() {
                0
            } else {
                latency.value_at_quantile(q)
            })
        };
        let latency = self
            .latency
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        PluginStats {
            name: name.to_string(),
            events: self.events.load(Ordering::Relaxed),
            handled: self.handled.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            restarts: self.restarts.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
            p50: at(&latency, 0.5),
            p90: at(&latency, 0.9),
            p99: at(&latency, 0.99),
            max: Duration::from_micros(if latency.is_empty() { 0 } else { latency.max() }),
            memory,
            instances,
            disabled,
        }
    }
}
