//! The walk over a binary: every section is copied raw (as `wasm-tools strip` does) into a
//! new module or component, custom sections that [`Keep`] rejects are dropped, nested
//! modules and components are rewritten the same way, and every core module, once
//! stripped, goes through the module pass (wasm-opt) before it is put back. Only custom
//! sections and whole core modules change, so indices and offsets elsewhere stay valid.

use std::collections::HashMap;

use wasm_encoder::{ComponentSectionId, RawSection};
use wasmparser::{
    BinaryReaderError, ComponentAlias, ComponentExternalKind, ComponentName,
    ComponentOuterAliasKind, ComponentTypeRef, KnownCustom, Name, Parser, Payload,
};

use crate::report::{ComponentReport, ModuleReport, WasmOptStatus, pair, ratio};
use crate::sections::{Keep, measure, own_payloads};

/// What is done to each stripped core module, given its ordinal in the walk (the order
/// of [`Walk::modules`]) and its stripped bytes: wasm-opt's results looked up, or a
/// test's stand-in. An error is a one-line reason, reported as the module falling back
/// to its stripped form.
pub(crate) type ModulePass<'a> = &'a dyn Fn(usize, &[u8]) -> Result<Vec<u8>, String>;

/// The result of one rewrite.
pub(crate) struct Rewritten {
    /// The new binary.
    pub(crate) bytes: Vec<u8>,
    /// The report's modules, in walk order.
    pub(crate) modules: Vec<ModuleReport>,
    /// The report's component levels, the top one first.
    pub(crate) components: Vec<ComponentReport>,
    /// Every core module once stripped, in walk order: the input of the module pass.
    pub(crate) stripped: Vec<Vec<u8>>,
}

/// Rewrites the component or core module `input`, dropping the custom sections `keep`
/// rejects and giving every stripped core module to `pass`.
pub(crate) fn rewrite(
    input: &[u8],
    keep: Keep,
    pass: Option<ModulePass<'_>>,
) -> Result<Rewritten, BinaryReaderError> {
    let mut walk = Walk {
        keep,
        pass,
        modules: Vec::new(),
        components: Vec::new(),
        stripped: Vec::new(),
    };
    let bytes = if Parser::is_component(input) {
        walk.component(input, &[])?
    } else {
        walk.module(input, &[], 0, None)?
    };
    Ok(Rewritten {
        bytes,
        modules: walk.modules,
        components: walk.components,
        stripped: walk.stripped,
    })
}

/// One rewrite in progress, collecting what becomes [`Rewritten`].
struct Walk<'a> {
    keep: Keep,
    pass: Option<ModulePass<'a>>,
    modules: Vec<ModuleReport>,
    components: Vec<ComponentReport>,
    stripped: Vec<Vec<u8>>,
}

impl Walk<'_> {
    /// Rewrites the core module `bytes`, the module `index` of the component at
    /// `component`, labelled `name` by that component.
    fn module(
        &mut self,
        bytes: &[u8],
        component: &[u32],
        index: u32,
        name: Option<String>,
    ) -> Result<Vec<u8>, BinaryReaderError> {
        let mut out = wasm_encoder::Module::new();
        let mut own_name = None;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload?;
            if let Payload::CustomSection(section) = &payload {
                if let KnownCustom::Name(names) = section.as_known() {
                    own_name = module_name(names);
                }
                if !self.keep.custom(section.name()) {
                    continue;
                }
            }
            if let Some((id, range)) = payload.as_section() {
                out.section(&RawSection {
                    id,
                    data: &bytes[range],
                });
            }
        }
        let stripped = out.finish();
        self.stripped.push(stripped.clone());
        let (after, wasm_opt) = match self.pass {
            None => (stripped, WasmOptStatus::NotRun),
            Some(pass) => match pass(self.modules.len(), &stripped).and_then(|optimized| {
                accept(&stripped, &optimized)?;
                Ok(optimized)
            }) {
                Ok(optimized) => (optimized, WasmOptStatus::Optimized),
                Err(reason) => (stripped, WasmOptStatus::FellBack { reason }),
            },
        };
        self.modules.push(ModuleReport {
            component: component.to_vec(),
            index,
            name: name.or(own_name),
            before: bytes.len() as u64,
            after: after.len() as u64,
            ratio: ratio(bytes.len() as u64, after.len() as u64),
            sections: pair(&measure(bytes)?, &measure(&after)?),
            wasm_opt,
        });
        Ok(after)
    }

    /// Rewrites the component `bytes`, found at `path` (see [`ModuleReport::component`]).
    fn component(&mut self, bytes: &[u8], path: &[u32]) -> Result<Vec<u8>, BinaryReaderError> {
        let names = core_module_names(bytes);
        // The top-level component is listed first: reserve its place before the nested
        // ones add theirs.
        let slot = self.components.len();
        self.components.push(ComponentReport {
            component: path.to_vec(),
            sections: Vec::new(),
        });
        let mut out = wasm_encoder::Component::new();
        let mut module_index = 0u32;
        let mut nested = 0u32;
        // Nested binaries are rewritten from their own bytes below.
        for payload in own_payloads(bytes) {
            let payload = payload?;
            match &payload {
                Payload::Version { .. } => continue,
                Payload::ModuleSection {
                    unchecked_range, ..
                } => {
                    let name = names.get(&module_index).cloned();
                    let module =
                        self.module(&bytes[unchecked_range.clone()], path, module_index, name)?;
                    out.section(&RawSection {
                        id: ComponentSectionId::CoreModule as u8,
                        data: &module,
                    });
                    module_index += 1;
                    continue;
                }
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    let mut inner_path = path.to_vec();
                    inner_path.push(nested);
                    let component = self.component(&bytes[unchecked_range.clone()], &inner_path)?;
                    out.section(&RawSection {
                        id: ComponentSectionId::Component as u8,
                        data: &component,
                    });
                    nested += 1;
                    continue;
                }
                Payload::CustomSection(section) if !self.keep.custom(section.name()) => continue,
                _ => module_index += modules_defined(&payload)?,
            }
            if let Some((id, range)) = payload.as_section() {
                out.section(&RawSection {
                    id,
                    data: &bytes[range],
                });
            }
        }
        let out = out.finish();
        self.components[slot].sections = pair(&measure(bytes)?, &measure(&out)?);
        Ok(out)
    }
}

/// Refuses a module pass's output that would not fit where the module was: it must
/// validate on its own, keep every export (the component aliases them by name) and add
/// no import (the component supplies only the ones it had). Dropping an unused import is
/// fine: instantiation ignores arguments nobody imports. Types are checked when the
/// whole component is validated again.
fn accept(stripped: &[u8], optimized: &[u8]) -> Result<(), String> {
    weft_wit::validate::validate(optimized)
        .map_err(|e| format!("wasm-opt's output does not validate: {e}"))?;
    let (imports, exports) = interface(stripped).map_err(|e| e.to_string())?;
    let (new_imports, new_exports) = interface(optimized).map_err(|e| e.to_string())?;
    if let Some(export) = exports.iter().find(|e| !new_exports.contains(e)) {
        return Err(format!("wasm-opt's output lost the export `{export}`"));
    }
    if let Some(import) = new_imports.iter().find(|i| !imports.contains(i)) {
        return Err(format!("wasm-opt's output has a new import `{import}`"));
    }
    Ok(())
}

/// A core module's imports and exports, each as `name kind`.
fn interface(module: &[u8]) -> Result<(Vec<String>, Vec<String>), BinaryReaderError> {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let kind = kind_of(&import.ty);
                    imports.push(format!("{}/{} {kind}", import.module, import.name));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    exports.push(format!("{} {:?}", export.name, export.kind));
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

/// The kind of an import, without its type: wasm-opt may legitimately renumber types.
fn kind_of(ty: &wasmparser::TypeRef) -> &'static str {
    match ty {
        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_) => "func",
        wasmparser::TypeRef::Table(_) => "table",
        wasmparser::TypeRef::Memory(_) => "memory",
        wasmparser::TypeRef::Global(_) => "global",
        wasmparser::TypeRef::Tag(_) => "tag",
    }
}

/// How many core modules a component section adds to the core module index space
/// besides the modules it defines: imported, aliased and exported modules take indices
/// too, and the `component-name` section counts them.
fn modules_defined(payload: &Payload<'_>) -> Result<u32, BinaryReaderError> {
    let mut count = 0;
    match payload {
        Payload::ComponentImportSection(reader) => {
            for import in reader.clone() {
                count += u32::from(matches!(import?.ty, ComponentTypeRef::Module(_)));
            }
        }
        Payload::ComponentAliasSection(reader) => {
            for alias in reader.clone() {
                count += u32::from(matches!(
                    alias?,
                    ComponentAlias::Outer {
                        kind: ComponentOuterAliasKind::CoreModule,
                        ..
                    } | ComponentAlias::InstanceExport {
                        kind: ComponentExternalKind::Module,
                        ..
                    }
                ));
            }
        }
        Payload::ComponentExportSection(reader) => {
            for export in reader.clone() {
                count += u32::from(export?.kind == ComponentExternalKind::Module);
            }
        }
        _ => {}
    }
    Ok(count)
}

/// The core module names in the `component-name` section of this component level (not
/// of nested ones). Names are labels only, so a malformed section just gives none.
fn core_module_names(component: &[u8]) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for payload in own_payloads(component) {
        let Ok(payload) = payload else { break };
        if let Payload::CustomSection(section) = &payload
            && let KnownCustom::ComponentName(reader) = section.as_known()
        {
            for subsection in reader.into_iter().flatten() {
                if let ComponentName::CoreModules(map) = subsection {
                    for naming in map.into_iter().flatten() {
                        names.insert(naming.index, naming.name.to_string());
                    }
                }
            }
        }
    }
    names
}

/// The module's own name from its `name` section, when it gives one.
fn module_name(names: wasmparser::NameSectionReader<'_>) -> Option<String> {
    names.into_iter().flatten().find_map(|name| match name {
        Name::Module { name, .. } => Some(name.to_string()),
        _ => None,
    })
}
