//! The seed's chain through the plugin host: auth (a 1.0.0 plugin), a JavaScript
//! blocklist (componentize-js) and rate-limit (a 1.1.0 plugin that filters events).

mod common;

use std::sync::Arc;

use common::*;
use weft_plugins::{PluginStatus, StepOutcome};

/// auth, then the JS blocklist refusing client `mallory`, then rate-limit (budget 2).
fn seed_chain() -> String {
    format!(
        "{}\n[[plugin]]\nname = \"blocklist\"\npath = {}\nconfig = {{ blocked = [\"mallory\"] }}\n{}",
        auth_table(),
        toml_path(&weft_test_guests::js_path("blocklist")),
        rate_limit_table(2),
    )
}

#[test]
fn auth_then_blocklist_then_rate_limit() {
    let (_dir, host) = host(&seed_chain());

    let missing = host.dispatch(request(&[("host", "example.com")]));
    assert!(missing.handled);
    assert_eq!(
        missing.response.as_deref(),
        Some("401 Missing Authorization header")
    );
    assert_eq!(outcomes(&missing), [("auth".into(), "handled")]);

    let forged = format!("Bearer {}", token("ada", "not the secret"));
    let bad = host.dispatch(request(&[("Authorization", &forged)]));
    assert_eq!(bad.response.as_deref(), Some("401 Unauthorized"));

    let first = host.dispatch(authorized("ada"));
    assert!(!first.handled, "{first:?}");
    assert_eq!(
        outcomes(&first),
        [
            ("auth".into(), "modified"),
            ("blocklist".into(), "passed"),
            ("rate-limit".into(), "modified")
        ]
    );
    // Each plugin saw the payload the one before it made.
    let headers = payload_json(&first);
    assert_eq!(headers["x-auth-subject"], "ada");
    assert_eq!(headers["x-ratelimit-remaining"], "1");

    assert!(!host.dispatch(authorized("ada")).handled);
    let third = host.dispatch(authorized("ada"));
    assert!(third.handled);
    let response = third.response.unwrap();
    assert!(response.starts_with("429 Too Many Requests"), "{response}");

    // Another client has its own budget; a blocked one is refused by the JS plugin.
    assert!(!host.dispatch(authorized("grace")).handled);
    let blocked = host.dispatch(authorized("mallory"));
    assert_eq!(blocked.response.as_deref(), Some("403 Forbidden"));
    assert_eq!(blocked.trace.last().unwrap().plugin, "blocklist");

    let stats = host.stats();
    let auth = &stats[0];
    assert_eq!(
        (auth.name.as_str(), auth.events, auth.handled),
        ("auth", 7, 2)
    );
    assert!(auth.p50 > std::time::Duration::ZERO && auth.p50 <= auth.max);
    assert!(auth.memory > 0);
    let rate = &stats[2];
    assert_eq!((rate.events, rate.handled), (4, 1));
}

#[test]
fn old_and_new_plugins_run_side_by_side() {
    let (_dir, host) = host(&seed_chain());
    let plugins = host.plugins();
    let worlds: Vec<(String, String, Option<Vec<String>>)> = plugins
        .iter()
        .map(|p| match &p.status {
            PluginStatus::Loaded { world, wanted, .. } => {
                (p.name.clone(), world.clone(), wanted.clone())
            }
            other => panic!("{}: {other:?}", p.name),
        })
        .collect();
    assert_eq!(
        worlds,
        [
            (
                "auth".into(),
                "example:plugin-system/plugin-impl@1.0.0".into(),
                None
            ),
            (
                "blocklist".into(),
                "example:plugin-system/plugin-impl@1.0.0".into(),
                None
            ),
            (
                "rate-limit".into(),
                "example:plugin-system/filtered-plugin-impl@1.1.0".into(),
                Some(vec!["http.request".into()])
            ),
        ]
    );
    // rate-limit (1.1.0) said it wants only http.request, so it is not called with
    // anything else; the 1.0.0 plugins see every event.
    let log = host.dispatch(other("log.line"));
    assert_eq!(
        outcomes(&log),
        [
            ("auth".into(), "passed"),
            ("blocklist".into(), "passed"),
            ("rate-limit".into(), "filtered")
        ]
    );
    assert_eq!(log.payload, b"hello");
    assert_eq!(host.stats()[2].skipped, 1);
    assert_eq!(host.stats()[2].events, 0);
}

#[test]
fn a_2x_plugin_is_refused_with_the_major_the_host_speaks() {
    let dir = tempfile::tempdir().unwrap();
    let next = dir.path().join("next.wasm");
    std::fs::write(&next, plugin_at_version("2.0.0")).unwrap();
    let text = format!(
        "[[plugin]]\nname = \"next\"\npath = {}\n{}",
        toml_path(&next),
        auth_and_rate_limit(5)
    );
    let (_dir, host) = host(&text);
    let plugins = host.plugins();
    let PluginStatus::Failed(error) = &plugins[0].status else {
        panic!("a 2.0.0 plugin loaded: {:?}", plugins[0].status)
    };
    assert_eq!(
        error.to_string(),
        "the plugin is built for example:plugin-system@2.0.0, and this host speaks \
         example:plugin-system 1.x (1.1.0); rebuild the plugin against a 1.x release of the package"
    );
    // The others still load and answer.
    assert!(matches!(plugins[1].status, PluginStatus::Loaded { .. }));
    assert!(!host.dispatch(authorized("ada")).handled);
}

#[test]
fn a_component_of_another_world_gets_the_world_diff() {
    let text = format!(
        "[[plugin]]\nname = \"greeter\"\npath = {}\n{}",
        guest("greeter"),
        auth_and_rate_limit(5)
    );
    let (_dir, host) = host(&text);
    let plugins = host.plugins();
    let PluginStatus::Failed(error) = &plugins[0].status else {
        panic!("the greeter loaded as a plugin")
    };
    let message = error.to_string();
    assert!(
        message.starts_with(
            "the component does not fit world `example:plugin-system/plugin-impl@1.1.0`"
        ),
        "{message}"
    );
    assert!(
        message.contains("the world requires export `example:plugin-system/plugin@1.1.0`"),
        "{message}"
    );
    assert!(
        message.contains("resource handler"),
        "the diff shows the WIT: {message}"
    );
    assert_eq!(host.stats().len(), 2);
}

#[test]
fn a_pinned_sha256_is_checked_before_compiling() {
    let auth = weft_test_guests::path("auth-plugin");
    let right = sha256_of(auth);
    let wrong = "0".repeat(64);
    let text = format!(
        r#"
[[plugin]]
name = "pinned"
path = {path}
sha256 = "{right}"
config = "{SECRET}"

[[plugin]]
name = "tampered"
path = {path}
sha256 = "{wrong}"
config = "{SECRET}"
"#,
        path = guest("auth-plugin"),
    );
    let (_dir, host) = host(&text);
    let plugins = host.plugins();
    assert!(matches!(&plugins[0].status, PluginStatus::Loaded { sha256, .. } if *sha256 == right));
    let PluginStatus::Failed(error) = &plugins[1].status else {
        panic!("a file with the wrong hash loaded")
    };
    assert_eq!(
        error.to_string(),
        format!(
            "`{auth}` has SHA-256 {right}, but the manifest pins {wrong}; the file changed, or update `sha256`"
        )
    );
}

#[test]
fn disabled_plugins_are_left_out() {
    let text = auth_and_rate_limit(5).replace("instances = 1", "instances = 1\nenabled = false");
    let (_dir, host) = host(&text);
    assert!(matches!(host.plugins()[1].status, PluginStatus::Disabled));
    let answer = host.dispatch(authorized("ada"));
    assert_eq!(outcomes(&answer), [("auth".into(), "modified")]);
}

#[test]
fn events_from_many_threads_are_all_answered() {
    let text = auth_and_rate_limit(1_000_000).replace("instances = 1", "instances = 2");
    let (_dir, host) = host(&text);
    let host = Arc::new(host);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let host = Arc::clone(&host);
            std::thread::spawn(move || {
                for i in 0..50 {
                    let answer = host.dispatch(authorized(&format!("client-{t}-{i}")));
                    assert!(!answer.handled, "{answer:?}");
                    assert!(failures(&answer).is_empty(), "{answer:?}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let stats = host.stats();
    assert_eq!(stats[0].events, 200);
    assert_eq!(stats[1].events, 200);
    assert!(
        stats[1].instances <= 2,
        "rate-limit is capped at 2 instances"
    );
    assert!(stats[0].instances >= 1);
}

#[test]
fn on_error_stop_ends_the_chain_and_continue_goes_on() {
    let chain = |policy: &str| {
        format!(
            "on-error = \"{policy}\"\n[[plugin]]\nname = \"hostile\"\npath = {}\n{}",
            guest("hostile-plugin"),
            auth_and_rate_limit(5)
        )
    };
    let (_dir, stopping) = host(&chain("stop"));
    let stopped = stopping.dispatch(other("hostile.err"));
    assert_eq!(
        stopped.error.as_deref(),
        Some("plugin `hostile`: the plugin returned an error: hostile plugin refused the event")
    );
    assert_eq!(outcomes(&stopped), [("hostile".into(), "failed")]);

    let (_dir, continuing) = host(&chain("continue"));
    let continued = continuing.dispatch(other("hostile.err"));
    assert_eq!(continued.error, None);
    assert_eq!(
        outcomes(&continued),
        [
            ("hostile".into(), "failed"),
            ("auth".into(), "passed"),
            ("rate-limit".into(), "filtered")
        ]
    );
    assert!(matches!(&continued.trace[0].outcome, StepOutcome::Failed(e) if e.contains("refused")));
}

/// A component exporting `example:plugin-system/plugin` at `version`, with the plugin
/// world's types, made from the WIT by wit-component (its functions are never called).
fn plugin_at_version(version: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../wit/plugin-system/plugin-system.wit"
    ))
    .unwrap()
    .replace("@1.0.0;", &format!("@{version};"));
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("plugin-system.wit", &text).unwrap();
    let world = resolve
        .select_world(&[package], Some("plugin-impl"))
        .unwrap();
    let mut module =
        wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .encode()
        .unwrap()
}

fn sha256_of(path: &str) -> String {
    weft_runtime::sha256_hex(&std::fs::read(path).unwrap())
}
