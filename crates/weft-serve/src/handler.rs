//! Serving a `wasi:http/incoming-handler` component the way `wasmtime serve` does for
//! WASI 0.2: a fresh instance per request from a pre-instance linked once, the guest's
//! response streamed back as it writes it, and a timer that ends a request that runs too
//! long while epoch yields keep the guest from holding the thread.

use std::time::{Duration, Instant};

use http::{Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use weft_runtime::{Capabilities, Limits, Prepared};

use crate::body::{Body, BodyError};
use crate::problem::Problem;

/// The `wasi:http` 0.2 interface whose export makes a component a handler.
pub const INCOMING_HANDLER: &str = "wasi:http/incoming-handler@0.2";

/// A linked `wasi:http` handler component and what each request's instance gets.
pub struct HttpHandler {
    prepared: Prepared<()>,
    pre: ProxyPre<weft_runtime::HostState<()>>,
    capabilities: Capabilities,
    limits: Limits,
}

/// Why a component cannot be served as a handler.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{name}` does not export `wasi:http/incoming-handler` in a form weft can serve: {message}"
)]
pub struct NotAHandler {
    name: String,
    message: String,
}

impl HttpHandler {
    /// A handler over `prepared` (linked with `Imports::asynchronous`), whose instances
    /// get `capabilities` and `limits` (the timeout and fuel apply per request).
    pub fn new(
        prepared: Prepared<()>,
        capabilities: Capabilities,
        limits: Limits,
    ) -> Result<HttpHandler, NotAHandler> {
        let pre = ProxyPre::new(prepared.instance_pre().clone()).map_err(|e| NotAHandler {
            name: prepared.component().name().to_string(),
            message: format!("{e:#}"),
        })?;
        Ok(HttpHandler {
            prepared,
            pre,
            capabilities,
            limits,
        })
    }

    /// Answers one request from a new instance. A guest that traps, fails or runs past
    /// the timeout gets a 5xx for this request only.
    pub async fn handle(&self, request: http::Request<Incoming>) -> Response<Body> {
        let instance = request.uri().path().to_string();
        match self.run(request).await {
            Ok(response) => response,
            Err(problem) => {
                tracing::warn!(target: "weft::serve", "{}: {}", instance, problem.detail());
                problem.response(&instance)
            }
        }
    }

    async fn run(&self, request: http::Request<Incoming>) -> Result<Response<Body>, Failure> {
        let started = Instant::now();
        let mut store = self
            .prepared
            .new_store(&self.capabilities, &self.limits, ())
            .map_err(|e| Failure::host(format!("cannot set up the request's store: {e}")))?;
        if let Some(fuel) = self.limits.fuel {
            store
                .set_fuel(fuel)
                .map_err(|e| Failure::host(format!("cannot set fuel: {e}")))?;
        }
        if self.limits.timeout.is_some() {
            // Yield to tokio at every epoch tick, so the timer below can end the request.
            store.epoch_deadline_async_yield_and_update(1);
        }
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let (incoming, outparam) = {
            let mut http = store.data_mut().http();
            let incoming = http
                .new_incoming_request(Scheme::Http, request)
                .map_err(|e| Failure::bad_request(format!("{e:#}")))?;
            let outparam = http
                .new_response_outparam(sender)
                .map_err(|e| Failure::host(format!("{e:#}")))?;
            (incoming, outparam)
        };
        let pre = self.pre.clone();
        let mut task = tokio::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, incoming, outparam)
                .await
        });
        let deadline = self.limits.timeout.unwrap_or(Duration::MAX);
        let response = match tokio::time::timeout(deadline, receiver).await {
            Ok(Ok(Ok(response))) => response,
            Ok(Ok(Err(code))) => {
                return Err(Failure::guest(format!(
                    "the guest answered an error: {code:?}"
                )));
            }
            // The guest returned or trapped without setting a response: its result says which.
            Ok(Err(_)) => {
                let why = match (&mut task).await {
                    Ok(Ok(())) => "the guest returned without setting a response".to_string(),
                    Ok(Err(trap)) => format!("the guest trapped: {}", trap_message(&trap)),
                    Err(join) => format!("the request's task failed: {join}"),
                };
                return Err(Failure::guest(why));
            }
            Err(_) => {
                task.abort();
                return Err(Failure::timeout(deadline));
            }
        };
        // The guest may still be writing the body: bound that by what is left of the timeout.
        let remaining = deadline.saturating_sub(started.elapsed());
        tokio::spawn(async move {
            match tokio::time::timeout(remaining, &mut task).await {
                Ok(Ok(Err(trap))) => tracing::warn!(
                    target: "weft::serve",
                    "the guest trapped after its response began: {}",
                    trap_message(&trap)
                ),
                Err(_) => {
                    task.abort();
                    tracing::warn!(target: "weft::serve", "a response body ran past the timeout; it was cut");
                }
                _ => {}
            }
        });
        Ok(response.map(|body| body.map_err(|e| Box::new(e) as BodyError).boxed_unsync()))
    }
}

fn trap_message(error: &wasmtime::Error) -> String {
    // The client gets the trap; the wasm backtrace goes to the server's debug log.
    tracing::debug!(target: "weft::serve", "{error:?}");
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{error:#}"),
    }
}

/// A request that got no response from the guest.
struct Failure(Problem);

impl Failure {
    fn host(detail: String) -> Failure {
        Failure(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "host-error",
            "The server could not run the component",
            detail,
        ))
    }
    fn bad_request(detail: String) -> Failure {
        Failure(Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request cannot be handed to the component",
            detail,
        ))
    }
    fn guest(detail: String) -> Failure {
        Failure(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "trap",
            "The component failed to answer",
            detail,
        ))
    }
    fn timeout(after: Duration) -> Failure {
        Failure(Problem::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "The component took too long",
            format!(
                "the guest did not answer within {} ms (`--timeout`)",
                after.as_millis()
            ),
        ))
    }
    fn detail(&self) -> &str {
        self.0.detail()
    }
    fn response(self, instance: &str) -> Response<Body> {
        self.0.response(instance)
    }
}
