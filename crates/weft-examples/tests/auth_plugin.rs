//! `guests/auth-plugin` (world `example:plugin-system/plugin-impl`): HS256 JWTs minted
//! by `weft_test_guests::mint_jwt`, checked by the component for signature, `exp` and `nbf`, each
//! failure with its own response.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use common::{bytes_json, call, handle, json_bytes, ok, session};
use serde_json::{Value, json};
use weft_runtime::Session;

const SECRET: &str = "correct horse battery staple";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// A JWT over `claims`, signed with HMAC-SHA256 under `secret`, with header `alg`.
fn mint_with_alg(claims: &Value, secret: &str, alg: &str) -> String {
    weft_test_guests::mint_jwt(&claims.to_string(), secret, alg)
}

fn mint(claims: &Value, secret: &str) -> String {
    mint_with_alg(claims, secret, "HS256")
}

fn new_handler(session: &mut Session, config: &str) -> Result<String> {
    handle(call(session, "handler", json!([config]))?)
}

/// Sends an `http.request` with `headers` and returns the hook result.
fn request(session: &mut Session, handler: &str, headers: &Value) -> Result<Value> {
    let event = json!({
        "event-type": "http.request",
        "payload": bytes_json(headers.to_string().as_bytes()),
        "timestamp": now() * 1000,
    });
    call(session, &format!("{handler}.on-event"), json!([event]))
}

fn bearer(token: &str) -> Value {
    json!({"Authorization": format!("Bearer {token}"), "host": "example.com"})
}

/// The response of a result that stopped the request.
fn rejected(result: Value) -> Result<String> {
    let result = ok(result)?;
    assert_eq!(result["handled"], json!(true), "{result}");
    Ok(result["response"].as_str().expect("a response").to_owned())
}

#[test]
fn a_valid_token_passes_and_names_its_subject() -> Result<()> {
    let mut session = session(weft_test_guests::AUTH_PLUGIN)?;
    let handler = new_handler(&mut session, SECRET)?;
    let token = mint(
        &json!({"sub": "ada", "exp": now() + 600, "nbf": now() - 10}),
        SECRET,
    );
    let result = ok(request(&mut session, &handler, &bearer(&token))?)?;
    assert_eq!(result["handled"], json!(false));
    assert_eq!(result["response"], Value::Null);
    let headers: Value = serde_json::from_slice(&json_bytes(&result["modified-payload"])?)?;
    assert_eq!(headers["x-auth-subject"], json!("ada"));
    assert_eq!(headers["host"], json!("example.com"));
    // Without `sub` the payload is left alone; the header name is case-insensitive.
    let token = mint(&json!({"exp": now() + 600}), SECRET);
    let result = ok(request(
        &mut session,
        &handler,
        &json!({"authorization": format!("bearer {token}")}),
    )?)?;
    assert_eq!(
        result,
        json!({"handled": false, "modified-payload": null, "response": null})
    );
    Ok(())
}

#[test]
fn each_failure_has_its_own_response() -> Result<()> {
    let mut session = session(weft_test_guests::AUTH_PLUGIN)?;
    let handler = new_handler(&mut session, SECRET)?;
    let t = now();
    let cases = [
        (
            json!({"host": "example.com"}),
            "401 Missing Authorization header",
        ),
        (
            json!({"Authorization": "Basic YWRhOnB3"}),
            "401 Authorization scheme must be Bearer",
        ),
        (bearer("not-a-jwt"), "401 Malformed token"),
        (
            bearer(&mint(&json!({"exp": t + 600}), "wrong secret")),
            "401 Unauthorized",
        ),
        (
            bearer(&mint(&json!({"exp": t - 60}), SECRET)),
            "401 Token expired",
        ),
        (
            bearer(&mint(&json!({"exp": t + 7200, "nbf": t + 3600}), SECRET)),
            "401 Token not yet valid",
        ),
        (
            bearer(&mint(&json!({"sub": "ada"}), SECRET)),
            "401 Token lacks the required `exp` claim",
        ),
        (
            bearer(&mint_with_alg(&json!({"exp": t + 600}), SECRET, "HS512")),
            "401 Token algorithm not accepted: HS256 only",
        ),
    ];
    for (headers, expected) in cases {
        let response = rejected(request(&mut session, &handler, &headers)?)?;
        assert!(
            response.starts_with(expected),
            "{headers}: got {response:?}, expected {expected:?}"
        );
    }
    // A forged signature is refused before its claims are looked at.
    let expired_and_forged = mint(&json!({"exp": t - 60}), "wrong secret");
    let response = rejected(request(
        &mut session,
        &handler,
        &bearer(&expired_and_forged),
    )?)?;
    assert_eq!(response, "401 Unauthorized");
    Ok(())
}

#[test]
fn json_config_sets_issuer_audience_and_leeway() -> Result<()> {
    let mut session = session(weft_test_guests::AUTH_PLUGIN)?;
    let config =
        json!({"secret": SECRET, "issuer": "weft", "audience": "api", "leeway": 120}).to_string();
    let handler = new_handler(&mut session, &config)?;
    let t = now();
    let good = mint(&json!({"iss": "weft", "aud": "api", "exp": t - 60}), SECRET);
    let result = ok(request(&mut session, &handler, &bearer(&good))?)?;
    assert_eq!(
        result["handled"],
        json!(false),
        "expired 60 s ago is within 120 s of leeway"
    );
    let wrong_issuer = mint(
        &json!({"iss": "else", "aud": "api", "exp": t + 600}),
        SECRET,
    );
    assert_eq!(
        rejected(request(&mut session, &handler, &bearer(&wrong_issuer))?)?,
        "401 Token issuer not accepted"
    );
    let wrong_audience = mint(
        &json!({"iss": "weft", "aud": "web", "exp": t + 600}),
        SECRET,
    );
    assert_eq!(
        rejected(request(&mut session, &handler, &bearer(&wrong_audience))?)?,
        "401 Token audience not accepted"
    );

    let lenient = new_handler(
        &mut session,
        &json!({"secret": SECRET, "require-exp": false}).to_string(),
    )?;
    let no_exp = mint(&json!({"sub": "ada"}), SECRET);
    assert_eq!(
        ok(request(&mut session, &lenient, &bearer(&no_exp))?)?["handled"],
        json!(false)
    );
    Ok(())
}

#[test]
fn other_events_pass_and_bad_input_is_an_error() -> Result<()> {
    let mut session = session(weft_test_guests::AUTH_PLUGIN)?;
    let handler = new_handler(&mut session, SECRET)?;
    let event = json!({"event-type": "user.login", "payload": [1, 2, 3], "timestamp": 0});
    let result = ok(call(
        &mut session,
        &format!("{handler}.on-event"),
        json!([event]),
    )?)?;
    assert_eq!(
        result,
        json!({"handled": false, "modified-payload": null, "response": null})
    );

    let event =
        json!({"event-type": "http.request", "payload": bytes_json(b"not json"), "timestamp": 0});
    let message = common::err(call(
        &mut session,
        &format!("{handler}.on-event"),
        json!([event]),
    )?)?;
    assert!(message.contains("JSON object of headers"), "{message}");

    let broken = new_handler(&mut session, r#"{"secret": ""}"#)?;
    let message = common::err(request(&mut session, &broken, &bearer("x"))?)?;
    assert!(
        message.contains("invalid auth-plugin config: the secret is empty"),
        "{message}"
    );

    let info = call(&mut session, &format!("{handler}.metadata"), json!([]))?;
    assert_eq!(info["name"], json!("auth-plugin"));
    assert_eq!(info["version"], json!(env!("CARGO_PKG_VERSION")));
    Ok(())
}
