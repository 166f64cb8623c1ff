//! One module per subcommand; the file name is the subcommand name.

pub mod call;
pub mod inspect;
