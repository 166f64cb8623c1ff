//! A line filter (`example:pipeline@1.0.0`, world `transform-component`): keeps the lines
//! that match a regular expression, like `grep`.
//!
//! Config: the pattern itself (Rust `regex` syntax), or a JSON object
//! `{"pattern": "...", "invert": false, "ignore-case": false}`. Unicode classes beyond
//! Perl's `\w`, `\d`, `\s` (such as `\p{Greek}`) are not built in, to keep the component
//! small. Lines end at `\n`; the pattern sees a line without its `\n` (a `\r` before it
//! stays), and kept lines are written unchanged with their `\n`. Input need not be UTF-8
//! (the regex runs on bytes). A line split across chunks waits for its end; end of input
//! tests a last line that has no `\n`.

transform_common::export_transform!(Grep);

use transform_common::Transform;

use regex::bytes::{Regex, RegexBuilder};

/// Filter state.
pub struct Grep {
    regex: Regex,
    /// Keep the lines that do not match instead.
    invert: bool,
    /// The start of a line whose `\n` has not arrived yet.
    partial: Vec<u8>,
}

impl Transform for Grep {
    fn from_config(config: &str) -> Result<Self, String> {
        let (pattern, invert, ignore_case) = if config.trim_start().starts_with('{') {
            parse_json_config(config)?
        } else {
            (config.to_owned(), false, false)
        };
        let regex = RegexBuilder::new(&pattern)
            .case_insensitive(ignore_case)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Grep {
            regex,
            invert,
            partial: Vec::new(),
        })
    }

    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        let mut rest = input;
        // Only the new bytes are searched for line ends, so a long line arriving in many
        // chunks is not rescanned.
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(end + 1);
            if self.partial.is_empty() {
                self.emit(line, out);
            } else {
                let mut whole = std::mem::take(&mut self.partial);
                whole.extend_from_slice(line);
                self.emit(&whole, out);
            }
            rest = tail;
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        if !self.partial.is_empty() {
            let last = std::mem::take(&mut self.partial);
            self.emit(&last, out);
        }
        Ok(())
    }
}

impl Grep {
    /// Writes `line` (with its `\n`, if it has one) when it passes the filter.
    fn emit(&self, line: &[u8], out: &mut Vec<u8>) {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        if self.regex.is_match(text) != self.invert {
            out.extend_from_slice(line);
        }
    }
}

/// `(pattern, invert, ignore-case)` from the JSON form of the config.
fn parse_json_config(config: &str) -> Result<(String, bool, bool), String> {
    let value: serde_json::Value =
        serde_json::from_str(config).map_err(|e| format!("config is not valid JSON: {e}"))?;
    let object = value
        .as_object()
        .ok_or("config must be a JSON object or a bare pattern")?;
    for key in object.keys() {
        if !["pattern", "invert", "ignore-case"].contains(&key.as_str()) {
            return Err(format!(
                "unknown config key `{key}`: expected pattern, invert or ignore-case"
            ));
        }
    }
    let pattern = object
        .get("pattern")
        .and_then(serde_json::Value::as_str)
        .ok_or("config needs a string `pattern`")?;
    let flag = |key: &str| match object.get(key) {
        None => Ok(false),
        Some(serde_json::Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!("`{key}` must be true or false, not {other}")),
    };
    Ok((pattern.to_owned(), flag("invert")?, flag("ignore-case")?))
}
