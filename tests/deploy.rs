//! Evidence that the output deploys: every example is built as its repository would hold it, then
//! deployed in an emulated account (moto, in process, `tests/deploy/harness.py`): the pipeline
//! stack, then every stack its CloudFormation actions deploy, then the same from a variant
//! program (other instance types: updates). cfripper runs on every generated template.
//! Needs `pip install "moto[cloudformation]==5.2.6" cfripper==1.22.1` (`.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .collect();
    v.sort();
    assert!(v.len() >= 5, "the five scenarios are examples");
    v
}

/// The variant of a program: every environment runs another instance type (an ECS app's: 1GB
/// more memory per task), so each environment stack is updated. The size is set in the
/// environment's own `compute` block (added if it has none), which overrides what a profile or
/// a parent gives. A Lambda function has no instances: its variant has twice the memory (the
/// function is updated and a version published).
fn variant(source: &str) -> String {
    if source.contains("deploy = lambda {") {
        return lambda_variant(source);
    }
    let ecs = source.contains("deploy = ecs");
    let mut out = Vec::new();
    let mut in_env = false;
    let mut env_has_compute = false;
    for line in source.lines() {
        if line.starts_with("env ") && line.trim_end().ends_with('{') {
            in_env = true;
            env_has_compute = source_env_body(source, line).contains("\n  compute {");
            out.push(line.to_string());
            if !env_has_compute {
                let size = if ecs { "cpu = 512, memory = 2GB" } else { "instance = \"c6i.large\"" };
                out.push(format!("  compute {{ {size} }}"));
            }
            continue;
        }
        if in_env && line == "}" {
            in_env = false;
        }
        if in_env && env_has_compute && line.starts_with("  compute {") {
            out.push(if ecs { with_more_memory(line) } else { with_instance(line) });
            continue;
        }
        out.push(line.to_string());
    }
    out.join("\n") + "\n"
}

/// A Lambda program with twice the function's memory (written as `memory = NMB`).
fn lambda_variant(source: &str) -> String {
    let start = source.find("memory").expect("the Lambda example sets its memory");
    let line_end = start + source[start..].find('\n').unwrap();
    let line = &source[start..line_end];
    let digits: String = line.chars().filter(char::is_ascii_digit).collect();
    let doubled = digits.parse::<u32>().unwrap() * 2;
    format!("{}{}{}", &source[..start], line.replacen(&digits, &doubled.to_string(), 1), &source[line_end..])
}

/// The body of the environment whose header is `header`, up to its closing brace.
fn source_env_body<'a>(source: &'a str, header: &str) -> &'a str {
    let start = source.find(header).unwrap();
    let rest = &source[start..];
    &rest[..rest.find("\n}").map_or(rest.len(), |i| i + 2)]
}

/// A `compute { ... }` line with another instance type.
fn with_instance(line: &str) -> String {
    let other = if line.contains("\"c6i.large\"") { "c6i.xlarge" } else { "c6i.large" };
    match line.find("instance") {
        Some(i) => {
            let value_start = i + line[i..].find('"').unwrap();
            let value_end = value_start + 1 + line[value_start + 1..].find('"').unwrap();
            format!("{}\"{other}\"{}", &line[..value_start], &line[value_end + 1..])
        }
        None => line.replacen("compute {", &format!("compute {{ instance = \"{other}\","), 1),
    }
}

/// A `compute { ... }` line of an ECS environment with 1GB more per task (`memory = NGB`).
fn with_more_memory(line: &str) -> String {
    let i = line.find("memory = ").expect("an ECS environment's compute block sizes its tasks")
        + "memory = ".len();
    let digits: String = line[i..].chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().unwrap();
    format!("{}{}{}", &line[..i], n + 1, &line[i + digits.len()..])
}

/// Copies each program into `root/NAME/` and builds it there, into its project's output folder,
/// as its repository would hold it (pf's output is committed next to the source).
fn build_projects(root: &Path, transform: fn(&str) -> String) {
    for e in examples() {
        let name = e.file_stem().unwrap().to_string_lossy().to_string();
        let dir = root.join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        let program = dir.join(e.file_name().unwrap());
        std::fs::write(&program, transform(&std::fs::read_to_string(&e).unwrap())).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_pf")).arg("build").arg(&program).output().unwrap();
        assert!(
            o.status.success(),
            "pf build {} failed:\n{}",
            program.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

fn python(script: &str, args: &[&Path]) -> (bool, String) {
    let o = Command::new("python3")
        .arg(Path::new("tests/deploy").join(script))
        .args(args)
        .output()
        .expect("python3 is needed");
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

/// One example's block of the harness's report.
fn block<'a>(report: &'a str, example: &str) -> &'a str {
    let start =
        report.find(&format!("example: {example}\n")).unwrap_or_else(|| panic!("{example} in:\n{report}"));
    let rest = &report[start + 1..];
    &report[start..start + 1 + rest.find("\nexample: ").or_else(|| rest.find("\ndeployed ")).unwrap()]
}

fn listed(block: &str, label: &str) -> Vec<String> {
    let line = block
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("{label} in {block}"));
    line.split_once(':')
        .unwrap()
        .1
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn variant_changes_every_environment() {
    let webshop = std::fs::read_to_string("examples/webshop.pf").unwrap();
    let v = variant(&webshop);
    // test and prod have no compute block of their own; uat has one.
    assert_eq!(v.matches("compute { instance = \"c6i.large\" }").count(), 2, "{v}");
    assert!(v.contains("compute { instance = \"c6i.large\", min = 1, max = 2, desired = 1 }"), "{v}");
    let go = std::fs::read_to_string("examples/go-service.pf").unwrap();
    let v = variant(&go);
    assert!(v.contains("compute { instance = \"c6i.large\", min = 1, max = 3 }"), "{v}");
    assert!(!v.contains("t3.small"), "{v}");
    let ecs = std::fs::read_to_string("examples/orders-ecs.pf").unwrap();
    let v = variant(&ecs);
    assert!(v.contains("compute { cpu = 512, memory = 2GB, min = 1, max = 3 }"), "{v}");
    assert!(v.contains("compute { cpu = 1024, memory = 3GB, min = 3, max = 9"), "{v}");
    assert!(!v.contains("instance"), "{v}");
    let lambda = std::fs::read_to_string("examples/thumbnails-lambda.pf").unwrap();
    let v = variant(&lambda);
    assert!(v.contains("memory               = 2048MB"), "{v}");
    assert!(!v.contains("compute {"), "{v}");
}

#[test]
fn every_example_creates_and_updates_in_an_emulated_account() {
    let dir = tempfile::tempdir().unwrap();
    let (base, changed) = (dir.path().join("base"), dir.path().join("variant"));
    build_projects(&base, str::to_string);
    build_projects(&changed, variant);
    let (ok, report) = python("harness.py", &[&base, &changed]);
    println!("{report}");
    assert!(ok, "emulated deployments failed:\n{report}");
    for e in examples() {
        let name = e.file_stem().unwrap().to_string_lossy().to_string();
        let b = block(&report, &name);
        let created = listed(b, "created:");
        let updated = listed(b, "updated:");
        let environments: Vec<&String> = created.iter().filter(|s| !s.ends_with("-pipeline")).collect();
        assert!(created.iter().any(|s| s.ends_with("-pipeline")), "{name}: no pipeline stack\n{b}");
        assert!(!environments.is_empty(), "{name}: no environment stack\n{b}");
        for env in environments {
            assert!(updated.contains(env), "{name}: the variant did not update {env}\n{b}");
        }
        assert!(b.contains("not modelled by moto (not verified):"), "{b}");
    }
    // Three accounts, two regions: each environment in its own account and region, after each
    // target account's bootstrap and the extra region's support stack.
    let b = block(&report, "enterprise");
    let created = listed(b, "created:");
    assert!(created.contains(&"treasury-test".to_string()), "{b}");
    assert!(created.contains(&"treasury-uat@222222222222/us-east-1".to_string()), "{b}");
    assert!(created.iter().any(|s| s.starts_with("treasury-prod@") && s.ends_with("/eu-west-1")), "{b}");
    let administered = listed(b, "administered once");
    assert_eq!(administered.len(), 3, "{b}");
    assert!(administered.contains(&"treasury-pf-bootstrap@222222222222/us-east-1".to_string()), "{b}");
    assert!(
        administered.iter().any(|s| s.starts_with("treasury-pf-support@") && s.ends_with("/eu-west-1")),
        "{b}"
    );
}

/// The harness rejects what CloudFormation rejects: an undeclared configuration parameter, and a
/// parameter without a default that is not given.
#[test]
fn harness_rejects_what_cloudformation_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    build_projects(&base, str::to_string);
    for e in examples() {
        let name = e.file_stem().unwrap().to_string_lossy().to_string();
        if name != "gitops" {
            std::fs::remove_dir_all(base.join(&name)).unwrap();
        }
    }
    let config = base.join("gitops/infra/ledger/config/live.json");
    let original = std::fs::read_to_string(&config).unwrap();
    let cases = [
        (
            "\"EnvName\": \"live\",",
            "\"EnvName\": \"live\", \"Typo\": \"1\",",
            "parameter Typo is given but not declared",
        ),
        ("\"EnvName\": \"live\",", "", "parameter EnvName has no default and is not given"),
        ("\"AzCount\": \"2\"", "\"AzCount\": \"two\"", "parameter AzCount='two': not a number"),
        (
            "\"NatMode\": \"per-az\"",
            "\"NatMode\": \"per_az\"",
            "parameter NatMode='per_az': not one of AllowedValues",
        ),
        ("\"MinSize\": \"2\"", "\"MinSize\": \"-1\"", "parameter MinSize='-1': below MinValue 0"),
    ];
    for (from, to, expected) in cases {
        assert!(original.contains(from), "{from} in {original}");
        std::fs::write(&config, original.replacen(from, to, 1)).unwrap();
        let (ok, report) = python("harness.py", &[&base, &base]);
        assert!(!ok, "the harness accepted {to}:\n{report}");
        assert!(report.contains(expected), "expected `{expected}`:\n{report}");
    }
}

/// The findings of the three escalation rules in a ripper report, the accepted ones apart.
fn escalations(report: &str) -> (Vec<&str>, Vec<&str>) {
    let rules =
        ["PrivilegeEscalationRule", "IAMRolesOverprivilegedRule", "IAMRoleWildcardActionOnPolicyRule"];
    report
        .lines()
        .filter(|l| rules.iter().any(|r| l.split('\t').nth(1) == Some(r)))
        .partition(|l| l.split('\t').nth(2) != Some("RuleMode.ALLOWED"))
}

/// cfripper on every template (each environment stack's with its configuration's values): no
/// privilege escalation path. The CloudFormation role may put and attach role policies only with
/// the permissions boundary (`iam:PermissionsBoundary` conditions); cfripper's
/// PrivilegeEscalationRule cannot see conditions, so `ripper.py` accepts exactly the roles whose
/// every such statement it has checked carries one, and prints them as accepted.
#[test]
fn cfripper_finds_no_escalation_path() {
    let dir = tempfile::tempdir().unwrap();
    build_projects(dir.path(), str::to_string);
    let projects: Vec<PathBuf> = examples().iter().map(|e| dir.path().join(e.file_stem().unwrap())).collect();
    let args: Vec<&Path> = projects.iter().map(PathBuf::as_path).collect();
    let (ok, report) = python("ripper.py", &args);
    assert!(ok, "cfripper failed:\n{report}");
    assert!(report.contains("PublicELBCheckerRule"), "cfripper ran on the environment stacks:\n{report}");
    let (blocking, accepted) = escalations(&report);
    assert!(blocking.is_empty(), "escalation paths:\n{}", blocking.join("\n"));
    assert!(!accepted.is_empty(), "the bounded CloudFormation roles are reported:\n{report}");
    for line in &accepted {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields[..2], [fields[0], "PrivilegeEscalationRule"], "{line}");
        // Only the execution roles change roles (the environments' and the self-update's), and
        // the self-update's boundary grants nothing.
        assert!(
            ["CloudFormationRole", "SelfUpdateRole", "PipelineRoleBoundary"].contains(&fields[3]),
            "{line}"
        );
    }
}

/// The boundary is what makes the CloudFormation role acceptable: without the condition on one
/// statement, the escalation path is reported.
#[test]
fn cfripper_reports_a_role_policy_without_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    build_projects(dir.path(), str::to_string);
    let project = dir.path().join("webshop");
    let template = project.join("pf-out/webshop/pipeline-webshop.template.yml");
    let text = std::fs::read_to_string(&template).unwrap();
    let condition = "iam:PermissionsBoundary:";
    assert!(text.contains(condition), "the execution role requires the boundary:\n{text}");
    std::fs::write(&template, text.replace(condition, "iam:ResourceTag/unrelated:")).unwrap();
    let (ok, report) = python("ripper.py", &[&project]);
    assert!(ok, "cfripper failed:\n{report}");
    let (blocking, accepted) = escalations(&report);
    let roles = ["CloudFormationRole", "SelfUpdateRole"];
    assert!(!accepted.iter().any(|l| roles.iter().any(|r| l.contains(&format!("\t{r}\t")))), "{report}");
    assert!(
        blocking.iter().any(|l| l.contains("PrivilegeEscalationRule") && l.contains("CloudFormationRole")),
        "the unbounded role is an escalation path:\n{report}"
    );
}
