//! A logger component: exports `example:greeter/logging@1.0.0`, writing each message to
//! stderr as `[LEVEL] message`.
//!
//! Composed into the greeter's `logging` import, it turns the greeter into a component that
//! only needs `wasi:cli` from its host. `eprintln!` on `wasm32-wasip2` writes through
//! `wasi:cli/stderr`.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/greeter", "wit"],
        world: "weft:logger/logger@0.1.0",
    });
}

use bindings::exports::example::greeter::logging::Guest;

/// The component's export implementation.
struct LoggerComponent;

/// The name printed for `level` (0 trace .. 4 error; `level(N)` for anything else).
fn level_name(level: u8) -> String {
    match level {
        0 => "trace".to_owned(),
        1 => "debug".to_owned(),
        2 => "info".to_owned(),
        3 => "warn".to_owned(),
        4 => "error".to_owned(),
        n => format!("level({n})"),
    }
}

impl Guest for LoggerComponent {
    fn log(level: u8, message: String) {
        eprintln!("[{}] {message}", level_name(level));
    }
}

bindings::export!(LoggerComponent with_types_in bindings);
