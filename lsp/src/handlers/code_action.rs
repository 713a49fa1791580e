//! `textDocument/codeAction`: the fixes the compiler attached to diagnostics, as quick fixes.
//! Each published diagnostic carries its fix in `data` ([`FixData`]), so this is a lookup.

use crate::convert::FixData;
use crate::state::Snapshot;
use std::collections::HashMap;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, TextEdit, Url,
    WorkspaceEdit,
};

/// Answers a code action request.
pub fn code_action(_snap: &Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let mut out = Vec::new();
    for d in &params.context.diagnostics {
        let Some(data) = d.data.clone() else { continue };
        let Ok(fix) = serde_json::from_value::<FixData>(data) else { continue };
        let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        for (uri, edit) in fix.edits {
            changes.entry(uri).or_default().push(edit);
        }
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
            is_preferred: fix.preferred.then_some(true),
            ..CodeAction::default()
        }));
    }
    Some(out)
}
