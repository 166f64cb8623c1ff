//! A hostile plugin in the chain: it loops, hoards memory and traps on request. Each
//! time it is stopped by its own limits, restarted, and the plugins after it answer.

mod common;

use common::*;
use weft_plugins::{PluginStatus, StepOutcome};

/// The hostile plugin first (100 ms, 32 MiB), then auth and rate-limit.
fn hostile_chain(extra: &str) -> String {
    format!(
        r#"{extra}
[[plugin]]
name = "hostile"
path = {hostile}
timeout-ms = 100
max-memory = "32MiB"
{auth_and_rate}"#,
        hostile = guest("hostile-plugin"),
        auth_and_rate = auth_and_rate_limit(100),
    )
}

#[test]
fn a_plugin_that_loops_hoards_or_traps_is_restarted_and_the_others_answer() {
    let (_dir, host) = host(&hostile_chain(""));
    let cases = [
        ("hostile.spin", "deadline of 100ms"),
        ("hostile.hoard", "memory"),
        ("hostile.trap", "the guest aborted"),
    ];
    for (event_type, expected) in cases {
        let mut event = request(&[("host", "example.com")]);
        event.event_type = event_type.into();
        let answer = host.dispatch(event);
        let StepOutcome::Failed(error) = &answer.trace[0].outcome else {
            panic!("{event_type}: the hostile plugin did not fail: {answer:?}")
        };
        assert!(error.contains(expected), "{event_type}: {error}");
        assert!(error.ends_with("the plugin was restarted"), "{error}");
        // auth and rate-limit still saw the event.
        assert_eq!(answer.trace.len(), 3, "{answer:?}");
        assert_eq!(answer.trace[1].plugin, "auth");
    }
    // Every http.request still gets its answer from auth.
    let missing = host.dispatch(request(&[("host", "example.com")]));
    assert_eq!(
        missing.response.as_deref(),
        Some("401 Missing Authorization header")
    );
    let ok = host.dispatch(authorized("ada"));
    assert!(!ok.handled && failures(&ok).is_empty(), "{ok:?}");

    let stats = host.stats();
    assert_eq!((stats[0].errors, stats[0].restarts), (3, 3));
    assert_eq!(stats[0].disabled, None);
    assert_eq!(stats[1].events, 5);
}

#[test]
fn a_plugin_failing_too_often_is_disabled_and_the_chain_goes_on() {
    let (_dir, host) = host(&hostile_chain(
        "max-failures = 2\nfailure-window-ms = 60000",
    ));
    let mut trap = other("hostile.trap");
    let first = host.dispatch(trap.clone());
    assert!(failures(&first)[0].ends_with("the plugin was restarted"));
    let second = host.dispatch(trap.clone());
    let error = &failures(&second)[0];
    assert!(
        error.contains("the plugin is now disabled (2 failures within 60s)"),
        "{error}"
    );
    trap.event_type = "log.line".into();
    let after = host.dispatch(trap);
    assert!(
        matches!(&after.trace[0].outcome, StepOutcome::Disabled(r) if r.starts_with("disabled after 2 failures"))
    );
    assert_eq!(outcomes(&after)[1], ("auth".into(), "passed"));
    let stats = host.stats();
    assert!(stats[0].disabled.is_some());
    assert_eq!(
        stats[0].instances, 0,
        "a disabled plugin keeps no instances"
    );
    assert_eq!(stats[0].skipped, 1);
}

#[test]
fn a_plugin_whose_handler_cannot_be_made_is_not_loaded() {
    let text = hostile_chain("").replace(
        "max-memory = \"32MiB\"",
        "max-memory = \"32MiB\"\nconfig = \"trap-on-create\"",
    );
    let (_dir, host) = host(&text);
    let plugins = host.plugins();
    let PluginStatus::Failed(error) = &plugins[0].status else {
        panic!("loaded: {:?}", plugins[0].status)
    };
    assert!(
        error
            .to_string()
            .starts_with("failed to create the plugin's handler"),
        "{error}"
    );
    assert_eq!(host.stats().len(), 2);
    assert!(!host.dispatch(authorized("ada")).handled);
}

#[test]
fn fuel_limits_a_plugin() {
    let text = hostile_chain("").replace("timeout-ms = 100", "timeout-ms = 10000\nfuel = 5000000");
    let (_dir, host) = host(&text);
    let answer = host.dispatch(other("hostile.spin"));
    let error = &failures(&answer)[0];
    assert!(error.contains("ran out of fuel (5000000 units)"), "{error}");
}
