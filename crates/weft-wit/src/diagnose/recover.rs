//! The fix-and-reparse loop: diagnose an error, apply its fix to an in-memory copy of
//! the sources, resolve again, and map the next error back to the original text.

use super::hints::hint_for;
use super::{Diagnostic, Edit, Hint, MAX_DIAGNOSTICS};
use crate::report::Location;
use crate::sources::{RawError, Sources, resolve_sources};

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
            Location::from_span(&file.display, &file.text, r.clone())
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
                        let at = Location::from_span(&file.display, &file.text, start..start);
                        Edit {
                            file: file.display.clone(),
                            line: at.line,
                            column: at.column,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_back_undoes_edits() {
        // "ab" -> insert "xx" at 1 -> "axxb"; then replace 0..1 with "" -> "xxb"
        let log = vec![(1, 1, 2), (0, 1, 0)];
        assert_eq!(map_back(&log, 2), 1); // 'b'
        assert_eq!(map_back(&log, 0), 1); // inside the insertion
    }
}
