//! The page at `/`: lists the exports and renders a form for each from the OpenAPI
//! document. Plain files embedded in the binary: no build step, nothing from a CDN.

use http::{HeaderValue, Response, header};

use crate::body::{Body, full};

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/page.js");
const STYLE: &str = include_str!("page/page.css");

/// `GET /`.
pub fn index() -> Response<Body> {
    asset(INDEX, "text/html; charset=utf-8")
}

/// `GET /page.js`.
pub fn script() -> Response<Body> {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /page.css`.
pub fn style() -> Response<Body> {
    asset(STYLE, "text/css; charset=utf-8")
}

fn asset(text: &'static str, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(full(text));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The page only talks to this server.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self'; script-src 'self'"),
    );
    response
}
