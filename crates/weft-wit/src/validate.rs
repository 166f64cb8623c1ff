//! The one validator configuration: every weft command that validates a binary
//! (`inspect`, `call`, `compose`, `targets`, ...) accepts the same components.

use wasmparser::{BinaryReaderError, Validator, WasmFeatures};

/// The wasm features weft accepts: wasmparser's defaults, which are what wasmtime 48
/// enables by default (component-model async included). Proposals past them (shared
/// everything threads, component-model GC, ...) are refused with the validator's message
/// and offset instead of failing later in the engine.
pub fn features() -> WasmFeatures {
    WasmFeatures::default()
}

/// Validates a component or core module with [`features`].
pub fn validate(bytes: &[u8]) -> Result<(), BinaryReaderError> {
    Validator::new_with_features(features())
        .validate_all(bytes)
        .map(|_| ())
}
