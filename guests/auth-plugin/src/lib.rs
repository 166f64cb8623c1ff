//! The seed's auth plugin (`example:plugin-system@1.0.0`, world `plugin-impl`).
//!
//! For `http.request` events, whose payload is a JSON object of request headers, the
//! handler checks `Authorization: Bearer <JWT>`: an HS256 signature with the configured
//! secret, then `exp` and `nbf` against the wall clock (`wasi:clocks`, through
//! `std::time::SystemTime`), then the optional issuer and audience. Every failure is its
//! own `401` response with `handled = true`; a valid token passes the event on
//! (`handled = false`), adding an `x-auth-subject` header when the token has a `sub`.
//! Other event types pass untouched.
//!
//! Config: the secret itself, or a JSON object
//! `{"secret": "...", "leeway": 0, "issuer": "...", "audience": "...", "require-exp": true}`
//! (`leeway` in seconds, default 0; `issuer`/`audience` unchecked when absent; `require-exp`
//! defaults to true, so a token without `exp` is refused).

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/plugin-system",
        world: "example:plugin-system/plugin-impl@1.0.0",
    });
}

use bindings::exports::example::plugin_system::plugin::{
    Event, Guest, GuestHandler, HookResult, PluginInfo,
};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// The component's export implementation.
struct AuthPlugin;

impl Guest for AuthPlugin {
    type Handler = AuthHandler;
}

/// A configured handler; a bad config is reported by every `on-event` call, because the
/// constructor cannot fail in this interface.
pub struct AuthHandler {
    config: Result<Config, String>,
}

/// What a token is checked against.
struct Config {
    key: DecodingKey,
    validation: Validation,
}

impl Config {
    fn parse(config: &str) -> Result<Config, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_nbf = true;
        validation.leeway = 0;
        // Without an expected audience, a token's `aud` claim is not checked.
        validation.validate_aud = false;
        let secret = if config.trim_start().starts_with('{') {
            let object: Map<String, Value> = serde_json::from_str(config)
                .map_err(|e| format!("config is not a valid JSON object: {e}"))?;
            for key in object.keys() {
                if !["secret", "leeway", "issuer", "audience", "require-exp"]
                    .contains(&key.as_str())
                {
                    return Err(format!(
                        "unknown config key `{key}`: expected secret, leeway, issuer, audience or require-exp"
                    ));
                }
            }
            if let Some(leeway) = object.get("leeway") {
                validation.leeway = leeway
                    .as_u64()
                    .ok_or("`leeway` must be a whole number of seconds")?;
            }
            if let Some(issuer) = object.get("issuer") {
                let issuer = issuer.as_str().ok_or("`issuer` must be a string")?;
                validation.set_issuer(&[issuer]);
            }
            if let Some(audience) = object.get("audience") {
                let audience = audience.as_str().ok_or("`audience` must be a string")?;
                validation.set_audience(&[audience]);
                validation.validate_aud = true;
            }
            match object.get("require-exp") {
                None | Some(Value::Bool(true)) => {}
                Some(Value::Bool(false)) => {
                    validation.required_spec_claims.remove("exp");
                }
                Some(_) => return Err("`require-exp` must be true or false".to_owned()),
            }
            object
                .get("secret")
                .and_then(Value::as_str)
                .ok_or("config needs a string `secret`")?
                .to_owned()
        } else {
            config.to_owned()
        };
        if secret.is_empty() {
            return Err("the secret is empty".to_owned());
        }
        Ok(Config {
            key: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        })
    }
}

/// A result that stops the event with `response`.
fn reject(response: &str) -> HookResult {
    HookResult {
        handled: true,
        modified_payload: None,
        response: Some(response.to_owned()),
    }
}

/// A result that lets the event through, possibly with a new payload.
fn pass(modified_payload: Option<Vec<u8>>) -> HookResult {
    HookResult {
        handled: false,
        modified_payload,
        response: None,
    }
}

/// The value of header `name` (compared case-insensitively, as HTTP does).
fn header<'a>(headers: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

impl AuthHandler {
    fn check_request(&self, payload: &[u8]) -> Result<HookResult, String> {
        let config = self.config.as_ref().map_err(Clone::clone)?;
        let mut headers: Map<String, Value> = serde_json::from_slice(payload)
            .map_err(|e| format!("http.request payload must be a JSON object of headers: {e}"))?;
        let Some(authorization) = header(&headers, "authorization") else {
            return Ok(reject("401 Missing Authorization header"));
        };
        let Some(authorization) = authorization.as_str() else {
            return Ok(reject("401 Malformed Authorization header: not a string"));
        };
        let Some(token) = authorization
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
        else {
            return Ok(reject("401 Authorization scheme must be Bearer"));
        };
        let claims = match jsonwebtoken::decode::<Map<String, Value>>(
            token,
            &config.key,
            &config.validation,
        ) {
            Ok(data) => data.claims,
            Err(e) => return Ok(reject(&rejection(&e))),
        };
        match claims.get("sub").and_then(Value::as_str) {
            Some(subject) => {
                headers.insert("x-auth-subject".to_owned(), subject.into());
                let payload = serde_json::to_vec(&headers).map_err(|e| e.to_string())?;
                Ok(pass(Some(payload)))
            }
            None => Ok(pass(None)),
        }
    }
}

/// The `401` response for a token that failed verification.
fn rejection(error: &jsonwebtoken::errors::Error) -> String {
    match error.kind() {
        // The seed's own response for a token that does not verify.
        ErrorKind::InvalidSignature => "401 Unauthorized".to_owned(),
        ErrorKind::ExpiredSignature => "401 Token expired".to_owned(),
        ErrorKind::ImmatureSignature => "401 Token not yet valid".to_owned(),
        ErrorKind::InvalidAlgorithm => "401 Token algorithm not accepted: HS256 only".to_owned(),
        ErrorKind::MissingRequiredClaim(claim) => {
            format!("401 Token lacks the required `{claim}` claim")
        }
        ErrorKind::InvalidIssuer => "401 Token issuer not accepted".to_owned(),
        ErrorKind::InvalidAudience => "401 Token audience not accepted".to_owned(),
        _ => format!("401 Malformed token: {error}"),
    }
}

impl GuestHandler for AuthHandler {
    fn new(config: String) -> Self {
        AuthHandler {
            config: Config::parse(&config).map_err(|e| format!("invalid auth-plugin config: {e}")),
        }
    }

    fn on_event(&self, event: Event) -> Result<HookResult, String> {
        match event.event_type.as_str() {
            "http.request" => self.check_request(&event.payload),
            _ => Ok(pass(None)),
        }
    }

    fn metadata(&self) -> PluginInfo {
        PluginInfo {
            name: "auth-plugin".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            author: "weft".to_owned(),
            description: "JWT (HS256) authentication middleware for http.request events".to_owned(),
        }
    }
}

bindings::export!(AuthPlugin with_types_in bindings);
