//! The diff report as text.

use super::compare::is_specific_signature_change;
use super::{ChangeKind, DiffReport, SemverCheck};

fn compatibility(compatible: bool) -> &'static str {
    if compatible {
        "compatible"
    } else {
        "incompatible"
    }
}

impl SemverCheck {
    /// The check as one line of text. A check that did not run says so, and
    /// that weft's answer is then not cross-checked.
    pub fn render(&self) -> String {
        let world = &self.world;
        let ours = compatibility(self.weft_compatible_like_wit_component);
        let mut s = match (self.compatible, self.agrees()) {
            (Some(theirs), Some(agrees)) => format!(
                "semver check of world `{world}` (versions ignored): wit-component says {}, weft says {ours} ({})",
                compatibility(theirs),
                if agrees {
                    "agrees"
                } else {
                    "DISAGREES; please report"
                }
            ),
            _ => format!(
                "semver check of world `{world}`: not run, so weft's answer ({ours}) is not cross-checked"
            ),
        };
        if self.weft_compatible != self.weft_compatible_like_wit_component {
            s.push_str(&format!(
                "; counting what wit-component cannot see (dependency versions, removed types), weft says {}",
                compatibility(self.weft_compatible)
            ));
        }
        if let Some(d) = &self.detail {
            s.push_str(&format!(": {d}"));
        }
        s
    }
}

impl DiffReport {
    /// The report as text: one block per change, then the cross-check and the verdict.
    pub fn render(&self) -> String {
        let mut s = format!("comparing `{}` with `{}`\n", self.old, self.new);
        if self.changes.is_empty() {
            s.push_str("\nno changes\n");
        }
        for c in &self.changes {
            s.push_str(&format!(
                "\n{} {}: {}, {}\n",
                c.kind, c.item, c.bump, c.reason
            ));
            if let Some(b) = &c.before {
                for l in b.lines() {
                    s.push_str(&format!("  - {l}\n"));
                }
            }
            if let Some(a) = &c.after {
                for l in a.lines() {
                    s.push_str(&format!("  + {l}\n"));
                }
            }
            // Name the kind of a signature change the lines alone leave to the reader.
            if c.kind == ChangeKind::Changed && is_specific_signature_change(&c.what) {
                s.push_str(&format!("  = {}\n", c.what));
            }
        }
        if !self.semver_check.is_empty() {
            s.push('\n');
        }
        for sc in &self.semver_check {
            s.push_str(&sc.render());
            s.push('\n');
        }
        s.push_str(&format!(
            "\n{}: {}\n",
            if self.verdict.ok { "ok" } else { "error" },
            self.verdict.message
        ));
        s
    }

    /// [`DiffReport::render`] without the final verdict line (for callers that
    /// report the verdict themselves, e.g. as the command's error).
    pub fn render_changes(&self) -> String {
        let full = self.render();
        let cut = full.trim_end_matches('\n').rfind('\n').unwrap_or(0);
        full[..cut].trim_end_matches('\n').to_string() + "\n"
    }
}
