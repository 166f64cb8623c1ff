//! Diagnostics for invalid WIT: `wit-parser`'s own message and location, the
//! source line with a caret, and for the mistakes people actually make a hint
//! with the fix.
//!
//! `wit-parser` stops at the first error. To report more than one, a hint can
//! carry a concrete fix (a list of text edits); weft applies it to an in-memory
//! copy of the source, parses again, and maps the next error back to the
//! original text. The loop stops at the first error without a fix, when an
//! error repeats, or after [`MAX_DIAGNOSTICS`].
//!
//! The mistake is recognised from the parser's message plus the tokens around
//! the error span (see [`crate::scan`]); weft never decides on its own that
//! text is invalid.
//!
//! This module holds the diagnostics and their text (drawn by [`crate::report`]); `hints` recognises the
//! mistakes and builds their fixes, and `recover` runs the fix-and-reparse loop.

use std::fmt;

use serde::Serialize;

use crate::report::{Location, Report};

mod hints;
mod recover;

pub(crate) use recover::diagnose_all;

/// The most diagnostics reported for one input.
pub const MAX_DIAGNOSTICS: usize = 32;

/// One error in a WIT input.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// `wit-parser`'s message (its first line).
    pub message: String,
    /// Further lines of `wit-parser`'s message (for example the known packages).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Where the error is, when `wit-parser` gave a location.
    pub location: Option<Location>,
    /// How to fix it, when weft recognises the mistake.
    pub hint: Option<Hint>,
}

/// A recognised mistake and its fix.
#[derive(Debug, Clone, Serialize)]
pub struct Hint {
    /// Which mistake this is.
    pub code: HintCode,
    /// What to do, in words, usually with the corrected text.
    pub message: String,
    /// The fix as text edits on the original file(s); empty when the fix needs
    /// more than an edit (moving files, adding dependencies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<Edit>,
}

/// One text edit of a fix: replace bytes `start..end` of `file` with `replacement`.
#[derive(Debug, Clone, Serialize)]
pub struct Edit {
    /// The file to edit.
    pub file: String,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column (in characters) of `start`.
    pub column: usize,
    /// Byte offset where the replaced text starts.
    pub start: usize,
    /// Byte offset where the replaced text ends (equal to `start` for an insertion).
    pub end: usize,
    /// The new text.
    pub replacement: String,
}

/// The mistakes weft recognises; each has a section in `docs/wit.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HintCode {
    /// `close: func;`: a function without a parameter list.
    FuncWithoutParens,
    /// `hooks:event` or `hooks.event` used as a type instead of `use hooks.{event}`.
    QualifiedTypeName,
    /// `value: variant { .. }`: an anonymous record/variant/enum/flags type.
    AnonymousType,
    /// Two `package` declarations in one file or one directory.
    TwoPackages,
    /// A type or function at the top level, outside an interface or world.
    TopLevelItem,
    /// A name that is not in scope.
    UnknownName,
    /// A camelCase or snake_case identifier.
    NotKebabCase,
    /// A keyword used as a name.
    KeywordAsName,
    /// A declaration without its `;`.
    MissingSemicolon,
    /// A file without a `package` header.
    MissingPackage,
    /// A `use` or `import` of a package that is not in `deps/`.
    MissingDependency,
}

impl fmt::Display for HintCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        f.write_str(&s)
    }
}

impl fmt::Display for Diagnostic {
    /// Renders the diagnostic as text (see [`crate::report`]): message, source line
    /// with the place underlined, notes and help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = Report {
            message: &self.message,
            location: self.location.as_ref(),
            label: None,
            notes: &self.notes,
            help: self.hint.as_ref().map(|h| h.message.as_str()),
        };
        writeln!(f, "error: {report}")
    }
}

/// Renders diagnostics as one text block, separated by blank lines.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    out
}

/// Applies the fixes of `diagnostics` that edit `file` to `text` (its
/// original contents) and returns the fixed text.
///
/// Edits are applied from the end of the text backwards; two insertions at the
/// same place keep the order of their diagnostics (a `package` header first).
pub fn apply_fixes(file: &str, text: &str, diagnostics: &[Diagnostic]) -> String {
    // A missing `package` header goes before anything else inserted at the
    // start of the file.
    let mut edits: Vec<(isize, usize, &Edit)> = diagnostics
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            d.hint.iter().flat_map(move |h| {
                let rank = if h.code == HintCode::MissingPackage {
                    -1
                } else {
                    i as isize
                };
                h.fix.iter().map(move |e| (rank, e))
            })
        })
        .enumerate()
        .filter(|(_, (_, e))| e.file == file)
        .map(|(k, (i, e))| (i, k, e))
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.2.start, e.0, e.1)));
    let mut out = text.to_string();
    let mut limit = out.len();
    for (_, _, e) in edits {
        if e.end > limit
            || e.start > e.end
            || !out.is_char_boundary(e.start)
            || !out.is_char_boundary(e.end)
        {
            continue;
        }
        out.replace_range(e.start..e.end, &e.replacement);
        limit = e.start;
    }
    out
}
