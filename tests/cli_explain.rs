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
