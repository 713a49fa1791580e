//! `pf fmt` end to end: the binary on temporary files and standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const MESSY: &str = "app   web{\nport=80\n  runtime =  \"go\"\n}\n";
const CLEAN: &str = "app web {\n  port    = 80\n  runtime = \"go\"\n}\n";

fn pf(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pf")).args(args).current_dir(dir).output().expect("run pf")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn rewrites_files_in_place_silently() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pf"), MESSY).unwrap();
    std::fs::write(dir.path().join("b.pf"), CLEAN).unwrap();
    let out = pf(&["fmt", "a.pf", "b.pf"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read_to_string(dir.path().join("a.pf")).unwrap(), CLEAN);
    assert_eq!(std::fs::read_to_string(dir.path().join("b.pf")).unwrap(), CLEAN);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn check_lists_files_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pf"), MESSY).unwrap();
    std::fs::write(dir.path().join("b.pf"), CLEAN).unwrap();
    let out = pf(&["fmt", "--check", "a.pf", "b.pf"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "a.pf\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("a.pf")).unwrap(), MESSY);

    let out = pf(&["fmt", "--check", "b.pf"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn dash_formats_standard_input_to_standard_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(MESSY.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), CLEAN);
}

#[test]
fn a_file_that_does_not_parse_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "app web {\n  port = \n}\n";
    std::fs::write(dir.path().join("bad.pf"), broken).unwrap();
    let out = pf(&["fmt", "bad.pf"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.pf:2:3: error[PF0001]:"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("bad.pf")).unwrap(), broken);
}

#[test]
fn a_file_that_is_not_utf8_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bin.pf"), b"app \xff {}\n").unwrap();
    let out = pf(&["fmt", "bin.pf"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bin.pf:1:5: error[PF0003]:"), "{}", stderr(&out));
}

#[test]
fn a_missing_file_or_a_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = pf(&["fmt", "missing.pf"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.pf"), "{}", stderr(&out));

    let out = pf(&["fmt", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_read_only_file_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pf");
    std::fs::write(&path, MESSY).unwrap();
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let out = pf(&["fmt", "a.pf"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error: cannot write a.pf: the file is read-only"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MESSY);
}
