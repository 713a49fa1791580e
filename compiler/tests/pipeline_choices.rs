//! What the checker decides for a program where the issue found silent traps (issue 16, items
//! 5 and 6): who reviews a change set, removing an inherited report, and the build's
//! architecture following the instances'.

use pf_compiler::driver::{analyze, NoFiles, Root};
use pf_compiler::ir::{ActionKind, Approval, Program};

fn program(text: &str) -> Program {
    let a = analyze(vec![Root { name: "p.pf".into(), bytes: text.as_bytes().to_vec() }], &NoFiles);
    let errors: Vec<String> =
        a.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    a.checked.program
}

const BASE: &str = r#"
use std.build.BUILD

app shop {
  source = codecommit { repository = "shop" }
  build  = APPBUILD
  deploy = ec2 { port = 8080 }
}

env test {
  network { cidr = 10.10.0.0/16 }
  compute { instance = "INSTANCE" }
}

env prod {
  network { cidr = 10.20.0.0/16 }
  compute { instance = "INSTANCE" }
}

pipeline shop {
  stage build { build }
  stage test {
    deploy test
    test smoke { commands = ["make smoke"] }
  }
  stage release { approve owners { notify = ["owners@example.com"] } }
  stage prod { DEPLOY }
}
"#;

fn source(build: &str, app_build: &str, instance: &str, deploy: &str) -> String {
    BASE.replace("APPBUILD", app_build)
        .replace("BUILD", build)
        .replace("INSTANCE", instance)
        .replace("DEPLOY", deploy)
}

fn review(p: &Program) -> Approval {
    let actions = p.pipelines[0].stages.iter().flat_map(|s| &s.actions);
    actions
        .filter(|a| a.name == "review-prod")
        .find_map(|a| match &a.kind {
            ActionKind::Approve(x) => Some(x.clone()),
            _ => None,
        })
        .expect("a change-set review of prod")
}

#[test]
fn the_program_names_who_reviews_a_change_set_and_the_default_is_the_last_approval() {
    let default = program(&source("go", "go", "t3.small", "deploy prod"));
    let r = review(&default);
    assert_eq!((r.group.as_str(), r.notify.as_slice()), ("owners", &["owners@example.com".to_string()][..]));
    let named = program(&source(
        "go",
        "go",
        "t3.small",
        r#"deploy prod { reviewers = "platform", review_notify = ["platform@example.com"] }"#,
    ));
    let r = review(&named);
    assert_eq!(
        (r.group.as_str(), r.notify.as_slice()),
        ("platform", &["platform@example.com".to_string()][..])
    );
}

#[test]
fn an_inherited_report_can_be_removed() {
    let kept = program(&source("python", "python", "t3.small", "deploy prod"));
    assert_eq!(kept.apps[0].build.reports.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["unit"]);
    let removed =
        program(&source("python", "python { report unit { remove = true } }", "t3.small", "deploy prod"));
    assert!(removed.apps[0].build.reports.is_empty());
    // Removing one report keeps another the app adds.
    let replaced = program(&source(
        "python",
        r#"python {
    report unit { remove = true }
    report cov { files = ["coverage.xml"], format = cobertura }
  }"#,
        "t3.small",
        "deploy prod",
    ));
    assert_eq!(replaced.apps[0].build.reports.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["cov"]);
}

#[test]
fn the_build_follows_graviton_instances() {
    let x86 = program(&source("go", "go", "t3.small", "deploy prod"));
    assert_eq!(x86.apps[0].build.image, "aws/codebuild/amazonlinux2-x86_64-standard:5.0");
    assert!(!x86.apps[0].build.arm && !x86.envs[0].compute.arm);
    let arm = program(&source("go", "go", "t4g.small", "deploy prod"));
    assert!(arm.envs.iter().all(|e| e.compute.arm));
    assert_eq!(arm.apps[0].build.image, "aws/codebuild/amazonlinux2-aarch64-standard:3.0");
    assert!(arm.apps[0].build.arm);
    // Test jobs that take the app's image take the arm64 one.
    let smoke = arm.pipelines[0]
        .stages
        .iter()
        .flat_map(|s| &s.actions)
        .find_map(|a| match &a.kind {
            ActionKind::Test(t) => Some(t.build.clone()),
            _ => None,
        })
        .unwrap();
    assert!(smoke.arm && smoke.image.contains("aarch64"), "{}", smoke.image);
}

#[test]
fn an_inherited_alarm_can_be_removed() {
    let text = r#"
use std.build.go

app shop {
  source = codecommit { repository = "shop" }
  build  = go
  deploy = ec2 { port = 8080 }
}

env prod {
  protected = false
  network { cidr = 10.20.0.0/16 }
  alarm errors { metric = target_5xx, threshold = 10 }
  alarm slow { metric = latency, threshold = 2 }
}

env uat : prod {
  network { cidr = 10.30.0.0/16 }
  alarm slow { remove = true } # UAT's latency is not watched
}

pipeline shop {
  stage build { build }
  stage uat { deploy uat }
  stage prod { deploy prod }
}
"#;
    let p = program(text);
    let alarms = |env: &str| -> Vec<String> {
        p.envs.iter().find(|e| e.name == env).unwrap().alarms.iter().map(|a| a.name.clone()).collect()
    };
    assert_eq!(alarms("prod"), ["errors", "slow"]);
    assert_eq!(alarms("uat"), ["errors"]);
    // A removal that matches nothing is an error, once.
    let a = analyze(
        vec![Root {
            name: "p.pf".into(),
            bytes: text.replace("alarm slow { remove", "alarm slwo { remove").into_bytes(),
        }],
        &NoFiles,
    );
    let codes: Vec<&str> = a.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.id).collect();
    assert_eq!(codes, ["PF2065"]);
}
