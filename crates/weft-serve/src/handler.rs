//! Serving a `wasi:http` handler component the way `wasmtime serve` does: a fresh
//! instance per request from a pre-instance linked once, the guest's response streamed
//! back as it writes it, and a timer that ends a request that runs too long while epoch
//! yields keep the guest from holding the thread.
//!
//! WASI 0.2's `wasi:http/incoming-handler` and, behind `--experimental-p3`, WASI 0.3's
//! `wasi:http/service` (an `async func handle(request) -> result<response, error-code>`
//! whose bodies are `stream<u8>`s). `wasmtime serve` reuses a 0.3 instance for up to 16
//! concurrent requests; weft gives every request its own instance for both versions, so a
//! request's limits and a trap stay its own.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use http::{Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use wasmtime::UpdateDeadline;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p3::bindings::ServicePre;
use weft_runtime::{Capabilities, HostState, Limits, Prepared};

use crate::body::{Body, BodyError};
use crate::problem::Problem;

/// The `wasi:http` 0.2 interface whose export makes a component a handler.
pub const INCOMING_HANDLER: &str = "wasi:http/incoming-handler@0.2";

/// The `wasi:http` 0.3 interface a `wasi:http/service` component exports.
pub const SERVICE_HANDLER: &str = "wasi:http/handler@0.3";

/// A linked `wasi:http` handler component and what each request's instance gets.
pub struct HttpHandler {
    prepared: Prepared<()>,
    pre: Pre,
    capabilities: Capabilities,
    limits: Limits,
}

/// The pre-instance of either `wasi:http` version.
enum Pre {
    P2(ProxyPre<HostState<()>>),
    P3(ServicePre<HostState<()>>),
}

/// Why a component cannot be served as a handler.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{name}` does not export `wasi:http/incoming-handler` or `wasi:http/handler` in a form weft can serve: {message}"
)]
pub struct NotAHandler {
    name: String,
    message: String,
}

/// What a guest answered: its response, or why there is none (the guest's error code);
/// `None` when it returned or trapped without answering.
type Answer = Pin<Box<dyn Future<Output = Option<Result<Response<Body>, String>>> + Send>>;

/// The task running a request's instance: it ends when the guest is done with the body.
type Task = tokio::task::JoinHandle<wasmtime::Result<()>>;

impl HttpHandler {
    /// A handler over `prepared` (linked with `Imports::asynchronous`), whose instances
    /// get `capabilities` and `limits` (the timeout and fuel apply per request).
    pub fn new(
        prepared: Prepared<()>,
        capabilities: Capabilities,
        limits: Limits,
    ) -> Result<HttpHandler, NotAHandler> {
        let instance_pre = prepared.instance_pre().clone();
        // As `wasmtime serve`: the 0.3 service when the component is one, else 0.2.
        let pre = match ServicePre::new(instance_pre.clone()) {
            Ok(pre) => Pre::P3(pre),
            Err(_) => Pre::P2(ProxyPre::new(instance_pre).map_err(|e| NotAHandler {
                name: prepared.component().name().to_string(),
                message: format!("{e:#}"),
            })?),
        };
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
        if let Some(timeout) = self.limits.timeout {
            // Yield to tokio at every epoch tick, so the request timer below can answer;
            // once the time is up, trap: a guest that never awaits (a spin loop) would
            // otherwise keep its thread after the 504, and a shutdown would wait for it.
            let deadline = started + timeout;
            store.set_epoch_deadline(1);
            store.epoch_deadline_callback(move |_| {
                Ok(if Instant::now() >= deadline {
                    UpdateDeadline::Interrupt
                } else {
                    UpdateDeadline::Yield(1)
                })
            });
        }
        let (answer, mut task) = match &self.pre {
            Pre::P2(pre) => start_p2(pre.clone(), store, request)?,
            Pre::P3(pre) => start_p3(pre.clone(), store, request),
        };
        let deadline = self.limits.timeout.unwrap_or(Duration::MAX);
        let response = match tokio::time::timeout(deadline, answer).await {
            Ok(Some(Ok(response))) => response,
            Ok(Some(Err(code))) => {
                return Err(Failure::guest(format!(
                    "the guest answered an error: {code}"
                )));
            }
            // The guest returned or trapped without setting a response: its result says which.
            Ok(None) => {
                let why = match (&mut task).await {
                    // Only the deadline callback above interrupts: the timer and the
                    // callback raced, and this is the timeout.
                    Ok(Err(trap)) if trap.downcast_ref() == Some(&wasmtime::Trap::Interrupt) => {
                        return Err(Failure::timeout(deadline));
                    }
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
        Ok(response)
    }
}

/// Starts a WASI 0.2 request: the guest answers through its `response-outparam`.
fn start_p2(
    pre: ProxyPre<HostState<()>>,
    mut store: wasmtime::Store<HostState<()>>,
    request: http::Request<Incoming>,
) -> Result<(Answer, Task), Failure> {
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
    let task = tokio::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut store, incoming, outparam)
            .await
    });
    let answer = Box::pin(async move {
        let answered = receiver.await.ok()?;
        Some(match answered {
            Ok(response) => {
                Ok(response.map(|body| body.map_err(|e| Box::new(e) as BodyError).boxed_unsync()))
            }
            Err(code) => Err(format!("{code:?}")),
        })
    });
    Ok((answer, task))
}

/// Starts a WASI 0.3 request: `handle` returns the response, whose body the guest may
/// go on writing after it returned, so the store's event loop runs until the response
/// body is dropped (read to its end, or the client gone).
fn start_p3(
    pre: ServicePre<HostState<()>>,
    mut store: wasmtime::Store<HostState<()>>,
    request: http::Request<Incoming>,
) -> (Answer, Task) {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let service = pre.instantiate_async(&mut store).await?;
        store
            .run_concurrent(async move |accessor| {
                // The hooks only strip forbidden headers here, and the store's (weft's
                // outbound policy) keep wasmtime's default list; a borrow of the store
                // would tie the returned future to this closure.
                let default_hooks: &'static mut [(); 0] = &mut [];
                let (request, request_io) =
                    wasmtime_wasi_http::p3::Request::from_http(default_hooks, request);
                let response = match service.handle(accessor, request).await? {
                    Ok(response) => response,
                    Err(code) => {
                        let _ = sender.send(Err(format!("{code:?}")));
                        return Ok(());
                    }
                };
                let response =
                    accessor.with(|mut store| response.into_http(&mut store, request_io))?;
                let (body_dropped, dropped) = tokio::sync::oneshot::channel::<()>();
                let response = response.map(|body| {
                    body.map_err(|e| Box::new(e) as BodyError)
                        // The closure owns `body_dropped`: it drops with the body.
                        .map_frame(move |frame| {
                            let _ = &body_dropped;
                            frame
                        })
                        .boxed_unsync()
                });
                if sender.send(Ok(response)).is_ok() {
                    let _ = dropped.await;
                }
                Ok(())
            })
            .await?
    });
    let answer = Box::pin(async move { receiver.await.ok() });
    (answer, task)
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
