//! `pf diff`: identical builds, replacements and data loss in a protected environment, an
//! in-place instance type change, a removed approval, build folders, `--base`, formats, exit codes.
//!
//! The programs are `examples/webshop.pf` with one change each (its `prod` is protected).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pf(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pf")).args(args).current_dir(dir).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn webshop() -> String {
    std::fs::read_to_string(root().join("examples/webshop.pf")).unwrap()
}

/// The webshop with `from` replaced by `to` (which must be there).
fn changed(from: &str, to: &str) -> String {
    let source = webshop();
    assert!(source.contains(from), "examples/webshop.pf no longer contains {from:?}");
    source.replacen(from, to, 1)
}

/// Writes `old.pf` and `new.pf`, runs `pf diff old.pf new.pf ARGS`.
fn diff(old: &str, new: &str, args: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.pf"), old).unwrap();
    std::fs::write(dir.path().join("new.pf"), new).unwrap();
    let out = pf(&[&["diff", "old.pf", "new.pf"], args].concat(), dir.path());
    (dir, out)
}

fn json(old: &str, new: &str) -> Value {
    let (_dir, out) = diff(old, new, &["--format", "json"]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("pf diff --format json prints JSON")
}

/// The resource `id` of the stack `stack` in a JSON review.
fn resource<'a>(review: &'a Value, stack: &str, id: &str) -> &'a Value {
    let s = review["stacks"].as_array().unwrap().iter().find(|s| s["name"] == stack);
    let s = s.unwrap_or_else(|| panic!("no stack {stack} in {review:#}"));
    let r = s["resources"].as_array().unwrap().iter().find(|r| r["id"] == id);
    r.unwrap_or_else(|| panic!("no resource {id} in stack {stack}: {s:#}"))
}

fn findings<'a>(review: &'a Value, kind: &str) -> Vec<&'a Value> {
    review["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == kind).collect()
}

#[test]
fn identical_programs_exit_0_without_findings() {
    let (_dir, out) = diff(&webshop(), &webshop(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout), "pf diff: no changes\n");
    let review = json(&webshop(), &webshop());
    assert_eq!(review["version"], 1);
    assert_eq!(review["changed"], false);
    assert_eq!(review["findings"].as_array().unwrap().len(), 0);
    assert_eq!(review["stacks"].as_array().unwrap().len(), 0);
}

#[test]
fn identical_build_folders_exit_0_and_a_changed_one_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pf"), webshop()).unwrap();
    std::fs::write(dir.path().join("b.pf"), changed("storage = 20GB", "storage = 30GB")).unwrap();
    for (file, out) in [("a.pf", "one"), ("a.pf", "two"), ("b.pf", "three")] {
        let built = pf(&["build", file, "--out", out], dir.path());
        assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    }
    let same = pf(&["diff", "one", "two"], dir.path());
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
    let other = pf(&["diff", "one", "three"], dir.path());
    assert_eq!(other.status.code(), Some(1), "{}", text(&other.stderr));
    assert!(text(&other.stdout).contains("AllocatedStorage: \"20\" -> \"30\""), "{}", text(&other.stdout));
    // A folder against a program: the program is compiled in memory.
    let mixed = pf(&["diff", "one", "a.pf"], dir.path());
    assert_eq!(mixed.status.code(), Some(0), "{}", text(&mixed.stdout));
}

#[test]
fn a_database_engine_change_in_a_protected_env_is_a_replacement_and_a_data_loss_finding() {
    let (old, new) = (
        webshop(),
        changed(
            "database = postgres { class = \"db.m6g.large\"",
            "database = mysql { class = \"db.m6g.large\"",
        ),
    );
    let review = json(&old, &new);
    let db = resource(&review, "webshop-prod", "Database");
    assert_eq!(db["action"], "replace");
    assert_eq!(
        db["replacement"], "conditional",
        "Engine is a conditional create-only property of AWS::RDS::DBInstance"
    );
    let engine = db["properties"].as_array().unwrap().iter().find(|p| p["property"] == "Engine").unwrap();
    assert_eq!(engine["changes"][0]["before"], "postgres");
    assert_eq!(engine["changes"][0]["after"], "mysql");
    let loss = findings(&review, "data-loss");
    assert_eq!(loss.len(), 1, "one finding, for prod (uat is not protected): {loss:#?}");
    assert_eq!(loss[0]["stack"], "webshop-prod");
    let message = loss[0]["message"].as_str().unwrap();
    assert!(message.contains("UpdateReplacePolicy Snapshot"), "says what the policy does: {message}");
    for (fail_on, code) in [("data-loss", 1), ("replace", 1)] {
        let (_dir, out) = diff(&old, &new, &["--fail-on", fail_on]);
        assert_eq!(out.status.code(), Some(code), "--fail-on {fail_on}");
    }
}

#[test]
fn a_subnet_change_in_a_protected_env_replaces_the_subnets_and_puts_the_database_at_risk() {
    // prod's first private subnet moves; uat (which inherits prod's network) keeps its own.
    let subnets = |cidr: &str, private: &str| {
        format!("network {{ cidr = {cidr}.0.0/16, public = [{cidr}.0.0/19, {cidr}.32.0/19, {cidr}.64.0/19], private = [{private}, {cidr}.160.0/19, {cidr}.192.0/19] }}")
    };
    let program = |private: &str| {
        changed("network { cidr = 10.20.0.0/16 }", &subnets("10.20", private)).replacen(
            "network { cidr = 10.30.0.0/16 }",
            &subnets("10.30", "10.30.128.0/19"),
            1,
        )
    };
    let (old, new) = (program("10.20.128.0/19"), program("10.20.96.0/19"));
    let review = json(&old, &new);
    let subnet = resource(&review, "webshop-prod", "PrivateSubnet1");
    assert_eq!(subnet["action"], "replace");
    assert_eq!(subnet["replacement"], "always", "CidrBlock is create-only");
    let group = resource(&review, "webshop-prod", "DatabaseSubnetGroup");
    assert_eq!(group["action"], "modify", "SubnetIds is not create-only");
    assert_eq!(group["properties"][0]["cause"], "PrivateSubnet1 is replaced");
    let risk = findings(&review, "data-at-risk");
    assert_eq!(risk.len(), 1, "{:#}", review["findings"]);
    assert_eq!(risk[0]["resource"], "Database");
    assert!(risk[0]["message"].as_str().unwrap().contains("DatabaseSubnetGroup"));
    let (_dir, out) = diff(&old, &new, &["--fail-on", "data-loss"]);
    assert_eq!(out.status.code(), Some(1), "data at risk fails --fail-on data-loss");
}

#[test]
fn an_instance_type_change_modifies_the_launch_template_and_replaces_nothing() {
    let (old, new) = (
        webshop(),
        changed(
            "network { cidr = 10.10.0.0/16 }",
            "network { cidr = 10.10.0.0/16 }\n  compute { instance = \"t3.small\" }",
        ),
    );
    let review = json(&old, &new);
    let template = resource(&review, "webshop-test", "LaunchTemplate");
    assert_eq!(template["action"], "modify");
    assert_eq!(template["replacement"], "never");
    let change = &template["properties"][0]["changes"][0];
    assert_eq!(change["path"], "LaunchTemplateData.InstanceType");
    assert_eq!((change["before"].as_str(), change["after"].as_str()), (Some("t3.micro"), Some("t3.small")));
    let replaced =
        review["stacks"].as_array().unwrap().iter().flat_map(|s| s["resources"].as_array().unwrap());
    assert_eq!(replaced.filter(|r| r["action"] == "replace").count(), 0);
    assert_eq!(review["findings"].as_array().unwrap().len(), 0);
    let (_dir, out) = diff(&old, &new, &["--fail-on", "replace"]);
    assert_eq!(out.status.code(), Some(0), "nothing is replaced: {}", text(&out.stdout));
    let (_dir, out) = diff(&old, &new, &[]);
    assert_eq!(out.status.code(), Some(1), "but something changes");
    // The cost delta: one more t3.small-priced step of the test environment.
    let delta = review["cost"]["changes"].as_array().unwrap();
    assert_eq!(delta.len(), 1, "{delta:#?}");
    assert_eq!(delta[0]["name"], "test");
    assert!(delta[0]["after"]["monthly"]["min"].as_f64() > delta[0]["before"]["monthly"]["min"].as_f64());
}

#[test]
fn a_removed_approval_is_a_finding() {
    // An approval can be removed only where nothing protected needs it: prod unprotected.
    let unprotected =
        changed("env prod : highly_available {", "env prod : highly_available {\n  protected = false");
    let start = unprotected.find("  stage release {").unwrap();
    let end = unprotected.find("  stage prod").unwrap();
    let without = format!("{}{}", &unprotected[..start], &unprotected[end..]);
    let review = json(&unprotected, &without);
    let removed = findings(&review, "approval-removed");
    assert_eq!(removed.len(), 1, "{:#}", review["findings"]);
    let message = removed[0]["message"].as_str().unwrap();
    assert!(message.contains("product-owner") && message.contains("stage prod"), "{message}");
    assert_eq!(findings(&review, "stage-removed").len(), 1, "the release stage is gone too");
    let (_dir, out) = diff(&unprotected, &without, &["--format", "markdown"]);
    let md = text(&out.stdout);
    assert!(md.starts_with("### pf diff: ") && md.contains("**approval-removed**"), "{md}");
}

#[test]
fn base_compares_with_the_program_at_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    git(&["init", "-q"]);
    std::fs::create_dir(dir.path().join("ci")).unwrap();
    std::fs::write(dir.path().join("ci/app.pf"), webshop()).unwrap();
    git(&["add", "."]);
    git(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one"]);
    let same = pf(&["diff", "--base", "HEAD", "ci/app.pf"], dir.path());
    assert_eq!(same.status.code(), Some(0), "{}{}", text(&same.stdout), text(&same.stderr));
    std::fs::write(dir.path().join("ci/app.pf"), changed("storage = 100GB", "storage = 200GB")).unwrap();
    let other = pf(&["diff", "--base", "HEAD", "ci/app.pf"], dir.path());
    assert_eq!(other.status.code(), Some(1), "{}", text(&other.stderr));
    assert!(text(&other.stdout).contains("AllocatedStorage: \"100\" -> \"200\""), "{}", text(&other.stdout));
    let missing = pf(&["diff", "--base", "no-such-ref", "ci/app.pf"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("cannot read ci/app.pf at no-such-ref"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pf"), webshop()).unwrap();
    std::fs::write(dir.path().join("bad.pf"), "env {").unwrap();
    for (args, says) in [
        (vec!["diff", "a.pf"], "give two sides"),
        (vec!["diff", "--base", "HEAD", "a.pf", "a.pf"], "with --base, give only the new program"),
        (vec!["diff", "a.pf", "missing.pf"], "cannot read missing.pf"),
        (vec!["diff", "a.pf", "bad.pf"], "bad.pf does not compile"),
        (vec!["diff", "a.pf", "a.pf", "--region", "mars-1"], "`mars-1` is not a region pf knows"),
    ] {
        let out = pf(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("panicked"));
    }
}
