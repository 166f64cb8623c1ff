//! A `wasi:cli/command` component, as `cargo build --target wasm32-wasip2` makes one
//! from any Rust binary. What it does depends on its first argument:
//! `cat FILE` prints a file, `echo` copies stdin to stdout, `exit N` exits with status
//! `N`, `fail` returns an error from `main`; with no argument it prints its arguments
//! and `$GREETING`.

use std::io::{Read, Write};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let rest = &args[1..];
    match rest.first().map(String::as_str) {
        Some("cat") => {
            let path = rest.get(1).ok_or("usage: cat FILE")?;
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            print!("{text}");
        }
        Some("echo") => {
            let mut input = Vec::new();
            std::io::stdin()
                .read_to_end(&mut input)
                .map_err(|e| e.to_string())?;
            std::io::stdout()
                .write_all(&input)
                .map_err(|e| e.to_string())?;
        }
        Some("exit") => {
            let code = rest.get(1).and_then(|c| c.parse().ok()).unwrap_or(0);
            std::process::exit(code);
        }
        Some("fail") => return Err("failing as asked".to_string()),
        _ => {
            println!("args: {rest:?}");
            match std::env::var("GREETING") {
                Ok(greeting) => println!("GREETING={greeting}"),
                Err(_) => println!("GREETING is not set"),
            }
        }
    }
    Ok(())
}
