//! Mocks at run time: each mocked interface is defined in the linker by weft test
//! itself, its resources as host resources whose handles are numbered per session, and
//! every call is answered from the plan and kept in the session's [`MockState`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use wasmtime::component::{LinkerInstance, ResourceDynamic, ResourceType, Val};
use wasmtime::{AsContextMut, StoreContextMut};
use weft_runtime::values::wave;
use weft_runtime::{FuncKind, HostState, Imports};

use crate::check::{Behaviour, MockSet, MockedFunc, Step};

/// Host resource payloads for mock resources start here, clear of anything else.
const RESOURCE_PAYLOAD_BASE: u32 = 0x7766_0000;

/// One call the guest made to a mock.
#[derive(Debug, Clone)]
pub(crate) struct MockCall {
    pub(crate) qualified: String,
    pub(crate) short: String,
    /// The mock handle a method was called on.
    pub(crate) handle: Option<u32>,
    /// The arguments (without a method's receiver), as canonical WAVE.
    pub(crate) args: Vec<String>,
}

impl MockCall {
    /// The call as a line of an order diff, with or without its arguments.
    pub(crate) fn line(&self, with_args: bool) -> String {
        if with_args {
            format!("{}({})", self.short, self.args.join(", "))
        } else {
            self.short.clone()
        }
    }
}

/// What the mocks of one session saw and hold.
#[derive(Debug, Default)]
pub struct MockState {
    pub(crate) calls: Vec<MockCall>,
    /// Live mock handles: id to resource name.
    pub(crate) live: BTreeMap<u32, String>,
    next_handle: u32,
    /// How far each function's answers have got, per mock handle: keyed by the
    /// function's place in the plan (interface, function).
    positions: HashMap<(usize, usize, Option<u32>), usize>,
}

impl MockState {
    /// The number of mock handles the guest holds now.
    pub fn live_handles(&self) -> usize {
        self.live.len()
    }
}

/// Adds every mocked interface of `mocks` to `imports`.
pub(crate) fn link(mocks: &Arc<MockSet>, mut imports: Imports<MockState>) -> Imports<MockState> {
    for (index, interface) in mocks.interfaces.iter().enumerate() {
        let mocks = Arc::clone(mocks);
        imports = imports.define(&interface.name, move |linker| {
            let interface = &mocks.interfaces[index];
            if interface.world_level {
                let func = Arc::new(FuncRef {
                    mocks: Arc::clone(&mocks),
                    interface: index,
                    func: 0,
                });
                let is_async = interface.funcs[0].is_async;
                return define(&mut linker.root(), &interface.name, is_async, func);
            }
            let mut inst = linker.instance(&interface.name)?;
            for (r, resource) in interface.resources.iter().enumerate() {
                inst.resource(
                    resource,
                    ResourceType::host_dynamic(payload(index, r)),
                    |mut store: StoreContextMut<'_, HostState<MockState>>, rep| {
                        store.data_mut().data_mut().live.remove(&rep);
                        Ok(())
                    },
                )?;
            }
            for f in 0..interface.funcs.len() {
                let func = Arc::new(FuncRef {
                    mocks: Arc::clone(&mocks),
                    interface: index,
                    func: f,
                });
                let mocked = &interface.funcs[f];
                define(&mut inst, &mocked.name, mocked.is_async, func)?;
            }
            Ok(())
        });
    }
    imports
}

/// Defines one mocked function: a concurrent host function for a WIT `async func` (it
/// answers at once, with the store lent for the call), a plain one otherwise.
fn define(
    inst: &mut LinkerInstance<'_, HostState<MockState>>,
    name: &str,
    is_async: bool,
    func: Arc<FuncRef>,
) -> wasmtime::Result<()> {
    if is_async {
        inst.func_new_concurrent(name, move |accessor, _, params, results| {
            let done =
                accessor.with(|mut access| func.call(access.as_context_mut(), params, results));
            Box::pin(async move { done })
        })
    } else {
        inst.func_new(name, move |store, _, params, results| {
            func.call(store, params, results)
        })
    }
}

/// The host resource payload of resource `r` of mocked interface `interface`.
fn payload(interface: usize, r: usize) -> u32 {
    RESOURCE_PAYLOAD_BASE + (interface as u32) * 64 + r as u32
}

/// One mocked function, found in the shared plan.
struct FuncRef {
    mocks: Arc<MockSet>,
    interface: usize,
    func: usize,
}

impl FuncRef {
    fn func(&self) -> &MockedFunc {
        &self.mocks.interfaces[self.interface].funcs[self.func]
    }

    fn call(
        &self,
        mut store: StoreContextMut<'_, HostState<MockState>>,
        params: &[Val],
        results: &mut [Val],
    ) -> wasmtime::Result<()> {
        let func = self.func();
        let Some(behaviour) = &func.behaviour else {
            wasmtime::bail!(
                "`{}` is not mocked: the test file has no `[[mock]] import = \"{}\"`",
                func.qualified,
                func.qualified
            );
        };
        let (handle, rest) = match (&func.kind, params.first()) {
            (FuncKind::Method { .. }, Some(Val::Resource(receiver))) => {
                let rep = receiver.try_into_resource_dynamic(&mut store)?.rep();
                (Some(rep), &params[1..])
            }
            _ => (None, params),
        };
        let args: Vec<String> = rest
            .iter()
            .map(|v| wave::to_wave(v, &mut |_| "<handle>".to_string()))
            .collect();
        let state = store.data_mut().data_mut();
        state.calls.push(MockCall {
            qualified: func.qualified.clone(),
            short: func.short.clone(),
            handle,
            args: args.clone(),
        });
        let step = answer(
            behaviour,
            state,
            (self.interface, self.func),
            &func.qualified,
            handle,
            &args,
        )?;
        match step {
            Step::Value(val) => {
                if let Some(slot) = results.first_mut() {
                    *slot = val;
                }
                Ok(())
            }
            Step::Unit => Ok(()),
            Step::Trap(message) => {
                wasmtime::bail!("the mock of `{}` trapped: {message}", func.qualified)
            }
            Step::NewHandle => {
                let FuncKind::Constructor { resource } = &func.kind else {
                    wasmtime::bail!("`{}` is not a constructor", func.qualified);
                };
                let r = self.mocks.interfaces[self.interface]
                    .resources
                    .iter()
                    .position(|n| n == resource)
                    .unwrap_or(0);
                let state = store.data_mut().data_mut();
                state.next_handle += 1;
                let id = state.next_handle;
                state.live.insert(id, resource.clone());
                let handle = ResourceDynamic::new_own(id, payload(self.interface, r))
                    .try_into_resource_any(&mut store)?;
                if let Some(slot) = results.first_mut() {
                    *slot = Val::Resource(handle);
                }
                Ok(())
            }
        }
    }
}

/// The step that answers a call: the first matching `when`, else the next scripted one.
fn answer(
    behaviour: &Behaviour,
    state: &mut MockState,
    (interface, func): (usize, usize),
    qualified: &str,
    handle: Option<u32>,
    args: &[String],
) -> wasmtime::Result<Step> {
    if let Some(when) = behaviour
        .whens
        .iter()
        .find(|w| w.args == args && (w.handle.is_none() || w.handle == handle))
    {
        return Ok(when.step.clone());
    }
    let steps = &behaviour.answer.steps;
    if steps.is_empty() {
        wasmtime::bail!(
            "the mock of `{qualified}` has no answer for arguments ({}): no `when` matches them",
            args.join(", ")
        );
    }
    let position = state
        .positions
        .entry((interface, func, handle))
        .or_insert(0);
    let index = if *position < steps.len() {
        *position
    } else if behaviour.answer.repeat_last {
        steps.len() - 1
    } else {
        wasmtime::bail!(
            "the mock of `{qualified}` was called {} time(s){} but its `sequence` has {} answer(s); add answers or `repeat-last = true`",
            *position + 1,
            handle
                .map(|h| format!(" on handle {h}"))
                .unwrap_or_default(),
            steps.len()
        );
    };
    *position += 1;
    Ok(steps[index].clone())
}
