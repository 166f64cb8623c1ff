//! A rate-limit plugin (`example:plugin-system@1.1.0`, world `filtered-plugin-impl`): a
//! token bucket per client, so hosts have a second, different plugin to chain with
//! `auth-plugin`.
//!
//! It is the 1.1.0 example: besides `plugin` it exports `event-filter`, whose
//! `wanted-events` returns `["http.request"]` for any config, the only event type it acts
//! on, so a 1.1.0 host need not send it the others. A host that never looks for
//! `event-filter` (one written for 1.0.0) sends it everything; the others still pass
//! untouched.
//!
//! For `http.request` events (payload: a JSON object of request headers) the client key is
//! the value of the configured header (default `x-client-id`, matched case-insensitively);
//! requests without it share one anonymous bucket. Each bucket holds up to `capacity`
//! tokens and refills at `refill-per-second`, measured with the events' own `timestamp`
//! (milliseconds), so the limit follows the host's clock and is reproducible. A request
//! takes one token: with a token left it passes, its payload gaining an
//! `x-ratelimit-remaining` header; without, it is answered `429` with the seconds until the
//! next token. Other event types pass untouched.
//!
//! Config: empty for the defaults, or a JSON object
//! `{"capacity": 10, "refill-per-second": 1.0, "key-header": "x-client-id"}`.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/plugin-system-1.1",
        world: "example:plugin-system/filtered-plugin-impl@1.1.0",
    });
}

use std::cell::RefCell;
use std::collections::HashMap;

use bindings::exports::example::plugin_system::event_filter;
use bindings::exports::example::plugin_system::plugin::{
    Event, Guest, GuestHandler, HookResult, PluginInfo,
};
use serde_json::{Map, Value};

/// The component's export implementation.
struct RateLimitPlugin;

impl Guest for RateLimitPlugin {
    type Handler = RateLimitHandler;
}

impl event_filter::Guest for RateLimitPlugin {
    /// Only `http.request`, whatever the config: no config key changes which events are
    /// limited, and every other event type would pass untouched anyway.
    fn wanted_events(_config: String) -> Vec<String> {
        vec![REQUEST_EVENT.to_owned()]
    }
}

/// The one event type the plugin acts on.
const REQUEST_EVENT: &str = "http.request";

/// Buckets beyond this many are swept of the ones that have refilled completely (a full
/// bucket is the same as no bucket), so one-off clients do not grow memory forever.
const SWEEP_ABOVE: usize = 10_000;

/// A configured handler and its buckets.
pub struct RateLimitHandler {
    config: Result<Config, String>,
    buckets: RefCell<HashMap<String, Bucket>>,
}

/// The limit's parameters.
struct Config {
    capacity: f64,
    refill_per_ms: f64,
    key_header: String,
}

/// One client's bucket.
#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// The event timestamp (ms) `tokens` was computed at.
    updated_ms: u64,
}

impl Config {
    fn parse(config: &str) -> Result<Config, String> {
        let mut parsed = Config {
            capacity: 10.0,
            refill_per_ms: 1.0 / 1000.0,
            key_header: "x-client-id".to_owned(),
        };
        if config.trim().is_empty() {
            return Ok(parsed);
        }
        let object: Map<String, Value> = serde_json::from_str(config)
            .map_err(|e| format!("config is not a valid JSON object: {e}"))?;
        for (key, value) in &object {
            match key.as_str() {
                "capacity" => {
                    parsed.capacity = value
                        .as_u64()
                        .filter(|&c| c >= 1)
                        .ok_or("`capacity` must be a whole number of at least 1")?
                        as f64;
                }
                "refill-per-second" => {
                    let rate = value
                        .as_f64()
                        .filter(|r| r.is_finite() && *r > 0.0)
                        .ok_or("`refill-per-second` must be a positive number")?;
                    parsed.refill_per_ms = rate / 1000.0;
                }
                "key-header" => {
                    parsed.key_header = value
                        .as_str()
                        .filter(|h| !h.is_empty())
                        .ok_or("`key-header` must be a non-empty string")?
                        .to_owned();
                }
                other => {
                    return Err(format!(
                        "unknown config key `{other}`: expected capacity, refill-per-second or key-header"
                    ));
                }
            }
        }
        Ok(parsed)
    }
}

impl Bucket {
    /// The bucket refilled up to `now_ms`; a timestamp earlier than the last one refills
    /// nothing (events may arrive slightly out of order).
    fn refilled(self, now_ms: u64, config: &Config) -> Bucket {
        let elapsed = now_ms.saturating_sub(self.updated_ms) as f64;
        Bucket {
            tokens: (self.tokens + elapsed * config.refill_per_ms).min(config.capacity),
            updated_ms: self.updated_ms.max(now_ms),
        }
    }
}

/// The value of header `name` (compared case-insensitively, as HTTP does).
fn header<'a>(headers: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

impl RateLimitHandler {
    fn check_request(&self, event: &Event) -> Result<HookResult, String> {
        let config = self.config.as_ref().map_err(Clone::clone)?;
        let mut headers: Map<String, Value> = serde_json::from_slice(&event.payload)
            .map_err(|e| format!("http.request payload must be a JSON object of headers: {e}"))?;
        let key = match header(&headers, &config.key_header) {
            None => String::new(),
            Some(Value::String(key)) => key.clone(),
            Some(other) => other.to_string(),
        };
        let now = event.timestamp;
        let mut buckets = self.buckets.borrow_mut();
        if buckets.len() > SWEEP_ABOVE {
            buckets.retain(|_, bucket| bucket.refilled(now, config).tokens < config.capacity);
        }
        let bucket = buckets
            .get(&key)
            .map(|bucket| bucket.refilled(now, config))
            .unwrap_or(Bucket {
                tokens: config.capacity,
                updated_ms: now,
            });
        if bucket.tokens >= 1.0 {
            let remaining = bucket.tokens - 1.0;
            buckets.insert(
                key,
                Bucket {
                    tokens: remaining,
                    ..bucket
                },
            );
            headers.insert(
                "x-ratelimit-remaining".to_owned(),
                (remaining.floor() as u64).to_string().into(),
            );
            let payload = serde_json::to_vec(&headers).map_err(|e| e.to_string())?;
            Ok(HookResult {
                handled: false,
                modified_payload: Some(payload),
                response: None,
            })
        } else {
            buckets.insert(key, bucket);
            let wait_ms = (1.0 - bucket.tokens) / config.refill_per_ms;
            let retry_after = (wait_ms / 1000.0).ceil().max(1.0) as u64;
            Ok(HookResult {
                handled: true,
                modified_payload: None,
                response: Some(format!(
                    "429 Too Many Requests: retry after {retry_after} s"
                )),
            })
        }
    }
}

impl GuestHandler for RateLimitHandler {
    fn new(config: String) -> Self {
        RateLimitHandler {
            config: Config::parse(&config).map_err(|e| format!("invalid rate-limit config: {e}")),
            buckets: RefCell::new(HashMap::new()),
        }
    }

    fn on_event(&self, event: Event) -> Result<HookResult, String> {
        match event.event_type.as_str() {
            REQUEST_EVENT => self.check_request(&event),
            _ => Ok(HookResult {
                handled: false,
                modified_payload: None,
                response: None,
            }),
        }
    }

    fn metadata(&self) -> PluginInfo {
        PluginInfo {
            name: "rate-limit".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            author: "weft".to_owned(),
            description: "Token-bucket rate limit per client key for http.request events"
                .to_owned(),
        }
    }
}

bindings::export!(RateLimitPlugin with_types_in bindings);
