//! The self-updating pipeline under its guard (issue 20 item 4, docs/self-update.md), on the
//! examples: a change that drops the production approval makes the self-update wait for an
//! approval, a harmless change does not; the guard job's Python (`self_update.py`) and the Rust
//! comparison (`review::guard`, which `pf diff` reports) agree on every kind of finding; the
//! boundary of the pipeline stack's roles covers what they do and depends on the app's name only.

use pf_compiler::review::guard::{self, Manifest};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = "compiler/src/codegen/pipeline/self_update.py";

fn pf(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pf")).args(args).output().unwrap()
}

/// Builds `source` (a program's text) into `dir` and returns the parsed pipeline templates.
fn build(dir: &Path, name: &str, source: &str) -> Vec<(PathBuf, Value)> {
    let file = dir.join(format!("{name}.pf"));
    std::fs::write(&file, source).unwrap();
    let out = dir.join(format!("{name}-out"));
    let o = pf(&["build", file.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut templates = Vec::new();
    for app in std::fs::read_dir(&out).unwrap() {
        for f in std::fs::read_dir(app.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let n = path.file_name().unwrap().to_str().unwrap().to_string();
            if n.starts_with("pipeline-") && n.ends_with(".template.yml") {
                let yaml: serde_yaml::Value =
                    serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                templates.push((path, serde_json::to_value(yaml).unwrap()));
            }
        }
    }
    templates.sort_by(|a, b| a.0.cmp(&b.0));
    templates
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("examples/{name}.pf")).unwrap()
}

/// `guard(old, new, pipeline)` of the guard job's script, on two templates' manifests.
fn python_guard(old: &Value, new: &Value) -> (String, String) {
    let code = format!(
        "import json, sys, importlib.util\n\
         spec = importlib.util.spec_from_file_location('g', {SCRIPT:?})\n\
         g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g)\n\
         pairs = json.load(sys.stdin)\n\
         print(json.dumps([g.guard(p[0], p[1], p[2]) for p in pairs]))\n"
    );
    let out = python(&code, &json!([[old, new, old["pipeline"]]]));
    let v: Vec<(String, String)> = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

fn python(code: &str, input: &Value) -> String {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args(["-c", code])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The manifest a template carries, as JSON.
fn manifest(template: &Value) -> Value {
    let text = template["Metadata"][guard::METADATA_KEY].as_str().expect("a guard manifest");
    serde_json::from_str(text).unwrap()
}

/// Whether the stage `name` of `template` runs for the guard's `GUARD` value: a `BeforeEntry`
/// condition's result applies when one of its rules fails (CodePipeline's stage conditions);
/// the `VariableCheck` rule `#{guard.GUARD} NE none` fails when the guard found nothing.
fn stage_runs(template: &Value, name: &str, guard_value: &str) -> bool {
    let stages = template["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    let stage = stages.iter().find(|s| s["Name"] == name).expect("the stage");
    let Some(conditions) = stage["BeforeEntry"]["Conditions"].as_array() else { return true };
    for c in conditions {
        let failed = c["Rules"].as_array().unwrap().iter().any(|r| {
            assert_eq!(r["RuleTypeId"]["Provider"], "VariableCheck");
            let config = &r["Configuration"];
            assert_eq!(config["Variable"], "#{guard.GUARD}");
            let value = config["Value"].as_str().unwrap();
            let passes = match config["Operator"].as_str().unwrap() {
                "EQ" => guard_value == value,
                "NE" => guard_value != value,
                "CONTAINS" => guard_value.contains(value),
                op => panic!("operator {op}"),
            };
            !passes
        });
        if failed && c["Result"] == "SKIP" {
            return false;
        }
    }
    true
}

/// `pf diff` JSON findings of kind `self-update-guard` between two build folders.
fn diff_guard_findings(old: &Path, new: &Path) -> Vec<String> {
    let o = pf(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out = Vec::new();
    let mut walk = vec![&report];
    while let Some(v) = walk.pop() {
        match v {
            Value::Object(m) => {
                if m.get("kind").and_then(Value::as_str) == Some("self-update-guard") {
                    out.push(m["message"].as_str().unwrap_or_default().to_string());
                }
                walk.extend(m.values());
            }
            Value::Array(a) => walk.extend(a),
            _ => {}
        }
    }
    out
}

#[test]
fn dropping_the_production_approval_makes_the_self_update_wait_for_an_approval() {
    let dir = tempfile::tempdir().unwrap();
    // Two approvals stand before production; the change drops the PMO's (and with it the
    // check that it is a different person from QC's): a program pf accepts, as QC still approves.
    let source = example("two-approvers");
    let start = source.find("    approve pmo {").unwrap();
    let end = start + source[start..].find("\n    }\n").unwrap() + 7;
    let dropped = format!("{}{}", &source[..start], &source[end..]);
    assert!(!dropped.contains("approve pmo") && dropped.contains("approve qc"), "{dropped}");
    let old = build(dir.path(), "old", &source);
    let new = build(dir.path(), "new", &dropped);
    let (old_t, new_t) = (&old[0].1, &new[0].1);
    let (value, change) = python_guard(&manifest(old_t), &manifest(new_t));
    let codes: Vec<&str> = value.split(',').collect();
    assert!(codes.contains(&"approval-removed"), "{value}: {change}");
    assert!(codes.contains(&"distinct-approvers-removed"), "{value}: {change}");
    assert!(change.contains("approval approve/pmo (pmo) before production is removed"), "{change}");
    // The pipeline being updated is the deployed (old) one: its guard approval is not skipped.
    assert!(stage_runs(old_t, "PipelineApproval", &value));
    assert!(!stage_runs(old_t, "PipelineApproval", "none"), "skipped when nothing is found");
    // Its approvers are the groups approving production, and they see what changed.
    let stages = old_t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    let approval = stages.iter().find(|s| s["Name"] == "PipelineApproval").unwrap();
    let actions: Vec<&str> =
        approval["Actions"].as_array().unwrap().iter().map(|a| a["Name"].as_str().unwrap()).collect();
    assert_eq!(actions, ["approve-qc", "approve-pmo"]);
    assert_eq!(approval["Actions"][0]["Configuration"]["CustomData"], "#{guard.CHANGE}");
    // The Rust comparison says the same, and `pf diff` reports it.
    let rust = guard::compare(
        &serde_json::from_value::<Manifest>(manifest(old_t)).unwrap(),
        &serde_json::from_value::<Manifest>(manifest(new_t)).unwrap(),
    );
    let name = old_t["Resources"]["Pipeline"]["Properties"]["Name"].as_str().unwrap();
    assert_eq!(guard::variables(name, &rust), (value.clone(), change.clone()));
    let reported = diff_guard_findings(&dir.path().join("old-out"), &dir.path().join("new-out"));
    assert!(reported.iter().any(|m| m.starts_with("approval-removed:")), "{reported:?}");
}

#[test]
fn a_harmless_change_updates_the_pipeline_without_an_approval() {
    let dir = tempfile::tempdir().unwrap();
    let source = example("webshop");
    let changed = source.replace("class = \"db.m6g.large\"", "class = \"db.m6g.xlarge\"");
    assert_ne!(changed, source);
    let old = build(dir.path(), "old", &source);
    let new = build(dir.path(), "new", &changed);
    let (value, change) = python_guard(&manifest(&old[0].1), &manifest(&new[0].1));
    assert_eq!(value, "none", "{change}");
    assert!(!stage_runs(&old[0].1, "PipelineApproval", &value));
    assert!(diff_guard_findings(&dir.path().join("old-out"), &dir.path().join("new-out")).is_empty());
}

/// Every kind of finding, each from one change of a real manifest: the script and the Rust
/// comparison give the same `GUARD` and `CHANGE`.
#[test]
fn the_guard_job_and_pf_diff_agree() {
    let dir = tempfile::tempdir().unwrap();
    let base = manifest(&build(dir.path(), "webshop", &example("webshop"))[0].1);
    let prod = |m: &mut Value| -> usize {
        m["envs"].as_array().unwrap().iter().position(|e| e["env"] == "prod").unwrap()
    };
    type Change = fn(&mut Value, usize);
    let changes: Vec<(&str, Change)> = vec![
        ("approval-removed", |m, p| {
            m["envs"][p]["approvals"] = json!([]);
            m["approvals"] = json!([]);
        }),
        ("approval-moved", |m, p| m["envs"][p]["approvals"] = json!([])),
        ("approval-group-changed", |m, p| m["envs"][p]["approvals"][0]["group"] = json!("interns")),
        ("distinct-approvers-removed", |m, p| m["envs"][p]["distinct"] = json!([])),
        ("protection-removed", |m, p| m["envs"][p]["protected"] = json!(false)),
        ("account-added", |m, _| m["accounts"].as_array_mut().unwrap().push(json!("222222222222"))),
        ("permissions-changed", |m, _| m["permissions"]["PipelineRole"] = json!("0000000000000000")),
        ("boundary-changed", |m, _| m["permissions"][guard::BOUNDARY] = json!("0000000000000000")),
        ("permissions-changed", |m, _| m["permissions"]["NewRole"] = json!("1111111111111111")),
    ];
    let mut base = base;
    // The base has a distinct-approvers check to remove.
    let p = prod(&mut base);
    if base["envs"][p]["distinct"].as_array().unwrap().is_empty() {
        base["envs"][p]["distinct"] = json!([["prod/review-prod", "release/product-owner"]]);
    }
    let mut pairs = vec![json!([base, base, "webshop-webshop"])];
    let mut expected = vec!["none"];
    for (code, change) in &changes {
        let mut new = base.clone();
        change(&mut new, p);
        pairs.push(json!([base, new, "webshop-webshop"]));
        expected.push(code);
    }
    let code = format!(
        "import json, sys, importlib.util\n\
         spec = importlib.util.spec_from_file_location('g', {SCRIPT:?})\n\
         g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g)\n\
         print(json.dumps([g.guard(p[0], p[1], p[2]) for p in json.load(sys.stdin)]))\n"
    );
    let from_python: Vec<(String, String)> = serde_json::from_str(&python(&code, &json!(pairs))).unwrap();
    for ((pair, code), (value, change)) in pairs.iter().zip(&expected).zip(&from_python) {
        let old: Manifest = serde_json::from_value(pair[0].clone()).unwrap();
        let new: Manifest = serde_json::from_value(pair[1].clone()).unwrap();
        let rust = guard::variables("webshop-webshop", &guard::compare(&old, &new));
        assert_eq!(&rust, &(value.clone(), change.clone()), "{code}");
        assert!(value.split(',').any(|c| c == *code), "{code}: {value} {change}");
    }
    // A template without a manifest (a pipeline deployed before the self-update) waits too.
    let missing: Vec<(String, String)> =
        serde_json::from_str(&python(&code, &json!([[null, base, "webshop-webshop"]]))).unwrap();
    assert_eq!(missing[0].0, "manifest-missing");
}

/// Each action of `st` as a list.
fn actions(st: &Value) -> Vec<String> {
    match &st["Action"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    }
}

/// The boundary allows every action of every role it caps, is small enough for a managed
/// policy (6,144 characters without white space), and depends on the app's name only (so a
/// change of the program does not stop the self-update).
#[test]
fn the_role_boundary_covers_every_role_and_depends_on_the_app_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut shapes: Vec<(String, Value)> = Vec::new();
    let mut examples: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .collect();
    examples.sort();
    for path in examples {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        for (file, t) in build(dir.path(), &name, &std::fs::read_to_string(&path).unwrap()) {
            let label = file.display().to_string();
            let resources = t["Resources"].as_object().unwrap();
            let boundary = &resources[guard::BOUNDARY]["Properties"]["PolicyDocument"];
            let size =
                serde_json::to_string(boundary).unwrap().chars().filter(|c| !c.is_whitespace()).count();
            assert!(size <= 6144, "{label}: {size} characters");
            let allowed: Vec<String> =
                boundary["Statement"].as_array().unwrap().iter().flat_map(actions).collect();
            for (id, r) in resources.iter().filter(|(_, r)| r["Type"] == "AWS::IAM::Role") {
                assert_eq!(
                    r["Properties"]["PermissionsBoundary"],
                    json!({"Ref": guard::BOUNDARY}),
                    "{label}/{id}"
                );
                for p in r["Properties"]["Policies"].as_array().into_iter().flatten() {
                    for st in p["PolicyDocument"]["Statement"].as_array().unwrap() {
                        for a in actions(st).iter().filter(|_| st["Effect"] == "Allow") {
                            let service = format!("{}:*", a.split(':').next().unwrap());
                            assert!(allowed.contains(a) || allowed.contains(&service), "{label}/{id}: {a}");
                        }
                    }
                }
            }
            // With the app's name taken out, every boundary is the same.
            let app = file.parent().unwrap().file_name().unwrap().to_str().unwrap().to_string();
            let mut text = serde_json::to_string(boundary).unwrap();
            text = text
                .replace(&format!("/{app}-"), "/APP-")
                .replace(",{\"Ref\":\"EnvironmentRoleBoundary\"}", "");
            shapes.push((label, serde_json::from_str(&text).unwrap()));
        }
    }
    assert!(shapes.len() >= 5);
    for (label, shape) in &shapes[1..] {
        assert_eq!(shape, &shapes[0].1, "{label} vs {}", shapes[0].0);
    }
}
