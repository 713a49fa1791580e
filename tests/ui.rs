//! UI tests as data: every `tests/ui/**/*.pf` file is analyzed and its diagnostics, in the
//! short format, are snapshotted under the file's path.
//!
//! The first line of every file is a front-matter comment naming the codes it must produce,
//! `# expect: PF0007, PF0001`, or `# expect: ok`. The harness checks that set against the codes
//! produced, so re-accepting a snapshot cannot silently change which codes a file reports.
//! Files under `tests/ui/syntax/` are about the parser: their front matter pins the syntax
//! codes (PF0xxx) only, while their snapshots show every diagnostic.
//! A file whose leading comment lines include `# snapshot: help` also snapshots each
//! diagnostic's help and fix, and the diagnostics left once its safe fixes are applied (a safe
//! fix must not lead straight to another error).
//! A few valid files also snapshot a compact dump of their syntax tree.

use pf_compiler::ast::{self, BlockLabel, Entry, StringPart, Value, ValueKind};
use pf_compiler::diagnostic::{self, render, Applicability};
use pf_compiler::driver::{self, Loader, Root};
use pf_compiler::source::{SourceMap, Span};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Files whose syntax tree is snapshotted too (paths relative to `tests/ui`).
const AST_DUMPS: &[&str] = &[
    "syntax/valid_webshop.pf",
    "syntax/valid_values.pf",
    "syntax/valid_separators.pf",
    "syntax/recovery_two_blocks.pf",
];

/// Reads `use`d files; the driver resolves their paths against the using file's name, which
/// is relative to the workspace root.
struct Disk(PathBuf);

impl Loader for Disk {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

fn ui_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            ui_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "pf") {
            out.push(path);
        }
    }
}

/// The codes of the `# expect:` front matter.
fn expected_codes(text: &str, file: &str) -> BTreeSet<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("{file}: the first line must be `# expect: PF0001, ...` or `# expect: ok`"))
        .trim();
    if list == "ok" {
        return BTreeSet::new();
    }
    list.split(',').map(|c| c.trim().to_string()).collect()
}

/// Whether the leading comment lines ask for help and fixes in the snapshot.
fn wants_help(text: &str) -> bool {
    text.lines().take_while(|l| l.starts_with('#')).any(|l| l.trim() == "# snapshot: help")
}

/// The short format, each diagnostic followed by its help and fix, indented.
fn with_help(analysis: &driver::Analysis) -> String {
    let mut out = String::new();
    for d in analysis.diagnostics.iter().filter(|d| d.suppression.is_none()) {
        out.push_str(&render::short::render(std::slice::from_ref(d), &analysis.sources));
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  help: {help}");
        }
        if let Some(fix) = &d.fix {
            let applicability = format!("{:?}", fix.applicability).to_lowercase();
            let _ = writeln!(out, "  fix ({applicability}): {}", fix.title);
            for e in &fix.edits {
                let loc = render::locate(&analysis.sources, e.span);
                let _ = writeln!(
                    out,
                    "    {}:{}: {:?} -> {:?}",
                    loc.line,
                    loc.column,
                    analysis.sources.snippet(e.span),
                    e.replacement
                );
            }
        }
    }
    out
}

/// The root file's text with every safe fix that edits only it applied (the fixes as
/// `pf check --fix` applies them, one round), or `None` when nothing changes.
fn apply_safe_fixes(analysis: &driver::Analysis, text: &str) -> Option<String> {
    let root = analysis.files.first()?.id;
    diagnostic::apply_fixes(text, root, &analysis.diagnostics, Applicability::Safe).map(|f| f.text)
}

#[test]
fn ui() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    ui_files(&root.join("tests/ui"), &mut files);
    assert!(files.len() >= 15, "the UI corpus has only {} files", files.len());
    let mut mismatches = Vec::new();
    for path in &files {
        let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let in_ui = name.trim_start_matches("tests/ui/").to_string();
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let expected = expected_codes(&text, &name);
        let analysis = driver::analyze(vec![Root { name: name.clone(), bytes }], &Disk(root.to_path_buf()));
        let syntax_only = in_ui.starts_with("syntax/");
        let produced: BTreeSet<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.suppression.is_none() && (!syntax_only || d.code.id.starts_with("PF0")))
            .map(|d| d.code.id.to_string())
            .collect();
        if produced != expected {
            mismatches.push(format!("{name}: expected {expected:?}, produced {produced:?}"));
        }
        let snapshot_name = in_ui.trim_end_matches(".pf").replace('/', "__");
        let short = if wants_help(&text) {
            let mut out = with_help(&analysis);
            if let Some(fixed) = apply_safe_fixes(&analysis, &text) {
                let again = driver::analyze(
                    vec![Root { name: name.clone(), bytes: fixed.into_bytes() }],
                    &Disk(root.to_path_buf()),
                );
                let after = render::short::render(&again.diagnostics, &again.sources);
                out.push_str("after the safe fixes:\n");
                out.push_str(if after.is_empty() { "(no diagnostics)\n" } else { &after });
            }
            out
        } else {
            render::short::render(&analysis.diagnostics, &analysis.sources)
        };
        let shown = if short.is_empty() { "(no diagnostics)\n".to_string() } else { short };
        insta::assert_snapshot!(snapshot_name.clone(), shown);
        if AST_DUMPS.contains(&in_ui.as_str()) {
            let dump = dump_file(&analysis.files[0], &analysis.sources);
            insta::assert_snapshot!(format!("{snapshot_name}__ast"), dump);
        }
    }
    assert!(mismatches.is_empty(), "front matter and produced codes differ:\n{}", mismatches.join("\n"));
}

// A compact tree printer: one line per node, two spaces per level.

fn pos(sources: &SourceMap, span: Span) -> String {
    let loc = render::locate(sources, span);
    format!("@{}:{}", loc.line, loc.column)
}

fn dump_file(file: &ast::File, sources: &SourceMap) -> String {
    let mut out = String::new();
    for e in &file.entries {
        dump_entry(&mut out, e, 0, sources);
    }
    let _ = writeln!(out, "comments {}", file.comments.len());
    out
}

fn dump_entry(out: &mut String, entry: &Entry, depth: usize, sources: &SourceMap) {
    let pad = "  ".repeat(depth);
    match entry {
        Entry::Attribute(a) => {
            let _ = writeln!(out, "{pad}attr {} = {}", a.key.name, value(&a.value));
            dump_nested(out, &a.value, depth + 1, sources);
        }
        Entry::Block(b) => {
            let labels: Vec<String> = b
                .labels
                .iter()
                .map(|l| match l {
                    BlockLabel::Name(p) => p.text.clone(),
                    BlockLabel::String(s) => format!("{:?}", s.literal_text().unwrap_or("<interp>")),
                })
                .collect();
            let parent = b.parent.as_ref().map(|p| format!(" : {}", p.text)).unwrap_or_default();
            let body = if b.body.is_some() { "" } else { " (no body)" };
            let _ = writeln!(
                out,
                "{pad}block {} [{}]{parent}{body} {}",
                b.keyword.name,
                labels.join(", "),
                pos(sources, b.span)
            );
            for e in b.body.iter().flat_map(|body| &body.entries) {
                dump_entry(out, e, depth + 1, sources);
            }
        }
        Entry::Error(span) => {
            let _ =
                writeln!(out, "{pad}error {:?} {}", sources.snippet(*span).trim_end(), pos(sources, *span));
        }
    }
}

/// Entries of block values, printed under their attribute.
fn dump_nested(out: &mut String, v: &Value, depth: usize, sources: &SourceMap) {
    if let ValueKind::Block { body, .. } = &v.kind {
        for e in &body.entries {
            dump_entry(out, e, depth, sources);
        }
    }
}

/// A value on one line (block values show their kind; their entries follow on their own lines).
fn value(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => {
            let parts: Vec<String> = s
                .parts
                .iter()
                .map(|p| match p {
                    StringPart::Text(t) => format!("{t:?}"),
                    StringPart::Interp(p) => format!("${{{}}}", p.text),
                })
                .collect();
            format!("string[{}]", parts.join(" "))
        }
        ValueKind::Int(n) => n.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Duration(d) => format!("duration {}{}", d.value, d.suffix()),
        ValueKind::Size(s) => format!("size {}{}", s.value, s.suffix()),
        ValueKind::Percent(p) => format!("{p}%"),
        ValueKind::Cidr(c) => format!("cidr {c}"),
        ValueKind::List(items) => format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", ")),
        ValueKind::Pair(a, b) => format!("{} -> {}", value(a), value(b)),
        ValueKind::Call { name, args } => {
            format!("{}({})", name.name, args.iter().map(value).collect::<Vec<_>>().join(", "))
        }
        ValueKind::Block { kind, .. } => {
            format!("block {}", kind.as_ref().map_or("{}", |k| k.text.as_str()))
        }
        ValueKind::Path(p) => format!("path {}", p.text),
        ValueKind::Error => "<error>".to_string(),
        ValueKind::TooLarge(t) => format!("<too large: {t}>"),
    }
}
