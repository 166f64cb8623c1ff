//! The seed's `compose.toml` of arbitrary text: parsing and its error locations (line and
//! column from a byte span) must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = weft_compose::Manifest::parse(std::path::Path::new("fuzz.toml"), text) {
        let _ = error.to_string();
    }
});
