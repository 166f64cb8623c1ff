//! `--watch`: rebuilds the app when its component file changes and swaps it in; requests
//! in flight finish on the old one, so no request fails across a reload.

use std::path::Path;
use std::sync::Arc;

use weft_runtime::Runtime;
use weft_watch::Watcher;

use crate::{App, AppError, AppOptions, AppSlot};

/// Watches `path` (through its directory, so a file replaced by a rename is seen) and
/// after each burst of changes loads it again into `slot`. A component that fails to
/// load leaves the running app in place; `on_reload` hears every outcome.
pub fn watch(
    runtime: Arc<Runtime>,
    path: &Path,
    options: AppOptions,
    slot: AppSlot,
    on_reload: impl Fn(Result<&App, AppError>) + Send + 'static,
) -> weft_watch::Result<Watcher> {
    let path = std::path::absolute(path).map_err(weft_watch::Error::io)?;
    let dir = weft_watch::dir_of(&path);
    let watched = path.clone();
    weft_watch::watch(
        "weft-serve-watch",
        vec![dir],
        move |event| matches!(event, Ok(event) if event.paths.iter().any(|p| p == &watched)),
        move || {
            match App::load(&runtime, &path, &options) {
                Ok(app) => {
                    on_reload(Ok(&app));
                    slot.replace(app);
                }
                Err(error) => on_reload(Err(error)),
            }
            Vec::new()
        },
    )
}
