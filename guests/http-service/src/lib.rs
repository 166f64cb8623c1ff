//! The http-service component: a WASI 0.3 `wasi:http/service` handler for `weft serve
//! --experimental-p3` tests. `handle` is an `async func`; bodies are `stream<u8>`s.
//!
//! `GET /` answers `Hello from WASI 0.3!`. Any other path answers 200 with the request body
//! streamed back chunk by chunk as it arrives, and `x-echo-method` / `x-echo-path` headers.
//! Special paths: `/trap` panics (the host should answer 500 and serve the next request),
//! `/spin` loops forever (for timeouts).

use wasip3::http::types::{ErrorCode, Fields, Method, Request, Response};
use wasip3::{wit_bindgen, wit_future, wit_stream};

/// The component's export implementation.
struct HttpService;

impl wasip3::exports::http::handler::Guest for HttpService {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let path = request.get_path_with_query().unwrap_or_default();
        match path.as_str() {
            "/" => Ok(text_response(b"Hello from WASI 0.3!\n".to_vec())),
            "/trap" => panic!("http-service: trap requested"),
            "/spin" => loop {
                std::hint::spin_loop();
            },
            _ => Ok(echo(request, &path)),
        }
    }
}

/// A 200 with `body` as `text/plain`, written by a task that runs after `handle` returns.
fn text_response(body: Vec<u8>) -> Response {
    let headers = Fields::from_list(&[("content-type".into(), b"text/plain".to_vec())])
        .expect("valid header");
    let (mut body_tx, body_rx) = wit_stream::new();
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    let (response, _sent) = Response::new(headers, Some(body_rx), trailers_rx);
    drop(trailers_tx);
    wit_bindgen::spawn_local(async move {
        let unwritten = body_tx.write_all(body).await;
        debug_assert!(unwritten.is_empty(), "the host stopped reading");
    });
    response
}

/// A 200 whose body is the request's, copied chunk by chunk as it arrives.
fn echo(request: Request, path: &str) -> Response {
    let method = match request.get_method() {
        Method::Get => "GET".to_string(),
        Method::Head => "HEAD".to_string(),
        Method::Post => "POST".to_string(),
        Method::Put => "PUT".to_string(),
        Method::Delete => "DELETE".to_string(),
        Method::Connect => "CONNECT".to_string(),
        Method::Options => "OPTIONS".to_string(),
        Method::Trace => "TRACE".to_string(),
        Method::Patch => "PATCH".to_string(),
        Method::Other(other) => other,
    };
    let headers = Fields::from_list(&[
        ("x-echo-method".into(), method.into_bytes()),
        ("x-echo-path".into(), path.as_bytes().to_vec()),
    ])
    .expect("valid headers");
    let (_, request_done) = wit_future::new(|| Ok(()));
    let (mut body_in, _trailers_in) = Request::consume_body(request, request_done);
    let (mut body_out, body_rx) = wit_stream::new();
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    let (response, _sent) = Response::new(headers, Some(body_rx), trailers_rx);
    drop(trailers_tx);
    wit_bindgen::spawn_local(async move {
        let mut buffer = Vec::with_capacity(64 * 1024);
        loop {
            let (status, chunk) = body_in.read(buffer).await;
            if chunk.is_empty() && !matches!(status, wit_bindgen::StreamResult::Complete(_)) {
                break;
            }
            let unwritten = body_out.write_all(chunk).await;
            if !unwritten.is_empty() {
                break;
            }
            buffer = Vec::with_capacity(64 * 1024);
        }
    });
    response
}

wasip3::http::service::export!(HttpService);
