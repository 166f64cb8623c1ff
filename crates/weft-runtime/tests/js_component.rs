//! A JavaScript component built the usual way (`jco componentize`, default options, by
//! `scripts/build-js-guests.sh`): it imports `wasi:http/types`, `wasi:io`, `wasi:cli`,
//! `wasi:filesystem` and more even though the JS uses none of them, and runs on weft's
//! default imports.

mod common;

use std::path::PathBuf;

use weft_runtime::{Imports, Limits, Val};

fn js_hello() -> PathBuf {
    weft_test_guests::js_path("hello")
}

#[test]
fn a_jco_component_runs_on_the_default_imports() {
    let component = common::runtime().load_file(js_hello()).unwrap();
    let prepared = common::runtime()
        .prepare(&component, &Imports::new())
        .unwrap_or_else(|e| panic!("jco's default imports link: {e}"));
    let mut session = prepared
        .instantiate(common::quiet().capabilities, Limits::default())
        .unwrap();
    assert_eq!(
        session.call_wave(r#"greet("Ada")"#).unwrap(),
        r#""Hello, Ada, from JavaScript!""#
    );
    assert_eq!(
        session
            .call_vals("add", &[Val::S32(i32::MAX), Val::S32(1)])
            .unwrap(),
        [Val::S32(i32::MIN)]
    );
}
