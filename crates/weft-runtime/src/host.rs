//! The store data of every weft instance, and the capabilities a guest is granted.
//!
//! One struct holds the WASI context, the resource table it shares, the memory
//! limiter and the log of host-interface calls; views lend parts of it to wasmtime.

use std::path::PathBuf;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// What the guest may touch. Everything is denied unless granted here.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// Host directories visible to the guest.
    pub preopens: Vec<Preopen>,
    /// Environment variables visible to the guest.
    pub env: Vec<(String, String)>,
    /// Arguments the guest sees (`wasi:cli/environment.get-arguments`).
    pub args: Vec<String>,
    /// Whether the guest may open sockets and resolve names.
    pub network: bool,
    /// Whether the guest reads the host's stdin.
    pub stdin: bool,
    /// Where the guest's stdout goes.
    pub stdout: Output,
    /// Where the guest's stderr goes.
    pub stderr: Output,
}

/// A host directory granted to the guest.
#[derive(Debug, Clone)]
pub struct Preopen {
    /// The directory on the host.
    pub host: PathBuf,
    /// The path the guest sees it as.
    pub guest: String,
    /// Whether the guest may only read.
    pub read_only: bool,
}

impl Preopen {
    /// Parses `HOST[::GUEST]` (as `wasmtime run --dir`): without `::GUEST` the guest
    /// sees the directory under the same path.
    pub fn parse(spec: &str) -> Preopen {
        let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
        Preopen {
            host: PathBuf::from(host),
            guest: guest.to_string(),
            read_only: false,
        }
    }
}

/// Where a guest output stream goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Output {
    /// To the host process's own stream.
    #[default]
    Inherit,
    /// Into a buffer the session can read back.
    Capture,
    /// Nowhere.
    Discard,
}

/// One message a guest logged through a host-provided logging interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The level the guest gave (0 trace .. 4 error).
    pub level: u8,
    /// The message.
    pub message: String,
}

/// A guest tried to grow its memory past the limit.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "memory limit exceeded: the guest asked for {requested} bytes of linear memory, the limit is {limit}; raise it with `--max-memory`"
)]
pub struct MemoryLimitExceeded {
    /// The size the guest asked to grow to.
    pub requested: usize,
    /// The limit in force.
    pub limit: usize,
}

/// The data of every store weft creates.
pub struct WeftState {
    table: ResourceTable,
    wasi: WasiCtx,
    max_memory: Option<usize>,
    pub(crate) logs: Vec<LogRecord>,
    pub(crate) stdout: Option<MemoryOutputPipe>,
    pub(crate) stderr: Option<MemoryOutputPipe>,
}

/// How much captured output is kept per stream.
const CAPTURE_CAPACITY: usize = 16 << 20;

impl WeftState {
    /// Builds store data granting `caps`, with memory growth capped at `max_memory` bytes.
    pub fn new(
        caps: &Capabilities,
        max_memory: Option<usize>,
    ) -> Result<WeftState, std::io::Error> {
        let mut builder = WasiCtxBuilder::new();
        builder.args(&caps.args);
        for (k, v) in &caps.env {
            builder.env(k, v);
        }
        if caps.stdin {
            builder.inherit_stdin();
        }
        let stdout = stream(&mut builder, caps.stdout, true);
        let stderr = stream(&mut builder, caps.stderr, false);
        if caps.network {
            builder.inherit_network();
            builder.allow_ip_name_lookup(true);
        }
        for dir in &caps.preopens {
            let perms = if dir.read_only {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            builder
                .preopened_dir(&dir.host, &dir.guest, perms)
                .map_err(|e| {
                    std::io::Error::other(format!(
                        "cannot grant directory `{}` to the guest: {e}",
                        dir.host.display()
                    ))
                })?;
        }
        Ok(WeftState {
            table: ResourceTable::new(),
            wasi: builder.build(),
            max_memory,
            logs: Vec::new(),
            stdout,
            stderr,
        })
    }

    /// Records and traces a message from the guest.
    pub(crate) fn log(&mut self, level: u8, message: String) {
        match level {
            0 => tracing::trace!(target: "guest", "{message}"),
            1 => tracing::debug!(target: "guest", "{message}"),
            2 => tracing::info!(target: "guest", "{message}"),
            3 => tracing::warn!(target: "guest", "{message}"),
            _ => tracing::error!(target: "guest", "{message}"),
        }
        self.logs.push(LogRecord { level, message });
    }
}

fn stream(
    builder: &mut WasiCtxBuilder,
    output: Output,
    is_stdout: bool,
) -> Option<MemoryOutputPipe> {
    match output {
        Output::Inherit => {
            if is_stdout {
                builder.inherit_stdout();
            } else {
                builder.inherit_stderr();
            }
            None
        }
        Output::Capture => {
            let pipe = MemoryOutputPipe::new(CAPTURE_CAPACITY);
            if is_stdout {
                builder.stdout(pipe.clone());
            } else {
                builder.stderr(pipe.clone());
            }
            Some(pipe)
        }
        // The builder's default streams discard output.
        Output::Discard => None,
    }
}

impl WasiView for WeftState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for WeftState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        match self.max_memory {
            Some(limit) if desired > limit => Err(wasmtime::Error::new(MemoryLimitExceeded {
                requested: desired,
                limit,
            })),
            _ => Ok(true),
        }
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}
