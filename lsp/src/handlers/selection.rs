//! `textDocument/selectionRange`: from the piece under the cursor outwards, every syntax node
//! that contains it (value, attribute or block, body, enclosing blocks), then the whole file.

use super::range;
use crate::locate;
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::ast::{Body, Entry, Value, ValueKind};
use pf_compiler::source::{FileId, Span};
use tower_lsp::lsp_types::{SelectionRange, SelectionRangeParams};

/// Answers a selection range request: one chain per position.
pub fn selection_ranges(snap: &Snapshot, params: SelectionRangeParams) -> Option<Vec<SelectionRange>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let file = doc.analysis.files.first()?;
    let items = locate::items(&doc.analysis, FileId(0));
    let chains = params
        .positions
        .iter()
        .map(|&pos| {
            let offset = doc.index.offset(&doc.text, pos, snap.encoding);
            // Outermost first.
            let mut spans = vec![Span::new(FileId(0), 0, doc.text.len())];
            if let Some(top) = file.entries.iter().find(|e| contains(e.span(), offset)) {
                entries(std::slice::from_ref(&**top), offset, &mut spans);
            }
            if let Some(item) = locate::at(&items, offset) {
                spans.push(item.span);
            }
            chain(snap, doc, &spans, offset)
        })
        .collect();
    Some(chains)
}

/// Builds the chain innermost first from spans outermost first, skipping spans that repeat
/// their parent's or do not nest in it.
fn chain(snap: &Snapshot, doc: &DocAnalysis, spans: &[Span], offset: usize) -> SelectionRange {
    let mut out: Option<SelectionRange> = None;
    let mut last: Option<Span> = None;
    for &span in spans {
        let nested = last.is_none_or(|o| o.start <= span.start && span.end <= o.end);
        let same = last.is_some_and(|l| (l.start, l.end) == (span.start, span.end));
        if !contains(span, offset) || !nested || same {
            continue;
        }
        last = Some(span);
        out = Some(SelectionRange { range: range(doc, span, snap.encoding), parent: out.map(Box::new) });
    }
    out.unwrap_or(SelectionRange {
        range: range(doc, Span::new(FileId(0), 0, 0), snap.encoding),
        parent: None,
    })
}

fn contains(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// The spans of the entries (and what they contain) around `offset`, outermost first.
fn entries(entries: &[Entry], offset: usize, out: &mut Vec<Span>) {
    let Some(entry) = entries.iter().find(|e| contains(e.span(), offset)) else { return };
    out.push(entry.span());
    match entry {
        Entry::Block(b) => {
            if let Some(body) = &b.body {
                self::body(body, offset, out);
            }
        }
        Entry::Attribute(a) => value(&a.value, offset, out),
        Entry::Error(_) => {}
    }
}

fn body(body: &Body, offset: usize, out: &mut Vec<Span>) {
    if contains(body.span, offset) {
        out.push(body.span);
        entries(&body.entries, offset, out);
    }
}

fn value(v: &Value, offset: usize, out: &mut Vec<Span>) {
    if !contains(v.span, offset) {
        return;
    }
    out.push(v.span);
    match &v.kind {
        ValueKind::List(items) | ValueKind::Call { args: items, .. } => {
            if let Some(item) = items.iter().find(|i| contains(i.span, offset)) {
                value(item, offset, out);
            }
        }
        ValueKind::Pair(a, b) => {
            value(a, offset, out);
            value(b, offset, out);
        }
        ValueKind::Block { body: b, .. } => body(b, offset, out),
        _ => {}
    }
}
