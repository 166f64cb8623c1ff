//! The one place that prints errors and sets up logging for the `weft` binary.

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

/// Writes a line to stderr. A stderr that cannot be written (closed, `/dev/full`) is
/// ignored: there is nowhere left to report it, and weft must not panic over it.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use stderr_line;

/// Logs go to stderr. Guest log messages (target `guest`) are always shown; weft's
/// own messages from `warn` up, weft's debug messages with `-v`, everything (wasmtime's
/// too) with `-vv`. `RUST_LOG` overrides all of it.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn,guest=trace,weft::access=info,weft::serve=info",
        1 => {
            "warn,weft=debug,weft_runtime=debug,weft_compose=debug,weft_wit=debug,weft_plugins=debug,weft_serve=debug,guest=trace,weft::access=info,weft::serve=debug"
        }
        _ => "debug,guest=trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .without_time()
        .with_target(true)
        // It reports a failed write to stderr with `eprintln!`, which panics when stderr
        // is what failed.
        .log_internal_errors(false)
        .init();
}

/// The longest line of an error printed whole: a message that quotes its input (a WAT
/// parser quoting the offending line of a 200 MB file) is cut there.
const MAX_LINE: usize = 1000;

/// `text` with every line past [`MAX_LINE`] characters cut, saying how much was left out.
fn clip_lines(text: &str) -> String {
    text.lines()
        .map(|line| match line.char_indices().nth(MAX_LINE) {
            Some((cut, _)) => format!("{}… ({} more bytes)", &line[..cut], line.len() - cut),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints `error` and its causes; a broken pipe (output piped into `head`) is quiet.
pub fn print_error(error: &anyhow::Error) -> ExitCode {
    let broken_pipe = error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    // `weft run`: the component's own exit status, which it has already explained.
    if let Some(exit) = error.downcast_ref::<crate::commands::run::GuestExit>() {
        return ExitCode::from(exit.0);
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    stderr_line!("{}", error_text(error, color));
    ExitCode::FAILURE
}

/// `error` as weft prints it: `error: message`, then the causes that add something.
pub fn error_text(error: &anyhow::Error, color: bool) -> String {
    let label = if color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let message = error.to_string();
    let mut text = format!("{label}: {}", clip_lines(&message));
    // Library errors keep their sources, and many also say them in their own message:
    // print only the causes that add something.
    let causes: Vec<String> = error
        .chain()
        .skip(1)
        .map(|cause| cause.to_string())
        .filter(|cause| !message.contains(cause.as_str()))
        .collect();
    if !causes.is_empty() {
        text.push_str("\n\nCaused by:");
        for (i, cause) in causes.iter().enumerate() {
            text.push_str(&format!("\n  {i}: {}", clip_lines(cause)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_short_ones_kept() {
        let long = "x".repeat(5000);
        let clipped = clip_lines(&format!("first\n{long}\nlast"));
        let lines: Vec<&str> = clipped.lines().collect();
        assert_eq!(lines[0], "first");
        assert!(lines[1].starts_with(&"x".repeat(1000)) && lines[1].ends_with("(4000 more bytes)"));
        assert_eq!(lines[2], "last");
    }
}
