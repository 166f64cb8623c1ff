//! A WAC document of arbitrary text: parsing, package resolution (against a deps
//! directory that does not exist, so no file is read) and the error's location and
//! rendering must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = weft_compose::WacOptions {
        deps_dir: Some(std::path::PathBuf::from("/nonexistent/weft-fuzz-deps")),
        ..weft_compose::WacOptions::default()
    };
    if let Err(error) = weft_compose::compose_wac(std::path::Path::new("fuzz.wac"), text, &options) {
        let _ = error.to_string();
    }
});
