//! `weft init`: start a guest project from a WIT world.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use weft_init::{InitError, InitOptions, Lang};

/// Create a guest project (Rust, JavaScript or Python) for a WIT world, with a
/// placeholder for every export; it builds as created.
///
/// The world's WIT is vendored into `wit/` (with its dependencies in `wit/deps/`), the
/// sources implement every export with a placeholder and say where to write the code,
/// and a README has the build and call commands. It builds as created, and `weft
/// targets` passes on the result.
///
/// Rust projects are a `cdylib` on `wit-bindgen` 0.63 with a release profile tuned for
/// size, built with `cargo build --target wasm32-wasip2 --release`; JavaScript projects an
/// `app.js` for `jco componentize` (jco 1.35, componentize-js 0.23, pinned in
/// `package.json`); Python projects an `app.py` for `componentize-py` 0.25.
#[derive(Args)]
#[command(after_help = "Examples:
  weft init my-greeter --world wit/greeter
  weft init my-plugin --world wit/plugin-system:plugin-impl
  weft init my-greeter --world example:greeter            # a package under ./wit
  weft init my-plugin --world example:plugin-system@1.0.0/plugin-impl
  weft init my-db --world wit/database --force
  weft init my-js-plugin --world wit/plugin-system:plugin-impl --lang js
  weft init my-py-greeter --world wit/greeter --lang python

`--world` forms: PATH (a .wit file or a WIT directory with deps/; the world may be left
out when the package has one), PATH:WORLD, or PACKAGE[/WORLD] such as `example:greeter`,
found among the packages in ./wit and its subdirectories (see `--wit-root`).

Exit status: 0 when the project was created, 1 on any error.")]
pub struct InitCommand {
    /// The project directory to create; its last component names the package.
    pub name: PathBuf,
    /// The world: PATH, PATH:WORLD or PACKAGE[/WORLD].
    #[arg(long, value_name = "PATH_OR_PACKAGE[:WORLD]")]
    pub world: String,
    /// The project's language.
    #[arg(long, value_enum, default_value_t = LangArg::Rust)]
    pub lang: LangArg,
    /// Where a package name in `--world` is looked up.
    #[arg(long, value_name = "DIR", default_value = "wit")]
    pub wit_root: PathBuf,
    /// Write into an existing, non-empty directory (files of the same name are replaced).
    #[arg(long)]
    pub force: bool,
}

/// The `--lang` choices.
#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Rust with wit-bindgen.
    Rust,
    /// JavaScript for `jco componentize`.
    Js,
    /// Python for `componentize-py`.
    Python,
}

impl InitCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let options = InitOptions {
            dir: self.name,
            world: self.world,
            wit_root: self.wit_root,
            lang: match self.lang {
                LangArg::Rust => Lang::Rust,
                LangArg::Js => Lang::Js,
                LangArg::Python => Lang::Python,
            },
            force: self.force,
        };
        let project = match weft_init::init(&options) {
            Ok(p) => p,
            Err(InitError::Wit(weft_wit::LoadError::Invalid { diagnostics, path })) => {
                crate::output::stderr_line!("{}", weft_wit::diagnose::render(&diagnostics));
                anyhow::bail!(
                    "`--world {}`: `{}` is not valid WIT",
                    options.world,
                    path.display()
                );
            }
            Err(e) => return Err(e.into()),
        };
        let mut out = std::io::stdout().lock();
        let dir = project.dir.display();
        writeln!(
            out,
            "created `{dir}` ({}) for world `{}`:",
            options.lang.name(),
            project.world
        )?;
        for file in &project.files {
            writeln!(out, "  {}", file.display())?;
        }
        for note in &project.notes {
            writeln!(out, "note: {note}")?;
        }
        writeln!(out, "\nnext steps:\n  cd {dir}")?;
        for step in project
            .build
            .iter()
            .chain([&project.targets])
            .chain(&project.call)
        {
            writeln!(out, "  {step}")?;
        }
        Ok(())
    }
}
