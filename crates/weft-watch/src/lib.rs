//! Debounced file watching, shared by weft's long-running hosts (`weft serve --watch`,
//! `weft plugins run --watch`).
//!
//! Directories are watched rather than files, so a file replaced by a rename (as `cp`
//! or an editor's save does) is seen. After a change that concerns the host, the watch
//! waits until no event came for [`SETTLE`] (a save is several events, and a
//! half-written file would only fail to load), then runs the host's reload once.
#![deny(missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};

pub use notify::{Error, Event, Result};

/// How long changes must settle before a reload.
pub const SETTLE: Duration = Duration::from_millis(100);

/// A running watch; dropping it stops watching and joins its thread.
pub struct Watcher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The directory holding `file` (`.` for a bare file name).
pub fn dir_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Watches `dirs` on a thread named `name`. Each event goes to `concerns`; after one
/// that concerns the host and the burst that follows it, `reload` runs and returns the
/// directories the host now depends on (watched too from then on).
pub fn watch(
    name: &str,
    dirs: Vec<PathBuf>,
    concerns: impl Fn(&notify::Result<Event>) -> bool + Send + 'static,
    mut reload: impl FnMut() -> Vec<PathBuf> + Send + 'static,
) -> notify::Result<Watcher> {
    let (changes_tx, changes) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(changes_tx)?;
    let mut watched = BTreeSet::new();
    watch_new(&mut watcher, &mut watched, dirs)?;
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            loop {
                if !matches!(stopped.try_recv(), Err(mpsc::TryRecvError::Empty)) {
                    return;
                }
                match changes.recv_timeout(SETTLE) {
                    Ok(event) if concerns(&event) => {}
                    Ok(_) | Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                while changes.recv_timeout(SETTLE).is_ok() {}
                let dirs = reload();
                if let Err(error) = watch_new(&mut watcher, &mut watched, dirs) {
                    tracing::warn!("cannot watch a directory: {error}");
                }
            }
        })
        .map_err(notify::Error::io)?;
    Ok(Watcher {
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Watches each of `dirs` not watched yet.
fn watch_new(
    watcher: &mut notify::RecommendedWatcher,
    watched: &mut BTreeSet<PathBuf>,
    dirs: Vec<PathBuf>,
) -> notify::Result<()> {
    for dir in dirs {
        if !watched.contains(&dir) {
            watcher.watch(&dir, RecursiveMode::NonRecursive)?;
            watched.insert(dir);
        }
    }
    Ok(())
}
