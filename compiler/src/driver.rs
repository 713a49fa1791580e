//! The driver: loads a program (root files and everything they `use`), parses and checks it.
//!
//! This is the entry point of the command line and the language server. It does no I/O itself:
//! files come through a [`Loader`]; standard-library modules come from the binary.

use crate::ast::{self, BlockLabel, Entry};
use crate::check::{self, suggest::did_you_mean, Checked};
use crate::diagnostic::{self, codes, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::{stdlib, syntax};

/// Reads files for the driver. The command line reads the disk; the language server answers
/// from open documents first.
pub trait Loader {
    /// The bytes of the file at `path`, or the error message to report.
    fn load(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// A loader that has no files (for programs without `use "./file.pf"`).
pub struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("cannot read {path}"))
    }
}

/// Everything known about a program after analysis.
#[derive(Debug, Default)]
pub struct Analysis {
    pub sources: SourceMap,
    /// Parsed files, indexed by `FileId`: the roots first, then the files they use.
    pub files: Vec<ast::File>,
    /// How many of `files` are roots.
    pub roots: usize,
    /// The checked program (IR, provenance, declarations).
    pub checked: Checked,
    /// All diagnostics, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether each of `files` parsed without syntax errors (so that a later analysis may reuse
    /// its entries).
    clean: Vec<bool>,
    /// The entries the reparses moved, for the check (emptied by it).
    moves: syntax::Moves,
}

impl Analysis {
    /// Whether any unsuppressed error was found.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A root file given as bytes (already read by the caller).
pub struct Root {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Parses and checks a program made of `roots` and the files they `use`.
pub fn analyze(roots: Vec<Root>, loader: &dyn Loader) -> Analysis {
    analyze_after(roots, loader, None)
}

/// [`analyze`], for a program analysed before as `previous` (the language server, after an
/// edit): a file that parsed cleanly then is reparsed incrementally ([`syntax::reparse`]),
/// keeping the top-level entries the edit did not touch. The result is the same.
pub fn reanalyze(roots: Vec<Root>, loader: &dyn Loader, previous: &Analysis) -> Analysis {
    analyze_after(roots, loader, Some(previous))
}

fn analyze_after(roots: Vec<Root>, loader: &dyn Loader, previous: Option<&Analysis>) -> Analysis {
    analyze_until(roots, loader, previous, &|| false).unwrap_or_default()
}

/// [`analyze`] (or [`reanalyze`] from `previous`) that gives up between two phases, with `None`,
/// once `cancelled` returns true: the language server's analysis of a text a newer edit has
/// made stale. Never cancelled, it returns `Some`.
pub fn analyze_until(
    roots: Vec<Root>,
    loader: &dyn Loader,
    previous: Option<&Analysis>,
    cancelled: &dyn Fn() -> bool,
) -> Option<Analysis> {
    let mut a = Analysis { roots: roots.len(), ..Analysis::default() };
    for root in roots {
        add_file(&mut a, root.name, &root.bytes, true, previous);
    }
    // Follow `use` entries breadth-first; `edges` records which file uses which, for cycles.
    let mut edges: Vec<(FileId, FileId, Span)> = Vec::new();
    let mut next = 0;
    while next < a.files.len() {
        let file = FileId(next as u32);
        let uses: Vec<(BlockLabel, Span)> = a.files[next]
            .entries
            .iter()
            .filter_map(|e| match &**e {
                Entry::Block(b) if b.keyword.name == "use" => b.labels.first().map(|l| (l.clone(), b.span)),
                _ => None,
            })
            .collect();
        for (label, _) in uses {
            if let Some(target) = resolve_use(&mut a, file, &label, loader, previous) {
                edges.push((file, target, label.span()));
            }
        }
        next += 1;
    }
    report_cycles(&mut a, &edges);
    if cancelled() {
        return None;
    }
    let moves = std::mem::take(&mut a.moves);
    let previous = previous.map(|p| (&p.checked, &moves));
    a.checked = check::check_until(&a.files, &a.sources, a.roots, previous, cancelled)?;
    drop_unreliable(&mut a.checked.diagnostics, &a.diagnostics);
    a.diagnostics.append(&mut a.checked.diagnostics);
    drop_cured_imports(&mut a.diagnostics);
    place_imports(&mut a.diagnostics, &a.files);
    diagnostic::sort(&mut a.diagnostics);
    Some(a)
}

/// In a file whose brackets do not match (PF0007, or a string left open swallowed one: PF0010),
/// nest too deep (PF0005) or that has a name outside ASCII (PF0012), the parser had to guess
/// where blocks end, so what the checker says about that file describes the guess, not
/// the program: a `{` never closed turned a whole app into "`app` needs a body", "`deploy = ...`
/// is not allowed at the top level" and more. Those findings are dropped until the brackets are
/// fixed (the checker still runs, so the language server keeps hover and completion).
fn drop_unreliable(checked: &mut Vec<Diagnostic>, syntax: &[Diagnostic]) {
    let broken: Vec<FileId> = syntax
        .iter()
        .filter(|d| {
            [codes::PF0007, codes::PF0005, codes::PF0012].contains(&d.code)
                // A string left open that swallowed a closing bracket (its secondary label).
                || (d.code == codes::PF0010 && !d.secondary.is_empty())
        })
        .map(|d| d.primary.span.file)
        .collect();
    if !broken.is_empty() {
        checked.retain(|d| !broken.contains(&d.primary.span.file));
    }
}

/// Fixes that add a `use` line are written to insert it at the start of the file; they insert it
/// before the file's first `use` instead, or else before its first declaration, so that the new
/// line joins the others and a header comment stays on top.
fn place_imports(diagnostics: &mut [Diagnostic], files: &[ast::File]) {
    for d in diagnostics.iter_mut() {
        let Some(fix) = d.fix.as_mut() else { continue };
        for edit in fix
            .edits
            .iter_mut()
            .filter(|e| e.span.start == 0 && e.span.end == 0 && e.replacement.starts_with("use "))
        {
            if let Some(file) = files.get(edit.span.file.0 as usize) {
                let at = import_point(file) as u32;
                edit.span.start = at;
                edit.span.end = at;
            }
        }
    }
}

/// Where a new `use` line goes in `file`: before its first `use`, or else before its first
/// entry (after a header comment), or else at the start.
pub fn import_point(file: &ast::File) -> usize {
    let is_use = |e: &&std::sync::Arc<Entry>| matches!(&***e, Entry::Block(b) if b.keyword.name == "use");
    let first = file.entries.iter().find(is_use).or_else(|| file.entries.first());
    first.map_or(0, |e| e.span().start as usize)
}

/// `use std.build.golang` (PF1009, fixed by `std.build.go`) then `build = go` (PF1006, fixed by
/// adding `use std.build.go`) is one mistake: the first fix cures the second, and applying both
/// would import the module twice. The second is dropped.
fn drop_cured_imports(diagnostics: &mut Vec<Diagnostic>) {
    let fix_text =
        |d: &Diagnostic| d.fix.as_ref().and_then(|f| f.edits.first()).map(|e| e.replacement.clone());
    let corrected: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.code == codes::PF1009)
        .filter_map(|d| fix_text(d).map(|module| format!("use {module}\n")))
        .collect();
    if !corrected.is_empty() {
        diagnostics
            .retain(|d| d.code != codes::PF1006 || !fix_text(d).is_some_and(|t| corrected.contains(&t)));
    }
}

fn add_file(a: &mut Analysis, name: String, bytes: &[u8], root: bool, previous: Option<&Analysis>) -> FileId {
    let id = FileId(a.files.len() as u32);
    let text = match syntax::decode(id, bytes) {
        Ok(text) => text,
        Err((text, d)) => {
            a.sources.add(name, text);
            a.files.push(ast::File { id, entries: Vec::new(), comments: Vec::new() });
            a.clean.push(false);
            a.diagnostics.push(d);
            return id;
        }
    };
    let before = previous.and_then(|p| {
        let old = p.sources.find(&name)?;
        let i = old.0 as usize;
        p.clean.get(i).copied().unwrap_or(false).then(|| (p.sources.get(old).text.as_str(), &p.files[i]))
    });
    let parse = match before {
        Some((old_text, old)) => syntax::reparse(id, &text, old_text, old),
        None => syntax::parse(id, &text),
    };
    let declares_nothing = parse.file.entries.is_empty() && parse.diagnostics.is_empty();
    a.clean.push(parse.diagnostics.is_empty());
    a.sources.add(name, text);
    a.diagnostics.extend(parse.diagnostics);
    a.moves.extend(parse.moves);
    a.files.push(parse.file);
    if root && declares_nothing {
        a.diagnostics.push(
            Diagnostic::new(codes::PF0002, Span::new(id, 0, 0), "this file declares nothing")
                .with_help("declare an app, env or pipeline; `pf init` writes a starting point"),
        );
    }
    id
}

/// The standard module a misspelt `use` meant. Among modules of the same family
/// (`std.build.*`) only the last part is compared: `std.build.rust` is no typo of
/// `std.build.go`, though the whole paths are close.
fn meant_module(path: &str) -> Option<String> {
    let modules = || stdlib::MODULES.iter().map(|(m, _)| *m);
    let Some((family, last)) = path.rsplit_once('.') else {
        return did_you_mean(path, modules()).map(str::to_string);
    };
    let siblings: Vec<&str> =
        modules().filter_map(|m| m.rsplit_once('.').filter(|(f, _)| *f == family).map(|(_, l)| l)).collect();
    if siblings.is_empty() {
        return did_you_mean(path, modules()).map(str::to_string);
    }
    did_you_mean(last, siblings).map(|s| format!("{family}.{s}"))
}

/// Loads the target of a `use`; returns its file id.
fn resolve_use(
    a: &mut Analysis,
    from: FileId,
    label: &BlockLabel,
    loader: &dyn Loader,
    previous: Option<&Analysis>,
) -> Option<FileId> {
    match label {
        BlockLabel::Name(path) => {
            let name = stdlib::file_name(&path.text);
            if let Some(id) = a.sources.find(&name) {
                return Some(id);
            }
            match stdlib::module(&path.text) {
                Some(text) => Some(add_file(a, name, text.as_bytes(), false, previous)),
                None => {
                    let mut d = Diagnostic::new(
                        codes::PF1009,
                        path.span,
                        format!("there is no module `{}`", path.text),
                    )
                    .with_label("unknown module");
                    if let Some(s) = meant_module(&path.text) {
                        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                            format!("replace with `{s}`"),
                            path.span,
                            s,
                            diagnostic::Applicability::Safe,
                        );
                    } else {
                        let all: Vec<&str> = stdlib::MODULES.iter().map(|(m, _)| *m).collect();
                        d = d.with_help(format!("the standard library has {}; files are used with a string: `use \"./common.pf\"`", all.join(", ")));
                    }
                    a.diagnostics.push(d);
                    None
                }
            }
        }
        BlockLabel::String(s) => {
            let rel = s.literal_text().unwrap_or("");
            let base = a.sources.get(from).name.clone();
            let path = join(&base, rel);
            if let Some(id) = a.sources.find(&path) {
                return Some(id);
            }
            match loader.load(&path) {
                Ok(bytes) => Some(add_file(a, path, &bytes, false, previous)),
                Err(e) => {
                    a.diagnostics.push(
                        Diagnostic::new(codes::PF1009, s.span, format!("cannot use `{rel}`: {e}"))
                            .with_label("file not found")
                            .with_help("paths are relative to the file that has the `use`"),
                    );
                    None
                }
            }
        }
    }
}

/// `rel` relative to the folder of `base`, normalised (`a/b/../c.pf` gives `a/c.pf`).
pub fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    if rel.starts_with('/') {
        parts.clear();
        parts.push("");
    }
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| !l.is_empty() && *l != "..") => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    parts.join("/")
}

fn report_cycles(a: &mut Analysis, edges: &[(FileId, FileId, Span)]) {
    for &(from, to, span) in edges {
        // A cycle: `to` reaches `from` again.
        let mut seen = vec![to];
        let mut i = 0;
        let mut cyclic = from == to;
        while i < seen.len() && !cyclic {
            for &(f, t, _) in edges {
                if f == seen[i] && !seen.contains(&t) {
                    if t == from {
                        cyclic = true;
                    }
                    seen.push(t);
                }
            }
            i += 1;
        }
        if cyclic && from <= to {
            let target = a.sources.get(to).name.clone();
            a.diagnostics.push(
                Diagnostic::new(
                    codes::PF1010,
                    span,
                    format!("`{target}` uses this file again: the files use each other in a cycle"),
                )
                .with_label("cycle")
                .with_help("move what both files need into a third file that both use"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join("examples/a.pf", "./b.pf"), "examples/b.pf");
        assert_eq!(join("examples/x/a.pf", "../b.pf"), "examples/b.pf");
        assert_eq!(join("a.pf", "lib/b.pf"), "lib/b.pf");
    }
}
