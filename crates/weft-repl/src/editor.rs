//! The line editor's helper: completion from the session's WIT, and continuation
//! lines while a bracket or string is open.

use rustyline::completion::{Completer, Pair};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper, Highlighter, Hinter};
use weft_runtime::ExportCatalog;

use crate::commands::COMMANDS;
use crate::complete::{Scope, complete};

/// What the editor completes from; refreshed before every prompt.
#[derive(Helper, Highlighter, Hinter)]
pub struct ReplHelper {
    /// The exports.
    pub catalog: ExportCatalog,
    /// The live handles: (name, resource type).
    pub handles: Vec<(String, String)>,
    /// The named types `:type` knows.
    pub types: Vec<String>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let text = &line[..pos];
        let pair = |display: &str, replacement: String| Pair {
            display: display.to_string(),
            replacement,
        };
        if let Some(name) = text.strip_prefix(":type ") {
            let exports = self.catalog.funcs().iter().map(|f| f.short_name());
            let pairs = self
                .types
                .iter()
                .cloned()
                .chain(exports)
                .filter(|t| t.starts_with(name))
                .map(|t| pair(&t, t.clone()))
                .collect();
            return Ok((pos - name.len(), pairs));
        }
        if text.starts_with(':') {
            let pairs = COMMANDS
                .iter()
                .filter_map(|(c, _)| c.split(' ').next())
                .filter(|c| c.starts_with(text))
                .map(|c| pair(c, c.to_string()))
                .collect();
            return Ok((0, pairs));
        }
        let scope = Scope {
            catalog: &self.catalog,
            handles: &self.handles,
        };
        let (start, candidates) = complete(&scope, line, pos);
        let pairs = candidates
            .into_iter()
            .map(|c| pair(&c.display, c.replacement))
            .collect();
        Ok((start, pairs))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_open(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

/// Whether `text` leaves a bracket or a string open, so the statement goes on.
pub fn is_open(text: &str) -> bool {
    if text.trim_start().starts_with(':') {
        return false;
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
    }
    // A stray closing bracket is an error for the parser to show, not more to read.
    quote.is_some() || depth > 0
}

#[cfg(test)]
mod tests {
    use super::is_open;

    #[test]
    fn open_brackets_and_strings_continue_the_statement() {
        assert!(is_open("greet({name: \"Ada\","));
        assert!(is_open("greet({name: \"Ada, "));
        assert!(!is_open("greet({name: \"Ada (\"})"));
        assert!(!is_open("greet(}))"));
        assert!(!is_open(":type person {"));
    }
}
