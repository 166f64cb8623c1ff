//! The report for an import and the export plugged into it whose types differ: both
//! sides in WIT and their line diff. `weft compose` (manifests and WAC) and `weft plug`
//! all report a mismatch this way.

use std::fmt;

use crate::wit_text::{Side, WorldWit, indent, line_diff};

/// An import and the export plugged into it have different types: both sides in WIT.
#[derive(Debug, Clone)]
pub struct TypeMismatch {
    /// The import, e.g. `example:greeter/logging@1.0.0`.
    pub import: String,
    /// Who imports it, e.g. "instance `greeter`".
    pub importer: String,
    /// The export, e.g. `example:greeter/logging@1.0.0`.
    pub export: String,
    /// Who exports it, e.g. "instance `logger`".
    pub exporter: String,
    /// The type checker's account of the first difference.
    pub reason: String,
    /// The import's type in WIT, when the importer's WIT could be decoded.
    pub expected: Option<String>,
    /// The export's type in WIT, when the exporter's WIT could be decoded.
    pub found: Option<String>,
}

impl TypeMismatch {
    /// Builds the description, decoding the WIT of both components.
    pub(crate) fn describe(
        import: &str,
        importer: String,
        importer_bytes: &[u8],
        export: &str,
        exporter: String,
        exporter_bytes: &[u8],
        reason: &anyhow::Error,
    ) -> TypeMismatch {
        let side_text = |bytes: &[u8], side, name| {
            WorldWit::decode(bytes)
                .ok()
                .and_then(|w| w.item_text(side, name))
        };
        TypeMismatch {
            import: import.to_string(),
            importer,
            export: export.to_string(),
            exporter,
            reason: format!("{reason:#}"),
            expected: side_text(importer_bytes, Side::Import, import),
            found: side_text(exporter_bytes, Side::Export, export),
        }
    }
}

impl TypeMismatch {
    /// The one-line account: which export, which import, and the first difference.
    pub fn headline(&self) -> String {
        format!(
            "export `{}` of {} does not fit import `{}` of {}: {}",
            self.export, self.exporter, self.import, self.importer, self.reason
        )
    }

    /// Both sides in WIT and their line diff, each line starting with a newline.
    pub fn details(&self) -> String {
        let mut out = String::new();
        if let Some(expected) = &self.expected {
            out.push_str(&format!(
                "\n  {} imports:\n{}",
                self.importer,
                indent(expected, 4)
            ));
        }
        if let Some(found) = &self.found {
            out.push_str(&format!(
                "\n  {} exports:\n{}",
                self.exporter,
                indent(found, 4)
            ));
        }
        if let (Some(expected), Some(found)) = (&self.expected, &self.found) {
            out.push_str(&format!(
                "\n  difference (- import, + export):\n{}",
                indent(&line_diff(expected, found), 4)
            ));
        }
        out
    }
}

impl fmt::Display for TypeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.headline(), self.details())
    }
}
