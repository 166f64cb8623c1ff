//! Completion from the component's types: which word the cursor is in, and what the
//! WIT allows there.
//!
//! The statement is never parsed as a value (wasm-wave does that when it runs); this
//! only follows the brackets, strings and `name:` labels up to the cursor, which is all
//! completion needs and which still works on the half-typed text a parser refuses.

use wasmtime::component::types::{Flags, Record, Type};
use weft_runtime::{ExportCatalog, ExportFunc, FuncKind};

/// What completion knows of the session.
pub struct Scope<'a> {
    /// The exports a statement may call.
    pub catalog: &'a ExportCatalog,
    /// The live handles: (name, resource type).
    pub handles: &'a [(String, String)],
}

/// One completion: what the list shows, and the text that replaces the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Shown in the list of choices.
    pub display: String,
    /// Inserted in place of the word being typed.
    pub replacement: String,
}

impl Candidate {
    fn new(display: impl Into<String>, replacement: impl Into<String>) -> Candidate {
        Candidate {
            display: display.into(),
            replacement: replacement.into(),
        }
    }
}

/// The completions of statement `line` with the cursor at byte `pos`: where the word
/// they replace starts, and the candidates that begin with it.
pub fn complete(scope: &Scope<'_>, line: &str, pos: usize) -> (usize, Vec<Candidate>) {
    let text = &line[..pos];
    let offset = let_prefix_len(text);
    let statement = &text[offset..];
    if let Some(rest) = statement.strip_prefix("drop(") {
        let start = pos - rest.len();
        let candidates = scope
            .handles
            .iter()
            .map(|(name, _)| Candidate::new(name, format!("{name})")))
            .collect();
        return (start, keep_prefixed(candidates, rest));
    }
    match statement.find('(') {
        None => {
            let word = statement.trim_start();
            (pos - word.len(), keep_prefixed(callees(scope, word), word))
        }
        Some(open) => {
            let callee = statement[..open].trim();
            let Some(params) = parameters(scope, callee) else {
                return (pos, Vec::new());
            };
            let args = &statement[open + 1..];
            match scan(params, args) {
                Some((frame, word)) => (pos - word.len(), slot_candidates(scope, &frame, word)),
                None => (pos, Vec::new()),
            }
        }
    }
}

/// The length of a leading `let NAME = `, so the call after it is completed.
fn let_prefix_len(text: &str) -> usize {
    let trimmed = text.trim_start();
    if trimmed.starts_with("let ")
        && let Some(eq) = text.find('=')
    {
        let after = &text[eq + 1..];
        return eq + 1 + (after.len() - after.trim_start().len());
    }
    0
}

fn keep_prefixed(candidates: Vec<Candidate>, word: &str) -> Vec<Candidate> {
    let mut kept: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.replacement.starts_with(word))
        .collect();
    kept.sort_by(|a, b| a.display.cmp(&b.display));
    kept.dedup();
    kept
}

/// What may start a statement: plain functions, constructors, statics, and each
/// handle's methods.
fn callees(scope: &Scope<'_>, word: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for func in scope.catalog.funcs() {
        match &func.kind {
            FuncKind::Method { .. } => {}
            _ => {
                let name = func.short_name();
                out.push(Candidate::new(&name, format!("{name}(")));
            }
        }
    }
    for (handle, ty) in scope.handles {
        let dotted = format!("{handle}.");
        if !word.starts_with(&dotted) {
            out.push(Candidate::new(&dotted, &dotted));
            continue;
        }
        for func in methods_of(scope.catalog, ty) {
            if let FuncKind::Method { method, .. } = &func.kind {
                let name = format!("{dotted}{method}");
                out.push(Candidate::new(&name, format!("{name}(")));
            }
        }
    }
    out.push(Candidate::new("drop(", "drop("));
    out.push(Candidate::new("let ", "let "));
    out
}

fn methods_of<'c>(
    catalog: &'c ExportCatalog,
    resource: &str,
) -> impl Iterator<Item = &'c ExportFunc> {
    catalog
        .funcs()
        .iter()
        .filter(move |f| matches!(&f.kind, FuncKind::Method { resource: r, .. } if r == resource))
}

/// The parameter types of the call named `callee`, without a method's `self`.
fn parameters(scope: &Scope<'_>, callee: &str) -> Option<Vec<Type>> {
    if let Some((handle, method)) = callee.split_once('.')
        && let Some((_, ty)) = scope.handles.iter().find(|(h, _)| h == handle)
    {
        let func = methods_of(scope.catalog, ty)
            .find(|f| matches!(&f.kind, FuncKind::Method { method: m, .. } if m == method))?;
        return Some(func.ty.params().skip(1).map(|(_, t)| t).collect());
    }
    let func = scope.catalog.resolve(callee).ok()?;
    Some(func.ty.params().map(|(_, t)| t).collect())
}

/// An open bracket and where in it the cursor is.
#[derive(Clone)]
enum Frame {
    /// The call's argument list.
    Params(Vec<Type>),
    Record(Record),
    Flags(Flags),
    List(Type),
    Tuple(Vec<Type>),
    /// A case's payload, or a bracket whose type is not known.
    Payload(Option<Type>),
}

#[derive(Clone)]
struct Open {
    frame: Frame,
    /// Which element (argument, tuple member, list item) the cursor is in.
    index: usize,
    /// In a record: the field whose value is being typed.
    field: Option<String>,
    /// In a record or flags: the names already written.
    written: Vec<String>,
}

impl Open {
    fn new(frame: Frame) -> Open {
        Open {
            frame,
            index: 0,
            field: None,
            written: Vec::new(),
        }
    }

    /// The type the value at the cursor must have, when known.
    fn expected(&self) -> Option<Type> {
        match &self.frame {
            Frame::Params(types) | Frame::Tuple(types) => types.get(self.index).cloned(),
            Frame::Record(record) => {
                let field = self.field.as_deref()?;
                record.fields().find(|f| f.name == field).map(|f| f.ty)
            }
            Frame::List(item) => Some(item.clone()),
            Frame::Payload(ty) => ty.clone().filter(|_| self.index == 0),
            Frame::Flags(_) => None,
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Follows `args` (the text after the call's `(`) to its end: the innermost open
/// bracket and the word being typed, or `None` inside a string or past the call.
fn scan(params: Vec<Type>, args: &str) -> Option<(Open, &str)> {
    let mut stack = vec![Open::new(Frame::Params(params))];
    let mut word_start = 0;
    let mut chars = args.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_word_char(c) {
            if i == 0 || !args[..i].ends_with(is_word_char) {
                word_start = i;
            }
            continue;
        }
        let word = &args[word_start..i];
        let word = if args[..i].ends_with(is_word_char) {
            word
        } else {
            ""
        };
        let top = stack.last_mut()?;
        match c {
            '"' | '\'' => {
                let mut escaped = false;
                let closed = chars.by_ref().any(|(_, d)| {
                    let end = d == c && !escaped;
                    escaped = d == '\\' && !escaped;
                    end
                });
                if !closed {
                    return None;
                }
            }
            '(' => {
                let frame = match top.expected() {
                    Some(Type::Tuple(t)) if word.is_empty() => Frame::Tuple(t.types().collect()),
                    expected => Frame::Payload(expected.and_then(|t| payload(&t, word))),
                };
                stack.push(Open::new(frame));
            }
            '{' => {
                let frame = match top.expected() {
                    Some(Type::Record(r)) => Frame::Record(r),
                    Some(Type::Flags(f)) => Frame::Flags(f),
                    _ => Frame::Payload(None),
                };
                stack.push(Open::new(frame));
            }
            '[' => {
                let frame = match top.expected() {
                    Some(Type::List(l)) => Frame::List(l.ty()),
                    _ => Frame::Payload(None),
                };
                stack.push(Open::new(frame));
            }
            ')' | ']' | '}' => {
                stack.pop();
                if stack.is_empty() {
                    return None;
                }
            }
            ',' => {
                if matches!(top.frame, Frame::Flags(_)) && !word.is_empty() {
                    top.written.push(word.to_string());
                }
                top.index += 1;
                top.field = None;
            }
            ':' if matches!(top.frame, Frame::Record(_)) => {
                top.written.push(word.to_string());
                top.field = Some(word.to_string());
            }
            _ => {}
        }
    }
    let word = if args.ends_with(is_word_char) {
        &args[word_start..]
    } else {
        ""
    };
    stack.pop().map(|top| (top, word))
}

/// The payload type of the case `case` of `ty` (`some`, `ok`, `err`, a variant case).
fn payload(ty: &Type, case: &str) -> Option<Type> {
    match (ty, case) {
        (Type::Option(o), "some") => Some(o.ty()),
        (Type::Result(r), "ok") => r.ok(),
        (Type::Result(r), "err") => r.err(),
        (Type::Variant(v), _) => v.cases().find(|c| c.name == case).and_then(|c| c.ty),
        _ => None,
    }
}

/// The words that may stand at the cursor in `open`.
fn slot_candidates(scope: &Scope<'_>, open: &Open, word: &str) -> Vec<Candidate> {
    let unwritten = |name: &str| !open.written.iter().any(|w| w == name);
    let candidates = match (&open.frame, &open.field) {
        (Frame::Record(record), None) => record
            .fields()
            .filter(|f| unwritten(f.name))
            .map(|f| Candidate::new(f.name, format!("{}: ", f.name)))
            .collect(),
        (Frame::Flags(flags), _) => flags
            .names()
            .filter(|n| unwritten(n))
            .map(|n| Candidate::new(n, n))
            .collect(),
        _ => open
            .expected()
            .map(|ty| value_words(scope, &ty))
            .unwrap_or_default(),
    };
    keep_prefixed(candidates, word)
}

/// The bare words a value of type `ty` may be: cases, `some(`/`none`, booleans, handles.
fn value_words(scope: &Scope<'_>, ty: &Type) -> Vec<Candidate> {
    let case = |name: &str, has_payload: bool| {
        let replacement = if has_payload {
            format!("{name}(")
        } else {
            name.to_string()
        };
        Candidate::new(name, replacement)
    };
    match ty {
        Type::Bool => vec![case("true", false), case("false", false)],
        Type::Enum(e) => e.names().map(|n| case(n, false)).collect(),
        Type::Variant(v) => v.cases().map(|c| case(c.name, c.ty.is_some())).collect(),
        Type::Option(_) => vec![case("some", true), case("none", false)],
        Type::Result(r) => vec![case("ok", r.ok().is_some()), case("err", r.err().is_some())],
        Type::Own(resource) | Type::Borrow(resource) => {
            let name = scope.catalog.resource_name(resource);
            scope
                .handles
                .iter()
                .filter(|(_, ty)| Some(ty.as_str()) == name)
                .map(|(h, _)| case(h, false))
                .collect()
        }
        _ => Vec::new(),
    }
}
