//! The text of one call, `target(args)`, and of a session script.
//!
//! The arguments are WAVE, parsed by wasm-wave; the target before the parenthesis
//! is an export name (which WAVE's own function-name syntax cannot express when it
//! has `#`), or `handle.method` for a method on a live resource handle.

use std::fmt;

use wasm_wave::ast::Node;
use wasm_wave::untyped::UntypedFuncCall;
use weft_wit::{Location, Report};

/// A call written as text that does not parse.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// The text.
    pub source: String,
    /// The byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    /// The message and the statement with the place underlined (a long statement is
    /// shown around the place; see [`weft_wit::report`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = Location::from_span("", &self.source, self.offset..self.offset);
        let report = Report {
            message: &self.message,
            location: Some(&location),
            ..Report::default()
        };
        write!(f, "{report}")
    }
}

impl std::error::Error for SyntaxError {}

/// A parsed call: who is called, and the WAVE arguments.
#[derive(Debug)]
pub struct CallText {
    /// What stands before `(`: an export name or `handle.method`.
    pub target: String,
    /// The source the argument nodes index into.
    pub args_source: String,
    /// The arguments, or `None` for `()`.
    pub args: Option<Node>,
}

impl CallText {
    /// Parses `target(arg, ...)`.
    pub fn parse(text: &str) -> Result<CallText, SyntaxError> {
        let text = text.trim();
        let Some(open) = text.find('(') else {
            return Err(SyntaxError {
                source: text.to_string(),
                offset: text.len(),
                message: format!(
                    "expected `(` after the function name; write `{text}()` to call it with no arguments"
                ),
            });
        };
        let target = text[..open].trim().to_string();
        if target.is_empty() {
            return Err(SyntaxError {
                source: text.to_string(),
                offset: 0,
                message: "expected a function name before `(`".to_string(),
            });
        }
        // wasm-wave parses `f(...)`; give it a one-letter name and shift its offsets back.
        let args_source = format!("f{}", &text[open..]);
        let shift = open as isize - 1;
        let parsed = UntypedFuncCall::parse(&args_source).map_err(|e| SyntaxError {
            source: text.to_string(),
            offset: (e.span().start as isize + shift).max(0) as usize,
            message: match e.detail() {
                Some(detail) => format!("invalid arguments: {}: {detail}", e.kind()),
                None => format!("invalid arguments: {}", e.kind()),
            },
        })?;
        let args = parsed.params_node().cloned();
        Ok(CallText {
            target,
            args_source,
            args,
        })
    }
}

/// One statement of a session script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `let name = call(...)`: call, and name the resource it returns.
    Let {
        /// The handle name.
        name: String,
        /// The call text.
        call: String,
    },
    /// `drop(name)`: drop a handle now, running the guest's destructor.
    Drop {
        /// The handle name.
        name: String,
    },
    /// A call whose result is printed.
    Call(String),
}

impl Statement {
    /// Parses one line; `None` for blank lines and comments (`#` or `//`).
    pub fn parse(line: &str) -> Option<Result<Statement, SyntaxError>> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            return None;
        }
        if let Some(rest) = line.strip_prefix("let ") {
            let Some((name, call)) = rest.split_once('=') else {
                return Some(Err(SyntaxError {
                    source: line.to_string(),
                    offset: line.len(),
                    message: "expected `let NAME = CALL`".to_string(),
                }));
            };
            let name = name.trim();
            if let Err(message) = check_handle_name(name) {
                return Some(Err(SyntaxError {
                    source: line.to_string(),
                    offset: 4,
                    message,
                }));
            }
            return Some(Ok(Statement::Let {
                name: name.to_string(),
                call: call.trim().to_string(),
            }));
        }
        if let Some(inner) = line.strip_prefix("drop(").and_then(|r| r.strip_suffix(')')) {
            return Some(Ok(Statement::Drop {
                name: inner.trim().to_string(),
            }));
        }
        Some(Ok(Statement::Call(line.to_string())))
    }
}

/// WAVE words that cannot name a handle, because a bare label there means them.
const RESERVED: &[&str] = &["true", "false", "some", "none", "ok", "err", "inf", "nan"];

/// Handle names are written as bare WAVE labels, so they must be kebab-case.
pub fn check_handle_name(name: &str) -> Result<(), String> {
    let kebab = !name.is_empty()
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if !kebab {
        return Err(format!(
            "`{name}` cannot name a handle: use a kebab-case name such as `my-counter`"
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "`{name}` is a WAVE keyword; choose another handle name"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets_with_interface_names() {
        let call =
            CallText::parse(r#"example:greeter/greeting@1.0.0#greet({name: "Ada"})"#).unwrap();
        assert_eq!(call.target, "example:greeter/greeting@1.0.0#greet");
        assert!(call.args.is_some());
        let call = CallText::parse("d.increment( 2 )").unwrap();
        assert_eq!(call.target, "d.increment");
        assert!(CallText::parse("nothing()").unwrap().args.is_none());
    }

    #[test]
    fn syntax_errors_point_at_the_argument() {
        let err = CallText::parse(r#"greet({name: "Ada")"#).unwrap_err();
        assert!(err.offset >= 6, "{err:?}");
        let err = CallText::parse("greet").unwrap_err();
        assert!(err.message.contains("greet()"), "{}", err.message);
    }

    #[test]
    fn a_long_statement_is_shown_around_the_problem() {
        let text = format!("greet([{}@])", "1, ".repeat(100_000));
        let err = CallText::parse(&text).unwrap_err().to_string();
        assert!(err.len() < 400, "{} bytes", err.len());
        let lines: Vec<&str> = err.lines().collect();
        let underline = lines[3].chars().position(|c| c == '─').unwrap();
        assert_eq!(lines[2].chars().nth(underline), Some('@'), "{err}");
    }

    #[test]
    fn statements() {
        assert_eq!(
            Statement::parse(r#"let d = counter("x")"#)
                .unwrap()
                .unwrap(),
            Statement::Let {
                name: "d".into(),
                call: r#"counter("x")"#.into()
            }
        );
        assert_eq!(
            Statement::parse("drop(d)").unwrap().unwrap(),
            Statement::Drop { name: "d".into() }
        );
        assert!(Statement::parse("# note").is_none());
        assert!(Statement::parse("let Bad = x()").unwrap().is_err());
        assert!(Statement::parse("let none = x()").unwrap().is_err());
    }
}
