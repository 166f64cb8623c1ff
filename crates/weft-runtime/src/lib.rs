//! weft's host runtime: load, validate, link and call WebAssembly components on
//! wasmtime, as a library other hosts embed.
//!
//! # Overview
//!
//! - A [`Runtime`] owns one wasmtime engine (component model, cranelift, epoch
//!   deadlines, the pooling allocator where the host allows it) and an on-disk compile
//!   cache. [`Runtime::load_file`] reads and compiles a component.
//! - An [`Imports`] registry says what each import is bound to: WASI 0.2 with
//!   `wasi:http` (granted capabilities only), host functions, typed linker definitions,
//!   mocks, traps, or forwards to another instance.
//! - [`Runtime::prepare`] links a component once into a [`Prepared`], which is
//!   `Send + Sync` and instantiated cheaply, from many threads, into [`Session`]s that
//!   carry the embedder's own data `T`. A [`HotSwap`] replaces it while in use.
//! - A [`Session`] calls exports with [`Val`]s, WAVE text or JSON, synchronously or
//!   asynchronously, keeps the resource handles calls return, and offers the store and
//!   typed functions for hot paths.
//!
//! # Example
//!
//! ```no_run
//! use weft_runtime::{Capabilities, Imports, Limits, Runtime, RuntimeConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! struct Counter { logged: usize }
//!
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let greeter = runtime.load_file("greeter.wasm")?;
//! let imports = Imports::<Counter>::default().func(
//!     "example:greeter/logging#log",
//!     |mut store, _params, _results| {
//!         store.data_mut().data_mut().logged += 1;
//!         Ok(())
//!     },
//! );
//! let prepared = runtime.prepare(&greeter, &imports)?;
//! let mut session =
//!     prepared.instantiate_with(&Capabilities::default(), Limits::default(), Counter { logged: 0 })?;
//! let text = session.call_wave(r#"greet({name: "Ada", title: some("Dr.")})"#)?;
//! assert_eq!(text, r#""Hello, Dr. Ada! Welcome aboard.""#);
//! assert_eq!(session.data().logged, 1);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod app;
mod cache;
mod call;
mod exports;
mod imports;
mod limits;
mod link;
mod load;
mod pin;
mod runtime;
mod session;
mod state;
mod streams;
mod trap;
pub mod values;

pub use app::{App, AppError};
pub use cache::{CompileCache, DEFAULT_MAX_CACHE_BYTES};
pub use call::{CallText, Statement, SyntaxError, check_handle_name};
pub use exports::{
    ExportCatalog, ExportFunc, ExportResource, FuncKind, ResolveError, interface_matches,
};
pub use imports::{
    AsyncHostFn, Define, Forward, HostFn, HostFuture, ImportCall, Imports, Mock, Mode,
};
pub use limits::{
    DEFAULT_MAX_MEMORY, DEFAULT_MAX_TABLE_ELEMENTS, Limits, MemoryLimitExceeded,
    TableLimitExceeded, parse_duration, parse_size,
};
pub use link::{LinkError, MissingImports, UnknownImportCalled};
pub use load::{LoadError, LoadedComponent, to_binary};
pub use pin::{PinError, parse_sha256, read_pinned, sha256_hex};
pub use runtime::{
    HotSwap, PoolSizes, Prepared, Runtime, RuntimeConfig, RuntimeError, SessionOptions,
};
pub use session::{
    CallError, Outcome, STREAMED, Session, SessionError, SessionReport, TypedExport,
};
pub use state::{Capabilities, GrantError, HostState, LogRecord, Output, Preopen};
pub use streams::{
    StreamError, StreamItems, StreamSink, payload_supported, type_contains_stream_or_future,
};
pub use trap::{Trap, TrapKind};
pub use wasmtime;
pub use wasmtime::component::Val;
