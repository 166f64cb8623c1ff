//! Calls whose parameters or results hold `stream<T>` or `future<T>` values.
//!
//! Such a call runs in the store's event loop (`run_concurrent`): the export is called
//! with `call_concurrent`, then every stream and future it returned is read to its end
//! while the guest keeps writing (the guest typically returns a stream at once and
//! fills it from a spawned task). A stream becomes the list of its items, or goes to
//! the session's [`StreamSink`] as it arrives; a future becomes its value.

use std::io::Read;
use std::sync::{Arc, Mutex};

use futures::channel::oneshot;
use wasmtime::AsContextMut;
use wasmtime::component::{Func, Type, Val};

use super::{CallError, Session};
use crate::exports::ExportFunc;
use crate::imports::Mode;
use crate::state::HostState;
use crate::streams::{
    self, Delivery, SharedSink, StreamError, StreamSink, for_each_stream_or_future,
};
use crate::trap::{Trap, TrapKind};

/// How a stream result that went to the sink shows in the call's result.
pub const STREAMED: &str = "streamed";

/// Why a call with streams did not give its results.
pub(super) enum Failure {
    /// The guest trapped or a limit stopped it.
    Trap(wasmtime::Error),
    /// A stream or future could not be read.
    Stream(StreamError),
}

impl From<StreamError> for Failure {
    fn from(error: StreamError) -> Self {
        Failure::Stream(error)
    }
}

/// A stream or future result being read.
enum Pending {
    Stream {
        ended: oneshot::Receiver<()>,
        delivery: Delivery,
    },
    Future(oneshot::Receiver<Val>),
}

impl Pending {
    /// Waits for the end of the stream or the future's value.
    async fn finish(self) -> Result<Val, StreamError> {
        match self {
            Pending::Stream { ended, delivery } => {
                // The sender is never sent on: its drop, with the reader's, is the end.
                let _ = ended.await;
                Ok(match delivery {
                    Delivery::Collect(items) => {
                        let items =
                            std::mem::take(&mut *items.lock().unwrap_or_else(|p| p.into_inner()));
                        Val::List(items)
                    }
                    Delivery::Sink(_) => Val::Enum(STREAMED.to_string()),
                })
            }
            Pending::Future(value) => value.await.map_err(|_| {
                StreamError::Wasmtime("the guest closed a future without writing its value".into())
            }),
        }
    }
}

impl<T: Send + 'static> Session<T> {
    /// Sends the items of stream results to `sink` as they arrive, instead of
    /// collecting each into a list; such a stream shows as `streamed` in the result.
    /// `None` goes back to collecting.
    pub fn set_stream_sink(&mut self, sink: Option<Box<dyn StreamSink>>) {
        self.stream_sink = sink.map(|s| Arc::new(Mutex::new(s)));
    }

    /// Supplies the bytes of the next call's first `stream<u8>` parameter from `input`;
    /// that call's text then leaves the parameter out.
    pub fn set_stream_input(&mut self, input: Option<Box<dyn Read + Send>>) {
        self.stream_input = input;
    }

    /// Whether the stream input set by [`Session::set_stream_input`] is still unused.
    pub fn has_stream_input(&self) -> bool {
        self.stream_input.is_some()
    }

    /// Takes the stream input as the value of a `stream<u8>` parameter.
    pub(crate) fn take_stream_input(&mut self) -> Option<Result<Val, StreamError>> {
        let input = self.stream_input.take()?;
        let wait = match self.mode {
            Mode::Sync => streams::InputWait::Block {
                deadline: self.limits.timeout.map(|t| std::time::Instant::now() + t),
            },
            Mode::Async => streams::InputWait::Yield,
        };
        Some(streams::stream_of_bytes(
            self.store.as_context_mut(),
            input,
            wait,
        ))
    }

    /// Runs a call whose parameters or results hold streams or futures, on this thread.
    pub(crate) fn invoke_streaming(
        &mut self,
        export: &ExportFunc,
        args: Vec<Val>,
    ) -> Result<Vec<Val>, CallError> {
        refuse_unmovable(export)?;
        let func = self.before_call(export, Mode::Sync)?;
        let call = drive(
            &mut self.store,
            func,
            export,
            args,
            self.stream_sink.clone(),
        );
        let Some(result) = block_on_until_idle(call) else {
            return Err(self.stop(export, stalled()));
        };
        self.settle(export, result)
    }

    /// [`Session::invoke_streaming`] for sessions linked for async calls; the timeout
    /// bounds the whole call, reading its streams included.
    pub(crate) async fn invoke_streaming_async(
        &mut self,
        export: &ExportFunc,
        args: Vec<Val>,
    ) -> Result<Vec<Val>, CallError> {
        refuse_unmovable(export)?;
        let func = self.before_call(export, Mode::Async)?;
        let sink = self.stream_sink.clone();
        let timeout = self.limits.timeout;
        let call = drive(&mut self.store, func, export, args, sink);
        let result = match timeout {
            Some(timeout) => match tokio::time::timeout(timeout, call).await {
                Ok(result) => result,
                Err(_elapsed) => {
                    let trap = Trap::deadline(&self.limits);
                    return Err(self.stop(export, trap));
                }
            },
            None => call.await,
        };
        self.settle(export, result)
    }

    /// The results of a finished call, or the failure that ends the session.
    fn settle(
        &mut self,
        export: &ExportFunc,
        result: Result<Vec<Val>, Failure>,
    ) -> Result<Vec<Val>, CallError> {
        self.settle_named(&export.qualified_name(), result)
    }

    /// [`Session::settle`] for calls named `name` (several, for a concurrent batch).
    pub(super) fn settle_named<R>(
        &mut self,
        name: &str,
        result: Result<R, Failure>,
    ) -> Result<R, CallError> {
        match result {
            Ok(results) => Ok(results),
            Err(Failure::Trap(error)) => Err(self.fail_named(name, error)),
            Err(Failure::Stream(error)) => {
                Err(self.stop_named(name, Trap::stopped(TrapKind::Other, error.to_string())))
            }
        }
    }

    /// Ends the session after `export` was stopped for `trap`.
    fn stop(&mut self, export: &ExportFunc, trap: Trap) -> CallError {
        self.stop_named(&export.qualified_name(), trap)
    }

    /// Ends the session after the calls named `name` were stopped for `trap`.
    pub(super) fn stop_named(&mut self, name: &str, trap: Trap) -> CallError {
        self.dead = Some(trap.message.clone());
        CallError::Trap {
            export: name.to_string(),
            trap: Box::new(trap),
        }
    }

    /// Turns the stream and future arguments of a call, written as the list of their
    /// items and as their value, into host-written streams and futures.
    pub(crate) fn host_streams(
        &mut self,
        params: &[(String, Type)],
        vals: &mut [Val],
    ) -> Result<(), StreamError> {
        let mut store = self.store.as_context_mut();
        for ((_, ty), val) in params.iter().zip(vals.iter_mut()) {
            for_each_stream_or_future::<StreamError>(ty, val, &mut |ty, val| {
                let made = match (ty, std::mem::replace(val, Val::Bool(false))) {
                    (Type::Stream(s), Val::List(items)) => {
                        streams::stream_of_items(store.as_context_mut(), s.ty().as_ref(), items)?
                    }
                    (Type::Future(f), Val::Option(Some(value))) => {
                        streams::future_of(store.as_context_mut(), f.ty().as_ref(), *value)?
                    }
                    // Already a stream or future in this store (prebuilt, or the input).
                    (_, other) => other,
                };
                *val = made;
                Ok(())
            })?;
        }
        Ok(())
    }
}

/// The trap of a guest left waiting on itself.
pub(super) fn stalled() -> Trap {
    Trap::stopped(
        TrapKind::Stalled,
        "the guest is waiting on a stream, future or task that nothing will complete",
    )
}

/// Refuses, before the guest runs, a call whose results hold a stream or future weft
/// could not read (its parameters were refused when their values were parsed).
pub(super) fn refuse_unmovable(export: &ExportFunc) -> Result<(), CallError> {
    match export
        .ty
        .results()
        .find_map(|t| streams::unsupported_payload(&t))
    {
        Some(payload) => Err(CallError::Stream {
            export: export.qualified_name(),
            error: StreamError::Unsupported(payload),
        }),
        None => Ok(()),
    }
}

/// One call of a batch run in the event loop: the function, its arguments, and its
/// result types (to find the streams and futures it returns).
pub(super) struct PlannedCall {
    func: Func,
    args: Vec<Val>,
    result_types: Vec<Type>,
}

impl PlannedCall {
    pub(super) fn new(func: Func, export: &ExportFunc, args: Vec<Val>) -> PlannedCall {
        PlannedCall {
            func,
            args,
            result_types: export.ty.results().collect(),
        }
    }
}

/// Calls `func` in the store's event loop and reads every stream and future it
/// returns to its end.
async fn drive<T: Send + 'static>(
    store: &mut wasmtime::Store<HostState<T>>,
    func: Func,
    export: &ExportFunc,
    args: Vec<Val>,
    sink: Option<SharedSink>,
) -> Result<Vec<Val>, Failure> {
    let call = PlannedCall::new(func, export, args);
    let mut results = drive_all(store, vec![call], sink).await?;
    Ok(results.pop().unwrap_or_default())
}

/// Runs `calls` at once in the store's event loop, each read to its end; their
/// results in order.
pub(super) async fn drive_all<T: Send + 'static>(
    store: &mut wasmtime::Store<HostState<T>>,
    calls: Vec<PlannedCall>,
    sink: Option<SharedSink>,
) -> Result<Vec<Vec<Val>>, Failure> {
    let outcome = store
        .run_concurrent(async move |accessor| -> Result<Vec<Vec<Val>>, Failure> {
            let runs = calls
                .into_iter()
                .map(|call| drive_call(accessor, call, sink.clone()));
            futures::future::try_join_all(runs).await
        })
        .await;
    outcome.map_err(Failure::Trap)?
}

/// One call inside the event loop, its streams and futures read to their end.
async fn drive_call<T: Send + 'static>(
    accessor: &wasmtime::component::Accessor<HostState<T>>,
    call: PlannedCall,
    sink: Option<SharedSink>,
) -> Result<Vec<Val>, Failure> {
    let PlannedCall {
        func,
        args,
        result_types,
    } = call;
    let mut results = vec![Val::Bool(false); result_types.len()];
    func.call_concurrent(accessor, &args, &mut results)
        .await
        .map_err(Failure::Trap)?;
    let pending = accessor.with(|mut access| {
        start_reading(access.as_context_mut(), &result_types, &mut results, sink)
    })?;
    let mut done = Vec::with_capacity(pending.len());
    for pending in pending {
        done.push(pending.finish().await?);
    }
    let mut done = done.into_iter();
    for (ty, val) in result_types.iter().zip(results.iter_mut()) {
        for_each_stream_or_future(ty, val, &mut |_, val| {
            if let Some(finished) = done.next() {
                *val = finished;
            }
            Ok::<(), StreamError>(())
        })?;
    }
    Ok(results)
}

/// Starts a reader on every stream and future in `results`.
fn start_reading<D: 'static>(
    mut store: wasmtime::StoreContextMut<'_, D>,
    types: &[Type],
    results: &mut [Val],
    sink: Option<SharedSink>,
) -> Result<Vec<Pending>, StreamError> {
    let mut pending = Vec::new();
    for (ty, val) in types.iter().zip(results.iter_mut()) {
        for_each_stream_or_future::<StreamError>(ty, val, &mut |ty, val| {
            let taken = std::mem::replace(val, Val::Bool(false));
            let started = match (ty, taken) {
                (Type::Stream(s), Val::Stream(stream)) => {
                    let delivery = match &sink {
                        Some(sink) => Delivery::Sink(Arc::clone(sink)),
                        None => Delivery::Collect(Arc::default()),
                    };
                    let ended = streams::read_stream(
                        store.as_context_mut(),
                        s.ty().as_ref(),
                        stream.clone(),
                        delivery.clone(),
                    );
                    ended
                        .map(|ended| Pending::Stream { ended, delivery })
                        .inspect_err(|_| {
                            streams::close(store.as_context_mut(), Val::Stream(stream))
                        })
                }
                (Type::Future(f), Val::Future(future)) => {
                    streams::read_future(store.as_context_mut(), f.ty().as_ref(), future.clone())
                        .map(Pending::Future)
                        .inspect_err(|_| {
                            streams::close(store.as_context_mut(), Val::Future(future))
                        })
                }
                (_, other) => {
                    *val = other;
                    return Ok(());
                }
            }?;
            pending.push(started);
            Ok(())
        })?;
    }
    Ok(pending)
}

/// Drives `future` on this thread; `None` when it is pending and nothing woke it. On a
/// sync session every host stream and future is ready at once (an input is read on
/// this thread, up to the deadline), so only a guest waiting on itself can leave the
/// event loop pending, and it would wait forever: wasmtime's own check for this
/// (`trap_on_idle`) is not public for `run_concurrent`.
pub(super) fn block_on_until_idle<F: std::future::Future>(future: F) -> Option<F::Output> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::{Context, Poll, Wake, Waker};
    struct Woken(AtomicBool);
    impl Wake for Woken {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let woken = Arc::new(Woken(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&woken));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        woken.0.store(false, Ordering::SeqCst);
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return Some(output),
            Poll::Pending if woken.0.load(Ordering::SeqCst) => {}
            Poll::Pending => return None,
        }
    }
}
