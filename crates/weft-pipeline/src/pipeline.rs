//! Running a pipeline: a reader, one thread per stage and the writer, connected by
//! bounded channels, so every stage works at once, a slow stage holds back the ones
//! before it, and memory stays bounded by the chunks in flight.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use weft_runtime::Runtime;

use crate::manifest::{DEFAULT_CHUNK_SIZE, PipelineManifest, StageSpec};
use crate::stage::{Stage, StageError, StageInstance};

/// Chunks each channel holds besides the one being worked on: enough to keep a stage
/// busy while its neighbour finishes a call, few enough to bound memory.
const CHANNEL_CHUNKS: usize = 2;

/// A chunk on its way down the pipeline, with the input offset of the chunk it came from.
enum Message {
    Chunk { offset: u64, bytes: Vec<u8> },
    End,
}

/// A chain of transform stages, loaded and instantiated, reusable across inputs.
pub struct Pipeline {
    stages: Vec<Stage>,
    instances: Vec<Option<StageInstance>>,
    chunk_size: usize,
    progress: Arc<Progress>,
    /// Whether the instances have run a stream since they were made or reset.
    used: bool,
}

/// Live counters a progress display can read while a run goes on.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes read from the input.
    pub bytes_in: AtomicU64,
    /// Bytes written to the output.
    pub bytes_out: AtomicU64,
    /// Per stage: bytes it was given.
    pub stage_bytes: Vec<AtomicU64>,
}

/// One stage's figures for a run.
#[derive(Debug, Clone, PartialEq)]
pub struct StageStats {
    /// The stage's name.
    pub name: String,
    /// Bytes it was given.
    pub bytes_in: u64,
    /// Bytes it produced.
    pub bytes_out: u64,
    /// `process` calls made.
    pub calls: u64,
    /// Time spent in its calls.
    pub busy: Duration,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStats {
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Each stage, in order.
    pub stages: Vec<StageStats>,
}

impl RunStats {
    /// The stage that spent the most time in its calls: the one that bounds throughput.
    pub fn bottleneck(&self) -> Option<&StageStats> {
        self.stages.iter().max_by_key(|s| s.busy)
    }
}

/// Why a pipeline could not be built or a run failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A stage could not be loaded or started.
    #[error("stage {index} (`{}`): {source}", path.display())]
    Stage {
        /// Its position, from 1.
        index: usize,
        /// Its file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<StageError>,
    },
    /// A stage failed on a chunk: its own `err`, a trap or a limit.
    #[error("stage {index} (`{}`) failed on the input chunk at byte {offset}: {message}", path.display())]
    Failed {
        /// Its position, from 1.
        index: usize,
        /// Its file.
        path: PathBuf,
        /// The input offset of the chunk that failed.
        offset: u64,
        /// What happened.
        message: String,
    },
    /// The pipeline has no stages.
    #[error("a pipeline needs at least one stage")]
    Empty,
    /// Reading the input failed.
    #[error("failed to read the input at byte {offset}")]
    Read {
        /// Where.
        offset: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("failed to write the output")]
    Write(#[source] std::io::Error),
}

impl Pipeline {
    /// Loads every stage (checked, compiled, linked) and instantiates it. Fails before
    /// any input is read when a stage is not a transform.
    pub fn new(
        runtime: &Runtime,
        stages: &[StageSpec],
        chunk_size: usize,
    ) -> Result<Pipeline, PipelineError> {
        if stages.is_empty() {
            return Err(PipelineError::Empty);
        }
        let mut loaded = Vec::new();
        let mut instances = Vec::new();
        for (i, spec) in stages.iter().enumerate() {
            let stage_error = |source| PipelineError::Stage {
                index: i + 1,
                path: spec.path.clone(),
                source: Box::new(source),
            };
            let stage = Stage::load(runtime, spec).map_err(stage_error)?;
            instances.push(Some(stage.instantiate().map_err(stage_error)?));
            loaded.push(stage);
        }
        let progress = Arc::new(Progress {
            stage_bytes: stages.iter().map(|_| AtomicU64::new(0)).collect(),
            ..Progress::default()
        });
        Ok(Pipeline {
            stages: loaded,
            instances,
            chunk_size: chunk_size.max(1),
            progress,
            used: false,
        })
    }

    /// [`Pipeline::new`] for a parsed manifest.
    pub fn from_manifest(
        runtime: &Runtime,
        manifest: &PipelineManifest,
    ) -> Result<Pipeline, PipelineError> {
        Pipeline::new(runtime, &manifest.stages, manifest.chunk_size)
    }

    /// [`Pipeline::new`] with the default chunk size.
    pub fn with_default_chunks(
        runtime: &Runtime,
        stages: &[StageSpec],
    ) -> Result<Pipeline, PipelineError> {
        Pipeline::new(runtime, stages, DEFAULT_CHUNK_SIZE)
    }

    /// Bytes read from the input at a time.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The counters of the run in progress (and of the last one).
    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// Streams `input` through every stage into `output`. Each call is its own stream:
    /// the processors are reset (or made anew after a failure) first.
    pub fn run<R: Read + Send, W: Write>(
        &mut self,
        input: R,
        mut output: W,
    ) -> Result<RunStats, PipelineError> {
        self.prepare_instances()?;
        self.used = true;
        self.progress.bytes_in.store(0, Ordering::Relaxed);
        self.progress.bytes_out.store(0, Ordering::Relaxed);
        for bytes in &self.progress.stage_bytes {
            bytes.store(0, Ordering::Relaxed);
        }
        let started = Instant::now();
        let chunk_size = self.chunk_size;
        let progress = &*self.progress;
        let stages = &self.stages;
        let instances = &mut self.instances;
        let outcome = std::thread::scope(|scope| {
            let (first_tx, mut rx) = sync_channel::<Message>(CHANNEL_CHUNKS);
            let reader = scope.spawn(move || read_chunks(input, chunk_size, &first_tx, progress));
            let mut workers = Vec::new();
            for (index, (stage, slot)) in stages.iter().zip(instances.iter_mut()).enumerate() {
                let (tx, next_rx) = sync_channel::<Message>(CHANNEL_CHUNKS);
                let stage_rx = std::mem::replace(&mut rx, next_rx);
                workers.push(
                    scope.spawn(move || run_stage(index, stage, slot, stage_rx, &tx, progress)),
                );
            }
            let written = write_chunks(&rx, &mut output, progress);
            drop(rx);
            let read = reader.join().expect("the reader does not panic");
            let stage_results: Vec<_> = workers
                .into_iter()
                .map(|w| w.join().expect("a stage thread does not panic"))
                .collect();
            (read, stage_results, written)
        });
        let (read, stage_results, written) = outcome;
        // The earliest failure is the cause; the ones after it only saw a closed channel.
        let mut stages_stats = Vec::new();
        for result in stage_results {
            match result {
                Ok(stats) => stages_stats.push(stats),
                Err(StageEnd::Failed(error)) => return Err(error),
                Err(StageEnd::Upstream) => {}
            }
        }
        read?;
        let bytes_out = written?;
        if stages_stats.len() != self.stages.len() {
            return Err(PipelineError::Write(std::io::Error::other(
                "the pipeline ended before its output was complete",
            )));
        }
        Ok(RunStats {
            bytes_in: self.progress.bytes_in.load(Ordering::Relaxed),
            bytes_out,
            elapsed: started.elapsed(),
            stages: stages_stats,
        })
    }

    /// Resets the processors of a used pipeline; a stage whose instance died is
    /// instantiated anew.
    fn prepare_instances(&mut self) -> Result<(), PipelineError> {
        for (i, (stage, slot)) in self.stages.iter().zip(&mut self.instances).enumerate() {
            let healthy = match slot {
                Some(instance) if self.used => instance.reset().is_ok(),
                Some(_) => true,
                None => false,
            };
            if !healthy {
                let instance = stage.instantiate().map_err(|source| PipelineError::Stage {
                    index: i + 1,
                    path: stage.spec.path.clone(),
                    source: Box::new(source),
                })?;
                *slot = Some(instance);
            }
        }
        Ok(())
    }
}

/// Reads `input` in chunks of `chunk_size` (short only at the end) and sends them on,
/// then the end of input.
fn read_chunks<R: Read>(
    mut input: R,
    chunk_size: usize,
    tx: &SyncSender<Message>,
    progress: &Progress,
) -> Result<(), PipelineError> {
    let mut offset = 0u64;
    loop {
        let mut chunk = vec![0u8; chunk_size];
        let mut filled = 0;
        while filled < chunk_size {
            match input.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(PipelineError::Read {
                        offset: offset + filled as u64,
                        source,
                    });
                }
            }
        }
        if filled == 0 {
            // A closed channel means a stage failed; its error is the one reported.
            let _ = tx.send(Message::End);
            return Ok(());
        }
        chunk.truncate(filled);
        progress
            .bytes_in
            .fetch_add(filled as u64, Ordering::Relaxed);
        if tx
            .send(Message::Chunk {
                offset,
                bytes: chunk,
            })
            .is_err()
        {
            return Ok(());
        }
        offset += filled as u64;
    }
}

/// How a stage thread ended other than by finishing its stream.
enum StageEnd {
    /// It failed: the pipeline's error.
    Failed(PipelineError),
    /// The stage before it, or the writer after it, stopped first.
    Upstream,
}

/// Runs one stage: every chunk through `process`, empty outputs not forwarded, then
/// the end of input through it and down the chain.
fn run_stage(
    index: usize,
    stage: &Stage,
    slot: &mut Option<StageInstance>,
    rx: Receiver<Message>,
    tx: &SyncSender<Message>,
    progress: &Progress,
) -> Result<StageStats, StageEnd> {
    let mut stats = StageStats {
        name: stage.spec.name.clone(),
        bytes_in: 0,
        bytes_out: 0,
        calls: 0,
        busy: Duration::ZERO,
    };
    let instance = match slot.as_mut() {
        None => return Err(StageEnd::Upstream),
        Some(StageInstance::Processor(instance)) => instance,
        Some(StageInstance::Stream { session, export }) => {
            let result =
                run_stream_stage(index, stage, session, export, rx, tx, progress, &mut stats);
            if session.is_dead() {
                // The next run makes a fresh instance.
                *slot = None;
            }
            return result.map(|()| stats);
        }
    };
    loop {
        let (offset, bytes, end) = match rx.recv() {
            Ok(Message::Chunk { offset, bytes }) => (offset, bytes, false),
            // The end of input is reported at the input's length.
            Ok(Message::End) => (progress.bytes_in.load(Ordering::Relaxed), Vec::new(), true),
            Err(_) => return Err(StageEnd::Upstream),
        };
        stats.bytes_in += bytes.len() as u64;
        progress.stage_bytes[index].fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let started = Instant::now();
        let result = instance.process(bytes);
        stats.busy += started.elapsed();
        stats.calls += 1;
        let failed = |message: String| {
            StageEnd::Failed(PipelineError::Failed {
                index: index + 1,
                path: stage.spec.path.clone(),
                offset,
                message,
            })
        };
        let output = match result {
            Ok(Ok(output)) => output,
            Ok(Err(message)) => {
                return Err(failed(format!(
                    "the transform returned an error: {message}"
                )));
            }
            Err(error) => {
                // The instance is dead; the next run makes a fresh one.
                *slot = None;
                return Err(failed(error.to_string()));
            }
        };
        stats.bytes_out += output.len() as u64;
        // An empty output is never forwarded: it would end the next stage's input.
        let forwarded = output.is_empty()
            || tx
                .send(Message::Chunk {
                    offset,
                    bytes: output,
                })
                .is_ok();
        if !forwarded {
            return Err(StageEnd::Upstream);
        }
        if end {
            return match tx.send(Message::End) {
                Ok(()) => Ok(stats),
                Err(_) => Err(StageEnd::Upstream),
            };
        }
    }
}

/// Runs a stream transform over the whole input: one call, its `stream<u8>` fed from
/// the stage's channel as the guest reads and its output stream sent on as it arrives.
#[allow(
    clippy::too_many_arguments,
    reason = "run_stage's arguments, plus the instance"
)]
fn run_stream_stage(
    index: usize,
    stage: &Stage,
    session: &mut weft_runtime::Session,
    export: &str,
    rx: Receiver<Message>,
    tx: &SyncSender<Message>,
    progress: &Progress,
    stats: &mut StageStats,
) -> Result<(), StageEnd> {
    let offset = Arc::new(AtomicU64::new(0));
    let taken = Arc::new(AtomicU64::new(0));
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    session.set_stream_input(Some(Box::new(ChannelReader {
        rx,
        chunk: Vec::new(),
        at: 0,
        offset: Arc::clone(&offset),
        taken: Arc::clone(&taken),
    })));
    let produced = Arc::new(AtomicU64::new(0));
    session.set_stream_sink(Some(Box::new(ChannelSink {
        tx: tx.clone(),
        offset: Arc::clone(&offset),
        produced: Arc::clone(&produced),
        stopped: Arc::clone(&stopped),
    })));
    let started = Instant::now();
    let call = session.eval(&weft_runtime::Statement::Call(format!("{export}()")));
    stats.busy += started.elapsed();
    stats.calls += 1;
    stats.bytes_in = taken.load(Ordering::Relaxed);
    stats.bytes_out = produced.load(Ordering::Relaxed);
    progress.stage_bytes[index].store(stats.bytes_in, Ordering::Relaxed);
    session.set_stream_sink(None);
    session.set_stream_input(None);
    if let Err(error) = call {
        return Err(StageEnd::Failed(PipelineError::Failed {
            index: index + 1,
            path: stage.spec.path.clone(),
            offset: offset.load(Ordering::Relaxed),
            message: error.to_string(),
        }));
    }
    if stopped.load(Ordering::Relaxed) {
        return Err(StageEnd::Upstream);
    }
    tx.send(Message::End).map_err(|_| StageEnd::Upstream)
}

/// The bytes of a stage's incoming chunks, as a `Read` for its stream input; it ends
/// at the end of input, or when the stage before stopped.
struct ChannelReader {
    rx: Receiver<Message>,
    chunk: Vec<u8>,
    at: usize,
    /// The input offset of the chunk being read, for error reports.
    offset: Arc<AtomicU64>,
    /// Bytes handed to the guest.
    taken: Arc<AtomicU64>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(Message::Chunk { offset, bytes }) => {
                    self.offset.store(offset, Ordering::Relaxed);
                    self.chunk = bytes;
                    self.at = 0;
                }
                Ok(Message::End) | Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Sends a stream transform's output down the chain as it arrives.
struct ChannelSink {
    tx: SyncSender<Message>,
    offset: Arc<AtomicU64>,
    produced: Arc<AtomicU64>,
    /// Set when the stage after stopped taking chunks.
    stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl weft_runtime::StreamSink for ChannelSink {
    fn items(&mut self, items: weft_runtime::StreamItems<'_>) -> bool {
        let weft_runtime::StreamItems::Bytes(bytes) = items else {
            return false;
        };
        self.produced
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let sent = self.tx.send(Message::Chunk {
            offset: self.offset.load(Ordering::Relaxed),
            bytes: bytes.to_vec(),
        });
        if sent.is_err() {
            self.stopped.store(true, Ordering::Relaxed);
        }
        sent.is_ok()
    }
}

/// Writes what the last stage produces; returns the bytes written once the end arrives.
fn write_chunks<W: Write>(
    rx: &Receiver<Message>,
    output: &mut W,
    progress: &Progress,
) -> Result<u64, PipelineError> {
    let mut written = 0u64;
    loop {
        match rx.recv() {
            Ok(Message::Chunk { bytes, .. }) => {
                output.write_all(&bytes).map_err(PipelineError::Write)?;
                written += bytes.len() as u64;
                progress.bytes_out.store(written, Ordering::Relaxed);
            }
            Ok(Message::End) => {
                output.flush().map_err(PipelineError::Write)?;
                return Ok(written);
            }
            // A stage failed; its error is reported instead.
            Err(_) => return Ok(written),
        }
    }
}
