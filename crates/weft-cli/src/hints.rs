//! Hints that name `weft` flags, added to library errors here: the runtime's own
//! messages say what happened, the CLI says which flag changes it.

use weft_runtime::{CallError, LinkError, LoadError, SessionError, TrapKind};

/// The hint for a trap of `kind`, appended to its message.
fn trap_hint(kind: TrapKind) -> &'static str {
    match kind {
        TrapKind::OutOfFuel => "; raise the limit with `--fuel`",
        TrapKind::Deadline => "; raise it with `--timeout`",
        TrapKind::MemoryLimit | TrapKind::HostcallData => "; raise it with `--max-memory`",
        TrapKind::UnknownImport => " (it was stubbed by `--trap-unknown-imports`)",
        TrapKind::Stalled
        | TrapKind::TableLimit
        | TrapKind::StackOverflow
        | TrapKind::GuestAbort
        | TrapKind::Exit(_)
        | TrapKind::Other => "",
    }
}

/// A failed call, with the flag that would change the outcome.
pub fn call_error(error: CallError) -> anyhow::Error {
    match error {
        CallError::Trap { export, trap } => {
            anyhow::anyhow!(
                "`{export}` failed: {}{}",
                trap.message,
                trap_hint(trap.kind)
            )
        }
        other => other.into(),
    }
}

/// A session that could not start, with the flag that would change the outcome.
pub fn session_error(error: SessionError) -> anyhow::Error {
    match error {
        SessionError::Link(LinkError::Missing(missing)) => anyhow::anyhow!(
            "{missing}\nhint: compose the component with one that exports them (`weft compose`/`weft plug`), or pass `--trap-unknown-imports` to run anyway (calling one traps)"
        ),
        SessionError::Instantiate(trap) => anyhow::anyhow!(
            "failed to instantiate the component: {}{}",
            trap.message,
            trap_hint(trap.kind)
        ),
        other => other.into(),
    }
}

/// A component that could not be loaded, with the command that converts a core module.
pub fn load_error(error: LoadError) -> anyhow::Error {
    match error {
        LoadError::CoreModule { path } => anyhow::anyhow!(
            "`{path}` is a core WebAssembly module, not a component; convert it with `weft new {path} -o component.wasm` (add `--wit DIR --world W` if it has no embedded WIT)"
        ),
        other => other.into(),
    }
}
