//! `textDocument/formatting`: one edit replacing the whole document with its formatted text,
//! by the same formatter as `pf fmt`. A document that does not parse is left as it is.

use crate::state::Snapshot;
use tower_lsp::lsp_types::{DocumentFormattingParams, Position, Range, TextEdit};

/// The formatted text, or `None` when the text cannot be formatted (e.g. syntax errors).
pub fn format_text(text: &str) -> Option<String> {
    pf_compiler::fmt::format(text).ok()
}

/// Answers a formatting request.
pub fn formatting(snap: &Snapshot, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let formatted = format_text(&doc.text)?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let end = doc.index.position(&doc.text, doc.text.len(), snap.encoding);
    Some(vec![TextEdit { range: Range { start: Position::new(0, 0), end }, new_text: formatted }])
}
