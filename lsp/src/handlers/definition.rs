//! `textDocument/definition`: from a reference (an env parent, `deploy ENV`, `app = X`, a build
//! preset, a `use` target, an alarm in `on_alarms`) to its declaration. On the name of a
//! pipeline without `app = ...`, to the app it ships (the one with its name). Standard-library
//! declarations are materialised under the temp dir and returned as file URIs.

use super::{all_occurrences, location, sym_at};
use crate::locate::{self, Sym, What};
use crate::state::Snapshot;
use pf_compiler::source::{FileId, Span};
use tower_lsp::lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location};

/// Answers a definition request.
pub fn definition(snap: &Snapshot, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let p = params.text_document_position_params;
    let (at, item, mut sym) = sym_at(snap, &p.text_document.uri, p.position)?;
    if let (What::Def(Sym::Pipeline(name)), true) = (&item.what, true) {
        let items = locate::items(&at.doc.analysis, FileId(0));
        let implicit = items.iter().any(|i| i.span == item.span && matches!(&i.what, What::ImplicitRef(_)));
        if !implicit {
            return None;
        }
        sym = Sym::App(name.clone());
    }
    if let Sym::Module(name) = &sym {
        let file = at.doc.analysis.sources.find(name)?;
        return location(&at.doc, Span::new(file, 0, 0), snap.encoding).map(GotoDefinitionResponse::Scalar);
    }
    let defs: Vec<Location> = all_occurrences(snap, &p.text_document.uri, &sym)
        .into_iter()
        .filter(|(_, def)| *def)
        .map(|(l, _)| l)
        .collect();
    match defs.len() {
        0 => None,
        1 => defs.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(defs)),
    }
}
