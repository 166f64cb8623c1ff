//! An on-disk cache of compiled components, keyed by content hash.
//!
//! A cache hit maps the serialized artifact instead of compiling: this is what
//! makes the second `weft call` of a component fast. The key covers the
//! component's bytes and the engine's compatibility hash (wasmtime version and
//! every setting that changes code generation), so a stale artifact is never used.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components are kept.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CompileCache { dir: dir.into() }
    }

    /// The default cache directory: `$WEFT_CACHE_DIR`, else `$XDG_CACHE_HOME/weft`,
    /// else `$HOME/.cache/weft`.
    pub fn default_dir() -> Option<PathBuf> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        env("WEFT_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("weft")))
            .or_else(|| env("HOME").map(|d| d.join(".cache").join("weft")))
    }

    /// The directory artifacts are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The artifact path for `bytes` compiled by `engine`.
    pub fn artifact_path(&self, engine: &Engine, bytes: &[u8]) -> PathBuf {
        let mut compat = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut compat);
        let digest = Sha256::digest(bytes);
        let name = format!(
            "{}-{:016x}.cwasm",
            hex::encode(&digest[..16]),
            compat.finish()
        );
        self.dir.join(name)
    }

    /// Loads the compiled artifact for `bytes` if the cache has a usable one.
    pub fn get(&self, engine: &Engine, bytes: &[u8]) -> Option<Component> {
        let path = self.artifact_path(engine, bytes);
        if !path.is_file() {
            return None;
        }
        // SAFETY: the file was written by `put` below from `Component::serialize` of the
        // same bytes and engine configuration (both are in its name). Like wasmtime's own
        // cache, this trusts the cache directory not to be written by anyone else.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize_file(engine, &path) };
        match loaded {
            Ok(component) => Some(component),
            Err(error) => {
                tracing::debug!("ignoring unusable cache entry {}: {error}", path.display());
                None
            }
        }
    }

    /// Stores `component`, compiled from `bytes`; failures only cost a later recompile.
    pub fn put(&self, engine: &Engine, bytes: &[u8], component: &Component) {
        let path = self.artifact_path(engine, bytes);
        let result = (|| -> anyhow::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let serialized = component
                .serialize()
                .map_err(|e| anyhow::anyhow!("{e:#}"))?;
            // Write then rename, so a concurrent reader never maps a half-written file.
            let mut tmp = tempfile_in(&self.dir)?;
            tmp.1.write_all(&serialized)?;
            drop(tmp.1);
            std::fs::rename(&tmp.0, &path)?;
            Ok(())
        })();
        if let Err(error) = result {
            tracing::warn!(
                "could not write compile cache entry {}: {error:#}",
                path.display()
            );
        }
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let name = format!(
        ".tmp-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    );
    let path = dir.join(name.replace(['(', ')'], ""));
    let file = std::fs::File::create(&path)?;
    Ok((path, file))
}
