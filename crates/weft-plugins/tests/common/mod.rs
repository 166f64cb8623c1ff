//! Helpers shared by the plugin host's tests: a runtime, manifests in temp dirs, JWTs
//! and `http.request` events.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use weft_plugins::{Dispatch, Event, PluginHost, StepOutcome};
use weft_runtime::{CompileCache, Runtime, RuntimeConfig};

/// The auth plugin's secret in every manifest here.
pub const SECRET: &str = "correct horse battery staple";

/// One runtime per test binary, counting fuel, with a private compile cache.
pub fn runtime() -> Arc<Runtime> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    Arc::clone(RUNTIME.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("weft-plugins-tests-{}", std::process::id()));
        Arc::new(
            Runtime::new(RuntimeConfig {
                cache: Some(CompileCache::new(dir)),
                fuel: true,
                ..RuntimeConfig::default()
            })
            .expect("runtime"),
        )
    }))
}

/// A guest component's path, as a TOML string.
pub fn guest(name: &str) -> String {
    toml_path(Path::new(weft_test_guests::path(name)))
}

/// A path as a TOML string literal.
pub fn toml_path(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// Writes `text` as `plugins.toml` in a new temp dir and loads it.
pub fn host(text: &str) -> (tempfile::TempDir, PluginHost) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_manifest(dir.path(), text);
    let host = PluginHost::load(runtime(), &path).expect("manifest loads");
    (dir, host)
}

/// Writes `text` as `plugins.toml` in `dir`.
pub fn write_manifest(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("plugins.toml");
    std::fs::write(&path, text).expect("manifest written");
    path
}

/// The `[[plugin]]` tables of the seed's chain: auth, then rate-limit with a budget of
/// `capacity` requests per client.
pub fn auth_and_rate_limit(capacity: u32) -> String {
    format!("{}{}", auth_table(), rate_limit_table(capacity))
}

/// The auth plugin's `[[plugin]]` table, with [`SECRET`].
pub fn auth_table() -> String {
    format!(
        "\n[[plugin]]\nname = \"auth\"\npath = {}\nconfig = {{ secret = \"{SECRET}\" }}\n",
        guest("auth-plugin")
    )
}

/// rate-limit's `[[plugin]]` table: one instance, a budget of `capacity` per client.
pub fn rate_limit_table(capacity: u32) -> String {
    format!(
        "\n[[plugin]]\nname = \"rate-limit\"\npath = {}\nconfig = {{ capacity = {capacity}, refill-per-second = 0.001 }}\ninstances = 1\n",
        guest("rate-limit")
    )
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// A token for `sub`, valid for ten minutes, signed with `secret`.
pub fn token(sub: &str, secret: &str) -> String {
    let claims = format!(r#"{{"sub":"{sub}","exp":{}}}"#, now() + 600);
    weft_test_guests::mint_jwt(&claims, secret, "HS256")
}

/// An `http.request` event with these headers.
pub fn request(headers: &[(&str, &str)]) -> Event {
    let headers: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    Event {
        event_type: "http.request".into(),
        payload: serde_json::Value::Object(headers).to_string().into_bytes(),
        timestamp: now() * 1000,
    }
}

/// A request from `client` with a valid token.
pub fn authorized(client: &str) -> Event {
    let bearer = format!("Bearer {}", token(client, SECRET));
    request(&[("Authorization", &bearer), ("x-client-id", client)])
}

/// An event of another type.
pub fn other(event_type: &str) -> Event {
    Event {
        event_type: event_type.into(),
        payload: b"hello".to_vec(),
        timestamp: now() * 1000,
    }
}

/// Each step's plugin and outcome name.
pub fn outcomes(dispatch: &Dispatch) -> Vec<(String, &'static str)> {
    dispatch
        .trace
        .iter()
        .map(|s| (s.plugin.clone(), s.outcome.name()))
        .collect()
}

/// The errors of failed steps.
pub fn failures(dispatch: &Dispatch) -> Vec<String> {
    dispatch
        .trace
        .iter()
        .filter_map(|s| match &s.outcome {
            StepOutcome::Failed(e) => Some(format!("{}: {e}", s.plugin)),
            _ => None,
        })
        .collect()
}

/// The final payload as JSON.
pub fn payload_json(dispatch: &Dispatch) -> serde_json::Value {
    serde_json::from_slice(&dispatch.payload).expect("the payload is JSON")
}
