//! The one response body type every route answers with.

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};

/// Why a response body stopped: a guest's stream failing, or a host error.
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// A response body: a whole buffer, or a guest's streamed `wasi:http` body.
pub type Body = UnsyncBoxBody<Bytes, BodyError>;

/// A body holding `bytes`.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}
