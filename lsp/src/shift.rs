//! Where the latest text of a document differs from the text of its last analysis: one changed
//! region between their common start and end. Read requests that arrive before the analysis of
//! the latest text are answered from the last analysis through it: a position outside the region
//! means the same thing in both texts.

use pf_compiler::source::floor_char_boundary;
use pf_compiler::syntax::{common_prefix, common_suffix};

/// The changed region: `old[start..old_end]` became `new[start..new_end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shift {
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Shift {
    /// The region where `old` and `new` differ (empty when they are equal).
    pub fn between(old: &str, new: &str) -> Shift {
        let start = floor_char_boundary(old, common_prefix(old.as_bytes(), new.as_bytes()));
        // The common end may not overlap the common start.
        let max = old.len().min(new.len()) - start;
        let mut end = common_suffix(old.as_bytes(), new.as_bytes()).min(max);
        while !old.is_char_boundary(old.len() - end) {
            end -= 1;
        }
        Shift { start, old_end: old.len() - end, new_end: new.len() - end }
    }

    /// Whether the texts are equal.
    pub fn is_empty(&self) -> bool {
        self.old_end == self.start && self.new_end == self.start
    }

    /// The offset in the old text of an offset in the new one; `None` inside the changed region
    /// or at its ends (a cursor right after typed text is about the new text).
    pub fn to_old(&self, new: usize) -> Option<usize> {
        if new < self.start {
            Some(new)
        } else if new > self.new_end {
            Some(new - self.new_end + self.old_end)
        } else {
            None
        }
    }

    /// The offset in the new text of an offset in the old one (an offset where text was
    /// inserted goes after the insertion); inside the changed region, the region's end in the
    /// new text.
    pub fn to_new(&self, old: usize) -> usize {
        if old >= self.old_end {
            old - self.old_end + self.new_end
        } else if old < self.start {
            old
        } else {
            self.new_end
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Shift;

    #[test]
    fn offsets_outside_the_change_map_both_ways() {
        let (old, new) = ("env a {}\nenv b {}\n", "env a {}\n# new\nenv b {}\n");
        let s = Shift::between(old, new);
        assert_eq!(s.to_old(4), Some(4));
        let b_new = new.find("env b").unwrap();
        let b_old = old.find("env b").unwrap();
        assert_eq!(s.to_old(b_new + 1), Some(b_old + 1));
        assert_eq!(s.to_old(b_new), None, "at the end of the insertion");
        assert_eq!(s.to_new(b_old), b_new);
        assert_eq!(s.to_old(new.find("new").unwrap()), None);
        assert!(!s.is_empty());
        assert!(Shift::between(old, old).is_empty());
    }

    #[test]
    fn repeated_text_does_not_overlap_and_chars_stay_whole() {
        // "aab" -> "aaab": the prefix takes both `a`s, the suffix may not take them again.
        let s = Shift::between("aab", "aaab");
        assert_eq!((s.to_old(1), s.to_old(4)), (Some(1), Some(3)));
        assert_eq!(s.to_old(3), None);
        // "é" and "è" share their first UTF-8 byte: the region starts at the char.
        let s = Shift::between("xé", "xè");
        assert_eq!(s.to_old(0), Some(0));
        assert_eq!(s.to_old(1), None);
    }
}
