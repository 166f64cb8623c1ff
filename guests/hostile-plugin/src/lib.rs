//! A plugin that misbehaves on request (`example:plugin-system@1.0.0`, world
//! `plugin-impl`), for tests of a plugin host's isolation.
//!
//! `guests/hostile` tests weft's sandbox limits through functions of its own; a plugin
//! host only ever calls the plugin interface, so its tests need a misbehaving plugin
//! behind that same interface: one that spins, hoards memory, traps or fails on a given
//! event, or cannot even be created, while the host keeps serving its other plugins and
//! later events. `on-event` by event type:
//!
//! - `hostile.spin`: loops forever (the host's deadline or fuel must stop it);
//! - `hostile.hoard`: allocates 1 MiB blocks forever, touching each page and keeping every
//!   block (the host's memory limit must stop it);
//! - `hostile.trap`: panics, a trap;
//! - `hostile.err`: returns `err("hostile plugin refused the event")`;
//! - anything else passes untouched (`handled: false`, no modified payload, no response).
//!
//! Config: `trap-on-create` makes the constructor panic; any other config is accepted and
//! ignored.
//!
//! Every loop goes through [`std::hint::black_box`], as in `guests/hostile`, so the
//! optimiser cannot delete the loop or drop the allocations.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/plugin-system",
        world: "example:plugin-system/plugin-impl@1.0.0",
    });
}

use std::hint::black_box;

use bindings::exports::example::plugin_system::plugin::{
    Event, Guest, GuestHandler, HookResult, PluginInfo,
};

/// The component's export implementation.
struct HostilePlugin;

impl Guest for HostilePlugin {
    type Handler = HostileHandler;
}

/// A handler; it has no state, as its misbehaviour depends only on the event type.
pub struct HostileHandler;

/// Bytes in one MiB.
const MIB: usize = 1024 * 1024;

/// Never returns: counts forever.
fn spin() -> ! {
    let mut n: u64 = 0;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

/// Never returns: allocates 1 MiB blocks forever, touching every page of each so the
/// memory is really committed, and keeping them all.
fn hoard() -> ! {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = vec![0u8; MIB];
        for byte in block.iter_mut().step_by(4096) {
            *byte = 1;
        }
        kept.push(black_box(block));
        black_box(&kept);
    }
}

impl GuestHandler for HostileHandler {
    fn new(config: String) -> Self {
        if black_box(config.as_str()) == "trap-on-create" {
            panic!("hostile plugin: trap-on-create");
        }
        HostileHandler
    }

    fn on_event(&self, event: Event) -> Result<HookResult, String> {
        match event.event_type.as_str() {
            "hostile.spin" => spin(),
            "hostile.hoard" => hoard(),
            "hostile.trap" => panic!("hostile plugin: trap on {}", event.event_type),
            "hostile.err" => Err("hostile plugin refused the event".to_owned()),
            _ => Ok(HookResult {
                handled: false,
                modified_payload: None,
                response: None,
            }),
        }
    }

    fn metadata(&self) -> PluginInfo {
        PluginInfo {
            name: "hostile-plugin".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            author: "weft".to_owned(),
            description: "Misbehaves on request, for tests of a plugin host's isolation".to_owned(),
        }
    }
}

bindings::export!(HostilePlugin with_types_in bindings);
