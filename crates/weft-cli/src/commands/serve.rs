//! `weft serve`: a component over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use weft_runtime::{Runtime, parse_duration, parse_size};
use weft_serve::{App, AppError, AppOptions, Docs, GatewayConfig, Server, ServerConfig};

use crate::options::{RunOptions, WacDeps};
use crate::session::{REMOTE_TIMEOUT, Target, bind_remote_imports, remote_bindings};

/// Serve a component over HTTP: a `wasi:http` handler as `wasmtime serve` does, or any
/// other component as a JSON API generated from its WIT.
///
/// A component exporting `wasi:http/incoming-handler` (WASI 0.2), or with
/// `--experimental-p3` WASI 0.3's `wasi:http/service`, gets a fresh instance per request. Any other component is served as a gateway: `POST /call/{export}` with
/// JSON arguments, sessions for resources (`POST /sessions`), an OpenAPI 3.1 document at
/// `/openapi.json` and a page at `/` to try every export. Limits apply per request.
#[derive(Args)]
#[command(after_help = "Examples:
  weft serve http_hello.wasm --addr 127.0.0.1:8080
  weft serve http_service.wasm --experimental-p3   # WASI 0.3 wasi:http/service
  weft serve greeter.wasm --wit wit/greeter        # then open http://127.0.0.1:8080/
  curl -d '{\"person\": {\"name\": \"Ada\"}}' http://127.0.0.1:8080/call/greet
  weft serve sqldb.wasm --session-idle 1m --max-memory 256MiB --timeout 5s
  weft serve compose.toml --watch                  # linked at run time, relinked on change
  weft serve logger.wasm --nats nats://127.0.0.1:4222   # exports served on NATS (wRPC 0.17)

Stops on SIGINT or SIGTERM after the requests in flight finish.
Exit status: 0 after a clean shutdown, 1 when the component cannot be served.")]
pub struct ServeCommand {
    /// The component (binary or WAT), or a composition (a `compose.toml` manifest or a
    /// `.wac` document) linked at run time and served as a gateway.
    component: PathBuf,
    /// The address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    addr: SocketAddr,
    /// Let the guest send `wasi:http` requests to HOST (`name` or `name:port`; `*` for any; repeatable).
    #[arg(long = "allow-outbound", value_name = "HOST")]
    allow_outbound: Vec<String>,
    /// Requests handled at once; more wait for a slot.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_concurrent: usize,
    /// Connections open at once; more wait to be accepted.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_connections: usize,
    /// Gateway: how long a session may go unused before it ends, e.g. `30s`, `5m`.
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = parse_duration)]
    session_idle: Duration,
    /// Gateway: how many sessions may be open at once.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_sessions: usize,
    /// Gateway: the largest request body, e.g. `16MiB`.
    #[arg(long, default_value = "16MiB", value_name = "SIZE", value_parser = parse_size)]
    max_body: usize,
    /// Gateway: the component's WIT source (file or directory), for docs in the OpenAPI
    /// document and on the page (component binaries seldom carry docs).
    #[arg(long, value_name = "PATH")]
    wit: Option<PathBuf>,
    /// Reload the component when its file changes (a composition: when it or a member
    /// file changes); requests in flight finish on the old one.
    #[arg(long)]
    watch: bool,
    /// Do not log each request.
    #[arg(long)]
    no_access_log: bool,
    /// Serve the exports on NATS instead of HTTP, at `nats://HOST:PORT[/PREFIX]`, on wRPC
    /// 0.17's subjects (`[PREFIX.]wrpc.0.0.1.<interface>.<function>`).
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// NATS: the queue group servers of one component share, so each call reaches one.
    #[arg(long, default_value = "weft", value_name = "NAME", requires = "nats")]
    nats_group: String,
    /// NATS: satisfy the component's import interface IFACE with the exports served at
    /// `nats://HOST:PORT[/PREFIX]`, as `weft call --import` does (repeatable).
    #[arg(long = "import", value_name = "IFACE=URL", requires = "nats")]
    remote_imports: Vec<String>,
    /// Serve WASI 0.3 `wasi:http/service` handlers, and link WASI 0.3 for any component
    /// (wasmtime 48 marks it experimental and unstable, without patch-release fixes).
    #[arg(long)]
    experimental_p3: bool,
    #[command(flatten)]
    wac: WacDeps,
    #[command(flatten)]
    run: RunOptions,
}

/// How long a request may take when `--timeout` is not given: a server must not let
/// one guest hold a thread forever.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl ServeCommand {
    pub fn run(self) -> anyhow::Result<()> {
        let mut config = self.run.runtime_config();
        // A server makes instances all day: reserve the pooling allocator's slots once.
        config.pooling = true;
        let runtime = Arc::new(Runtime::new(config)?);
        let session = self.run.session_options()?;
        let mut capabilities = session.capabilities;
        capabilities.outbound_http = self.allow_outbound.clone();
        let mut limits = session.limits;
        limits.timeout.get_or_insert(DEFAULT_TIMEOUT);
        let docs = match &self.wit {
            Some(path) => Docs::from_wit_path(path)?,
            None => Docs::default(),
        };
        let options = AppOptions {
            capabilities,
            limits,
            gateway: GatewayConfig {
                session_idle: self.session_idle,
                max_sessions: self.max_sessions,
                max_body: self.max_body,
            },
            docs,
            trap_unknown_imports: session.trap_unknown_imports,
            wac: self.wac.wac_options()?,
            experimental_p3: self.experimental_p3,
        };
        if let Some(url) = &self.nats {
            return self.serve_nats(&runtime, url, &options);
        }
        let app = App::load(&runtime, &self.component, &options).map_err(app_error)?;
        let kind = app.kind();
        let server_config = ServerConfig {
            max_concurrent: self.max_concurrent,
            max_connections: self.max_connections,
            access_log: !self.no_access_log,
        };
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        tokio.block_on(async move {
            let server = Server::bind(self.addr, app, server_config)
                .await
                .with_context(|| format!("cannot listen on {}", self.addr))?;
            let addr = server.local_addr()?;
            eprintln!(
                "Serving {} as a {kind} on http://{addr}/",
                self.component.display()
            );
            let _watcher = if self.watch {
                let component = self.component.display().to_string();
                Some(weft_serve::watch(
                    Arc::clone(&runtime),
                    &self.component,
                    options,
                    server.app(),
                    move |outcome| match outcome {
                        Ok(app) => tracing::info!(target: "weft::serve", "reloaded {component} ({})", app.kind()),
                        Err(error) => tracing::warn!(target: "weft::serve", "kept the running version: reloading {component} failed: {error}"),
                    },
                )?)
            } else {
                None
            };
            server.run(shutdown_signal()).await?;
            eprintln!("Stopped: every request in flight finished.");
            anyhow::Ok(())
        })
    }
}

impl ServeCommand {
    /// `--nats`: every export that takes and returns plain values, on NATS until SIGINT
    /// or SIGTERM.
    fn serve_nats(&self, runtime: &Runtime, url: &str, options: &AppOptions) -> anyhow::Result<()> {
        let address = weft_federation::NatsAddress::parse(url)?;
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let target = Target::load(runtime, &self.component, &self.wac)?;
        let bindings = remote_bindings(&target, &self.remote_imports)?;
        let timeout = options.limits.timeout.unwrap_or(REMOTE_TIMEOUT);
        let imports = weft_runtime::Imports::new()
            .greeter_logging()
            .asynchronous()
            .trap_unknown(options.trap_unknown_imports);
        let imports = bind_remote_imports(imports, bindings, timeout, &tokio)?;
        let prepared = target.prepare(runtime, &imports)?;
        let (served, skipped) = weft_federation::servable(&prepared, &address.prefix);
        for name in &skipped {
            crate::output::stderr_line!(
                "warning: `{name}` is not served: it takes or returns resources, streams or futures, which weft does not carry over NATS yet"
            );
        }
        if served.is_empty() {
            anyhow::bail!(
                "`{}` exports no function weft can serve over NATS",
                self.component.display()
            );
        }
        let serve_options = weft_federation::ServeOptions {
            prefix: address.prefix.clone(),
            group: Some(self.nats_group.clone()),
            ..Default::default()
        };
        tokio.block_on(async {
            let client = weft_federation::connect(&address.server).await?;
            let subjects: Vec<String> = served.iter().map(|s| s.subject.clone()).collect();
            let server = weft_federation::serve(
                client,
                prepared,
                options.capabilities.clone(),
                options.limits.clone(),
                served,
                serve_options,
            )
            .await?;
            eprintln!(
                "Serving {} on {} (queue group `{}`):",
                self.component.display(),
                address.server,
                self.nats_group
            );
            for subject in &subjects {
                eprintln!("  {subject}");
            }
            server.run(shutdown_signal()).await;
            eprintln!("Stopped.");
            anyhow::Ok(())
        })
    }
}

/// A component that cannot be served, with the flag or command that changes that.
fn app_error(error: AppError) -> anyhow::Error {
    match error {
        AppError::Load(e) => crate::hints::load_error(e),
        AppError::Link(e) => crate::hints::session_error(weft_runtime::SessionError::Link(e)),
        other => other.into(),
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = interrupt => {}
        _ = async {
            match terminate.as_mut() {
                Some(signal) => { signal.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}
