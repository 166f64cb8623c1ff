//! One module per subcommand; the file name is the subcommand name.

pub mod call;
pub mod completions;
pub mod compose;
pub mod init;
pub mod inspect;
pub mod new;
pub mod optimize;
pub mod pipeline;
pub mod plug;
pub mod plugins;
pub mod repl;
pub mod run;
pub mod serve;
pub mod targets;
pub mod test;
pub mod wit;
