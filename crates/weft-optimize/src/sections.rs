//! Which custom sections survive, and how big each section of one module or component
//! level is. Both work on section ids and names only, so they apply unchanged to core
//! modules, components and the modules nested in them.

use serde::Serialize;
use wasmparser::{BinaryReaderError, Encoding, Parser, Payload};

/// The payloads of one binary's own level: its `Version`, its sections, and the
/// `ModuleSection`/`ComponentSection` payloads that hold nested binaries, but none of the
/// payloads inside those (each nested binary is handled from its own bytes).
pub(crate) fn own_payloads(
    bytes: &[u8],
) -> impl Iterator<Item = Result<Payload<'_>, BinaryReaderError>> {
    let mut depth = 0usize;
    Parser::new(0)
        .parse_all(bytes)
        .filter(move |payload| match payload {
            Ok(Payload::Version { .. }) => {
                depth += 1;
                depth == 1
            }
            Ok(Payload::End(_)) => {
                depth -= 1;
                false
            }
            Ok(_) => depth == 1,
            Err(_) => true,
        })
}

/// Which custom sections `optimize` keeps. Every section that is not a custom section
/// is always kept: they carry the code and the types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Keep `name` (core) and `component-name` sections: function names in traps and
    /// backtraces, and the labels tools print for core modules and instances.
    pub names: bool,
    /// Keep `producers` sections: which compilers and tools made the binary.
    pub producers: bool,
    /// Keep custom sections weft does not know (anything other than debug info, names,
    /// producers and `target_features`): their meaning belongs to whoever wrote them.
    pub unknown: bool,
}

impl Default for Keep {
    /// Strip debug info, names and `target_features`; keep producers, `component-type`
    /// and unknown sections.
    fn default() -> Keep {
        Keep {
            names: false,
            producers: true,
            unknown: true,
        }
    }
}

impl Keep {
    /// `--strip-all`: only `component-type` sections remain.
    pub fn nothing() -> Keep {
        Keep {
            names: false,
            producers: false,
            unknown: false,
        }
    }

    /// Whether a custom section named `name` stays.
    pub fn custom(&self, name: &str) -> bool {
        // `component-type:*` is the WIT a guest's bindings embed for `wit-component`; it is
        // never stripped, because tools that turn a module into a component need it, and
        // in a finished component it is what `wasm-tools strip` keeps too.
        if name.starts_with("component-type") {
            return true;
        }
        if is_debug(name) || name == "target_features" {
            return false;
        }
        match name {
            "name" | "component-name" => self.names,
            "producers" => self.producers,
            _ => self.unknown,
        }
    }
}

/// DWARF (`.debug_*`) and the sections that point at debug info kept elsewhere.
fn is_debug(name: &str) -> bool {
    name.starts_with(".debug_") || name == "sourceMappingURL" || name == "external_debug_info"
}

/// The size of every section of one kind at one level, header included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measured {
    /// `code`, `data`, `type`, ... for standard sections, `custom:NAME` for custom ones.
    pub kind: String,
    /// Bytes: the id byte, the LEB128 length and the contents, summed over sections of
    /// this kind.
    pub bytes: u64,
}

/// The sections of the module or component in `bytes`, one level deep: the modules and
/// components nested in a component are left out (they are measured on their own).
/// Kinds are listed in the order they first appear.
pub fn measure(bytes: &[u8]) -> Result<Vec<Measured>, wasmparser::BinaryReaderError> {
    let mut encoding = Encoding::Module;
    let mut sizes: Vec<Measured> = Vec::new();
    for payload in own_payloads(bytes) {
        let payload = payload?;
        match &payload {
            Payload::Version { encoding: e, .. } => {
                encoding = *e;
                continue;
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => continue,
            _ => {}
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let kind = match &payload {
            Payload::CustomSection(reader) => format!("custom:{}", reader.name()),
            _ => section_kind(encoding, id).to_string(),
        };
        let size = section_size(range.len());
        match sizes.iter_mut().find(|m| m.kind == kind) {
            Some(m) => m.bytes += size,
            None => sizes.push(Measured { kind, bytes: size }),
        }
    }
    Ok(sizes)
}

/// A section's size on disk from the size of its contents: one id byte, the LEB128
/// length, then the contents.
fn section_size(contents: usize) -> u64 {
    let mut leb = 1;
    let mut rest = contents >> 7;
    while rest > 0 {
        leb += 1;
        rest >>= 7;
    }
    (1 + leb + contents) as u64
}

/// The name of a standard section, as the spec calls it.
fn section_kind(encoding: Encoding, id: u8) -> &'static str {
    match (encoding, id) {
        (Encoding::Module, 1) => "type",
        (Encoding::Module, 2) => "import",
        (Encoding::Module, 3) => "function",
        (Encoding::Module, 4) => "table",
        (Encoding::Module, 5) => "memory",
        (Encoding::Module, 6) => "global",
        (Encoding::Module, 7) => "export",
        (Encoding::Module, 8) => "start",
        (Encoding::Module, 9) => "element",
        (Encoding::Module, 10) => "code",
        (Encoding::Module, 11) => "data",
        (Encoding::Module, 12) => "data count",
        (Encoding::Module, 13) => "tag",
        (Encoding::Component, 2) => "core instance",
        (Encoding::Component, 3) => "core type",
        (Encoding::Component, 5) => "instance",
        (Encoding::Component, 6) => "alias",
        (Encoding::Component, 7) => "type",
        (Encoding::Component, 8) => "canon",
        (Encoding::Component, 9) => "start",
        (Encoding::Component, 10) => "import",
        (Encoding::Component, 11) => "export",
        (Encoding::Component, 12) => "value",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_names_go_by_default_and_component_type_always_stays() {
        let keep = Keep::default();
        for gone in [".debug_info", "name", "component-name", "target_features"] {
            assert!(!keep.custom(gone), "{gone}");
        }
        for kept in [
            "producers",
            "component-type:wit-bindgen:0.45:greeter",
            "mine",
        ] {
            assert!(keep.custom(kept), "{kept}");
        }
        assert!(Keep::nothing().custom("component-type:x"));
        assert!(!Keep::nothing().custom("producers"));
        assert!(!Keep::nothing().custom("mine"));
    }

    #[test]
    fn sizes_add_up_to_the_file() {
        let module = wat::parse_str(
            r#"(module (func (export "f") (result i32) i32.const 1) (@custom "x" "abc"))"#,
        )
        .unwrap();
        let sizes = measure(&module).unwrap();
        let total: u64 = sizes.iter().map(|m| m.bytes).sum();
        assert_eq!(total + 8, module.len() as u64);
        assert!(sizes.iter().any(|m| m.kind == "custom:x"));
        assert!(sizes.iter().any(|m| m.kind == "code"));
    }

    #[test]
    fn long_sections_have_longer_length_fields() {
        assert_eq!(section_size(0), 2);
        assert_eq!(section_size(127), 129);
        assert_eq!(section_size(128), 131);
    }
}
