//! What every language shares: checking the name and the directory, the vendored WIT,
//! the README with the build and call commands, and writing the files.

use std::path::{Path, PathBuf};

use wit_parser::{Resolve, WorldId, WorldItem};

use crate::error::InitError;
use crate::model::Exports;

/// What a language generator is given.
pub struct Context<'a> {
    /// The resolved WIT.
    pub resolve: &'a Resolve,
    /// The world.
    pub world: WorldId,
    /// Its qualified name, `ns:pkg/world@version`.
    pub qualified: &'a str,
    /// The project's name (a package name: letters, digits, `-`, `_`).
    pub name: &'a str,
    /// The world's exports.
    pub exports: &'a Exports<'a>,
}

/// What a language generator makes.
pub struct Generated {
    /// Files by path relative to the project directory, `wit/` excepted.
    pub files: Vec<(String, String)>,
    /// The commands that build the component, run in the project directory.
    pub build: Vec<String>,
    /// Where the build writes the component, relative to the project directory.
    pub artifact: String,
    /// The file to edit.
    pub edit: &'static str,
    /// The README's description of the language's files.
    pub layout: Vec<(&'static str, &'static str)>,
    /// Things the user should know (a tool that was not found, ...).
    pub notes: Vec<String>,
}

/// Refuses names no package manager takes.
pub fn check_name(name: &str) -> Result<(), InitError> {
    let bad = |reason| {
        Err(InitError::BadName {
            name: name.to_string(),
            reason,
        })
    };
    match name.chars().next() {
        None => return bad("it is empty"),
        Some(c) if !c.is_ascii_alphabetic() => return bad("it does not start with a letter"),
        _ => {}
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return bad("it has characters other than letters, digits, `-` and `_`");
    }
    Ok(())
}

/// Refuses an existing file, or a non-empty directory unless `force`.
pub fn check_dir(dir: &Path, force: bool) -> Result<(), InitError> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(InitError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let empty = dir
        .read_dir()
        .map_err(|source| InitError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .next()
        .is_none();
    if !empty && !force {
        return Err(InitError::NotEmpty {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}

/// The `weft targets` command for the built component.
pub fn targets_command(artifact: &str, qualified: &str) -> String {
    format!("weft targets {artifact} --wit wit --world {qualified} --allow-wasi")
}

/// The `weft call` command for `statements`, with `--trap-unknown-imports` when the world
/// imports functions weft does not provide (anything but WASI and the greeter's logging).
pub fn call_command(cx: &Context, artifact: &str, statements: &[String]) -> Option<String> {
    if statements.is_empty() {
        return None;
    }
    let quoted: Vec<String> = statements.iter().map(|s| format!("'{s}'")).collect();
    let flag = if imports_unprovided(cx.resolve, cx.world) {
        " --trap-unknown-imports"
    } else {
        ""
    };
    Some(format!("weft call {artifact}{flag} {}", quoted.join(" ")))
}

fn imports_unprovided(resolve: &Resolve, world: WorldId) -> bool {
    resolve.worlds[world]
        .imports
        .iter()
        .any(|(key, item)| match item {
            WorldItem::Function(_) => true,
            WorldItem::Interface { id, .. } => {
                let name = resolve.name_world_key(key);
                !resolve.interfaces[*id].functions.is_empty()
                    && !weft_wit::is_wasi_p2(&name)
                    && !name.starts_with("example:greeter/logging")
            }
            WorldItem::Type { .. } => false,
        })
}

/// The project's README.
pub fn readme(cx: &Context, g: &Generated, lang: &str, call: Option<&str>) -> String {
    let mut layout = String::new();
    for (file, what) in &g.layout {
        layout.push_str(&format!("- `{file}`: {what}\n"));
    }
    let build = g.build.join("\n");
    let call = match call {
        Some(c) => format!(
            "\nCall it (this one returns the placeholder until you write the function):\n\n```sh\n{c}\n```\n"
        ),
        None => String::new(),
    };
    format!(
        "# {name}\n\n\
         A WebAssembly component for the WIT world `{world}`, in {lang}, created by `weft init`.\n\
         Every export returns a placeholder (an error where the WIT allows one) until you write\n\
         it: look for `TODO` in `{edit}`.\n\n\
         ## Layout\n\n\
         {layout}\
         - `wit/`: the world's WIT package, with the packages it depends on under `wit/deps/`,\n  \
         vendored by `weft init`; the build reads it from here\n\n\
         ## Build\n\n\
         ```sh\n{build}\n```\n\n\
         The component is `{artifact}`.\n\n\
         ## Check and call\n\n\
         Check it implements the world (WASI imports are allowed: hosts provide them):\n\n\
         ```sh\n{targets}\n```\n\
         {call}\n\
         List every export with its signature: `weft call {artifact} --list`.\n",
        name = cx.name,
        world = cx.qualified,
        edit = g.edit,
        artifact = g.artifact,
        targets = targets_command(&g.artifact, cx.qualified),
    )
}

/// Writes `files` (paths relative to `dir`), returning the paths written.
pub fn write(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, InitError> {
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        let io = |source| InitError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, text).map_err(io)?;
        written.push(PathBuf::from(rel));
    }
    Ok(written)
}
