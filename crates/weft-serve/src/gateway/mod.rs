//! The gateway: any component's exports as a JSON API. Stateless calls get a fresh
//! instance each; sessions keep one instance, and its handles, across requests.

mod call;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::{Value, json};
use weft_runtime::{Capabilities, Limits, Prepared, Session, Statement};

use crate::body::{Body, full};
use crate::openapi::{self, Docs, ExportEntry};
use crate::page;
use crate::problem::Problem;
use sessions::Sessions;

/// How the gateway treats sessions and bodies.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// How long a session may go unused before it is ended.
    pub session_idle: Duration,
    /// How many sessions may be open at once.
    pub max_sessions: usize,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            session_idle: Duration::from_secs(300),
            max_sessions: 1000,
            max_body: 16 << 20,
        }
    }
}

/// A component served as a JSON API.
pub struct Gateway {
    prepared: Prepared<()>,
    capabilities: Capabilities,
    limits: Limits,
    config: GatewayConfig,
    openapi: Bytes,
    exports: Vec<ExportEntry>,
    sessions: Arc<Sessions>,
}

/// Why a component cannot be served as a gateway.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct GatewayError(#[from] openapi::OpenApiError);

impl Gateway {
    /// A gateway over `prepared` (linked with `Imports::asynchronous`), whose component
    /// binary is `bytes`, with WIT `docs` for its OpenAPI document.
    pub fn new(
        prepared: Prepared<()>,
        bytes: &[u8],
        docs: &Docs,
        capabilities: Capabilities,
        limits: Limits,
        config: GatewayConfig,
    ) -> Result<Gateway, GatewayError> {
        let component = prepared.component();
        let title = std::path::Path::new(component.name())
            .file_name()
            .map_or_else(
                || component.name().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
        let (document, exports) = openapi::document(bytes, component.exports(), &title, docs)?;
        let sessions = Sessions::new(config.session_idle, config.max_sessions);
        Ok(Gateway {
            openapi: Bytes::from(
                serde_json::to_vec_pretty(&document).expect("a JSON value serializes"),
            ),
            prepared,
            capabilities,
            limits,
            config,
            exports,
            sessions,
        })
    }

    /// The OpenAPI document, as served at `/openapi.json`.
    pub fn openapi(&self) -> &[u8] {
        &self.openapi
    }

    /// Answers one request.
    pub async fn handle(&self, request: http::Request<Incoming>) -> Response<Body> {
        let path = request.uri().path().to_string();
        match self.route(request).await {
            Ok(response) => response,
            Err(problem) => {
                if problem.status().is_server_error() {
                    tracing::warn!(target: "weft::serve", "{path}: {}", problem.detail());
                }
                problem.response(&path)
            }
        }
    }

    async fn route(&self, request: http::Request<Incoming>) -> Result<Response<Body>, Problem> {
        let path = request.uri().path().to_string();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let method = request.method().clone();
        match (segments.as_slice(), &method) {
            ([""], &Method::GET) => Ok(page::index()),
            (["page.js"], &Method::GET) => Ok(page::script()),
            (["page.css"], &Method::GET) => Ok(page::style()),
            (["openapi.json"], &Method::GET) => {
                Ok(json_bytes(StatusCode::OK, self.openapi.clone()))
            }
            (["call", name], &Method::POST) => {
                let name = decode(name)?;
                let body = self.read_json(request).await?;
                self.call(&name, body).await
            }
            (["sessions"], &Method::POST) => self.open_session().await,
            (["sessions", id], &Method::GET) => self.describe_session(id).await,
            (["sessions", id], &Method::DELETE) => self.end_session(id).await,
            (["sessions", id, "call"], &Method::POST) => {
                let id = id.to_string();
                self.session_call(&id, request).await
            }
            ([""] | ["page.js"] | ["page.css"] | ["openapi.json"], _) => Err(not_allowed("GET")),
            (["call", _] | ["sessions"] | ["sessions", _, "call"], _) => Err(not_allowed("POST")),
            (["sessions", _], _) => Err(not_allowed("GET, DELETE")),
            _ => Err(Problem::new(
                StatusCode::NOT_FOUND,
                "no-route",
                "No such route",
                format!(
                    "nothing is served at `{path}`; the routes are listed in `/openapi.json`, and `/` has a page to try them"
                ),
            )),
        }
    }

    /// `POST /call/{name}`: a fresh instance, one call, then the instance is dropped.
    async fn call(&self, name: &str, args: Value) -> Result<Response<Body>, Problem> {
        let catalog = self.prepared.component().exports();
        let export = catalog
            .resolve(name)
            .map_err(|e| call::problem(&weft_runtime::CallError::Resolve(e)))?;
        let signature = catalog.signature(export);
        if !self.is_stateless(export) {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "needs-session",
                "This export passes resource handles",
                format!(
                    "`{name}` takes or returns a resource handle, which lives only as long as its instance; open a session (`POST /sessions`) and call it with `POST /sessions/{{id}}/call`\n  signature: {signature}"
                ),
            ));
        }
        let args = call::arguments(export, &signature, args)?;
        let mut session = self.instantiate().await?;
        let result = session.call_json_async(name, &args).await;
        let _report = session.finish_async().await;
        let value = result.map_err(|e| call::problem(&e))?;
        Ok(json_value(call::status_of(export, &value), &value))
    }

    /// Whether `export`, under any of its names, can be served by a fresh instance.
    fn is_stateless(&self, export: &weft_runtime::ExportFunc) -> bool {
        self.exports
            .iter()
            .any(|e| e.index == export.index && e.stateless)
    }

    async fn instantiate(&self) -> Result<Session, Problem> {
        self.prepared
            .instantiate_async(&self.capabilities, self.limits.clone(), ())
            .await
            .map_err(|e| call::instantiate_problem(&e))
    }

    async fn open_session(&self) -> Result<Response<Body>, Problem> {
        let session = self.instantiate().await?;
        let idle = self.sessions.idle_timeout();
        match self.sessions.open(session) {
            Ok(id) => {
                let mut response = json_value(
                    StatusCode::CREATED,
                    &json!({"id": id, "idle_timeout_ms": idle.as_millis() as u64}),
                );
                if let Ok(location) = HeaderValue::from_str(&format!("/sessions/{id}")) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                Ok(response)
            }
            Err(sessions::Full(max)) => Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too-many-sessions",
                "Too many sessions are open",
                format!(
                    "{max} sessions are open (`--max-sessions`); end one with `DELETE /sessions/{{id}}` or wait for idle ones to expire"
                ),
            )),
        }
    }

    async fn describe_session(&self, id: &str) -> Result<Response<Body>, Problem> {
        let slot = self.sessions.get(id).ok_or_else(|| unknown_session(id))?;
        let guard = slot.session.lock().await;
        let session = guard.as_ref().ok_or_else(|| unknown_session(id))?;
        let handles: Vec<Value> = session
            .handles()
            .into_iter()
            .map(|(name, ty)| json!({"name": name, "type": ty}))
            .collect();
        Ok(json_value(
            StatusCode::OK,
            &json!({"id": id, "handles": handles}),
        ))
    }

    async fn end_session(&self, id: &str) -> Result<Response<Body>, Problem> {
        let report = self
            .sessions
            .end(id)
            .await
            .ok_or_else(|| unknown_session(id))?;
        Ok(json_value(
            StatusCode::OK,
            &json!({
                "created": report.created,
                "dropped": report.dropped,
                "dropped_at_end": report.dropped_at_end,
                "leaked": report.leaked,
            }),
        ))
    }

    /// `POST /sessions/{id}/call`: `{export, args}` as JSON, or statements as text.
    async fn session_call(
        &self,
        id: &str,
        request: http::Request<Incoming>,
    ) -> Result<Response<Body>, Problem> {
        let is_text = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"));
        let body = self.read_body(request).await?;
        let slot = self.sessions.get(id).ok_or_else(|| unknown_session(id))?;
        let mut guard = slot.session.lock().await;
        let session = guard.as_mut().ok_or_else(|| unknown_session(id))?;
        if is_text {
            let text = String::from_utf8(body.to_vec())
                .map_err(|_| call::bad_body("the statements are not UTF-8 text".into()))?;
            return statements(session, &text).await;
        }
        let body = parse_json(&body)?;
        let Some(name) = body.get("export").and_then(Value::as_str) else {
            return Err(call::bad_body(
                "a session call is `{\"export\": NAME, \"args\": [...] or {...}}`, or `weft call` statements sent as `text/plain`".into(),
            ));
        };
        let catalog = session.component().exports().clone();
        let export = catalog
            .resolve(name)
            .map_err(|e| call::problem(&weft_runtime::CallError::Resolve(e)))?;
        let signature = catalog.signature(export);
        let args = call::arguments(
            export,
            &signature,
            body.get("args").cloned().unwrap_or(Value::Null),
        )?;
        let value = session
            .call_json_async(name, &args)
            .await
            .map_err(|e| call::problem(&e))?;
        Ok(json_value(
            call::status_of(export, &value),
            &json!({"value": value}),
        ))
    }

    async fn read_json(&self, request: http::Request<Incoming>) -> Result<Value, Problem> {
        let body = self.read_body(request).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        parse_json(&body)
    }

    async fn read_body(&self, request: http::Request<Incoming>) -> Result<Bytes, Problem> {
        let limit = self.config.max_body;
        match Limited::new(request.into_body(), limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "The request body is too large",
                format!("the body is over {limit} bytes (`--max-body`)"),
            )),
            Err(error) => Err(call::bad_body(format!("cannot read the body: {error}"))),
        }
    }
}

/// Runs `weft call` statements in `session`, answering each one's outcome.
async fn statements(session: &mut Session, text: &str) -> Result<Response<Body>, Problem> {
    let mut results = Vec::new();
    for (line_number, line) in text.lines().enumerate() {
        let Some(statement) = Statement::parse(line) else {
            continue;
        };
        let failed = |e: &weft_runtime::CallError, results: &Vec<Value>| {
            call::problem(e)
                .with("line", line_number + 1)
                .with("statement", line.trim().to_string())
                .with("completed", Value::Array(results.clone()))
        };
        let statement =
            statement.map_err(|e| failed(&weft_runtime::CallError::Syntax(e), &results))?;
        let outcome = session
            .eval_async(&statement)
            .await
            .map_err(|e| failed(&e, &results))?;
        let (value, wave, bound) = match outcome {
            Some(outcome) => {
                let value = outcome
                    .results
                    .first()
                    .map(|v| session.render_json(v))
                    .unwrap_or(Value::Null);
                (value, session.render_wave(&outcome.results), outcome.bound)
            }
            None => (Value::Null, String::new(), None),
        };
        results
            .push(json!({"statement": line.trim(), "value": value, "wave": wave, "bound": bound}));
    }
    Ok(json_value(StatusCode::OK, &json!({"results": results})))
}

fn parse_json(body: &[u8]) -> Result<Value, Problem> {
    let text = std::str::from_utf8(body)
        .map_err(|_| call::bad_body("the body is not UTF-8 text".into()))?;
    weft_runtime::values::json::parse_strict(text).map_err(|e| {
        call::bad_body(format!(
            "the body is not JSON: {e}; send an array of arguments or an object by parameter name"
        ))
    })
}

/// A path segment with its percent-escapes decoded.
fn decode(segment: &str) -> Result<String, Problem> {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map(|name| name.into_owned())
        .map_err(|_| call::bad_body(format!("`{segment}` is not UTF-8 once decoded")))
}

fn unknown_session(id: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-session",
        "No such session",
        format!(
            "no session `{id}` is open: it was ended, it expired after its idle time, or it never existed; open one with `POST /sessions`"
        ),
    )
}

fn not_allowed(allow: &'static str) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "This route does not take that method",
        format!("this route takes {allow}"),
    )
    .with("allow", allow)
}

fn json_value(status: StatusCode, value: &Value) -> Response<Body> {
    json_bytes(status, Bytes::from(value.to_string()))
}

fn json_bytes(status: StatusCode, bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(full(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
