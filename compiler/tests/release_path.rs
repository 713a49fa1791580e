//! The EC2 release path (issue 18): what each pipeline step of a run changes in the environment
//! stacks, read from the generated files themselves. The pipeline template's parameter
//! overrides are applied to each environment's configuration with the run's variables (the
//! image action's `ImageId`, the plan step's colours) and the stacks resolved as `pf diff` does
//! (`review::stack`); a second run with a new AMI must change the launch templates and weights
//! it should, and never the database, the DNS record, or the live colour before the shift.
//! Also: a program mixing the three strategies checks clean, builds, and lints clean.

use pf_compiler::codegen::{self, CfnFormat, Options, OutputFile};
use pf_compiler::driver::{analyze, Loader, Root};
use pf_compiler::review::stack::{stacks, Stack};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("{path}: not available"))
    }
}

fn build(name: &str, text: &str) -> Vec<OutputFile> {
    let analysis = analyze(vec![Root { name: name.into(), bytes: text.as_bytes().to_vec() }], &NoFiles);
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    codegen::generate(&analysis.checked.program, &Options { cfn_format: CfnFormat::Yaml })
}

fn example() -> Vec<OutputFile> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/two-approvers.pf"))
        .unwrap();
    build("examples/two-approvers.pf", &text)
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}")).contents
}

/// The pipeline's actions by name.
fn actions(files: &[OutputFile]) -> BTreeMap<String, Value> {
    let t: Value = serde_yaml::from_str(file(files, "billing/pipeline-billing.template.yml")).unwrap();
    let mut out = BTreeMap::new();
    for stage in t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap() {
        for a in stage["Actions"].as_array().unwrap() {
            out.insert(a["Name"].as_str().unwrap().to_string(), a.clone());
        }
    }
    out
}

/// A run's pipeline variables (`#{namespace.name}` to value).
type Variables = BTreeMap<&'static str, String>;

/// The parameters an action passes (its `ParameterOverrides`), with the run's variables.
fn overrides(action: &Value, vars: &Variables) -> Map<String, Value> {
    let mut text = action["Configuration"]["ParameterOverrides"]["Fn::Sub"].as_str().unwrap().to_string();
    text = text.replace("${ArtifactBucket}", "bucket").replace("${ArtifactKey.Arn}", "key");
    for (k, v) in vars {
        text = text.replace(&format!("#{{{k}}}"), v);
    }
    assert!(!text.contains("#{"), "an unknown variable in {text}");
    serde_json::from_str::<Value>(&text).unwrap().as_object().unwrap().clone()
}

/// The environment stacks deployed so far: each env's configuration with the last overrides
/// applied, as CloudFormation keeps them between updates.
struct Stacks {
    files: Vec<OutputFile>,
    applied: BTreeMap<String, Map<String, Value>>,
}

impl Stacks {
    /// Applies `action` (a CloudFormation action on `env`) with the run's variables.
    fn apply(&mut self, env: &str, action: &Value, vars: &Variables) {
        self.applied.insert(env.into(), overrides(action, vars));
    }

    /// The resolved stack of `env`.
    fn stack(&self, env: &str) -> Stack {
        let path = format!("billing/config/{env}.json");
        let mut files = self.files.clone();
        let config = files.iter_mut().find(|f| f.path == path).unwrap();
        let mut doc: Value = serde_json::from_str(&config.contents).unwrap();
        for (k, v) in self.applied.get(env).cloned().unwrap_or_default() {
            doc["Parameters"][k] = v;
        }
        config.contents = doc.to_string();
        stacks(&files).unwrap().into_iter().find(|s| s.env.as_deref() == Some(env)).unwrap()
    }

    /// The plan step's outputs for `env`, as `release_job.sh` computes them from the stack.
    fn plan(&self, env: &str, image: &str) -> (String, String, String) {
        let applied = self.applied.get(env);
        let get = |k: &str| applied.and_then(|m| m.get(k)).and_then(Value::as_str).map(str::to_string);
        let live = get("LiveColour").unwrap_or_else(|| "blue".into());
        let live_image = get("LiveImageId").filter(|i| i.starts_with("ami-")).unwrap_or_else(|| image.into());
        let new = if live == "blue" { "green" } else { "blue" }.to_string();
        (live, new, live_image)
    }
}

fn prop<'a>(s: &'a Stack, id: &str, path: &[&str]) -> &'a Value {
    let mut v =
        s.resources.get(id).unwrap_or_else(|| panic!("{}: no {id}", s.name)).properties.get(path[0]).unwrap();
    for p in &path[1..] {
        v = &v[p];
    }
    v
}

fn image(s: &Stack, lt: &str) -> String {
    prop(s, lt, &["LaunchTemplateData", "ImageId"]).as_str().unwrap().to_string()
}

/// A number resolved from a parameter (a string) or written in the template (a number).
fn number(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The (blue, green) weights on the listener.
fn weights(s: &Stack) -> (u64, u64) {
    let listener = ["HttpsListener", "HttpListener"].iter().find(|l| s.resources.contains_key(**l)).unwrap();
    let groups = &prop(s, listener, &["DefaultActions"])[0]["ForwardConfig"]["TargetGroups"];
    (number(&groups[0]["Weight"]), number(&groups[1]["Weight"]))
}

fn size(s: &Stack, group: &str) -> u64 {
    number(prop(s, group, &["DesiredCapacity"]))
}

/// Runs the pipeline's CloudFormation actions of one run with `ami`, calling `after` after each.
fn run(stacks: &mut Stacks, ami: &str, mut after: impl FnMut(&str, &Stacks)) {
    let all = actions(&stacks.files);
    let (live, new, live_image) = stacks.plan("production", ami);
    let vars: Variables = BTreeMap::from([
        ("image.ImageId", ami.to_string()),
        ("plan-production.LIVE_COLOUR", live),
        ("plan-production.NEW_COLOUR", new),
        ("plan-production.LIVE_IMAGE", live_image),
    ]);
    let steps = [
        ("qat", "infra-qat"),
        ("production", "changes-production"),
        ("production", "shift-production-10"),
        ("production", "shift-production-100"),
        ("production", "finish-production"),
    ];
    for (env, name) in steps {
        stacks.apply(env, &all[name], &vars);
        after(name, stacks);
    }
}

#[test]
fn a_second_run_changes_the_new_colour_and_the_weights_only() {
    let files = example();
    let mut stacks = Stacks { files, applied: BTreeMap::new() };
    run(&mut stacks, "ami-11111111111111111", |_, _| {});
    let first = stacks.stack("production");
    let first_qat = stacks.stack("qat");
    // After the first run green serves everything from the first AMI; blue is scaled to zero.
    assert_eq!(weights(&first), (0, 100));
    assert_eq!(image(&first, "LaunchTemplateGreen"), "ami-11111111111111111");
    assert_eq!(size(&first, "AutoScalingGroup"), 0);
    assert_eq!(size(&first, "AutoScalingGroupGreen"), 2);

    let mut seen = Vec::new();
    run(&mut stacks, "ami-22222222222222222", |step, st| {
        let prod = st.stack("production");
        seen.push(step.to_string());
        // Never touched by a release: the database, the DNS record, the load balancer.
        for id in ["Database", "DnsRecord", "LoadBalancer"] {
            assert_eq!(prod.resources.get(id), first.resources.get(id), "{step} changed {id}");
        }
        // The live colour (green, on the first AMI) is not touched until the shift.
        assert_eq!(image(&prod, "LaunchTemplateGreen"), "ami-11111111111111111", "{step}");
        match step {
            "infra-qat" => {
                let qat = st.stack("qat");
                let changed: Vec<&String> = qat
                    .resources
                    .keys()
                    .filter(|id| qat.resources.get(*id) != first_qat.resources.get(*id))
                    .collect();
                assert_eq!(
                    changed,
                    ["LaunchTemplate"],
                    "in place, a new AMI changes only the launch template"
                );
                assert_eq!(image(&qat, "LaunchTemplate"), "ami-22222222222222222");
            }
            "changes-production" => {
                // The new colour, blue, starts from the new AMI at full size, with no traffic yet.
                assert_eq!(image(&prod, "LaunchTemplate"), "ami-22222222222222222");
                assert_eq!(size(&prod, "AutoScalingGroup"), 2);
                assert_eq!(weights(&prod), (0, 100));
                assert_eq!(prod.resources["AutoScalingGroupGreen"], first.resources["AutoScalingGroupGreen"]);
            }
            "shift-production-10" => assert_eq!(weights(&prod), (10, 90)),
            "shift-production-100" => assert_eq!(weights(&prod), (100, 0)),
            "finish-production" => {
                // Blue is live; green keeps its AMI (no refresh) and scales to zero.
                assert_eq!(weights(&prod), (100, 0));
                assert_eq!(image(&prod, "LaunchTemplate"), "ami-22222222222222222");
                assert_eq!(size(&prod, "AutoScalingGroup"), 2);
                assert_eq!(size(&prod, "AutoScalingGroupGreen"), 0);
            }
            other => panic!("unexpected step {other}"),
        }
    });
    assert_eq!(seen.len(), 5);
    // A third run goes back to green, and leaves blue, now live, alone until the shift.
    run(&mut stacks, "ami-33333333333333333", |step, st| {
        let prod = st.stack("production");
        if step == "changes-production" {
            assert_eq!(image(&prod, "LaunchTemplate"), "ami-22222222222222222");
            assert_eq!(image(&prod, "LaunchTemplateGreen"), "ami-33333333333333333");
            assert_eq!(weights(&prod), (100, 0));
        }
    });
}

#[test]
fn the_wait_job_rolls_back_by_weights_only() {
    // The rollback `release_job.sh` runs on an alarm: every parameter as it was, except the
    // weights and the new colour's size.
    let script = pf_compiler::codegen::pipeline::RELEASE_JOB_SH;
    for line in [
        "NewWeight) args+=(\"ParameterKey=NewWeight,ParameterValue=0\")",
        "OldWeight) args+=(\"ParameterKey=OldWeight,ParameterValue=100\")",
        "NewActive) args+=(\"ParameterKey=NewActive,ParameterValue=false\")",
        "*) args+=(\"ParameterKey=$key,UsePreviousValue=true\")",
        "--use-previous-template",
    ] {
        assert!(script.contains(line), "release_job.sh lacks {line}");
    }
    let out = std::process::Command::new("bash").args(["-n", "-c", script]).output().expect("bash");
    assert!(out.status.success(), "release_job.sh: {}", String::from_utf8_lossy(&out.stderr));
}

const MIXED: &str = r#"
use std.build.go

app shop {
  source = codecommit { repository = "shop" }
  build  = go
  deploy = ec2 {
    port  = 8080
    files = ["dist/shop" -> "/opt/shop/shop"]
    image { steps = ["systemctl enable shop"], keep = 14d }
  }
}

env dev {
  network { cidr = 10.10.0.0/16 }
  strategy = in_place { batch = all_at_once }
}

env staging {
  network { cidr = 10.20.0.0/16 }
  compute { min = 2, max = 4 }
  strategy = rolling { min_healthy = 50%, max_healthy = 100%, checkpoint = 50%, checkpoint_wait = 5m, bake = 10m }
  alarm errors { metric = target_5xx, threshold = 5 }
  rollback { on_alarms = [errors] }
}

env live {
  protected = false
  network { cidr = 10.30.0.0/16 }
  compute { min = 2, max = 4 }
  strategy = blue_green { shift = linear, percent = 25%, wait = 5m, bake = 10m }
}

pipeline shop {
  stage build { build }
  stage dev { deploy dev }
  stage staging { deploy staging }
  stage live { deploy live }
}
"#;

/// Writes the files and runs cfn-lint on their templates: no finding at all.
fn lint_clean(files: &[OutputFile], name: &str) {
    let dir = std::env::temp_dir().join(format!("pf-release-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut templates = Vec::new();
    for f in files {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &f.contents).unwrap();
        if f.path.ends_with(".template.yml") {
            templates.push(p.display().to_string());
        }
    }
    assert_eq!(templates.len(), 3, "infra, image and pipeline templates");
    let out = std::process::Command::new("cfn-lint")
        .arg("--format")
        .arg("parseable")
        .args(&templates)
        .output()
        .expect("cfn-lint is needed: pip install cfn-lint");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && report.trim().is_empty(), "cfn-lint findings:\n{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_program_mixing_strategies_builds_and_lints_clean() {
    let files = build("mixed.pf", MIXED);
    lint_clean(&files, "mixed");
    let names: Vec<String> = actions_of(&files, "shop/pipeline-shop.template.yml");
    // dev: CodeDeploy after the stack; staging: the stack update is the release; live: the
    // plan, the new colour, four linear shifts with waits, the bake and the finish.
    for expected in
        ["image", "infra-dev", "deploy-dev", "infra-staging", "plan-live", "infra-live", "ready-live"]
    {
        assert!(names.contains(&expected.to_string()), "{expected} in {names:?}");
    }
    assert!(!names.contains(&"deploy-staging".to_string()) && !names.contains(&"deploy-live".to_string()));
    let shifts: Vec<&String> = names.iter().filter(|n| n.starts_with("shift-live-")).collect();
    assert_eq!(shifts, ["shift-live-25", "shift-live-50", "shift-live-75", "shift-live-100"]);

    let stacks = stacks(&files).unwrap();
    let env = |name: &str| stacks.iter().find(|s| s.env.as_deref() == Some(name)).unwrap();
    // Only the in-place environment has a deployment group; only blue/green a second fleet.
    assert!(env("dev").resources.contains_key("DeploymentGroup"));
    assert!(!env("staging").resources.contains_key("DeploymentGroup"));
    assert!(!env("live").resources.contains_key("DeploymentGroup"));
    assert!(env("live").resources.contains_key("AutoScalingGroupGreen"));
    assert!(!env("staging").resources.contains_key("AutoScalingGroupGreen"));
    insta::assert_snapshot!("mixed_infra_template", file(&files, "shop/infra.template.yml"));
    insta::assert_snapshot!("mixed_image_template", file(&files, "shop/image.template.yml"));
    insta::assert_snapshot!("mixed_config_staging", file(&files, "shop/config/staging.json"));
}

fn actions_of(files: &[OutputFile], path: &str) -> Vec<String> {
    let t: Value = serde_yaml::from_str(file(files, path)).unwrap();
    t["Resources"]["Pipeline"]["Properties"]["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["Actions"].as_array().unwrap().iter().map(|a| a["Name"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn an_environment_released_blue_green_twice_in_a_run_has_one_plan_per_release() {
    // Only blue/green environments: no CodeDeploy parameters or conditions are left unused.
    let text = MIXED
        .replace("strategy = in_place { batch = all_at_once }", "strategy = blue_green { shift = canary }")
        .replace("strategy = rolling {", "strategy = blue_green { bake = 1m } # was rolling {")
        .replace("stage live { deploy live }", "stage live { deploy live }\n  stage again { deploy live }");
    let files = build("twice.pf", &text);
    lint_clean(&files, "twice");
    let t: Value = serde_yaml::from_str(file(&files, "shop/pipeline-shop.template.yml")).unwrap();
    let stages = t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    let namespaces: Vec<&str> = stages
        .iter()
        .flat_map(|s| s["Actions"].as_array().unwrap().iter().filter_map(|a| a["Namespace"].as_str()))
        .collect();
    let mut unique = namespaces.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), namespaces.len(), "{namespaces:?}");
    // The second release's stack updates read the second plan.
    let again = stages.iter().find(|s| s["Name"] == "again").unwrap().to_string();
    assert!(
        again.contains("#{plan-live-2.LIVE_COLOUR}") && !again.contains("#{plan-live.LIVE_COLOUR}"),
        "{again}"
    );
}
