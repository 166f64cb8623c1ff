//! A resource whose destructor forgets to free its memory (world `weft:leaky/leaky`),
//! beside one that frees it: `weft test --leaks` must fail the first and pass the second.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:leaky/leaky@0.1.0",
    });
}

use bindings::exports::weft::leaky::buffers::{Guest, GuestLeakyBuffer, GuestTidyBuffer};

/// The component's export implementation.
struct Leaky;

impl Guest for Leaky {
    type LeakyBuffer = LeakyBuffer;
    type TidyBuffer = TidyBuffer;
}

/// Bytes that are leaked on purpose: the buffer keeps a `'static` borrow of memory it
/// never gives back, so dropping the handle frees nothing.
pub struct LeakyBuffer {
    bytes: &'static mut [u8],
}

impl GuestLeakyBuffer for LeakyBuffer {
    fn new(size: u32) -> Self {
        LeakyBuffer {
            bytes: Box::leak(vec![1u8; size as usize].into_boxed_slice()),
        }
    }

    fn len(&self) -> u32 {
        self.bytes.len() as u32
    }
}

/// Bytes freed with the buffer.
pub struct TidyBuffer {
    bytes: Vec<u8>,
}

impl GuestTidyBuffer for TidyBuffer {
    fn new(size: u32) -> Self {
        TidyBuffer {
            bytes: vec![1u8; size as usize],
        }
    }

    fn len(&self) -> u32 {
        self.bytes.len() as u32
    }
}

bindings::export!(Leaky with_types_in bindings);
