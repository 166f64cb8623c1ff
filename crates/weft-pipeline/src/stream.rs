//! Pipelines over async streams: the stages run on a blocking thread of the tokio
//! runtime (they are sync wasm calls), fed and drained through bounded channels by the
//! calling task, so an async host streams through a pipeline without blocking its
//! executor.

use std::io::{Read, Write};

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::mpsc;

use crate::pipeline::{Pipeline, PipelineError, RunStats};

/// Chunks in flight between the async side and the stages, each way.
const BRIDGE_CHUNKS: usize = 2;

impl Pipeline {
    /// [`Pipeline::run`] over async streams. Must run on a tokio runtime. The pipeline
    /// moves to a blocking thread for the run and is handed back with the result, to be
    /// run again.
    pub async fn run_async<R, W>(
        self,
        mut input: R,
        mut output: W,
    ) -> (Pipeline, Result<RunStats, PipelineError>)
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let chunk_size = self.chunk_size();
        let (in_tx, in_rx) = mpsc::channel::<std::io::Result<Vec<u8>>>(BRIDGE_CHUNKS);
        let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(BRIDGE_CHUNKS);
        let stages = tokio::task::spawn_blocking(move || {
            let mut pipeline = self;
            let reader = ChannelReader {
                rx: in_rx,
                pending: Vec::new(),
                at: 0,
            };
            let result = pipeline.run(reader, ChannelWriter { tx: out_tx });
            (pipeline, result)
        });
        let feed = async move {
            loop {
                let mut chunk = vec![0u8; chunk_size];
                let read = input.read(&mut chunk).await.map(|n| {
                    chunk.truncate(n);
                    chunk
                });
                let done = !matches!(&read, Ok(chunk) if !chunk.is_empty());
                // A closed channel means the stages stopped; their result says why.
                if in_tx.send(read).await.is_err() || done {
                    return;
                }
            }
        };
        let drain = async move {
            while let Some(bytes) = out_rx.recv().await {
                output.write_all(&bytes).await?;
            }
            output.flush().await
        };
        let ((), drained, joined) = tokio::join!(feed, drain, stages);
        let (pipeline, result) = joined.expect("the pipeline's thread does not panic");
        let result = result.and_then(|stats| match drained {
            Ok(()) => Ok(stats),
            Err(error) => Err(PipelineError::Write(error)),
        });
        (pipeline, result)
    }
}

/// The stages' input: chunks the async side read.
struct ChannelReader {
    rx: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            match self.rx.blocking_recv() {
                Some(chunk) => {
                    self.pending = chunk?;
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The stages' output: chunks for the async side to write.
struct ChannelWriter {
    tx: mpsc::Sender<Vec<u8>>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx.blocking_send(buf.to_vec()).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the output was closed")
        })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
