//! Helpers shared by the runtime's integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use weft_runtime::{
    Capabilities, LoadedComponent, Output, Runtime, RuntimeConfig, Session, SessionOptions,
};

/// One runtime for the whole test binary, with fuel counting on and a private cache.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("weft-runtime-tests-{}", std::process::id()));
        Runtime::new(RuntimeConfig {
            cache: Some(weft_runtime::CompileCache::new(dir)),
            fuel: true,
            ..RuntimeConfig::default()
        })
        .expect("runtime")
    })
}

/// Loads the guest `name` built by weft-test-guests.
pub fn load(name: &str) -> LoadedComponent {
    runtime()
        .load_file(weft_test_guests::path(name))
        .expect("guest loads")
}

/// Options capturing the guest's output instead of printing it.
pub fn quiet() -> SessionOptions {
    SessionOptions {
        capabilities: Capabilities {
            stdout: Output::Capture,
            stderr: Output::Capture,
            ..Capabilities::default()
        },
        ..SessionOptions::default()
    }
}

/// A fresh session of the guest `name`.
pub fn session(name: &str) -> Session {
    runtime().session(&load(name), quiet()).expect("session")
}
