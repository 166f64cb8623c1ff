//! The http-echo component: a `wasi:http/proxy@0.2.12` handler for `weft serve` tests.
//!
//! It answers 200 with the request body streamed back, the request's `content-type` (if any),
//! `x-echo-method` and `x-echo-path` (path with query). Special paths: `/trap` panics (the
//! host should answer 500), `/spin` loops forever (for timeouts) and `/env?name=X` answers
//! the value of the environment variable X, or 404 when it is not set.

use std::io::Write as _;

use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

/// The component's export implementation.
struct HttpEcho;

impl Guest for HttpEcho {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        match path.split_once('?').map_or(path.as_str(), |(p, _)| p) {
            "/trap" => panic!("http-echo: trap requested"),
            "/spin" => loop {
                std::hint::spin_loop();
            },
            "/env" => {
                let query = path.split_once('?').map_or("", |(_, q)| q);
                let name = query.split('&').find_map(|kv| kv.strip_prefix("name="));
                match std::env::var(name.unwrap_or_default()) {
                    Ok(value) => respond(response_out, 200, value.as_bytes()),
                    Err(_) => respond(response_out, 404, b"not set\n"),
                }
            }
            _ => echo(request, response_out, &path),
        }
    }
}

/// Answers `status` with a `text/plain` body.
fn respond(response_out: ResponseOutparam, status: u16, text: &[u8]) {
    let headers = Fields::from_list(&[("content-type".into(), b"text/plain".to_vec())])
        .expect("valid header");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(status).expect("valid status");
    let body = response.body().expect("first call to body");
    ResponseOutparam::set(response_out, Ok(response));
    let mut out = body.write().expect("first call to write");
    out.write_all(text).expect("write body");
    out.flush().expect("flush body");
    drop(out);
    OutgoingBody::finish(body, None).expect("finish body");
}

/// Answers 200 with the request's body, streamed through, and its method and path as headers.
fn echo(request: IncomingRequest, response_out: ResponseOutparam, path: &str) {
    let method = match request.method() {
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
    let mut entries = vec![
        ("x-echo-method".to_string(), method.into_bytes()),
        ("x-echo-path".to_string(), path.as_bytes().to_vec()),
    ];
    for value in request.headers().get("content-type") {
        entries.push(("content-type".to_string(), value));
    }
    let response = OutgoingResponse::new(Fields::from_list(&entries).expect("valid headers"));
    let body = response.body().expect("first call to body");
    ResponseOutparam::set(response_out, Ok(response));

    let incoming = request.consume().expect("first call to consume");
    let mut input = incoming.stream().expect("first call to stream");
    let mut out = body.write().expect("first call to write");
    std::io::copy(&mut input, &mut out).expect("copy body");
    out.flush().expect("flush body");
    // Child resources go before their parents.
    drop(out);
    drop(input);
    IncomingBody::finish(incoming);
    OutgoingBody::finish(body, None).expect("finish body");
}

wasip2::http::proxy::export!(HttpEcho);
