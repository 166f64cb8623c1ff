//! Turning a failed call into a specific, actionable explanation.

use std::fmt;

use crate::host::MemoryLimitExceeded;
use crate::runtime::Limits;

/// What stopped a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapKind {
    /// The call used up its fuel.
    OutOfFuel,
    /// The call ran past its wall-clock deadline.
    Deadline,
    /// The guest tried to grow memory past the limit.
    MemoryLimit,
    /// The guest overflowed its stack.
    StackOverflow,
    /// The guest aborted (a Rust panic or `unreachable`).
    GuestAbort,
    /// Another trap or host error.
    Other,
}

/// A call that did not return.
#[derive(Debug, Clone)]
pub struct Trap {
    /// What stopped the guest.
    pub kind: TrapKind,
    /// The explanation, with a hint.
    pub message: String,
    /// wasmtime's own account, including the wasm backtrace.
    pub detail: String,
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Classifies `error` from a call made under `limits`.
pub fn classify(error: &wasmtime::Error, limits: &Limits) -> Trap {
    let detail = format!("{error:?}");
    if let Some(exceeded) = error.downcast_ref::<MemoryLimitExceeded>() {
        return Trap {
            kind: TrapKind::MemoryLimit,
            message: exceeded.to_string(),
            detail,
        };
    }
    let (kind, message) = match error.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::OutOfFuel) => (
            TrapKind::OutOfFuel,
            format!(
                "the guest ran out of fuel ({} units); raise the limit with `--fuel`",
                limits.fuel.map_or("unknown".to_string(), |f| f.to_string())
            ),
        ),
        Some(wasmtime::Trap::Interrupt) => (
            TrapKind::Deadline,
            format!(
                "the guest ran past its deadline of {}; raise it with `--timeout`",
                limits.timeout.map_or("unknown".to_string(), |t| format!("{t:?}"))
            ),
        ),
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
        Some(trap) => (TrapKind::Other, format!("the guest trapped: {trap}")),
        // A host function's own error (e.g. a stubbed import): its message is the news,
        // wasmtime's context around it (the wasm backtrace) stays in `detail`.
        None => (TrapKind::Other, error.root_cause().to_string()),
    };
    Trap {
        kind,
        message,
        detail,
    }
}

/// A one-line description of a failure, for errors outside calls (instantiation).
pub fn describe_failure(error: &wasmtime::Error, limits: &Limits) -> String {
    classify(error, limits).message
}
