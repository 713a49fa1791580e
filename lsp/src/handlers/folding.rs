//! `textDocument/foldingRange`: blocks and lists that span several lines, and runs of comment
//! lines.

use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::ast::{Body, Entry, Value, ValueKind};
use pf_compiler::source::Span;
use tower_lsp::lsp_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

/// Answers a folding range request.
pub fn folding(snap: &Snapshot, params: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let file = doc.analysis.files.first()?;
    let mut out = Vec::new();
    for e in &file.entries {
        entry(doc, e, &mut out, 0);
    }
    // Comment runs: consecutive lines that hold a comment.
    let mut run: Option<(usize, usize)> = None;
    for c in &file.comments {
        let line = doc.index.line_of(c.span.start as usize);
        run = match run {
            Some((s, e)) if line == e + 1 => Some((s, line)),
            Some((s, e)) => {
                push(&mut out, s, e, Some(FoldingRangeKind::Comment));
                Some((line, line))
            }
            None => Some((line, line)),
        };
    }
    if let Some((s, e)) = run {
        push(&mut out, s, e, Some(FoldingRangeKind::Comment));
    }
    out.sort_by_key(|r| (r.start_line, r.end_line));
    Some(out)
}

fn push(out: &mut Vec<FoldingRange>, start: usize, end: usize, kind: Option<FoldingRangeKind>) {
    if end > start {
        out.push(FoldingRange {
            start_line: start as u32,
            start_character: None,
            end_line: end as u32,
            end_character: None,
            kind,
            collapsed_text: None,
        });
    }
}

fn span(doc: &DocAnalysis, s: Span, out: &mut Vec<FoldingRange>) {
    let start = doc.index.line_of(s.start as usize);
    // Fold up to the line before the closing bracket, so that it stays visible.
    let end = doc.index.line_of(s.end as usize).saturating_sub(1);
    push(out, start, end, Some(FoldingRangeKind::Region));
}

fn body(doc: &DocAnalysis, b: &Body, out: &mut Vec<FoldingRange>, depth: usize) {
    if depth > 64 {
        return;
    }
    span(doc, b.span, out);
    for e in &b.entries {
        entry(doc, e, out, depth + 1);
    }
}

fn entry(doc: &DocAnalysis, e: &Entry, out: &mut Vec<FoldingRange>, depth: usize) {
    match e {
        Entry::Block(b) => {
            if let Some(bd) = &b.body {
                body(doc, bd, out, depth);
            }
        }
        Entry::Attribute(a) => value(doc, &a.value, out, depth),
        Entry::Error(_) => {}
    }
}

fn value(doc: &DocAnalysis, v: &Value, out: &mut Vec<FoldingRange>, depth: usize) {
    match &v.kind {
        ValueKind::List(items) => {
            span(doc, v.span, out);
            for i in items {
                value(doc, i, out, depth + 1);
            }
        }
        ValueKind::Block { body: b, .. } => body(doc, b, out, depth),
        _ => {}
    }
}
