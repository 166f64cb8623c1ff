//! The host's ends of `stream<T>` and `future<T>` values: streams and futures the host
//! writes for a call's arguments, and readers that take a call's stream and future
//! results to their end.
//!
//! wasmtime 48 moves stream items only as Rust types (`StreamReader<T>` for a static
//! `T`; there is no `Lift` for [`Val`]), so every function here dispatches on the WIT
//! payload type to a typed reader or writer. The payloads weft can name this way are
//! the scalars, `string` and `list<u8>`; any other payload is refused with
//! [`StreamError::Unsupported`], which names it.

use std::io::Read;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::task::AtomicWaker;
use wasmtime::component::{
    ComponentType, Destination, FutureAny, FutureConsumer, FutureReader, Lift, Lower, Source,
    StreamAny, StreamConsumer, StreamReader, StreamResult, Type, Val,
};
use wasmtime::{AsContextMut, StoreContextMut};

use crate::values::describe;

/// How many items a host reader takes from the guest at a time.
const READ_BATCH: usize = 64 * 1024;

/// Why a stream or future could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A payload type no typed reader or writer exists for.
    #[error(
        "weft cannot move `{0}` items: wasmtime moves stream and future items only as Rust types, and weft has them for the scalars, `string` and `list<u8>`"
    )]
    Unsupported(String),
    /// wasmtime refused an operation on the stream or future.
    #[error("{0}")]
    Wasmtime(String),
}

impl From<wasmtime::Error> for StreamError {
    fn from(error: wasmtime::Error) -> Self {
        StreamError::Wasmtime(format!("{error:#}"))
    }
}

/// Items of a stream result, as they arrive.
#[derive(Debug)]
pub enum StreamItems<'a> {
    /// The next bytes of a `stream<u8>`.
    Bytes(&'a [u8]),
    /// The next items of a stream of any other payload.
    Values(Vec<Val>),
}

/// Receives the items of a call's stream results as they arrive
/// ([`Session::set_stream_sink`](crate::Session::set_stream_sink)).
pub trait StreamSink: Send {
    /// Takes the next items. Returning `false` drops the stream: the guest's next write
    /// finds it closed, and no more items come.
    fn items(&mut self, items: StreamItems<'_>) -> bool;
}

/// A sink shared by the readers of every stream a call returns.
pub(crate) type SharedSink = Arc<Mutex<Box<dyn StreamSink>>>;

/// Where the items of one stream result go.
#[derive(Clone)]
pub(crate) enum Delivery {
    /// Kept, to become the list of the stream's items.
    Collect(Arc<Mutex<Vec<Val>>>),
    /// Handed to the sink as they arrive.
    Sink(SharedSink),
}

impl Delivery {
    /// Delivers `items`; `false` when the sink wants no more.
    fn deliver(&self, items: StreamItems<'_>) -> bool {
        match self {
            Delivery::Collect(kept) => {
                let mut kept = kept.lock().unwrap_or_else(|p| p.into_inner());
                match items {
                    StreamItems::Bytes(bytes) => kept.extend(bytes.iter().map(|b| Val::U8(*b))),
                    StreamItems::Values(vals) => kept.extend(vals),
                }
                true
            }
            Delivery::Sink(sink) => sink.lock().unwrap_or_else(|p| p.into_inner()).items(items),
        }
    }
}

/// A Rust type stream and future items move as, and its [`Val`] form.
trait Payload: ComponentType + Lift + Lower + Send + Sync + Unpin + 'static {
    fn into_val(self) -> Val;
    fn from_val(val: Val) -> Option<Self>;
}

macro_rules! payloads {
    ($($rust:ty => $case:ident),* $(,)?) => {$(
        impl Payload for $rust {
            fn into_val(self) -> Val {
                Val::$case(self)
            }
            fn from_val(val: Val) -> Option<Self> {
                match val {
                    Val::$case(v) => Some(v),
                    _ => None,
                }
            }
        }
    )*};
}

payloads! {
    bool => Bool, i8 => S8, u8 => U8, i16 => S16, u16 => U16, i32 => S32, u32 => U32,
    i64 => S64, u64 => U64, f32 => Float32, f64 => Float64, char => Char, String => String,
}

impl Payload for Vec<u8> {
    fn into_val(self) -> Val {
        Val::List(self.into_iter().map(Val::U8).collect())
    }
    fn from_val(val: Val) -> Option<Self> {
        match val {
            Val::List(items) => items.into_iter().map(u8::from_val).collect(),
            _ => None,
        }
    }
}

/// Calls `$f::<R>($args)` with `R` the Rust type of the WIT payload `$payload`.
macro_rules! with_payload {
    ($payload:expr, $f:ident($($arg:expr),*)) => {
        match $payload {
            Some(Type::Bool) => $f::<bool>($($arg),*),
            Some(Type::S8) => $f::<i8>($($arg),*),
            Some(Type::U8) => $f::<u8>($($arg),*),
            Some(Type::S16) => $f::<i16>($($arg),*),
            Some(Type::U16) => $f::<u16>($($arg),*),
            Some(Type::S32) => $f::<i32>($($arg),*),
            Some(Type::U32) => $f::<u32>($($arg),*),
            Some(Type::S64) => $f::<i64>($($arg),*),
            Some(Type::U64) => $f::<u64>($($arg),*),
            Some(Type::Float32) => $f::<f32>($($arg),*),
            Some(Type::Float64) => $f::<f64>($($arg),*),
            Some(Type::Char) => $f::<char>($($arg),*),
            Some(Type::String) => $f::<String>($($arg),*),
            Some(Type::List(list)) if list.ty() == Type::U8 => $f::<Vec<u8>>($($arg),*),
            other => Err(StreamError::Unsupported(payload_name(other))),
        }
    };
}

fn payload_name(payload: Option<&Type>) -> String {
    payload.map_or_else(|| "unit (payload-less)".to_string(), describe)
}

/// Whether weft can move items of this stream or future payload.
pub fn payload_supported(payload: Option<&Type>) -> bool {
    fn named<T: Payload>() -> Result<(), StreamError> {
        Ok(())
    }
    with_payload!(payload, named()).is_ok()
}

/// A host-written stream of `items` (values of `payload`), as the value of a parameter.
pub(crate) fn stream_of_items<D: 'static>(
    store: StoreContextMut<'_, D>,
    payload: Option<&Type>,
    items: Vec<Val>,
) -> Result<Val, StreamError> {
    fn make<T: Payload>(
        mut store: StoreContextMut<'_, impl Sized + 'static>,
        items: Vec<Val>,
    ) -> Result<Val, StreamError> {
        let items: Vec<T> = items
            .into_iter()
            .map(T::from_val)
            .collect::<Option<_>>()
            .ok_or_else(|| StreamError::Wasmtime("a stream item has the wrong type".into()))?;
        let reader = StreamReader::new(&mut store, items)?;
        Ok(Val::Stream(reader.try_into_stream_any(&mut store)?))
    }
    with_payload!(payload, make(store, items))
}

/// How the store's side of a byte stream input waits for the reader thread.
pub(crate) enum InputWait {
    /// Blocks the thread that runs the store, up to the call's deadline: a sync
    /// session's event loop must find every host stream ready, or it would judge the
    /// guest stalled.
    Block {
        /// When waiting gives up (the call's time is up).
        deadline: Option<std::time::Instant>,
    },
    /// Yields to the async runtime until the reader thread wakes the stream, so a slow
    /// input holds no worker thread; the call's timeout bounds the wait.
    Yield,
}

/// A host-written `stream<u8>` of the bytes `input` reads. `Read` blocks, so a reader
/// thread reads a few chunks ahead of the guest, and the guest's reads take them as
/// `wait` says.
pub(crate) fn stream_of_bytes<D: 'static>(
    mut store: StoreContextMut<'_, D>,
    mut input: Box<dyn Read + Send>,
    wait: InputWait,
) -> Result<Val, StreamError> {
    let (chunks, receiver) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(2);
    let waker = Arc::new(AtomicWaker::new());
    let wake = Arc::clone(&waker);
    std::thread::Builder::new()
        .name("weft-stream-input".to_string())
        .spawn(move || {
            // Declared first so it drops last: the stream is woken after the sender
            // has dropped, and then sees the input's end.
            let _woken = WakeOnDrop(Arc::clone(&wake));
            let chunks = chunks;
            loop {
                let mut chunk = vec![0; READ_BATCH];
                let read = match input.read(&mut chunk) {
                    Ok(0) => return,
                    Ok(n) => {
                        chunk.truncate(n);
                        Ok(chunk)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => Err(e),
                };
                let failed = read.is_err();
                // A closed channel: the stream was dropped (the call ended).
                if chunks.send(read).is_err() || failed {
                    return;
                }
                wake.wake();
            }
        })
        .map_err(|e| StreamError::Wasmtime(format!("cannot start the input reader: {e}")))?;
    let producer = ChunkProducer {
        chunks: receiver,
        wait,
        waker,
        current: Vec::new(),
        offset: 0,
    };
    let reader = StreamReader::new(&mut store, producer)?;
    Ok(Val::Stream(reader.try_into_stream_any(&mut store)?))
}

/// A host-written future that resolves at once to `value`, of type `payload`.
pub(crate) fn future_of<D: 'static>(
    store: StoreContextMut<'_, D>,
    payload: Option<&Type>,
    value: Val,
) -> Result<Val, StreamError> {
    fn make<T: Payload>(
        mut store: StoreContextMut<'_, impl Sized + 'static>,
        value: Val,
    ) -> Result<Val, StreamError> {
        let value = T::from_val(value)
            .ok_or_else(|| StreamError::Wasmtime("the future's value has the wrong type".into()))?;
        let reader = FutureReader::new(&mut store, async move { wasmtime::error::Ok(value) })?;
        Ok(Val::Future(reader.try_into_future_any(&mut store)?))
    }
    with_payload!(payload, make(store, value))
}

/// Starts reading the stream `stream` (items of `payload`) into `delivery`; the
/// receiver completes when the stream has ended (the writer closed it, or the sink
/// stopped).
pub(crate) fn read_stream<D: 'static>(
    store: StoreContextMut<'_, D>,
    payload: Option<&Type>,
    stream: StreamAny,
    delivery: Delivery,
) -> Result<oneshot::Receiver<()>, StreamError> {
    fn pipe<T: Payload>(
        mut store: StoreContextMut<'_, impl Sized + 'static>,
        stream: StreamAny,
        delivery: Delivery,
    ) -> Result<oneshot::Receiver<()>, StreamError> {
        let (ended, on_end) = oneshot::channel();
        let consumer = ItemConsumer::<T> {
            delivery,
            _ended: ended,
            _items: std::marker::PhantomData,
        };
        stream
            .try_into_stream_reader::<T>()?
            .pipe(&mut store, consumer)?;
        Ok(on_end)
    }
    if matches!(payload, Some(Type::U8)) {
        // Bytes are copied straight out of the guest's buffer, not item by item.
        let (ended, on_end) = oneshot::channel();
        let consumer = ByteConsumer {
            delivery,
            _ended: ended,
        };
        let mut store = store;
        stream
            .try_into_stream_reader::<u8>()?
            .pipe(&mut store, consumer)?;
        return Ok(on_end);
    }
    with_payload!(payload, pipe(store, stream, delivery))
}

/// Starts reading the future `future` (a value of `payload`); the receiver gets its
/// value, or is cancelled if the writer closed it without one.
pub(crate) fn read_future<D: 'static>(
    store: StoreContextMut<'_, D>,
    payload: Option<&Type>,
    future: FutureAny,
) -> Result<oneshot::Receiver<Val>, StreamError> {
    fn pipe<T: Payload>(
        mut store: StoreContextMut<'_, impl Sized + 'static>,
        future: FutureAny,
    ) -> Result<oneshot::Receiver<Val>, StreamError> {
        let (value, on_value) = oneshot::channel();
        let reader = future.try_into_future_reader::<T>()?;
        reader.pipe(
            &mut store,
            ValueConsumer::<T> {
                value: Some(value),
                _item: std::marker::PhantomData,
            },
        )?;
        Ok(on_value)
    }
    with_payload!(payload, pipe(store, future))
}

/// Closes a stream or future the host will not read (a call failed before its results
/// could be taken), so the guest's writer is not left waiting.
pub(crate) fn close(mut store: impl AsContextMut, val: Val) {
    let closed = match val {
        Val::Stream(mut stream) => stream.close(&mut store),
        Val::Future(mut future) => future.close(&mut store),
        _ => Ok(()),
    };
    if let Err(error) = closed {
        tracing::debug!("closing an unread stream or future failed: {error:#}");
    }
}

/// Wakes a stream's task when the input thread ends.
struct WakeOnDrop(Arc<AtomicWaker>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.wake();
    }
}

/// Writes the chunks the input thread read into the guest's read buffer.
struct ChunkProducer {
    chunks: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    wait: InputWait,
    /// The task to wake when the input thread sends a chunk ([`InputWait::Yield`]).
    waker: Arc<AtomicWaker>,
    current: Vec<u8>,
    /// How much of `current` the guest has taken.
    offset: usize,
}

impl<D> wasmtime::component::StreamProducer<D> for ChunkProducer {
    type Item = u8;
    type Buffer = Option<u8>;

    fn poll_produce<'a>(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'a, D>,
        destination: Destination<'a, u8, Option<u8>>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
        let this = &mut *self;
        if this.offset == this.current.len() {
            let next = match this.wait {
                InputWait::Block {
                    deadline: Some(deadline),
                } => this
                    .chunks
                    .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())),
                InputWait::Block { deadline: None } => this
                    .chunks
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
                InputWait::Yield => {
                    // Registered before looking, so a chunk sent in between still wakes us.
                    this.waker.register(cx.waker());
                    match this.chunks.try_recv() {
                        Ok(chunk) => Ok(chunk),
                        Err(TryRecvError::Empty) => return Poll::Pending,
                        Err(TryRecvError::Disconnected) => Err(RecvTimeoutError::Disconnected),
                    }
                }
            };
            match next {
                Ok(Ok(chunk)) => {
                    this.current = chunk;
                    this.offset = 0;
                }
                Ok(Err(error)) => {
                    return Poll::Ready(Err(wasmtime::format_err!(
                        "reading the stream's input failed: {error}"
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Poll::Ready(Ok(StreamResult::Dropped));
                }
                // The input sent nothing before the deadline: the call's time is up.
                Err(RecvTimeoutError::Timeout) => {
                    return Poll::Ready(Err(wasmtime::Trap::Interrupt.into()));
                }
            }
        }
        // A zero-length read asks whether bytes are ready: they are.
        if destination.remaining(store.as_context_mut()) == Some(0) {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let available = &this.current[this.offset..];
        let mut direct = destination.as_direct(store, available.len());
        let n = direct.remaining().len().min(available.len());
        direct.remaining()[..n].copy_from_slice(&available[..n]);
        direct.mark_written(n);
        this.offset += n;
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

/// Reads a `stream<u8>` straight from the guest's write buffer.
struct ByteConsumer {
    delivery: Delivery,
    /// Dropped, with the consumer, when the stream ends.
    _ended: oneshot::Sender<()>,
}

impl<D> StreamConsumer<D> for ByteConsumer {
    type Item = u8;

    fn poll_consume(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        store: StoreContextMut<D>,
        source: Source<'_, u8>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let mut direct = source.as_direct(store);
        let bytes = direct.remaining();
        let count = bytes.len();
        if count == 0 {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let more = self.delivery.deliver(StreamItems::Bytes(bytes));
        direct.mark_read(count);
        Poll::Ready(Ok(if more {
            StreamResult::Completed
        } else {
            StreamResult::Dropped
        }))
    }
}

/// Reads a stream of any other payload item by item.
struct ItemConsumer<T> {
    delivery: Delivery,
    _ended: oneshot::Sender<()>,
    _items: std::marker::PhantomData<fn() -> T>,
}

impl<T: Payload, D> StreamConsumer<D> for ItemConsumer<T> {
    type Item = T;

    fn poll_consume(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        mut store: StoreContextMut<D>,
        mut source: Source<'_, T>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let available = source.remaining(&mut store);
        if available == 0 {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let mut items: Vec<T> = Vec::with_capacity(available.min(READ_BATCH));
        source.read(&mut store, &mut items)?;
        let vals = items.into_iter().map(Payload::into_val).collect();
        let more = self.delivery.deliver(StreamItems::Values(vals));
        Poll::Ready(Ok(if more {
            StreamResult::Completed
        } else {
            StreamResult::Dropped
        }))
    }
}

/// Takes a future's one value.
struct ValueConsumer<T> {
    value: Option<oneshot::Sender<Val>>,
    _item: std::marker::PhantomData<fn() -> T>,
}

impl<T: Payload, D> FutureConsumer<D> for ValueConsumer<T> {
    type Item = T;

    fn poll_consume(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        mut store: StoreContextMut<D>,
        mut source: Source<'_, T>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<()>> {
        let mut slot: Option<T> = None;
        source.read(&mut store, &mut slot)?;
        if let (Some(value), Some(sender)) = (slot, self.value.take()) {
            // The receiver may be gone (the call was abandoned); the value is dropped.
            let _ = sender.send(value.into_val());
        }
        Poll::Ready(Ok(()))
    }
}

/// Calls `f` on every stream and future inside `val`, a value of type `ty`, in a fixed
/// order (so two walks over one value meet them in the same order).
pub(crate) fn for_each_stream_or_future<E>(
    ty: &Type,
    val: &mut Val,
    f: &mut dyn FnMut(&Type, &mut Val) -> Result<(), E>,
) -> Result<(), E> {
    match (ty, val) {
        (Type::Stream(_) | Type::Future(_), val) => f(ty, val),
        (Type::List(list), Val::List(items)) => {
            let elem = list.ty();
            items
                .iter_mut()
                .try_for_each(|v| for_each_stream_or_future(&elem, v, f))
        }
        (Type::Option(option), Val::Option(Some(v))) => {
            for_each_stream_or_future(&option.ty(), v, f)
        }
        (Type::Record(record), Val::Record(fields)) => record
            .fields()
            .zip(fields.iter_mut())
            .try_for_each(|(field, (_, v))| for_each_stream_or_future(&field.ty, v, f)),
        (Type::Tuple(tuple), Val::Tuple(items)) => tuple
            .types()
            .zip(items.iter_mut())
            .try_for_each(|(t, v)| for_each_stream_or_future(&t, v, f)),
        (Type::Variant(variant), Val::Variant(case, Some(v))) => {
            match variant.cases().find(|c| c.name == case).and_then(|c| c.ty) {
                Some(t) => for_each_stream_or_future(&t, v, f),
                None => Ok(()),
            }
        }
        (Type::Result(result), Val::Result(Ok(Some(v)))) => match result.ok() {
            Some(t) => for_each_stream_or_future(&t, v, f),
            None => Ok(()),
        },
        (Type::Result(result), Val::Result(Err(Some(v)))) => match result.err() {
            Some(t) => for_each_stream_or_future(&t, v, f),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The first stream or future payload inside `ty` that weft cannot move, named.
pub(crate) fn unsupported_payload(ty: &Type) -> Option<String> {
    let payload = match ty {
        Type::Stream(s) => Some(s.ty()),
        Type::Future(f) => Some(f.ty()),
        _ => None,
    };
    if let Some(payload) = payload {
        return (!payload_supported(payload.as_ref())).then(|| payload_name(payload.as_ref()));
    }
    match ty {
        Type::List(l) => unsupported_payload(&l.ty()),
        Type::Option(o) => unsupported_payload(&o.ty()),
        Type::Record(r) => r.fields().find_map(|f| unsupported_payload(&f.ty)),
        Type::Tuple(t) => t.types().find_map(|t| unsupported_payload(&t)),
        Type::Variant(v) => v
            .cases()
            .find_map(|c| c.ty.and_then(|t| unsupported_payload(&t))),
        Type::Result(r) => r
            .ok()
            .and_then(|t| unsupported_payload(&t))
            .or_else(|| r.err().and_then(|t| unsupported_payload(&t))),
        _ => None,
    }
}

/// Whether a value of type `ty` can hold a stream or a future.
pub fn type_contains_stream_or_future(ty: &Type) -> bool {
    match ty {
        Type::Stream(_) | Type::Future(_) => true,
        Type::List(l) => type_contains_stream_or_future(&l.ty()),
        Type::Option(o) => type_contains_stream_or_future(&o.ty()),
        Type::Record(r) => r.fields().any(|f| type_contains_stream_or_future(&f.ty)),
        Type::Tuple(t) => t.types().any(|t| type_contains_stream_or_future(&t)),
        Type::Variant(v) => v
            .cases()
            .any(|c| c.ty.is_some_and(|t| type_contains_stream_or_future(&t))),
        Type::Result(r) => {
            r.ok().is_some_and(|t| type_contains_stream_or_future(&t))
                || r.err().is_some_and(|t| type_contains_stream_or_future(&t))
        }
        _ => false,
    }
}
