//! `weft wit check` as a library call: load a WIT file, directory or component
//! and print the summary or the diagnostics. Used by `benches/wit-check.sh` to
//! time the library apart from the `weft` binary's start-up.
//!
//! ```text
//! cargo run --release -p weft-wit --example wit-check -- wit/greeter
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: wit-check PATH");
        return ExitCode::from(2);
    };
    match weft_wit::load(std::path::Path::new(&path)) {
        Ok(loaded) => {
            println!("ok: {}", weft_wit::summarize(&loaded));
            ExitCode::SUCCESS
        }
        Err(weft_wit::LoadError::Invalid { diagnostics, .. }) => {
            eprint!("{}", weft_wit::diagnose::render(&diagnostics));
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
