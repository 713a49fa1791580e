//! Delivery to other accounts and regions (issue 20 items 2 and 3), on `examples/enterprise.pf`:
//! test in the pipeline's account, uat in account 222222222222, prod in a `param(...)` account
//! in eu-west-1. Each test parses the generated YAML and asserts the statements.

use serde_yaml::Value;
use std::path::Path;
use std::process::Command;

fn build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["build", "examples/enterprise.pf", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn load(dir: &Path, file: &str) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(dir.join("treasury").join(file)).unwrap()).unwrap()
}

/// `Fn::Sub` text of a value (or the plain string).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => v.get("Fn::Sub").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("{v:?}")),
    }
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(s) => s.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

const UAT_DEPLOY: &str = "arn:${AWS::Partition}:iam::222222222222:role/treasury-pf-deploy";
const PROD_DEPLOY: &str =
    "arn:${AWS::Partition}:iam::${AccountOrgAccountsTreasuryProd}:role/treasury-pf-deploy";

fn statements(doc: &Value) -> &Vec<Value> {
    doc["Statement"].as_sequence().unwrap()
}

#[test]
fn the_key_and_bucket_policies_let_each_target_account_in_its_region() {
    let dir = build();
    let pipeline = load(dir.path(), "pipeline-treasury.template.yml");
    let key = statements(&pipeline["Resources"]["ArtifactKey"]["Properties"]["KeyPolicy"]);
    let uat = key.iter().find(|s| s["Sid"] == "TargetAccount222222222222").expect("uat's statement");
    assert_eq!(
        list(&uat["Principal"]["AWS"]),
        [UAT_DEPLOY, "arn:${AWS::Partition}:iam::222222222222:role/treasury-pf-cloudformation"]
    );
    assert_eq!(list(&uat["Action"]), ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]);
    // prod is in eu-west-1: its account is in the support stack's key, not the pipeline's.
    assert!(!key.iter().any(|s| format!("{s:?}").contains("AccountOrgAccountsTreasuryProd")));
    let support = load(dir.path(), "support-eu-west-1.template.yml");
    let skey = statements(&support["Resources"]["ArtifactKey"]["Properties"]["KeyPolicy"]);
    let prod =
        skey.iter().find(|s| s["Sid"] == "TargetAccountOrgAccountsTreasuryProd").expect("prod's statement");
    assert_eq!(list(&prod["Principal"]["AWS"])[0], PROD_DEPLOY);
    assert!(!skey.iter().any(|s| format!("{s:?}").contains("222222222222")));
    assert_eq!(
        text(&support["Resources"]["ArtifactBucket"]["Properties"]["BucketName"]),
        "treasury-pf-artifacts-${AWS::AccountId}-eu-west-1"
    );
    let bucket = statements(&pipeline["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]);
    let grant = bucket.iter().find(|s| s["Sid"] == "TargetAccount222222222222").expect("uat's bucket grant");
    assert_eq!(list(&grant["Principal"]["AWS"])[0], UAT_DEPLOY);
}

#[test]
fn one_artifact_store_per_region_and_each_action_runs_where_its_environment_is() {
    let dir = build();
    let pipeline = load(dir.path(), "pipeline-treasury.template.yml");
    let props = &pipeline["Resources"]["Pipeline"]["Properties"];
    assert!(props.get("ArtifactStore").is_none());
    let stores = props["ArtifactStores"].as_sequence().unwrap();
    assert_eq!(stores.len(), 2);
    assert_eq!(stores[0]["Region"]["Ref"], "AWS::Region");
    assert_eq!(stores[1]["Region"], "eu-west-1");
    assert_eq!(
        text(&stores[1]["ArtifactStore"]["Location"]),
        "treasury-pf-artifacts-${AWS::AccountId}-eu-west-1"
    );
    assert_eq!(stores[1]["ArtifactStore"]["EncryptionKey"]["Id"]["Ref"], "ArtifactKeyEuWest1");
    let mut seen = 0;
    for stage in props["Stages"].as_sequence().unwrap() {
        for action in stage["Actions"].as_sequence().unwrap() {
            let (role, region) = (action.get("RoleArn").map(text), action.get("Region"));
            // An approval runs in the pipeline's account, whatever its stage.
            let stage_name = if action["ActionTypeId"]["Category"] == "Approval" {
                ""
            } else {
                stage["Name"].as_str().unwrap()
            };
            match stage_name {
                "prod" => {
                    seen += 1;
                    assert_eq!(role.as_deref(), Some(PROD_DEPLOY), "{action:?}");
                    assert_eq!(region.and_then(Value::as_str), Some("eu-west-1"));
                    if action["ActionTypeId"]["Provider"] == "CloudFormation" {
                        if let Some(r) = action["Configuration"].get("RoleArn") {
                            assert_eq!(
                                text(r),
                                "arn:${AWS::Partition}:iam::${AccountOrgAccountsTreasuryProd}:role/treasury-pf-cloudformation"
                            );
                        }
                    }
                }
                "uat" => {
                    seen += 1;
                    assert_eq!(role.as_deref(), Some(UAT_DEPLOY));
                    assert!(region.is_none());
                }
                _ => assert!(role.is_none() && region.is_none(), "{action:?}"),
            }
        }
    }
    assert!(seen >= 4, "uat and prod actions: {seen}");
    let policy = &pipeline["Resources"]["PipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"];
    let assume: Vec<&Value> =
        statements(policy).iter().filter(|s| list(&s["Action"]).contains(&"sts:AssumeRole".into())).collect();
    assert_eq!(assume.len(), 1);
    assert_eq!(list(&assume[0]["Resource"]), [UAT_DEPLOY, PROD_DEPLOY]);
}

#[test]
fn the_bootstrap_trusts_the_pipeline_role_only_and_bounds_every_role() {
    let dir = build();
    let b = load(dir.path(), "bootstrap-222222222222.template.yml");
    let r = &b["Resources"];
    let trust = &statements(&r["DeployRole"]["Properties"]["AssumeRolePolicyDocument"])[0];
    assert_eq!(text(&trust["Principal"]["AWS"]), "arn:${AWS::Partition}:iam::${PipelineAccount}:root");
    assert_eq!(
        list(&trust["Condition"]["ArnEquals"]["aws:PrincipalArn"]),
        ["arn:${AWS::Partition}:iam::${PipelineAccount}:role/treasury-treasury-pf-pipeline"]
    );
    assert_eq!(b["Parameters"]["PipelineAccount"]["Default"], "111111111111");
    assert_eq!(
        r["EnvironmentRoleBoundary"]["Properties"]["ManagedPolicyName"],
        "treasury-pf-environment-boundary"
    );
    let exec = &r["CloudFormationRole"]["Properties"];
    assert_eq!(exec["RoleName"], "treasury-pf-cloudformation");
    let st = statements(&exec["Policies"][0]["PolicyDocument"]);
    let creates: Vec<&Value> = st
        .iter()
        .filter(|s| s["Effect"] == "Allow" && list(&s["Action"]).contains(&"iam:CreateRole".into()))
        .collect();
    assert_eq!(creates.len(), 1);
    assert_eq!(
        creates[0]["Condition"]["StringEquals"]["iam:PermissionsBoundary"]["Ref"],
        "EnvironmentRoleBoundary"
    );
    assert!(st
        .iter()
        .any(|s| s["Effect"] == "Deny" && list(&s["Action"]) == ["iam:DeleteRolePermissionsBoundary"]));
    // The deploy role may pass only the execution role, and only to CloudFormation.
    let deploy = statements(&r["DeployRole"]["Properties"]["Policies"][0]["PolicyDocument"]);
    let pass = deploy.iter().find(|s| list(&s["Action"]) == ["iam:PassRole"]).unwrap();
    assert_eq!(pass["Resource"][0]["Fn::GetAtt"][0], "CloudFormationRole");
    assert_eq!(pass["Condition"]["StringEquals"]["iam:PassedToService"], "cloudformation.amazonaws.com");
    // EC2 in another account: the bootstrap creates the CodeDeploy application there.
    assert_eq!(r["CodeDeployApplication"]["Properties"]["ApplicationName"], "treasury");
}
