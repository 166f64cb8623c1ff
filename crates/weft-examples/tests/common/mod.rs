//! Helpers shared by the component tests: sessions, JSON shapes of WIT values, and a
//! small seeded random generator (tests must be reproducible, so no OS randomness).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use weft_runtime::{Capabilities, Runtime, RuntimeConfig, Session, SessionOptions};

/// A session on the component at `path` with no capabilities granted.
pub fn session(path: &str) -> Result<Session> {
    session_with(path, Capabilities::default())
}

/// A session on the component at `path` with `capabilities`.
pub fn session_with(path: &str, capabilities: Capabilities) -> Result<Session> {
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let component = runtime.load_file(path)?;
    session_on(&runtime, &component, capabilities)
}

/// A session on an already-loaded component.
pub fn session_on(
    runtime: &Runtime,
    component: &weft_runtime::LoadedComponent,
    capabilities: Capabilities,
) -> Result<Session> {
    let options = SessionOptions {
        capabilities,
        ..SessionOptions::default()
    };
    Ok(runtime.session(component, options)?)
}

/// Calls `target` with JSON `args`, with the target in the error.
pub fn call(session: &mut Session, target: &str, args: Value) -> Result<Value> {
    session
        .call_json(target, &args)
        .with_context(|| format!("calling `{target}` with {args}"))
}

/// The payload of a `result` that must be `ok`.
pub fn ok(value: Value) -> Result<Value> {
    match value.get("tag").and_then(Value::as_str) {
        Some("ok") => Ok(value.get("val").cloned().unwrap_or(Value::Null)),
        _ => bail!("expected ok, got {value}"),
    }
}

/// The message of a `result<_, string>` that must be `err`.
pub fn err(value: Value) -> Result<String> {
    match (value.get("tag").and_then(Value::as_str), value.get("val")) {
        (Some("err"), Some(Value::String(message))) => Ok(message.clone()),
        _ => bail!("expected err(string), got {value}"),
    }
}

/// `list<u8>` as JSON.
pub fn bytes_json(bytes: &[u8]) -> Value {
    json!(bytes)
}

/// A JSON `list<u8>` as bytes.
pub fn json_bytes(value: &Value) -> Result<Vec<u8>> {
    value
        .as_array()
        .ok_or_else(|| anyhow!("expected a list<u8>, got {value}"))?
        .iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .ok_or_else(|| anyhow!("not a byte: {b}"))
        })
        .collect()
}

/// The handle name a constructor returned.
pub fn handle(value: Value) -> Result<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("expected a handle name, got {value}"))
}

/// xorshift64*: a tiny seeded generator, enough for test inputs.
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (any value; 0 is remapped).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A random byte.
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }

    /// `data` cut at random places into chunks, none empty (an empty chunk means end of
    /// input in the pipeline protocol). Chunk sizes vary from 1 byte up to `max`.
    pub fn chunks<'a>(&mut self, data: &'a [u8], max: usize) -> Vec<&'a [u8]> {
        let mut chunks = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            // Favour tiny chunks now and then: they cross every boundary a transform has.
            let limit = if self.below(4) == 0 { 3 } else { max };
            let size = 1 + self.below(limit.min(rest.len()));
            let (chunk, tail) = rest.split_at(size);
            chunks.push(chunk);
            rest = tail;
        }
        chunks
    }
}
