//! `textDocument/codeLens`: above each environment of the document, its monthly on-demand
//! estimate, `$61.45-$69.04 / month` (`pf cost`'s figures for the environment, over every app
//! deployed to it); hover over an environment's name shows it with its region and the price
//! table's date ([`summary`]).
//!
//! The estimate is made on the analysis thread with each analysis ([`estimate`], stored in
//! [`DocAnalysis::cost`]), never on a request: of a program without errors only (with an error
//! the IR is incomplete and a figure would mislead), and of at most [`PRICED_STACKS`] stacks (it
//! builds every template: about 0.1 ms a stack, ten times what checking costs). The lenses
//! carry a command without an id: they are information, not actions.

use super::range;
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::cost::{self, render, Estimate, Group};
use pf_compiler::driver::Analysis;
use pf_compiler::ir::{ActionKind, Program};
use pf_compiler::schema::DeclKind;
use pf_compiler::source::FileId;
use std::collections::HashSet;
use tower_lsp::lsp_types::{CodeLens, CodeLensParams, Command};

/// The region code lenses and hovers price the pipeline in when the program names none:
/// `pf cost`'s default.
pub const REGION: &str = cost::DEFAULT_REGION;

/// The most stacks (environment stacks and pipeline stacks) a program may deploy for the server
/// to price it with each analysis: about 4 ms.
pub const PRICED_STACKS: usize = 40;

/// The estimate made with an analysis: `None` with an error, or past [`PRICED_STACKS`].
pub fn estimate(analysis: &Analysis) -> Option<Estimate> {
    let program = &analysis.checked.program;
    if analysis.has_errors() || too_many(program) {
        return None;
    }
    cost::of_program(program, REGION).ok()
}

/// Whether the program deploys more than [`PRICED_STACKS`] stacks: one per pipeline, and one
/// per app and environment its pipelines deploy.
fn too_many(program: &Program) -> bool {
    let mut stacks: HashSet<(&str, &str)> = HashSet::new();
    for p in &program.pipelines {
        for action in p.stages.iter().flat_map(|s| &s.actions) {
            if let ActionKind::DeployInfra { env, .. } | ActionKind::DeployApp { env } = &action.kind {
                stacks.insert((&p.app, env));
            }
        }
    }
    stacks.len() + program.pipelines.len() > PRICED_STACKS
}

/// Answers a code lens request.
pub fn code_lens(snap: &Snapshot, params: CodeLensParams) -> Option<Vec<CodeLens>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let too_many = !doc.analysis.has_errors() && too_many(&doc.analysis.checked.program);
    let mut lenses = Vec::new();
    for decl in &doc.analysis.checked.decls.envs {
        if decl.kind != DeclKind::Env || decl.file != FileId(0) {
            continue;
        }
        let title = match group(doc, &decl.name.name) {
            Some((g, _)) => title(g),
            None if too_many => {
                format!("no monthly estimate while editing more than {PRICED_STACKS} stacks: pf cost")
            }
            None => continue,
        };
        lenses.push(CodeLens {
            range: range(doc, decl.name.span, snap.encoding),
            command: Some(Command { title, command: String::new(), arguments: None }),
            data: None,
        });
    }
    Some(lenses)
}

/// A lens's title: `$61.45-$69.04 / month`, `+ 2 items with no price known` when some are,
/// or `no prices for eu-west-1` for a region the table does not price.
fn title(g: &Group) -> String {
    if !g.has_prices() {
        return format!("no prices for {}", g.region);
    }
    format!("{} / month{}", render::range(g.total()), render::unpriced(g.unpriced(), " + "))
}

/// One line on what an environment costs a month, with the region and date of the prices:
/// `≈ $61.45-$69.04 a month (on demand, us-east-1, prices of 2026-12-07)`, or `≈ no prices
/// known for eu-west-1 (the table has us-east-1) ...`. `None` without an estimate, or for an
/// environment no app deploys to.
pub fn summary(doc: &DocAnalysis, env: &str) -> Option<String> {
    let (g, e) = group(doc, env)?;
    Some(format!("≈ {} (on demand, {}, prices of {})", render::summary(g), g.region, e.date))
}

/// The estimate of an environment, and the estimate it is part of.
fn group<'a>(doc: &'a DocAnalysis, env: &str) -> Option<(&'a Group, &'a Estimate)> {
    let e = doc.cost.as_ref()?;
    Some((e.envs.iter().find(|g| g.name == env)?, e))
}
