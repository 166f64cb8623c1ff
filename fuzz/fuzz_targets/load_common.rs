//! What `weft inspect` and `weft call` do to a file before and after the first call,
//! shared by the `load` and `load_smith` targets.

use std::sync::OnceLock;

use weft_runtime::{Limits, Runtime, RuntimeConfig, SessionOptions, Val};

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(RuntimeConfig {
            cache: None,
            fuel: true,
            pooling: false,
            ..RuntimeConfig::default()
        })
        .expect("a runtime")
    })
}

/// Converts, inspects, prints the WIT of, validates and compiles `bytes`; with `call`, also
/// calls every export with zero arguments under a fuel limit.
pub fn load_and_inspect(bytes: Vec<u8>, call: bool) {
    let Ok(binary) = weft_runtime::to_binary("fuzz.wasm", bytes) else {
        return;
    };
    if let Ok(inspection) = weft_wit::inspect(&binary) {
        let _ = format!("{inspection:?}");
    }
    let _ = weft_wit::print_wit(&binary);
    let Ok(component) = runtime().load_bytes("fuzz.wasm", binary) else {
        return;
    };
    for func in component.exports().funcs() {
        let _ = (func.qualified_name(), func.signature_with(&[]));
    }
    if !call {
        return;
    }
    let options = SessionOptions {
        limits: Limits {
            fuel: Some(100_000),
            max_memory: 64 << 20,
            ..Limits::default()
        },
        ..SessionOptions::default()
    };
    let names: Vec<_> = component
        .exports()
        .funcs()
        .iter()
        .map(|f| (f.qualified_name(), f.ty.params().len()))
        .collect();
    let Ok(mut session) = runtime().session(&component, options.clone()) else {
        return;
    };
    for (name, params) in names {
        if session.is_dead() {
            match runtime().session(&component, options.clone()) {
                Ok(fresh) => session = fresh,
                Err(_) => return,
            }
        }
        let args = vec![Val::S32(0); params];
        if let Err(error) = session.call_vals(&name, &args) {
            let _ = error.to_string();
        }
    }
}
