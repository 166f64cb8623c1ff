//! wRPC 0.17's NATS scheme: subjects, the reply-inbox handshake, and byte streams ended
//! by an empty message.
//!
//! A call of `func` in `instance` is published on `[prefix.]wrpc.0.0.1.[instance.]func`
//! with the caller's inbox `R_c` as reply subject and the first bytes of the encoded
//! parameters. The server answers on `R_c` with an empty message whose reply subject is
//! its own inbox `R_s`; the caller sends any further parameter bytes on `R_s.params` and
//! ends them with an empty message; the server sends the encoded results on
//! `R_c.results`, ended the same way. There is no error frame: a server that fails ends
//! the results early, and the caller reports the results incomplete.

use std::time::{Duration, Instant};

use async_nats::{Client, Subscriber};
use bytes::Bytes;
use futures::StreamExt;

use crate::FederationError;

/// wRPC's protocol segment of every subject.
const PROTOCOL: &str = "wrpc.0.0.1";

/// The header weft puts on the empty end message of results it could not produce, with
/// the reason. wRPC has no error frame; its peers ignore the header and see the results
/// end early, while weft's callers can say why.
pub const ERROR_HEADER: &str = "weft-error";

/// The most bytes of parameters or results weft accepts for one call.
pub const MAX_CALL_BYTES: usize = 64 << 20;

/// The subject a function is invoked on. `instance` is the full interface name
/// (`example:greeter/greeting@1.0.0`), `None` for a function of the world itself.
pub fn subject(prefix: &str, instance: Option<&str>, func: &str) -> String {
    let mut subject = String::new();
    if !prefix.is_empty() {
        subject.push_str(prefix);
        subject.push('.');
    }
    subject.push_str(PROTOCOL);
    subject.push('.');
    if let Some(instance) = instance.filter(|i| !i.is_empty()) {
        subject.push_str(instance);
        subject.push('.');
    }
    subject.push_str(wire_name(func));
    subject
}

/// A function's name on the wire: its component name without the kind prefix
/// (`[method]counter.get` → `counter.get`, `[constructor]counter` → `counter`).
pub fn wire_name(func: &str) -> &str {
    ["[constructor]", "[method]", "[static]"]
        .iter()
        .find_map(|p| func.strip_prefix(p))
        .unwrap_or(func)
}

/// Reads the byte stream on `subscriber` up to its empty end message, appending to
/// `out`, before `deadline`.
pub(crate) async fn read_stream(
    subscriber: &mut Subscriber,
    out: &mut Vec<u8>,
    deadline: Instant,
    what: &str,
) -> Result<(), FederationError> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = match tokio::time::timeout(left, subscriber.next()).await {
            Err(_) => return Err(FederationError::Timeout(what.to_string())),
            Ok(None) => return Err(FederationError::Closed(what.to_string())),
            Ok(Some(message)) => message,
        };
        if message.payload.is_empty() {
            let failed = message
                .headers
                .as_ref()
                .and_then(|h| h.get(ERROR_HEADER))
                .map(|v| v.as_str().to_string());
            return match failed {
                Some(reason) => Err(FederationError::Remote(reason)),
                None => Ok(()),
            };
        }
        if out.len() + message.payload.len() > MAX_CALL_BYTES {
            return Err(FederationError::TooLarge {
                what: what.to_string(),
                limit: MAX_CALL_BYTES,
            });
        }
        out.extend_from_slice(&message.payload);
    }
}

/// Publishes `bytes` on `subject` in messages of at most `max` bytes, then the empty
/// end message.
pub(crate) async fn write_stream(
    client: &Client,
    subject: String,
    bytes: &[u8],
    max: usize,
) -> Result<(), FederationError> {
    for chunk in bytes.chunks(max.max(1)) {
        client
            .publish(subject.clone(), Bytes::copy_from_slice(chunk))
            .await
            .map_err(FederationError::nats)?;
    }
    client
        .publish(subject, Bytes::new())
        .await
        .map_err(FederationError::nats)?;
    client.flush().await.map_err(FederationError::nats)
}

/// Ends `subject` at once, with `reason` in the [`ERROR_HEADER`].
pub(crate) async fn write_failure(
    client: &Client,
    subject: String,
    reason: &str,
) -> Result<(), FederationError> {
    let mut headers = async_nats::HeaderMap::new();
    // Header values are one line.
    let line: String = reason
        .replace(['\r', '\n'], " ")
        .chars()
        .take(1000)
        .collect();
    headers.insert(ERROR_HEADER, line.as_str());
    client
        .publish_with_headers(subject, headers, Bytes::new())
        .await
        .map_err(FederationError::nats)?;
    client.flush().await.map_err(FederationError::nats)
}

/// One call as the caller makes it: publishes `params` to `subject` and returns the
/// result bytes, or why not, within `timeout`.
pub(crate) async fn invoke(
    client: &Client,
    subject: &str,
    params: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, FederationError> {
    let deadline = Instant::now() + timeout;
    let inbox = client.new_inbox();
    // Both routes exist before the server can send anything.
    let mut handshake = client
        .subscribe(inbox.clone())
        .await
        .map_err(FederationError::nats)?;
    let mut results = client
        .subscribe(format!("{inbox}.results"))
        .await
        .map_err(FederationError::nats)?;
    let max = client.server_info().max_payload;
    let first = params.len().min(max.saturating_sub(inbox.len()));
    client
        .publish_with_reply(
            subject.to_string(),
            inbox.clone(),
            Bytes::copy_from_slice(&params[..first]),
        )
        .await
        .map_err(FederationError::nats)?;
    client.flush().await.map_err(FederationError::nats)?;
    let left = deadline.saturating_duration_since(Instant::now());
    let accepted = match tokio::time::timeout(left, handshake.next()).await {
        Err(_) => return Err(FederationError::Timeout(format!("`{subject}` to answer"))),
        Ok(None) => return Err(FederationError::Closed(format!("the call of `{subject}`"))),
        Ok(Some(message)) => message,
    };
    if let Some(status) = accepted.status {
        return Err(if status == async_nats::StatusCode::NO_RESPONDERS {
            FederationError::NoResponders(subject.to_string())
        } else {
            FederationError::Status {
                subject: subject.to_string(),
                status: status.to_string(),
            }
        });
    }
    let server = accepted.reply.ok_or_else(|| FederationError::Protocol {
        subject: subject.to_string(),
        detail: "the server's answer names no reply subject".to_string(),
    })?;
    write_stream(client, format!("{server}.params"), &params[first..], max).await?;
    let mut out = Vec::new();
    read_stream(
        &mut results,
        &mut out,
        deadline,
        &format!("the results of `{subject}`"),
    )
    .await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_follow_wrpc() {
        assert_eq!(
            subject("default", Some("example:greeter/greeting@1.0.0"), "greet"),
            "default.wrpc.0.0.1.example:greeter/greeting@1.0.0.greet"
        );
        assert_eq!(subject("", None, "hello"), "wrpc.0.0.1.hello");
        assert_eq!(
            subject("a.b", Some("x:y/z"), "[method]counter.get"),
            "a.b.wrpc.0.0.1.x:y/z.counter.get"
        );
        assert_eq!(wire_name("[constructor]counter"), "counter");
        assert_eq!(wire_name("[static]counter.open"), "counter.open");
    }
}
