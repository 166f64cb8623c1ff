//! The async-types test component (`weft:async-types@0.1.0`, world `async-types`).
//!
//! Its `jobs` exports `double` and `greet-later` are WIT `async func`s, which wit-bindgen
//! lifts with the component-model async ABI: the Rust trait methods are `async fn`s run by
//! wit-bindgen's per-task executor. `greet-later` awaits the async import
//! `host-clock.sleep-ms`, which the host's embedder provides. `sum` is a plain sync export.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:async-types/async-types@0.1.0",
    });
}

use bindings::exports::weft::async_types::jobs::Guest;
use bindings::weft::async_types::host_clock;

/// The component's export implementation.
struct AsyncTypesComponent;

impl Guest for AsyncTypesComponent {
    async fn double(x: u32) -> u32 {
        // Give the task one suspension point, so a host sees a real async export
        // (lifted with a callback) even though nothing is awaited from outside.
        wit_bindgen::yield_async().await;
        x.wrapping_mul(2)
    }

    async fn greet_later(name: String, delay_ms: u32) -> String {
        host_clock::sleep_ms(delay_ms).await;
        format!("Hello, {name}!")
    }

    fn sum(xs: Vec<u32>) -> u64 {
        xs.into_iter().map(u64::from).sum()
    }
}

bindings::export!(AsyncTypesComponent with_types_in bindings);
