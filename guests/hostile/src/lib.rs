//! A component that misbehaves on request (`weft:hostile@0.1.0`), so tests can check that
//! weft's sandbox limits (deadline/fuel, memory, stack) stop it and that the host survives.
//!
//! Every loop and recursion goes through [`std::hint::black_box`] so the optimiser cannot
//! delete the loop, fold the recursion into a loop, or drop the allocations.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:hostile/hostile@0.1.0",
    });
}

use std::hint::black_box;

use bindings::exports::weft::hostile::misbehave::Guest;

/// The component's export implementation.
struct HostileComponent;

/// Bytes in one MiB.
const MIB: usize = 1024 * 1024;

/// Recurses `depth` levels; the addition after the call keeps it from being a tail call,
/// and `black_box` keeps LLVM from turning it into a loop or a closed form.
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    // A local array the callee can see makes each frame use real stack space.
    let frame = black_box([depth; 8]);
    if black_box(depth) == 0 {
        return 0;
    }
    let below = recurse(black_box(depth - 1));
    black_box(below + 1 + frame[7] - depth)
}

impl Guest for HostileComponent {
    fn spin() {
        let mut n: u64 = 0;
        loop {
            n = black_box(n.wrapping_add(1));
        }
    }

    fn hoard(mib: u32) {
        let chunk = (mib.max(1) as usize).saturating_mul(MIB);
        let mut kept: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut block = vec![0u8; chunk];
            // Touch every page so the memory is really committed, not just reserved.
            for byte in block.iter_mut().step_by(4096) {
                *byte = 1;
            }
            kept.push(black_box(block));
            black_box(&kept);
        }
    }

    fn recurse(depth: u64) -> u64 {
        recurse(depth)
    }

    fn panic(message: String) {
        panic!("{message}");
    }

    fn ok(x: u32) -> u32 {
        x.wrapping_add(1)
    }
}

bindings::export!(HostileComponent with_types_in bindings);
