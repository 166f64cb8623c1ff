//! The async-streams test component (`weft:async-streams@0.1.0`, world `async-streams`).
//!
//! Every export is a WIT `async func` lifted with the component-model async ABI. A
//! function that returns a stream or a future creates it, hands the read end back at
//! once, and keeps writing in a task spawned with `wit_bindgen::spawn_local`, so the
//! host reads while the guest writes: memory stays bounded by one buffer, whatever the
//! stream's length.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:async-streams/async-streams@0.1.0",
    });
}

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bindings::exports::weft::async_streams::streams::Guest;
use bindings::{wit_future, wit_stream};
use wit_bindgen::{FutureReader, StreamReader, StreamResult};

/// How many bytes one read asks for.
const CHUNK: usize = 64 * 1024;

/// The component's export implementation.
struct AsyncStreamsComponent;

impl Guest for AsyncStreamsComponent {
    async fn encode_base64(mut input: StreamReader<u8>) -> StreamReader<u8> {
        let (mut output, reader) = wit_stream::new::<u8>();
        wit_bindgen::spawn_local(async move {
            // One read buffer and one output buffer, reused for every chunk; a byte or
            // two that do not fill a 3-byte group wait in `carry` for the next chunk.
            let mut buffer = Vec::with_capacity(CHUNK);
            let mut encoded = Vec::with_capacity(CHUNK / 3 * 4 + 4);
            let mut carry: Vec<u8> = Vec::with_capacity(3);
            loop {
                let (status, mut chunk) = input.read(buffer).await;
                let mut bytes = &chunk[..];
                encoded.clear();
                if !carry.is_empty() {
                    let take = (3 - carry.len()).min(bytes.len());
                    carry.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if carry.len() == 3 {
                        encode_into(&carry, &mut encoded);
                        carry.clear();
                    }
                }
                let whole = bytes.len() / 3 * 3;
                encode_into(&bytes[..whole], &mut encoded);
                carry.extend_from_slice(&bytes[whole..]);
                if !encoded.is_empty() {
                    let unsent = output.write_all(encoded).await;
                    if !unsent.is_empty() {
                        return; // the reader dropped the output: stop reading too
                    }
                    encoded = unsent;
                }
                if matches!(status, StreamResult::Dropped | StreamResult::Cancelled) {
                    break;
                }
                chunk.clear();
                buffer = chunk;
            }
            if !carry.is_empty() {
                output.write_all(STANDARD.encode(&carry).into_bytes()).await;
            }
        });
        reader
    }

    async fn count_bytes(mut input: StreamReader<u8>) -> u64 {
        let mut total = 0u64;
        loop {
            let (status, chunk) = input.read(Vec::with_capacity(CHUNK)).await;
            total += chunk.len() as u64;
            if matches!(status, StreamResult::Dropped | StreamResult::Cancelled) {
                return total;
            }
        }
    }

    async fn split_lines(text: String) -> StreamReader<String> {
        let (mut output, reader) = wit_stream::new::<String>();
        wit_bindgen::spawn_local(async move {
            for line in text.split('\n') {
                if output.write_one(line.to_string()).await.is_some() {
                    return;
                }
            }
        });
        reader
    }

    async fn range(start: u32, count: u32) -> StreamReader<u32> {
        let (mut output, reader) = wit_stream::new::<u32>();
        wit_bindgen::spawn_local(async move {
            let end = start.saturating_add(count);
            let mut next = start;
            while next < end {
                let batch_end = end.min(next.saturating_add(1000));
                if !output
                    .write_all((next..batch_end).collect())
                    .await
                    .is_empty()
                {
                    return;
                }
                next = batch_end;
            }
        });
        reader
    }

    async fn join(parts: StreamReader<String>, separator: String) -> String {
        parts.collect().await.join(&separator)
    }

    async fn enumerate(items: Vec<String>) -> StreamReader<(u32, String)> {
        let (mut output, reader) = wit_stream::new::<(u32, String)>();
        wit_bindgen::spawn_local(async move {
            let numbered = (0u32..).zip(items).collect();
            output.write_all(numbered).await;
        });
        reader
    }

    async fn resolve_later(value: String) -> FutureReader<String> {
        let (writer, reader) = wit_future::new::<String>(String::new);
        wit_bindgen::spawn_local(async move {
            wit_bindgen::yield_async().await;
            // A reader that dropped the future just does not see the value.
            let _ = writer.write(value).await;
        });
        reader
    }

    async fn await_future(f: FutureReader<u32>) -> u32 {
        f.await.wrapping_add(1)
    }

    async fn stalled() -> u32 {
        let (writer, reader) = wit_future::new::<u32>(|| 0);
        let value = reader.await;
        // Keeps the writer alive across the await, so the future never resolves.
        drop(writer);
        value
    }
}

/// Appends the base64 of `bytes` (a whole number of 3-byte groups, or the end) to `out`.
fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    if bytes.is_empty() {
        return;
    }
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let written = STANDARD
        .encode_slice(bytes, &mut out[start..])
        .expect("the buffer was sized for the encoding");
    out.truncate(start + written);
}

bindings::export!(AsyncStreamsComponent with_types_in bindings);
