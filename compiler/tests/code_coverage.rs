//! Every diagnostic code is documented, triggered by a corpus file and missed by a near miss.
//!
//! - Every `tests/ui/**/*.pf` starts with `# expect: PF4002, PF6002` (or `# expect: ok`) and
//!   produces exactly that set of codes (suppressed findings do not count).
//! - Every code from PF1xxx on has a trigger file whose front matter names it, and a near miss
//!   `<same stem>_ok.pf` that does not produce it.
//! - Every code has a page `docs/errors/PFxxxx.md` (`# PFxxxx: name`, What, Example, Fix) whose
//!   first `pf` block, analysed as `example.pf`, produces the code.
//!
//! Run with `PF_SHOW=path/to/file.pf cargo test -p pf-compiler --test code_coverage show` to print
//! the diagnostics of files (separated by spaces).

use pf_compiler::diagnostic::{codes, Diagnostic};
use pf_compiler::driver::{analyze, Analysis, Loader, NoFiles, Root};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Reads files relative to the workspace root, as the command line does from there.
struct Disk;

impl Loader for Disk {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(root().join(path)).map_err(|e| e.to_string())
    }
}

/// The unsuppressed codes of an analysis.
fn produced(a: &Analysis) -> BTreeSet<String> {
    a.diagnostics.iter().filter(|d| d.suppression.is_none()).map(|d| d.code.id.to_string()).collect()
}

fn listing(a: &Analysis) -> String {
    let mut out = String::new();
    for d in &a.diagnostics {
        out.push_str(&format!("    {}\n", line(a, d)));
    }
    if out.is_empty() {
        out.push_str("    (no diagnostics)\n");
    }
    out
}

fn line(a: &Analysis, d: &Diagnostic) -> String {
    let file = a.sources.get(d.primary.span.file);
    let (l, c) = file.line_col(d.primary.span.start as usize);
    let suppressed = if d.suppression.is_some() { " (suppressed)" } else { "" };
    format!("{} {}:{}:{}: {}{suppressed}", d.code.id, file.name, l, c, d.message)
}

/// Every `.pf` file under `dir`, recursively, sorted.
fn pf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.expect("directory entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pf_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "pf") {
            out.push(p);
        }
    }
}

/// A corpus file: its path relative to the workspace root and its expected codes.
struct Case {
    rel: String,
    expect: BTreeSet<String>,
    produced: BTreeSet<String>,
    analysis: Analysis,
}

fn front_matter(rel: &str, text: &str) -> BTreeSet<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("{rel}: the first line must be `# expect: PFxxxx, ...` or `# expect: ok`"))
        .trim();
    if list == "ok" {
        return BTreeSet::new();
    }
    list.split(',')
        .map(|s| {
            let s = s.trim();
            assert!(codes::lookup(s).is_some(), "{rel}: `{s}` in the front matter is not a code");
            s.to_string()
        })
        .collect()
}

fn corpus() -> Vec<Case> {
    let root = root();
    let mut files = Vec::new();
    pf_files(&root.join("tests/ui"), &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(&p).expect("readable");
            let expect = front_matter(&rel, &String::from_utf8_lossy(&bytes));
            let analysis = analyze(vec![Root { name: rel.clone(), bytes }], &Disk);
            Case { produced: produced(&analysis), rel, expect, analysis }
        })
        .collect()
}

fn set(s: &BTreeSet<String>) -> String {
    if s.is_empty() {
        "ok".into()
    } else {
        s.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

#[test]
fn corpus_files_produce_exactly_their_front_matter() {
    let cases = corpus();
    assert!(!cases.is_empty(), "no files under tests/ui");
    let mut failures = String::new();
    for c in &cases {
        if c.expect != c.produced {
            failures.push_str(&format!(
                "{}: expected {}, produced {}\n{}",
                c.rel,
                set(&c.expect),
                set(&c.produced),
                listing(&c.analysis)
            ));
        }
    }
    assert!(failures.is_empty(), "corpus files disagree with their front matter:\n{failures}");
}

#[test]
fn every_checker_code_has_a_trigger_and_a_near_miss() {
    let cases = corpus();
    let mut missing = Vec::new();
    for code in codes::ALL.iter().filter(|c| !c.id.starts_with("PF0")) {
        let found = cases.iter().any(|c| {
            if !c.expect.contains(code.id) || c.rel.ends_with("_ok.pf") {
                return false;
            }
            let near = format!("{}_ok.pf", c.rel.trim_end_matches(".pf"));
            cases
                .iter()
                .any(|n| n.rel == near && !n.expect.contains(code.id) && !n.produced.contains(code.id))
        });
        if !found {
            missing.push(format!("{} ({})", code.id, code.name));
        }
    }
    assert!(
        missing.is_empty(),
        "codes without a trigger file in tests/ui and a near miss `<stem>_ok.pf` that does not produce them: {}",
        missing.join(", ")
    );
}

/// The first fenced `pf` block of a Markdown page.
fn first_pf_block(doc: &str) -> Option<String> {
    let start = doc.find("```pf\n")? + "```pf\n".len();
    let end = doc[start..].find("\n```")? + start;
    Some(doc[start..=end].to_string())
}

#[test]
fn every_code_has_a_page_whose_example_triggers_it() {
    let mut failures = String::new();
    for code in codes::ALL {
        let path = root().join(format!("docs/errors/{}.md", code.id));
        let Ok(doc) = std::fs::read_to_string(&path) else {
            failures.push_str(&format!("{}: docs/errors/{}.md is missing\n", code.id, code.id));
            continue;
        };
        // The syntax pages are written separately; an empty one is still pending.
        if code.id.starts_with("PF0") && doc.trim().is_empty() {
            eprintln!("note: docs/errors/{}.md is empty (syntax pages are pending)", code.id);
            continue;
        }
        let title = format!("# {}: {}\n", code.id, code.name);
        if !doc.starts_with(&title) {
            failures.push_str(&format!("{}: the page must start with `{}`\n", code.id, title.trim()));
        }
        for part in ["**What:**", "**Why:**", "## Example", "## Fix"] {
            if !doc.contains(part) {
                failures.push_str(&format!("{}: the page has no `{part}`\n", code.id));
            }
        }
        if code.id.starts_with("PF0") {
            continue;
        }
        let Some(example) = first_pf_block(&doc) else {
            failures.push_str(&format!("{}: the page has no ```pf example\n", code.id));
            continue;
        };
        let a = analyze(vec![Root { name: "example.pf".into(), bytes: example.into_bytes() }], &NoFiles);
        if !produced(&a).contains(code.id) {
            failures.push_str(&format!(
                "{}: the page's example does not produce it; it produces:\n{}",
                code.id,
                listing(&a)
            ));
        }
    }
    assert!(failures.is_empty(), "error pages:\n{failures}");
}

/// Prints the diagnostics of the file named by `PF_SHOW` (a helper for writing the corpus).
#[test]
fn show() {
    let Ok(paths) = std::env::var("PF_SHOW") else { return };
    for path in paths.split_whitespace() {
        let bytes = std::fs::read(root().join(path)).expect("PF_SHOW names readable files");
        let a = analyze(vec![Root { name: path.to_string(), bytes }], &Disk);
        println!("{path}: {}\n{}", set(&produced(&a)), listing(&a));
    }
}
