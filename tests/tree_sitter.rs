//! The tree-sitter grammar (`editors/tree-sitter-pf`) parses every valid pf file with no ERROR
//! or MISSING node: the examples, the standard library and the check UI tests (whose syntax is
//! valid by design; `tests/ui/syntax/` holds the invalid ones). Its queries compile.
//!
//! Needs the tree-sitter CLI from the crate registry (`.ci/run` installs it); the test fails,
//! never skips, without it.

use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = "0.27.1";
const INSTALL: &str = "cargo install tree-sitter-cli --locked --version 0.27.1";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tree_sitter(args: &[&str], files: &[PathBuf]) -> String {
    let out = Command::new("tree-sitter")
        .args(args)
        .args(files)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("the tree-sitter CLI is needed ({e}): {INSTALL}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() || args[0] == "parse", "tree-sitter {args:?} failed:\n{text}");
    text
}

fn pf_files(dir: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pf") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_grammar_parses_every_valid_file_without_errors() {
    let version = tree_sitter(&["--version"], &[]);
    assert!(version.contains(VERSION), "tree-sitter {VERSION} is needed, found {version}: {INSTALL}");
    let mut files = pf_files("examples");
    files.extend(pf_files("stdlib"));
    files.extend(pf_files("tests/ui/check"));
    assert!(files.len() > 50, "only {} files", files.len());
    let tree = tree_sitter(&["parse", "-p", "editors/tree-sitter-pf"], &files);
    let bad: Vec<&str> = tree.lines().filter(|l| l.contains("(ERROR") || l.contains("(MISSING")).collect();
    assert!(bad.is_empty(), "error nodes:\n{}", bad.join("\n"));
    assert_eq!(tree.matches("(source_file ").count(), files.len(), "not every file was parsed:\n{tree}");
}

#[test]
fn the_grammar_marks_a_syntax_error() {
    let bad = root().join("tests/ui/syntax/invalid_body_line.pf");
    let tree = tree_sitter(&["parse", "-p", "editors/tree-sitter-pf"], &[bad]);
    assert!(tree.contains("(ERROR"), "{tree}");
}

#[test]
fn the_queries_compile_and_capture() {
    let file = [root().join("examples/webshop.pf")];
    for (query, capture) in [("highlights", "keyword"), ("folds", "fold"), ("indents", "indent")] {
        let path = format!("editors/tree-sitter-pf/queries/{query}.scm");
        let out = tree_sitter(&["query", "-p", "editors/tree-sitter-pf", &path], &file);
        assert!(out.contains(&format!("- {capture},")), "{query} captures no {capture}:\n{out}");
    }
}
