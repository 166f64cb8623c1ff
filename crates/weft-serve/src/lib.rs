//! HTTP for components, on weft's host runtime.
//!
//! - A component that exports `wasi:http/incoming-handler` (WASI 0.2) is served as
//!   `wasmtime serve` serves it: a fresh instance per request from one pre-instance,
//!   the response streamed, per-request limits ([`HttpHandler`]).
//! - Any other component is served as a JSON API generated from its WIT ([`Gateway`]):
//!   `POST /call/{export}`, sessions that keep resource handles across requests, an
//!   OpenAPI 3.1 document at `/openapi.json` and a page at `/` to try every export.
//!
//! Both run on one [`Server`]: hyper HTTP/1 with keep-alive, a cap on concurrent
//! requests with backpressure, access logs through `tracing` (target `weft::access`),
//! an app that can be replaced while serving ([`AppSlot`]), and graceful shutdown.
#![deny(missing_docs)]

mod body;
mod gateway;
mod handler;
mod openapi;
mod page;
mod problem;
mod server;
mod watch;

use std::path::Path;

pub use body::Body;
pub use gateway::{Gateway, GatewayConfig, GatewayError};
pub use handler::{HttpHandler, INCOMING_HANDLER, NotAHandler, SERVICE_HANDLER};
pub use openapi::{Docs, OpenApiError};
pub use server::{AppSlot, Server, ServerConfig};
pub use watch::watch;
use weft_runtime::{Capabilities, Imports, Limits, Runtime};
pub use weft_watch::Watcher;

/// The imports every served instance is linked with.
fn imports(options: &AppOptions) -> Imports {
    let imports = Imports::<()>::default()
        .greeter_logging()
        .asynchronous()
        .trap_unknown(options.trap_unknown_imports);
    if options.experimental_p3 {
        imports.with_wasi_p3()
    } else {
        imports
    }
}

/// What a server serves.
pub enum App {
    /// A `wasi:http` handler.
    Handler(HttpHandler),
    /// Any other component, as a JSON API.
    Gateway(Gateway),
}

/// Everything an app is built with, besides the component.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// What each instance may touch.
    pub capabilities: Capabilities,
    /// Each request's (or session call's) limits.
    pub limits: Limits,
    /// Sessions and bodies, for the gateway.
    pub gateway: GatewayConfig,
    /// Docs for the OpenAPI document, from the component's WIT source.
    pub docs: Docs,
    /// Satisfy imports weft does not provide with functions that trap.
    pub trap_unknown_imports: bool,
    /// Where a WAC document's packages come from, when serving one.
    pub wac: weft_compose::WacOptions,
    /// Link WASI 0.3 and serve `wasi:http/service` handlers (experimental in wasmtime 48).
    pub experimental_p3: bool,
}

/// Why an app could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The component could not be read or compiled.
    #[error(transparent)]
    Load(#[from] weft_runtime::LoadError),
    /// Its imports could not be linked.
    #[error(transparent)]
    Link(#[from] weft_runtime::LinkError),
    /// It exports a handler in a form weft cannot serve.
    #[error(transparent)]
    Handler(#[from] NotAHandler),
    /// Its WIT could not be read for the gateway.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// It exports an HTTP handler weft does not serve yet.
    #[error(
        "`{0}` exports the WASI 0.3 `wasi:http/handler`, which wasmtime 48 marks experimental and unstable; pass `--experimental-p3` to serve it, or build it for WASI 0.2 `wasi:http/incoming-handler`"
    )]
    Preview3(String),
    /// The composition could not be loaded and linked.
    #[error(transparent)]
    Composition(#[from] weft_link::LinkError),
    /// A composition that exports an HTTP handler.
    #[error(
        "`{0}` exports `wasi:http/incoming-handler` from a composition linked at run time, which weft does not serve yet; compose it with `weft compose` and serve the result"
    )]
    LinkedHandler(String),
    /// A composition that binds an import to an export served on NATS.
    #[error(
        "`{path}` binds import `{import}` to `{url}`, an export served on NATS, which `weft serve` does not call yet; run its calls with `weft call {path} ...`, or bind the import to a member"
    )]
    RemoteSource {
        /// The composition.
        path: String,
        /// The import's full name.
        import: String,
        /// Where it is served.
        url: String,
    },
    /// The file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl App {
    /// Loads the component at `path` and builds the app it calls for: a handler when it
    /// exports `wasi:http/incoming-handler`, a gateway otherwise.
    pub fn load(runtime: &Runtime, path: &Path, options: &AppOptions) -> Result<App, AppError> {
        if weft_link::is_composition(path) {
            return App::load_composition(runtime, path, options);
        }
        let bytes = std::fs::read(path).map_err(|source| AppError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path.display().to_string();
        let binary = weft_runtime::to_binary(&name, bytes)?;
        let component = runtime.load_bytes(&name, binary.clone())?;
        let exports_interface = |prefix: &str| {
            component.exports().funcs().iter().any(|f| {
                f.interface
                    .as_deref()
                    .is_some_and(|i| i.starts_with(prefix))
            })
        };
        let is_p3_handler = exports_interface(SERVICE_HANDLER);
        if is_p3_handler && !options.experimental_p3 {
            return Err(AppError::Preview3(name));
        }
        let is_handler = is_p3_handler || exports_interface(INCOMING_HANDLER);
        let prepared = runtime.prepare(&component, &imports(options))?;
        if is_handler {
            let handler = HttpHandler::new(
                prepared,
                options.capabilities.clone(),
                options.limits.clone(),
            )?;
            Ok(App::Handler(handler))
        } else {
            let gateway = Gateway::new(
                prepared,
                &binary,
                &options.docs,
                options.capabilities.clone(),
                options.limits.clone(),
                options.gateway.clone(),
            )?;
            Ok(App::Gateway(gateway))
        }
    }

    /// Links a composition (a `compose.toml` or `.wac` document) at run time and serves
    /// its exports as a gateway. The OpenAPI document comes from the composition's WIT,
    /// which the composer computes from the same manifest (the composed binary itself is
    /// not run).
    fn load_composition(
        runtime: &Runtime,
        path: &Path,
        options: &AppOptions,
    ) -> Result<App, AppError> {
        let linked = weft_link::Linked::load(runtime, path, &options.wac)?;
        let name = path.display().to_string();
        if let Some((_, remote)) = linked.remotes().next() {
            return Err(AppError::RemoteSource {
                path: name,
                import: remote.import.clone(),
                url: remote.url.clone(),
            });
        }
        let catalog = linked.app().catalog();
        if catalog.funcs().iter().any(|f| {
            f.interface
                .as_deref()
                .is_some_and(|i| i.starts_with("wasi:http/"))
        }) {
            return Err(AppError::LinkedHandler(name));
        }
        let prepared = linked.prepare(runtime, &imports(options))?;
        let composition = weft_compose::compose_file(path, &options.wac)
            .map_err(|e| AppError::Composition(e.into()))?;
        let gateway = Gateway::new(
            prepared,
            &composition.bytes,
            &options.docs,
            options.capabilities.clone(),
            options.limits.clone(),
            options.gateway.clone(),
        )?;
        Ok(App::Gateway(gateway))
    }

    /// What kind of app it is, for messages: `wasi:http handler` or `JSON gateway`.
    pub fn kind(&self) -> &'static str {
        match self {
            App::Handler(_) => "wasi:http handler",
            App::Gateway(_) => "JSON gateway",
        }
    }
}
