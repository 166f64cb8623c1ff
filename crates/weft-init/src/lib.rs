//! Guest project scaffolding, the library behind `weft init`: from a WIT world, a project
//! that builds into a component implementing it, every export returning a placeholder.
//!
//! # Brief overview
//!
//! * [`world::select`] finds the world `--world` names: a `.wit` file or WIT directory,
//!   `PATH:WORLD`, or a package name (`example:greeter[/WORLD]`) looked up under a WIT
//!   root. It loads through `weft_wit`, so bad WIT fails with weft's located diagnostics
//!   ([`InitError::Wit`]).
//! * The world's package and every package it depends on are printed into `wit/` and
//!   `wit/deps/<ns>-<name>-<version>/` (module `vendor`).
//! * A generator per [`Lang`] writes the sources: Rust on `wit-bindgen` 0.63, JavaScript
//!   for `jco componentize`, Python for `componentize-py`. Names follow each tool's
//!   bindings; placeholders are an `Err` (or a thrown error) where the WIT result allows
//!   one, a message for a `string`, and otherwise zero, empty, `none`, the first case.
//! * Every project gets a README with the build, `weft targets` and `weft call` commands.
//!
//! # Example
//!
//! ```no_run
//! let project = weft_init::init(&weft_init::InitOptions {
//!     dir: "my-greeter".into(),
//!     world: "wit/greeter".into(),
//!     wit_root: "wit".into(),
//!     lang: weft_init::Lang::Rust,
//!     force: false,
//! })?;
//! println!("{}", project.build.join("\n"));
//! # Ok::<(), weft_init::InitError>(())
//! ```
#![deny(missing_docs)]

mod error;
mod js;
mod model;
mod placeholder;
mod project;
mod python;
mod rust;
mod vendor;
mod wave;
pub mod world;

use std::path::PathBuf;

pub use error::InitError;

/// The language of the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Rust with `wit-bindgen`, built by `cargo build --target wasm32-wasip2`.
    Rust,
    /// JavaScript, built by `jco componentize` (componentize-js).
    Js,
    /// Python, built by `componentize-py`.
    Python,
}

impl Lang {
    /// The name `--lang` takes.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Js => "js",
            Lang::Python => "python",
        }
    }

    /// The language's name in prose.
    pub fn title(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::Js => "JavaScript",
            Lang::Python => "Python",
        }
    }
}

/// What to create.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The project directory; its last component names the project.
    pub dir: PathBuf,
    /// The world: `PATH`, `PATH:WORLD` or a package name (see [`world::select`]).
    pub world: String,
    /// Where package names in `world` are looked up.
    pub wit_root: PathBuf,
    /// The language.
    pub lang: Lang,
    /// Write into a non-empty directory.
    pub force: bool,
}

/// A created project.
#[derive(Debug, Clone)]
pub struct Project {
    /// Its directory.
    pub dir: PathBuf,
    /// Its name.
    pub name: String,
    /// The world, fully qualified.
    pub world: String,
    /// The files written, relative to `dir`.
    pub files: Vec<PathBuf>,
    /// The build commands, run in `dir`.
    pub build: Vec<String>,
    /// The component the build makes, relative to `dir`.
    pub artifact: String,
    /// `weft targets` on the component.
    pub targets: String,
    /// A `weft call` of the component that shows a placeholder, if an export can be
    /// called with made-up arguments.
    pub call: Option<String>,
    /// Anything the user should know.
    pub notes: Vec<String>,
}

/// Creates the project `options` describe.
pub fn init(options: &InitOptions) -> Result<Project, InitError> {
    let name = options
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    project::check_name(&name)?;
    project::check_dir(&options.dir, options.force)?;
    let selected = world::select(&options.world, &options.wit_root)?;
    let qualified = selected.qualified_name();
    let exports = model::exports(
        &selected.resolve,
        selected.world,
        &qualified,
        options.lang.name(),
    )?;
    let cx = project::Context {
        resolve: &selected.resolve,
        world: selected.world,
        qualified: &qualified,
        name: &name,
        exports: &exports,
    };
    let mut generated = match options.lang {
        Lang::Rust => rust::generate(&cx),
        Lang::Js => js::generate(&cx),
        Lang::Python => python::generate(&cx),
    };
    let example = wave::example_call(&selected.resolve, &exports);
    let call = project::call_command(&cx, &generated.artifact, &example);
    let readme = project::readme(&cx, &generated, options.lang.title(), call.as_deref());
    let mut files = std::mem::take(&mut generated.files);
    files.push(("README.md".into(), readme));
    for f in vendor::vendor(&selected.resolve, selected.package)? {
        files.push((format!("wit/{}", f.path), f.text));
    }
    if exports.is_empty() {
        generated.notes.push(format!(
            "world `{qualified}` exports nothing: the component only imports"
        ));
    }
    let written = project::write(&options.dir, &files)?;
    Ok(Project {
        dir: options.dir.clone(),
        name,
        world: qualified.clone(),
        files: written,
        targets: project::targets_command(&generated.artifact, &qualified),
        build: generated.build,
        artifact: generated.artifact,
        call,
        notes: generated.notes,
    })
}
