//! The `weft` command: one dispatch point over the subcommands in `commands/`.
//!
//! Each subcommand lives in its own file as a clap `XxxCommand` struct with a
//! `run(self) -> anyhow::Result<()>` method; the behaviour is in the library crates.

mod commands;
mod hints;
mod options;
mod output;
mod session;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A toolkit and runtime for WebAssembly components.
#[derive(Parser)]
#[command(name = "weft", version, about, max_term_width = 100)]
pub(crate) struct Weft {
    #[command(subcommand)]
    command: Command,
    /// Log more (-v: weft's debug messages, -vv: every crate's). `RUST_LOG` overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
}

#[derive(Subcommand)]
enum Command {
    Call(commands::call::CallCommand),
    Inspect(commands::inspect::InspectCommand),
    Compose(commands::compose::ComposeCommand),
    Plug(commands::plug::PlugCommand),
    #[command(subcommand)]
    Plugins(commands::plugins::PluginsCommand),
    Pipeline(commands::pipeline::PipelineCommand),
    Serve(commands::serve::ServeCommand),
    New(commands::new::NewCommand),
    Targets(commands::targets::TargetsCommand),
    Test(commands::test::TestCommand),
    #[command(subcommand)]
    Wit(commands::wit::WitCommand),
    Run(commands::run::RunCommand),
    Repl(commands::repl::ReplCommand),
    Init(commands::init::InitCommand),
    Optimize(commands::optimize::OptimizeCommand),
    Completions(commands::completions::CompletionsCommand),
}

impl Command {
    fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Call(c) => c.run(),
            Command::Inspect(c) => c.run(),
            Command::Compose(c) => c.run(),
            Command::Plug(c) => c.run(),
            Command::Plugins(c) => c.run(),
            Command::Pipeline(c) => c.run(),
            Command::Serve(c) => c.run(),
            Command::New(c) => c.run(),
            Command::Targets(c) => c.run(),
            Command::Test(c) => c.run(),
            Command::Wit(c) => c.run(),
            Command::Run(c) => c.run(),
            Command::Repl(c) => c.run(),
            Command::Init(c) => c.run(),
            Command::Optimize(c) => c.run(),
            Command::Completions(c) => c.run(),
        }
    }
}

fn main() -> ExitCode {
    let weft = Weft::parse();
    output::init_logging(weft.verbose);
    match weft.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => output::print_error(&error),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Weft::command().debug_assert();
    }
}
