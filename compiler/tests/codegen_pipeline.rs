//! Tests of the pipeline stack generator: cfn-lint and checkov on every variant, security
//! assertions on the IAM policies, IR fidelity, determinism, a snapshot, and the logic of the
//! distinct-approvers Lambda function.

use pf_compiler::codegen::{fixture, naming, pipeline, CfnFormat, Options};
use pf_compiler::ir::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variants: the fixture, and modifications exercising the other sources and triggers.
fn variants() -> Vec<(&'static str, Program)> {
    let base = fixture::sample_program();
    let mut github = base.clone();
    github.apps[0].source = Source::GitHub {
        connection: Text::Plain(
            "arn:aws:codeconnections:eu-west-1:123456789012:connection/11111111-2222-3333-4444-555555555555"
                .into(),
        ),
        repository: "acme/webshop".into(),
        branch: "main".into(),
    };
    // Triggers are alternatives; each push trigger is one filter (tags, or branches + paths).
    github.pipelines[0].triggers = vec![
        Trigger::Push { branches: vec![], tags: vec!["v*".into()], paths: vec![] },
        Trigger::Push {
            branches: vec!["main".into(), "release/*".into()],
            tags: vec![],
            paths: vec!["src/**".into()],
        },
    ];
    let mut github_param = github.clone();
    github_param.apps[0].source = Source::GitHub {
        connection: Text::Param("/webshop/connection-arn".into()),
        repository: "acme/webshop".into(),
        branch: "main".into(),
    };
    github_param.pipelines[0].triggers = vec![Trigger::Manual];
    let mut github_secret = github.clone();
    github_secret.apps[0].source = Source::GitHub {
        connection: Text::Secret("webshop/github-connection:arn".into()),
        repository: "acme/webshop".into(),
        branch: "main".into(),
    };
    let mut s3 = base.clone();
    s3.apps[0].source = Source::S3 { bucket: "acme-sources".into(), key: "webshop/source.zip".into() };
    let mut schedule = base.clone();
    schedule.pipelines[0].triggers = vec![Trigger::Schedule { expression: "cron(0 3 * * ? *)".into() }];
    let mut manual = base.clone();
    manual.pipelines[0].triggers = vec![Trigger::Manual];
    if let Source::CodeCommit { create, .. } = &mut manual.apps[0].source {
        *create = false;
    }
    // Release gates on the last stage: test's alarm quiet, a window, rollback on failure.
    let mut gated = base.clone();
    let last = gated.pipelines[0].stages.last_mut().unwrap();
    last.gate = Some(Gate {
        alarms: vec![("test".into(), "errors".into()), ("uat".into(), "errors".into())],
        window: Some(Window {
            cron: "* * 9-16 ? * MON-THU *".into(),
            time_zone: Some("Europe/Berlin".into()),
        }),
    });
    last.rollback_on_failure = true;
    let mut v1 = base.clone();
    v1.pipelines[0].pipeline_type = PipelineType::V1;
    v1.pipelines[0].notify_failure.clear();
    vec![
        ("fixture", base),
        ("github", github),
        ("github-param-manual", github_param),
        ("github-secret", github_secret),
        ("s3", s3),
        ("schedule", schedule),
        ("manual", manual),
        ("gated", gated),
        ("v1", v1),
        ("ecs", fixture::sample_ecs_program()),
    ]
}

fn template(program: &Program) -> Value {
    pipeline::template(program, &program.pipelines[0], CfnFormat::Yaml).expect("template")
}

/// The stages of a template that come from the IR: all but the self-update's.
fn ir_stages(t: &Value) -> Vec<Value> {
    let all = t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    all.iter().filter(|s| !pipeline::SELF_UPDATE_STAGES.iter().any(|n| s["Name"] == *n)).cloned().collect()
}

fn yaml(program: &Program) -> String {
    let files = pipeline::generate(program, &Options::default());
    assert_eq!(files.len(), 1);
    files[0].contents.clone()
}

/// A fresh directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pf-cgpipe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes every variant's template (YAML, and the fixture as JSON too) into `dir`.
fn write_all(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (name, program) in variants() {
        let path = dir.join(format!("{name}.template.yml"));
        std::fs::write(&path, yaml(&program)).unwrap();
        out.push(path);
    }
    let json = pipeline::generate(&fixture::sample_program(), &Options { cfn_format: CfnFormat::Json });
    let path = dir.join("fixture-json.template.json");
    std::fs::write(&path, &json[0].contents).unwrap();
    out.push(path);
    out
}

fn resources(t: &Value) -> &serde_json::Map<String, Value> {
    t["Resources"].as_object().unwrap()
}

/// Every IAM policy statement of a template with the logical ID of its resource.
fn statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, r) in resources(t) {
        let props = &r["Properties"];
        let mut docs: Vec<&Value> = Vec::new();
        if let Some(policies) = props["Policies"].as_array() {
            docs.extend(policies.iter().map(|p| &p["PolicyDocument"]));
        }
        for key in ["PolicyDocument", "KeyPolicy"] {
            if props[key].is_object() {
                docs.push(&props[key]);
            }
        }
        for doc in docs {
            for st in doc["Statement"].as_array().unwrap() {
                out.push((id.clone(), st.clone()));
            }
        }
    }
    out
}

fn actions_of(st: &Value) -> Vec<String> {
    match &st["Action"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        _ => vec![],
    }
}

fn run(cmd: &str, args: &[&str], install: &str) -> std::process::Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{cmd}` ({e}); install it: {install}"))
}

#[test]
fn cfn_lint_reports_nothing_on_any_variant() {
    let dir = temp_dir("lint");
    let files = write_all(&dir);
    let mut args: Vec<&str> = vec!["--format", "parseable"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = run("cfn-lint", &args, "pip install cfn-lint");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint findings:\n{text}");
}

#[test]
fn checkov_passes_and_every_skip_has_a_reason() {
    let dir = temp_dir("checkov");
    write_all(&dir);
    let d = dir.display().to_string();
    let out =
        run("checkov", &["-d", &d, "--framework", "cloudformation", "-o", "json"], "pip install checkov");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("checkov output is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
    });
    let results = &report["results"];
    let failed = results["failed_checks"].as_array().unwrap();
    let list: Vec<String> =
        failed.iter().map(|c| format!("{} {} {}", c["check_id"], c["resource"], c["file_path"])).collect();
    assert!(failed.is_empty(), "checkov failed checks:\n{}", list.join("\n"));
    assert_eq!(report["summary"]["parsing_errors"], 0);
    assert!(report["summary"]["passed"].as_u64().unwrap() > 100);
    for c in results["skipped_checks"].as_array().unwrap() {
        let comment = c["check_result"]["suppress_comment"].as_str().unwrap_or("");
        assert!(comment.len() > 40, "skip of {} on {} has no real reason", c["check_id"], c["resource"]);
    }
}

#[test]
fn iam_statements_are_least_privilege() {
    for (name, program) in variants() {
        let t = template(&program);
        for (id, st) in statements(&t) {
            if st["Effect"] == "Deny" {
                continue;
            }
            for action in actions_of(&st) {
                assert_ne!(action, "*", "{name}/{id}: `*` action");
                // A boundary grants nothing: its service wildcards cap, they do not allow.
                assert!(
                    id == "PipelineRoleBoundary" || !action.ends_with(":*"),
                    "{name}/{id}: service-wide action {action}"
                );
                assert!(!action.starts_with("iam:") || !action.contains('*'), "{name}/{id}: {action}");
                if action == "iam:PassRole" {
                    assert!(
                        st["Condition"]["StringEquals"]["iam:PassedToService"].is_string()
                            || st["Condition"]["StringEquals"]["iam:PassedToService"].is_array(),
                        "{name}/{id}: PassRole without iam:PassedToService"
                    );
                    assert_ne!(st["Resource"], "*", "{name}/{id}: PassRole on *");
                }
            }
            // Wildcard principals are never allowed.
            assert_ne!(st["Principal"], "*", "{name}/{id}");
            assert_ne!(st["Principal"]["AWS"], "*", "{name}/{id}");
        }
        // Only the CloudFormation role and the check function's role have `*` resources.
        for (id, st) in statements(&t) {
            let star = st["Resource"] == "*"
                || st["Resource"].as_array().is_some_and(|r| r.contains(&Value::from("*")));
            // ECR's login has no resource-level permission.
            let ecr_login = id == "CodeBuildRole" && actions_of(&st) == ["ecr:GetAuthorizationToken"];
            if star && st["Effect"] == "Allow" && id.ends_with("Role") && !ecr_login {
                assert!(
                    id == "CloudFormationRole" || id == "DistinctApproversRole",
                    "{name}/{id}: `*` resource"
                );
            }
        }
    }
    // The pipeline role passes only the CloudFormation role, only to CloudFormation
    let t = template(&fixture::sample_program());
    let pass: Vec<Value> = statements(&t)
        .into_iter()
        .filter(|(id, st)| id == "PipelineRole" && actions_of(st).contains(&"iam:PassRole".into()))
        .map(|(_, st)| st)
        .collect();
    // (and the self-update's execution role, also only to CloudFormation).
    let passed: Vec<&Value> = pass.iter().map(|st| &st["Resource"]).collect();
    assert_eq!(
        passed,
        [
            &serde_json::json!([{"Fn::GetAtt": ["CloudFormationRole", "Arn"]}]),
            &serde_json::json!([{"Fn::GetAtt": ["SelfUpdateRole", "Arn"]}])
        ]
    );
    for st in &pass {
        assert_eq!(st["Condition"]["StringEquals"]["iam:PassedToService"], "cloudformation.amazonaws.com");
    }
}

/// The actions that create or change what a role may do.
/// Writes that AWS authorizes on no resource (the service authorization reference lists no
/// resource type for them), so a policy can only grant them on `*`: ECS task definitions are
/// registered by family, and Application Auto Scaling's scalable targets are named by the
/// service they scale. None is one cfripper's IAMRolesOverprivilegedRule forbids on `*`.
const NO_RESOURCE_LEVEL: &[&str] = &[
    "ecs:DeregisterTaskDefinition",
    "ecs:RegisterTaskDefinition",
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:TagResource",
    // An ECS environment's log key: a key has no ARN before it is created.
    "kms:CreateKey",
];

const ROLE_PERMISSION_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
];

#[test]
fn environment_roles_cannot_escalate() {
    for (name, program) in variants() {
        let t = template(&program);
        let boundary = serde_json::json!({"Ref": "EnvironmentRoleBoundary"});
        let pipeline_boundary = serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${AWS::StackName}-PipelineRoleBoundary"});
        assert_eq!(t["Resources"]["EnvironmentRoleBoundary"]["Type"], "AWS::IAM::ManagedPolicy", "{name}");
        let mut bounded = 0;
        for (id, st) in statements(&t) {
            let actions = actions_of(&st);
            // No wildcard action in a role or managed policy (cfripper's
            // IAMRoleWildcardActionOnPolicyRule; key policies are not IAM identity policies).
            // The pipeline boundary's service wildcards are asserted below.
            let boundary_cap = id == "PipelineRoleBoundary" && actions.iter().all(|a| a.ends_with(":*"));
            if (id.ends_with("Role") || id.ends_with("RoleBoundary")) && !boundary_cap {
                assert!(
                    actions.iter().all(|a| !a.contains('*') && !a.contains('?')),
                    "{name}/{id}: {actions:?}"
                );
            }
            assert!(!actions.contains(&"iam:UpdateAssumeRolePolicy".into()), "{name}/{id}");
            if st["Effect"] != "Allow" {
                continue;
            }
            // Writes are never on `*` (cfripper's IAMRolesOverprivilegedRule): reads only, and
            // the job results of the check function, which support no resource.
            let star =
                st["Resource"] == "*" || st["Resource"].as_array().is_some_and(|r| r.contains(&"*".into()));
            if star && id.ends_with("Role") {
                for a in &actions {
                    let verb = a.split(':').nth(1).unwrap();
                    assert!(
                        ["Describe", "List", "Get"].iter().any(|v| verb.starts_with(v))
                            || (id == "DistinctApproversRole" && verb.starts_with("PutJob"))
                            || NO_RESOURCE_LEVEL.contains(&a.as_str()),
                        "{name}/{id}: {a} on *"
                    );
                }
            }
            if actions.iter().any(|a| ROLE_PERMISSION_ACTIONS.contains(&a.as_str())) && id.ends_with("Role") {
                // The environments' roles keep their boundary; the pipeline stack's own roles,
                // which only the self-update changes, keep theirs.
                let expect = if id == "SelfUpdateRole" { &pipeline_boundary } else { &boundary };
                assert!(id == "CloudFormationRole" || id == "SelfUpdateRole", "{name}: {id}");
                assert_eq!(
                    st["Condition"]["StringEquals"]["iam:PermissionsBoundary"], *expect,
                    "{name}: {st}"
                );
                bounded += 1;
            }
            // The boundary allows nothing of IAM, STS or Organizations.
            if id == "EnvironmentRoleBoundary" {
                for a in &actions {
                    assert!(
                        !["iam:", "sts:", "organizations:"].iter().any(|p| a.starts_with(p)),
                        "{name}: {a}"
                    );
                }
            }
        }
        let self_update = program.pipelines[0].self_update;
        assert_eq!(bounded, 1 + usize::from(self_update), "{name}: one bounded statement per role");
        if self_update {
            // Every role of the pipeline stack carries its boundary, which allows no IAM, STS or
            // Organizations action but the roles' own statements.
            for (id, r) in resources(&t).iter().filter(|(_, r)| r["Type"] == "AWS::IAM::Role") {
                assert_eq!(
                    r["Properties"]["PermissionsBoundary"],
                    serde_json::json!({"Ref": "PipelineRoleBoundary"}),
                    "{name}/{id}"
                );
            }
            let caps = &resources(&t)["PipelineRoleBoundary"]["Properties"]["PolicyDocument"]["Statement"];
            let wild = actions_of(&caps[0]);
            assert!(wild.iter().all(|a| a.ends_with(":*")), "{name}: {wild:?}");
            for a in &wild {
                assert!(
                    !["iam:", "sts:", "organizations:", "account:"].iter().any(|p| a.starts_with(p)),
                    "{name}: {a}"
                );
            }
            // The self-update never writes that boundary, nor removes one.
            let denied: Vec<Value> = statements(&t)
                .into_iter()
                .filter(|(id, st)| id == "SelfUpdateRole" && st["Effect"] == "Deny")
                .map(|(_, st)| st)
                .collect();
            assert!(
                denied.iter().any(|d| actions_of(d).contains(&"iam:CreatePolicyVersion".to_string())
                    && d["Resource"][0] == pipeline_boundary),
                "{name}: {denied:?}"
            );
            assert!(denied.iter().any(|d| actions_of(d) == ["iam:DeleteRolePermissionsBoundary"]), "{name}");
        }
        let deny: Vec<Value> = statements(&t)
            .into_iter()
            .filter(|(id, st)| id == "CloudFormationRole" && st["Effect"] == "Deny")
            .map(|(_, st)| st)
            .collect();
        assert_eq!(deny.len(), 1, "{name}");
        assert_eq!(deny[0]["Action"], serde_json::json!(["iam:DeleteRolePermissionsBoundary"]), "{name}");
        // Every CloudFormation action that deploys a template passes the boundary to the stack.
        for stage in t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap() {
            for action in stage["Actions"].as_array().unwrap() {
                if let Some(overrides) = action["Configuration"]["ParameterOverrides"]["Fn::Sub"].as_str() {
                    assert!(
                        overrides.contains(&format!(
                            "\"{}\": \"${{EnvironmentRoleBoundary}}\"",
                            naming::permissions_boundary_parameter()
                        )),
                        "{name}: {overrides}"
                    );
                }
            }
        }
    }
}

#[test]
fn approver_policies_allow_only_their_own_actions() {
    let t = template(&fixture::sample_program());
    let arn = |path: &str| serde_json::json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:codepipeline:${{AWS::Region}}:${{AWS::AccountId}}:webshop-release/{path}")});
    // The self-update's approval is given by the groups approving a protected environment.
    let expect = [
        ("ApproverQcPolicy", vec![arn("approve/qc"), arn("PipelineApproval/approve-qc")]),
        (
            "ApproverPmoPolicy",
            vec![arn("approve/pmo"), arn("prod/review-prod"), arn("PipelineApproval/approve-pmo")],
        ),
    ];
    for (id, arns) in expect {
        let st = &resources(&t)[id]["Properties"]["PolicyDocument"]["Statement"];
        assert_eq!(st[0]["Action"], serde_json::json!(["codepipeline:PutApprovalResult"]));
        assert_eq!(st[0]["Resource"], Value::Array(arns), "{id}");
        for s in st.as_array().unwrap().iter().skip(1) {
            assert!(actions_of(s)
                .iter()
                .all(|a| a.starts_with("codepipeline:Get") || a.starts_with("codepipeline:List")));
        }
        assert!(t["Outputs"][format!("{id}Arn")].is_object(), "{id} output");
    }
    // Nobody else may approve: PutApprovalResult appears in these two policies only.
    let count = statements(&t)
        .iter()
        .filter(|(_, s)| actions_of(s).contains(&"codepipeline:PutApprovalResult".into()))
        .count();
    assert_eq!(count, 2);
}

/// Reads nothing: the program below uses only the standard library.
struct NoFiles;

impl pf_compiler::driver::Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("no file {path}"))
    }
}

/// `secret("id:key")` as a GitHub connection: the dynamic reference names `SecretString` before
/// the JSON key (as the database password's does), in the source action and in the pipeline
/// role's `UseConnection` statement; cfn-lint accepts the template (E1050 before).
#[test]
fn github_connection_from_a_secret_key_is_a_valid_dynamic_reference() {
    let text = r#"use std.build.go

app checkout {
  source = github { connection = secret("checkout/github-connection:arn"), repository = "acme/checkout" }
  build  = go
  deploy = ec2 { port = 8080 }
}

env dev {
  network { cidr = 10.0.0.0/16 }
}

pipeline checkout {
  stage build { build }
  stage dev { deploy dev }
}
"#;
    let root = pf_compiler::driver::Root { name: "checkout.pf".into(), bytes: text.as_bytes().to_vec() };
    let analysis = pf_compiler::driver::analyze(vec![root], &NoFiles);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let program = &analysis.checked.program;
    let expected = Value::from("{{resolve:secretsmanager:checkout/github-connection:SecretString:arn}}");
    let t = template(program);
    let stages = resources(&t)["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    assert_eq!(stages[0]["Actions"][0]["Configuration"]["ConnectionArn"], expected);
    let use_connection: Vec<Value> = statements(&t)
        .into_iter()
        .filter(|(_, st)| actions_of(st).contains(&"codeconnections:UseConnection".into()))
        .map(|(_, st)| st["Resource"].clone())
        .collect();
    assert_eq!(use_connection, vec![Value::Array(vec![expected.clone()])]);
    let text = yaml(program);
    assert!(!text.contains("github-connection:arn}}"), "a reference without SecretString:\n{text}");
    let dir = temp_dir("github-secret");
    let path = dir.join("checkout.template.yml");
    std::fs::write(&path, text).unwrap();
    let out =
        run("cfn-lint", &["--format", "parseable", &path.display().to_string()], "pip install cfn-lint");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && report.trim().is_empty(), "cfn-lint findings:\n{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn source_bucket_and_key_are_secure() {
    let t = template(&fixture::sample_program());
    let r = resources(&t);
    let stages = r["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    let src = &stages[0]["Actions"][0];
    assert_eq!(src["ActionTypeId"]["Provider"], "CodeCommit");
    assert_eq!(src["Configuration"]["PollForSourceChanges"], false);
    assert_eq!(src["Configuration"]["BranchName"], "main");
    assert_eq!(
        r["SourceChangeRule"]["Properties"]["EventPattern"]["detail"]["referenceName"],
        serde_json::json!(["main"])
    );
    let b = &r["ArtifactBucket"];
    assert_eq!(b["DeletionPolicy"], "Retain");
    assert_eq!(b["UpdateReplacePolicy"], "Retain");
    let p = &b["Properties"];
    let sse = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"];
    assert_eq!(sse["SSEAlgorithm"], "aws:kms");
    assert_eq!(sse["KMSMasterKeyID"], serde_json::json!({"Fn::GetAtt": ["ArtifactKey", "Arn"]}));
    assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
    for k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(p["PublicAccessBlockConfiguration"][k], true, "{k}");
    }
    let deny = &r["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");
    assert_eq!(r["ArtifactKey"]["Properties"]["EnableKeyRotation"], true);
    assert_eq!(r["ArtifactKey"]["UpdateReplacePolicy"], "Retain");
    // No hard-coded partition, region or account anywhere in the fixture's template.
    let text = yaml(&fixture::sample_program());
    assert!(!text.contains("arn:aws:"), "hard-coded partition");
    assert!(!text.contains("123456789012") && !text.contains("eu-west-1"));
}

#[test]
fn stages_and_actions_follow_the_ir() {
    for (name, program) in variants() {
        let t = template(&program);
        let p = &program.pipelines[0];
        let stages = ir_stages(&t);
        assert_eq!(stages.len(), p.stages.len());
        for (stage, s) in p.stages.iter().zip(&stages) {
            assert_eq!(s["Name"], stage.name.as_str());
            let actions = s["Actions"].as_array().unwrap();
            assert_eq!(actions.len(), stage.actions.len());
            for (a, v) in stage.actions.iter().zip(actions) {
                assert_eq!(v["Name"], a.name.as_str(), "{name}");
                assert_eq!(v["RunOrder"], a.run_order, "{name}/{}", a.name);
                let names = |key: &str| -> Vec<String> {
                    v[key]
                        .as_array()
                        .map(|l| l.iter().map(|x| x["Name"].as_str().unwrap().to_string()).collect())
                        .unwrap_or_default()
                };
                assert_eq!(names("InputArtifacts"), a.inputs, "{name}/{}", a.name);
                assert_eq!(names("OutputArtifacts"), a.outputs, "{name}/{}", a.name);
                match &a.kind {
                    ActionKind::Approve(ap) => {
                        assert_eq!(v["TimeoutInMinutes"], ap.timeout_minutes);
                        assert!((5..=86_400).contains(&ap.timeout_minutes));
                    }
                    _ => assert!(v.get("TimeoutInMinutes").is_none()),
                }
            }
        }
    }
}

#[test]
fn fixture_actions_are_wired_to_the_environment_stacks() {
    let t = template(&fixture::sample_program());
    let stages = t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    let find = |stage: &str, action: &str| -> Value {
        let s = stages.iter().find(|s| s["Name"] == stage).unwrap();
        s["Actions"].as_array().unwrap().iter().find(|a| a["Name"] == action).unwrap().clone()
    };
    let infra = find("test", "infra-test");
    assert_eq!(infra["Namespace"], naming::infra_namespace("test"));
    let c = &infra["Configuration"];
    assert_eq!(c["ActionMode"], "CREATE_UPDATE");
    assert_eq!(c["StackName"], "webshop-test");
    assert_eq!(c["TemplatePath"], "Build::pf-out/webshop/infra.template.yml");
    assert_eq!(c["TemplateConfiguration"], "Build::pf-out/webshop/config/test.json");
    assert_eq!(c["Capabilities"], "CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND");
    let unit = find("test", "unit");
    let vars: Value =
        serde_json::from_str(unit["Configuration"]["EnvironmentVariables"].as_str().unwrap()).unwrap();
    assert_eq!(
        vars,
        serde_json::json!([{"name": "APP_URL", "value": "#{infra-test.Url}", "type": "PLAINTEXT"}])
    );
    let changes = find("prod", "changes-prod");
    assert_eq!(changes["Configuration"]["ActionMode"], "CHANGE_SET_REPLACE");
    assert_eq!(changes["Configuration"]["ChangeSetName"], "pf-prod");
    assert!(changes.get("Namespace").is_none());
    let exec = find("prod", "infra-prod");
    assert_eq!(exec["Configuration"]["ActionMode"], "CHANGE_SET_EXECUTE");
    assert_eq!(exec["Configuration"]["ChangeSetName"], "pf-prod");
    assert_eq!(exec["Namespace"], "infra-prod");
    let deploy = find("prod", "deploy-prod");
    assert_eq!(deploy["Configuration"]["DeploymentGroupName"], naming::deployment_group("webshop", "prod"));
    let check = find("approve", "distinct-approvers");
    let params: Value =
        serde_json::from_str(check["Configuration"]["UserParameters"].as_str().unwrap()).unwrap();
    assert_eq!(params["executionId"], "#{codepipeline.PipelineExecutionId}");
    assert_eq!(params["approvals"], serde_json::json!([["approve", "qc"], ["approve", "pmo"]]));
    // Secrets are never plain text in CodeBuild.
    let env = &t["Resources"]["BuildProject"]["Properties"]["Environment"]["EnvironmentVariables"];
    let api = env.as_array().unwrap().iter().find(|v| v["Name"] == "API_KEY").unwrap();
    assert_eq!(api["Type"], "SECRETS_MANAGER");
    // The JSON format points at the JSON infra template.
    let json = pipeline::template(
        &fixture::sample_program(),
        &fixture::sample_program().pipelines[0],
        CfnFormat::Json,
    )
    .unwrap();
    let s = ir_stages(&json)[2]["Actions"][0]["Configuration"]["TemplatePath"].clone();
    assert_eq!(s, "Build::pf-out/webshop/infra.template.json");
}

#[test]
fn triggers_follow_the_ir() {
    let all: std::collections::BTreeMap<_, _> =
        variants().into_iter().map(|(n, p)| (n, template(&p))).collect();
    let r = |n: &str| all[n]["Resources"].as_object().unwrap().clone();
    // GitHub on V2 with filters.
    let gh = r("github");
    let src = &gh["Pipeline"]["Properties"]["Stages"][0]["Actions"][0]["Configuration"];
    assert_eq!(src["DetectChanges"], true);
    let push = &gh["Pipeline"]["Properties"]["Triggers"][0]["GitConfiguration"]["Push"];
    assert_eq!(push[0]["Tags"]["Includes"], serde_json::json!(["v*"]));
    assert_eq!(push[1]["Branches"]["Includes"], serde_json::json!(["main", "release/*"]));
    assert_eq!(push[1]["FilePaths"]["Includes"], serde_json::json!(["src/**"]));
    assert!(!gh.contains_key("SourceChangeRule"));
    // GitHub, manual: no change detection, connection from SSM.
    let ghm = r("github-param-manual");
    let src = &ghm["Pipeline"]["Properties"]["Stages"][0]["Actions"][0]["Configuration"];
    assert_eq!(src["DetectChanges"], false);
    assert_eq!(src["ConnectionArn"], "{{resolve:ssm:/webshop/connection-arn}}");
    assert!(ghm["Pipeline"]["Properties"].get("Triggers").is_none());
    // Manual CodeCommit: no rule, no events role; the repository is referenced by name.
    let m = r("manual");
    assert!(
        !m.contains_key("SourceChangeRule") && !m.contains_key("EventsRole") && !m.contains_key("Repository")
    );
    // Schedule.
    let s = r("schedule");
    assert_eq!(s["ScheduleRule1"]["Properties"]["ScheduleExpression"], "cron(0 3 * * ? *)");
    assert!(!s.contains_key("SourceChangeRule"));
    // S3 source.
    let s3 = r("s3");
    let src = &s3["Pipeline"]["Properties"]["Stages"][0]["Actions"][0]["Configuration"];
    assert_eq!(src["PollForSourceChanges"], false);
    assert_eq!(src["S3Bucket"], "acme-sources");
    // V1: no execution mode, no failure topic.
    let v1 = r("v1");
    assert_eq!(v1["Pipeline"]["Properties"]["PipelineType"], "V1");
    assert!(v1["Pipeline"]["Properties"].get("ExecutionMode").is_none());
    assert!(!v1.contains_key("FailureTopic"));
    assert_eq!(r("fixture")["Pipeline"]["Properties"]["ExecutionMode"], "QUEUED");
}

#[test]
fn release_gates_become_stage_conditions_and_only_they_read_alarms() {
    let all: std::collections::BTreeMap<_, _> =
        variants().into_iter().map(|(n, p)| (n, template(&p))).collect();
    let stages = ir_stages(&all["gated"]);
    let (last, earlier) = stages.split_last().unwrap();
    let rules = last["BeforeEntry"]["Conditions"][0]["Rules"].as_array().unwrap();
    assert_eq!(last["BeforeEntry"]["Conditions"].as_array().unwrap().len(), 1);
    assert_eq!(last["BeforeEntry"]["Conditions"][0]["Result"], "FAIL");
    let providers: Vec<&str> = rules.iter().map(|r| r["RuleTypeId"]["Provider"].as_str().unwrap()).collect();
    assert_eq!(providers, ["CloudWatchAlarm", "CloudWatchAlarm", "DeploymentWindow"]);
    // The alarm names are the ones the environment stacks give them.
    let names: Vec<&str> =
        rules[..2].iter().map(|r| r["Configuration"]["AlarmName"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [naming::alarm_name("webshop", "test", "errors"), naming::alarm_name("webshop", "uat", "errors")]
    );
    assert_eq!(names[0], "webshop-test-errors");
    assert_eq!(
        rules[2]["Configuration"],
        serde_json::json!({"Cron": "* * 9-16 ? * MON-THU *", "TimeZone": "Europe/Berlin"})
    );
    assert_eq!(last["OnFailure"], serde_json::json!({"Result": "ROLLBACK"}));
    for s in earlier {
        assert!(s.get("BeforeEntry").is_none() && s.get("OnFailure").is_none(), "{}", s["Name"]);
    }
    // The pipeline role may describe exactly the gated alarms; without gates, no alarm at all.
    let reads = |t: &Value| -> Vec<Value> {
        statements(t)
            .into_iter()
            .filter(|(role, st)| {
                role == "PipelineRole" && actions_of(st).iter().any(|a| a.starts_with("cloudwatch:"))
            })
            .map(|(_, st)| {
                assert_eq!(actions_of(&st), ["cloudwatch:DescribeAlarms"]);
                st["Resource"].clone()
            })
            .collect()
    };
    let arn = |n: &str| serde_json::json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{n}")});
    assert_eq!(
        reads(&all["gated"]),
        [serde_json::json!([arn("webshop-test-errors"), arn("webshop-uat-errors")])]
    );
    assert!(reads(&all["fixture"]).is_empty());
}

#[test]
fn two_pipelines_of_one_app_create_its_shared_resources_once() {
    let mut program = fixture::sample_program();
    let mut second = program.pipelines[0].clone();
    second.name = "hotfix".into();
    program.pipelines.push(second);
    let first = template(&program);
    let second = pipeline::template(&program, &program.pipelines[1], CfnFormat::Yaml).unwrap();
    let of_type = |t: &Value, ty: &str| -> Vec<String> {
        resources(t).iter().filter(|(_, r)| r["Type"] == ty).map(|(id, _)| id.clone()).collect()
    };
    for ty in ["AWS::CodeDeploy::Application", "AWS::CodeCommit::Repository", "AWS::CodeBuild::ReportGroup"] {
        assert!(!of_type(&first, ty).is_empty(), "the first pipeline creates {ty}");
        assert!(of_type(&second, ty).is_empty(), "the second pipeline must not create {ty} again");
    }
    // The second pipeline uses them by name: its template refers to no resource it lacks.
    let text = serde_json::to_string(&second).unwrap();
    for id in ["CodeDeployApplication", "Repository"] {
        assert!(
            !text.contains(&format!("{{\"Ref\":\"{id}\"}}")) && !text.contains(&format!("[\"{id}\",")),
            "{id}"
        );
    }
    let deploys: Vec<&Value> = second["Resources"]["Pipeline"]["Properties"]["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Actions"].as_array().unwrap())
        .filter(|a| a["ActionTypeId"]["Provider"] == "CodeDeploy")
        .collect();
    assert!(!deploys.is_empty());
    for a in deploys {
        assert_eq!(a["Configuration"]["ApplicationName"], naming::codedeploy_application("webshop"));
    }
    // Both pipeline stacks lint clean.
    let dir = temp_dir("two-pipelines");
    let files = pipeline::generate(&program, &Options::default());
    assert_eq!(files.len(), 2);
    let mut paths = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let path = dir.join(format!("p{i}.template.yml"));
        std::fs::write(&path, &f.contents).unwrap();
        paths.push(path.display().to_string());
    }
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let out = run("cfn-lint", &args, "pip install cfn-lint");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn generation_is_deterministic() {
    let a = pf_compiler::codegen::generate(&fixture::sample_program(), &Options::default());
    let b = pf_compiler::codegen::generate(&fixture::sample_program(), &Options::default());
    assert_eq!(a, b);
    assert!(a.iter().any(|f| f.path == "webshop/pipeline-release.template.yml"));
    let description = template(&fixture::sample_program())["Description"].as_str().unwrap().to_string();
    assert!(description.len() <= 1024 && description.contains("webshop.pf"));
    let json = pipeline::generate(&fixture::sample_program(), &Options { cfn_format: CfnFormat::Json });
    assert_eq!(json[0].path, "webshop/pipeline-release.template.json");
    let value: Value = serde_json::from_str(&json[0].contents).unwrap();
    assert!(value["Metadata"]["pf"]
        .as_str()
        .unwrap()
        .starts_with("Generated by pf (Pipeline Factory) from webshop.pf."));
}

#[test]
fn fixture_template_snapshot() {
    insta::assert_snapshot!(yaml(&fixture::sample_program()));
}

const HARNESS: &str = r#"
import sys
sys.path.insert(0, sys.argv[1])
from distinct_approvers import check_distinct

A = [["approve", "qc"], ["approve", "pmo"]]
def ex(stage, action, who, status="Succeeded"):
    return {"stageName": stage, "actionName": action, "status": status, "updatedBy": who}

ok, msg = check_distinct(A, [ex("approve", "qc", "arn:alice"), ex("approve", "pmo", "arn:bob")])
assert ok, msg
ok, msg = check_distinct(A, [ex("approve", "qc", "arn:alice"), ex("approve", "pmo", "arn:alice")])
assert not ok and "arn:alice" in msg, msg
ok, msg = check_distinct(A, [ex("approve", "qc", "arn:alice")])
assert not ok and "approve/pmo" in msg, msg
ok, msg = check_distinct(A, [ex("approve", "qc", "arn:alice"), ex("approve", "pmo", "arn:bob", "Failed")])
assert not ok, msg
ok, msg = check_distinct(A, [ex("approve", "qc", "arn:alice"), ex("approve", "pmo", None)])
assert not ok, msg
ok, msg = check_distinct(A, [ex("approve", "qc", "arn:alice"), ex("approve", "pmo", "arn:bob"), ex("build", "x", "arn:alice")])
assert ok, msg
print("ok")
"#;

#[test]
fn distinct_approvers_logic() {
    assert!(pipeline::DISTINCT_APPROVERS_PY.len() <= 4096, "inline Lambda code is limited to 4 KB");
    let dir = temp_dir("python");
    std::fs::write(dir.join("distinct_approvers.py"), pipeline::DISTINCT_APPROVERS_PY).unwrap();
    std::fs::write(dir.join("harness.py"), HARNESS).unwrap();
    let d = dir.display().to_string();
    let h = dir.join("harness.py").display().to_string();
    let out = run("python3", &[&h, &d], "python3 (3.8 or newer)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An ECS app's pipeline: an ECR repository (scan on push, immutable tags, KMS, a lifecycle
/// policy), the build pushes to it, every CloudFormation action of an environment stack passes
/// the image, and nothing of CodeDeploy or the artifact store reaches the environment stacks.
#[test]
fn an_ecs_pipeline_releases_the_image_through_the_environment_stacks() {
    let t = template(&fixture::sample_ecs_program());
    let repo = &resources(&t)["ImageRepository"];
    assert_eq!(repo["Type"], "AWS::ECR::Repository");
    let p = &repo["Properties"];
    assert_eq!(p["RepositoryName"], "webshop-release");
    assert_eq!(p["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(p["ImageScanningConfiguration"]["ScanOnPush"], true);
    assert_eq!(p["EncryptionConfiguration"]["EncryptionType"], "KMS");
    let policy: Value =
        serde_json::from_str(p["LifecyclePolicy"]["LifecyclePolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(policy["rules"][0]["selection"]["countNumber"], 50);
    assert!(!resources(&t).contains_key("CodeDeployApplication"));
    let vars = &resources(&t)["BuildProject"]["Properties"]["Environment"]["EnvironmentVariables"];
    assert!(vars
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["Name"] == "IMAGE_REPOSITORY"
            && v["Value"] == serde_json::json!({"Ref": "ImageRepository"})));
    let push: Vec<String> = statements(&t)
        .into_iter()
        .filter(|(id, st)| {
            id == "CodeBuildRole"
                && st["Resource"] == serde_json::json!([{"Fn::GetAtt": ["ImageRepository", "Arn"]}])
        })
        .flat_map(|(_, st)| actions_of(&st))
        .collect();
    assert!(push.contains(&"ecr:PutImage".to_string()), "{push:?}");
    let mut cfn_actions = 0;
    for stage in &ir_stages(&t) {
        for a in stage["Actions"].as_array().unwrap() {
            let provider = a["ActionTypeId"]["Provider"].as_str().unwrap();
            assert_ne!(provider, "CodeDeploy", "{}", a["Name"]);
            if provider != "CloudFormation" || a["Configuration"]["ActionMode"] == "CHANGE_SET_EXECUTE" {
                continue;
            }
            cfn_actions += 1;
            let overrides = a["Configuration"]["ParameterOverrides"]["Fn::Sub"].as_str().unwrap();
            let parsed: Value = serde_json::from_str(overrides).unwrap();
            let input = a["InputArtifacts"][0]["Name"].as_str().unwrap();
            assert_eq!(parsed["ImageRepository"], "${ImageRepository}", "{}", a["Name"]);
            assert_eq!(
                parsed["ImageTag"],
                serde_json::json!({"Fn::GetParam": [input, naming::IMAGE_FILE, "tag"]}),
                "{}",
                a["Name"]
            );
            assert!(parsed.get("ArtifactBucket").is_none(), "{}", a["Name"]);
        }
    }
    // Two per environment: infra (prod: its change set) and the release.
    assert_eq!(cfn_actions, 6);
}
