//! RFC 9457 problem reports: every error weft itself answers with, so a client reads the
//! same fields (`type`, `title`, `status`, `detail`) whatever went wrong.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::body::{Body, full};

/// One problem report (boxed: it travels in every `Err`).
#[derive(Debug, Clone)]
pub struct Problem(Box<Report>);

#[derive(Debug, Clone)]
struct Report {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    extra: serde_json::Map<String, Value>,
}

impl Problem {
    /// A problem of `kind` (the last part of its `type` URI) with a fixed `title` and a
    /// `detail` specific to this occurrence.
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem(Box::new(Report {
            status,
            kind,
            title,
            detail: detail.into(),
            extra: serde_json::Map::new(),
        }))
    }

    /// Adds an extension member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Problem {
        self.0.extra.insert(key.to_string(), value.into());
        self
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// What happened, in words.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }

    /// The response for the request to `instance`.
    pub fn response(self, instance: &str) -> Response<Body> {
        let report = *self.0;
        // RFC 9110 §15.5.6: a 405 names the methods the route takes in `Allow`.
        let allow = match (report.status, report.extra.get("allow")) {
            (StatusCode::METHOD_NOT_ALLOWED, Some(Value::String(methods))) => {
                HeaderValue::from_str(methods).ok()
            }
            _ => None,
        };
        let mut body = json!({
            "type": format!("urn:weft:problem:{}", report.kind),
            "title": report.title,
            "status": report.status.as_u16(),
            "detail": report.detail,
            "instance": instance,
        });
        body.as_object_mut()
            .expect("a JSON object")
            .extend(report.extra);
        let mut response = Response::new(full(Bytes::from(body.to_string())));
        *response.status_mut() = report.status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_405_names_the_allowed_methods_in_its_allow_header() {
        let response = Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "t",
            "d",
        )
        .with("allow", "GET, DELETE")
        .response("/sessions/x");
        assert_eq!(response.headers()[header::ALLOW], "GET, DELETE");
        let other = Problem::new(StatusCode::NOT_FOUND, "no-route", "t", "d")
            .with("allow", "GET")
            .response("/x");
        assert!(other.headers().get(header::ALLOW).is_none());
    }
}
