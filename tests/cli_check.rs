//! `pf check` end to end: hostile inputs, exit codes and every output format.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const VALID: &str = r#"app webshop {
  source = codecommit { repository = "webshop", branch = "main" }
  build { build = ["make"] }
  deploy = ec2 { port = 8080, health_check = "/healthz" }
}
env test {
  network { cidr = 10.10.0.0/16, azs = 2, nat = single }
}
pipeline webshop {
  stage build { build }
  stage test  { deploy test }
}
"#;

fn pf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pf")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Checks `bytes` as `input.pf` in short format; returns the exit code and stdout.
fn check_bytes(bytes: &[u8]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "input.pf", bytes);
    let o = pf(dir.path(), &["check", "--format", "short", "input.pf"]);
    (o.status.code(), stdout(&o))
}

#[test]
fn valid_file_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.pf", VALID.as_bytes());
    let o = pf(dir.path(), &["check", "ok.pf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "checked 1 file: no problems\n");
    assert_eq!(stdout(&o), "");
}

#[test]
fn binary_file() {
    let (code, out) = check_bytes(b"app x {\0\0\x01\x02}");
    assert_eq!(code, Some(1));
    assert!(out.contains("error[PF0006]"), "{out}");
    assert!(out.contains("offset 7"), "{out}");
}

#[test]
fn invalid_utf8_names_the_offset() {
    let (code, out) = check_bytes(b"app caf\xE9 {}\n");
    assert_eq!(code, Some(1));
    assert!(out.contains("error[PF0003]"), "{out}");
    assert!(out.contains("offset 7"), "{out}");
}

#[test]
fn empty_and_comment_only_files() {
    for text in ["", "\n\n  \n", "# nothing here\n"] {
        let (code, out) = check_bytes(text.as_bytes());
        assert_eq!(code, Some(1), "{text:?}");
        assert_eq!(out, "input.pf:1:1: error[PF0002]: this file declares nothing\n");
    }
}

#[test]
fn huge_file_is_refused_quickly() {
    let line = "app webshop { port = 8080 }\n";
    let text = line.repeat(10 * 1024 * 1024 / line.len() + 1);
    let start = Instant::now();
    let (code, out) = check_bytes(text.as_bytes());
    assert_eq!(code, Some(1));
    assert!(out.contains("error[PF0004]"), "{out}");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn deep_nesting_does_not_crash() {
    let text = format!("x = {}", "[".repeat(20_000));
    let (code, out) = check_bytes(text.as_bytes());
    assert_eq!(code, Some(1));
    assert!(out.contains("error[PF0005]"), "{out}");
}

#[test]
fn missing_file_and_directory_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let o = pf(dir.path(), &["check", "missing.pf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error: cannot read missing.pf: "), "{}", stderr(&o));
    assert!(!stderr(&o).contains("no problems"), "nothing read is not a success: {}", stderr(&o));
    let o = pf(dir.path(), &["check", "sub"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read sub: it is a directory"), "{}", stderr(&o));
}

#[test]
fn no_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = pf(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let o = pf(dir.path(), &["check", "--format", "xml", "a.pf"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A directory with a valid file and a file with two errors.
fn two_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.pf", VALID.as_bytes());
    write(
        dir.path(),
        "bad.pf",
        VALID
            .replacen("  source", "  port: 8080\n  source", 1)
            .replacen("10.10.0.0/16", "10.300.0.0/16", 1)
            .as_bytes(),
    );
    dir
}

#[test]
fn human_output_and_summary_go_to_stderr() {
    let dir = two_files();
    let o = pf(dir.path(), &["check", "ok.pf", "bad.pf"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(err.contains("error[PF0001]: expected a field or block, found `port: 8080`"), "{err}");
    assert!(err.contains("bad.pf:2:3"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert!(err.ends_with("error: 2 errors in 2 files\n"), "{err}");
    assert!(!err.contains('\u{1b}'), "NO_COLOR must disable colour: {err}");
}

#[test]
fn json_document() {
    let dir = two_files();
    let o = pf(dir.path(), &["check", "--format", "json", "ok.pf", "bad.pf"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"], serde_json::json!({"errors": 2, "warnings": 0, "suppressed": 0}));
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "PF0001");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "bad.pf");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(3)));
    assert_eq!((d["end_line"].as_u64(), d["end_column"].as_u64()), (Some(2), Some(13)));
    assert_eq!((d["offset"].as_u64(), d["end_offset"].as_u64()), (Some(16), Some(26)));
    assert_eq!(d["labels"][0]["primary"], true);
    assert_eq!(d["suppressed"], false);
    assert!(d["justification"].is_null());
    assert!(d["fix"].is_null());
    assert_eq!(v["diagnostics"][1]["code"], "PF0011");
}

#[test]
fn sarif_log() {
    let dir = two_files();
    let o = pf(dir.path(), &["check", "--format", "sarif", "ok.pf", "bad.pf"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "pf");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["PF0001", "PF0011"]);
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "PF0001");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "bad.pf");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 3);
}

#[test]
fn short_and_github_formats() {
    let dir = two_files();
    let o = pf(dir.path(), &["check", "--format", "short", "ok.pf", "bad.pf"]);
    assert_eq!(
        stdout(&o),
        "bad.pf:2:3: error[PF0001]: expected a field or block, found `port: 8080`\n\
         bad.pf:8:20: error[PF0011]: `10.300.0.0/16` is not a valid CIDR block\n"
    );
    let o = pf(dir.path(), &["check", "--format", "github", "bad.pf"]);
    let out = stdout(&o);
    assert!(
        out.starts_with("::error file=bad.pf,line=2,col=3,endLine=2,endColumn=13,title=PF0001::expected"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 2);
}

#[test]
fn deny_warnings_keeps_clean_files_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.pf", VALID.as_bytes());
    let o = pf(dir.path(), &["check", "--deny-warnings", "ok.pf"]);
    assert_eq!(o.status.code(), Some(0));
}

/// Regression: nested lists once backtracked exponentially (each item was tried as a pair
/// first, parsing the whole value twice), so 30 levels took hours.
#[test]
fn nested_lists_parse_quickly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lists.pf", format!("x = {}1{}\n", "[".repeat(40), "]".repeat(40)).as_bytes());
    let mut child = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["check", "--format", "short", "lists.pf"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("pf check did not finish in 10 s on 40 nested lists");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// `pf check --fix` and `--diff`.

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// [`VALID`] with a `,` missing between two fields (PF0001, whose fix is safe).
fn missing_comma() -> String {
    VALID.replacen("port = 8080, health_check", "port = 8080 health_check", 1)
}

/// [`VALID`] with a quoted port (PF2001, safe fix: remove the quotes) and a build timeout
/// without a unit (PF2001, unsafe fix: `30m`).
fn safe_and_unsafe() -> String {
    VALID.replacen("port = 8080", "port = \"8080\"", 1).replacen(
        r#"["make"] }"#,
        r#"["make"], timeout = 30 }"#,
        1,
    )
}

/// Two misspelt standard profiles: each fix adds `use std.env.profiles` at the same place, so
/// the second one can only be applied in a second round, once the first has added the `use`.
const CHAINED: &str = r#"app webshop {
  source = codecommit { repository = "webshop", branch = "main" }
  build { build = ["make"] }
  deploy = ec2 { port = 8080, health_check = "/healthz" }
}
env test : cost_optimised {
  network { cidr = 10.10.0.0/16 }
}
env prod : highly_availble {
  network { cidr = 10.20.0.0/16 }
}
pipeline webshop {
  stage build   { build }
  stage test    { deploy test }
  stage approve { approve lead { notify = ["lead@example.com"] } }
  stage prod    { deploy prod }
}
"#;

/// The file's bytes, modification time and (on Unix) inode: a rewrite changes at least one.
fn fingerprint(path: &Path) -> (Vec<u8>, std::time::SystemTime, u64) {
    let meta = std::fs::metadata(path).unwrap();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    (std::fs::read(path).unwrap(), meta.modified().unwrap(), inode)
}

#[test]
fn fix_applies_safe_fixes_and_keeps_the_rest_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "input.pf", safe_and_unsafe().as_bytes());
    let o = pf(dir.path(), &["check", "--fix", "--format", "short", "input.pf"]);
    // The unsafe fix is not applied: its error remains, so the exit code is still 1.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let expected = VALID.replacen(r#"["make"] }"#, r#"["make"], timeout = 30 }"#, 1);
    assert_eq!(read(dir.path(), "input.pf"), expected);
    assert_eq!(stderr(&o), "fixed 1 problem in input.pf\n");
    assert_eq!(
        stdout(&o),
        "input.pf:3:39: error[PF2001]: expected duration (90s, 5m, 1h, 3d), found an integer\n"
    );
}

#[test]
fn fix_repairs_syntax_errors_and_exits_as_check_does_on_the_result() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "input.pf", missing_comma().as_bytes());
    let before = pf(dir.path(), &["check", "input.pf"]);
    assert_eq!(before.status.code(), Some(1));
    let o = pf(dir.path(), &["check", "--fix", "input.pf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "fixed 1 problem in input.pf\nchecked 1 file: no problems\n");
    assert_eq!(read(dir.path(), "input.pf"), VALID, "byte for byte, but for the `,`");
}

#[test]
fn fix_leaves_files_without_safe_fixes_untouched() {
    let dir = two_files();
    std::fs::write(
        dir.path().join("unsafe.pf"),
        VALID.replacen(r#"["make"] }"#, r#"["make"], timeout = 30 }"#, 1),
    )
    .unwrap();
    let names = ["ok.pf", "bad.pf", "unsafe.pf"];
    let before: Vec<_> = names.iter().map(|n| fingerprint(&dir.path().join(n))).collect();
    // Let a rewrite show in the modification time even on coarse clocks.
    std::thread::sleep(Duration::from_millis(20));
    let o = pf(dir.path(), &["check", "--fix", "--format", "short", "ok.pf", "bad.pf", "unsafe.pf"]);
    assert_eq!(o.status.code(), Some(1));
    let after: Vec<_> = names.iter().map(|n| fingerprint(&dir.path().join(n))).collect();
    assert_eq!(before, after);
    assert!(!stderr(&o).contains("fixed"), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3, "{}", stdout(&o));
    assert!(stdout(&o).contains("unsafe.pf:3:39: error[PF2001]"), "{}", stdout(&o));
}

#[test]
fn diff_writes_nothing_and_shows_the_change() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "input.pf", missing_comma().as_bytes());
    write(dir.path(), "ok.pf", VALID.as_bytes());
    let before = fingerprint(&dir.path().join("input.pf"));
    let o = pf(dir.path(), &["check", "--diff", "ok.pf", "input.pf"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(fingerprint(&dir.path().join("input.pf")), before);
    let out = stdout(&o);
    assert!(out.starts_with("--- a/input.pf\n+++ b/input.pf\n@@ -1,7 +1,7 @@\n"), "{out}");
    assert!(out.contains("\n-  deploy = ec2 { port = 8080 health_check = \"/healthz\" }\n"), "{out}");
    assert!(out.contains("\n+  deploy = ec2 { port = 8080, health_check = \"/healthz\" }\n"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with(['-', '+'])).count(), 4, "one line changed: {out}");
    assert_eq!(stderr(&o), "would fix 1 problem in input.pf\n");
    let o = pf(dir.path(), &["check", "--diff", "ok.pf"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "nothing to fix in 1 file\n");
    let o = pf(dir.path(), &["check", "--diff", "--fix", "ok.pf"]);
    assert_eq!(o.status.code(), Some(2), "--diff never writes, so it conflicts with --fix");
}

#[test]
fn fix_rewrites_every_file_given_and_reports_like_check() {
    let dir = two_files();
    write(dir.path(), "a.pf", missing_comma().as_bytes());
    write(dir.path(), "b.pf", safe_and_unsafe().as_bytes());
    let files = ["a.pf", "ok.pf", "b.pf", "bad.pf"];
    let args = |extra: &[&'static str]| [&["check", "--format", "json"], extra, &files[..]].concat();
    let o = pf(dir.path(), &args(&["--fix"]));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "fixed 1 problem in a.pf\nfixed 1 problem in b.pf\n");
    assert_eq!(read(dir.path(), "a.pf"), VALID);
    assert!(read(dir.path(), "b.pf").contains("port = 8080,"));
    // What remains is reported exactly as `pf check` reports the files as they now are.
    let check = pf(dir.path(), &args(&[]));
    assert_eq!(stdout(&o), stdout(&check));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 3, "b.pf's unsafe fix and bad.pf's two errors");
}

#[test]
fn chained_fixes_settle_in_rounds() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "input.pf", CHAINED.as_bytes());
    let o = pf(dir.path(), &["check", "--fix", "--format", "short", "input.pf"]);
    let text = read(dir.path(), "input.pf");
    assert!(text.contains("env test : cost_optimized {"), "{text}");
    assert!(text.contains("env prod : highly_available {"), "{text}");
    assert_eq!(text.matches("use std.env.profiles\n").count(), 1, "{text}");
    assert_eq!(stderr(&o), "fixed 2 problems in input.pf\n");
    assert!(!stdout(&o).contains("error"), "{}", stdout(&o));
    // Only warnings remain: `pf check` exits 0, unless warnings are denied.
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let denied = pf(dir.path(), &["check", "--fix", "--deny-warnings", "input.pf"]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn fix_never_writes_a_used_file() {
    let dir = tempfile::tempdir().unwrap();
    let lib = "env test {\n  network { cidr = 10.10.0.0/16, azs = \"2\" }\n}\n";
    write(dir.path(), "lib.pf", lib.as_bytes());
    let main = format!("use \"./lib.pf\"\n{}", missing_comma().split("env test").next().unwrap());
    let main =
        format!("{main}pipeline webshop {{\n  stage build {{ build }}\n  stage test {{ deploy test }}\n}}\n");
    write(dir.path(), "main.pf", main.as_bytes());
    let o = pf(dir.path(), &["check", "--fix", "--format", "short", "main.pf"]);
    assert_eq!(read(dir.path(), "lib.pf"), lib);
    assert_eq!(read(dir.path(), "main.pf"), main.replacen("8080 health", "8080, health", 1));
    assert_eq!(stdout(&o), "lib.pf:2:40: error[PF2001]: expected integer 1 to 6, found a string\n");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn fix_reports_files_it_cannot_read_or_write() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ro.pf", missing_comma().as_bytes());
    write(dir.path(), "a.pf", missing_comma().as_bytes());
    let ro = dir.path().join("ro.pf");
    let mut permissions = std::fs::metadata(&ro).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&ro, permissions).unwrap();
    let o = pf(dir.path(), &["check", "--fix", "--format", "short", "missing.pf", "ro.pf", "a.pf"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("error: cannot read missing.pf: "), "{err}");
    assert!(err.contains("error: cannot write ro.pf: the file is read-only\n"), "{err}");
    assert!(err.contains("fixed 1 problem in a.pf\n"), "the other files are still fixed: {err}");
    assert_eq!(read(dir.path(), "ro.pf"), missing_comma());
    assert_eq!(read(dir.path(), "a.pf"), VALID);
    // The file on disk still has its problem, and says so.
    assert_eq!(stdout(&o), "ro.pf:4:29: error[PF0001]: expected `,` or a new line between these entries\n");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file is left behind: {names:?}");
}
