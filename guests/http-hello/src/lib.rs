//! The http-hello component: a `wasi:http/proxy@0.2.12` handler answering every request with
//! 200, `content-type: text/plain` and `Hello, world!\n`. It is the `weft serve` benchmark
//! guest, so it does nothing else.

use std::io::Write as _;

use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

/// The component's export implementation.
struct HttpHello;

impl Guest for HttpHello {
    fn handle(_request: IncomingRequest, response_out: ResponseOutparam) {
        let headers = Fields::from_list(&[("content-type".into(), b"text/plain".to_vec())])
            .expect("valid header");
        let response = OutgoingResponse::new(headers);
        let body = response.body().expect("first call to body");
        ResponseOutparam::set(response_out, Ok(response));
        let mut out = body.write().expect("first call to write");
        out.write_all(b"Hello, world!\n").expect("write body");
        out.flush().expect("flush body");
        drop(out);
        OutgoingBody::finish(body, None).expect("finish body");
    }
}

wasip2::http::proxy::export!(HttpHello);
