//! The checker: syntax trees to the checked IR, with every mistake found before AWS sees it.
//!
//! Phases, each reporting into one list of diagnostics and never stopping early:
//! 1. [`resolve`]: declarations are collected across files, bodies checked against the schema
//!    ([`value`]), names and parents resolved, inheritance flattened ([`merge`]).
//! 2. [`lower`]: flattened declarations become IR values with defaults applied; the spans of
//!    generated pipeline actions go to the provenance table.
//! 3. [`rules`]: rules over the IR (pipelines, environments, security, AWS limits).
//! 4. [`fixes`]: fixes that add or remove whole entries, which need the source text.
//! 5. [`suppress`]: project severities and `# pf:allow` comments are applied.

pub mod fields;
mod fixes;
mod lower;
mod merge;
mod packaged;
pub(crate) mod placement;
mod resolve;
mod rules;
pub mod suggest;
mod suppress;
mod target_fields;
mod targets;
pub mod validate;
pub mod value;

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::ir::{Program, Provenance};
use crate::source::{SourceMap, Span};

pub use lower::protected_names;
pub use resolve::{Decl, Decls};
pub use rules::aws_name;

/// Variables a string may interpolate: `"${app}-${env}"`.
pub const INTERPOLATIONS: &[&str] = &["app", "env", "pipeline", "stage"];

/// The fields whose strings pf interpolates (an approval's `message` and `link`); anywhere else
/// a `${...}` would reach the generated file as is, so it is reported.
pub const INTERPOLATED_FIELDS: &[&str] = &["message", "link"];

/// Collects diagnostics for one check.
#[derive(Debug, Default)]
pub struct Ctx {
    pub diagnostics: Vec<Diagnostic>,
    /// The field each missing-field finding (PF1003) is about, by its index in `diagnostics`,
    /// for the fix that adds it ([`fixes`]).
    pub missing: Vec<(usize, &'static str)>,
}

impl Ctx {
    /// Reports a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Keeps the diagnostics `keep` accepts (by index and value), and `missing` in step with
    /// them: a missing field's index follows its finding, or goes with it.
    pub fn retain(&mut self, mut keep: impl FnMut(usize, &Diagnostic) -> bool) {
        let kept: Vec<bool> = self.diagnostics.iter().enumerate().map(|(i, d)| keep(i, d)).collect();
        let moved_to: Vec<usize> =
            kept.iter().scan(0, |n, &k| Some(std::mem::replace(n, *n + usize::from(k)))).collect();
        self.missing.retain(|&(i, _)| kept[i]);
        self.missing.iter_mut().for_each(|(i, _)| *i = moved_to[*i]);
        let mut kept = kept.into_iter();
        self.diagnostics.retain(|_| kept.next().unwrap_or(true));
    }

    /// Reports the required field `field` missing at `at` (PF1003).
    pub fn missing(&mut self, at: Span, field: &'static str, doc: &str) {
        self.missing.push((self.diagnostics.len(), field));
        self.push(value::missing(at, field, doc));
    }
}

/// The result of checking a program.
#[derive(Debug, Default)]
pub struct Checked {
    /// The IR; complete only when `diagnostics` holds no error.
    pub program: Program,
    pub provenance: Provenance,
    /// The resolved declarations (for the language server: hover, goto, completion).
    pub decls: Decls,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks parsed files (roots first, then the files they use, then standard-library modules).
/// `roots` is how many of `files` are root files given by the user.
pub fn check(files: &[ast::File], sources: &SourceMap, roots: usize) -> Checked {
    check_until(files, sources, roots, None, &|| false).unwrap_or_default()
}

/// [`check`], given up between two phases (`None`) once `cancelled` returns true. The bodies
/// of top-level entries that `previous` (the check of an earlier version) checked already are
/// not checked again: the very same entries, and those its reparse moved (`Moves`), whose
/// checked bodies and findings are moved with them.
pub fn check_until(
    files: &[ast::File],
    sources: &SourceMap,
    roots: usize,
    previous: Option<(&Checked, &crate::syntax::Moves)>,
    cancelled: &dyn Fn() -> bool,
) -> Option<Checked> {
    let mut ctx = Ctx::default();
    let decls = resolve::collect(&mut ctx, files, previous.map(|(p, moves)| (&p.decls, moves)));
    if cancelled() {
        return None;
    }
    let (mut program, provenance) = lower::lower(&mut ctx, &decls);
    if cancelled() {
        return None;
    }
    if let Some(first) = files.first() {
        program.project.source = sources.get(first.id).name.clone();
    }
    let standard: Vec<crate::source::FileId> = files
        .iter()
        .map(|f| f.id)
        .filter(|id| crate::stdlib::is_module_file(&sources.get(*id).name))
        .collect();
    // Program-wide rules look names up per app and environment: indexed (`ir::index`; unindexed,
    // `targets::fields`' lookup per deploy action was a third of an analysis of 1,800 envs).
    crate::ir::index::scope(&program, || {
        rules::run(&mut ctx, &program, &decls, files, roots);
        targets::fields(&mut ctx, &program, &decls, &standard);
    });
    fixes::add(&mut ctx, files, sources);
    let mut diagnostics = ctx.diagnostics;
    suppress::apply(&mut diagnostics, &decls, files, sources);
    Some(Checked { program, provenance, decls, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::codes;
    use crate::source::FileId;

    #[test]
    fn retain_keeps_missing_fields_with_their_findings() {
        let mut ctx = Ctx::default();
        let at = |n: usize| Span::new(FileId(0), n, n);
        ctx.push(Diagnostic::new(codes::PF1001, at(0), "dropped"));
        ctx.missing(at(1), "metric", "");
        ctx.push(Diagnostic::new(codes::PF1001, at(2), "dropped"));
        ctx.missing(at(3), "threshold", "");
        ctx.missing(at(4), "period", "");
        ctx.retain(|i, d| d.code != codes::PF1001 && i != 4);
        let left: Vec<u32> = ctx.diagnostics.iter().map(|d| d.primary.span.start).collect();
        assert_eq!(left, [1, 3]);
        assert_eq!(ctx.missing, [(0, "metric"), (1, "threshold")]);
    }
}
