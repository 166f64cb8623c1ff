//! Tests of the seed's example components, run through weft's runtime.
//!
//! The components live in `guests/` (built by `weft-test-guests`), their WIT in `wit/`;
//! `docs/components.md` describes each one. This crate has no code of its own: each
//! component's tests are in `tests/<component>.rs`, checking real results against
//! reference values or the native Rust library the component wraps.
