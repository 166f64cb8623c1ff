//! Assembling the imports a component gets: WASI 0.2, the host interfaces weft
//! implements, and (only when asked) traps for whatever is still missing.

use std::fmt::Write;

use wasmtime::component::types::{ComponentInstance, ComponentItem};
use wasmtime::component::{Component, Linker, ResourceType};
use wasmtime::{Engine, StoreContextMut};

use crate::host::WeftState;
use crate::values::describe;

/// The interface name of the greeter's logging import, implemented by the host.
pub const LOGGING_INTERFACE: &str = "example:greeter/logging";

/// WASI 0.2 interfaces that `wasmtime_wasi::p2::add_to_linker_sync` defines.
const WASI_P2: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/insecure-seed",
    "wasi:random/insecure",
    "wasi:random/random",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/ip-name-lookup",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
];

/// Imports the host cannot satisfy.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the component has {} import(s) that weft does not provide:\n{}\nhint: compose the component with one that exports them (`weft compose`/`weft plug`), or pass `--trap-unknown-imports` to run anyway (calling one traps)", missing.len(), missing.iter().map(|m| format!("  {m}")).collect::<Vec<_>>().join("\n"))]
pub struct MissingImports {
    /// Each missing import with its WIT shape.
    pub missing: Vec<String>,
}

/// Splits `ns:pkg/iface@1.2.3` into (`ns:pkg/iface`, `Some("1.2.3")`).
fn split_version(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (name, None),
    }
}

/// Is `name` a WASI 0.2 interface the linker provides? wasmtime matches 0.2.x
/// imports with its own 0.2 release by semver, so any 0.2 version counts.
fn is_wasi_p2(name: &str) -> bool {
    let (base, version) = split_version(name);
    WASI_P2.contains(&base) && version.is_some_and(|v| v.starts_with("0.2."))
}

/// Builds the linker for `component`: WASI 0.2, host interfaces, and trapping
/// stubs for missing imports if `trap_unknown` is set.
pub fn build(
    engine: &Engine,
    component: &Component,
    trap_unknown: bool,
) -> Result<Linker<WeftState>, LinkError> {
    let mut linker = Linker::<WeftState>::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(LinkError::wasmtime)?;
    let mut missing = Vec::new();
    for (name, item) in component.component_type().imports(engine) {
        if is_wasi_p2(name) {
            continue;
        }
        if split_version(name).0 == LOGGING_INTERFACE {
            add_logging(&mut linker, name).map_err(LinkError::wasmtime)?;
            continue;
        }
        if types_only(engine, &item.ty) {
            // An interface of types alone (like the seed's `hooks`) needs no implementation.
            linker.instance(name).map_err(LinkError::wasmtime)?;
            continue;
        }
        if trap_unknown {
            stub(&mut linker, engine, name, &item.ty).map_err(LinkError::wasmtime)?;
        } else {
            missing.push(describe_import(engine, name, &item.ty));
        }
    }
    if missing.is_empty() {
        Ok(linker)
    } else {
        Err(LinkError::Missing(MissingImports { missing }))
    }
}

/// Why a component's imports could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Imports nobody provides.
    #[error(transparent)]
    Missing(MissingImports),
    /// wasmtime refused a definition or the instantiation.
    #[error("{0}")]
    Wasmtime(String),
}

impl LinkError {
    pub(crate) fn wasmtime(e: wasmtime::Error) -> LinkError {
        LinkError::Wasmtime(format!("{e:#}"))
    }
}

fn add_logging(linker: &mut Linker<WeftState>, name: &str) -> wasmtime::Result<()> {
    linker.instance(name)?.func_wrap(
        "log",
        |mut store: StoreContextMut<'_, WeftState>, (level, message): (u8, String)| {
            store.data_mut().log(level, message);
            Ok(())
        },
    )
}

/// Is `item` an instance that exports nothing but (non-resource) types?
fn types_only(engine: &Engine, item: &ComponentItem) -> bool {
    match item {
        ComponentItem::ComponentInstance(instance) => instance
            .exports(engine)
            .all(|(_, item)| matches!(item.ty, ComponentItem::Type(_))),
        _ => false,
    }
}

/// A host resource type standing in for a resource of a missing import.
struct MissingResource;

fn stub(
    linker: &mut Linker<WeftState>,
    engine: &Engine,
    name: &str,
    item: &ComponentItem,
) -> wasmtime::Result<()> {
    match item {
        ComponentItem::ComponentFunc(_) => {
            let owned = name.to_string();
            linker.root().func_new(name, move |_, _, _, _| {
                wasmtime::bail!("called `{owned}`, an import weft does not provide (it was stubbed by `--trap-unknown-imports`)")
            })
        }
        ComponentItem::ComponentInstance(instance) => {
            let mut inst = linker.instance(name)?;
            for (item_name, item) in instance.exports(engine) {
                match item.ty {
                    ComponentItem::ComponentFunc(_) => {
                        let qualified = format!("{name}#{item_name}");
                        inst.func_new(item_name, move |_, _, _, _| {
                            wasmtime::bail!("called `{qualified}`, an import weft does not provide (it was stubbed by `--trap-unknown-imports`)")
                        })?;
                    }
                    ComponentItem::Resource(_) => {
                        inst.resource(
                            item_name,
                            ResourceType::host::<MissingResource>(),
                            |_, _| Ok(()),
                        )?;
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        ComponentItem::Resource(_) => {
            linker
                .root()
                .resource(name, ResourceType::host::<MissingResource>(), |_, _| Ok(()))
        }
        _ => Ok(()),
    }
}

fn describe_import(engine: &Engine, name: &str, item: &ComponentItem) -> String {
    match item {
        ComponentItem::ComponentFunc(f) => format!("func `{name}`: {}", func_sig(f)),
        ComponentItem::ComponentInstance(instance) => {
            let mut s = format!("interface `{name}`");
            let items = instance_items(engine, instance);
            if !items.is_empty() {
                let _ = write!(s, " {{ {} }}", items.join("; "));
            }
            s
        }
        ComponentItem::Resource(_) => format!("resource `{name}`"),
        _ => format!("`{name}`"),
    }
}

fn instance_items(engine: &Engine, instance: &ComponentInstance) -> Vec<String> {
    instance
        .exports(engine)
        .map(|(n, item)| match item.ty {
            ComponentItem::ComponentFunc(f) => format!("{n}: {}", func_sig(&f)),
            ComponentItem::Resource(_) => format!("resource {n}"),
            _ => n.to_string(),
        })
        .collect()
}

fn func_sig(f: &wasmtime::component::types::ComponentFunc) -> String {
    let params: Vec<String> = f
        .params()
        .map(|(n, t)| format!("{n}: {}", describe(&t)))
        .collect();
    let mut s = format!("func({})", params.join(", "));
    if let Some(r) = f.results().next() {
        let _ = write!(s, " -> {}", describe(&r));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasi_versions_match_by_semver() {
        assert!(is_wasi_p2("wasi:cli/environment@0.2.0"));
        assert!(is_wasi_p2("wasi:io/streams@0.2.6"));
        assert!(!is_wasi_p2("wasi:io/streams@0.3.0"));
        assert!(!is_wasi_p2("wasi:http/types@0.2.0"));
        assert!(!is_wasi_p2("wasi:io/streams"));
    }
}
