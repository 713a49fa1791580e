//! `pf check --fix` and `--diff`: the safe fixes of a program's root file, applied in rounds.
//!
//! A round analyses the text and applies every safe fix of the root file
//! ([`pf_compiler::diagnostic::apply_fixes`]); the next round analyses the result, so that fixes
//! skipped for overlapping and fixes that only appear once others are applied settle too. Rounds
//! stop when nothing changes, or after [`MAX_ROUNDS`]. Nothing here writes: the caller writes
//! the fixed text (or prints its diff).

use pf_compiler::diagnostic::{apply_fixes, Applicability, Fixed};
use pf_compiler::driver::{self, Analysis, Loader, Root};

/// The most rounds of fixes applied to one file: enough for chains of fixes to settle, and a
/// bound for fixes that would undo each other forever.
pub const MAX_ROUNDS: usize = 5;

/// A root file after its safe fixes.
pub struct Outcome {
    /// The analysis of the file as it was read.
    pub before: Analysis,
    /// What the fixes changed, if anything.
    pub changed: Option<Changed>,
}

/// A root file whose text the fixes changed.
pub struct Changed {
    /// The text as it was read.
    pub old: String,
    /// The text after the last round.
    pub new: String,
    /// The analysis of `new`.
    pub after: Analysis,
    /// How many problems the fixes solved, over all rounds.
    pub fixed: usize,
}

/// Analyses `root` as a program and applies the safe fixes of the root file, in rounds.
pub fn fix_root(root: Root, loader: &dyn Loader) -> Outcome {
    let name = root.name.clone();
    let original = String::from_utf8(root.bytes.clone()).ok();
    let before = driver::analyze(vec![root], loader);
    let Some(old) = original else { return Outcome { before, changed: None } };
    let (mut text, mut fixed, mut after) = (old.clone(), 0, None);
    for _ in 0..MAX_ROUNDS {
        let Some(round) = safe_fixes(after.as_ref().unwrap_or(&before), &text) else { break };
        after = Some(driver::analyze(
            vec![Root { name: name.clone(), bytes: round.text.clone().into_bytes() }],
            loader,
        ));
        text = round.text;
        fixed += round.fixed;
    }
    // Fixes that undo each other could end where they started: that is no change.
    let changed = after.filter(|_| text != old).map(|after| Changed { old, new: text, after, fixed });
    Outcome { before, changed }
}

/// The root file's `text` with the safe fixes of `analysis` applied, or `None` when nothing
/// changes. The analysis must be of exactly that text: a file the compiler could not read whole
/// (not UTF-8, a NUL byte, too large) is never fixed.
fn safe_fixes(analysis: &Analysis, text: &str) -> Option<Fixed> {
    let root = analysis.files.first()?.id;
    if analysis.sources.get(root).text != text {
        return None;
    }
    apply_fixes(text, root, &analysis.diagnostics, Applicability::Safe)
}

/// A unified diff (`--- a/NAME`, `+++ b/NAME`, hunks with three lines of context) from `old` to
/// `new`, which `git apply` and `patch -p1` accept.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_show_only_the_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = old.replace("g\n", "G\n");
        assert_eq!(
            unified_diff("x.pf", old, &new),
            "--- a/x.pf\n+++ b/x.pf\n@@ -4,5 +4,5 @@\n d\n e\n f\n-g\n+G\n h\n"
        );
        assert_eq!(unified_diff("x.pf", old, old), "");
    }
}
