//! `weft wit check` of arbitrary text: loading, diagnosing with fix hints (which edits and
//! re-parses the text) and rendering the diagnostics must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(weft_wit::LoadError::Invalid { diagnostics, .. }) =
        weft_wit::load_str("fuzz.wit", text)
    {
        let _ = weft_wit::diagnose::render(&diagnostics);
    }
});
