//! A reanalysis takes the checked bodies of the entries an edit did not touch from the previous
//! analysis (`check::resolve`'s `BodyCheck`; moved with their entry when the edit moved it), and
//! the result equals a fresh analysis: the same diagnostics (those of reused bodies replayed,
//! their fixes included) and the same declarations, spans included.

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
    // The declarations too, spans included: a body reused after a move has moved spans.
    let decls = |a: &Analysis| {
        let d = &a.checked.decls;
        d.apps
            .iter()
            .chain(&d.envs)
            .chain(&d.pipelines)
            .map(|d| (d.own.clone(), d.flat().clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(decls(&got), decls(&fresh));
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

/// An edit before an entry moves it: its body and findings are taken with their spans moved,
/// and equal a fresh analysis's (`prod`'s two findings and their fixes, `test`'s flattened body
/// on the standard profile).
#[test]
fn moved_entries_keep_their_bodies_with_moved_spans() {
    let text = BEFORE
        .replace("use std.build.go", "use std.build.go\nuse std.env.profiles")
        .replace("env test {", "env test : cost_optimized {");
    let first = analyze(root(&text), &NoFiles);
    // Shorter, then longer: `prod` and everything after it move back, then forth.
    for to in ["port = 80", "port = 8080, health_check = \"/up\""] {
        let edited = text.replacen("port = 8080", to, 1);
        let second = reanalyzed(&edited, &first);
        let moved = |a: &Analysis, code: &str| {
            a.diagnostics.iter().find(|d| d.code.id == code).map(|d| d.primary.span.start)
        };
        assert_ne!(moved(&first, "PF1003"), moved(&second, "PF1003"), "prod moved");
        // `prod`'s findings and their fixes' edits are inside its moved declaration.
        let prod = env(&second, "prod").span;
        for code in ["PF1003", "PF1001"] {
            let d = second.diagnostics.iter().find(|d| d.code.id == code).expect("prod's finding");
            let edits = &d.fix.as_ref().unwrap_or_else(|| panic!("{d:?}")).edits;
            assert!(edits.iter().all(|e| prod.start <= e.span.start && e.span.end <= prod.end), "{code}");
        }
    }
}

/// Random small edits (a character or blank lines typed anywhere, syntax errors included),
/// each reanalysed from the analysis of the text before it and then undone: every result
/// equals a fresh analysis.
#[test]
fn random_edits_reanalyse_as_fresh_analyses() {
    let text = BEFORE.replace("use std.build.go", "use std.build.go\nuse std.env.profiles").replace(
        "env test {",
        "profile base : cost_optimized {\n  compute { max = 4 }\n}\n\nenv test : base {",
    );
    let mut previous = analyze(root(&text), &NoFiles);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    for _ in 0..200 {
        let mut edited = text.clone();
        let at = next(text.len());
        edited.insert_str(at, ["1", " ", "x", "\n", "}", "\n\n", "#"][next(7)]);
        let after = reanalyzed(&edited, &previous);
        previous = reanalyzed(&text, &after);
    }
}
