//! `textDocument/codeLens`: above each environment of the document, its monthly on-demand
//! estimate (`pf cost`'s figures for the environment, over every app deployed to it). Hover over
//! an environment shows the same line once a lens has computed it ([`summary_if_known`]).
//!
//! The estimate is of a program without errors only (with an error the IR is incomplete and a
//! figure would mislead), computed once per analysis ([`DocAnalysis::cost`]). The lenses carry
//! a command without an id: they are information, not actions.

use super::range;
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::cost::{self, render, Estimate};
use pf_compiler::schema::DeclKind;
use pf_compiler::source::FileId;
use tower_lsp::lsp_types::{CodeLens, CodeLensParams, Command};

/// Answers a code lens request.
pub fn code_lens(snap: &Snapshot, params: CodeLensParams) -> Option<Vec<CodeLens>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let mut lenses = Vec::new();
    for decl in &doc.analysis.checked.decls.envs {
        if decl.kind != DeclKind::Env || decl.file != FileId(0) {
            continue;
        }
        let Some(title) = summary(doc, &decl.name.name) else { continue };
        lenses.push(CodeLens {
            range: range(doc, decl.name.span, snap.encoding),
            command: Some(Command { title, command: String::new(), arguments: None }),
            data: None,
        });
    }
    Some(lenses)
}

/// One line on what an environment costs a month, with the region and date of the prices:
/// `≈ $61.45-$69.04 a month (on demand, us-east-1, prices of 2026-11-20)`. `None` while the
/// program has errors, or for an environment no app deploys to.
pub fn summary(doc: &DocAnalysis, env: &str) -> Option<String> {
    summary_of(doc.cost()?, env)
}

/// Like [`summary`], from an estimate made already: hover must answer at once, so it shows the
/// estimate only once a code lens request has made it.
pub fn summary_if_known(doc: &DocAnalysis, env: &str) -> Option<String> {
    summary_of(doc.cost.get()?.as_ref()?, env)
}

fn summary_of(e: &Estimate, env: &str) -> Option<String> {
    let g = e.envs.iter().find(|g| g.name == env)?;
    Some(format!("≈ {} (on demand, {}, prices of {})", render::summary(g), g.region, e.date))
}

/// The region code lenses and hovers price in: `pf cost`'s default.
pub const REGION: &str = cost::DEFAULT_REGION;
