//! Applying the fixes of diagnostics to a file's text (`pf check --fix`, the UI tests).
//!
//! A fix is applied whole or not at all. Fixes are taken in order of position (the first edit of
//! each, then the rest); a fix with an edit that overlaps one already taken is skipped, so that
//! applying the result again after a new analysis can pick it up. Two edits overlap when they
//! share a byte, or start at the same offset (two insertions at one place have no right order).
//! Identical fixes, reported by several diagnostics, are applied once.

use super::{Applicability, Diagnostic};
use crate::source::FileId;
use std::collections::BTreeMap;

/// A file's text after [`apply_fixes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The new text.
    pub text: String,
    /// How many diagnostics had their fix applied (a fix that several diagnostics share counts
    /// once for each of them).
    pub fixed: usize,
}

/// One edit as byte offsets: `start..end` becomes `replacement`.
type Edit<'a> = (usize, usize, &'a str);

/// Applies to `text`, the text of `file`, the fixes of `diagnostics` that are at least as safe
/// as `which` (`Safe`: safe fixes only; `Unsafe`: safe and unsafe ones).
///
/// Left out: fixes of suppressed diagnostics, fixes with an edit in another file (a fix that also
/// edits a standard-library module is not half applied), fixes whose edits are out of bounds,
/// split a character or overlap each other, and fixes that overlap a fix taken before them.
/// Returns `None` when the text does not change. The result is the same whatever the order of
/// `diagnostics`.
pub fn apply_fixes(
    text: &str,
    file: FileId,
    diagnostics: &[Diagnostic],
    which: Applicability,
) -> Option<Fixed> {
    // Each distinct fix (its edits, in order of position), with how many diagnostics report it.
    let mut fixes: BTreeMap<Vec<Edit>, usize> = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| d.suppression.is_none()) {
        let Some(fix) = &d.fix else { continue };
        if fix.applicability == Applicability::Unsafe && which == Applicability::Safe {
            continue;
        }
        if let Some(edits) = edits_in(text, file, fix) {
            *fixes.entry(edits).or_default() += 1;
        }
    }
    // The edits taken so far, by start offset: `start -> (end, replacement)`.
    let mut taken: BTreeMap<usize, (usize, &str)> = BTreeMap::new();
    let mut fixed = 0;
    for (edits, count) in &fixes {
        if edits.iter().any(|&(start, end, _)| overlaps_taken(&taken, start, end)) {
            continue;
        }
        taken.extend(edits.iter().map(|&(start, end, replacement)| (start, (end, replacement))));
        fixed += count;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (&start, &(end, replacement)) in &taken {
        out.push_str(&text[at..start]);
        out.push_str(replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    (out != text).then_some(Fixed { text: out, fixed })
}

/// The edits of `fix` in order of position, or `None` when the fix cannot be applied to `text`
/// alone (no edits, an edit in another file, out of bounds, inside a character, or edits that
/// overlap each other).
fn edits_in<'a>(text: &str, file: FileId, fix: &'a super::Fix) -> Option<Vec<Edit<'a>>> {
    let mut edits = Vec::with_capacity(fix.edits.len());
    for e in &fix.edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        let valid = e.span.file == file
            && start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end);
        if !valid {
            return None;
        }
        edits.push((start, end, e.replacement.as_str()));
    }
    edits.sort_unstable();
    let apart = edits.windows(2).all(|w| !overlap((w[0].0, w[0].1), (w[1].0, w[1].1)));
    (!edits.is_empty() && apart).then_some(edits)
}

/// Whether the edit `start..end` overlaps an edit of `taken` (which do not overlap each other,
/// so only the nearest one on each side needs a look).
fn overlaps_taken(taken: &BTreeMap<usize, (usize, &str)>, start: usize, end: usize) -> bool {
    let before = taken.range(..start).next_back().map(|(&s, &(e, _))| (s, e));
    let after = taken.range(start..).next().map(|(&s, &(e, _))| (s, e));
    [before, after].into_iter().flatten().any(|other| overlap(other, (start, end)))
}

/// Whether two edits overlap: they share a byte, or start at the same offset.
fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 == b.0 || (a.0 < b.1 && b.0 < a.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{codes, Edit as DEdit, Suppression};
    use crate::source::Span;

    const F: FileId = FileId(0);

    /// A diagnostic with a fix of `edits` (`(start, end, replacement)`, in file `F`).
    fn fix(edits: &[(usize, usize, &str)], applicability: Applicability) -> Diagnostic {
        let edits = edits
            .iter()
            .map(|&(s, e, r)| DEdit { span: Span::new(F, s, e), replacement: r.to_string() })
            .collect();
        Diagnostic::new(codes::PF0001, Span::new(F, 0, 0), "m").with_fix_edits("t", edits, applicability)
    }

    fn safe(edits: &[(usize, usize, &str)]) -> Diagnostic {
        fix(edits, Applicability::Safe)
    }

    fn apply(text: &str, ds: &[Diagnostic]) -> Option<(String, usize)> {
        apply_fixes(text, F, ds, Applicability::Safe).map(|f| (f.text, f.fixed))
    }

    #[test]
    fn applies_every_safe_fix() {
        let ds = [safe(&[(0, 1, "A")]), safe(&[(2, 2, ",")]), safe(&[(4, 5, "")])];
        assert_eq!(apply("abcde", &ds), Some(("Ab,cd".into(), 3)));
    }

    #[test]
    fn unsafe_fixes_only_when_asked() {
        let ds = [fix(&[(0, 1, "A")], Applicability::Unsafe), safe(&[(1, 2, "B")])];
        assert_eq!(apply("abc", &ds), Some(("aBc".into(), 1)));
        let all = apply_fixes("abc", F, &ds, Applicability::Unsafe).unwrap();
        assert_eq!((all.text.as_str(), all.fixed), ("ABc", 2));
    }

    #[test]
    fn a_fix_is_applied_whole_or_not_at_all() {
        // The second fix's last edit overlaps the first fix: none of its edits are applied.
        let ds = [safe(&[(0, 2, "XY")]), safe(&[(4, 4, "!"), (1, 3, "--")])];
        assert_eq!(apply("abcdef", &ds), Some(("XYcdef".into(), 1)));
    }

    #[test]
    fn insertions_at_one_place_overlap() {
        let ds = [safe(&[(1, 1, "X")]), safe(&[(1, 1, "Y")]), safe(&[(1, 2, "Z")])];
        assert_eq!(apply("abc", &ds), Some(("aXbc".into(), 1)));
        // An insertion where a replacement ends does not overlap it.
        let ds = [safe(&[(0, 1, "A")]), safe(&[(1, 1, "+")])];
        assert_eq!(apply("abc", &ds), Some(("A+bc".into(), 2)));
        // An insertion inside a replaced range does.
        let ds = [safe(&[(0, 3, "")]), safe(&[(1, 1, "+")])];
        assert_eq!(apply("abcd", &ds), Some(("d".into(), 1)));
    }

    #[test]
    fn identical_fixes_are_applied_once() {
        let ds = [safe(&[(3, 3, "\nuse x"), (0, 1, "A")]), safe(&[(0, 1, "A"), (3, 3, "\nuse x")])];
        assert_eq!(apply("abc", &ds), Some(("Abc\nuse x".into(), 2)));
    }

    #[test]
    fn fixes_touching_another_file_or_suppressed_are_left_out() {
        let mut other = safe(&[(0, 1, "A")]);
        other
            .fix
            .as_mut()
            .unwrap()
            .edits
            .push(DEdit { span: Span::new(FileId(1), 0, 0), replacement: "x".into() });
        let mut silenced = safe(&[(1, 2, "B")]);
        silenced.suppression = Some(Suppression { span: Span::new(F, 0, 0), justification: String::new() });
        assert_eq!(apply("abc", &[other, silenced]), None);
    }

    #[test]
    fn invalid_edits_are_left_out() {
        let ds = [
            safe(&[(2, 9, "")]),               // past the end
            safe(&[(1, 2, "")]),               // inside `é`
            safe(&[(2, 3, "A"), (2, 3, "B")]), // edits overlapping each other
            safe(&[]),                         // no edits
        ];
        assert_eq!(apply("éa", &ds), None);
    }

    #[test]
    fn no_change_is_none() {
        assert_eq!(apply("abc", &[safe(&[(0, 1, "a")])]), None);
        assert_eq!(apply("abc", &[]), None);
    }

    #[test]
    fn order_of_diagnostics_does_not_matter() {
        let a = safe(&[(0, 2, "X")]);
        let b = safe(&[(1, 3, "Y")]);
        let c = safe(&[(3, 3, "!")]);
        let one = apply("abcd", &[a.clone(), b.clone(), c.clone()]);
        assert_eq!(one, apply("abcd", &[c, b, a]));
        assert_eq!(one, Some(("Xc!d".to_string(), 2)));
    }
}
