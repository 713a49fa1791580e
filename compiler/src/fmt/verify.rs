//! The formatter's self-check: the output must parse to the same tree with the same comments.

use crate::ast::{Entry, File};
use crate::source::{FileId, Span};
use crate::syntax::parse;

/// Whether `formatted` parses cleanly to the tree of `original`, spans aside, with the same
/// comments.
pub(super) fn same_program(original: &File, formatted: &str) -> bool {
    let again = parse(FileId(0), formatted);
    again.diagnostics.is_empty()
        && comment_texts(original) == comment_texts(&again.file)
        && shape(original) == shape(&again.file)
}

/// The comment texts, trimmed and sorted.
fn comment_texts(file: &File) -> Vec<String> {
    let mut texts: Vec<_> = file.comments.iter().map(|c| c.text.trim().to_string()).collect();
    texts.sort();
    texts
}

/// The entries of a file with every span zeroed.
fn shape(file: &File) -> Vec<Entry> {
    const ZERO: Span = Span { file: FileId(0), start: 0, end: 0 };
    let mut entries: Vec<Entry> = file.entries.iter().map(|e| Entry::clone(e)).collect();
    entries.iter_mut().for_each(|e| e.map_spans(&mut |_| ZERO));
    entries
}
