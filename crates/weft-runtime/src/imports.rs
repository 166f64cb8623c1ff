//! The import registry: what each import of a component is bound to.
//!
//! An [`Imports`] starts with WASI 0.2 (including `wasi:http`, outgoing requests
//! denied unless granted by [`Capabilities`](crate::Capabilities)) and takes entries
//! keyed by interface (`ns:pkg/iface`, with or without `@version`) or by function
//! (`ns:pkg/iface#func`, or a bare name for a function the world imports directly):
//!
//! - a host function over [`Val`]s ([`Imports::func`], [`Imports::func_async`]);
//! - typed definitions the embedder adds to the wasmtime [`Linker`] itself, e.g. from
//!   `bindgen!`'s `add_to_linker` ([`Imports::define`]);
//! - a [`Mock`]: fixed or scripted results, in WAVE or JSON;
//! - a trap ([`Imports::trap`]);
//! - a forward to an export of another instance ([`Imports::forward`]).
//!
//! Everything is checked when the component is linked ([`Runtime::prepare`]), not at the
//! first call: a mock whose value does not fit, a forward to an export of another type,
//! or an import nobody provides is an error then.
//!
//! [`Runtime::prepare`]: crate::Runtime::prepare

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Val};

use crate::session::{CallError, Session};
use crate::state::HostState;

/// A host function over dynamic values: it reads `params` and writes every slot of
/// `results`.
pub type HostFn<T> = dyn Fn(StoreContextMut<'_, HostState<T>>, &[Val], &mut [Val]) -> wasmtime::Result<()>
    + Send
    + Sync;

/// The future an async host function returns: the results, in order.
pub type HostFuture = Pin<Box<dyn Future<Output = wasmtime::Result<Vec<Val>>> + Send>>;

/// An async host function over dynamic values: it takes the arguments and returns a
/// future of the results. It does not see the store while it runs (other calls of the
/// same store may run meanwhile); state it needs is what it captures. Needs
/// [`Imports::asynchronous`].
pub type AsyncHostFn = dyn Fn(Vec<Val>) -> HostFuture + Send + Sync;

/// Typed definitions an embedder adds to the linker (for example a `bindgen!`
/// interface's `add_to_linker`).
pub type Define<T> = dyn Fn(&mut Linker<HostState<T>>) -> wasmtime::Result<()> + Send + Sync;

/// Whether components are linked for synchronous or asynchronous calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// WASI's synchronous bindings; sessions are called with `call_*`.
    #[default]
    Sync,
    /// WASI's async bindings and async host functions; sessions are called with
    /// `call_*_async` on a tokio runtime.
    Async,
}

/// What one import is bound to.
pub(crate) enum Provider<T: 'static> {
    Host(Arc<HostFn<T>>),
    HostAsync(Arc<AsyncHostFn>),
    Mock(Mock),
    Trap(String),
    Forward(Forward),
    Member(crate::app::MemberExport),
}

/// One registered entry.
pub(crate) struct Entry<T: 'static> {
    pub(crate) key: String,
    pub(crate) provider: Provider<T>,
}

/// The registry of what a component's imports are bound to.
pub struct Imports<T: 'static = ()> {
    pub(crate) mode: Mode,
    pub(crate) wasi: bool,
    pub(crate) wasi_p3: bool,
    pub(crate) entries: Vec<Entry<T>>,
    pub(crate) defines: Vec<(String, Arc<Define<T>>)>,
    pub(crate) trap_unknown: bool,
    pub(crate) record: bool,
}

/// One call a guest made to an import served by this registry (not WASI's), as
/// [`Imports::record_calls`] keeps it.
#[derive(Debug, Clone)]
pub struct ImportCall {
    /// The import: `ns:pkg/iface@1.0.0#func`, or the bare name of a world-level one.
    pub import: String,
    /// The arguments it was called with.
    pub args: Vec<Val>,
    /// What it returned, or the message it trapped with.
    pub results: Result<Vec<Val>, String>,
}

impl<T: 'static> Clone for Imports<T> {
    fn clone(&self) -> Self {
        Imports {
            mode: self.mode,
            wasi: self.wasi,
            wasi_p3: self.wasi_p3,
            entries: self
                .entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    provider: e.provider.clone(),
                })
                .collect(),
            defines: self.defines.clone(),
            trap_unknown: self.trap_unknown,
            record: self.record,
        }
    }
}

impl<T: 'static> Clone for Provider<T> {
    fn clone(&self) -> Self {
        match self {
            Provider::Host(f) => Provider::Host(f.clone()),
            Provider::HostAsync(f) => Provider::HostAsync(f.clone()),
            Provider::Mock(m) => Provider::Mock(m.clone()),
            Provider::Trap(m) => Provider::Trap(m.clone()),
            Provider::Forward(f) => Provider::Forward(f.clone()),
            Provider::Member(m) => Provider::Member(m.clone()),
        }
    }
}

/// WASI 0.2 and `wasi:http` 0.2, synchronous, for stores carrying `T`:
/// `Imports::<MyState>::default()`.
impl<T: 'static> Default for Imports<T> {
    fn default() -> Self {
        Imports {
            mode: Mode::Sync,
            wasi: true,
            wasi_p3: false,
            entries: Vec::new(),
            defines: Vec::new(),
            trap_unknown: false,
            record: false,
        }
    }
}

impl Imports<()> {
    /// WASI 0.2 and `wasi:http` 0.2, synchronous, and nothing else, for stores without
    /// embedder data; `Imports::<T>::default()` is the same for stores carrying `T`.
    pub fn new() -> Self {
        Imports::default()
    }
}

impl<T: 'static> fmt::Debug for Imports<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Imports")
            .field("mode", &self.mode)
            .field("wasi", &self.wasi)
            .field("wasi_p3", &self.wasi_p3)
            .field(
                "entries",
                &self.entries.iter().map(|e| &e.key).collect::<Vec<_>>(),
            )
            .field(
                "defines",
                &self.defines.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("trap_unknown", &self.trap_unknown)
            .finish()
    }
}

impl<T: 'static> Imports<T> {
    /// No WASI at all: only what is registered.
    pub fn without_wasi(mut self) -> Self {
        self.wasi = false;
        self
    }

    /// Links for async calls: WASI's async bindings, and async host functions allowed.
    pub fn asynchronous(mut self) -> Self {
        self.mode = Mode::Async;
        self
    }

    /// Links WASI 0.3 and `wasi:http` 0.3 beside 0.2 (wasmtime 48's `p3`, marked
    /// experimental and unstable there: no patch-release fixes), for components built for
    /// `wasi:http/service`. Implies [`Imports::asynchronous`]: WASI 0.3 is `async func`s.
    pub fn with_wasi_p3(mut self) -> Self {
        self.wasi_p3 = true;
        self.asynchronous()
    }

    /// The mode components are linked in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Binds the function `name` (`ns:pkg/iface#func`) to a host function over values.
    ///
    /// ```
    /// use weft_runtime::{Imports, Val};
    /// let imports = Imports::new().func("example:greeter/logging#log", |_store, params, _results| {
    ///     if let [Val::U8(level), Val::String(message)] = params {
    ///         println!("level {level}: {message}");
    ///     }
    ///     Ok(())
    /// });
    /// # drop(imports);
    /// ```
    pub fn func(
        mut self,
        name: &str,
        f: impl Fn(StoreContextMut<'_, HostState<T>>, &[Val], &mut [Val]) -> wasmtime::Result<()>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.push(name, Provider::Host(Arc::new(f)));
        self
    }

    /// Binds the function `name` to an async host function (see [`AsyncHostFn`]); needs
    /// [`Imports::asynchronous`]. It serves both a WIT `async func` import and a plain
    /// one (whose caller then waits, while other tasks of the runtime go on).
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft_runtime::{Imports, Val};
    /// let imports = Imports::new().asynchronous().func_async(
    ///     "weft:async-types/host-clock#sleep-ms",
    ///     |params| {
    ///         Box::pin(async move {
    ///             if let [Val::U32(ms)] = params.as_slice() {
    ///                 tokio::time::sleep(Duration::from_millis(u64::from(*ms))).await;
    ///             }
    ///             Ok(Vec::new())
    ///         })
    ///     },
    /// );
    /// # drop(imports);
    /// ```
    pub fn func_async(
        mut self,
        name: &str,
        f: impl Fn(Vec<Val>) -> HostFuture + Send + Sync + 'static,
    ) -> Self {
        self.push(name, Provider::HostAsync(Arc::new(f)));
        self
    }

    /// Lets the embedder define the interface `interface` in the linker itself, with
    /// typed functions (`func_wrap`) or a `bindgen!` interface's `add_to_linker`.
    /// wasmtime checks the types against the component when it is linked.
    pub fn define(
        mut self,
        interface: &str,
        define: impl Fn(&mut Linker<HostState<T>>) -> wasmtime::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.defines.push((interface.to_string(), Arc::new(define)));
        self
    }

    /// Binds the function (or every function of the interface) `name` to a mock.
    pub fn mock(mut self, name: &str, mock: Mock) -> Self {
        self.push(name, Provider::Mock(mock));
        self
    }

    /// Makes the function (or every function of the interface) `name` trap with `message`
    /// when called.
    pub fn trap(mut self, name: &str, message: impl Into<String>) -> Self {
        self.push(name, Provider::Trap(message.into()));
        self
    }

    /// Forwards the function `name` (or every function of the interface `name`, each to
    /// the export of the same name) to `target`.
    pub fn forward(mut self, name: &str, target: Forward) -> Self {
        self.push(name, Provider::Forward(target));
        self
    }

    /// Satisfies imports nobody provides with functions that trap when called, instead
    /// of refusing to link.
    pub fn trap_unknown(mut self, yes: bool) -> Self {
        self.trap_unknown = yes;
        self
    }

    /// Keeps every call the guest makes to an import this registry serves (host
    /// functions, mocks, traps and forwards; not WASI, and not `async func` imports or
    /// typed definitions), with its arguments and results, in the session's
    /// [`import_calls`](crate::Session::take_import_calls): a recording of what the
    /// component asked of its host.
    pub fn record_calls(mut self) -> Self {
        self.record = true;
        self
    }

    /// The host side of the seed's `example:greeter/logging` interface: messages are
    /// traced under the `guest` target and kept in the session's [`logs`](crate::Session::logs).
    pub fn greeter_logging(self) -> Self {
        self.func(
            "example:greeter/logging#log",
            |mut store, params, _results| {
                if let [Val::U8(level), Val::String(message)] = params {
                    store.data_mut().log(*level, message.clone());
                }
                Ok(())
            },
        )
    }

    /// Binds the import `name` to an export of an earlier member of a linked
    /// application.
    pub(crate) fn link_member(&mut self, name: &str, export: crate::app::MemberExport) {
        self.push(name, Provider::Member(export));
    }

    fn push(&mut self, key: &str, provider: Provider<T>) {
        self.entries.push(Entry {
            key: key.to_string(),
            provider,
        });
    }

    /// The entry for function `func` of interface `interface` (`None` for a function the
    /// world imports directly): a function entry wins over an interface entry; the last
    /// registered wins among equals.
    pub(crate) fn lookup(&self, interface: Option<&str>, func: &str) -> Option<&Entry<T>> {
        let by_func = self.entries.iter().rev().find(|e| match interface {
            Some(i) => e
                .key
                .split_once('#')
                .is_some_and(|(ki, kf)| kf == func && names_interface(ki, i)),
            None => e.key == func,
        });
        by_func.or_else(|| {
            let i = interface?;
            self.entries
                .iter()
                .rev()
                .find(|e| !e.key.contains('#') && names_interface(&e.key, i))
        })
    }

    /// The typed definitions registered for `interface`.
    pub(crate) fn defines_for(&self, interface: &str) -> bool {
        self.defines
            .iter()
            .any(|(k, _)| names_interface(k, interface))
    }
}

/// Does the key `key` name the interface `full` (`ns:pkg/iface@1.2.3`)? A key without a
/// version names every version.
pub(crate) fn names_interface(key: &str, full: &str) -> bool {
    key == full
        || full
            .split_once('@')
            .is_some_and(|(unversioned, _)| key == unversioned)
}

/// Results a mocked import returns.
#[derive(Debug, Clone)]
pub struct Mock {
    pub(crate) results: Vec<MockValue>,
    pub(crate) repeat_last: bool,
}

/// One scripted result, before it is checked against the import's type.
#[derive(Debug, Clone)]
pub(crate) enum MockValue {
    Wave(String),
    Json(serde_json::Value),
    Unit,
}

impl Mock {
    /// Every call returns the value written in WAVE.
    pub fn wave(value: impl Into<String>) -> Mock {
        Mock {
            results: vec![MockValue::Wave(value.into())],
            repeat_last: true,
        }
    }

    /// Every call returns the value written in JSON (weft's JSON mapping).
    pub fn json(value: serde_json::Value) -> Mock {
        Mock {
            results: vec![MockValue::Json(value)],
            repeat_last: true,
        }
    }

    /// Calls return nothing (for functions without a result).
    pub fn unit() -> Mock {
        Mock {
            results: vec![MockValue::Unit],
            repeat_last: true,
        }
    }

    /// The n-th call returns the n-th WAVE value; a call past the end traps.
    pub fn wave_sequence<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Mock {
        Mock {
            results: values
                .into_iter()
                .map(|v| MockValue::Wave(v.into()))
                .collect(),
            repeat_last: false,
        }
    }

    /// After the scripted values run out, keep returning the last one.
    pub fn then_repeat(mut self) -> Mock {
        self.repeat_last = true;
        self
    }
}

/// A call forwarded to an export of another instance (in its own store).
///
/// Values cross by copy, so the forwarded function's parameters and results must not
/// hold resources; forwarding with resources is runtime linking in one store.
#[derive(Clone)]
pub struct Forward {
    pub(crate) export: Option<String>,
    pub(crate) target: Arc<dyn ForwardTarget>,
}

impl fmt::Debug for Forward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forward")
            .field("export", &self.export)
            .finish_non_exhaustive()
    }
}

impl Forward {
    /// Forwards to `session`; each import function is sent to the export of the same
    /// name (an interface entry) or to `export` when one is named with [`Forward::export`].
    pub fn to<U: Send + 'static>(session: Arc<Mutex<Session<U>>>) -> Forward {
        Forward {
            export: None,
            target: Arc::new(session),
        }
    }

    /// Sends the call to the export `export` of the target.
    pub fn export(mut self, export: impl Into<String>) -> Forward {
        self.export = Some(export.into());
        self
    }
}

/// What a [`Forward`] calls into.
pub(crate) trait ForwardTarget: Send + Sync {
    /// The WIT signature of `export`, for the link-time type check.
    fn signature(&self, export: &str) -> Result<ForwardSignature, CallError>;
    /// Calls `export`.
    fn call(&self, export: &str, args: &[Val]) -> Result<Vec<Val>, CallError>;
}

/// The parameter and result types of a forward target, as WIT.
pub(crate) struct ForwardSignature {
    pub(crate) text: String,
    pub(crate) has_resources: bool,
}

impl<U: Send + 'static> ForwardTarget for Mutex<Session<U>> {
    fn signature(&self, export: &str) -> Result<ForwardSignature, CallError> {
        let session = self.lock().unwrap_or_else(|p| p.into_inner());
        let func = session.component().exports().resolve(export)?;
        Ok(ForwardSignature {
            text: crate::link::func_sig(&func.ty),
            has_resources: crate::link::func_has_resources(&func.ty),
        })
    }

    fn call(&self, export: &str, args: &[Val]) -> Result<Vec<Val>, CallError> {
        let mut session = self.lock().unwrap_or_else(|p| p.into_inner());
        session.call_vals(export, args)
    }
}

impl<U: Send + 'static> ForwardTarget for Arc<Mutex<Session<U>>> {
    fn signature(&self, export: &str) -> Result<ForwardSignature, CallError> {
        (**self).signature(export)
    }

    fn call(&self, export: &str, args: &[Val]) -> Result<Vec<Val>, CallError> {
        (**self).call(export, args)
    }
}
