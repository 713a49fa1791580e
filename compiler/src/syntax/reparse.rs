//! Incremental reparsing, for the language server's analysis after each edit.
//!
//! The top-level entries an edit did not touch are taken from the previous parse (shared with
//! it when the edit did not move them, copied and moved by the edit's change in length when it
//! did) and only the text between them is parsed. Entries are kept only
//! when they end before the first changed line and start after the last one, so the text parsed
//! is whole lines between two untouched entries: at the top level, where entries are separated
//! by new lines, that text parses the same on its own as inside the file. Whenever it does not
//! parse cleanly on its own, the whole file is parsed instead. The result equals a full parse
//! (`compiler/tests/reparse.rs` checks it on random edits).

use super::ast::{self, Entry};
use super::parse::{parse, Parse};
use crate::hash::FxHashMap;
use crate::source::{FileId, Span};
use std::sync::Arc;

/// The entries a reparse took from the previous tree and moved (copies, their spans moved by
/// the edit's change in length): by the address of each new entry, the address of the entry it
/// was copied from and how far it moved. The addresses identify entries only while both trees
/// are alive (during the analysis that reparsed): they are never dereferenced.
#[derive(Clone, Debug, Default)]
pub struct Moves(FxHashMap<usize, (usize, i64)>);

impl Moves {
    /// The entry `entry` was copied from (its address) and by how many bytes it moved.
    pub fn origin(&self, entry: &Arc<Entry>) -> Option<(usize, i64)> {
        self.0.get(&(Arc::as_ptr(entry) as usize)).copied()
    }

    /// Adds the moves of another file's reparse.
    pub fn extend(&mut self, other: Moves) {
        self.0.extend(other.0);
    }
}

/// Parses `text`, the new text of `file`, reusing what it can of `old`, the parse of `old_text`.
/// `old` must have parsed without syntax errors (its entries are taken as they are).
pub fn reparse(file: FileId, text: &str, old_text: &str, old: &ast::File) -> Parse {
    reparse_reusing(file, text, old_text, old).unwrap_or_else(|| parse(file, text))
}

/// The parse of `text` from `old`'s untouched entries and a parse of the rest, or `None` when
/// nothing can be reused or the rest does not parse cleanly on its own.
pub fn reparse_reusing(file: FileId, text: &str, old_text: &str, old: &ast::File) -> Option<Parse> {
    if old.id != file || old.entries.is_empty() {
        return None;
    }
    let (o, n) = (old_text.as_bytes(), text.as_bytes());
    let prefix = common_prefix(o, n);
    let room = o.len().min(n.len()) - prefix;
    let suffix = common_suffix(&o[o.len() - room..], &n[n.len() - room..]);
    // The changed lines of the old text: from the start of the line of the first changed byte
    // to just after the new line that ends the line of the last one.
    let first_line = o[..prefix].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let changed_end = o.len() - suffix;
    let last_line_end =
        o[changed_end..].iter().position(|&b| b == b'\n').map_or(o.len(), |i| changed_end + i + 1);

    let before = old.entries.iter().take_while(|e| (e.span().end as usize) < first_line).count();
    let after = old.entries[before..]
        .iter()
        .position(|e| e.span().start as usize >= last_line_end)
        .map_or(old.entries.len(), |i| before + i);
    if before == 0 && after == old.entries.len() {
        return None;
    }
    let delta = n.len() as i64 - o.len() as i64;
    let start = before.checked_sub(1).map_or(0, |i| old.entries[i].span().end as usize);
    let old_end = old.entries.get(after).map_or(o.len(), |e| e.span().start as usize);
    let end = usize::try_from(old_end as i64 + delta).ok()?;
    let middle = parse(file, text.get(start..end)?);
    if !middle.diagnostics.is_empty() {
        return None;
    }

    let mut entries = Vec::with_capacity(before + middle.file.entries.len() + old.entries.len() - after);
    entries.extend_from_slice(&old.entries[..before]);
    entries.extend(middle.file.entries.into_iter().map(|e| shifted_entry(e, start as i64)));
    let mut moves = Moves::default();
    match delta {
        0 => entries.extend_from_slice(&old.entries[after..]),
        _ => entries.extend(old.entries[after..].iter().map(|e| {
            let moved = shifted_entry(e.clone(), delta);
            moves.0.insert(Arc::as_ptr(&moved) as usize, (Arc::as_ptr(e) as usize, delta));
            moved
        })),
    }
    let comments = old
        .comments
        .iter()
        .filter(|c| (c.span.end as usize) <= start)
        .cloned()
        .chain(
            middle.file.comments.into_iter().map(|c| ast::Comment { span: shift(c.span, start as i64), ..c }),
        )
        .chain(
            old.comments
                .iter()
                .filter(|c| c.span.start as usize >= old_end)
                .map(|c| ast::Comment { span: shift(c.span, delta), text: c.text.clone() }),
        )
        .collect();
    Some(Parse { file: ast::File { id: file, entries, comments }, diagnostics: Vec::new(), moves })
}

/// How many bytes `a` and `b` have in common at their start: whole blocks compared at once
/// (memcmp), then bytes.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n].iter().zip(&b[i..n]).take_while(|(x, y)| x == y).count()
}

/// How many bytes `a` and `b` have in common at their end.
pub fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    i + a[..n - i].iter().rev().zip(b[..n - i].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// `span` moved by `delta` bytes.
fn shift(span: Span, delta: i64) -> Span {
    Span { start: (i64::from(span.start) + delta) as u32, end: (i64::from(span.end) + delta) as u32, ..span }
}

/// `entry` moved by `delta` bytes: in place when nothing else holds it (a new parse's), else a
/// copy (the previous parse's, which the previous analysis keeps).
fn shifted_entry(mut entry: Arc<Entry>, delta: i64) -> Arc<Entry> {
    Arc::make_mut(&mut entry).map_spans(&mut |span| shift(span, delta));
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ends_are_found_across_blocks() {
        let base: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 255, 256, 257, 511, 700, 999] {
            let mut other = base.clone();
            other[at] ^= 1;
            assert_eq!(common_prefix(&base, &other), at);
            assert_eq!(common_suffix(&base, &other), 999 - at);
        }
        assert_eq!(common_prefix(&base, &base[..300]), 300);
        assert_eq!(common_suffix(&base, &base[700..]), 300);
        assert_eq!(common_suffix(&base[..10], &base[..10]), 10);
        assert_eq!(common_prefix(b"", b"abc"), 0);
    }
}
