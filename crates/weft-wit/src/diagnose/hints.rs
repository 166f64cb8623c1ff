//! The mistakes weft recognises: from `wit-parser`'s message and the tokens around the
//! error span, a hint in words and, where an edit fixes it, the edit.

use std::ops::Range;

use super::HintCode;
use crate::scan::{Kind, Scan};
use crate::sources::{RawError, RawKind, Sources};
use crate::suggest::closest;

/// A hint with its edits in the coordinates of the current (patched) text.
pub(super) struct RawHint {
    pub(super) code: HintCode,
    pub(super) message: String,
    pub(super) edits: Vec<(usize, Range<usize>, String)>,
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

pub(super) fn hint_for(err: &RawError, sources: &Sources) -> Option<RawHint> {
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
        let suggestion = closest(bare, names.iter().copied())?;
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
    if let Some(s) = closest(bare, candidates) {
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
}
