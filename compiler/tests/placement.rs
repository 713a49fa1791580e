//! `account` and `region`: inherited like any field, defaulting to the project's.

use pf_compiler::driver::{analyze, Analysis, Loader, Root};
use pf_compiler::ir::{Placement, Text};

struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("{path}: no files in this test"))
    }
}

fn analysis(project: &str, envs: &str) -> Analysis {
    let text = format!(
        "use std.build.go\n\n{project}\napp shop {{\n  source = codecommit {{ repository = \"shop\" }}\n  build  = go\n  deploy = ec2 {{ port = 8080 }}\n}}\n\n{envs}\n\
         pipeline shop {{\n  stage build {{ build }}\n  stage test {{ deploy test }}\n  stage uat {{ deploy uat }}\n  \
         stage release {{ approve owners {{ notify = [\"owners@example.com\"] }} }}\n  stage prod {{ deploy prod }}\n}}\n"
    );
    analyze(vec![Root { name: "shop.pf".into(), bytes: text.into_bytes() }], &NoFiles)
}

const ENVS: &str = "env test {\n  network { cidr = 10.20.0.0/16 }\n}\n\n\
    env uat : test {\n  account = param(\"/shop/uat-account\")\n}\n\n\
    env prod {\n  account = \"222222222222\"\n  region  = \"eu-central-1\"\n  network { cidr = 10.10.0.0/16 }\n  \
    dns { zone = \"example.com\", certificate = param(\"/shop/certificate-arn\") }\n}\n";

fn placement(a: &Analysis, env: &str) -> Placement {
    a.checked.program.env(env).unwrap_or_else(|| panic!("{env} in {:?}", a.diagnostics)).placement.clone()
}

#[test]
fn environments_inherit_and_default_to_the_project() {
    let a = analysis("project {\n  account = \"111111111111\"\n  region  = \"eu-west-1\"\n}\n", ENVS);
    // uat (a param account) and prod (another account and region) are generated: no error.
    let errors: Vec<(&str, &str)> = a
        .diagnostics
        .iter()
        .filter(|d| d.severity == pf_compiler::diagnostic::Severity::Error)
        .map(|d| (d.code.id, &d.message[..5]))
        .collect();
    assert_eq!(errors, [], "{:?}", a.diagnostics);
    let plain = |s: &str| Some(Text::Plain(s.into()));
    assert_eq!(
        a.checked.program.project.placement,
        Placement { account: plain("111111111111"), region: Some("eu-west-1".into()) }
    );
    assert_eq!(
        placement(&a, "test"),
        Placement { account: plain("111111111111"), region: Some("eu-west-1".into()) }
    );
    // uat extends test: its own account, test's region (from the project).
    assert_eq!(
        placement(&a, "uat"),
        Placement {
            account: Some(Text::Param("/shop/uat-account".into())),
            region: Some("eu-west-1".into())
        }
    );
    assert_eq!(
        placement(&a, "prod"),
        Placement { account: plain("222222222222"), region: Some("eu-central-1".into()) }
    );
    // prod has an account of its own: no PF6040.
    assert!(a.diagnostics.iter().all(|d| d.code.id != "PF6040"), "{:?}", a.diagnostics);
}

#[test]
fn without_accounts_everything_is_the_pipelines_and_nothing_is_warned() {
    let a = analysis(
        "",
        &ENVS
            .replace("  account = param(\"/shop/uat-account\")\n", "")
            .replace("  account = \"222222222222\"\n", "")
            .replace("  region  = \"eu-central-1\"\n", ""),
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    assert_eq!(placement(&a, "test"), Placement::default());
    assert!(a.diagnostics.iter().all(|d| d.code.id != "PF6040"), "{:?}", a.diagnostics);
}

#[test]
fn a_protected_environment_inheriting_the_project_account_is_warned_once() {
    let a = analysis(
        "project {\n  account = \"111111111111\"\n}\n",
        &ENVS.replace("  account = \"222222222222\"\n", ""),
    );
    let warnings: Vec<_> = a.diagnostics.iter().filter(|d| d.code.id == "PF6040").collect();
    assert_eq!(warnings.len(), 1, "{:?}", a.diagnostics);
    assert!(
        warnings[0].message.contains("`prod` shares account 111111111111 with `test`"),
        "{}",
        warnings[0].message
    );
}
