//! Building the wasmtime linker for one component from an [`Imports`] registry.

use std::fmt::Write;
use std::sync::{Arc, Mutex};

use wasmtime::component::types::{ComponentFunc, ComponentInstance, ComponentItem};
use wasmtime::component::{Component, Linker, LinkerInstance, ResourceType, Type, Val};
use wasmtime::{AsContextMut, Engine};

use crate::app;
use crate::imports::{Entry, ImportCall, Imports, Mock, MockValue, Mode, Provider};
use crate::state::HostState;
use crate::values::{Path, ValueError, describe, json, type_contains_resource, wave};

/// Imports the registry does not provide.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the component has {} import(s) that weft does not provide:\n{}", missing.len(), missing.iter().map(|m| format!("  {m}")).collect::<Vec<_>>().join("\n"))]
pub struct MissingImports {
    /// Each missing import (an interface with the functions nobody provides, or a
    /// function) with its WIT shape.
    pub missing: Vec<String>,
}

/// A guest called an import that was linked to trap because nothing provides it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("called `{import}`, an import weft does not provide")]
pub struct UnknownImportCalled {
    /// The import, `ns:pkg/iface#func`.
    pub import: String,
}

/// Why a component's imports could not be linked.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Imports nobody provides.
    #[error(transparent)]
    Missing(MissingImports),
    /// A registered provider's type differs from the import's.
    #[error(
        "import `{import}` is registered with the wrong type:\n  the component imports: {expected}\n  the registered {provider} has: {found}"
    )]
    Mismatch {
        /// The import.
        import: String,
        /// What provides it (`forward to ...`, `mock`).
        provider: String,
        /// The import's type, in WIT.
        expected: String,
        /// The provider's type, in WIT.
        found: String,
    },
    /// A mock's scripted value does not fit the import's result type.
    #[error("the mock of `{import}` returns a value that does not fit: {error}")]
    MockValue {
        /// The import.
        import: String,
        /// What does not fit.
        #[source]
        error: Box<ValueError>,
    },
    /// A provider that cannot serve this import.
    #[error("import `{import}` cannot be provided that way: {reason}")]
    Unsupported {
        /// The import.
        import: String,
        /// Why.
        reason: String,
    },
    /// The application's members, links or exports do not fit together.
    #[error(transparent)]
    App(Box<crate::app::AppError>),
    /// wasmtime refused a definition or the linking.
    #[error("{context}")]
    Wasmtime {
        /// What weft was doing.
        context: String,
        /// wasmtime's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl LinkError {
    pub(crate) fn wasmtime(context: impl Into<String>, error: wasmtime::Error) -> LinkError {
        LinkError::Wasmtime {
            context: context.into(),
            source: error.into_boxed_dyn_error(),
        }
    }
}

/// Builds the linker for `component` from `imports`.
pub(crate) fn build<T: Send + 'static>(
    engine: &Engine,
    component: &Component,
    imports: &Imports<T>,
) -> Result<Linker<HostState<T>>, LinkError> {
    let mut linker = Linker::<HostState<T>>::new(engine);
    if imports.wasi {
        let added = match imports.mode {
            Mode::Sync => wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
                .and_then(|()| wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)),
            Mode::Async => wasmtime_wasi::p2::add_to_linker_async(&mut linker)
                .and_then(|()| wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)),
        };
        added.map_err(|e| LinkError::wasmtime("failed to add WASI 0.2 to the linker", e))?;
        if imports.wasi_p3 {
            wasmtime_wasi::p3::add_to_linker(&mut linker)
                .and_then(|()| wasmtime_wasi_http::p3::add_to_linker(&mut linker))
                .map_err(|e| LinkError::wasmtime("failed to add WASI 0.3 to the linker", e))?;
        }
    }
    for (interface, define) in &imports.defines {
        define(&mut linker).map_err(|e| {
            LinkError::wasmtime(
                format!("the definitions registered for `{interface}` failed"),
                e,
            )
        })?;
    }
    // Resource types already defined, by WASI or an earlier import: an interface that
    // `use`s one sees the same type, and a stub must not invent another.
    let mut known_resources: Vec<ResourceType> = Vec::new();
    let mut missing = Vec::new();
    for (name, item) in component.component_type().imports(engine) {
        let provided_whole = (imports.wasi && weft_wit::is_wasi_p2(name))
            || (imports.wasi && imports.wasi_p3 && weft_wit::is_wasi_p3(name))
            || imports.defines_for(name);
        match &item.ty {
            ComponentItem::ComponentInstance(instance) => {
                if provided_whole {
                    known_resources.extend(resources_of(engine, instance));
                    continue;
                }
                let mut inst = linker
                    .instance(name)
                    .map_err(|e| LinkError::wasmtime(format!("cannot define `{name}`"), e))?;
                let mut missing_here = Vec::new();
                for (item_name, export) in instance.exports(engine) {
                    match export.ty {
                        ComponentItem::ComponentFunc(func) => {
                            let qualified = format!("{name}#{item_name}");
                            check_mode(imports.mode, &qualified, &func)?;
                            match imports.lookup(Some(name), item_name) {
                                Some(entry) => define_func(
                                    &mut inst, imports, item_name, &qualified, &func, entry,
                                )?,
                                None if imports.trap_unknown => define_trap(
                                    &mut inst,
                                    imports.record,
                                    item_name,
                                    &qualified,
                                    func.async_(),
                                    None,
                                )?,
                                None => {
                                    missing_here.push(format!("{item_name}: {}", func_sig(&func)))
                                }
                            }
                        }
                        ComponentItem::Resource(ty) => {
                            if known_resources.contains(&ty) {
                                continue;
                            }
                            known_resources.push(ty);
                            let proxy = match imports.lookup(Some(name), item_name) {
                                Some(Entry {
                                    provider: Provider::Member(link),
                                    ..
                                }) => link.proxy_id(item_name),
                                _ => None,
                            };
                            match proxy {
                                Some(id) => app::define_proxy_resource(
                                    &mut inst,
                                    imports.mode,
                                    item_name,
                                    id,
                                ),
                                None => inst.resource(
                                    item_name,
                                    ResourceType::host::<StandIn>(),
                                    |_, _| Ok(()),
                                ),
                            }
                            .map_err(|e| {
                                LinkError::wasmtime(
                                    format!("cannot define resource `{name}#{item_name}`"),
                                    e,
                                )
                            })?;
                        }
                        _ => {}
                    }
                }
                if !missing_here.is_empty() {
                    missing.push(format!(
                        "interface `{name}` {{ {} }}",
                        missing_here.join("; ")
                    ));
                }
            }
            ComponentItem::ComponentFunc(func) => {
                if provided_whole {
                    continue;
                }
                check_mode(imports.mode, name, func)?;
                let mut root = linker.root();
                match imports.lookup(None, name) {
                    Some(entry) => define_func(&mut root, imports, name, name, func, entry)?,
                    None if imports.trap_unknown => {
                        define_trap(&mut root, imports.record, name, name, func.async_(), None)?
                    }
                    None => missing.push(format!("func `{name}`: {}", func_sig(func))),
                }
            }
            ComponentItem::Resource(ty) => {
                if provided_whole || known_resources.contains(ty) {
                    continue;
                }
                known_resources.push(*ty);
                linker
                    .root()
                    .resource(name, ResourceType::host::<StandIn>(), |_, _| Ok(()))
                    .map_err(|e| {
                        LinkError::wasmtime(format!("cannot define resource `{name}`"), e)
                    })?;
            }
            _ => {}
        }
    }
    if missing.is_empty() {
        Ok(linker)
    } else {
        Err(LinkError::Missing(MissingImports { missing }))
    }
}

/// A WIT `async func` import can only be served to a store called asynchronously
/// (wasmtime requires async entry points once one is linked).
fn check_mode(mode: Mode, qualified: &str, func: &ComponentFunc) -> Result<(), LinkError> {
    if func.async_() && mode == Mode::Sync {
        return Err(LinkError::Unsupported {
            import: qualified.to_string(),
            reason: "it is an `async func` import, which needs imports linked for async calls (`Imports::asynchronous`)".to_string(),
        });
    }
    Ok(())
}

/// A host resource type standing in for a resource of an import nobody implements;
/// the functions that would make one trap, so no value of it ever exists.
struct StandIn;

/// The resource types an instance exports (its own and those it `use`s).
fn resources_of(engine: &Engine, instance: &ComponentInstance) -> Vec<ResourceType> {
    instance
        .exports(engine)
        .filter_map(|(_, item)| match item.ty {
            ComponentItem::Resource(ty) => Some(ty),
            _ => None,
        })
        .collect()
}

fn define_func<T: Send + 'static>(
    inst: &mut LinkerInstance<'_, HostState<T>>,
    imports: &Imports<T>,
    name: &str,
    qualified: &str,
    func: &ComponentFunc,
    entry: &Entry<T>,
) -> Result<(), LinkError> {
    let failed = |e| LinkError::wasmtime(format!("cannot define `{qualified}`"), e);
    let mode = imports.mode;
    let record = imports.record.then(|| qualified.to_string());
    match &entry.provider {
        Provider::Host(f) => {
            let f = f.clone();
            if func.async_() {
                // A WIT `async func` import takes a concurrent host function; this one
                // finishes before it returns, with the store lent for the call.
                inst.func_new_concurrent(name, move |accessor, _ty, params, results| {
                    let done = accessor.with(|mut access| {
                        let done = f(access.as_context_mut(), params, results);
                        if let Some(import) = &record {
                            keep_call(access.data_mut(), import, params, results, &done);
                        }
                        done
                    });
                    Box::pin(async move { done })
                })
            } else {
                inst.func_new(name, move |mut store, _ty, params, results| {
                    let done = f(store.as_context_mut(), params, results);
                    if let Some(import) = &record {
                        keep_call(store.data_mut(), import, params, results, &done);
                    }
                    done
                })
            }
            .map_err(failed)
        }
        Provider::HostAsync(f) => {
            if mode != Mode::Async {
                return Err(LinkError::Unsupported {
                    import: qualified.to_string(),
                    reason: "an async host function needs imports linked for async calls (`Imports::asynchronous`)".to_string(),
                });
            }
            let f = f.clone();
            if func.async_() {
                inst.func_new_concurrent(name, move |accessor, _ty, params, results| {
                    let future = f(params.to_vec());
                    let record = record.clone();
                    Box::pin(async move {
                        let done = future.await.and_then(|values| fill(results, values));
                        if let Some(import) = &record {
                            accessor.with(|mut access| {
                                keep_call(access.data_mut(), import, params, results, &done)
                            });
                        }
                        done
                    })
                })
            } else {
                inst.func_new_async(name, move |mut store, _ty, params, results| {
                    let future = f(params.to_vec());
                    let record = record.clone();
                    Box::new(async move {
                        let done = future.await.and_then(|values| fill(results, values));
                        if let Some(import) = &record {
                            keep_call(store.data_mut(), import, params, results, &done);
                        }
                        done
                    })
                })
            }
            .map_err(failed)
        }
        Provider::Trap(message) => define_trap(
            inst,
            imports.record,
            name,
            qualified,
            func.async_(),
            Some(message.clone()),
        ),
        Provider::Mock(mock) => {
            let script = check_mock(qualified, func, mock)?;
            let owned = qualified.to_string();
            let next = Mutex::new(0usize);
            let repeat_last = mock.repeat_last;
            define_dynamic(inst, record, name, func.async_(), move |_params, results| {
                let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                let index = if *n < script.len() {
                    *n
                } else if repeat_last && !script.is_empty() {
                    script.len() - 1
                } else {
                    wasmtime::bail!(
                        "the mock of `{owned}` was called {} time(s) but scripts only {} result(s)",
                        *n + 1,
                        script.len()
                    );
                };
                *n += 1;
                for (slot, value) in results.iter_mut().zip(&script[index]) {
                    *slot = value.clone();
                }
                Ok(())
            })
            .map_err(failed)
        }
        Provider::Member(link) => app::define_forward(inst, mode, name, qualified, func, link),
        Provider::Forward(forward) => {
            let export = forward.export.clone().unwrap_or_else(|| {
                // An interface entry forwards each function to the export of the same name.
                let interface = qualified.split_once('#').map(|(i, _)| i);
                match interface {
                    Some(i) => format!("{i}#{name}"),
                    None => name.to_string(),
                }
            });
            let signature =
                forward
                    .target
                    .signature(&export)
                    .map_err(|e| LinkError::Unsupported {
                        import: qualified.to_string(),
                        reason: format!("its forward target has no usable export `{export}`: {e}"),
                    })?;
            let expected = func_sig(func);
            if signature.has_resources || func_has_resources(func) {
                return Err(LinkError::Unsupported {
                    import: qualified.to_string(),
                    reason: "values with resources cannot be copied between instances in different stores".to_string(),
                });
            }
            if signature.text != expected {
                return Err(LinkError::Mismatch {
                    import: qualified.to_string(),
                    provider: format!("forward to `{export}`"),
                    expected,
                    found: signature.text,
                });
            }
            let target = Arc::clone(&forward.target);
            define_dynamic(inst, record, name, func.async_(), move |params, results| {
                let values = target.call(&export, params).map_err(|e| {
                    wasmtime::Error::msg(format!("the forward to `{export}` failed: {e}"))
                })?;
                for (slot, value) in results.iter_mut().zip(values) {
                    *slot = value;
                }
                Ok(())
            })
            .map_err(failed)
        }
    }
}

/// Defines `name` with `f`, as a concurrent host function when the import is a WIT
/// `async func` (wasmtime requires it) and a plain one otherwise; its calls are kept
/// under the import's name `record` when it is given.
fn define_dynamic<T: Send + 'static>(
    inst: &mut LinkerInstance<'_, HostState<T>>,
    record: Option<String>,
    name: &str,
    is_async: bool,
    f: impl Fn(&[Val], &mut [Val]) -> wasmtime::Result<()> + Send + Sync + 'static,
) -> wasmtime::Result<()> {
    if is_async {
        inst.func_new_concurrent(name, move |accessor, _ty, params, results| {
            let done = f(params, results);
            if let Some(import) = &record {
                accessor.with(|mut access| {
                    keep_call(access.data_mut(), import, params, results, &done)
                });
            }
            Box::pin(async move { done })
        })
    } else {
        inst.func_new(name, move |mut store, _ty, params, results| {
            let done = f(params, results);
            if let Some(import) = &record {
                keep_call(store.data_mut(), import, params, results, &done);
            }
            done
        })
    }
}

/// Records one served import call in the store (see [`Imports::record_calls`]).
fn keep_call<T>(
    state: &mut HostState<T>,
    import: &str,
    params: &[Val],
    results: &[Val],
    done: &wasmtime::Result<()>,
) {
    state.import_calls.push(ImportCall {
        import: import.to_string(),
        args: params.to_vec(),
        results: match done {
            Ok(()) => Ok(results.to_vec()),
            Err(e) => Err(format!("{e:#}")),
        },
    });
}

/// Writes an async host function's results into wasmtime's slots.
fn fill(slots: &mut [Val], values: Vec<Val>) -> wasmtime::Result<()> {
    if values.len() != slots.len() {
        wasmtime::bail!(
            "the host function returned {} result(s), the import has {}",
            values.len(),
            slots.len()
        );
    }
    for (slot, value) in slots.iter_mut().zip(values) {
        *slot = value;
    }
    Ok(())
}

fn define_trap<T: Send + 'static>(
    inst: &mut LinkerInstance<'_, HostState<T>>,
    record: bool,
    name: &str,
    qualified: &str,
    is_async: bool,
    message: Option<String>,
) -> Result<(), LinkError> {
    let owned = qualified.to_string();
    let record = record.then(|| qualified.to_string());
    define_dynamic(inst, record, name, is_async, move |_, _| match &message {
        Some(message) => wasmtime::bail!("`{owned}` trapped: {message}"),
        None => Err(wasmtime::Error::new(UnknownImportCalled {
            import: owned.clone(),
        })),
    })
    .map_err(|e| LinkError::wasmtime(format!("cannot define `{qualified}`"), e))
}

/// Parses every scripted result of `mock` against `func`'s result type.
fn check_mock(
    qualified: &str,
    func: &ComponentFunc,
    mock: &Mock,
) -> Result<Vec<Vec<Val>>, LinkError> {
    let result = func.results().next();
    if let Some(ty) = &result
        && type_contains_resource(ty)
    {
        return Err(LinkError::Unsupported {
            import: qualified.to_string(),
            reason: "a mock cannot return a resource".to_string(),
        });
    }
    let no_handles =
        |_: &str, _: &Type| -> Result<Val, String> { Err("mocks cannot name handles".to_string()) };
    mock.results
        .iter()
        .map(|value| {
            let parsed = match (value, &result) {
                (MockValue::Unit, None) => return Ok(Vec::new()),
                (MockValue::Unit, Some(ty)) => Err(ValueError {
                    path: "result".to_string(),
                    expected: describe(ty),
                    found: "no value".to_string(),
                    hint: None,
                }),
                (MockValue::Wave(_) | MockValue::Json(_), None) => Err(ValueError {
                    path: "result".to_string(),
                    expected: "no result".to_string(),
                    found: "a value".to_string(),
                    hint: Some("use `Mock::unit()` for a function without a result".to_string()),
                }),
                (MockValue::Wave(text), Some(ty)) => {
                    wave::parse_value(text, ty, &Path::root("result"), &no_handles)
                }
                (MockValue::Json(value), Some(ty)) => {
                    json::from_json(value, ty, &Path::root("result"), &no_handles)
                }
            };
            parsed
                .map(|v| vec![v])
                .map_err(|error| LinkError::MockValue {
                    import: qualified.to_string(),
                    error: Box::new(error),
                })
        })
        .collect()
}

/// Does any parameter or result of `func` hold a resource?
pub(crate) fn func_has_resources(func: &ComponentFunc) -> bool {
    func.params().any(|(_, t)| type_contains_resource(&t))
        || func.results().any(|t| type_contains_resource(&t))
}

/// A function's signature in WIT: `func(a: u32) -> string`.
pub(crate) fn func_sig(f: &ComponentFunc) -> String {
    let params: Vec<String> = f
        .params()
        .map(|(n, t)| format!("{n}: {}", describe(&t)))
        .collect();
    let keyword = if f.async_() { "async func" } else { "func" };
    let mut s = format!("{keyword}({})", params.join(", "));
    if let Some(r) = f.results().next() {
        let _ = write!(s, " -> {}", describe(&r));
    }
    s
}
