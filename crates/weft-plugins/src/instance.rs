//! One instance of a plugin: its own store, and the `handler` its config made.

use wasmtime::component::ResourceAny;
use weft_runtime::{CallError, Prepared, Session, SessionError, TypedExport};

use crate::event::{Event, HookResult, PluginInfo};
use crate::manifest::PluginSpec;

/// `on-event`'s parameters and results.
type OnEvent = TypedExport<(ResourceAny, Event), (Result<HookResult, String>,)>;

/// A live instance and its handler.
pub(crate) struct Instance {
    session: Session,
    handler: ResourceAny,
    on_event: OnEvent,
    /// The version of the plugin it was made from.
    pub(crate) generation: u64,
    /// Its linear memory after its last call.
    pub(crate) memory: usize,
    /// The memory its pool counts for it.
    pub(crate) counted: usize,
}

/// Why an instance could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The store could not be set up (a capability, the limits).
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The constructor (or a describing call) failed.
    #[error(transparent)]
    Call(#[from] CallError),
}

impl Instance {
    /// Instantiates `prepared` under `spec`'s limits and capabilities and makes the
    /// handler from its config.
    pub(crate) fn create(
        prepared: &Prepared,
        spec: &PluginSpec,
        generation: u64,
    ) -> Result<Instance, CreateError> {
        let mut session = prepared.instantiate_with(&spec.capabilities, spec.limits.clone(), ())?;
        let constructor = session.typed_export::<(&str,), (ResourceAny,)>(
            "example:plugin-system/plugin#[constructor]handler",
        )?;
        let (handler,) = session.call_typed(&constructor, (spec.config.as_str(),))?;
        let on_event =
            session.typed_export("example:plugin-system/plugin#[method]handler.on-event")?;
        let memory = session.store().data().memory_bytes();
        Ok(Instance {
            session,
            handler,
            on_event,
            generation,
            memory,
            counted: 0,
        })
    }

    /// The handler's `metadata()`.
    pub(crate) fn metadata(&mut self) -> Result<PluginInfo, CallError> {
        let metadata = self.session.typed_export::<(ResourceAny,), (PluginInfo,)>(
            "example:plugin-system/plugin#[method]handler.metadata",
        )?;
        let (info,) = self.session.call_typed(&metadata, (self.handler,))?;
        Ok(info)
    }

    /// `event-filter.wanted-events(config)`, for plugins that export it.
    pub(crate) fn wanted_events(&mut self, config: &str) -> Result<Vec<String>, CallError> {
        let wanted = self.session.typed_export::<(&str,), (Vec<String>,)>(
            "example:plugin-system/event-filter#wanted-events",
        )?;
        let (events,) = self.session.call_typed(&wanted, (config,))?;
        Ok(events)
    }

    /// Hands `event` to the handler. `Ok(Err(message))` is the plugin's own refusal;
    /// `Err` is a failure of the instance (a trap, a limit), which ends it.
    pub(crate) fn on_event(
        &mut self,
        event: Event,
    ) -> Result<Result<HookResult, String>, CallError> {
        let (result,) = self
            .session
            .call_typed(&self.on_event, (self.handler, event))?;
        self.memory = self.session.store().data().memory_bytes();
        Ok(result)
    }
}
