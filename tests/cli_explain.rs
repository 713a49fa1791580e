//! `pf explain` end to end.

use std::process::{Command, Output};

fn pf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pf")).args(args).output().expect("run pf")
}

#[test]
fn explains_a_code() {
    let o = pf(&["explain", "PF0007"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("# PF0007: unbalanced-delimiter\n"), "{out}");
    assert!(out.contains("## Fix"));
    assert_eq!(pf(&["explain", "pf0007"]).status.code(), Some(0));
}

#[test]
fn unknown_code_suggests() {
    let o = pf(&["explain", "PF007"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("there is no code `PF007`"), "{err}");
    assert!(err.contains("did you mean `PF0007`?"), "{err}");
    assert_eq!(pf(&["explain"]).status.code(), Some(2));
}

#[test]
fn lists_every_code() {
    let o = pf(&["explain", "--list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    let first = out.lines().next().unwrap();
    let fields: Vec<&str> = first.split("  ").map(str::trim).filter(|s| !s.is_empty()).collect();
    assert_eq!(fields, ["PF0001", "invalid-syntax", "error", "A line is not a valid entry"]);
    assert_eq!(out.lines().count(), pf_compiler::diagnostic::codes::ALL.len());
}

/// Every document a `pf explain` page cites is in the repository: `docs/*.md` paths exist, and
/// each `docs/aws-facts.md D1.4`-style reference names a section (and an item of it) that is there.
#[test]
fn explain_pages_cite_only_documents_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let facts = std::fs::read_to_string(root.join("docs/aws-facts.md")).unwrap();
    let lines: Vec<&str> = facts.lines().collect();
    // The lines of section `id` (`D1`, `C2`): from its heading to the next section's.
    let section = |id: &str| -> Option<Vec<&str>> {
        let is_heading = |l: &str, id: &str| {
            let l = l.trim_start_matches("### ");
            l.strip_prefix(id).is_some_and(|rest| rest.starts_with([' ', '.']))
        };
        let start = lines.iter().position(|l| is_heading(l, id))?;
        let is_any_heading = |l: &&str| {
            let t = l.trim_start_matches("### ");
            let mut c = t.chars();
            matches!((c.next(), c.next()), (Some('A'..='Z'), Some('0'..='9'))) && is_heading(t, &t[..2])
        };
        let end = lines[start + 1..].iter().position(is_any_heading).map_or(lines.len(), |n| start + 1 + n);
        Some(lines[start..end].to_vec())
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("docs/errors")).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        for (i, _) in page.match_indices("docs/") {
            let cited: String =
                page[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/._-".contains(*c)).collect();
            let cited = cited.trim_end_matches('.');
            if cited.ends_with(".md") {
                assert!(
                    root.join(cited).exists(),
                    "{} cites {cited}, which is not in the repository",
                    path.display()
                );
                checked += 1;
            }
        }
        for (i, _) in page.match_indices("docs/aws-facts.md ") {
            let id: String =
                page[i + 18..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
            let id = id.trim_end_matches('.');
            let (top, item) = id.split_once('.').map_or((id, None), |(t, n)| (t, Some(n)));
            let lines = section(top).unwrap_or_else(|| {
                panic!("{} cites section {top} of docs/aws-facts.md, which has none", path.display())
            });
            if let Some(n) = item {
                let numbered = format!("{n}.");
                assert!(
                    lines.iter().any(|l| l.trim_start().starts_with(&numbered)),
                    "{} cites item {id} of docs/aws-facts.md, which section {top} does not have",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "the pages cite documents ({checked} references checked)");
}
