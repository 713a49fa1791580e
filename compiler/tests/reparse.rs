//! Incremental reparsing must give exactly the tree and diagnostics of a full parse.
//!
//! Random edits (`testgen::mutate`: deletions, fragments of syntax, copies) of clean programs,
//! and chains of edits where each clean result becomes the next base, as in the language server.
//! The reuse path must be taken often (or the speedup is fictional) and must not be taken always
//! (or the fallback is untested). `PF_FUZZ_ITERATIONS` raises the number of edits.

use pf_compiler::ast::File;
use pf_compiler::source::FileId;
use pf_compiler::syntax::{parse, reparse, reparse_reusing, Parse};
use pf_compiler::testgen::{first_difference, mutate, program, Lcg};

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut v: Vec<String> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    v.push(program(3, 3));
    v.push(program(12, 2));
    v
}

/// Checks one edit from `old` (clean, parsed as `base`) to `new`; returns the full parse of
/// `new` and whether the reuse path took it.
fn check(old: &str, base: &File, new: &str, what: &str) -> (Parse, bool) {
    let full = parse(FileId(0), new);
    let got = reparse(FileId(0), new, old, base);
    if got.file != full.file || got.diagnostics != full.diagnostics {
        panic!(
            "reparse differs from a full parse on {what} {}\n--- old\n{old}\n--- new\n{new}",
            first_difference(("full", &full.file), ("reparse", &got.file))
        );
    }
    let reused = reparse_reusing(FileId(0), new, old, base).is_some();
    (full, reused)
}

fn clean_parse(text: &str) -> File {
    let p = parse(FileId(0), text);
    assert!(p.diagnostics.is_empty(), "a base must parse cleanly");
    p.file
}

#[test]
fn random_edits_reparse_like_a_full_parse() {
    let iterations: usize =
        std::env::var("PF_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let corpus = corpus();
    let bases: Vec<File> = corpus.iter().map(|t| clean_parse(t)).collect();
    let mut rng = Lcg(0x5eed);
    let (mut reused, mut total) = (0, 0);
    for i in 0..iterations {
        let (old, base) = (&corpus[i % corpus.len()], &bases[i % corpus.len()]);
        let Ok(new) = String::from_utf8(mutate(&mut rng, old)) else { continue };
        total += 1;
        reused += check(old, base, &new, &format!("edit {i}")).1 as usize;
    }
    eprintln!("reparse: {total} edits, {reused} reused entries");
    // Most random edits leave a syntax error near them, and then the whole file is parsed.
    assert!(reused > total / 10 && reused < total, "{reused} of {total} edits reused entries");
}

#[test]
fn chains_of_edits_reparse_like_a_full_parse() {
    // As in the language server: the base is the last text that parsed cleanly.
    let mut rng = Lcg(0xc4a1);
    for (n, start) in corpus().into_iter().enumerate() {
        let mut base_file = clean_parse(&start);
        let mut base = start.clone();
        let mut text = start;
        for step in 0..100 {
            let Ok(next) = String::from_utf8(mutate(&mut rng, &text)) else { continue };
            let (full, _) = check(&base, &base_file, &next, &format!("file {n}, step {step}"));
            if full.diagnostics.is_empty() {
                base = next.clone();
                base_file = full.file;
            }
            // Drift, but come back to clean text now and then.
            text = if rng.below(4) == 0 { base.clone() } else { next };
        }
    }
}

#[test]
fn typing_in_a_large_program_reuses_the_other_declarations() {
    let old = program(40, 3);
    let base = clean_parse(&old);
    // A digit changed, a line inserted, a declaration removed, in the middle of the file.
    let at = old.find("env app20-e1").unwrap();
    let line_end = at + old[at..].find('\n').unwrap() + 1;
    let decl_end = at + old[at..].find("}\n\n").unwrap() + 3;
    let edits = [
        format!("{}{}", &old[..line_end], &old[line_end..].replacen("min = 1", "min = 2", 1)),
        format!("{}  # a new comment\n{}", &old[..line_end], &old[line_end..]),
        format!("{}{}", &old[..at], &old[decl_end..]),
    ];
    for (i, new) in edits.iter().enumerate() {
        let (full, reused) = check(&old, &base, new, &format!("typing edit {i}"));
        assert!(reused, "typing edit {i} parsed the whole file");
        // Entries after the edit moved with it (the last one by the change in length).
        let moved = (new.len() as i64 - old.len() as i64) as i32;
        let (before, after) = (base.entries.last().unwrap().span(), full.file.entries.last().unwrap().span());
        assert_eq!(after.start as i32 - before.start as i32, moved, "typing edit {i}");
    }
}

#[test]
fn reanalysis_after_edits_equals_a_fresh_analysis() {
    use pf_compiler::driver::{analyze, reanalyze, NoFiles, Root};
    let root = |text: &str| vec![Root { name: "main.pf".into(), bytes: text.as_bytes().to_vec() }];
    let mut rng = Lcg(0xa11);
    for text in corpus() {
        // The previous analysis is the last one that parsed, as in the language server.
        let mut previous = analyze(root(&text), &NoFiles);
        for step in 0..20 {
            let Ok(next) = String::from_utf8(mutate(&mut rng, &text)) else { continue };
            let fresh = analyze(root(&next), &NoFiles);
            let again = reanalyze(root(&next), &NoFiles, &previous);
            assert_eq!(again.files, fresh.files, "step {step}");
            assert_eq!(again.diagnostics, fresh.diagnostics, "step {step}");
            assert_eq!(again.checked.program, fresh.checked.program, "step {step}");
            if !fresh.diagnostics.iter().any(|d| d.code.id.starts_with("PF0")) {
                previous = again;
            }
        }
    }
}
