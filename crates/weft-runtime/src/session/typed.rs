//! Typed calls for hot paths: an export resolved once into a [`TypedFunc`] and called with
//! the session's limits, without building [`Val`](wasmtime::component::Val)s.

use std::sync::Arc;

use wasmtime::component::{ComponentNamedList, Lift, Lower, TypedFunc};

use super::{CallError, Session};
use crate::imports::Mode;

/// An export of one session's instance with Rust types for its parameters and results,
/// from [`Session::typed_export`]; call it with [`Session::call_typed`].
pub struct TypedExport<Params, Results> {
    func: TypedFunc<Params, Results>,
    name: Arc<str>,
    lifted_async: bool,
}

impl<Params, Results> Clone for TypedExport<Params, Results> {
    fn clone(&self) -> Self {
        TypedExport {
            func: self.func,
            name: Arc::clone(&self.name),
            lifted_async: self.lifted_async,
        }
    }
}

impl<Params, Results> TypedExport<Params, Results> {
    /// The export's fully qualified name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T: Send + 'static> Session<T> {
    /// The export `target` with Rust types: `Params` and `Results` are tuples of the
    /// export's parameter and result types (records as `#[derive(ComponentType, Lift,
    /// Lower)]` structs). The types are checked here, once; each
    /// [`Session::call_typed`] then applies the session's limits as every other call does.
    ///
    /// ```no_run
    /// # fn demo(session: &mut weft_runtime::Session) -> Result<(), Box<dyn std::error::Error>> {
    /// let sum = session.typed_export::<(Vec<u32>,), (u64,)>("sum")?;
    /// let (total,) = session.call_typed(&sum, (vec![1, 2, 3],))?;
    /// assert_eq!(total, 6);
    /// # Ok(()) }
    /// ```
    pub fn typed_export<Params, Results>(
        &mut self,
        target: &str,
    ) -> Result<TypedExport<Params, Results>, CallError>
    where
        Params: ComponentNamedList + Lower,
        Results: ComponentNamedList + Lift,
    {
        let catalog = Arc::clone(&self.component.catalog);
        let export = catalog.resolve(target)?;
        Ok(TypedExport {
            func: self.typed_func(target)?,
            name: export.qualified_name().into(),
            lifted_async: export.ty.async_(),
        })
    }

    /// Calls a typed export of this session's instance under the session's limits; a
    /// trap ends the session, as with [`Session::invoke`]. Resources the call returns are
    /// the caller's to keep and drop: they are not named in the session's handle table.
    pub fn call_typed<Params, Results>(
        &mut self,
        export: &TypedExport<Params, Results>,
        params: Params,
    ) -> Result<Results, CallError>
    where
        Params: ComponentNamedList + Lower + Send + Sync,
        Results: ComponentNamedList + Lift + Send + Sync + 'static,
    {
        self.arm(&export.name, Mode::Sync)?;
        let called = if export.lifted_async {
            // As in `invoke`: with sync imports nothing waits on a reactor.
            futures::executor::block_on(export.func.call_async(&mut self.store, params))
        } else {
            export.func.call(&mut self.store, params)
        };
        called.map_err(|error| self.fail_named(&export.name, error))
    }
}
