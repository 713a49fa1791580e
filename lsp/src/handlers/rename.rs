//! `textDocument/prepareRename` and `textDocument/rename` of environments (and profiles), apps,
//! pipelines and stages: every occurrence in the program of the document (the files it includes,
//! and the open documents that include it) is edited. Names declared in the standard library cannot be renamed.

use super::{all_occurrences, range, sym_at};
use crate::locate::Sym;
use crate::state::{stdlib_dir, Snapshot};
use std::collections::HashMap;
use tower_lsp::lsp_types::{
    PrepareRenameResponse, RenameParams, TextDocumentPositionParams, TextEdit, Url, WorkspaceEdit,
};

fn renamable(snap: &Snapshot, uri: &Url, sym: &Sym) -> bool {
    if !matches!(sym, Sym::App(_) | Sym::Env(_) | Sym::Pipeline(_) | Sym::Stage { .. }) {
        return false;
    }
    let occ = all_occurrences(snap, uri, sym);
    let std = Url::from_file_path(stdlib_dir()).ok();
    let in_std = |u: &Url| std.as_ref().is_some_and(|s| u.as_str().starts_with(s.as_str()));
    occ.iter().any(|(_, def)| *def) && !occ.iter().any(|(l, _)| in_std(&l.uri))
}

/// Answers prepareRename: the range of the name, when it can be renamed.
pub fn prepare(snap: &Snapshot, p: TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
    let (at, item, sym) = sym_at(snap, &p.text_document.uri, p.position)?;
    if !renamable(snap, &p.text_document.uri, &sym) {
        return None;
    }
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: range(&at.doc, item.span, snap.encoding),
        placeholder: sym.name().to_string(),
    })
}

/// Whether `name` is a valid pf name.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Answers rename: `Ok(None)` when there is nothing to rename, `Err` for an invalid name.
pub fn rename(snap: &Snapshot, params: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let p = params.text_document_position;
    if !valid_name(&params.new_name) {
        return Err(format!("`{}` is not a valid pf name", params.new_name));
    }
    let Some((_, _, sym)) = sym_at(snap, &p.text_document.uri, p.position) else { return Ok(None) };
    if !renamable(snap, &p.text_document.uri, &sym) {
        return Err(format!("`{}` cannot be renamed here", sym.name()));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (loc, _) in all_occurrences(snap, &p.text_document.uri, &sym) {
        changes
            .entry(loc.uri)
            .or_default()
            .push(TextEdit { range: loc.range, new_text: params.new_name.clone() });
    }
    Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}
