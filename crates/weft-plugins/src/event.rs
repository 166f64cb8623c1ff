//! The records of `example:plugin-system`'s `hooks` and `plugin` interfaces as Rust
//! types, lifted and lowered by wasmtime directly (no `Val`s on the hot path), and the
//! JSON line form `weft plugins run` reads and writes.

use serde_json::{Map, Value, json};
use wasmtime::component::{ComponentType, Lift, Lower};

/// Something that happened in the host (`hooks.event`).
#[derive(ComponentType, Lift, Lower, Clone, Debug, PartialEq, Eq)]
#[component(record)]
pub struct Event {
    /// What happened, e.g. `http.request`.
    #[component(name = "event-type")]
    pub event_type: String,
    /// The event's data; for `http.request`, a JSON object of request headers.
    pub payload: Vec<u8>,
    /// When it happened, in milliseconds since the Unix epoch.
    pub timestamp: u64,
}

/// What a plugin did with an event (`hooks.hook-result`).
#[derive(ComponentType, Lift, Lower, Clone, Debug, PartialEq, Eq)]
#[component(record)]
pub struct HookResult {
    /// The plugin answered the event itself; later plugins do not see it.
    pub handled: bool,
    /// A replacement payload for later plugins and the host.
    #[component(name = "modified-payload")]
    pub modified_payload: Option<Vec<u8>>,
    /// The answer, when `handled`.
    pub response: Option<String>,
}

/// A plugin's description (`plugin.plugin-info`).
#[derive(ComponentType, Lift, Lower, Clone, Debug, PartialEq, Eq)]
#[component(record)]
pub struct PluginInfo {
    /// Short name.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// Who wrote it.
    pub author: String,
    /// What it does.
    pub description: String,
}

/// Why a JSON line is not an event.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EventJsonError(String);

impl Event {
    /// Reads the JSON form of `hooks.event` (docs/values.md): an object with
    /// `event-type`, `payload` and `timestamp`. `payload` is a list of bytes, or a string
    /// taken as its UTF-8 bytes; `timestamp` may be left out for "now".
    pub fn from_json(line: &str) -> Result<Event, EventJsonError> {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| EventJsonError(format!("the line is not JSON: {e}")))?;
        let Value::Object(mut object) = value else {
            return Err(EventJsonError(
                "an event is a JSON object with `event-type`, `payload` and `timestamp`".into(),
            ));
        };
        if let Some(key) = object
            .keys()
            .find(|k| !["event-type", "payload", "timestamp"].contains(&k.as_str()))
        {
            return Err(EventJsonError(format!(
                "unknown event field `{key}`; an event has `event-type`, `payload` and `timestamp`"
            )));
        }
        let event_type = match object.remove("event-type") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(EventJsonError("`event-type` must be a string".into())),
            None => return Err(EventJsonError("the event has no `event-type`".into())),
        };
        let payload = match object.remove("payload") {
            None => Vec::new(),
            Some(Value::String(s)) => s.into_bytes(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_u64()
                        .and_then(|b| u8::try_from(b).ok())
                        .ok_or_else(|| {
                            EventJsonError(format!(
                                "`payload[{i}]` is {item}, not a byte (0 to 255)"
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(EventJsonError(
                    "`payload` must be a string (its UTF-8 bytes) or a list of bytes".into(),
                ));
            }
        };
        let timestamp = match object.remove("timestamp") {
            None => now_ms(),
            Some(value) => value.as_u64().ok_or_else(|| {
                EventJsonError(format!(
                    "`timestamp` is {value}, not milliseconds since the Unix epoch (a u64)"
                ))
            })?,
        };
        Ok(Event {
            event_type,
            payload,
            timestamp,
        })
    }
}

/// Bytes as JSON: a string when they are valid UTF-8, else a list of bytes.
pub fn bytes_json(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(text.to_string()),
        Err(_) => json!(bytes),
    }
}

impl PluginInfo {
    /// The JSON form of the record.
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), json!(self.name));
        object.insert("version".into(), json!(self.version));
        object.insert("author".into(), json!(self.author));
        object.insert("description".into(), json!(self.description));
        Value::Object(object)
    }
}

/// The wall clock in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_a_string_or_bytes() {
        let event =
            Event::from_json(r#"{"event-type": "t", "payload": "hi", "timestamp": 5}"#).unwrap();
        assert_eq!(event.payload, b"hi");
        assert_eq!(event.timestamp, 5);
        let event = Event::from_json(r#"{"event-type": "t", "payload": [104, 105]}"#).unwrap();
        assert_eq!(event.payload, b"hi");
        assert!(event.timestamp > 0);
    }

    #[test]
    fn bad_events_say_what_is_wrong() {
        let cases = [
            ("{", "not JSON"),
            ("[1]", "JSON object"),
            (r#"{"payload": "x"}"#, "no `event-type`"),
            (r#"{"event-type": 1}"#, "must be a string"),
            (
                r#"{"event-type": "t", "payload": [1, 300]}"#,
                "`payload[1]` is 300",
            ),
            (
                r#"{"event-type": "t", "timestamp": -1}"#,
                "`timestamp` is -1",
            ),
            (
                r#"{"event-type": "t", "paylod": "x"}"#,
                "unknown event field `paylod`",
            ),
        ];
        for (line, expected) in cases {
            let message = Event::from_json(line).unwrap_err().to_string();
            assert!(message.contains(expected), "{line}: {message}");
        }
    }

    #[test]
    fn bytes_are_text_when_they_can_be() {
        assert_eq!(bytes_json(b"ok"), json!("ok"));
        assert_eq!(bytes_json(&[0xff, 0]), json!([255, 0]));
    }
}
