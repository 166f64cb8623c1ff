//! `weft repl`: an interactive session over one instance of a component.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use weft_runtime::{Outcome, Runtime, Session, Statement};

use crate::hints;
use crate::options::{RunOptions, WacDeps};
use crate::session::{Calls, Target};

/// Try a component interactively: `weft call`'s statements, one at a time, in one
/// instance.
///
/// Tab completes export and method names, handles, record fields, enum and variant
/// cases and flags from the component's WIT. A statement with an open bracket or
/// string goes on to the next line. `:help` lists the commands (`:exports`, `:type`,
/// `:handles`, `:reload`, `:json`, `:wave`, `:quit`).
#[derive(Args)]
#[command(after_help = "Examples:
  weft repl greeter.wasm
  weft repl types.wasm --max-memory 64MiB --history types.history
  > let c = counter(\"x\")
  > c.increment(2)
  > :type person")]
pub struct ReplCommand {
    /// The component: a binary `.wasm` or WAT text; or a composition (`compose.toml`,
    /// `.wac`), linked at run time.
    pub component: PathBuf,
    /// Keep the history in FILE [default: $XDG_DATA_HOME/weft/repl-history or
    /// ~/.local/share/weft/repl-history].
    #[arg(long, value_name = "FILE", conflicts_with = "no_history")]
    pub history: Option<PathBuf>,
    /// Keep no history.
    #[arg(long)]
    pub no_history: bool,
    #[command(flatten)]
    pub wac: WacDeps,
    #[command(flatten)]
    pub run: RunOptions,
}

impl ReplCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let runtime = Runtime::new(self.run.runtime_config())?;
        let calls = start(&runtime, &self)?;
        let history = match (self.no_history, &self.history) {
            (true, _) => None,
            (false, Some(path)) => Some(path.clone()),
            (false, None) => weft_repl::default_history_path(),
        };
        let options = weft_repl::Options {
            history,
            title: self.component.display().to_string(),
        };
        let mut backend = CliBackend {
            runtime,
            command: self,
            calls: Some(calls),
        };
        let result = weft_repl::run(&mut backend, &options);
        if let Some(calls) = backend.calls.take() {
            let report = calls.finish();
            if !report.leaked.is_empty() {
                crate::output::stderr_line!(
                    "warning: {} handle(s) leaked (the instance had failed): {}",
                    report.leaked.len(),
                    report.leaked.join(", ")
                );
            }
        }
        result
    }
}

fn start(runtime: &Runtime, command: &ReplCommand) -> anyhow::Result<Calls> {
    let target = Target::load(runtime, &command.component, &command.wac)?;
    Calls::start(runtime, &target, &command.run, &[], false)
}

/// The session `weft call` would run, reloadable.
struct CliBackend {
    runtime: Runtime,
    command: ReplCommand,
    /// Always `Some` while the REPL runs; taken to finish it.
    calls: Option<Calls>,
}

impl CliBackend {
    fn calls(&mut self) -> &mut Calls {
        self.calls
            .as_mut()
            .expect("the session runs until the REPL ends")
    }
}

impl weft_repl::Backend for CliBackend {
    fn session(&mut self) -> &mut Session {
        &mut self.calls().session
    }

    fn eval(&mut self, statement: &Statement) -> anyhow::Result<Option<Outcome>> {
        self.calls().eval(statement).map_err(hints::call_error)
    }

    fn reload(&mut self) -> anyhow::Result<()> {
        let fresh = start(&self.runtime, &self.command)?;
        if let Some(old) = self.calls.replace(fresh) {
            old.finish();
        }
        Ok(())
    }

    fn component_bytes(&self) -> Option<Vec<u8>> {
        let path = &self.command.component;
        if weft_link::is_composition(path) {
            return None;
        }
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read `{}`", path.display()))
            .ok()?;
        weft_runtime::to_binary(&path.display().to_string(), bytes).ok()
    }

    fn explain(&self, error: &anyhow::Error) -> String {
        crate::output::error_text(error, false)
    }
}
