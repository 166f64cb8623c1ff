//! A rough token scanner used only to read the *context* of an error that
//! `wit-parser` reported.
//!
//! This is not a WIT parser: it splits text into words and punctuation, skips
//! comments, and tracks brace nesting, which is enough to answer questions such
//! as "which token comes before the error?", "which `interface` block is this
//! in?" and "which names are declared in this block?". Every judgement about
//! validity stays with `wit-parser`.

use std::ops::Range;

/// What a scanned token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A word: identifier, keyword, number or version part (`%` included).
    Word,
    /// One punctuation character, or `->`.
    Punct,
}

/// One token of the scanned text.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Kind,
    pub range: Range<usize>,
    /// Brace depth *before* this token (an opening `{` has the outer depth).
    pub depth: usize,
}

/// The scanned text of one file.
pub(crate) struct Scan<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || c == '%'
}

impl<'a> Scan<'a> {
    /// Splits `text` into tokens.
    pub fn new(text: &'a str) -> Scan<'a> {
        let bytes = text.as_bytes();
        let mut tokens = Vec::new();
        let mut depth = 0usize;
        let mut i = 0;
        while i < text.len() {
            let c = match text[i..].chars().next() {
                Some(c) => c,
                None => break,
            };
            if c.is_whitespace() {
                i += c.len_utf8();
                continue;
            }
            if text[i..].starts_with("//") {
                i = text[i..].find('\n').map_or(text.len(), |n| i + n);
                continue;
            }
            if text[i..].starts_with("/*") {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(text.len(), |n| i + 2 + n + 2);
                continue;
            }
            if is_word(c) && c != '-' {
                let start = i;
                while i < text.len() {
                    match text[i..].chars().next() {
                        Some('-') if bytes.get(i + 1) == Some(&b'>') => break,
                        Some(c) if is_word(c) => i += c.len_utf8(),
                        _ => break,
                    }
                }
                tokens.push(Token {
                    kind: Kind::Word,
                    range: start..i,
                    depth,
                });
                continue;
            }
            let len = if c == '-' && bytes.get(i + 1) == Some(&b'>') {
                2
            } else {
                c.len_utf8()
            };
            if c == '}' {
                depth = depth.saturating_sub(1);
            }
            tokens.push(Token {
                kind: Kind::Punct,
                range: i..i + len,
                depth,
            });
            if c == '{' {
                depth += 1;
            }
            i += len;
        }
        Scan { text, tokens }
    }

    /// The text of token `i`.
    pub fn text_of(&self, i: usize) -> &'a str {
        &self.text[self.tokens[i].range.clone()]
    }

    /// The index of the first token that ends after `offset` (the token at or
    /// after the offset).
    pub fn index_at(&self, offset: usize) -> Option<usize> {
        let i = self.tokens.partition_point(|t| t.range.end <= offset);
        (i < self.tokens.len()).then_some(i)
    }

    /// The index of the last token that ends at or before `offset`.
    pub fn index_before(&self, offset: usize) -> Option<usize> {
        let i = self.tokens.partition_point(|t| t.range.end <= offset);
        i.checked_sub(1)
    }

    /// The text of the token at index `i`, if any.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        (i < self.tokens.len()).then(|| self.text_of(i))
    }

    /// The index of the `{` that encloses the token at `index`, if any.
    pub fn enclosing_open(&self, index: usize) -> Option<usize> {
        let target = self.tokens.get(index)?.depth;
        if target == 0 {
            return None;
        }
        (0..index)
            .rev()
            .find(|&j| self.text_of(j) == "{" && self.tokens[j].depth == target - 1)
    }

    /// The index of the `}` that closes the `{` at `open`, if any.
    pub fn matching_close(&self, open: usize) -> Option<usize> {
        let depth = self.tokens[open].depth;
        (open + 1..self.tokens.len())
            .find(|&j| self.text_of(j) == "}" && self.tokens[j].depth == depth)
    }

    /// The index of the first token of the statement containing token `index`:
    /// the token after the last `;`, `{` or `}` at the same depth.
    pub fn statement_start(&self, index: usize) -> usize {
        let depth = self.tokens[index].depth;
        (0..index)
            .rev()
            .find(|&j| {
                let t = &self.tokens[j];
                (t.depth == depth && matches!(self.text_of(j), ";" | "}"))
                    || (self.text_of(j) == "{" && t.depth + 1 == depth)
                    || (self.text_of(j) == "}" && t.depth < depth)
            })
            .map_or(0, |j| j + 1)
    }

    /// The header of the block opened by the `{` at `open`: the words of its
    /// statement before the brace (`["interface", "plugin"]`).
    pub fn block_header(&self, open: usize) -> Vec<&'a str> {
        let start = self.statement_start(open);
        (start..open).map(|j| self.text_of(j)).collect()
    }

    /// The byte offset at which the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .rfind('\n')
            .map_or(0, |n| n + 1)
    }

    /// The whitespace that indents the line holding `offset`.
    pub fn indent_at(&self, offset: usize) -> &'a str {
        let start = self.line_start(offset);
        let rest = &self.text[start..];
        &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
    }

    /// Names declared directly inside the block opened at `open` (or at the top
    /// level when `open` is `None`): types, resources and the names brought in
    /// by `use`.
    pub fn declared_names(&self, open: Option<usize>) -> Vec<String> {
        let (from, to, depth) = match open {
            Some(o) => (
                o + 1,
                self.matching_close(o).unwrap_or(self.tokens.len()),
                self.tokens[o].depth + 1,
            ),
            None => (0, self.tokens.len(), 0),
        };
        let mut names = Vec::new();
        let mut j = from;
        while j < to {
            if self.tokens[j].depth != depth {
                j += 1;
                continue;
            }
            match self.text_of(j) {
                "record" | "variant" | "enum" | "flags" | "resource" | "type" => {
                    if let Some(name) = self.get(j + 1)
                        && self.tokens[j + 1].kind == Kind::Word
                    {
                        names.push(name.trim_start_matches('%').to_string());
                    }
                }
                "use" => {
                    // use path.{a, b as c};
                    let mut k = j + 1;
                    while k < to && self.text_of(k) != "{" && self.text_of(k) != ";" {
                        k += 1;
                    }
                    if k < to && self.text_of(k) == "{" {
                        let mut last = None;
                        k += 1;
                        while k < to && self.text_of(k) != "}" {
                            match self.text_of(k) {
                                "," => {
                                    names.extend(last.take());
                                }
                                "as" => {}
                                w if self.tokens[k].kind == Kind::Word => {
                                    last = Some(w.trim_start_matches('%').to_string());
                                }
                                _ => {}
                            }
                            k += 1;
                        }
                        names.extend(last);
                    }
                    j = k;
                }
                _ => {}
            }
            j += 1;
        }
        names
    }

    /// Top-level (depth 0 or inside a `package x { }` block) `interface` and
    /// `world` blocks: `(keyword, name, index of the keyword, index of `{`)`.
    pub fn items(&self) -> Vec<(&'a str, &'a str, usize, usize)> {
        let mut out = Vec::new();
        for j in 0..self.tokens.len() {
            let kw = self.text_of(j);
            if (kw == "interface" || kw == "world")
                && self.tokens[j].depth <= 1
                && let (Some(name), Some("{")) = (self.get(j + 1), self.get(j + 2))
            {
                out.push((kw, name.trim_start_matches('%'), j, j + 2));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_blocks_and_names() {
        let text = "package a:b;\n// c\ninterface i {\n  use o.{x, y as z};\n  record r { a: u8 }\n  f: func();\n}\n";
        let s = Scan::new(text);
        let items = s.items();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].1, "i");
        let names = s.declared_names(Some(items[0].3));
        assert_eq!(names, vec!["x", "z", "r"]);
        let f = s.index_at(text.find("f:").unwrap()).unwrap();
        assert_eq!(s.enclosing_open(f), Some(items[0].3));
        assert_eq!(s.text_of(s.statement_start(f)), "f");
        assert_eq!(s.block_header(items[0].3), vec!["interface", "i"]);
    }
}
