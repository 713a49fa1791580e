//! `textDocument/references`: every occurrence of the environment, app, build, pipeline, stage,
//! alarm or module under the cursor, in the program of the document (see `all_occurrences`).

use super::{all_occurrences, sym_at};
use crate::state::Snapshot;
use tower_lsp::lsp_types::{Location, ReferenceParams};

/// Answers a references request.
pub fn references(snap: &Snapshot, params: ReferenceParams) -> Option<Vec<Location>> {
    let p = params.text_document_position;
    let (_, _, sym) = sym_at(snap, &p.text_document.uri, p.position)?;
    let include = params.context.include_declaration;
    Some(
        all_occurrences(snap, &p.text_document.uri, &sym)
            .into_iter()
            .filter(|(_, def)| include || !def)
            .map(|(l, _)| l)
            .collect(),
    )
}
