//! `--watch`: rebuilds the app when its component file changes and swaps it in; requests
//! in flight finish on the old one, so no request fails across a reload.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};
use weft_runtime::Runtime;

use crate::{App, AppError, AppOptions, AppSlot};

/// How long changes must settle: a `cp` or an editor's save is several events, and a
/// half-written file would only fail to load.
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

/// Watches `path` (through its directory, so a file replaced by a rename is seen) and
/// after each burst of changes loads it again into `slot`. A component that fails to
/// load leaves the running app in place; `on_reload` hears every outcome.
pub fn watch(
    runtime: Arc<Runtime>,
    path: &Path,
    options: AppOptions,
    slot: AppSlot,
    on_reload: impl Fn(Result<&App, AppError>) + Send + 'static,
) -> notify::Result<Watcher> {
    let path = std::path::absolute(path).map_err(notify::Error::io)?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let (changes_tx, changes) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(changes_tx)?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("weft-serve-watch".into())
        .spawn(move || {
            // Owned here so it lives as long as the thread.
            let _watcher = watcher;
            loop {
                if !matches!(stopped.try_recv(), Err(mpsc::TryRecvError::Empty)) {
                    return;
                }
                match changes.recv_timeout(SETTLE) {
                    Ok(Ok(event)) if event.paths.iter().any(|p| p == &path) => {}
                    Ok(_) | Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                while changes.recv_timeout(SETTLE).is_ok() {}
                match App::load(&runtime, &path, &options) {
                    Ok(app) => {
                        on_reload(Ok(&app));
                        slot.replace(app);
                    }
                    Err(error) => on_reload(Err(error)),
                }
            }
        })
        .map_err(notify::Error::io)?;
    Ok(Watcher {
        stop: Some(stop),
        thread: Some(thread),
    })
}
