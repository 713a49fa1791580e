//! Replays the fuzzers' findings on stable Rust, in every `cargo test`: each input that once
//! crashed or hung a fuzz target (`fuzz/regressions/<target>-*`) and the minimized corpus of each
//! target (`fuzz/corpus/<target>/`) go through the same property as in `fuzz/`
//! ([`pf_compiler::oracle`]). A regression must also finish quickly: the hangs the fuzzer found
//! took seconds on a 1 KB file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn target(name: &str) -> fn(&[u8]) {
    match name {
        "parser" => pf_compiler::oracle::parser,
        "checker" => pf_compiler::oracle::checker,
        "formatter" => pf_compiler::oracle::formatter,
        "pipeline" => pf_compiler::oracle::pipeline,
        other => panic!("no fuzz target `{other}`"),
    }
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_crash_the_fuzzers_found_stays_fixed() {
    let found = files(&fuzz_dir().join("regressions"));
    assert!(!found.is_empty(), "fuzz/regressions is empty");
    for path in found {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let run = target(name.split('-').next().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        let start = Instant::now();
        run(&bytes);
        // Also through the checker, whatever target found it: no input may hang the compiler.
        pf_compiler::oracle::checker(&bytes);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(2), "{name} took {took:?}");
    }
}

#[test]
fn the_fuzz_corpus_keeps_its_properties() {
    let mut total = 0;
    for name in ["parser", "checker", "formatter", "pipeline"] {
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(corpus.len() >= 100, "the {name} corpus has only {} inputs", corpus.len());
        let run = target(name);
        for path in &corpus {
            run(&std::fs::read(path).unwrap());
        }
        total += corpus.len();
    }
    eprintln!("{total} corpus inputs replayed");
}
