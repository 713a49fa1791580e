//! A reanalysis takes the checked bodies of the entries an edit neither touched nor moved from
//! the previous analysis (`check::resolve`'s `BodyCheck`), and the result equals a fresh
//! analysis: the same diagnostics (those of reused bodies replayed, their fixes included).

use pf_compiler::driver::{analyze, reanalyze, Analysis, NoFiles, Root};
use std::sync::Arc;

fn root(text: &str) -> Vec<Root> {
    vec![Root { name: "app.pf".into(), bytes: text.as_bytes().to_vec() }]
}

/// `envs` as the program declares them: `prod` first, with a missing `network.cidr` (PF1003,
/// with a fix that adds it) and an unknown field (PF1001, with a did-you-mean fix).
const BEFORE: &str = r#"use std.build.go

app shop {
  source = codecommit { repository = "shop" }
  build = go
  deploy = ec2 { port = 8080 }
}

env prod {
  network { azs = 2 }
  compute { min = 1, max = 2, instnce = "t3.micro" }
}

env test {
  network { cidr = 10.1.0.0/16 }
  compute { min = 1, max = 1 }
}

pipeline shop {
  stage build { build }
  stage test { deploy test }
  stage prod { deploy prod }
}
"#;

/// `text` reanalysed from `previous`, checked against a fresh analysis of it (the same
/// diagnostics and program).
fn reanalyzed(text: &str, previous: &Analysis) -> Analysis {
    let got = reanalyze(root(text), &NoFiles, previous);
    let fresh = analyze(root(text), &NoFiles);
    assert_eq!(got.diagnostics, fresh.diagnostics);
    assert_eq!(got.checked.program, fresh.checked.program);
    got
}

fn env<'a>(a: &'a Analysis, name: &str) -> &'a pf_compiler::check::Decl {
    a.checked.decls.envs.iter().find(|d| d.name.name == name).expect("declared")
}

#[test]
fn unmoved_entries_keep_their_checked_bodies_and_the_result_equals_a_fresh_analysis() {
    let first = analyze(root(BEFORE), &NoFiles);
    let codes: Vec<&str> = first.diagnostics.iter().map(|d| d.code.id).collect();
    assert!(codes.contains(&"PF1003") && codes.contains(&"PF1001"), "{codes:?}");

    // An edit after `prod` that keeps the length (`max = 1` -> `max = 3` in `test`): every
    // entry is unmoved, so both bodies are reused, `prod`'s with its two findings.
    let same_length = BEFORE.replace("max = 1 }", "max = 3 }");
    let second = reanalyzed(&same_length, &first);
    assert!(Arc::ptr_eq(&env(&first, "prod").own, &env(&second, "prod").own), "prod's body is reused");
    assert!(!Arc::ptr_eq(&env(&first, "test").own, &env(&second, "test").own), "test was edited");

    // An edit that moves `test` and the pipeline (a longer value in `test`): `prod`, before
    // it, is still reused; `test` is checked again.
    let longer = BEFORE.replace("max = 1 }", "max = 10 }");
    let third = reanalyzed(&longer, &second);
    assert!(Arc::ptr_eq(&env(&second, "prod").own, &env(&third, "prod").own));

    // An edit inside `prod` (the missing field added): checked again, its findings gone.
    let fixed = longer.replace("network { azs = 2 }", "network { azs = 2, cidr = 10.0.0.0/16 }");
    let fourth = reanalyze(root(&fixed), &NoFiles, &third);
    let fresh = analyze(root(&fixed), &NoFiles);
    assert_eq!(fourth.diagnostics, fresh.diagnostics);
    assert!(!fourth.diagnostics.iter().any(|d| d.code.id == "PF1003"));
    assert!(!Arc::ptr_eq(&env(&third, "prod").own, &env(&fourth, "prod").own));
}

/// A flattened body is taken again when its entry and its parent's flattened body are the
/// same; a changed parent flattens it again.
#[test]
fn flattened_bodies_are_reused_while_their_parent_is_unchanged() {
    let text = BEFORE
        .replace("use std.build.go", "use std.build.go\nuse std.env.profiles")
        .replace(
            "env prod {",
            "profile base : cost_optimized {\n  compute { max = 4 }\n}\n\nenv prod : base {",
        )
        .replace("env test {", "env test : cost_optimized {");
    let first = analyze(root(&text), &NoFiles);
    let flat_of = |a: &Analysis, name: &str| env(a, name).flat() as *const _;

    // Edited after both: `prod` (on the local `base`) and `test` (on the standard profile) keep
    // their flattened bodies.
    let edited = text
        .replace("stage prod { deploy prod }", "stage prod { deploy prod }\n  stage last { deploy test }");
    let second = reanalyzed(&edited, &first);
    assert_eq!(flat_of(&first, "prod"), flat_of(&second, "prod"));
    assert_eq!(flat_of(&first, "test"), flat_of(&second, "test"));

    // `base` edited: `prod`, unmoved, keeps its own body but is flattened again on the new base.
    let edited = edited.replace("compute { max = 4 }", "compute { max = 5 }");
    let third = reanalyzed(&edited, &second);
    assert!(Arc::ptr_eq(&env(&second, "prod").own, &env(&third, "prod").own));
    assert_ne!(flat_of(&second, "prod"), flat_of(&third, "prod"));
}
