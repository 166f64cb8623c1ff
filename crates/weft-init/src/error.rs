//! Why `weft init` could not create a project: every variant names what was asked for,
//! where it was looked for, and what to do instead.

use std::path::PathBuf;

/// Why [`crate::init`] failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The WIT could not be read, parsed or resolved; for text, `Invalid` carries weft's
    /// located diagnostics (file, line, column, excerpt and hint).
    #[error(transparent)]
    Wit(#[from] weft_wit::LoadError),
    /// `--world` names neither an existing path nor a package found under the WIT root.
    #[error(
        "`--world {spec}`: no file or directory `{path}`, and no package of that name in `{root}`\n\
         hint: give a `.wit` file or a WIT directory (optionally `PATH:WORLD`), or a package name \
         like `example:greeter` from a package under `{root}`"
    )]
    NotFound {
        /// The `--world` argument.
        spec: String,
        /// The path part that does not exist.
        path: String,
        /// Where package names are looked up.
        root: PathBuf,
    },
    /// `--world` names a package that no package under the WIT root has.
    #[error(
        "no package `{name}` under `{root}`{}\nhint: pass the package's path instead, e.g. `--world path/to/wit:WORLD`",
        list("packages found", .found)
    )]
    NoSuchPackage {
        /// The package name asked for.
        name: String,
        /// Where it was looked for.
        root: PathBuf,
        /// The packages that were found there.
        found: Vec<String>,
    },
    /// Several packages under the WIT root match a name given without a version.
    #[error(
        "several packages under `{root}` are `{name}`{}\nhint: add the version, e.g. `--world {}`",
        list("found", .found),
        .found.first().map(String::as_str).unwrap_or("ns:pkg@1.0.0")
    )]
    SeveralPackages {
        /// The package name asked for.
        name: String,
        /// Where it was looked for.
        root: PathBuf,
        /// The matching packages, with their versions.
        found: Vec<String>,
    },
    /// The package has no world of the name asked for.
    #[error(
        "package `{package}` has no world `{world}`{}{}",
        .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(),
        list("its worlds", .available)
    )]
    NoSuchWorld {
        /// The world asked for.
        world: String,
        /// The package searched.
        package: String,
        /// Its worlds.
        available: Vec<String>,
        /// The closest name, if one is close.
        suggestion: Option<String>,
    },
    /// No world was named and the package has several (or none).
    #[error(
        "package `{package}` has {} worlds; name one with `--world {spec}:WORLD`{}",
        .available.len(),
        list("its worlds", .available)
    )]
    WorldNeeded {
        /// The `--world` argument (its path or package part).
        spec: String,
        /// The package.
        package: String,
        /// Its worlds.
        available: Vec<String>,
    },
    /// The world uses something the generator cannot write a placeholder for yet.
    #[error(
        "world `{world}`: `{item}` uses {what}, which `weft init --lang {lang}` does not generate yet\n\
         hint: start from a world without it, or write that export by hand"
    )]
    Unsupported {
        /// The world.
        world: String,
        /// The function or type.
        item: String,
        /// What it uses (`an async function`, `a stream`, ...).
        what: String,
        /// The language.
        lang: &'static str,
    },
    /// The project name is not usable as a package name.
    #[error(
        "`{name}` cannot name a project: {reason}\nhint: use letters, digits, `-` and `_`, starting with a letter, e.g. `my-component`"
    )]
    BadName {
        /// The name.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The target directory exists and holds files.
    #[error("`{}` already exists and is not empty\nhint: pick another name, empty it, or pass `--force` to write the project's files into it (existing files of the same name are overwritten)", .path.display())]
    NotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// The target path exists and is not a directory.
    #[error("`{}` exists and is not a directory", .path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A file could not be written.
    #[error("failed to write `{}`", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `wit-component`'s printer refused a package while vendoring.
    #[error("failed to print WIT package `{package}` into the project")]
    Print {
        /// The package.
        package: String,
        /// The printer's error.
        #[source]
        source: anyhow::Error,
    },
}

/// `": a, b"` on a line of its own, or nothing for an empty list.
fn list(what: &str, items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let items: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    format!("\n{what}: {}", items.join(", "))
}
