//! What a component is made of: its WIT, producers, core modules, custom sections,
//! and whether it validates. Works on the bytes alone; nothing is compiled.

use std::path::Path;

use serde::Serialize;
use wasmparser::{Parser, Payload};

/// A summary of a component file.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// `component` or `module`.
    pub kind: &'static str,
    /// The file's size in bytes.
    pub size: usize,
    /// `None` when it validates, else the validator's message with its offset.
    pub invalid: Option<String>,
    /// The component's world as WIT (imports and exports), with the packages it uses.
    pub wit: Option<String>,
    /// Why the WIT could not be decoded, if it could not.
    pub wit_error: Option<String>,
    /// The import names.
    pub imports: Vec<String>,
    /// The export names.
    pub exports: Vec<String>,
    /// `producers` sections: which language and tools made each part.
    pub producers: Vec<Producer>,
    /// Core modules embedded in the component.
    pub modules: Vec<ModuleInfo>,
    /// Custom sections, anywhere in the file.
    pub custom_sections: Vec<CustomSection>,
}

/// One producers field value.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Producer {
    /// Where the section is: `component` or `module N`.
    pub location: String,
    /// `language`, `processed-by` or `sdk`.
    pub field: String,
    /// The tool or language.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// One embedded core module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleInfo {
    /// Its index among the file's modules, in order of appearance.
    pub index: usize,
    /// Its size in bytes.
    pub size: usize,
    /// Where it starts in the file.
    pub offset: usize,
}

/// One custom section.
#[derive(Debug, Clone, Serialize)]
pub struct CustomSection {
    /// Where it is: `component` or `module N`.
    pub location: String,
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
}

/// Why a file could not be inspected at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the structure of the file: {message} (at offset {offset:#x})")]
pub struct InspectError {
    /// The parser's message.
    pub message: String,
    /// Where.
    pub offset: usize,
}

/// Inspects component (or core module) `bytes`.
pub fn inspect(bytes: &[u8]) -> Result<Inspection, InspectError> {
    let is_module = bytes.get(4..8) == Some(&[1, 0, 0, 0]);
    let kind = if is_module { "module" } else { "component" };
    let mut out = Inspection {
        kind,
        size: bytes.len(),
        invalid: None,
        wit: None,
        wit_error: None,
        imports: Vec::new(),
        exports: Vec::new(),
        producers: Vec::new(),
        modules: Vec::new(),
        custom_sections: Vec::new(),
    };
    // Where each payload sits: a stack of `component` / `module N` scopes.
    let mut scopes: Vec<String> = Vec::new();
    let mut pending_scope: Vec<String> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| InspectError {
            message: e.message().to_string(),
            offset: e.offset(),
        })?;
        match payload {
            Payload::Version { .. } => {
                scopes.push(pending_scope.pop().unwrap_or_else(|| kind.to_string()));
            }
            Payload::End(_) => {
                scopes.pop();
            }
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let index = out.modules.len();
                out.modules.push(ModuleInfo {
                    index,
                    size: unchecked_range.len(),
                    offset: unchecked_range.start,
                });
                pending_scope.push(format!("module {index}"));
            }
            Payload::ComponentSection { .. } => pending_scope.push("nested component".to_string()),
            Payload::ComponentImportSection(reader) if scopes.len() == 1 => {
                for import in reader.into_iter().flatten() {
                    out.imports.push(import.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if scopes.len() == 1 => {
                for export in reader.into_iter().flatten() {
                    out.exports.push(export.name.name.to_string());
                }
            }
            Payload::CustomSection(reader) => {
                let location = scopes.last().cloned().unwrap_or_default();
                out.custom_sections.push(CustomSection {
                    location: location.clone(),
                    name: reader.name().to_string(),
                    size: reader.data().len(),
                });
                if reader.name() == "producers"
                    && let Ok(producers) =
                        wasm_metadata::Producers::from_bytes(reader.data(), reader.data_offset())
                {
                    for (field, values) in producers.iter() {
                        for (name, version) in values.iter() {
                            out.producers.push(Producer {
                                location: location.clone(),
                                field: field.clone(),
                                name: name.clone(),
                                version: version.clone(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Err(e) = crate::validate::validate(bytes) {
        out.invalid = Some(format!("{} (at offset {:#x})", e.message(), e.offset()));
    }
    match print_wit(bytes) {
        Ok(wit) => out.wit = Some(wit),
        Err(e) => out.wit_error = Some(format!("{e:#}")),
    }
    Ok(out)
}

/// The component's WIT, as `weft wit print` prints it: its world and every package the
/// world uses.
pub fn print_wit(bytes: &[u8]) -> anyhow::Result<String> {
    let loaded = match crate::load::load_wasm(Path::new("component"), bytes) {
        Ok(loaded) => loaded,
        // wit-component's own message: the file name adds nothing here.
        Err(crate::LoadError::Decode { source, .. }) => return Err(source),
        Err(other) => return Err(other.into()),
    };
    Ok(crate::print(&loaded)?)
}
