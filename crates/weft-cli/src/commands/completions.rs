//! `weft completions`: a shell completion script, from weft's own clap definition.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Print a completion script for a shell: subcommands, flags and their values.
#[derive(Args)]
#[command(after_help = "Examples:
  weft completions bash > ~/.local/share/bash-completion/completions/weft
  weft completions zsh > ~/.zfunc/_weft
  weft completions fish > ~/.config/fish/completions/weft.fish

Exit status: 0 when the script was written, 1 on any error.")]
pub struct CompletionsCommand {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut crate::Weft::command(), "weft", &mut script);
        let mut out = std::io::stdout().lock();
        out.write_all(&script)?;
        out.flush()?;
        Ok(())
    }
}
