//! weft's host runtime: load, validate and call WebAssembly components on wasmtime.
//!
//! # Overview
//!
//! A [`Runtime`] owns one wasmtime engine (component model, cranelift, epoch
//! deadlines, the pooling allocator where the host allows it) and an on-disk
//! compile cache. [`Runtime::load_file`] reads and compiles a component;
//! [`Runtime::session`] links its imports (WASI 0.2, host interfaces) and
//! instantiates it in a [`Session`], which calls exports with dynamic values
//! written as WAVE text or JSON and keeps the resource handles calls return.
//!
//! # Example
//!
//! ```no_run
//! use weft_runtime::{Runtime, RuntimeConfig, SessionOptions};
//!
//! # fn main() -> anyhow::Result<()> {
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let greeter = runtime.load_file("greeter.wasm")?;
//! let mut session = runtime.session(&greeter, SessionOptions::default())?;
//! let text = session.call_wave(r#"greet({name: "Ada", title: some("Dr.")})"#)?;
//! assert_eq!(text, r#""Hello, Dr. Ada! Welcome aboard.""#);
//! let report = session.finish();
//! assert!(report.leaked.is_empty());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod cache;
pub mod call;
pub mod exports;
pub mod host;
pub mod inspect;
pub mod linker;
pub mod load;
pub mod runtime;
pub mod session;
pub mod trap;
pub mod values;

pub use cache::CompileCache;
pub use exports::{ExportCatalog, ExportFunc, FuncKind};
pub use host::{Capabilities, LogRecord, Output, Preopen};
pub use load::{LoadError, LoadedComponent};
pub use runtime::{Limits, Prepared, Runtime, RuntimeConfig, SessionOptions};
pub use session::{CallError, Outcome, Session, SessionError, SessionReport};
pub use trap::{Trap, TrapKind};
pub use wasmtime::component::Val;
