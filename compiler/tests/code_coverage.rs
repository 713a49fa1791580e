//! Every checker code (PF1xxx on) has a trigger file in `tests/ui` whose front matter names it,
//! and a near miss `<same stem>_ok.pf` that does not produce it.
//!
//! That each file produces exactly its front matter is checked by the UI harness (`tests/ui.rs`);
//! that each code has a page whose example triggers it, by `compiler/tests/codes.rs`.

use pf_compiler::diagnostic::codes;
use pf_compiler::driver::{analyze, Analysis, Loader, Root};
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
            Case { produced: produced(&analysis), rel, expect }
        })
        .collect()
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
