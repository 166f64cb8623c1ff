//! The HTTP/1 server every app runs on: hyper connections with keep-alive and no Nagle
//! delay, a cap on concurrent requests that makes clients wait (backpressure) instead of
//! failing, a cap on connections, access logs, an app that can be replaced while
//! serving, and graceful shutdown that lets in-flight requests finish.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use http::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use wasmtime_wasi_http::io::TokioIo;

use crate::App;
use crate::body::Body;

/// How many requests and connections the server takes at once.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Requests handled at once; more wait for a slot.
    pub max_concurrent: usize,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Whether each request is logged (target `weft::access`, level info).
    pub access_log: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        // `wasmtime serve`'s caps.
        ServerConfig {
            max_concurrent: 1000,
            max_connections: 1000,
            access_log: true,
        }
    }
}

/// The app a server serves, replaceable while it runs: requests already started finish
/// on the app they started on.
#[derive(Clone)]
pub struct AppSlot(Arc<RwLock<Arc<App>>>);

impl AppSlot {
    fn new(app: App) -> AppSlot {
        AppSlot(Arc::new(RwLock::new(Arc::new(app))))
    }

    /// The app new requests go to.
    pub fn current(&self) -> Arc<App> {
        Arc::clone(&self.0.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Sends new requests to `app`.
    pub fn replace(&self, app: App) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(app);
    }
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    app: AppSlot,
    config: ServerConfig,
}

impl Server {
    /// Binds `addr` (port 0 picks a free one) for `app`.
    pub async fn bind(addr: SocketAddr, app: App, config: ServerConfig) -> std::io::Result<Server> {
        let socket = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        // Rebinding right after a restart must not fail on connections in TIME_WAIT.
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        let listener = socket.listen(1024)?;
        Ok(Server {
            listener,
            app: AppSlot::new(app),
            config,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The app slot, to replace the app while serving (`--watch`).
    pub fn app(&self) -> AppSlot {
        self.app.clone()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets every in-flight
    /// request finish and closes idle connections.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let requests = Arc::new(Semaphore::new(self.config.max_concurrent));
        let connections = Arc::new(Semaphore::new(self.config.max_connections));
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = Arc::clone(&connections).acquire_owned() => permit.expect("never closed"),
            };
            let (stream, peer) = tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: keep serving the others.
                        tracing::warn!(target: "weft::serve", "accept failed: {error}");
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                },
            };
            // Small response chunks must not wait 40 ms for Nagle.
            let _ = stream.set_nodelay(true);
            let app = self.app.clone();
            let requests = Arc::clone(&requests);
            let access_log = self.config.access_log;
            let mut stop = stop_rx.clone();
            tasks.spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let app = app.current();
                    let requests = Arc::clone(&requests);
                    async move {
                        let _slot = requests.acquire_owned().await.expect("never closed");
                        Ok::<_, Infallible>(respond(&app, request, peer, access_log).await)
                    }
                });
                let connection = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
                tokio::pin!(connection);
                let result = tokio::select! {
                    result = connection.as_mut() => result,
                    _ = async { let _ = stop.wait_for(|stopping| *stopping).await; } => {
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(error) = result
                    && !error.is_incomplete_message()
                {
                    tracing::debug!(target: "weft::serve", "connection from {peer}: {error}");
                }
                drop(permit);
            });
            // Reap finished connections so the set does not grow with every client.
            while tasks.try_join_next().is_some() {}
        }
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// One request through the app, logged.
async fn respond(
    app: &App,
    request: http::Request<Incoming>,
    peer: SocketAddr,
    access_log: bool,
) -> Response<Body> {
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = match app {
        App::Handler(handler) => handler.handle(request).await,
        App::Gateway(gateway) => gateway.handle(request).await,
    };
    if !access_log {
        return response;
    }
    tracing::info!(
        target: "weft::access",
        "{peer} {method} {uri} {} {}us",
        response.status().as_u16(),
        started.elapsed().as_micros()
    );
    response
}
