//! The data of every store weft creates: the WASI and wasi:http contexts, the resource
//! table they share, the limiter, captured output, logs, and the embedder's own data.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{
    FsPerms, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::app::Links;
use crate::imports::ImportCall;
use crate::limits::{Limits, StoreLimiter};

/// What the guest may touch. Everything is denied unless granted here.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// Host directories visible to the guest.
    pub preopens: Vec<Preopen>,
    /// Environment variables visible to the guest.
    pub env: Vec<(String, String)>,
    /// Arguments the guest sees (`wasi:cli/environment.get-arguments`).
    pub args: Vec<String>,
    /// Whether the guest may open TCP and UDP sockets and resolve names.
    pub network: bool,
    /// Hosts (`name` or `name:port`) the guest may send `wasi:http` requests to; `*`
    /// allows every host. Empty: every outgoing request is denied.
    pub outbound_http: Vec<String>,
    /// Whether the guest reads the host's stdin.
    pub stdin: bool,
    /// Where the guest's stdout goes.
    pub stdout: Output,
    /// Where the guest's stderr goes.
    pub stderr: Output,
    /// A fixed wall-clock time (since the Unix epoch) instead of the host's, and a
    /// monotonic clock that starts at 0 and advances 1 ms per reading: reproducible
    /// runs (tests). `None`: the host's clocks.
    pub fixed_clock: Option<Duration>,
    /// A seed for both of the guest's random sources instead of the host's entropy:
    /// reproducible runs (tests). `None`: the host's entropy.
    pub random_seed: Option<u64>,
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
    /// To the host process's stderr: a guest's stdout kept off a host whose own stdout
    /// carries data (a plugin host writing JSON lines).
    HostStderr,
}

/// One message a guest logged through a host-provided logging interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The level the guest gave (0 trace .. 4 error).
    pub level: u8,
    /// The message.
    pub message: String,
}

/// A directory could not be granted to the guest.
#[derive(Debug, thiserror::Error)]
#[error("cannot grant directory `{}` to the guest", path.display())]
pub struct GrantError {
    /// The host directory.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// The data of every store weft creates. `T` is the embedder's own data, reachable from
/// host functions through [`HostState::data`] and [`HostState::data_mut`].
pub struct HostState<T> {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    http_policy: OutboundPolicy,
    limiter: StoreLimiter,
    pub(crate) logs: Vec<LogRecord>,
    pub(crate) import_calls: Vec<ImportCall>,
    pub(crate) stdout: Option<MemoryOutputPipe>,
    pub(crate) stderr: Option<MemoryOutputPipe>,
    pub(crate) links: Links,
    data: T,
}

/// How much captured output is kept per stream.
const CAPTURE_CAPACITY: usize = 16 << 20;

impl<T> HostState<T> {
    /// Builds store data granting `caps` under `limits`, carrying `data`.
    pub fn new(caps: &Capabilities, limits: &Limits, data: T) -> Result<HostState<T>, GrantError> {
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
        if let Some(now) = caps.fixed_clock {
            builder.wall_clock(FixedWallClock(now));
            builder.monotonic_clock(SteppingMonotonicClock::default());
        }
        if let Some(seed) = caps.random_seed {
            builder.secure_random(StdRng::seed_from_u64(seed));
            builder.insecure_random(StdRng::seed_from_u64(seed.wrapping_add(1)));
            builder.insecure_random_seed(u128::from(seed));
        }
        if caps.network {
            builder.inherit_network();
            builder.allow_ip_name_lookup(true);
            builder.allow_tcp(true);
            builder.allow_udp(true);
        }
        for dir in &caps.preopens {
            let perms = if dir.read_only {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            builder
                .preopened_dir(&dir.host, &dir.guest, perms)
                .map_err(|e| GrantError {
                    path: dir.host.clone(),
                    source: std::io::Error::other(format!("{e:#}")),
                })?;
        }
        Ok(HostState {
            table: ResourceTable::new(),
            wasi: builder.build(),
            http: WasiHttpCtx::new(),
            http_policy: OutboundPolicy {
                allowed: Arc::new(caps.outbound_http.clone()),
            },
            limiter: StoreLimiter::new(limits),
            logs: Vec::new(),
            import_calls: Vec::new(),
            stdout,
            stderr,
            links: Links::default(),
            data,
        })
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The resource table WASI and host resources share.
    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// Records and traces a message from the guest.
    pub fn log(&mut self, level: u8, message: String) {
        match level {
            0 => tracing::trace!(target: "guest", "{message}"),
            1 => tracing::debug!(target: "guest", "{message}"),
            2 => tracing::info!(target: "guest", "{message}"),
            3 => tracing::warn!(target: "guest", "{message}"),
            _ => tracing::error!(target: "guest", "{message}"),
        }
        self.logs.push(LogRecord { level, message });
    }

    /// The limiter enforcing the store-wide memory and table limits this state was made
    /// with: hand it to `Store::limiter` when building a store yourself from
    /// [`Prepared::instance_pre`](crate::Prepared::instance_pre).
    pub fn limiter(&mut self) -> &mut dyn wasmtime::ResourceLimiter {
        &mut self.limiter
    }

    /// The linear memory the guest uses now, all its memories together, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.limiter.memory()
    }

    /// Takes the import calls recorded since the last take (see
    /// [`Imports::record_calls`](crate::Imports::record_calls)).
    pub fn take_import_calls(&mut self) -> Vec<ImportCall> {
        std::mem::take(&mut self.import_calls)
    }

    /// Messages the guest logged through [`HostState::log`].
    pub fn logs(&self) -> &[LogRecord] {
        &self.logs
    }
}

/// A wall clock stopped at one time.
struct FixedWallClock(Duration);

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock that moves only when read, by 1 ms: time passes for a guest that
/// measures it, the same way on every run.
#[derive(Default)]
struct SteppingMonotonicClock(AtomicU64);

impl HostMonotonicClock for SteppingMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }

    fn now(&self) -> u64 {
        self.0.fetch_add(1_000_000, Ordering::Relaxed)
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
        Output::HostStderr => {
            if is_stdout {
                builder.stdout(wasmtime_wasi::cli::stderr());
            } else {
                builder.inherit_stderr();
            }
            None
        }
        // The builder's default streams discard output.
        Output::Discard => None,
    }
}

impl<T: Send> WasiView for HostState<T> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl<T: Send> WasiHttpView for HostState<T> {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.http_policy,
        }
    }
}

/// Which hosts outgoing `wasi:http` requests may reach.
struct OutboundPolicy {
    allowed: Arc<Vec<String>>,
}

impl OutboundPolicy {
    fn allows(&self, uri: &http::Uri) -> bool {
        let Some(authority) = uri.authority() else {
            return false;
        };
        self.allowed.iter().any(|allowed| {
            allowed == "*" || allowed == authority.as_str() || allowed == authority.host()
        })
    }
}

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        if !self.allows(request.uri()) {
            tracing::debug!("denied an outgoing request to {}", request.uri());
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        _ = fut;
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}
