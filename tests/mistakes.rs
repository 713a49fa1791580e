//! The mistakes corpus (`tests/mistakes/*.pf`): one small program per mistake a user makes, as
//! data. Each file starts with a front matter of comment lines:
//!
//! ```text
//! # code: PF2002                 the code pf must report
//! # line: 32                     the line its primary span must be on
//! # fix: 60d                     a word the diagnostic's help or fix must contain
//! # source: CodePipeline ...     where the rule (or the mistake) comes from
//! ```
//!
//! A case is *caught* when a diagnostic of its code is reported, *on line* when that diagnostic
//! is on the line, *helpful* when its help, labels, notes or fix name the fix word, and *alone*
//! when it is the only diagnostic (one mistake, one diagnostic). The test prints
//! `caught N/M, on line N/M, helpful N/M, alone N/M` and fails below 100 % on any of them.

use pf_compiler::diagnostic::{render, Diagnostic};
use pf_compiler::driver::{self, Loader, Root};
use std::path::Path;

/// The corpus reads nothing but the standard library.
struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("the mistakes corpus does not read {path}"))
    }
}

/// The front matter of a case.
struct Expect {
    code: String,
    line: usize,
    fix: String,
}

fn front_matter(name: &str, text: &str) -> Expect {
    let field = |key: &str| {
        text.lines()
            .take_while(|l| l.starts_with('#'))
            .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{name}: the front matter has no `# {key}: ...` line"))
    };
    let _source = field("source");
    Expect {
        code: field("code"),
        line: field("line").parse().unwrap_or_else(|_| panic!("{name}: `# line:` is not a number")),
        fix: field("fix"),
    }
}

/// Everything a diagnostic says, for the "helpful" count.
fn words(d: &Diagnostic) -> String {
    let mut out = vec![d.message.clone(), d.primary.message.clone()];
    out.extend(d.help.clone());
    out.extend(d.notes.iter().cloned());
    out.extend(d.secondary.iter().map(|l| l.message.clone()));
    if let Some(f) = &d.fix {
        out.push(f.title.clone());
        out.extend(f.edits.iter().map(|e| e.replacement.clone()));
    }
    out.join("\n")
}

#[test]
fn every_mistake_is_caught_on_its_line_with_help_and_alone() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mistakes");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/mistakes")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 150, "the corpus has {} cases, fewer than 150", paths.len());
    let (mut caught, mut on_line, mut helpful, mut alone) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).expect("readable");
        let expect = front_matter(&name, &String::from_utf8_lossy(&bytes));
        let analysis = driver::analyze(vec![Root { name: name.clone(), bytes }], &NoFiles);
        let reported: Vec<&Diagnostic> =
            analysis.diagnostics.iter().filter(|d| d.suppression.is_none()).collect();
        let line = |d: &Diagnostic| render::locate(&analysis.sources, d.primary.span).line;
        let of_code: Vec<&&Diagnostic> = reported.iter().filter(|d| d.code.id == expect.code).collect();
        let is_caught = !of_code.is_empty();
        let is_on_line = of_code.iter().any(|d| line(d) == expect.line);
        let is_helpful = of_code.iter().any(|d| words(d).contains(&expect.fix));
        let is_alone = reported.len() == 1;
        caught += usize::from(is_caught);
        on_line += usize::from(is_on_line);
        helpful += usize::from(is_helpful);
        alone += usize::from(is_alone);
        if !(is_caught && is_on_line && is_helpful && is_alone) {
            let got: Vec<String> =
                reported.iter().map(|d| format!("{}@{}: {}", d.code.id, line(d), d.message)).collect();
            failures.push(format!(
                "{name}: expected {} on line {} naming `{}` (caught {is_caught}, on line {is_on_line}, helpful {is_helpful}, alone {is_alone}); got {got:?}",
                expect.code, expect.line, expect.fix
            ));
        }
    }
    let m = paths.len();
    println!("caught {caught}/{m}, on line {on_line}/{m}, helpful {helpful}/{m}, alone {alone}/{m}");
    assert!(failures.is_empty(), "{} of {m} cases fall short:\n{}", failures.len(), failures.join("\n"));
}
