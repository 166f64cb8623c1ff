//! `weft repl`: an interactive session over one instance of a component.
//!
//! The statements are `weft call`'s (WAVE calls, `let NAME = CALL`, `drop(NAME)`), run
//! one at a time in one instance, so handles live across them. The line editor
//! (rustyline) completes export and method names, handles, record fields, enum and
//! variant cases and flags from the component's types, continues a statement while a
//! bracket or string is open, and keeps history in a file. `:` commands show the WIT
//! (`:exports`, `:type`), the handles, switch the output between WAVE and JSON, and
//! `:reload` the component after a rebuild.
//!
//! How the session is made (capabilities, limits, linking) is the embedder's: it hands
//! a [`Backend`] to [`run`].
#![deny(missing_docs)]

mod commands;
mod complete;
mod editor;
mod wit;

use std::io::Write;
use std::path::PathBuf;

use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use weft_runtime::{Outcome, Session, Statement};

pub use commands::{COMMANDS, Command};
pub use complete::{Candidate, Scope, complete};
pub use editor::is_open;
pub use wit::WitIndex;

use editor::ReplHelper;

/// The session a REPL drives.
pub trait Backend {
    /// The running session: its exports, handles, and value rendering.
    fn session(&mut self) -> &mut Session;

    /// Runs one statement, with errors worded as `weft call` words them.
    fn eval(&mut self, statement: &Statement) -> anyhow::Result<Option<Outcome>>;

    /// Loads the component again and starts a new instance in place of the old one.
    fn reload(&mut self) -> anyhow::Result<()>;

    /// The component's binary, for the docs and types of its WIT; `None` when there is
    /// no single component (a composition linked at run time).
    fn component_bytes(&self) -> Option<Vec<u8>>;

    /// The text an error is shown with.
    fn explain(&self, error: &anyhow::Error) -> String {
        format!("error: {error:#}")
    }
}

/// How a session is set up.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The history file; none is kept when `None`.
    pub history: Option<PathBuf>,
    /// What the banner names the component by.
    pub title: String,
}

/// The default history file: `$XDG_DATA_HOME/weft/repl-history`, else
/// `~/.local/share/weft/repl-history`.
pub fn default_history_path() -> Option<PathBuf> {
    let env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_DATA_HOME")
        .or_else(|| env("HOME").map(|home| home.join(".local/share")))
        .map(|dir| dir.join("weft").join("repl-history"))
}

/// Whether results print as WAVE or JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Wave,
    Json,
}

struct Repl<'b, B: Backend> {
    backend: &'b mut B,
    wit: WitIndex,
    format: Format,
    /// Set by `:reload`: the editor's helper has the old exports and types.
    reloaded: bool,
}

/// Runs the session until the user quits (`:quit`, Ctrl-D). Errors in statements are
/// shown and the session goes on; only a failing terminal ends it with an error.
pub fn run<B: Backend>(backend: &mut B, options: &Options) -> anyhow::Result<()> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(true)
        .build();
    let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
    if let Some(path) = &options.history
        && path.exists()
        && let Err(error) = editor.load_history(path)
    {
        eprintln!(
            "warning: cannot read the history in `{}`: {error}",
            path.display()
        );
    }
    let wit = backend
        .component_bytes()
        .map(|bytes| WitIndex::of_component(&bytes))
        .unwrap_or_default();
    let mut repl = Repl {
        backend,
        wit,
        format: Format::Wave,
        reloaded: false,
    };
    let exports = repl.backend.session().component().exports().funcs().len();
    println!(
        "weft repl: {} ({exports} exports). `:help` for commands, Ctrl-D to quit.",
        options.title
    );
    editor.set_helper(Some(repl.helper()));
    loop {
        if let Some(helper) = editor.helper_mut() {
            repl.refresh(helper);
        }
        match editor.readline("> ") {
            Ok(line) => {
                if !repl.line(&line) {
                    break;
                }
            }
            // Ctrl-C abandons the line being typed, as in a shell.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(path) = &options.history {
        save_history(&mut editor, path);
    }
    Ok(())
}

fn save_history(editor: &mut Editor<ReplHelper, FileHistory>, path: &std::path::Path) {
    let saved = match path.parent() {
        Some(dir) => std::fs::create_dir_all(dir).map_err(ReadlineError::from),
        None => Ok(()),
    }
    .and_then(|()| editor.save_history(path));
    if let Err(error) = saved {
        eprintln!(
            "warning: cannot write the history to `{}`: {error}",
            path.display()
        );
    }
}

impl<B: Backend> Repl<'_, B> {
    fn helper(&mut self) -> ReplHelper {
        let session = self.backend.session();
        ReplHelper {
            catalog: session.component().exports().clone(),
            handles: session.handles(),
            types: self.wit.type_names().map(str::to_string).collect(),
        }
    }

    /// Brings the editor's helper up to date before a prompt: the handles always (a
    /// statement may have made or dropped one), the exports and types only after a
    /// `:reload` changed them.
    fn refresh(&mut self, helper: &mut ReplHelper) {
        if std::mem::take(&mut self.reloaded) {
            *helper = self.helper();
        } else {
            helper.handles = self.backend.session().handles();
        }
    }

    /// Runs one line; `false` when it ends the session.
    fn line(&mut self, line: &str) -> bool {
        if line.trim_start().starts_with(':') {
            return match Command::parse(line) {
                Ok(command) => self.command(command),
                Err(message) => {
                    eprintln!("error: {message}");
                    true
                }
            };
        }
        let statement = match Statement::parse(line) {
            None => return true,
            Some(Ok(statement)) => statement,
            Some(Err(error)) => {
                let error = anyhow::Error::from(error);
                eprintln!("{}", self.backend.explain(&error));
                return true;
            }
        };
        if self.backend.session().is_dead() {
            eprintln!("error: the instance has trapped and is gone; `:reload` starts a new one");
            return true;
        }
        match self.backend.eval(&statement) {
            Ok(Some(outcome)) => self.print(&outcome),
            Ok(None) => {}
            Err(error) => {
                eprintln!("{}", self.backend.explain(&error));
                if self.backend.session().is_dead() {
                    eprintln!(
                        "the instance trapped, so its state and handles are gone; `:reload` starts a new one"
                    );
                }
            }
        }
        true
    }

    fn print(&mut self, outcome: &Outcome) {
        if outcome.results.is_empty() {
            return;
        }
        let session = self.backend.session();
        let text = match (&outcome.bound, self.format) {
            (Some(name), _) => {
                let ty = session
                    .handles()
                    .into_iter()
                    .find(|(h, _)| h == name)
                    .map_or_else(String::new, |(_, ty)| format!(": own<{ty}>"));
                format!("{name}{ty}")
            }
            (None, Format::Wave) => session.render_wave(&outcome.results),
            (None, Format::Json) => session.render_json(&outcome.results[0]).to_string(),
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// Runs a `:` command; `false` when it ends the session.
    fn command(&mut self, command: Command) -> bool {
        match command {
            Command::Help => print!("{}", Command::help()),
            Command::Exports => self.exports(),
            Command::Type(name) => self.type_of(&name),
            Command::Handles => {
                let handles = self.backend.session().handles();
                if handles.is_empty() {
                    println!(
                        "no live handles; `let NAME = CALL` names the resource a call returns"
                    );
                }
                for (name, ty) in handles {
                    println!("{name}: own<{ty}>");
                }
            }
            Command::Reload => match self.backend.reload() {
                Ok(()) => {
                    self.wit = self
                        .backend
                        .component_bytes()
                        .map(|bytes| WitIndex::of_component(&bytes))
                        .unwrap_or_default();
                    self.reloaded = true;
                    let exports = self.backend.session().component().exports().funcs().len();
                    println!(
                        "reloaded: a new instance with {exports} exports; the old handles are gone"
                    );
                }
                Err(error) => eprintln!("{}", self.backend.explain(&error)),
            },
            // Said on stderr, so piped results stay results only.
            Command::Json => {
                self.format = Format::Json;
                eprintln!("results print as JSON");
            }
            Command::Wave => {
                self.format = Format::Wave;
                eprintln!("results print as WAVE");
            }
            Command::Quit => return false,
        }
        true
    }

    fn exports(&mut self) {
        let catalog = self.backend.session().component().exports();
        for func in catalog.funcs() {
            let docs = self
                .wit
                .function(func.interface.as_deref(), &func.name)
                .map(|decl| {
                    decl.lines()
                        .filter(|l| l.starts_with("///"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            for line in docs {
                println!("{line}");
            }
            println!("{}", catalog.signature(func));
        }
    }

    fn type_of(&mut self, name: &str) {
        if let Some(decl) = self.wit.type_decl(name) {
            println!("{decl}");
            return;
        }
        let catalog = self.backend.session().component().exports();
        match catalog.resolve(name) {
            Ok(func) => match self.wit.function(func.interface.as_deref(), &func.name) {
                Some(decl) => println!("{decl}"),
                None => println!("{}", catalog.signature(func)),
            },
            Err(_) => {
                let known: Vec<&str> = self.wit.type_names().collect();
                let hint = weft_wit::closest(name, known.iter().copied())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                eprintln!("error: no type or export named `{name}`{hint}");
            }
        }
    }
}
