//! Turning a failed call into a specific explanation.

use std::fmt;
use std::sync::Arc;

use crate::limits::{Limits, MemoryLimitExceeded, TableLimitExceeded};
use crate::link::UnknownImportCalled;

/// What stopped a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapKind {
    /// The call used up its fuel.
    OutOfFuel,
    /// The call ran past its wall-clock deadline.
    Deadline,
    /// The guest tried to grow memory past the limit.
    MemoryLimit,
    /// The guest tried to grow its tables past the limit.
    TableLimit,
    /// The guest overflowed its stack.
    StackOverflow,
    /// The guest called an import that was linked to trap because nothing provides it.
    UnknownImport,
    /// A call moved more data between guest and host than the store allows (bounded by
    /// the memory limit).
    HostcallData,
    /// The guest aborted (a Rust panic or `unreachable`).
    GuestAbort,
    /// The guest waits on a stream, future or task that nothing will complete.
    Stalled,
    /// The guest called `wasi:cli/exit` with this status: a command ending, not a fault.
    Exit(i32),
    /// Another trap or host error.
    Other,
}

/// A call that did not return.
#[derive(Debug, Clone)]
pub struct Trap {
    /// What stopped the guest.
    pub kind: TrapKind,
    /// The explanation.
    pub message: String,
    /// wasmtime's own account, including the wasm backtrace.
    pub detail: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Trap {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The message already says what the source said for host errors; expose it for
        // programs that walk the chain (downcasting to the limit errors, for example).
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Trap {
    /// A trap for a call that ran past `timeout` while it was waiting on the host (an
    /// async import), where no wasm code was running for the epoch to interrupt.
    pub(crate) fn deadline(limits: &Limits) -> Trap {
        Trap {
            kind: TrapKind::Deadline,
            message: deadline_message(limits),
            detail: String::new(),
            source: None,
        }
    }
}

impl Trap {
    /// A call the host stopped (not a wasm trap): `kind` and why.
    pub(crate) fn stopped(kind: TrapKind, message: impl Into<String>) -> Trap {
        Trap {
            kind,
            message: message.into(),
            detail: String::new(),
            source: None,
        }
    }
}

fn deadline_message(limits: &Limits) -> String {
    format!(
        "the guest ran past its deadline of {}",
        limits
            .timeout
            .map_or("unknown".to_string(), |t| format!("{t:?}"))
    )
}

/// Classifies `error` from a call made under `limits`; the error stays as the trap's
/// source.
pub fn classify(error: wasmtime::Error, limits: &Limits) -> Trap {
    let detail = format!("{error:?}");
    let (kind, message) = if let Some(exceeded) = error.downcast_ref::<MemoryLimitExceeded>() {
        (TrapKind::MemoryLimit, exceeded.to_string())
    } else if let Some(exceeded) = error.downcast_ref::<TableLimitExceeded>() {
        (TrapKind::TableLimit, exceeded.to_string())
    } else if let Some(called) = error.downcast_ref::<UnknownImportCalled>() {
        (TrapKind::UnknownImport, called.to_string())
    } else if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        (
            TrapKind::Exit(exit.0),
            format!("the guest exited with status {}", exit.0),
        )
    } else {
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::OutOfFuel) => (
                TrapKind::OutOfFuel,
                format!(
                    "the guest ran out of fuel ({} units)",
                    limits.fuel.map_or("unknown".to_string(), |f| f.to_string())
                ),
            ),
            Some(wasmtime::Trap::Interrupt) => (TrapKind::Deadline, deadline_message(limits)),
            Some(wasmtime::Trap::StackOverflow) => (
                TrapKind::StackOverflow,
                "the guest overflowed its stack (deep or unbounded recursion)".to_string(),
            ),
            Some(wasmtime::Trap::UnreachableCodeReached) => (
                TrapKind::GuestAbort,
                "the guest aborted (wasm `unreachable`: in Rust guests, a panic; its message, if any, went to the guest's stderr)".to_string(),
            ),
            Some(wasmtime::Trap::MemoryOutOfBounds) => (
                TrapKind::Other,
                "the guest accessed memory out of bounds (in Rust and C guests this is also how overflowing the data stack in linear memory shows)".to_string(),
            ),
            Some(wasmtime::Trap::AsyncDeadlock) => (
                TrapKind::Stalled,
                "the guest is waiting on a stream, future or task that nothing will complete (wasmtime found its event loop deadlocked)".to_string(),
            ),
            Some(trap) => (TrapKind::Other, format!("the guest trapped: {trap}")),
            // wasmtime's own type for this is private; its message is stable.
            None if error
                .root_cause()
                .to_string()
                .contains("fuel allocated for hostcalls has been exhausted") =>
            {
                (
                    TrapKind::HostcallData,
                    format!(
                        "the call moved more data between the guest and the host than the memory limit ({} bytes) allows",
                        limits.max_memory
                    ),
                )
            }
            // A host function's own error (e.g. a stubbed import): its message is the news,
            // wasmtime's context around it (the wasm backtrace) stays in `detail`.
            None => (TrapKind::Other, error.root_cause().to_string()),
        }
    };
    Trap {
        kind,
        message,
        detail,
        source: Some(Arc::from(error.into_boxed_dyn_error())),
    }
}
