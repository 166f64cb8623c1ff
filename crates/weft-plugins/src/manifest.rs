//! `plugins.toml`: the plugins of a chain, in order, with their configs, limits and
//! capabilities. Modelled on Extism's manifest (`path`, a pinned hash, `config`,
//! `allowed-paths`, `timeout-ms`, memory limits), one `[[plugin]]` table per plugin.
//!
//! ```toml
//! on-error = "continue"        # or "stop": what a plugin's error does to the chain
//!
//! [[plugin]]
//! name = "auth"
//! path = "auth_plugin.wasm"    # relative to this file
//! sha256 = "…"                 # checked before compiling
//! config = { secret = "s3cret" } # a string, or a table given to the plugin as JSON
//! max-memory = "64MiB"
//! timeout-ms = 100
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use weft_compose::{TomlError, parse_toml, read_toml};
use weft_runtime::{Capabilities, Limits, Output, Preopen, parse_sha256, parse_size};

/// What a plugin's error (an `err` result, a trap, a timeout) does to the chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Record the error and pass the event to the next plugin.
    #[default]
    Continue,
    /// Record the error and stop the chain: the event is answered with the error.
    Stop,
}

/// Where the manifest format is documented, for error hints.
const DOCS: &str = "docs/plugins.md";

/// The failures in a window that disable a plugin, unless the manifest says otherwise.
pub const DEFAULT_MAX_FAILURES: u32 = 5;
/// The window of [`DEFAULT_MAX_FAILURES`].
pub const DEFAULT_FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// How long one event may run in a plugin unless its `timeout-ms` says otherwise: a
/// plugin sits on its host's request path, so a stuck one must not hold it for long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// Linear memory a plugin may use unless its `max-memory` says otherwise.
pub const DEFAULT_PLUGIN_MEMORY: usize = 256 << 20;

/// A parsed and checked `plugins.toml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The file it was read from (plugin paths are resolved against its directory).
    pub path: PathBuf,
    /// The chain's error policy, for plugins that do not set their own.
    pub on_error: OnError,
    /// Failures within [`Manifest::failure_window`] that disable a plugin.
    pub max_failures: u32,
    /// The window in which failures are counted.
    pub failure_window: Duration,
    /// The plugins, in chain order (disabled ones included).
    pub plugins: Vec<PluginSpec>,
}

/// One `[[plugin]]` table.
#[derive(Debug, Clone)]
pub struct PluginSpec {
    /// Its name in traces and metrics: `name`, or the file name without extension.
    pub name: String,
    /// The component, resolved against the manifest's directory.
    pub path: PathBuf,
    /// The SHA-256 the file must have, lowercase hex.
    pub sha256: Option<String>,
    /// The string given to `handler(config)`.
    pub config: String,
    /// The plugin's limits per event.
    pub limits: Limits,
    /// What it may touch.
    pub capabilities: Capabilities,
    /// Whether it is in the chain.
    pub enabled: bool,
    /// Its error policy.
    pub on_error: OnError,
    /// The most instances of it that run at once.
    pub instances: usize,
}

impl PluginSpec {
    /// The settings that need new instances when they change (everything but the name).
    pub(crate) fn same_settings(&self, other: &PluginSpec) -> bool {
        // Capabilities hold no comparable identity of their own; their parts do.
        self.path == other.path
            && self.sha256 == other.sha256
            && self.config == other.config
            && self.limits == other.limits
            && self.enabled == other.enabled
            && self.on_error == other.on_error
            && self.instances == other.instances
            && self.capabilities.env == other.capabilities.env
            && self.capabilities.outbound_http == other.capabilities.outbound_http
            && preopens_key(&self.capabilities) == preopens_key(&other.capabilities)
    }
}

fn preopens_key(caps: &Capabilities) -> Vec<(&Path, &str, bool)> {
    caps.preopens
        .iter()
        .map(|p| (p.host.as_path(), p.guest.as_str(), p.read_only))
        .collect()
}

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read, or its TOML is malformed or has a wrong key or value.
    #[error(transparent)]
    Toml(#[from] TomlError),
    /// A plugin table is well formed but cannot be used.
    #[error("{}: plugin `{plugin}`: {message}", path.display())]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// The plugin's name.
        plugin: String,
        /// What is wrong, and how to fix it.
        message: String,
    },
}

/// The file's shape, as serde reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawManifest {
    #[serde(default)]
    on_error: OnError,
    max_failures: Option<u32>,
    failure_window_ms: Option<u64>,
    #[serde(default, rename = "plugin")]
    plugins: Vec<RawPlugin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPlugin {
    name: Option<String>,
    path: PathBuf,
    sha256: Option<String>,
    #[serde(default)]
    config: Config,
    max_memory: Option<Size>,
    timeout_ms: Option<u64>,
    fuel: Option<u64>,
    #[serde(default)]
    allowed_paths: BTreeMap<String, String>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    enabled: Option<bool>,
    on_error: Option<OnError>,
    instances: Option<usize>,
}

/// `config`: a string as it is, or a table handed over as its JSON text.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Config {
    #[default]
    Empty,
    Text(String),
    Table(serde_json::Map<String, serde_json::Value>),
}

/// `max-memory`: bytes, or a size such as `"64MiB"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(usize),
    Text(String),
}

impl Manifest {
    /// Reads and checks the manifest at `path`.
    pub fn from_file(path: &Path) -> Result<Manifest, ManifestError> {
        let raw = read_toml(path, DOCS)?;
        Manifest::check(path, raw)
    }

    /// Parses and checks manifest `text`, read from `path` (plugin paths are resolved
    /// against its directory).
    pub fn parse(path: &Path, text: &str) -> Result<Manifest, ManifestError> {
        let raw = parse_toml(path, text, DOCS)?;
        Manifest::check(path, raw)
    }

    fn check(path: &Path, raw: RawManifest) -> Result<Manifest, ManifestError> {
        let base = path.parent().unwrap_or(Path::new(""));
        let default_on_error = raw.on_error;
        let mut plugins: Vec<PluginSpec> = Vec::new();
        for (index, raw) in raw.plugins.into_iter().enumerate() {
            let spec = plugin_spec(raw, base, default_on_error).map_err(|(plugin, message)| {
                ManifestError::Invalid {
                    path: path.to_path_buf(),
                    plugin: plugin.unwrap_or_else(|| format!("#{}", index + 1)),
                    message,
                }
            })?;
            if plugins.iter().any(|p| p.name == spec.name) {
                return Err(ManifestError::Invalid {
                    path: path.to_path_buf(),
                    plugin: spec.name,
                    message: "two plugins have this name; give each `[[plugin]]` its own `name`"
                        .into(),
                });
            }
            plugins.push(spec);
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            on_error: raw.on_error,
            max_failures: raw.max_failures.unwrap_or(DEFAULT_MAX_FAILURES).max(1),
            failure_window: raw
                .failure_window_ms
                .map_or(DEFAULT_FAILURE_WINDOW, Duration::from_millis),
            plugins,
        })
    }
}

/// Checks one `[[plugin]]` table; an error names the plugin when it has a name.
fn plugin_spec(
    raw: RawPlugin,
    base: &Path,
    default_on_error: OnError,
) -> Result<PluginSpec, (Option<String>, String)> {
    let name = match &raw.name {
        Some(name) => name.clone(),
        None => raw
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .ok_or((None, "`path` names no file".to_string()))?,
    };
    let fail = |message: String| (Some(name.clone()), message);
    if name.trim().is_empty() {
        return Err(fail("`name` is empty".into()));
    }
    let sha256 = raw
        .sha256
        .map(|pin| parse_sha256(&pin))
        .transpose()
        .map_err(fail)?;
    let max_memory = match raw.max_memory {
        None => DEFAULT_PLUGIN_MEMORY,
        Some(Size::Bytes(bytes)) => bytes,
        Some(Size::Text(text)) => {
            parse_size(&text).map_err(|e| fail(format!("`max-memory`: {e}")))?
        }
    };
    let timeout = match raw.timeout_ms {
        Some(0) => {
            return Err(fail(
                "`timeout-ms = 0` would fail every event; give a positive number of milliseconds"
                    .into(),
            ));
        }
        Some(ms) => Duration::from_millis(ms),
        None => DEFAULT_TIMEOUT,
    };
    let instances = match raw.instances {
        Some(0) => {
            return Err(fail(
                "`instances = 0` could run no event; give at least 1".into(),
            ));
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let mut capabilities = Capabilities {
        // A host's stdout may carry its own data (`weft plugins run` writes JSON lines).
        stdout: Output::HostStderr,
        ..Capabilities::default()
    };
    for (host, guest) in raw.allowed_paths {
        // Extism's convention: a `ro:` prefix on the host path grants it read-only.
        let (host, read_only) = match host.strip_prefix("ro:") {
            Some(host) => (host.to_string(), true),
            None => (host, false),
        };
        let host_path = base.join(&host);
        if !host_path.is_dir() {
            return Err(fail(format!(
                "`allowed-paths`: `{}` is not a directory",
                host_path.display()
            )));
        }
        capabilities.preopens.push(Preopen {
            host: host_path,
            guest,
            read_only,
        });
    }
    capabilities.env = raw.env.into_iter().collect();
    capabilities.outbound_http = raw.allowed_hosts;
    let config = match raw.config {
        Config::Empty => String::new(),
        Config::Text(text) => text,
        Config::Table(table) => serde_json::Value::Object(table).to_string(),
    };
    Ok(PluginSpec {
        name,
        path: base.join(&raw.path),
        sha256,
        config,
        limits: Limits {
            max_memory,
            fuel: raw.fuel,
            timeout: Some(timeout),
            ..Limits::default()
        },
        capabilities,
        enabled: raw.enabled.unwrap_or(true),
        on_error: raw.on_error.unwrap_or(default_on_error),
        instances,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::parse(Path::new("/srv/app/plugins.toml"), text)
    }

    #[test]
    fn reads_every_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let text = r#"
on-error = "stop"
max-failures = 3
failure-window-ms = 1000

[[plugin]]
name = "auth"
path = "auth.wasm"
sha256 = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
config = { secret = "s3cret" }
max-memory = "64MiB"
timeout-ms = 50
fuel = 1000
allowed-paths = { "ro:data" = "/data" }
allowed-hosts = ["example.com"]
env = { MODE = "strict" }
instances = 2

[[plugin]]
path = "plugins/rate_limit.wasm"
config = "plain text"
enabled = false
on-error = "continue"
"#;
        let manifest = Manifest::parse(&dir.path().join("plugins.toml"), text).unwrap();
        assert_eq!(manifest.on_error, OnError::Stop);
        assert_eq!(manifest.max_failures, 3);
        assert_eq!(manifest.failure_window, Duration::from_secs(1));
        let [auth, rate] = manifest.plugins.as_slice() else {
            panic!("two plugins")
        };
        assert_eq!(auth.name, "auth");
        assert_eq!(auth.path, dir.path().join("auth.wasm"));
        assert_eq!(auth.sha256.as_deref().unwrap().len(), 64);
        assert!(auth.sha256.as_deref().unwrap().starts_with("abcdef"));
        assert_eq!(auth.config, r#"{"secret":"s3cret"}"#);
        assert_eq!(auth.limits.max_memory, 64 << 20);
        assert_eq!(auth.limits.timeout, Some(Duration::from_millis(50)));
        assert_eq!(auth.limits.fuel, Some(1000));
        assert_eq!(auth.capabilities.preopens[0].guest, "/data");
        assert!(auth.capabilities.preopens[0].read_only);
        assert_eq!(auth.capabilities.env, [("MODE".into(), "strict".into())]);
        assert_eq!(auth.capabilities.outbound_http, ["example.com"]);
        assert_eq!(auth.instances, 2);
        assert_eq!(auth.on_error, OnError::Stop);
        assert_eq!(rate.name, "rate_limit");
        assert_eq!(rate.path, dir.path().join("plugins/rate_limit.wasm"));
        assert_eq!(rate.config, "plain text");
        assert!(!rate.enabled);
        assert_eq!(rate.on_error, OnError::Continue);
        assert_eq!(rate.limits.timeout, Some(DEFAULT_TIMEOUT));
    }

    #[test]
    fn unknown_keys_get_the_closest_key() {
        let err = parse("[[plugin]]\npath = \"a.wasm\"\ntimeout = 5\n").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("unknown field `timeout`"), "{message}");
        assert!(
            message.contains("╭─[/srv/app/plugins.toml:3:1]"),
            "{message}"
        );
        assert!(message.contains("did you mean `timeout-ms`?"), "{message}");
        let err = parse("on-eror = \"stop\"\n").unwrap_err();
        assert!(
            err.to_string().contains("did you mean `on-error`?"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_name_the_plugin() {
        let cases = [
            (
                "path = \"a.wasm\"\nsha256 = \"abc\"",
                "plugin `a`: `sha256 = \"abc\"` is not 64 hex digits",
            ),
            (
                "path = \"a.wasm\"\nmax-memory = \"lots\"",
                "plugin `a`: `max-memory`: `lots` is not a size",
            ),
            ("path = \"a.wasm\"\ntimeout-ms = 0", "`timeout-ms = 0`"),
            ("path = \"a.wasm\"\ninstances = 0", "`instances = 0`"),
            (
                "path = \"a.wasm\"\nallowed-paths = { \"/nonexistent/x\" = \"/x\" }",
                "is not a directory",
            ),
        ];
        for (table, expected) in cases {
            let message = parse(&format!("[[plugin]]\n{table}\n"))
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{table}: {message}");
        }
        let message = parse("[[plugin]]\npath = \"a.wasm\"\n[[plugin]]\npath = \"b/a.wasm\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("two plugins have this name"), "{message}");
        let message = parse("on-error = \"explode\"\n").unwrap_err().to_string();
        assert!(message.contains("unknown variant `explode`"), "{message}");
    }
}
