//! Every diagnostic code has a doc page that follows the template, and its example really
//! produces the code.

use pf_compiler::diagnostic::codes::{self, Code};
use pf_compiler::driver::{self, Loader, Root};

/// Codes whose example cannot be written as a small text (a file that is not UTF-8, too large,
/// or binary): their page describes the input in prose in a ```text block.
const PROSE_EXAMPLES: &[&str] = &["PF0003", "PF0004", "PF0006"];

/// A loader for examples: they `use` nothing.
struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("{path}: examples cannot use other files"))
    }
}

/// The section of `doc` after the `## Example` heading, up to the next `## ` heading.
fn example_section(doc: &str) -> Option<&str> {
    let start = doc.find("\n## Example\n")? + "\n## Example\n".len();
    let rest = &doc[start..];
    Some(rest.find("\n## ").map_or(rest, |end| &rest[..end]))
}

/// The language and content of the first fenced block of `section`.
fn first_fence(section: &str) -> Option<(&str, &str)> {
    let open = section.find("```")?;
    let after = &section[open + 3..];
    let newline = after.find('\n')?;
    let lang = after[..newline].trim();
    let body = &after[newline + 1..];
    let close = body.find("\n```")?;
    Some((lang, &body[..close + 1]))
}

#[test]
fn every_code_has_a_doc_page_in_the_template() {
    let mut problems = Vec::new();
    for code in codes::ALL {
        let doc = code.doc;
        let heading = format!("# {}: {}", code.id, code.name);
        if doc.lines().next() != Some(heading.as_str()) {
            problems.push(format!("{}: first line is not `{heading}`", code.id));
        }
        if !doc.contains("**What:**") {
            problems.push(format!("{}: no **What:**", code.id));
        }
        if !doc.contains("\n## Fix\n") {
            problems.push(format!("{}: no ## Fix", code.id));
        }
        match example_section(doc).and_then(first_fence) {
            Some(("pf" | "text", body)) if !body.trim().is_empty() => {}
            _ => problems.push(format!("{}: no ## Example with a ```pf block", code.id)),
        }
    }
    assert!(problems.is_empty(), "doc pages do not follow the template:\n{}", problems.join("\n"));
}

#[test]
fn every_example_produces_its_code() {
    let mut prose = Vec::new();
    let mut problems = Vec::new();
    for code in codes::ALL {
        let Some((lang, body)) = example_section(code.doc).and_then(first_fence) else {
            problems.push(format!("{}: no example", code.id));
            continue;
        };
        if lang == "text" {
            prose.push(code.id);
            continue;
        }
        let analysis = driver::analyze(
            vec![Root { name: "example.pf".into(), bytes: body.as_bytes().to_vec() }],
            &NoFiles,
        );
        let produced: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.id).collect();
        if !produced.contains(&code.id) {
            problems.push(format!("{}: the example produces {produced:?}", code.id));
        }
    }
    assert!(problems.is_empty(), "examples do not produce their code:\n{}", problems.join("\n"));
    assert_eq!(prose, PROSE_EXAMPLES, "only these codes may describe their example in prose");
}

#[test]
fn lookup_finds_every_code() {
    for code in codes::ALL {
        let found: Option<Code> = codes::lookup(&code.id.to_lowercase());
        assert_eq!(found.map(|c| c.id), Some(code.id));
    }
    assert!(codes::lookup("PF9999").is_none());
}
