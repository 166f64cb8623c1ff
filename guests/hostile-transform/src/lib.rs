//! A transform that misbehaves on request (`example:pipeline@1.0.0`, world
//! `transform-component`), for tests of a pipeline host's limits.
//!
//! A pipeline host only ever calls the transform interface, so its tests need the
//! misbehaviour of `guests/hostile` behind that interface. The config says what
//! `process` does with a non-empty chunk:
//!
//! - `spin`: loops forever (the host's deadline or fuel must stop it);
//! - `hoard`: allocates 1 MiB blocks forever, touching each page and keeping every block
//!   (the host's memory limit must stop it);
//! - `trap`: panics, a trap;
//! - `err`: returns `err("hostile transform refused the chunk")`;
//! - anything else: passes the chunk through unchanged.
//!
//! The end of input (an empty chunk) always returns an empty list. Every loop goes
//! through [`std::hint::black_box`] so the optimiser keeps it.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/pipeline",
        world: "example:pipeline/transform-component@1.0.0",
    });
}

use std::hint::black_box;

use bindings::exports::example::pipeline::transform::{Guest, GuestProcessor};

/// The component's export implementation.
struct HostileTransform;

impl Guest for HostileTransform {
    type Processor = HostileProcessor;
}

/// A processor that misbehaves as its config says.
pub struct HostileProcessor {
    mode: String,
}

/// Bytes in one MiB.
const MIB: usize = 1024 * 1024;

impl GuestProcessor for HostileProcessor {
    fn new(config: String) -> Self {
        HostileProcessor { mode: config }
    }

    fn process(&self, input: Vec<u8>) -> Result<Vec<u8>, String> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        match self.mode.as_str() {
            "spin" => {
                let mut n: u64 = 0;
                loop {
                    n = black_box(n.wrapping_add(1));
                }
            }
            "hoard" => {
                let mut kept: Vec<Vec<u8>> = Vec::new();
                loop {
                    let mut block = vec![0u8; MIB];
                    for byte in block.iter_mut().step_by(4096) {
                        *byte = 1;
                    }
                    kept.push(black_box(block));
                    black_box(&kept);
                }
            }
            "trap" => panic!("hostile transform: trap on a chunk"),
            "err" => Err("hostile transform refused the chunk".to_owned()),
            _ => Ok(input),
        }
    }

    fn reset(&self) {}
}

bindings::export!(HostileTransform with_types_in bindings);
