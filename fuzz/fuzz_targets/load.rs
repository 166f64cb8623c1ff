//! Loading and inspecting arbitrary bytes (binary or WAT text): classified, converted,
//! inspected, its WIT printed, validated and, when valid, compiled. None of it may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "load_common.rs"]
mod load_common;

fuzz_target!(|data: &[u8]| {
    load_common::load_and_inspect(data.to_vec(), false);
});
