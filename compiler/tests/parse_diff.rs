//! Differential test of the parser's fast path against pest, the specification.
//!
//! For every corpus file (examples, stdlib, UI tests, formatter tests, generated programs) and
//! thousands of deterministic mutations of them: whenever the hand-written fast path accepts an
//! input, pest must accept it without diagnostics and build exactly the same tree, spans
//! included. Clean corpus files must take the fast path, or the speedup is fictional.
//! `PF_FUZZ_ITERATIONS` raises the number of mutations.

use pf_compiler::source::FileId;
use pf_compiler::syntax::{parse, parse_fast, parse_with_pest};
use pf_compiler::testgen::{first_difference, mutate, Lcg};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "pf") {
            out.push(p);
        }
    }
}

fn read_all(rel: &str) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

/// The clean corpus: files that must take the fast path.
fn clean_corpus() -> Vec<(String, String)> {
    let mut v = read_all("../examples");
    v.extend(read_all("../stdlib"));
    for n in [1, 3, 10, 40] {
        v.push((format!("testgen {n}"), pf_compiler::testgen::program(n, 3)));
    }
    v
}

fn other_corpus() -> Vec<(String, String)> {
    let mut v = read_all("../tests/ui");
    v.extend(read_all("tests/fmt"));
    v
}

/// Compares the paths on `text`; true when the fast path took it.
fn compare(name: &str, text: &str) -> bool {
    let Some(fast) = parse_fast(FileId(0), text) else { return false };
    let pest = parse_with_pest(FileId(0), text);
    assert!(
        pest.diagnostics.is_empty(),
        "the fast path accepted {name}, which pest reports: {:?}\n---\n{text}",
        pest.diagnostics
    );
    if !pest.file.entries.iter().map(|e| &**e).eq(fast.iter()) {
        panic!(
            "trees differ on {name} {}\n--- input\n{text}",
            first_difference(("pest", &pest.file.entries), ("fast", &fast))
        );
    }
    // The public entry point agrees too.
    let p = parse(FileId(0), text);
    assert!(p.diagnostics.is_empty() && p.file == pest.file, "parse() differs from pest on {name}");
    true
}

#[test]
fn clean_corpus_takes_the_fast_path_and_matches_pest() {
    for (name, text) in clean_corpus() {
        assert!(compare(&name, &text), "the fast path rejected clean file {name}");
    }
}

#[test]
fn edge_cases_match_pest() {
    let cases = [
        "",
        "\n\n",
        ",",
        "\u{FEFF}app a {}",
        "deploy prod",
        "deploy prod   # trailing\n",
        "deploy prod # c",
        "app a : b # c\nx = 1",
        "app a : b.c { x = 1 }  # c",
        "app \"a b\" c.d {\n  x = 1, y = 2\n}\n",
        "x = [1, 2,\n 3, ]",
        "x = [\"a\" -> \"b\", c -> d.e]",
        "x = [a -> [b -> c]]",
        "x = f(1, \"s\", [2], g())",
        "x = true\ny = false\nz = trueish\nw = true.x",
        "x = a.b { y = 1 }",
        "x = a.b\n{ }",
        "x = { }",
        "x = \"${a.b}c${d}\\n\\t\\r\\\"\\\\\\$\"",
        "x = \"$ { $\"",
        "x = -5\ny = 5s\nz = 5MB\nw = 50%\nv = 10.0.0.0/16",
        "x = 9223372036854775807",
        "x = -9223372036854775808",
        "x = 5sx",
        "x = a.",
        "a { b { c } }",
        "a {\n}\n",
        "a {b}",
        "a{b=1,c=2}",
        "a = 1 # c\r\nb = 2\r",
        "x = f (1)",
        "x = [\n# c\n1 # d\n, 2\n]",
        "a \"x\"\"y\"",
        "a b c d",
        "a:b",
        "x = \"é€\"",
    ];
    for c in cases {
        compare(&format!("{c:?}"), c);
    }
}

#[test]
fn mutations_match_pest() {
    let iterations: usize =
        std::env::var("PF_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(6000);
    let mut corpus: Vec<String> = clean_corpus().into_iter().map(|(_, t)| t).collect();
    corpus.extend(other_corpus().into_iter().map(|(_, t)| t));
    // Keep mutants small enough for pest to be quick.
    corpus.retain(|t| t.len() < 64 * 1024);
    let (mut took, mut total) = (0, 0);
    for (i, t) in corpus.iter().enumerate() {
        total += 1;
        took += compare(&format!("corpus input {i}"), t) as usize;
    }
    let mut rng = Lcg(0xfa57);
    for i in 0..iterations {
        let out = mutate(&mut rng, &corpus[i % corpus.len()]);
        let Ok(text) = String::from_utf8(out) else { continue };
        total += 1;
        took += compare(&format!("mutant {i}"), &text) as usize;
    }
    eprintln!("parse_diff: {total} inputs, {took} took the fast path");
    // Both outcomes must be exercised, or the test proves little.
    assert!(took > total / 10 && took < total, "{took} of {total} inputs took the fast path");
}
