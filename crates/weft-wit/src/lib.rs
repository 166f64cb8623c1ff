//! WIT tooling for weft: load a package, explain what is wrong with it, print
//! it canonically, and tell what changed between two versions of it.
//!
//! # Brief overview
//!
//! * [`load`] reads a `.wit` file, a directory with `deps/`, a wasm-encoded WIT
//!   package or a component, and resolves it with `wit-parser`.
//! * When the WIT is invalid, [`LoadError::Invalid`] carries [`Diagnostic`]s:
//!   `wit-parser`'s message and location, the source line with a caret, and for
//!   the usual mistakes a [`Hint`] with the fix as text edits. Fixes are applied
//!   in memory to find the errors after the first one.
//! * [`summarize`] counts what a package defines; [`print()`] prints it with
//!   `wit-component`'s printer.
//! * [`diff()`] lists the changes between two versions, classifies each as
//!   major, minor or patch for the components that import and those that
//!   export each interface, checks the declared version bump, and cross-checks
//!   every world with `wit_component::semver_check`.
//!
//! * [`inspect()`] reports what a component binary is made of without compiling it.
//! * Facts every weft crate shares live here too: the one validator configuration
//!   ([`validate`]), which imports are WASI 0.2 ([`is_wasi_p2`]), and the one
//!   "did you mean" metric ([`closest`]).
//!
//! No wasmtime here: this crate needs only the wasm-tools family (`wit-parser`,
//! `wit-component`, `wasmparser`, `wasm-metadata`).
//!
//! # Example
//!
//! ```
//! let err = weft_wit::load_str("bad.wit", "package a:b;\ninterface i {\n  close: func;\n}\n")
//!     .unwrap_err();
//! let weft_wit::LoadError::Invalid { diagnostics, .. } = err else { panic!() };
//! let hint = diagnostics[0].hint.as_ref().unwrap();
//! assert_eq!(hint.code, weft_wit::HintCode::FuncWithoutParens);
//! assert!(hint.message.contains("close: func();"));
//! ```
#![deny(missing_docs)]

pub mod diagnose;
pub mod diff;
pub mod inspect;
pub mod load;
pub mod print;
mod render;
pub mod report;
mod scan;
mod sources;
mod suggest;
pub mod summary;
pub mod validate;
mod wasi;

pub use diagnose::{Diagnostic, Edit, Hint, HintCode, apply_fixes};
pub use diff::{Bump, Change, ChangeKind, DiffError, DiffReport, SemverCheck, Verdict, diff};
pub use inspect::{
    CustomSection, InspectError, Inspection, ModuleInfo, Producer, inspect, print_wit,
};
pub use load::{InputKind, LoadError, Loaded, MAX_WIT_TEXT, load, load_str, load_with};
pub use print::{PrintError, print, print_json};
pub use render::{documented_function, documented_typedef};
pub use report::{Location, Report};
pub use sources::Features;
pub use suggest::closest;
pub use summary::{ComponentSummary, Summary, summarize};
pub use wasi::{WASI_P2, WASI_P3, is_wasi_p2, is_wasi_p3};

/// Loads `path` and summarizes it: the whole of `weft wit check`.
pub fn check(path: &std::path::Path) -> Result<Summary, LoadError> {
    load(path).map(|l| summarize(&l))
}
