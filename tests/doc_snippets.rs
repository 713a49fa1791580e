//! Every ```` ```pf ```` block of README.md and docs/*.md says what it is, and is that:
//!
//! - ```` ```pf ````: a whole program, which `pf check` accepts without an error;
//! - ```` ```pf fragment ````: part of a program (a stage, a trigger, an environment of the
//!   tutorial's program), which must at least parse without a syntax error;
//! - ```` ```pf wrong ````: a program shown for its mistake, which must have an error;
//! - ```` ```pf init node ````: a change to the program `pf init --name shop --preset node`
//!   writes (the tutorial's): its declarations replace the starter's of the same name or are
//!   added, and the result must check without an error.
//!
//! The pages of `docs/errors/` are checked by `compiler/tests/codes.rs` (their example triggers
//! the code).

use pf_compiler::driver::{analyze, NoFiles, Root};
use pf_compiler::init::{starter, Preset};
use std::path::{Path, PathBuf};

/// A code block: its file, first line, info string after `pf`, and text.
struct Snippet {
    file: PathBuf,
    line: usize,
    kind: String,
    text: String,
}

fn snippets(file: &Path) -> Vec<Snippet> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    let mut open: Option<Snippet> = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = fence.strip_prefix("```pf") {
                    if info.is_empty() || info.starts_with(' ') {
                        open = Some(Snippet {
                            file: file.to_path_buf(),
                            line: i + 1,
                            kind: info.trim().to_string(),
                            text: String::new(),
                        });
                    }
                }
            }
            Some(s) => {
                if fence.starts_with("```") {
                    out.push(open.take().unwrap());
                } else {
                    s.text.push_str(line);
                    s.text.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "{}: a ```pf block is not closed", file.display());
    out
}

fn files() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

/// `program` with the top-level declarations of `change` in place of its own of the same header
/// line (`env prod : highly_available {`, compared up to the `:` or `{`), the others appended.
fn apply(program: &str, change: &str) -> String {
    let header = |line: &str| -> Option<String> {
        let head = line.split([':', '{']).next()?.trim();
        (!line.starts_with([' ', '\t', '#', '}']) && !head.is_empty()).then(|| head.to_string())
    };
    let mut out: Vec<String> = program.lines().map(str::to_string).collect();
    for block in change.split("\n}\n").filter(|b| !b.trim().is_empty()) {
        let block = format!("{}\n}}", block.trim_end());
        let Some(h) = block.lines().find_map(header) else { continue };
        match out.iter().position(|l| header(l).as_deref() == Some(h.as_str())) {
            Some(start) => {
                let end = (start..out.len()).find(|&i| out[i] == "}").expect("a closing brace");
                out.splice(start..=end, block.lines().map(str::to_string));
            }
            None => out.extend(block.lines().map(str::to_string)),
        }
    }
    out.join("\n") + "\n"
}

/// The diagnostics of `text` as one program: (code, line, message).
fn check(text: &str) -> Vec<(String, bool, String)> {
    let a = analyze(vec![Root { name: "snippet.pf".into(), bytes: text.as_bytes().to_vec() }], &NoFiles);
    a.diagnostics.iter().map(|d| (d.code.id.to_string(), d.is_error(), d.message.clone())).collect()
}

#[test]
fn every_pf_block_of_the_docs_is_what_it_says() {
    let mut failures = Vec::new();
    let mut counts = [0usize; 3];
    for file in files() {
        for s in snippets(&file) {
            let found = check(&s.text);
            let errors: Vec<&(String, bool, String)> = found.iter().filter(|d| d.1).collect();
            let at = format!("{}:{}", s.file.display(), s.line);
            match s.kind.as_str() {
                "" => {
                    counts[0] += 1;
                    if !errors.is_empty() {
                        failures.push(format!("{at}: a whole program with errors (mark it `pf fragment` if it is part of one): {errors:?}"));
                    }
                }
                "fragment" => {
                    counts[1] += 1;
                    let syntax: Vec<_> = found.iter().filter(|d| d.0.starts_with("PF0")).collect();
                    if !syntax.is_empty() {
                        failures.push(format!("{at}: a fragment that does not parse: {syntax:?}"));
                    }
                }
                "wrong" => {
                    counts[2] += 1;
                    if errors.is_empty() {
                        failures.push(format!("{at}: marked wrong, but it checks clean"));
                    }
                }
                "init node" => {
                    counts[0] += 1;
                    let program = apply(
                        &starter("shop", Preset::from_name("node").unwrap(), pf_compiler::init::Target::Ec2)
                            .unwrap(),
                        &s.text,
                    );
                    let errors: Vec<_> = check(&program).into_iter().filter(|d| d.1).collect();
                    if !errors.is_empty() {
                        failures.push(format!(
                            "{at}: the starter program with this change has errors: {errors:?}\n{program}"
                        ));
                    }
                }
                other => failures.push(format!(
                    "{at}: unknown kind `pf {other}` (none, `fragment`, `wrong` or `init node`)"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The README's tour and the tutorial are whole programs: the test must see some.
    assert!(counts[0] >= 2, "whole programs checked: {counts:?}");
}

#[test]
fn a_broken_snippet_is_caught() {
    // The test's own classification: a typo in a whole program is an error, a fragment is not
    // checked as a program, and a mark of `wrong` on a clean program is refused.
    let program = "use std.build.go\napp shop {\n  source = codecommit { repository = \"shop\" }\n  build = go\n  deploy = ec2 { port = 8080 }\n}\nenv test { network { cidr = 10.10.0.0/16 } }\npipeline shop {\n  stage build { build }\n  stage test { deploy test }\n}\n";
    assert!(check(program).iter().all(|d| !d.1), "{:?}", check(program));
    let typo = program.replace("deploy test", "deploy tset");
    assert!(check(&typo).iter().any(|d| d.1));
    let fragment = "trigger push { tags = [\"v*\"] }\n";
    assert!(check(fragment).iter().all(|d| !d.0.starts_with("PF0")));
    assert!(check("stage build { build\n").iter().any(|d| d.0.starts_with("PF0")));
    // A change to the starter replaces its declaration of the same name, and is checked.
    let start = starter("shop", Preset::from_name("node").unwrap(), pf_compiler::init::Target::Ec2).unwrap();
    assert!(check(&start).iter().all(|d| !d.1));
    let smaller = apply(&start, "env uat : prod {\n  compute { min = 1, max = 2 }\n}\n");
    assert!(smaller.contains("env uat : prod") && check(&smaller).iter().all(|d| !d.1), "{smaller}");
    let broken = apply(&start, "env prod : highly_available {\n  compute { min = 3, max = 2 }\n}\n");
    assert_eq!(broken.matches("env prod").count(), 1, "{broken}");
    assert!(check(&broken).iter().any(|d| d.1 && d.0 == "PF5001"), "{:?}", check(&broken));
}
