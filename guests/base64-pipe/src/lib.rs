//! The base64-pipe test component (`weft:base64-pipe@0.1.0`, world `base64-pipe`):
//! streaming in WASI 0.2 style, a resource with `write(chunk)` and `read(n)` methods.
//! The host writes input in chunks and reads the encoding out in pieces, so memory on
//! both sides stays bounded by what is in flight.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:base64-pipe/base64-pipe@0.1.0",
    });
}

use std::cell::RefCell;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bindings::exports::weft::base64_pipe::pipe::{Guest, GuestEncoder};

/// The component's export implementation.
struct Base64PipeComponent;

impl Guest for Base64PipeComponent {
    type Encoder = Encoder;
}

/// Input bytes not yet encoded (fewer than 3) and encoded bytes not yet read.
pub struct Encoder {
    state: RefCell<State>,
}

struct State {
    carry: Vec<u8>,
    /// Encoded bytes; those before `read_at` have been read.
    out: Vec<u8>,
    read_at: usize,
    finished: bool,
}

impl State {
    fn waiting(&self) -> u64 {
        (self.out.len() - self.read_at) as u64
    }
}

/// Appends the base64 of `bytes` to `out`.
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

impl GuestEncoder for Encoder {
    fn new() -> Self {
        Encoder {
            state: RefCell::new(State {
                carry: Vec::with_capacity(3),
                out: Vec::new(),
                read_at: 0,
                finished: false,
            }),
        }
    }

    fn write(&self, chunk: Vec<u8>) -> u64 {
        let state = &mut *self.state.borrow_mut();
        if state.finished {
            return state.waiting();
        }
        let mut input = &chunk[..];
        if !state.carry.is_empty() {
            let take = (3 - state.carry.len()).min(input.len());
            state.carry.extend_from_slice(&input[..take]);
            input = &input[take..];
            if state.carry.len() == 3 {
                encode_into(&state.carry, &mut state.out);
                state.carry.clear();
            }
        }
        let whole = input.len() / 3 * 3;
        encode_into(&input[..whole], &mut state.out);
        state.carry.extend_from_slice(&input[whole..]);
        state.waiting()
    }

    fn read(&self, n: u32) -> Vec<u8> {
        let state = &mut *self.state.borrow_mut();
        let end = state
            .out
            .len()
            .min(state.read_at.saturating_add(n as usize));
        let piece = state.out[state.read_at..end].to_vec();
        state.read_at = end;
        if state.read_at == state.out.len() {
            // Everything was read: start the buffer over instead of growing it.
            state.out.clear();
            state.read_at = 0;
        }
        piece
    }

    fn finish(&self) {
        let state = &mut *self.state.borrow_mut();
        if !state.finished && !state.carry.is_empty() {
            encode_into(&state.carry, &mut state.out);
            state.carry.clear();
        }
        state.finished = true;
    }
}

bindings::export!(Base64PipeComponent with_types_in bindings);
