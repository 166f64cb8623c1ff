//! An on-disk cache of compiled components, keyed by content hash, that maps only what
//! it wrote itself.
//!
//! A hit deserializes the artifact instead of compiling: this is what makes the second
//! `weft call` of a component fast. wasmtime's `deserialize` runs the native code it is
//! given, so an entry is proven to be weft's before it is used:
//!
//! - the directory is private: created `0700`, and used only while it is owned by this
//!   user and not writable by group or others;
//! - every entry's artifact (`NAME.cwasm`) has a tag file beside it (`NAME.tag`) with a
//!   BLAKE3 keyed hash of the name and the artifact, under a per-cache secret key (a
//!   `0600` file in the directory); an entry copied over another's name, or changed in
//!   any byte, fails the check, is deleted, and the component is compiled again (a
//!   warning says so). A verified artifact is then mapped from its file, as wasmtime's
//!   own cache does, rather than copied into memory (which cost 2.4 ms more for a 4 MB
//!   artifact, `benches/cache.rs`); between the check and the mapping only this user
//!   could change the file, in a directory only this user may write;
//! - entries are written to a temporary file and renamed into place;
//! - the directory is kept under a size bound, evicting the least recently used entries.
//!
//! The name covers the component's bytes and the engine's compatibility hash (wasmtime
//! version and every setting that changes code generation), so a stale artifact is never
//! used.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// What every tag file starts with, before the keyed hash.
const MAGIC: &[u8; 8] = b"wefttag1";
/// The name of the secret key's file in the cache directory.
const KEY_FILE: &str = "key";
/// The default bound on the cache's size.
pub const DEFAULT_MAX_CACHE_BYTES: u64 = 1 << 30;

/// Where compiled components are kept.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
    max_bytes: u64,
}

/// Why a cache directory cannot be trusted.
#[derive(Debug, thiserror::Error)]
enum Untrusted {
    #[error("it is owned by user {owner}, not by this user ({me})")]
    Owner { owner: u32, me: u32 },
    #[error("others may write to it (mode {0:o}); it must be private (0700)")]
    Mode(u32),
    #[error("its key file is not a private file of this user's")]
    Key,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl CompileCache {
    /// A cache in `dir` (created on first write), bounded to
    /// [`DEFAULT_MAX_CACHE_BYTES`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CompileCache {
            dir: dir.into(),
            max_bytes: DEFAULT_MAX_CACHE_BYTES,
        }
    }

    /// Bounds the cache to `bytes`; older entries are evicted past it.
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
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

    /// Loads the compiled artifact for `bytes` if the cache has one that weft wrote.
    pub fn get(&self, engine: &Engine, bytes: &[u8]) -> Option<Component> {
        let path = self.artifact_path(engine, bytes);
        if !path.is_file() {
            return None;
        }
        let key = match self.key(false) {
            Ok(Some(key)) => key,
            Ok(None) => return None,
            Err(why) => {
                tracing::warn!("not using the compile cache {}: {why}", self.dir.display());
                return None;
            }
        };
        let started = std::time::Instant::now();
        if let Err(why) = verify(&path, &key) {
            tracing::warn!(
                "compile cache entry {} {why}; it is removed and the component compiled again",
                path.display()
            );
            let _ = fs::remove_file(&path);
            let _ = fs::remove_file(tag_path(&path));
            return None;
        }
        // benches/call.sh reads this line to report the check's share of a call; trace
        // level, since a time is not what `-v` is for.
        tracing::trace!(
            "compile cache entry {} verified in {} us",
            path.display(),
            started.elapsed().as_micros()
        );
        // SAFETY: `verify` proved, with this cache's secret key, that the file holds the
        // bytes `put` wrote under this name from `Component::serialize` of the same
        // component bytes and engine configuration (both are in the name), in a directory
        // and file only this user may write.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize_file(engine, &path) };
        match loaded {
            Ok(component) => {
                // Touch the entry so eviction keeps what is used.
                let _ =
                    File::open(&path).and_then(|f| f.set_modified(std::time::SystemTime::now()));
                Some(component)
            }
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
            let key = self.key(true)?.ok_or_else(|| anyhow::anyhow!("no key"))?;
            let serialized = component
                .serialize()
                .map_err(|e| anyhow::anyhow!("{e:#}"))?;
            let tag = tag(&key, &path, &serialized);
            let mut tag_bytes = MAGIC.to_vec();
            tag_bytes.extend_from_slice(tag.as_bytes());
            let unique = hex::encode(&tag.as_bytes()[..8]);
            // Each file is written aside and renamed into place, so a concurrent reader
            // never sees half a file; one that sees a new artifact with an old tag fails
            // the check and compiles again.
            self.write_atomically(&path, &serialized, &unique)?;
            self.write_atomically(&tag_path(&path), &tag_bytes, &unique)?;
            self.evict();
            Ok(())
        })();
        if let Err(error) = result {
            tracing::warn!(
                "could not write compile cache entry {}: {error:#}",
                path.display()
            );
        }
    }

    /// Writes `bytes` to a private temporary file and renames it to `path`; a failure
    /// leaves no temporary file behind.
    fn write_atomically(&self, path: &Path, bytes: &[u8], unique: &str) -> std::io::Result<()> {
        let tmp = self
            .dir
            .join(format!(".tmp-{}-{unique}", std::process::id()));
        let written = (|| {
            let mut file = private_file(&tmp)?;
            file.write_all(bytes)?;
            file.sync_data()?;
            fs::rename(&tmp, path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// The cache's secret key, after checking the directory is private. With `create`,
    /// makes the directory and the key when missing; otherwise `None` when there is none.
    fn key(&self, create: bool) -> Result<Option<[u8; 32]>, Untrusted> {
        if create {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)?;
        }
        let meta = match fs::metadata(&self.dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        check_private(&meta, 0o022)?;
        let key_path = self.dir.join(KEY_FILE);
        match File::open(&key_path) {
            Ok(mut file) => {
                let meta = file.metadata()?;
                if !meta.is_file() || check_private(&meta, 0o077).is_err() {
                    return Err(Untrusted::Key);
                }
                let mut key = [0u8; 32];
                file.read_exact(&mut key).map_err(|_| Untrusted::Key)?;
                Ok(Some(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Ok(None);
                }
                let mut key = [0u8; 32];
                File::open("/dev/urandom")?.read_exact(&mut key)?;
                // `create_new`: two processes racing to make the key agree on the first.
                match OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&key_path)
                {
                    Ok(mut file) => {
                        file.write_all(&key)?;
                        file.sync_data()?;
                        Ok(Some(key))
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => self.key(false),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the least recently used entries while the cache is past its bound.
    fn evict(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut artifacts: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().ok()?, meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = artifacts.iter().map(|(_, len, _)| len).sum();
        artifacts.sort();
        for (_, len, path) in artifacts {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                let _ = fs::remove_file(tag_path(&path));
                tracing::debug!("evicted compile cache entry {}", path.display());
                total -= len;
            }
        }
    }
}

/// Fails unless `meta` belongs to this user and has none of the `forbidden` mode bits.
fn check_private(meta: &fs::Metadata, forbidden: u32) -> Result<(), Untrusted> {
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(Untrusted::Owner {
            owner: meta.uid(),
            me,
        });
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & forbidden != 0 {
        return Err(Untrusted::Mode(mode));
    }
    Ok(())
}

fn private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// The keyed hash of an entry: its file name and its artifact.
fn tag(key: &[u8; 32], path: &Path, artifact: &[u8]) -> blake3::Hash {
    let name = path
        .file_name()
        .map(|n| n.as_encoded_bytes())
        .unwrap_or_default();
    let mut hasher = keyed_hasher(key, name);
    hasher.update(artifact);
    hasher.finalize()
}

/// A keyed hasher that has taken the entry's name (length first, so no name and artifact
/// pair hashes like another).
fn keyed_hasher(key: &[u8; 32], name: &[u8]) -> blake3::Hasher {
    let mut hasher = blake3::Hasher::new_keyed(key);
    hasher.update(&(name.len() as u64).to_le_bytes());
    hasher.update(name);
    hasher
}

/// The tag file of the artifact at `path`.
fn tag_path(path: &Path) -> PathBuf {
    path.with_extension("tag")
}

/// Checks the artifact at `path` against its tag file's keyed hash.
fn verify(path: &Path, key: &[u8; 32]) -> Result<(), &'static str> {
    let private = |p: &Path| {
        fs::symlink_metadata(p)
            .ok()
            .is_some_and(|m| m.is_file() && check_private(&m, 0o022).is_ok())
    };
    let tag_file = tag_path(path);
    if !private(path) || !private(&tag_file) {
        return Err("is not a private file of this user's, or has no tag");
    }
    let recorded = fs::read(&tag_file).map_err(|_| "has an unreadable tag")?;
    if recorded.len() != MAGIC.len() + blake3::OUT_LEN || &recorded[..MAGIC.len()] != MAGIC {
        return Err("was not written by this version of weft");
    }
    let recorded = blake3::Hash::from_bytes(
        recorded[MAGIC.len()..]
            .try_into()
            .expect("the length was checked"),
    );
    let name = path
        .file_name()
        .map(|n| n.as_encoded_bytes())
        .unwrap_or_default();
    let mut hasher = keyed_hasher(key, name);
    // One read and one SIMD pass: `update_reader`'s small reads were 15% slower.
    let artifact = fs::read(path).map_err(|_| "cannot be read")?;
    hasher.update(&artifact);
    // `blake3::Hash` compares in constant time.
    if hasher.finalize() != recorded {
        return Err("failed its integrity check");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::default()
    }

    const A: &str = r#"(component (core module $m (func (export "f") (result i32) i32.const 1)) (core instance $i (instantiate $m)) (func (export "f") (result u32) (canon lift (core func $i "f"))))"#;
    const B: &str = r#"(component (core module $m (func (export "f") (result i32) i32.const 2)) (core instance $i (instantiate $m)) (func (export "f") (result u32) (canon lift (core func $i "f"))))"#;

    fn compiled(engine: &Engine, wat: &str) -> (Vec<u8>, Component) {
        let bytes = wat::parse_str(wat).unwrap();
        let component = Component::new(engine, &bytes).unwrap();
        (bytes, component)
    }

    #[test]
    fn a_written_entry_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::new(dir.path().join("cache"));
        let engine = engine();
        let (bytes, component) = compiled(&engine, A);
        assert!(cache.get(&engine, &bytes).is_none());
        cache.put(&engine, &bytes, &component);
        assert!(cache.get(&engine, &bytes).is_some());
        let mode = fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn an_entry_copied_over_another_or_changed_is_refused_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::new(dir.path());
        let engine = engine();
        let (a, ca) = compiled(&engine, A);
        let (b, cb) = compiled(&engine, B);
        cache.put(&engine, &a, &ca);
        cache.put(&engine, &b, &cb);
        // Another component's entry under this one's name.
        fs::copy(
            cache.artifact_path(&engine, &b),
            cache.artifact_path(&engine, &a),
        )
        .unwrap();
        assert!(cache.get(&engine, &a).is_none());
        assert!(!cache.artifact_path(&engine, &a).exists());
        // One byte changed.
        let path = cache.artifact_path(&engine, &b);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        fs::write(&path, bytes).unwrap();
        assert!(cache.get(&engine, &b).is_none());
        // Another entry's tag copied beside this one's artifact.
        cache.put(&engine, &a, &ca);
        cache.put(&engine, &b, &cb);
        let tag_of = |bytes: &[u8]| tag_path(&cache.artifact_path(&engine, bytes));
        fs::copy(tag_of(&b), tag_of(&a)).unwrap();
        assert!(cache.get(&engine, &a).is_none());
        assert!(cache.get(&engine, &b).is_some());
    }

    #[test]
    fn a_directory_others_may_write_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::new(dir.path());
        let engine = engine();
        let (a, ca) = compiled(&engine, A);
        cache.put(&engine, &a, &ca);
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        assert!(cache.get(&engine, &a).is_none());
    }

    #[test]
    fn the_oldest_entries_are_evicted_past_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let (a, ca) = compiled(&engine, A);
        let (b, cb) = compiled(&engine, B);
        let probe = CompileCache::new(dir.path());
        probe.put(&engine, &a, &ca);
        let one = fs::metadata(probe.artifact_path(&engine, &a))
            .unwrap()
            .len();
        let cache = CompileCache::new(dir.path()).with_max_bytes(one + one / 2);
        std::thread::sleep(std::time::Duration::from_millis(20));
        cache.put(&engine, &b, &cb);
        assert!(!cache.artifact_path(&engine, &a).exists());
        assert!(cache.get(&engine, &b).is_some());
    }
}
