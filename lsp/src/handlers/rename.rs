//! `textDocument/prepareRename` and `textDocument/rename` of environments (and profiles), apps,
//! pipelines and stages: every occurrence in the program of the document (the files it includes,
//! and the open documents that include it) is edited. Names declared in the standard library
//! cannot be renamed.
//!
//! A rename that would change what the program means is refused with a message: a new name
//! already declared in the same namespace, an app, environment or pipeline name the checker
//! rejects (PF3001, [`pf_compiler::check::aws_name`]), a pipeline that ships the app of its name
//! (no `app = ...`), and an environment protected by its name renamed to an unprotected one.

use super::{all_occurrences, program, range, sym_at, At};
use crate::locate::Sym;
use crate::state::{stdlib_dir, Snapshot};
use pf_compiler::check::{aws_name, protected_names};
use pf_compiler::schema::DeclKind;
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

/// Why `sym` cannot be renamed whatever the new name: a pipeline without `app = ...` names the
/// app it ships.
fn refused(snap: &Snapshot, uri: &Url, sym: &Sym) -> Option<String> {
    let Sym::Pipeline(name) = sym else { return None };
    let defs: Vec<_> =
        all_occurrences(snap, uri, sym).into_iter().filter(|(_, d)| *d).map(|(l, _)| l).collect();
    let app = all_occurrences(snap, uri, &Sym::App(name.clone()));
    let implicit = app.iter().any(|(l, def)| !def && defs.contains(l));
    implicit.then(|| {
        format!(
            "pipeline `{name}` has no `app = ...`: it ships the app named `{name}`, and renaming it would \
             change which app it ships. Add `app = {name}` to the pipeline first, or rename the app `{name}` \
             (which renames this pipeline with it)"
        )
    })
}

/// Why `sym` cannot be renamed to `new`.
fn refused_name(snap: &Snapshot, uri: &Url, at: &At, sym: &Sym, new: &str) -> Option<String> {
    let old = sym.name();
    let decls = &at.doc.analysis.checked.decls;
    // The same namespace, in every analysis of the program.
    let taken = program(snap, uri).iter().any(|doc| {
        let decls = &doc.analysis.checked.decls;
        match sym {
            Sym::Stage { pipeline, .. } => decls.find(&[DeclKind::Pipeline], pipeline).is_some_and(|p| {
                p.flat()
                    .children
                    .iter()
                    .any(|c| c.keyword == "stage" && c.label.as_ref().is_some_and(|l| l.name == new))
            }),
            _ => decls.find(sym.decl_kinds(), new).is_some(),
        }
    });
    if taken {
        let what = match sym {
            Sym::App(_) => "an app",
            Sym::Env(_) => "an environment or profile",
            Sym::Pipeline(_) => "a pipeline",
            Sym::Stage { .. } => "a stage of this pipeline",
            _ => "a declaration",
        };
        return Some(format!("{what} named `{new}` is already declared"));
    }
    let decl = decls.find(sym.decl_kinds(), old);
    let kind = match sym {
        Sym::App(_) => Some("app"),
        Sym::Pipeline(_) => Some("pipeline"),
        Sym::Env(_) if decl.is_some_and(|d| d.kind == DeclKind::Env) => Some("environment"),
        _ => None,
    };
    if let Some(kind) = kind {
        if let Err(e) = aws_name(new) {
            return Some(format!("{e}: {kind} names become AWS stack, role and bucket names (PF3001)"));
        }
    }
    if let (Sym::Env(_), Some(d)) = (sym, decl) {
        let names = protected_names(decls);
        if d.kind == DeclKind::Env
            && d.flat().get("protected").is_none()
            && names.contains(&old.to_string())
            && !names.contains(&new.to_string())
        {
            return Some(format!(
                "environment `{old}` is protected because of its name ({}); renamed to `{new}` it would \
                 lose its protection (infrastructure changes reviewed before they deploy, approvals): \
                 add `protected = true` to env `{old}` first, then rename it",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    None
}

/// Answers prepareRename: the range of the name, when it can be renamed; `Err` says why a name
/// cannot be renamed.
pub fn prepare(
    snap: &Snapshot,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, String> {
    let uri = &p.text_document.uri;
    let Some((at, item, sym)) = sym_at(snap, uri, p.position) else { return Ok(None) };
    if !renamable(snap, uri, &sym) {
        return Ok(None);
    }
    if let Some(why) = refused(snap, uri, &sym) {
        return Err(why);
    }
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: range(&at.doc, item.span, snap.encoding),
        placeholder: sym.name().to_string(),
    }))
}

/// Whether `name` is a valid pf name.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Answers rename: `Ok(None)` when there is nothing to rename, `Err` for a name or a rename that
/// is refused.
pub fn rename(snap: &Snapshot, params: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let p = params.text_document_position;
    let uri = &p.text_document.uri;
    if !valid_name(&params.new_name) {
        return Err(format!("`{}` is not a valid pf name", params.new_name));
    }
    let Some((at, _, sym)) = sym_at(snap, uri, p.position) else { return Ok(None) };
    if !renamable(snap, uri, &sym) {
        return Err(format!("`{}` cannot be renamed here", sym.name()));
    }
    if let Some(why) = refused(snap, uri, &sym) {
        return Err(why);
    }
    if params.new_name != sym.name() {
        if let Some(why) = refused_name(snap, uri, &at, &sym, &params.new_name) {
            return Err(why);
        }
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (loc, _) in all_occurrences(snap, uri, &sym) {
        changes
            .entry(loc.uri)
            .or_default()
            .push(TextEdit { range: loc.range, new_text: params.new_name.clone() });
    }
    Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}
