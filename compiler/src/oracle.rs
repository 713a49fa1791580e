//! The properties the fuzz targets check, one function per target, shared by the cargo-fuzz
//! harness (`fuzz/`) and the stable-Rust test that replays its corpus and every crash it found
//! (`compiler/tests/fuzz_corpus.rs`). Each function panics when a property is violated; a panic
//! anywhere inside the compiler is a failure too.

use crate::codegen::{generate, Options};
use crate::driver::{analyze, NoFiles, Root};
use crate::source::FileId;
use crate::syntax::{decode, parse, parse_fast, parse_with_pest};

/// Parser: any bytes decode or get a diagnostic; any text parses (with recovery) without a
/// panic, and every tree the fast path returns equals pest's, with no diagnostic.
pub fn parser(bytes: &[u8]) {
    let Ok(text) = decode(FileId(0), bytes) else { return };
    let parsed = parse(FileId(0), &text);
    if let Some(fast) = parse_fast(FileId(0), &text) {
        let pest = parse_with_pest(FileId(0), &text);
        assert!(pest.diagnostics.is_empty(), "the fast path accepted a file pest rejects");
        assert!(
            pest.file.entries.iter().map(|e| &**e).eq(fast.iter()),
            "the fast path's tree differs from pest's"
        );
        assert!(parsed.diagnostics.is_empty() && parsed.file == pest.file, "parse() differs from pest");
    }
}

/// Checker: any bytes go through parsing and checking without a panic; every diagnostic's primary
/// span ends inside its file.
pub fn checker(bytes: &[u8]) {
    let a = analyze(vec![Root { name: "fuzz.pf".into(), bytes: bytes.to_vec() }], &NoFiles);
    for d in &a.diagnostics {
        let len = a.sources.get(d.primary.span.file).text.len();
        assert!(d.primary.span.end as usize <= len, "{} points past the end of its file", d.code.id);
    }
}

/// Formatter: on any text that parses, formatting is idempotent; that it keeps the meaning and
/// the comments is verified inside [`crate::fmt::format`] (debug builds panic otherwise).
pub fn formatter(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let Ok(once) = crate::fmt::format(text) else { return };
    let twice = crate::fmt::format(&once).expect("formatted output parses");
    assert!(once == twice, "format is not idempotent");
}

/// The whole pipeline: bytes to checked program to every output file, deterministic, with no
/// empty file; a program without errors always generates.
pub fn pipeline(bytes: &[u8]) {
    let a = analyze(vec![Root { name: "fuzz.pf".into(), bytes: bytes.to_vec() }], &NoFiles);
    if a.has_errors() {
        return;
    }
    let first = generate(&a.checked.program, &Options::default());
    assert!(first.iter().all(|f| !f.contents.is_empty()), "an output file is empty");
    assert!(first == generate(&a.checked.program, &Options::default()), "output is not deterministic");
}
