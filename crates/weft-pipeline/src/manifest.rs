//! `pipeline.toml` and `PATH[=CONFIG]` stage arguments: the stages of a pipeline, in
//! order, with their configs, pins and limits.
//!
//! ```toml
//! chunk-size = "64KiB"
//!
//! [[stage]]
//! path = "transform_gzip.wasm"   # relative to this file
//! config = "9"
//! sha256 = "…"                   # checked before compiling
//! timeout-ms = 1000
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use weft_compose::{TomlError, parse_toml, read_toml};
use weft_runtime::{Limits, parse_sha256, parse_size};

/// Where the manifest format is documented, for error hints.
const DOCS: &str = "docs/pipelines.md";

/// Bytes read from the input at a time unless the pipeline says otherwise.
pub const DEFAULT_CHUNK_SIZE: usize = 64 << 10;
/// Linear memory one stage may use unless its `max-memory` says otherwise.
pub const DEFAULT_STAGE_MEMORY: usize = 256 << 20;

/// One stage: a transform component and its config.
#[derive(Debug, Clone)]
pub struct StageSpec {
    /// Its name in errors and stats: `name`, or the file name without extension.
    pub name: String,
    /// The component.
    pub path: PathBuf,
    /// The string given to `processor(config)`.
    pub config: String,
    /// The SHA-256 the file must have, lowercase hex.
    pub sha256: Option<String>,
    /// Its limits per `process` call.
    pub limits: Limits,
}

impl StageSpec {
    /// A stage from a command-line argument `PATH[=CONFIG]`, with default limits.
    pub fn from_arg(arg: &str) -> StageSpec {
        let (path, config) = arg.split_once('=').unwrap_or((arg, ""));
        StageSpec::new(PathBuf::from(path), config.to_string())
    }

    /// A stage running the component at `path` with `config` and default limits.
    pub fn new(path: PathBuf, config: String) -> StageSpec {
        StageSpec {
            name: stem(&path),
            path,
            config,
            sha256: None,
            limits: Limits {
                max_memory: DEFAULT_STAGE_MEMORY,
                ..Limits::default()
            },
        }
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// A parsed `pipeline.toml`.
#[derive(Debug, Clone)]
pub struct PipelineManifest {
    /// Bytes read from the input at a time.
    pub chunk_size: usize,
    /// The stages, in order.
    pub stages: Vec<StageSpec>,
}

/// Why a pipeline manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read, or its TOML is malformed or has a wrong key or value.
    #[error(transparent)]
    Toml(#[from] TomlError),
    /// A value is well formed but cannot be used.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// What is wrong, and how to fix it.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawManifest {
    chunk_size: Option<Size>,
    #[serde(default, rename = "stage")]
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawStage {
    name: Option<String>,
    path: PathBuf,
    #[serde(default)]
    config: String,
    sha256: Option<String>,
    max_memory: Option<Size>,
    timeout_ms: Option<u64>,
    fuel: Option<u64>,
}

/// A size: bytes, or text such as `"64KiB"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(usize),
    Text(String),
}

impl Size {
    fn bytes(self) -> Result<usize, String> {
        match self {
            Size::Bytes(n) => Ok(n),
            Size::Text(text) => parse_size(&text),
        }
    }
}

impl PipelineManifest {
    /// Reads and checks the manifest at `path`.
    pub fn from_file(path: &Path) -> Result<PipelineManifest, ManifestError> {
        let raw = read_toml(path, DOCS)?;
        PipelineManifest::check(path, raw)
    }

    /// Parses manifest `text` read from `path` (stage paths are relative to it).
    pub fn parse(path: &Path, text: &str) -> Result<PipelineManifest, ManifestError> {
        let raw = parse_toml(path, text, DOCS)?;
        PipelineManifest::check(path, raw)
    }

    fn check(path: &Path, raw: RawManifest) -> Result<PipelineManifest, ManifestError> {
        let invalid = |message: String| ManifestError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let chunk_size = match raw.chunk_size {
            None => DEFAULT_CHUNK_SIZE,
            Some(size) => size
                .bytes()
                .map_err(|e| invalid(format!("`chunk-size`: {e}")))?,
        };
        if chunk_size == 0 {
            return Err(invalid("`chunk-size` must be at least 1 byte".into()));
        }
        if raw.stages.is_empty() {
            return Err(invalid("the pipeline has no `[[stage]]`".into()));
        }
        let base = path.parent().unwrap_or(Path::new(""));
        let mut stages = Vec::new();
        for raw in raw.stages {
            let mut stage = StageSpec::new(base.join(&raw.path), raw.config);
            if let Some(name) = raw.name {
                stage.name = name;
            }
            let at = |message: String| invalid(format!("stage `{}`: {message}", stage.name));
            if let Some(pin) = raw.sha256 {
                stage.sha256 = Some(parse_sha256(&pin).map_err(at)?);
            }
            if let Some(size) = raw.max_memory {
                stage.limits.max_memory =
                    size.bytes().map_err(|e| at(format!("`max-memory`: {e}")))?;
            }
            match raw.timeout_ms {
                Some(0) => return Err(at("`timeout-ms` must be at least 1".into())),
                Some(ms) => stage.limits.timeout = Some(Duration::from_millis(ms)),
                None => {}
            }
            stage.limits.fuel = raw.fuel;
            stages.push(stage);
        }
        Ok(PipelineManifest { chunk_size, stages })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stages_and_chunk_size() {
        let text = "chunk-size = \"4KiB\"\n[[stage]]\npath = \"gzip.wasm\"\nconfig = \"9\"\ntimeout-ms = 50\n[[stage]]\nname = \"b64\"\npath = \"/abs/base64.wasm\"\nmax-memory = 1048576\n";
        let manifest = PipelineManifest::parse(Path::new("/p/pipeline.toml"), text).unwrap();
        assert_eq!(manifest.chunk_size, 4096);
        assert_eq!(manifest.stages[0].name, "gzip");
        assert_eq!(manifest.stages[0].path, Path::new("/p/gzip.wasm"));
        assert_eq!(manifest.stages[0].config, "9");
        assert_eq!(
            manifest.stages[0].limits.timeout,
            Some(Duration::from_millis(50))
        );
        assert_eq!(manifest.stages[1].name, "b64");
        assert_eq!(manifest.stages[1].path, Path::new("/abs/base64.wasm"));
        assert_eq!(manifest.stages[1].limits.max_memory, 1 << 20);
    }

    #[test]
    fn mistakes_are_named() {
        let parse = |text: &str| {
            PipelineManifest::parse(Path::new("p.toml"), text)
                .unwrap_err()
                .to_string()
        };
        assert!(
            parse("[[stage]]\npath = \"a\"\nconfg = \"x\"\n").contains("did you mean `config`?")
        );
        assert!(parse("chunk-size = 0\n[[stage]]\npath = \"a\"\n").contains("at least 1 byte"));
        assert!(parse("").contains("no `[[stage]]`"));
        assert!(parse("[[stage]]\npath = \"a\"\nsha256 = \"x\"\n").contains("stage `a`: `sha256"));
    }

    #[test]
    fn stage_arguments_split_at_the_first_equals_sign() {
        let stage = StageSpec::from_arg("grep.wasm={\"pattern\": \"a=b\"}");
        assert_eq!(stage.path, Path::new("grep.wasm"));
        assert_eq!(stage.config, "{\"pattern\": \"a=b\"}");
        assert_eq!(StageSpec::from_arg("gzip.wasm").config, "");
    }
}
