//! Hot reload: watches the manifest and the plugin files and reloads the host when one
//! changes.

use std::sync::Arc;

use weft_watch::Watcher;

use crate::host::{PluginHost, ReloadReport};
use crate::manifest::ManifestError;

/// Starts watching `host`'s manifest and plugin files. After each burst of changes the
/// host reloads and `on_reload` hears how it went. The directories that hold the files
/// are watched (not the files), so files replaced by a rename are seen too; a reload
/// that adds a plugin in another directory watches that one too.
pub fn watch(
    host: Arc<PluginHost>,
    on_reload: impl Fn(Result<ReloadReport, ManifestError>) + Send + 'static,
) -> weft_watch::Result<Watcher> {
    let concerned = Arc::clone(&host);
    weft_watch::watch(
        "weft-plugins-watch",
        dirs(&host),
        move |event| concerns(&concerned, event),
        move || {
            on_reload(host.reload());
            dirs(&host)
        },
    )
}

/// Every directory holding a file the host depends on.
fn dirs(host: &PluginHost) -> Vec<std::path::PathBuf> {
    host.watched_files()
        .iter()
        .map(|file| weft_watch::dir_of(file))
        .collect()
}

/// Does a change touch a file the host depends on?
fn concerns(host: &PluginHost, event: &weft_watch::Result<weft_watch::Event>) -> bool {
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
