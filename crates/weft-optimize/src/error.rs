//! What can go wrong, each with what to do about it.

use std::path::PathBuf;

use crate::wasm_opt::Origin;

/// Why `optimize` or `write_atomically` refused. Nothing is written when one of these
/// is returned; a failing wasm-opt is not among them (the stripped module is kept and the
/// report says why, see [`crate::WasmOptStatus`]).
#[derive(Debug, thiserror::Error)]
pub enum OptimizeError {
    /// The bytes do not start with the `\0asm` magic.
    #[error(
        "it is not a WebAssembly binary (it does not start with `\\0asm`); pass a `.wasm` component or core module"
    )]
    NotWasm,
    /// The binary ends inside a section.
    #[error(
        "it is truncated: {message} (at offset {offset:#x}); rebuild it, or copy it again if it was cut short in transfer"
    )]
    Truncated {
        /// The parser's message.
        message: String,
        /// Where the bytes ran out.
        offset: usize,
    },
    /// The binary parses but does not validate with the features weft accepts.
    #[error(
        "it does not validate: {message} (at offset {offset:#x}); only valid binaries are optimized, see `weft inspect`"
    )]
    Invalid {
        /// The validator's message.
        message: String,
        /// The offset of the offending item.
        offset: usize,
    },
    /// wasm-opt was named explicitly but does not run.
    #[error(
        "wasm-opt from {origin} (`{path}`) cannot be run: {reason}; install it with `bash scripts/setup-binaryen.sh`, or pass `--no-wasm-opt`",
        path = path.display()
    )]
    WasmOptUnavailable {
        /// The program that was tried.
        path: PathBuf,
        /// Where its name came from.
        origin: Origin,
        /// Why it did not run.
        reason: String,
    },
    /// The stripped result failed validation: a bug in weft, since stripping only drops
    /// custom sections.
    #[error(
        "the optimized output does not validate ({message}), so nothing was written; this is a bug in weft optimize: please report it with the input"
    )]
    OutputInvalid {
        /// The validator's message.
        message: String,
    },
    /// The output file could not be written.
    #[error(
        "failed to write `{path}`: {source}; check that its directory exists and is writable",
        path = path.display()
    )]
    Write {
        /// The file that was to be written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl OptimizeError {
    /// Classifies a parse or validation error of the input.
    pub(crate) fn from_input(error: wasmparser::BinaryReaderError) -> OptimizeError {
        let message = error.message().to_string();
        let offset = error.offset();
        // wasmparser reports running out of bytes this way whichever section it was in.
        if message.contains("unexpected end") {
            OptimizeError::Truncated { message, offset }
        } else {
            OptimizeError::Invalid { message, offset }
        }
    }
}
