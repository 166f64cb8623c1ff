//! `guests/rate-limit` (world `example:plugin-system/filtered-plugin-impl@1.1.0`): a token
//! bucket per client key, timed by the events' own timestamps so the test controls the
//! clock, and an `event-filter` that asks for `http.request` events only.

mod common;

use anyhow::Result;
use common::{bytes_json, call, handle, json_bytes, ok, session};
use serde_json::{Value, json};
use weft_runtime::Session;

fn request(session: &mut Session, handler: &str, headers: Value, at_ms: u64) -> Result<Value> {
    let event = json!({
        "event-type": "http.request",
        "payload": bytes_json(headers.to_string().as_bytes()),
        "timestamp": at_ms,
    });
    ok(call(
        session,
        &format!("{handler}.on-event"),
        json!([event]),
    )?)
}

/// `Some(remaining)` for a request that passed, `None` for one refused with 429.
fn outcome(result: &Value) -> Result<Option<u64>> {
    if result["handled"] == json!(true) {
        let response = result["response"].as_str().expect("a response");
        assert!(response.starts_with("429 Too Many Requests"), "{response}");
        return Ok(None);
    }
    let headers: Value = serde_json::from_slice(&json_bytes(&result["modified-payload"])?)?;
    Ok(Some(
        headers["x-ratelimit-remaining"]
            .as_str()
            .expect("remaining")
            .parse()?,
    ))
}

#[test]
fn each_client_has_its_own_bucket() -> Result<()> {
    let mut session = session(weft_test_guests::RATE_LIMIT)?;
    let config = json!({"capacity": 3, "refill-per-second": 0.5}).to_string();
    let handler = handle(call(&mut session, "handler", json!([config]))?)?;
    let ada = || json!({"X-Client-Id": "ada"});
    let t0 = 1_700_000_000_000;
    let mut seen = Vec::new();
    for i in 0..4 {
        seen.push(outcome(&request(&mut session, &handler, ada(), t0 + i)?)?);
    }
    assert_eq!(seen, vec![Some(2), Some(1), Some(0), None]);
    let refused = request(&mut session, &handler, ada(), t0 + 10)?;
    // Half a token per second: the next token is 2 s away.
    assert_eq!(
        refused["response"],
        json!("429 Too Many Requests: retry after 2 s")
    );

    // Another client is not affected; requests without the header share one bucket.
    assert_eq!(
        outcome(&request(
            &mut session,
            &handler,
            json!({"x-client-id": "grace"}),
            t0 + 20
        )?)?,
        Some(2)
    );
    assert_eq!(
        outcome(&request(&mut session, &handler, json!({}), t0 + 30)?)?,
        Some(2)
    );
    assert_eq!(
        outcome(&request(&mut session, &handler, json!({}), t0 + 40)?)?,
        Some(1)
    );

    // 2 s later Ada has one token again, and never more than the capacity.
    assert_eq!(
        outcome(&request(&mut session, &handler, ada(), t0 + 2_010)?)?,
        Some(0)
    );
    assert_eq!(
        outcome(&request(&mut session, &handler, ada(), t0 + 3_600_000)?)?,
        Some(2)
    );
    Ok(())
}

#[test]
fn config_and_other_events() -> Result<()> {
    let mut session = session(weft_test_guests::RATE_LIMIT)?;
    let handler = handle(call(
        &mut session,
        "handler",
        json!([r#"{"key-header": "x-api-key", "capacity": 1}"#]),
    )?)?;
    assert_eq!(
        outcome(&request(
            &mut session,
            &handler,
            json!({"x-api-key": "k1"}),
            0
        )?)?,
        Some(0)
    );
    assert_eq!(
        outcome(&request(
            &mut session,
            &handler,
            json!({"x-api-key": "k1"}),
            1
        )?)?,
        None
    );
    assert_eq!(
        outcome(&request(
            &mut session,
            &handler,
            json!({"x-api-key": "k2"}),
            2
        )?)?,
        Some(0)
    );

    let event = json!({"event-type": "timer.tick", "payload": [], "timestamp": 0});
    let result = ok(call(
        &mut session,
        &format!("{handler}.on-event"),
        json!([event]),
    )?)?;
    assert_eq!(
        result,
        json!({"handled": false, "modified-payload": null, "response": null})
    );

    let broken = handle(call(
        &mut session,
        "handler",
        json!([r#"{"capacity": 0}"#]),
    )?)?;
    let event = json!({"event-type": "http.request", "payload": bytes_json(b"{}"), "timestamp": 0});
    let message = common::err(call(
        &mut session,
        &format!("{broken}.on-event"),
        json!([event]),
    )?)?;
    assert!(
        message.contains("`capacity` must be a whole number of at least 1"),
        "{message}"
    );

    let info = call(&mut session, &format!("{handler}.metadata"), json!([]))?;
    assert_eq!(info["name"], json!("rate-limit"));
    Ok(())
}

#[test]
fn wants_only_http_requests() -> Result<()> {
    let mut session = session(weft_test_guests::RATE_LIMIT)?;
    assert_eq!(
        call(&mut session, "wanted-events", json!([""]))?,
        json!(["http.request"])
    );
    // The config does not change it: every handler limits `http.request` and nothing else.
    let config = json!({"capacity": 1, "key-header": "x-api-key"}).to_string();
    assert_eq!(
        call(&mut session, "wanted-events", json!([config]))?,
        json!(["http.request"])
    );
    Ok(())
}
