//! Loading, inspecting and calling components wasm-smith generates:
//! - a core module wrapped in a component that lifts each of its scalar functions, every
//!   export called with zero arguments under a fuel limit, so the guest's traps and
//!   exhaustion go through weft's trap mapping;
//! - a wasm-smith component (its generator is a work in progress upstream, so most are
//!   rejected; those that validate exercise weft's type walks).
//!
//! Each input is compiled with Cranelift, so this target runs far fewer executions a
//! second than the others.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_encoder::{
    Alias, CanonicalFunctionSection, ComponentAliasSection, ComponentExportKind,
    ComponentExportSection, ComponentSectionId, ComponentTypeSection, ExportKind,
    InstanceSection, PrimitiveValType, RawSection,
};
use wasmparser::{Parser, Payload, ValType};

#[path = "load_common.rs"]
mod load_common;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Some(component) = wrapped_module(rest) {
            load_common::load_and_inspect(component, true);
        }
    } else {
        let mut u = Unstructured::new(rest);
        if let Ok(component) = u.arbitrary::<wasm_smith::Component>() {
            load_common::load_and_inspect(component.to_bytes(), false);
        }
    }
});

/// A component holding the wasm-smith module `data` makes, instantiated, with every
/// exported function whose parameters are all `i32` and that returns at most one `i32`
/// lifted as `func(p0: s32, ...) -> s32`.
fn wrapped_module(data: &[u8]) -> Option<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let config = wasm_smith::Config {
        max_imports: 0,
        allow_start_export: false,
        export_everything: true,
        max_memory32_bytes: 1 << 24,
        max_memories: 2,
        max_tables: 2,
        // Small modules: compiling is most of an execution's time.
        max_funcs: 8,
        max_instructions: 200,
        max_types: 16,
        threads_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        ..wasm_smith::Config::default()
    };
    let module = wasm_smith::Module::new(config, &mut u).ok()?.to_bytes();
    let liftable = liftable_exports(&module)?;

    let mut component = wasm_encoder::Component::new();
    component.section(&RawSection {
        id: ComponentSectionId::CoreModule as u8,
        data: &module,
    });
    let mut instances = InstanceSection::new();
    instances.instantiate(0, Vec::<(&str, wasm_encoder::ModuleArg)>::new());
    component.section(&instances);
    for (index, (name, params, result)) in liftable.iter().enumerate() {
        let mut types = ComponentTypeSection::new();
        let params: Vec<_> = (0..*params)
            .map(|i| (format!("p{i}"), PrimitiveValType::S32))
            .collect();
        types
            .function()
            .params(params.iter().map(|(n, t)| (n.as_str(), *t)))
            .result(result.then_some(PrimitiveValType::S32.into()));
        component.section(&types);
        let mut aliases = ComponentAliasSection::new();
        aliases.alias(Alias::CoreInstanceExport {
            instance: 0,
            kind: ExportKind::Func,
            name,
        });
        component.section(&aliases);
        let mut lift = CanonicalFunctionSection::new();
        lift.lift(index as u32, index as u32, []);
        component.section(&lift);
        let mut exports = ComponentExportSection::new();
        exports.export(&format!("f{index}"), ComponentExportKind::Func, index as u32, None);
        component.section(&exports);
    }
    Some(component.finish())
}

/// The module's exported functions a scalar component signature can lift: name, number
/// of `i32` parameters, and whether it returns one `i32`.
fn liftable_exports(module: &[u8]) -> Option<Vec<(String, usize, bool)>> {
    let mut types = Vec::new();
    let mut funcs = Vec::new();
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.ok()? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    types.push(ty.ok()?);
                }
            }
            Payload::FunctionSection(reader) => {
                for f in reader {
                    funcs.push(f.ok()?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.ok()?;
                    if export.kind != wasmparser::ExternalKind::Func {
                        continue;
                    }
                    let ty = &types[*funcs.get(export.index as usize)? as usize];
                    let all_i32 = |v: &[ValType]| v.iter().all(|t| *t == ValType::I32);
                    if all_i32(ty.params()) && ty.params().len() <= 16 && ty.results().len() <= 1
                        && all_i32(ty.results())
                    {
                        out.push((export.name.to_string(), ty.params().len(), !ty.results().is_empty()));
                    }
                }
            }
            _ => {}
        }
    }
    Some(out)
}
