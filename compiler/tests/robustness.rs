//! Robustness on stable Rust, in bounded time: thousands of deterministic mutations of the
//! examples (random byte ranges deleted, duplicated or replaced by syntax fragments and random
//! bytes) go through the whole pipeline: bytes -> decode -> parse -> check -> generate, and
//! through the formatter. Nothing may panic; the formatter must be idempotent and keep the
//! meaning on every input that parses. `PF_FUZZ_ITERATIONS` raises the count for long runs.

use pf_compiler::codegen::{generate, Options};
use pf_compiler::driver::{analyze, NoFiles, Root};
use pf_compiler::fmt::format;
use pf_compiler::testgen::Lcg;

const FRAGMENTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b"\"",
    b"=",
    b",",
    b"\n",
    b"#",
    b" -> ",
    b"${",
    b"\\",
    b"env x : y {",
    b"stage s { deploy prod }",
    b"approve a { distinct = true }",
    b"10.0.0.0/8",
    b"99999999999999999999",
    b"3d",
    b"20GB",
    b"60%",
    b"secret(\"x\")",
    b"\xff\xfe",
    b"\0",
    b"\xe2\x82\xac",
];

fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .collect();
    v.sort();
    v.into_iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn mutate(rng: &mut Lcg, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            1 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())];
                out.splice(at..at, f.iter().copied());
            }
            2 => {
                let end = (at + rng.below(60)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
            _ => {
                let b = (rng.next() & 0xff) as u8;
                out.insert(at, b);
            }
        }
    }
    out
}

#[test]
fn mutated_programs_never_panic_and_format_is_stable() {
    let iterations: usize =
        std::env::var("PF_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(1500);
    let corpus = corpus();
    let mut rng = Lcg(0x5eed);
    let (mut parsed, mut clean) = (0, 0);
    for i in 0..iterations {
        let input = mutate(&mut rng, &corpus[i % corpus.len()]);
        let a = analyze(vec![Root { name: "fuzz.pf".into(), bytes: input.clone() }], &NoFiles);
        if !a.has_errors() {
            clean += 1;
            let _ = generate(&a.checked.program, &Options::default());
        }
        if let Ok(text) = std::str::from_utf8(&input) {
            if let Ok(once) = format(text) {
                parsed += 1;
                let twice = format(&once)
                    .unwrap_or_else(|d| panic!("formatted output does not parse: {d:?}\n{once}"));
                assert_eq!(once, twice, "format is not idempotent on input {i}");
            }
        }
    }
    // The mutations must exercise both paths, or the test proves nothing.
    assert!(parsed > iterations / 10, "only {parsed} of {iterations} mutants parsed");
    assert!(clean > 0, "no mutant checked cleanly");
}
