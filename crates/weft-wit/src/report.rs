//! The one renderer of errors that point into a text: WIT diagnostics, compose
//! manifests and WAC documents, host manifests, and `weft call` statements all
//! show their place the same way, drawn by miette (as wac draws its own):
//!
//! ```text
//! error: unknown field `confg`, expected one of `path`, `config`
//!    ╭─[plugins.toml:3:1]
//!  3 │ confg = "x"
//!    · ─────
//!    ╰────
//!   help: did you mean `config`?
//! ```
//!
//! [`Location::from_span`] is the one place where a byte range becomes a line and
//! a column.

use std::fmt;
use std::ops::Range;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

/// How many characters of a long line are shown on each side of the place.
const CONTEXT: usize = 60;

/// A place in a source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the user named it; empty for text that is not a file (a
    /// statement given on the command line).
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

impl Location {
    /// The location of the byte range `span` of `text`, which was read from `file`.
    /// Out-of-range and mid-character offsets are moved back to the nearest
    /// character boundary inside the text.
    pub fn from_span(file: impl Into<String>, text: &str, span: Range<usize>) -> Location {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let (line, column, source_line) = line_col(text, start);
        let (end_line, end_column, _) = line_col(text, end);
        Location {
            file: file.into(),
            line,
            column,
            end_line,
            end_column,
            source_line: source_line.to_string(),
        }
    }

    /// `file:line:column`, as editors and terminals link it.
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }

    /// The excerpt of the source line with the place underlined, as miette draws it
    /// (no trailing newline).
    pub fn excerpt(&self) -> String {
        excerpt(self, None)
    }

    /// How many characters of the first line the place covers (at least 1).
    pub fn width(&self) -> usize {
        let line_len = self.source_line.chars().count() + 1;
        let end = if self.end_line == self.line {
            self.end_column.min(line_len)
        } else {
            line_len
        };
        end.saturating_sub(self.column).max(1)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.position())
    }
}

/// An error to render: what is wrong, where, and what to do about it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Report<'a> {
    /// The message (its first line is the headline).
    pub message: &'a str,
    /// Where the error is, when it has a place.
    pub location: Option<&'a Location>,
    /// A short label under the place.
    pub label: Option<&'a str>,
    /// Lines after the excerpt that explain (`note: ...`).
    pub notes: &'a [String],
    /// How to fix it (`help: ...`).
    pub help: Option<&'a str>,
}

impl fmt::Display for Report<'_> {
    /// The message, the excerpt of the source with the place underlined, the notes
    /// and the help. Without a place: the message, notes and help alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)?;
        if let Some(location) = self.location {
            f.write_str("\n")?;
            f.write_str(&excerpt(location, self.label))?;
        }
        for note in self.notes {
            write!(f, "\n  note: {}", indent_rest(note, "        "))?;
        }
        if let Some(help) = self.help {
            write!(f, "\n  help: {}", indent_rest(help, "        "))?;
        }
        Ok(())
    }
}

/// `text` with every line after the first indented by `indent`.
fn indent_rest(text: &str, indent: &str) -> String {
    text.replace('\n', &format!("\n{indent}"))
}

/// The excerpt of `location`'s line, with the place underlined and `label` under it
/// (no trailing newline).
fn excerpt(location: &Location, label: Option<&str>) -> String {
    let shown = Window::around(location);
    let span: SourceSpan = (shown.start, shown.len).into();
    let snippet = Snippet {
        source: shown,
        labels: vec![LabeledSpan::new_primary_with_span(
            label.map(str::to_string),
            span,
        )],
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_context_lines(0)
        .with_wrap_lines(false)
        .with_links(false)
        .with_urls(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &snippet).is_err() {
        return location.position();
    }
    // miette has no excerpt-only entry point: the snippet's empty message renders as
    // one empty first line, which is dropped.
    let drawing = out.split_once('\n').map_or(out.as_str(), |(_, rest)| rest);
    drawing.trim_end_matches('\n').to_string()
}

/// The part of a source line that is shown: all of it, or [`CONTEXT`] characters on
/// each side of the place for a long line.
#[derive(Debug)]
struct Window {
    name: Option<String>,
    text: String,
    /// 0-based line number in the file.
    line: usize,
    /// 0-based column of the place in the file, for the header.
    column: usize,
    /// Byte offset and length of the place in `text`.
    start: usize,
    len: usize,
}

impl Window {
    fn around(location: &Location) -> Window {
        let chars: Vec<char> = location.source_line.chars().collect();
        let column = location.column.saturating_sub(1).min(chars.len());
        let width = location.width().min(chars.len().saturating_sub(column));
        let first = column.saturating_sub(CONTEXT);
        let last = (column + width + CONTEXT).min(chars.len());
        let mut text = String::new();
        if first > 0 {
            text.push('…');
        }
        text.extend(&chars[first..column]);
        let start = text.len();
        if width == 0 {
            // The place is the end of the line (an empty line, the end of the file):
            // underline the space after it.
            text.push(' ');
        }
        text.extend(&chars[column..column + width]);
        let len = text.len() - start;
        text.extend(&chars[column + width..last]);
        if last < chars.len() {
            text.push('…');
        }
        Window {
            name: (!location.file.is_empty()).then(|| location.file.clone()),
            text,
            line: location.line.saturating_sub(1),
            column,
            start,
            len,
        }
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // The window is the whole source miette sees, addressed from its start.
        let span = (0, self.text.len()).into();
        let data = self.text.as_bytes();
        Ok(Box::new(match &self.name {
            Some(name) => {
                MietteSpanContents::new_named(name.clone(), data, span, self.line, self.column, 1)
            }
            None => MietteSpanContents::new(data, span, self.line, self.column, 1),
        }))
    }
}

/// The diagnostic miette draws: no message, one source line, one label.
#[derive(Debug)]
struct Snippet {
    source: Window,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Snippet {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Snippet {}

impl miette::Diagnostic for Snippet {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// 1-based line and column (in characters) of byte `offset`, and that line's text.
fn line_col(text: &str, offset: usize) -> (usize, usize, &str) {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[..line_start].matches('\n').count() + 1;
    let column = text[line_start..offset].chars().count() + 1;
    (
        line,
        column,
        text[line_start..line_end].trim_end_matches('\r'),
    )
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_lines_and_columns() {
        let src = "a = 1\nbcd = \"x\"\n";
        let at = Location::from_span("f.toml", src, 12..15);
        assert_eq!((at.line, at.column, at.width()), (2, 7, 3));
        assert_eq!(at.source_line, "bcd = \"x\"");
        assert_eq!(at.position(), "f.toml:2:7");
        let past_the_end = Location::from_span("f.toml", src, 99..120);
        assert_eq!((past_the_end.line, past_the_end.column), (3, 1));
        let mid_char = Location::from_span("f", "é", 1..2);
        assert_eq!((mid_char.column, mid_char.width()), (1, 1));
    }

    #[test]
    fn the_end_of_a_line_is_shown_as_a_space() {
        let at = Location::from_span("f.wit", "interface i {\n", 14..14);
        let text = Report {
            message: "expected `}`, found eof",
            location: Some(&at),
            ..Report::default()
        }
        .to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], " 2 │  ");
        assert_eq!(lines[3], "   · ─");
    }

    #[test]
    fn a_report_underlines_its_place_and_ends_with_its_help() {
        let src = "a = 1\nbcd = \"x\"\n";
        let at = Location::from_span("f.toml", src, 12..15);
        let notes = ["first\nsecond".to_string()];
        let text = Report {
            message: "bad value",
            location: Some(&at),
            notes: &notes,
            help: Some("write a number"),
            ..Report::default()
        }
        .to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "bad value");
        assert_eq!(lines[1].trim(), "╭─[f.toml:2:7]");
        assert_eq!(lines[2], " 2 │ bcd = \"x\"");
        assert_eq!(lines[3], "   ·       ───");
        assert_eq!(lines[4].trim(), "╰────");
        assert_eq!(
            &lines[5..],
            ["  note: first", "        second", "  help: write a number"]
        );
    }

    #[test]
    fn a_long_line_is_shown_around_the_place() {
        let src = format!("[{}@]", "1, ".repeat(100_000));
        let at_sign = src.find('@').unwrap();
        let at = Location::from_span("", &src, at_sign..at_sign + 1);
        let text = Report {
            message: "unexpected `@`",
            location: Some(&at),
            ..Report::default()
        }
        .to_string();
        assert!(text.len() < 600, "{} bytes", text.len());
        let lines: Vec<&str> = text.lines().collect();
        let underline = lines[3].chars().position(|c| c == '─').unwrap();
        assert_eq!(lines[2].chars().nth(underline), Some('@'), "{text}");
    }
}
