//! The formatter's self-check: the output must parse to the same tree with the same comments.

use crate::ast::{Block, BlockLabel, Body, Entry, File, StringLit, StringPart, Value, ValueKind};
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
    let mut entries = file.entries.clone();
    entries.iter_mut().for_each(entry);
    entries
}

const ZERO: Span = Span { file: FileId(0), start: 0, end: 0 };

fn entry(e: &mut Entry) {
    match e {
        Entry::Attribute(a) => {
            a.span = ZERO;
            a.key.span = ZERO;
            value(&mut a.value);
        }
        Entry::Block(b) => block(b),
        Entry::Error(span) => *span = ZERO,
    }
}

fn block(b: &mut Block) {
    b.span = ZERO;
    b.keyword.span = ZERO;
    for l in &mut b.labels {
        match l {
            BlockLabel::Name(p) => p.span = ZERO,
            BlockLabel::String(s) => string(s),
        }
    }
    if let Some(p) = &mut b.parent {
        p.span = ZERO;
    }
    if let Some(body) = &mut b.body {
        self::body(body);
    }
}

fn body(b: &mut Body) {
    b.span = ZERO;
    b.entries.iter_mut().for_each(entry);
}

fn string(s: &mut StringLit) {
    s.span = ZERO;
    for part in &mut s.parts {
        if let StringPart::Interp(p) = part {
            p.span = ZERO;
        }
    }
}

fn value(v: &mut Value) {
    v.span = ZERO;
    match &mut v.kind {
        ValueKind::String(s) => string(s),
        ValueKind::List(items) => items.iter_mut().for_each(value),
        ValueKind::Pair(a, b) => {
            value(a);
            value(b);
        }
        ValueKind::Call { name, args } => {
            name.span = ZERO;
            args.iter_mut().for_each(value);
        }
        ValueKind::Block { kind, body } => {
            if let Some(k) = kind {
                k.span = ZERO;
            }
            self::body(body);
        }
        ValueKind::Path(p) => p.span = ZERO,
        ValueKind::Int(_)
        | ValueKind::Bool(_)
        | ValueKind::Duration(_)
        | ValueKind::Size(_)
        | ValueKind::Percent(_)
        | ValueKind::Cidr(_)
        | ValueKind::Error => {}
    }
}
