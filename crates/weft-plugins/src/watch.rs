//! Hot reload: watches the manifest and the plugin files and reloads the host when one
//! changes.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};

use crate::host::{PluginHost, ReloadReport};
use crate::manifest::ManifestError;

/// How long changes must settle before a reload: an editor's save or a `cp` is several
/// events, and a half-written file would only fail validation.
const SETTLE: Duration = Duration::from_millis(100);

/// A running watch; dropping it stops watching.
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

/// Starts watching `host`'s manifest and plugin files. After each burst of changes the
/// host reloads and `on_reload` hears how it went. The directories that hold the files
/// are watched (not the files), so files replaced by a rename are seen too.
pub fn watch(
    host: Arc<PluginHost>,
    on_reload: impl Fn(Result<ReloadReport, ManifestError>) + Send + 'static,
) -> notify::Result<Watcher> {
    let (changes_tx, changes) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(changes_tx)?;
    let mut watched = BTreeSet::new();
    watch_dirs(&mut watcher, &mut watched, &host)?;
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("weft-plugins-watch".into())
        .spawn(move || {
            loop {
                if !matches!(stopped.try_recv(), Err(mpsc::TryRecvError::Empty)) {
                    return;
                }
                match changes.recv_timeout(SETTLE) {
                    Ok(event) if concerns(&host, &event) => {}
                    Ok(_) | Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                // Let the burst settle: wait until no event came for `SETTLE`.
                while changes.recv_timeout(SETTLE).is_ok() {}
                let reloaded = host.reload();
                if let Err(error) = watch_dirs(&mut watcher, &mut watched, &host) {
                    tracing::warn!("cannot watch a plugin's directory: {error}");
                }
                on_reload(reloaded);
            }
        })
        .map_err(notify::Error::io)?;
    Ok(Watcher {
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Watches every directory holding a file the host depends on, once.
fn watch_dirs(
    watcher: &mut notify::RecommendedWatcher,
    watched: &mut BTreeSet<PathBuf>,
    host: &PluginHost,
) -> notify::Result<()> {
    for file in host.watched_files() {
        let dir = match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if watched.insert(dir.clone()) {
            watcher.watch(&dir, RecursiveMode::NonRecursive)?;
        }
    }
    Ok(())
}

/// Does a change touch a file the host depends on?
fn concerns(host: &PluginHost, event: &notify::Result<notify::Event>) -> bool {
    let Ok(event) = event else { return true };
    if event.kind.is_access() {
        return false;
    }
    let files = host.watched_files();
    event.paths.iter().any(|changed| {
        files.iter().any(|file| {
            changed == file || changed.file_name() == file.file_name() && same_dir(changed, file)
        })
    })
}

fn same_dir(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (
        a.parent().and_then(|p| p.canonicalize().ok()),
        b.parent().and_then(|p| p.canonicalize().ok()),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
