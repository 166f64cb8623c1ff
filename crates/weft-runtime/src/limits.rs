//! Resource limits on one store, and the limiter wasmtime consults when a guest grows
//! a memory or a table.
//!
//! Limits are totals for the whole store, not per memory or per table: a guest with
//! 32 memories gets the same budget as a guest with one.

use std::time::Duration;

use wasmtime::ResourceLimiter;

/// How often the epoch advances; deadlines are measured in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(5);

/// The number of epoch ticks in `timeout`, at least one.
pub(crate) fn ticks(timeout: Duration) -> u64 {
    (timeout.as_nanos() / EPOCH_TICK.as_nanos()).max(1) as u64
}

/// The linear memory a guest may use when no limit is given: enough for every guest in
/// `guests/`, small enough that a hostile guest cannot take the host down.
pub const DEFAULT_MAX_MEMORY: usize = 1 << 30;

/// The table elements a guest may hold in all its tables when no limit is given.
pub const DEFAULT_MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Limits on one session's guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most linear memory all memories of the guest together may use, in bytes.
    pub max_memory: usize,
    /// The most elements all tables of the guest together may hold.
    pub max_table_elements: usize,
    /// Fuel for each call (roughly one unit per wasm instruction); needs
    /// [`RuntimeConfig::fuel`](crate::RuntimeConfig::fuel).
    pub fuel: Option<u64>,
    /// Wall-clock time each call may take.
    pub timeout: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory: DEFAULT_MAX_MEMORY,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            fuel: None,
            timeout: None,
        }
    }
}

/// A guest tried to grow its memory past the limit.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "memory limit exceeded: the guest asked for {requested} bytes of linear memory, the limit is {limit}"
)]
pub struct MemoryLimitExceeded {
    /// The total the guest asked to grow to.
    pub requested: usize,
    /// The limit in force.
    pub limit: usize,
}

/// A guest tried to grow its tables past the limit.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "table limit exceeded: the guest asked for {requested} table elements, the limit is {limit}"
)]
pub struct TableLimitExceeded {
    /// The total the guest asked to grow to.
    pub requested: usize,
    /// The limit in force.
    pub limit: usize,
}

/// Counts the memory and table elements of every memory and table in a store.
#[derive(Debug, Clone)]
pub(crate) struct StoreLimiter {
    max_memory: usize,
    max_table_elements: usize,
    memory: usize,
    table_elements: usize,
}

impl StoreLimiter {
    pub(crate) fn new(limits: &Limits) -> StoreLimiter {
        StoreLimiter {
            max_memory: limits.max_memory,
            max_table_elements: limits.max_table_elements,
            memory: 0,
            table_elements: 0,
        }
    }
}

impl StoreLimiter {
    /// The linear memory counted so far, in bytes.
    pub(crate) fn memory(&self) -> usize {
        self.memory
    }
}

impl ResourceLimiter for StoreLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.memory.saturating_add(desired.saturating_sub(current));
        if total > self.max_memory {
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                requested: total,
                limit: self.max_memory,
            }));
        }
        self.memory = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self
            .table_elements
            .saturating_add(desired.saturating_sub(current));
        if total > self.max_table_elements {
            return Err(wasmtime::Error::new(TableLimitExceeded {
                requested: total,
                limit: self.max_table_elements,
            }));
        }
        self.table_elements = total;
        Ok(true)
    }

    fn memories(&self) -> usize {
        // The store-wide byte budget is what bounds memory; the count only stops a
        // guest from declaring memories without end.
        10_000
    }
}

/// Parses `65536`, `64KiB`, `64MiB`, `1GiB` (also `K`, `M`, `G`, `KB`, `MB`, `GB` as binary units).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: usize = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size; write e.g. `64MiB` or `1048576`"))?;
    let scale: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}`; use KiB, MiB or GiB")),
    };
    number
        .checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Parses `250ms`, `5s`, `2m` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: f64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. `500ms` or `5s`"))?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" => number * 60.0,
        other => return Err(format!("unknown time unit `{other}`; use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_counted_across_memories() {
        let mut limiter = StoreLimiter::new(&Limits {
            max_memory: 100,
            ..Limits::default()
        });
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        // A second memory of 60 would make 120 in all.
        let err = limiter.memory_growing(0, 60, None).unwrap_err();
        assert!(err.downcast_ref::<MemoryLimitExceeded>().is_some());
        assert!(limiter.memory_growing(0, 40, None).unwrap());
    }

    #[test]
    fn tables_are_limited() {
        let mut limiter = StoreLimiter::new(&Limits {
            max_table_elements: 10,
            ..Limits::default()
        });
        assert!(limiter.table_growing(0, 10, None).unwrap());
        assert!(limiter.table_growing(10, 11, None).is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3 parsecs").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("soon").is_err());
    }
}
