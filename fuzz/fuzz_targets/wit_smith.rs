//! `weft wit check` of WIT that wit-smith generated: valid WIT, printed as one text with
//! its dependencies as nested packages, must load with no diagnostics. WIT with
//! `@unstable` items only has to load or fail without panicking, since weft enables no
//! features by default and a stable item may use an unstable one.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wit_component::{DecodedWasm, WitPrinter};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(mut config) = u.arbitrary::<wit_smith::Config>() else {
        return;
    };
    // Smaller packages than wit-smith's own range: more executions, the same kinds of
    // items.
    config.max_packages = config.max_packages.min(4);
    config.max_type_size = config.max_type_size.min(100);
    let Ok(wasm) = wit_smith::smith(&config, &mut u) else {
        return;
    };
    let Ok(DecodedWasm::WitPackage(resolve, main)) = wit_component::decode(&wasm) else {
        panic!("wit-smith's package does not decode");
    };
    let nested: Vec<_> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != main)
        .collect();
    let mut printer = WitPrinter::default();
    printer
        .print(&resolve, main, &nested)
        .expect("wit-smith's package prints");
    let text = printer.output.to_string();
    match weft_wit::load_str("smith.wit", &text) {
        Ok(_) => {}
        Err(weft_wit::LoadError::Invalid { diagnostics, .. }) => {
            let rendered = weft_wit::diagnose::render(&diagnostics);
            assert!(
                text.contains("@unstable"),
                "valid WIT is refused:\n{rendered}\n--- the WIT ---\n{text}"
            );
        }
        Err(other) => panic!("valid WIT is refused: {other}\n--- the WIT ---\n{text}"),
    }
});
