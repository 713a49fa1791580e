//! `textDocument/codeAction`: the fixes the compiler attached to diagnostics, as quick fixes.
//! Each published diagnostic carries its fix in `data` ([`FixData`]), so this is a lookup; a
//! client that does not send the diagnostics back with their `data` gets the fixes of the
//! current analysis's diagnostics at the requested range.

use crate::convert::{self, Files, FixData};
use crate::state::Snapshot;
use pf_compiler::source::FileId;
use std::collections::HashMap;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, Diagnostic, Range,
    TextEdit, Url, WorkspaceEdit,
};

/// Answers a code action request.
pub fn code_action(snap: &Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    // Only quick fixes are offered: a request for other kinds (`refactor`) gets none.
    if let Some(only) = &params.context.only {
        if !only.iter().any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str())) {
            return Some(Vec::new());
        }
    }
    let mut diagnostics: Vec<Diagnostic> =
        params.context.diagnostics.iter().filter(|d| d.data.is_some()).cloned().collect();
    if diagnostics.is_empty() {
        diagnostics = fixable_at(snap, &params.text_document.uri, params.range);
    }
    let mut out = Vec::new();
    for d in diagnostics {
        let Some(data) = d.data.clone() else { continue };
        let Ok(fix) = serde_json::from_value::<FixData>(data) else { continue };
        let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        for (uri, edit) in fix.edits {
            changes.entry(uri).or_default().push(edit);
        }
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d]),
            edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
            is_preferred: fix.preferred.then_some(true),
            ..CodeAction::default()
        }));
    }
    Some(out)
}

/// The document's current diagnostics that have a fix and touch `range`.
fn fixable_at(snap: &Snapshot, uri: &Url, range: Range) -> Vec<Diagnostic> {
    let Some(view) = snap.doc(uri) else { return Vec::new() };
    let da = &view.current;
    let mut files = Files::new(&da.analysis, snap.encoding);
    let uri_of = |f: FileId| da.uri_of(f).cloned();
    let touches = |r: Range| r.start <= range.end && range.start <= r.end;
    da.analysis
        .diagnostics
        .iter()
        .filter(|d| d.fix.is_some() && d.primary.span.file == FileId(0))
        .map(|d| convert::diagnostic(d, &mut files, &uri_of))
        .filter(|d| touches(d.range))
        .collect()
}
