//! The async-exports test component (`weft:async-exports@0.1.0`): `double` is a WIT
//! `async func`, lifted with the component-model async ABI; `sum` is a plain export.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:async-exports/async-exports@0.1.0",
    });
}

use bindings::exports::weft::async_exports::jobs::Guest;

/// The component's export implementation.
struct AsyncExportsComponent;

impl Guest for AsyncExportsComponent {
    async fn double(x: u32) -> u32 {
        // One suspension point, so the export really runs as an async task.
        wit_bindgen::yield_async().await;
        x.wrapping_mul(2)
    }

    fn sum(xs: Vec<u32>) -> u64 {
        xs.into_iter().map(u64::from).sum()
    }
}

bindings::export!(AsyncExportsComponent with_types_in bindings);
