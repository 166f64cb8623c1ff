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

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::load::{RawError, RawKind, Sources, resolve_sources};
use crate::scan::{Kind, Scan};

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

/// A place in a source file.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column (in characters) of the start.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column (in characters) of the end (exclusive).
    pub end_column: usize,
    /// The text of line `line`.
    pub source_line: String,
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
    /// Renders the diagnostic as text: message, location, source line with a
    /// caret, notes and help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        let gutter = self
            .location
            .as_ref()
            .map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(gutter);
        if let Some(l) = &self.location {
            writeln!(f, "{pad}--> {}:{}:{}", l.file, l.line, l.column)?;
            writeln!(f, "{pad} |")?;
            writeln!(f, "{} | {}", l.line, l.source_line)?;
            let lead: String = l
                .source_line
                .chars()
                .take(l.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let len = if l.end_line == l.line && l.end_column > l.column {
                l.end_column - l.column
            } else {
                1
            };
            writeln!(f, "{pad} | {lead}{}", "^".repeat(len))?;
        }
        for note in &self.notes {
            writeln!(f, "{pad} = note: {note}")?;
        }
        if let Some(h) = &self.hint {
            writeln!(f, "{pad} = help: {}", h.message)?;
        }
        Ok(())
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

/// A hint with its edits in the coordinates of the current (patched) text.
struct RawHint {
    code: HintCode,
    message: String,
    edits: Vec<(usize, Range<usize>, String)>,
}

/// Maps a position in a patched text back to the original text, undoing the
/// edits `(start, end, new_len)` of `log` from the last one applied.
fn map_back(log: &[(usize, usize, usize)], mut p: usize) -> usize {
    for &(s, e, n) in log.iter().rev() {
        if p >= s + n {
            p = p - n + (e - s);
        } else if p > s {
            p = s;
        }
    }
    p
}

fn line_col(text: &str, offset: usize) -> (usize, usize, &str) {
    let offset = floor_char(text, offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let line = text[..start].matches('\n').count() + 1;
    let col = text[start..offset].chars().count() + 1;
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    (line, col, text[start..end].trim_end_matches('\r'))
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn location(file: &str, text: &str, range: Range<usize>) -> Location {
    let (line, column, source_line) = line_col(text, range.start);
    let (end_line, end_column, _) = line_col(text, range.end.max(range.start));
    Location {
        file: file.to_string(),
        line,
        column,
        end_line,
        end_column,
        source_line: source_line.to_string(),
    }
}

/// Diagnoses `first` (the error `sources` failed with) and, by applying fixes,
/// the errors after it.
pub(crate) fn diagnose_all(sources: Sources, first: RawError) -> Vec<Diagnostic> {
    let original = sources.clone();
    let mut current = sources;
    let mut logs: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); current.files.len()];
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut seen: Vec<(String, Option<(usize, usize)>)> = Vec::new();
    let mut err = first;
    while out.len() < MAX_DIAGNOSTICS {
        let mut at = err.at.clone();
        let hint = hint_for(&err, &current);
        if at.is_none() {
            // An error without a span whose fix names a file (a missing
            // `package` header) is shown at the start of that file.
            if let Some(h) = &hint
                && let Some((f, r, _)) = h.edits.first()
            {
                at = Some((*f, r.clone()));
            }
        }
        let orig_at = at
            .as_ref()
            .map(|(f, r)| (*f, map_back(&logs[*f], r.start)..map_back(&logs[*f], r.end)));
        let key = (
            err.message.clone(),
            orig_at.as_ref().map(|(f, r)| (*f, r.start)),
        );
        if seen.contains(&key) {
            break;
        }
        seen.push(key);
        let location = orig_at.as_ref().map(|(f, r)| {
            let file = &original.files[*f];
            location(&file.display, &file.text, r.clone())
        });
        let fix = hint
            .as_ref()
            .map(|h| {
                h.edits
                    .iter()
                    .map(|(f, r, text)| {
                        let file = &original.files[*f];
                        let start = map_back(&logs[*f], r.start);
                        let end = map_back(&logs[*f], r.end).max(start);
                        let (line, column, _) = line_col(&file.text, start);
                        Edit {
                            file: file.display.clone(),
                            line,
                            column,
                            start,
                            end,
                            replacement: text.clone(),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let edits = hint.as_ref().map(|h| h.edits.clone()).unwrap_or_default();
        out.push(Diagnostic {
            message: err.message.clone(),
            notes: err.notes.clone(),
            location,
            hint: hint.map(|h| Hint {
                code: h.code,
                message: h.message,
                fix,
            }),
        });
        if edits.is_empty() {
            break;
        }
        // Apply the edits, last position first so earlier offsets stay valid.
        let mut edits = edits;
        edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1.start)));
        for (f, r, text) in edits {
            let file = &mut current.files[f];
            if r.end > file.text.len()
                || !file.text.is_char_boundary(r.start)
                || !file.text.is_char_boundary(r.end)
            {
                return out;
            }
            file.text.replace_range(r.clone(), &text);
            logs[f].push((r.start, r.end, text.len()));
        }
        match resolve_sources(&current) {
            Ok(_) => break,
            Err(next) => err = *next,
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "use",
    "type",
    "func",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "resource",
    "own",
    "borrow",
    "record",
    "flags",
    "variant",
    "enum",
    "bool",
    "string",
    "option",
    "result",
    "future",
    "stream",
    "error-context",
    "list",
    "map",
    "as",
    "from",
    "static",
    "interface",
    "tuple",
    "world",
    "import",
    "export",
    "package",
    "constructor",
    "include",
    "with",
    "async",
];

const BUILTIN_TYPES: &[&str] = &[
    "bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64", "f32", "f64", "char", "string",
    "list", "option", "result", "tuple", "borrow", "own", "future", "stream",
];

/// Type names from other languages and what WIT calls them.
const FOREIGN_TYPES: &[(&str, &str)] = &[
    ("int", "s32"),
    ("integer", "s32"),
    ("i8", "s8"),
    ("i16", "s16"),
    ("i32", "s32"),
    ("i64", "s64"),
    ("uint", "u32"),
    ("usize", "u32"),
    ("isize", "s32"),
    ("long", "s64"),
    ("short", "s16"),
    ("byte", "u8"),
    ("float", "f32"),
    ("double", "f64"),
    ("f", "f32"),
    ("boolean", "bool"),
    ("str", "string"),
    ("text", "string"),
    ("bytes", "list<u8>"),
    ("vec", "list<T>"),
    ("array", "list<T>"),
    ("void", "nothing: leave out `-> ...`"),
    ("null", "option<T>"),
    ("optional", "option<T>"),
];

/// Converts `fooBar`, `foo_bar` or `FooBar` to `foo-bar`.
pub(crate) fn to_kebab(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if ((prev.is_ascii_lowercase() || prev.is_ascii_digit())
                || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('-')
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_end_matches('-').to_string()
}

fn as_name(s: &str) -> String {
    if KEYWORDS.contains(&s) {
        format!("%{s}")
    } else {
        s.to_string()
    }
}

/// The closest of `candidates` to `name`, if it is close enough to suggest.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = name.chars().count().div_ceil(3);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit.max(1))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The line holding `offset` with `edits` applied, trimmed, for messages.
fn fixed_line(text: &str, offset: usize, edits: &[(Range<usize>, &str)]) -> String {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |n| n + 1);
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let mut line = text[start..end].to_string();
    let mut edits: Vec<_> = edits
        .iter()
        .filter(|(r, _)| r.start >= start && r.end <= end)
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0.start));
    for (r, t) in edits {
        line.replace_range(r.start - start..r.end - start, t);
    }
    line.trim().to_string()
}

/// Quoted backtick names from a message: "package `a` .. `b`" -> [a, b].
fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// The innermost enclosing `interface` or `world` block of token `i`:
/// (index of its `{`, its name).
fn enclosing_item<'a>(scan: &Scan<'a>, i: usize) -> Option<(usize, &'a str)> {
    let mut cur = i;
    while let Some(open) = scan.enclosing_open(cur) {
        let header = scan.block_header(open);
        if let Some(pos) = header
            .iter()
            .position(|w| *w == "interface" || *w == "world")
        {
            return Some((open, header.get(pos + 1).copied().unwrap_or("")));
        }
        cur = open;
    }
    None
}

/// An insertion of `line` as the first statement of the block opened at `open`.
fn insert_first_in_block(scan: &Scan<'_>, open: usize, line: &str) -> (Range<usize>, String) {
    let brace_end = scan.tokens[open].range.end;
    let indent = match scan.tokens.get(open + 1) {
        Some(t) if scan.text[brace_end..t.range.start].contains('\n') => {
            scan.indent_at(t.range.start).to_string()
        }
        _ => "  ".to_string(),
    };
    (brace_end..brace_end, format!("\n{indent}{line}"))
}

fn hint_for(err: &RawError, sources: &Sources) -> Option<RawHint> {
    let msg = err.message.as_str();

    if msg.starts_with("no `package` header") {
        let &f = sources.main.first()?;
        if sources.main.len() != 1 {
            return Some(RawHint {
                code: HintCode::MissingPackage,
                message: "start one of the files with `package namespace:name;` (for example `package example:types;`)".into(),
                edits: Vec::new(),
            });
        }
        let file = &sources.files[f];
        let stem = std::path::Path::new(&file.display)
            .file_stem()
            .and_then(|s| s.to_str())
            .map(to_kebab)
            .filter(|s| !s.is_empty() && s.starts_with(|c: char| c.is_ascii_lowercase()))
            .unwrap_or_else(|| "types".to_string());
        // Insert after any leading comment lines so directives stay first.
        let scan = Scan::new(&file.text);
        let at = scan
            .tokens
            .first()
            .map_or(0, |t| scan.line_start(t.range.start));
        let decl = format!("package example:{stem};");
        return Some(RawHint {
            code: HintCode::MissingPackage,
            message: format!(
                "every WIT package starts with `package namespace:name;`: add a line such as `{decl}` at the top of the file"
            ),
            edits: vec![(f, at..at, format!("{decl}\n"))],
        });
    }

    if msg.contains("does not match previous package name") {
        let names = backticked(msg);
        let (this, prev) = (names.first()?, names.get(1)?);
        return Some(RawHint {
            code: HintCode::TwoPackages,
            message: format!(
                "all `.wit` files of a directory form one package (`{prev}`); move the file declaring `{this}` into `deps/` (for example `deps/{}.wit`), or nest it in one file as `package {this} {{ ... }}`",
                this.replace(':', "-").split('@').next().unwrap_or("dep")
            ),
            edits: Vec::new(),
        });
    }

    if let RawKind::PackageNotFound { requested, known } = &err.kind {
        let base = requested.split('@').next().unwrap_or(requested);
        let other_version = known
            .iter()
            .find(|k| k.split('@').next() == Some(base) && *k != requested);
        let message = match other_version {
            Some(k) => format!(
                "the dependencies hold `{k}`, not `{requested}`: change the version in the reference, or add `{requested}` under `deps/`"
            ),
            None if sources.deps.is_empty() && sources.main.len() == 1 => format!(
                "`{requested}` must be available as a dependency: put this file in a directory with the package's WIT under `deps/` (for example `deps/{}/`) and check the directory",
                base.split(':').nth(1).unwrap_or(base)
            ),
            None => format!(
                "add the WIT of `{requested}` under `deps/` (for example `deps/{}/`)",
                base.split(':').nth(1).unwrap_or(base)
            ),
        };
        return Some(RawHint {
            code: HintCode::MissingDependency,
            message,
            edits: Vec::new(),
        });
    }

    let (f, range) = err.at.clone()?;
    let text = sources.files.get(f)?.text.as_str();
    let scan = Scan::new(text);
    let idx = scan.index_at(range.start);
    let prev = scan.index_before(range.start);

    if let RawKind::ItemNotFound { name, kind } = &err.kind {
        return unknown_name(&scan, f, idx?, name, kind);
    }

    // `close: func;` / `metadata: func -> info;`
    if msg.starts_with("expected '(', found")
        && let Some(p) = prev.filter(|&p| scan.text_of(p) == "func")
    {
        let at = scan.tokens[p].range.end;
        let edit = (at..at, "()");
        return Some(RawHint {
            code: HintCode::FuncWithoutParens,
            message: format!(
                "a function with no parameters still needs `()`: write `{}`",
                fixed_line(text, at, std::slice::from_ref(&edit))
            ),
            edits: vec![(f, edit.0, edit.1.to_string())],
        });
    }

    // A second `package x:y;` in a file.
    if msg.starts_with("expected '{', found ';'")
        && let Some(p) = prev
    {
        let start = scan.statement_start(p);
        if scan.get(start) == Some("package") && start > 0 {
            let semi = idx?;
            let name =
                text[scan.tokens[start + 1].range.start..scan.tokens[semi].range.start].trim();
            let end = text.trim_end().len();
            return Some(RawHint {
                code: HintCode::TwoPackages,
                message: format!(
                    "a file declares one package; to define `{name}` in the same file nest it: `package {name} {{ ... }}`, or move it to its own file under `deps/`"
                ),
                edits: vec![
                    (f, scan.tokens[semi].range.clone(), " {".to_string()),
                    (f, end..end, "\n}".to_string()),
                ],
            });
        }
    }

    if msg.starts_with("expected `world`, `interface` or `use`, found")
        && !msg.ends_with("`package`")
    {
        let i = idx?;
        let start_tok = scan.statement_start(i);
        let start = scan.line_start(scan.tokens[start_tok].range.start);
        let is_func = scan.get(i + 1) == Some(":");
        // Wrap everything up to the next top-level item (or the end).
        let next = (i + 1..scan.tokens.len()).find(|&j| {
            scan.tokens[j].depth == 0
                && matches!(scan.text_of(j), "interface" | "world" | "package")
        });
        let end = match next {
            Some(j) => {
                // Keep the doc comments of the next item with it.
                let mut at = scan.line_start(scan.tokens[j].range.start);
                while at > start {
                    let prev_line = scan.line_start(at - 1);
                    let line = text[prev_line..at].trim();
                    if line.is_empty() || line.starts_with("//") {
                        at = prev_line;
                    } else {
                        break;
                    }
                }
                at
            }
            None => text.len(),
        };
        let what = if is_func { "functions" } else { "types" };
        let closing = if end == text.len() && !text.ends_with('\n') {
            "\n}\n"
        } else {
            "}\n"
        };
        return Some(RawHint {
            code: HintCode::TopLevelItem,
            message: format!(
                "{what} must be declared inside an `interface` or a `world`: wrap them in `interface types {{ ... }}` and bring them in with `use types.{{...}};` where they are needed"
            ),
            edits: vec![
                (f, start..start, "interface types {\n".to_string()),
                (f, end..end, closing.to_string()),
            ],
        });
    }

    if let Some(kw) = msg
        .strip_prefix("expected a type, found keyword `")
        .and_then(|s| s.strip_suffix('`'))
        && matches!(kw, "record" | "variant" | "enum" | "flags")
    {
        return anonymous_type(&scan, f, idx?, kw);
    }

    if (msg.ends_with("found ':'") || msg.ends_with("found '.'"))
        && let Some(h) = qualified_name(&scan, f, idx?)
    {
        return Some(h);
    }

    if msg.starts_with("invalid character in identifier") {
        let i = idx?;
        let word = scan.text_of(i);
        let kebab = to_kebab(word.trim_start_matches('%'));
        if kebab != word && !kebab.is_empty() {
            let replacement = as_name(&kebab);
            let builtin = if BUILTIN_TYPES.contains(&kebab.as_str()) {
                format!(" (the WIT type is `{kebab}`)")
            } else {
                String::new()
            };
            let style = if word.contains('_') {
                "snake_case"
            } else {
                "camelCase"
            };
            return Some(RawHint {
                code: HintCode::NotKebabCase,
                message: format!(
                    "WIT identifiers are kebab-case, not {style}: write `{replacement}` instead of `{word}`{builtin}"
                ),
                edits: vec![(f, scan.tokens[i].range.clone(), replacement)],
            });
        }
    }

    if let Some(kw) = msg
        .rsplit("found keyword `")
        .next()
        .filter(|_| msg.contains("found keyword `"))
    {
        let kw = kw.trim_end_matches('`');
        let i = idx?;
        let next = scan.get(i + 1);
        let before = prev.map(|p| scan.text_of(p));
        let in_cases = scan.enclosing_open(i).is_some_and(|o| {
            matches!(
                scan.block_header(o).first().copied(),
                Some("enum" | "flags" | "variant")
            )
        }) && matches!(before, Some("{" | ","));
        let declares = matches!(
            before,
            Some(
                "record"
                    | "variant"
                    | "enum"
                    | "flags"
                    | "resource"
                    | "type"
                    | "interface"
                    | "world"
            )
        );
        if next == Some(":") || declares || in_cases {
            let at = scan.tokens[i].range.start;
            return Some(RawHint {
                code: HintCode::KeywordAsName,
                message: format!(
                    "`{kw}` is a WIT keyword; to use it as a name write `%{kw}`: `{}`",
                    fixed_line(text, at, &[(at..at, "%")])
                ),
                edits: vec![(f, at..at, "%".to_string())],
            });
        }
    }

    if msg.starts_with("expected ';', found") {
        let p = prev?;
        let at = scan.tokens[p].range.end;
        return Some(RawHint {
            code: HintCode::MissingSemicolon,
            message: format!(
                "end the declaration with `;`: `{}`",
                fixed_line(text, at, &[(at..at, ";")])
            ),
            edits: vec![(f, at..at, ";".to_string())],
        });
    }

    None
}

fn anonymous_type(scan: &Scan<'_>, f: usize, i: usize, kw: &str) -> Option<RawHint> {
    let text = scan.text;
    let open = i + 1;
    if scan.get(open) != Some("{") {
        return None;
    }
    let close = scan.matching_close(open)?;
    let field = match i.checked_sub(1).map(|p| scan.text_of(p)) {
        Some(":") if i >= 2 => scan.text_of(i - 2).trim_start_matches('%'),
        Some("->") => "result",
        _ => return None,
    };
    // The name: `<record>-<field>` inside a record, `<function>-<param>` in a
    // function, or the alias name in `type x = variant {..}`.
    let (owner, stmt) = match scan.enclosing_open(i) {
        Some(o)
            if matches!(
                scan.block_header(o).first().copied(),
                Some("record" | "resource")
            ) =>
        {
            let header = scan.block_header(o);
            (
                header.get(1).map(|s| s.trim_start_matches('%')),
                scan.statement_start(o),
            )
        }
        _ => {
            let s = scan.statement_start(i);
            (scan.get(s).map(|w| w.trim_start_matches('%')), s)
        }
    };
    let name = match owner {
        Some(o) if o != field => format!("{o}-{field}"),
        _ => format!("{field}-type"),
    };
    let item_start = scan.tokens[stmt].range.start;
    let line_start = scan.line_start(item_start);
    let (at, indent) = if text[line_start..item_start].trim().is_empty() {
        (line_start, &text[line_start..item_start])
    } else {
        (item_start, "")
    };
    let body = &text[scan.tokens[open].range.start..scan.tokens[close].range.end];
    let decl = format!("{indent}{kw} {name} {body}\n");
    let tail = if at == item_start {
        format!("{decl}{indent}")
    } else {
        decl
    };
    let field_fixed = if field == "result" && scan.text_of(i - 1) == "->" {
        format!("-> {name}")
    } else {
        format!("{field}: {name}")
    };
    Some(RawHint {
        code: HintCode::AnonymousType,
        message: format!(
            "WIT has no anonymous `{kw}` types: declare it by name in the interface, `{kw} {name} {{ ... }}`, and write `{field_fixed}`"
        ),
        edits: vec![
            (f, at..at, tail),
            (
                f,
                scan.tokens[i].range.start..scan.tokens[close].range.end,
                name.clone(),
            ),
        ],
    })
}

fn qualified_name(scan: &Scan<'_>, f: usize, i: usize) -> Option<RawHint> {
    let text = scan.text;
    let adjacent = |a: usize, b: usize| scan.tokens[a].range.end == scan.tokens[b].range.start;
    if i == 0 || i + 1 >= scan.tokens.len() || !adjacent(i - 1, i) || !adjacent(i, i + 1) {
        return None;
    }
    let stmt = scan.statement_start(i);
    if matches!(
        scan.get(stmt),
        Some("use" | "import" | "export" | "include" | "package")
    ) {
        return None;
    }
    let part = |j: usize| {
        scan.tokens[j].kind == Kind::Word || matches!(scan.text_of(j), ":" | "/" | "." | "@")
    };
    let mut a = i;
    while a > 0
        && part(a - 1)
        && adjacent(a - 1, a)
        && scan.tokens[a - 1].kind != scan.tokens[a].kind
    {
        a -= 1;
    }
    let mut b = i;
    while b + 1 < scan.tokens.len()
        && part(b + 1)
        && adjacent(b, b + 1)
        && scan.tokens[b + 1].kind != scan.tokens[b].kind
    {
        b += 1;
    }
    if scan.tokens[a].kind != Kind::Word || scan.tokens[b].kind != Kind::Word {
        return None;
    }
    let range = scan.tokens[a].range.start..scan.tokens[b].range.end;
    let path = &text[range.clone()];
    let (iface, name) = if let Some((p, n)) = path.rsplit_once('.') {
        (p.to_string(), n)
    } else if !path.contains('/') {
        let (p, n) = path.rsplit_once(':')?;
        (p.to_string(), n)
    } else {
        return None;
    };
    let (open, owner) = enclosing_item(scan, i)?;
    let use_line = format!("use {iface}.{{{name}}};");
    let mut edits = vec![(f, range, name.to_string())];
    if !scan.declared_names(Some(open)).iter().any(|n| n == name) {
        let (r, t) = insert_first_in_block(scan, open, &use_line);
        edits.push((f, r, t));
    }
    Some(RawHint {
        code: HintCode::QualifiedTypeName,
        message: format!(
            "a type from another interface is imported with `use`, not named as `{path}`: add `{use_line}` at the top of `{owner}` and write `{name}`"
        ),
        edits,
    })
}

fn unknown_name(scan: &Scan<'_>, f: usize, i: usize, name: &str, kind: &str) -> Option<RawHint> {
    let range = scan.tokens[i].range.clone();
    let bare = name.trim_start_matches('%');
    if kind.contains("interface") || kind.contains("world") {
        let items = scan.items();
        let names: Vec<&str> = items.iter().map(|(_, n, _, _)| *n).collect();
        let suggestion = did_you_mean(bare, names.iter().copied())?;
        return Some(RawHint {
            code: HintCode::UnknownName,
            message: format!("did you mean `{suggestion}`?"),
            edits: vec![(f, range, suggestion.to_string())],
        });
    }
    let here = enclosing_item(scan, i);
    let in_scope = scan.declared_names(here.map(|(o, _)| o));
    // Declared in another interface of this file?
    for (kw, other, _, open) in scan.items() {
        if kw != "interface" || Some(open) == here.map(|(o, _)| o) {
            continue;
        }
        if scan.declared_names(Some(open)).iter().any(|n| n == bare) {
            let (o, owner) = here?;
            let use_line = format!("use {other}.{{{bare}}};");
            let (r, t) = insert_first_in_block(scan, o, &use_line);
            return Some(RawHint {
                code: HintCode::UnknownName,
                message: format!(
                    "`{bare}` is declared in interface `{other}`: add `{use_line}` at the top of `{owner}`"
                ),
                edits: vec![(f, r, t)],
            });
        }
    }
    if let Some((_, wit)) = FOREIGN_TYPES.iter().find(|(n, _)| *n == bare) {
        let edits = if wit.contains(' ') || wit.contains('<') && wit.contains('T') {
            Vec::new()
        } else {
            vec![(f, range, wit.to_string())]
        };
        return Some(RawHint {
            code: HintCode::UnknownName,
            message: format!("WIT has no `{bare}` type; use `{wit}`"),
            edits,
        });
    }
    let candidates = in_scope
        .iter()
        .map(String::as_str)
        .chain(BUILTIN_TYPES.iter().copied());
    if let Some(s) = did_you_mean(bare, candidates) {
        return Some(RawHint {
            code: HintCode::UnknownName,
            message: format!("did you mean `{s}`?"),
            edits: vec![(f, range, s.to_string())],
        });
    }
    let listed = if in_scope.is_empty() {
        "no types are declared in this scope".to_string()
    } else {
        let mut names: Vec<_> = in_scope.iter().map(|n| format!("`{n}`")).collect();
        names.truncate(8);
        format!("names in scope: {}", names.join(", "))
    };
    Some(RawHint {
        code: HintCode::UnknownName,
        message: format!("declare `{bare}` in this interface or bring it in with `use`; {listed}"),
        edits: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab() {
        assert_eq!(to_kebab("getUser"), "get-user");
        assert_eq!(to_kebab("get_user"), "get-user");
        assert_eq!(to_kebab("HTTPServer"), "http-server");
        assert_eq!(to_kebab("String"), "string");
        assert_eq!(to_kebab("userID2"), "user-id2");
    }

    #[test]
    fn map_back_undoes_edits() {
        // "ab" -> insert "xx" at 1 -> "axxb"; then replace 0..1 with "" -> "xxb"
        let log = vec![(1, 1, 2), (0, 1, 0)];
        assert_eq!(map_back(&log, 2), 1); // 'b'
        assert_eq!(map_back(&log, 0), 1); // inside the insertion
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("persn", ["person", "string"]), Some("person"));
        assert_eq!(did_you_mean("zzz", ["person"]), None);
    }
}
