//! The streaming protocol of `example:pipeline/transform`, shared by the transform guests.
//!
//! A transform component implements [`Transform`] (its own state machine over byte chunks)
//! and wraps it in a [`Driver`], which the component's `processor` resource delegates to.
//! The driver owns the protocol from the WIT documentation, so every transform behaves the
//! same way:
//!
//! - `process(chunk)` with a non-empty chunk feeds it and returns the output it produced;
//! - `process([])` is end of input: the transform flushes what it holds and is finished;
//!   after that an empty chunk returns nothing and a non-empty chunk is an error;
//! - an error (bad config, corrupt input) sticks until `reset`, because the transform's
//!   state after a failed chunk is unknown;
//! - `reset()` rebuilds the transform from its config.

use std::cell::RefCell;

/// One streaming transform, fed chunks in order.
pub trait Transform: Sized {
    /// Builds the transform from the `config` string given to the constructor.
    fn from_config(config: &str) -> Result<Self, String>;
    /// Consumes `input` (never empty), appending whatever output is ready to `out`.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), String>;
    /// End of input: appends everything still held to `out`.
    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String>;
}

/// Drives a [`Transform`] through the pipeline protocol; `processor` resources hold one.
pub struct Driver<T> {
    config: String,
    state: RefCell<State<T>>,
}

/// Where a stream stands.
enum State<T> {
    Running(T),
    /// End of input was seen.
    Finished,
    /// The config or an earlier chunk failed with this message.
    Failed(String),
}

impl<T: Transform> Driver<T> {
    /// A driver for a fresh stream configured by `config`.
    pub fn new(config: String) -> Self {
        let state = RefCell::new(Self::start(&config));
        Driver { config, state }
    }

    fn start(config: &str) -> State<T> {
        match T::from_config(config) {
            Ok(transform) => State::Running(transform),
            Err(e) => State::Failed(format!("invalid config {config:?}: {e}")),
        }
    }

    /// `process` from the WIT: feeds a chunk, or ends the input when `input` is empty.
    pub fn process(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        let mut state = self.state.borrow_mut();
        let transform = match &mut *state {
            State::Running(transform) => transform,
            State::Finished if input.is_empty() => return Ok(Vec::new()),
            State::Finished => {
                return Err(
                    "input already ended (an empty chunk ends it); call reset to start a new stream"
                        .to_owned(),
                );
            }
            State::Failed(message) => return Err(message.clone()),
        };
        let mut out = Vec::new();
        let result = if input.is_empty() {
            transform.finish(&mut out)
        } else {
            transform.feed(input, &mut out)
        };
        match result {
            Ok(()) if input.is_empty() => *state = State::Finished,
            Ok(()) => {}
            Err(e) => {
                *state = State::Failed(format!("{e} (call reset to start a new stream)"));
                return Err(e);
            }
        }
        Ok(out)
    }

    /// `reset` from the WIT: starts a new stream with the same config.
    pub fn reset(&self) {
        *self.state.borrow_mut() = Self::start(&self.config);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upper-cases its input and appends `!` at the end of the stream.
    struct Shout;

    impl Transform for Shout {
        fn from_config(config: &str) -> Result<Self, String> {
            if config.is_empty() {
                Ok(Shout)
            } else {
                Err("takes no config".to_owned())
            }
        }
        fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
            if input.contains(&b'?') {
                return Err("no questions".to_owned());
            }
            out.extend(input.iter().map(u8::to_ascii_uppercase));
            Ok(())
        }
        fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
            out.push(b'!');
            Ok(())
        }
    }

    #[test]
    fn follows_the_protocol() {
        let driver = Driver::<Shout>::new(String::new());
        assert_eq!(driver.process(b"ab").unwrap(), b"AB");
        assert_eq!(driver.process(b"").unwrap(), b"!");
        assert_eq!(driver.process(b"").unwrap(), b"");
        assert!(driver.process(b"c").unwrap_err().contains("reset"));
        driver.reset();
        assert_eq!(driver.process(b"c").unwrap(), b"C");
        assert_eq!(driver.process(b"?").unwrap_err(), "no questions");
        assert!(driver.process(b"d").unwrap_err().contains("no questions"));
        driver.reset();
        assert_eq!(driver.process(b"d").unwrap(), b"D");
    }

    #[test]
    fn bad_config_fails_every_call() {
        let driver = Driver::<Shout>::new("x".to_owned());
        assert!(
            driver
                .process(b"a")
                .unwrap_err()
                .contains("takes no config")
        );
        driver.reset();
        assert!(driver.process(b"").unwrap_err().contains("invalid config"));
    }
}

/// Generates a transform component's bindings and its `processor` resource, delegating
/// to a [`Driver`] over `$transform`; each transform crate is this one line plus its
/// [`Transform`]. The crate must depend on `wit-bindgen`, and sit in `guests/` so that
/// the WIT path resolves.
#[macro_export]
macro_rules! export_transform {
    ($transform:ty) => {
        mod bindings {
            wit_bindgen::generate!({
                path: "../../wit/pipeline",
                world: "example:pipeline/transform-component@1.0.0",
            });
        }

        use bindings::exports::example::pipeline::transform::{Guest, GuestProcessor};

        /// The component's export implementation.
        struct Component;

        impl Guest for Component {
            type Processor = Processor;
        }

        /// A `processor` resource: one stream through the transform.
        pub struct Processor($crate::Driver<$transform>);

        impl GuestProcessor for Processor {
            fn new(config: String) -> Self {
                Processor($crate::Driver::new(config))
            }

            fn process(&self, input: Vec<u8>) -> Result<Vec<u8>, String> {
                self.0.process(&input)
            }

            fn reset(&self) {
                self.0.reset();
            }
        }

        bindings::export!(Component with_types_in bindings);
    };
}
