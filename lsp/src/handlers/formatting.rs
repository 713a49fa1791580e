//! `textDocument/formatting` and `textDocument/rangeFormatting`, by the same formatter as
//! `pf fmt`. Formatting replaces the whole document; range formatting replaces only the
//! top-level entries that the range touches with their formatted text (the formatter keeps the
//! tree, so the entries of the formatted text match the document's one for one). A document that
//! does not parse is left as it is.

use crate::state::Snapshot;
use pf_compiler::source::FileId;
use tower_lsp::lsp_types::{
    DocumentFormattingParams, DocumentRangeFormattingParams, Position, Range, TextEdit,
};

/// The formatted text, or `None` when the text cannot be formatted (e.g. syntax errors).
pub fn format_text(text: &str) -> Option<String> {
    pf_compiler::fmt::format(text).ok()
}

/// Answers a formatting request.
pub fn formatting(snap: &Snapshot, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let formatted = format_text(&doc.text)?;
    if *formatted == *doc.text {
        return Some(Vec::new());
    }
    let end = doc.index.position(&doc.text, doc.text.len(), snap.encoding);
    Some(vec![TextEdit { range: Range { start: Position::new(0, 0), end }, new_text: formatted }])
}

/// Answers a range formatting request: one edit per top-level entry that the range touches and
/// that formatting changes.
pub fn range_formatting(snap: &Snapshot, params: DocumentRangeFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let text = &doc.text;
    let formatted = format_text(text)?;
    let old = &doc.analysis.files.first()?.entries;
    let new = pf_compiler::syntax::parse(FileId(0), &formatted).file.entries;
    if old.len() != new.len() {
        return None;
    }
    let from = doc.index.offset(text, params.range.start, snap.encoding);
    let to = doc.index.offset(text, params.range.end, snap.encoding);
    let mut edits = Vec::new();
    for (o, n) in old.iter().zip(&new) {
        let (os, oe) = (o.span().start as usize, o.span().end as usize);
        if oe < from || os > to {
            continue;
        }
        // The indentation before a top-level entry goes too.
        let line_start = text[..os].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let start = if text[line_start..os].trim().is_empty() { line_start } else { os };
        let replacement = &formatted[n.span().start as usize..n.span().end as usize];
        if &text[start..oe] != replacement {
            edits.push(TextEdit {
                range: doc.index.range(text, start, oe, snap.encoding),
                new_text: replacement.to_string(),
            });
        }
    }
    Some(edits)
}
