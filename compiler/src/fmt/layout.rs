//! Where comments and blank lines go in a multi-line body, list or file.
//!
//! Comments are placed by byte offset. A comment lies between the items of exactly one
//! container (the file, a body or a list): comments end at a line end, and line ends only occur
//! between the items of a container. A comment inside an item's range belongs to a container
//! nested in that item and is handed down with it.

use crate::ast::Comment;

/// One line of a multi-line container: an item or a comment on its own line.
#[derive(Clone, Copy, Debug)]
pub(super) enum Elem<'c> {
    /// The item with this index.
    Item(usize),
    /// A comment on its own line.
    Comment(&'c Comment),
}

/// A line and whether a blank line precedes it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Line<'c> {
    pub elem: Elem<'c>,
    pub blank_before: bool,
}

/// The lines of a multi-line container.
#[derive(Debug, Default)]
pub(super) struct Layout<'c> {
    /// A comment on the opening line, right after `{` or `[`.
    pub open: Option<&'c Comment>,
    /// Items and own-line comments in source order.
    pub lines: Vec<Line<'c>>,
    /// Per item: the comments inside its range (for the containers nested in it).
    pub nested: Vec<&'c [Comment]>,
    /// Per item: the comment after it on the same line.
    pub trailing: Vec<Option<&'c Comment>>,
}

/// Lays out items with byte ranges `ranges` (sorted, disjoint) and the comments in the
/// container (sorted). `open` is the offset of the opening bracket (`None` for the file).
pub(super) fn layout<'c>(
    text: &str,
    ranges: &[(usize, usize)],
    comments: &'c [Comment],
    open: Option<usize>,
) -> Layout<'c> {
    let mut out = Layout { trailing: vec![None; ranges.len()], ..Layout::default() };
    // Own comments with the index of the item that follows them.
    let mut own: Vec<(&Comment, usize)> = Vec::new();
    let mut ci = 0;
    let start = |c: &Comment| c.span.start as usize;
    for (i, &(s, e)) in ranges.iter().enumerate() {
        while ci < comments.len() && start(&comments[ci]) < s {
            own.push((&comments[ci], i));
            ci += 1;
        }
        let from = ci;
        while ci < comments.len() && start(&comments[ci]) < e {
            ci += 1;
        }
        out.nested.push(&comments[from..ci]);
    }
    own.extend(comments[ci..].iter().map(|c| (c, ranges.len())));

    // Own-line comments, by the index of the item they precede.
    let mut before: Vec<&Comment> = Vec::new();
    let mut before_item: Vec<usize> = Vec::new();
    for (c, next) in own {
        let at = start(c);
        if next > 0 {
            let end = ranges[next - 1].1.min(at);
            if !has_break(text, end, at) && out.trailing[next - 1].is_none() {
                out.trailing[next - 1] = Some(c);
                continue;
            }
        } else if let Some(o) = open {
            if !has_break(text, o, at) && out.open.is_none() {
                out.open = Some(c);
                continue;
            }
        }
        before.push(c);
        before_item.push(next);
    }

    // Merge items and own-line comments; a blank line is kept where the source has one.
    let mut prev_end: Option<usize> = None;
    let mut push = |elem: Elem<'c>, s: usize, e: usize, lines: &mut Vec<Line<'c>>| {
        let blank_before = prev_end.is_some_and(|p| line_breaks(text, p, s) >= 2);
        lines.push(Line { elem, blank_before });
        prev_end = Some(e);
    };
    let mut bi = 0;
    for (i, &(s, e)) in ranges.iter().enumerate() {
        while bi < before.len() && before_item[bi] <= i {
            let c = before[bi];
            push(Elem::Comment(c), start(c), c.span.end as usize, &mut out.lines);
            bi += 1;
        }
        push(Elem::Item(i), s, e, &mut out.lines);
    }
    for &c in &before[bi..] {
        push(Elem::Comment(c), start(c), c.span.end as usize, &mut out.lines);
    }
    out
}

/// Whether `text[from..to]` contains a line break.
fn has_break(text: &str, from: usize, to: usize) -> bool {
    line_breaks(text, from, to) > 0
}

/// The number of line breaks in `text[from..to]` (`\r\n`, `\n` and `\r` each count once).
fn line_breaks(text: &str, from: usize, to: usize) -> usize {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let from = from.min(to);
    let mut n = 0;
    for i in from..to {
        match bytes[i] {
            b'\n' => n += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => n += 1,
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_line_ending_once() {
        assert_eq!(line_breaks("a\r\n\r\nb\rc\n", 0, 10), 4);
        assert_eq!(line_breaks("abc", 2, 1), 0);
    }
}
