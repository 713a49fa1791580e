//! `textDocument/documentHighlight`: the occurrences in this document of the symbol under the
//! cursor (its definition as a write, its references as reads), from the same occurrence list
//! as references and rename.

use super::{all_occurrences, sym_at};
use crate::state::Snapshot;
use tower_lsp::lsp_types::{DocumentHighlight, DocumentHighlightKind, DocumentHighlightParams};

/// Answers a document highlight request.
pub fn highlight(snap: &Snapshot, params: DocumentHighlightParams) -> Option<Vec<DocumentHighlight>> {
    let p = params.text_document_position_params;
    let uri = &p.text_document.uri;
    let (_, _, sym) = sym_at(snap, uri, p.position)?;
    let highlights = all_occurrences(snap, uri, &sym)
        .into_iter()
        .filter(|(l, _)| &l.uri == uri)
        .map(|(l, def)| DocumentHighlight {
            range: l.range,
            kind: Some(if def { DocumentHighlightKind::WRITE } else { DocumentHighlightKind::READ }),
        })
        .collect();
    Some(highlights)
}
