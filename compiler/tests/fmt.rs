//! Properties of `pf fmt` on a corpus of odd inputs and every example and stdlib file:
//! idempotent, meaning-preserving, comment-preserving, insensitive to extra whitespace.

use pf_compiler::ast::File;
use pf_compiler::fmt::format;
use pf_compiler::source::FileId;
use pf_compiler::syntax::parse;
use std::path::{Path, PathBuf};

/// The corpus files under `tests/fmt/`, then every `.pf` file under `examples/` and `stdlib/`.
fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [root.join("tests/fmt"), root.join("../examples"), root.join("../stdlib")] {
        collect(&dir, &mut paths);
    }
    assert!(paths.len() >= 20, "the corpus is too small: {}", paths.len());
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.display().to_string(), text)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "pf") {
            out.push(path);
        }
    }
}

fn fmt(name: &str, text: &str) -> String {
    format(text).unwrap_or_else(|d| panic!("{name} does not parse: {d:?}"))
}

/// The tree of `text` with every span removed, as text (from its `Debug` form).
fn shape(text: &str) -> String {
    let parsed = parse(FileId(0), text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let File { entries, .. } = parsed.file;
    strip_spans(&format!("{entries:?}"))
}

/// Removes every `Span { .. }` from a compact `Debug` rendering.
fn strip_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut rest = debug;
    while let Some(at) = rest.find("Span { file") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The comment texts of `text`, trimmed and sorted.
fn comments(text: &str) -> Vec<String> {
    let mut texts: Vec<_> =
        parse(FileId(0), text).file.comments.iter().map(|c| c.text.trim().to_string()).collect();
    texts.sort();
    texts
}

#[test]
fn span_stripping_sees_real_differences() {
    assert_eq!(shape("a = 1"), shape("a   =  1\n"));
    assert_ne!(shape("a = 1"), shape("a = 2"));
    assert_ne!(shape("a { b = 1 }"), shape("a { c = 1 }"));
}

#[test]
fn formatting_is_idempotent() {
    for (name, text) in corpus() {
        let once = fmt(&name, &text);
        let twice = fmt(&name, &once);
        assert_eq!(once, twice, "{name} is not stable:\n{once}");
    }
}

#[test]
fn formatting_preserves_meaning() {
    for (name, text) in corpus() {
        let out = fmt(&name, &text);
        assert_eq!(shape(&text), shape(&out), "{name} changed meaning:\n{out}");
    }
}

#[test]
fn formatting_preserves_comments() {
    for (name, text) in corpus() {
        let out = fmt(&name, &text);
        assert_eq!(comments(&text), comments(&out), "{name} lost or gained a comment:\n{out}");
    }
}

#[test]
fn output_has_the_canonical_shape() {
    for (name, text) in corpus() {
        let out = fmt(&name, &text);
        assert!(out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")), "{name}: end");
        assert!(!out.starts_with('\n') && !out.contains('\r') && !out.contains("\n\n\n"), "{name}");
        for line in out.lines() {
            assert_eq!(line, line.trim_end(), "{name}: trailing blanks");
            let indent = line.len() - line.trim_start_matches(' ').len();
            assert!(indent % 2 == 0 && !line.starts_with('\t'), "{name}: indentation of {line:?}");
        }
        assert!(!out.contains("{\n\n") && !out.contains("\n\n}"), "{name}: blank line at a brace");
    }
}

#[test]
fn broken_files_are_not_formatted() {
    for text in ["app web {", "app web { x = }", "x = \"open", "]"] {
        assert!(format(text).is_err(), "{text:?}");
    }
}

/// A number too large to hold is a value mistake the checker reports against its field
/// (PF0009), not a syntax error: the formatter keeps it as written.
#[test]
fn numbers_too_large_are_kept_as_written() {
    let text =
        "app web {\n  deploy = ec2 { port = 99999999999999999999 }\n  size   = 18446744073709551615GB\n}\n";
    assert_eq!(format(text).unwrap(), text);
}

/// A tiny deterministic generator (a linear congruential one).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Adds blanks where a blank already is (outside strings and comments) and doubles blank lines.
fn mutate(text: &str, rng: &mut Lcg) -> String {
    let mut out = String::new();
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    let mut prev = '\n';
    for c in text.chars() {
        if in_comment {
            in_comment = c != '\n' && c != '\r';
        } else if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            in_comment = true;
        } else if (c == ' ' || c == '\t') && rng.next().is_multiple_of(3) {
            out.push_str([" ", "\t", "  ", " \t "][(rng.next() % 4) as usize]);
        } else if c == '\n' && prev == '\n' && rng.next().is_multiple_of(2) {
            out.push('\n');
        }
        out.push(c);
        prev = c;
    }
    out
}

#[test]
fn extra_whitespace_does_not_change_the_output() {
    let mut rng = Lcg(42);
    for (name, text) in corpus() {
        let expected = fmt(&name, &text);
        for round in 0..8 {
            let mutated = mutate(&text, &mut rng);
            assert_eq!(fmt(&name, &mutated), expected, "{name}, round {round}:\n{mutated}");
        }
    }
}

#[test]
fn snapshots() {
    let corpus = corpus();
    for stem in [
        "02_comments_everywhere",
        "03_inline_bodies",
        "04_inline_too_long",
        "05_lists",
        "07_blank_runs",
        "13_alignment",
        "16_comments_in_lists",
        "19_nested_values",
    ] {
        let (name, text) = corpus.iter().find(|(n, _)| n.contains(stem)).expect(stem);
        insta::assert_snapshot!(stem, fmt(name, text));
    }
}
