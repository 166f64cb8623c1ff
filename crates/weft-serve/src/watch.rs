//! `--watch`: rebuilds the app when its component file changes and swaps it in; requests
//! in flight finish on the old one, so no request fails across a reload.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use weft_runtime::Runtime;
use weft_watch::Watcher;

use crate::{App, AppError, AppOptions, AppSlot};

/// Watches `path` (through its directory, so a file replaced by a rename is seen) and
/// after each burst of changes loads it again into `slot`. For a composition, every
/// member file it names is watched too, and a change to any of them relinks the whole
/// application (unchanged members come from the compile cache). A component that fails
/// to load leaves the running app in place; `on_reload` hears every outcome.
pub fn watch(
    runtime: Arc<Runtime>,
    path: &Path,
    options: AppOptions,
    slot: AppSlot,
    on_reload: impl Fn(Result<&App, AppError>) + Send + 'static,
) -> weft_watch::Result<Watcher> {
    let path = std::path::absolute(path).map_err(weft_watch::Error::io)?;
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let files = Arc::new(Mutex::new(watched_files(&path, &options)));
    let dirs = dirs_of(&files.lock().unwrap_or_else(|p| p.into_inner()));
    let concerned = Arc::clone(&files);
    weft_watch::watch(
        "weft-serve-watch",
        dirs,
        move |event| {
            let files = concerned.lock().unwrap_or_else(|p| p.into_inner());
            matches!(event, Ok(event) if event.paths.iter().any(|p| files.contains(p)))
        },
        move || {
            match App::load(&runtime, &path, &options) {
                Ok(app) => {
                    on_reload(Ok(&app));
                    slot.replace(app);
                }
                Err(error) => on_reload(Err(error)),
            }
            let now = watched_files(&path, &options);
            let dirs = dirs_of(&now);
            *files.lock().unwrap_or_else(|p| p.into_inner()) = now;
            dirs
        },
    )
}

/// The files an app at `path` is built from: the file itself and, for a composition,
/// the member files it names (as far as it can be read now).
fn watched_files(path: &Path, options: &AppOptions) -> Vec<PathBuf> {
    let mut files = vec![path.to_path_buf()];
    if weft_link::is_composition(path) {
        let plan = if path.extension().is_some_and(|e| e == "wac") {
            files.extend(options.wac.deps.values().cloned());
            None
        } else {
            weft_compose::plan_manifest_file(path).ok()
        };
        for member in plan.into_iter().flat_map(|p| p.members) {
            files.extend(member.source);
        }
    }
    files
        .into_iter()
        // One spelling for every path (no `..`), as the events name them.
        .map(|f| std::fs::canonicalize(&f).unwrap_or(f))
        .collect()
}

fn dirs_of(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = files.iter().map(|f| weft_watch::dir_of(f)).collect();
    dirs.sort();
    dirs.dedup();
    dirs
}
