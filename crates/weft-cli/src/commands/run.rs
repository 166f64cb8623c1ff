//! `weft run`: run a `wasi:cli/command` component as a program, as `wasmtime run` does.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use weft_runtime::{CallError, Runtime, TrapKind, Val};

use crate::hints;
use crate::options::RunOptions;

/// Run a command component: call its `wasi:cli/run` export with ARGS, the process's
/// stdin, stdout and stderr, and the granted directories and variables.
///
/// Its exit status is the component's: 0 when `run` returns `ok` or it calls
/// `wasi:cli/exit` with `ok`, 1 when it returns or exits with `err` (WASI 0.2's `exit`
/// carries no other status). A component without `wasi:cli/run` is a library; call its
/// exports with `weft call`.
#[derive(Args)]
#[command(after_help = "Examples:
  weft run app.wasm
  weft run --dir data::/data --env GREETING=hi app.wasm cat /data/notes.txt
  weft run app.wasm -- --flag-for-the-component

Exit status: the component's (see above); 1 when it cannot be run, 2 for usage errors.")]
pub struct RunCommand {
    #[command(flatten)]
    pub run: RunOptions,
    /// The component (binary or WAT): one that exports `wasi:cli/run`, as a Rust binary
    /// built for `wasm32-wasip2` does.
    pub component: PathBuf,
    /// The component's arguments; its `argv[0]` is the file's name. Put `--` before
    /// arguments that start with `-`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// The component's own exit status, for `main` to exit with.
#[derive(Debug, thiserror::Error)]
#[error("the component exited with status {0}")]
pub struct GuestExit(pub u8);

impl RunCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let runtime = Runtime::new(self.run.runtime_config())?;
        let component = runtime
            .load_file(&self.component)
            .map_err(hints::load_error)?;
        let name = self.component.display().to_string();
        let Some(entry) = component
            .exports()
            .funcs()
            .iter()
            .find(|f| {
                f.name == "run"
                    && f.interface
                        .as_deref()
                        .is_some_and(|i| i.starts_with("wasi:cli/run@0.2."))
            })
            .cloned()
        else {
            bail!(
                "`{name}` exports no `wasi:cli/run@0.2`: it is not a command component; call its exports with `weft call {name} ...`"
            );
        };
        let mut options = self.run.session_options()?;
        let argv0 = self
            .component
            .file_name()
            .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
        options.capabilities.args = std::iter::once(argv0).chain(self.args).collect();
        // A program reads the terminal's stdin, as under `wasmtime run`.
        options.capabilities.stdin = true;
        let mut session = runtime
            .session(&component, options)
            .map_err(hints::session_error)?;
        match session.invoke(&entry, &[]) {
            Ok(results) => match results.first() {
                Some(Val::Result(Err(_))) => Err(GuestExit(1).into()),
                _ => Ok(()),
            },
            Err(error) => match exit_status(&error) {
                Some(0) => Ok(()),
                // wasmtime-wasi reports `exit(err)` as 1; a status past a byte is a failure.
                Some(code) => Err(GuestExit(u8::try_from(code).unwrap_or(1)).into()),
                None => Err(hints::call_error(error)),
            },
        }
    }
}

/// The status the guest passed to `wasi:cli/exit`, if that is what ended the call.
fn exit_status(error: &CallError) -> Option<i32> {
    match error {
        CallError::Trap { trap, .. } => match trap.kind {
            TrapKind::Exit(code) => Some(code),
            _ => None,
        },
        _ => None,
    }
}
