//! The blue/green release job: one CodeBuild project per pipeline whose app some environment
//! releases blue/green (`release_job.sh`): it reads which colour is live before a release
//! (`plan-<env>`, exporting `LIVE_COLOUR`, `NEW_COLOUR`, `LIVE_IMAGE`), and waits after each
//! traffic shift watching the rollback alarms; an alarm shifts the traffic back with a stack
//! update and fails the run. Its role may only read the environment stacks, update them through
//! the CloudFormation role, and read health and alarms.

use super::{allow, arn, get_att, ids, reference, trust, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{ActionKind, ReleaseStep};
use serde_json::Value;

/// The release job's script (`release_job.sh`).
pub const RELEASE_JOB_SH: &str = include_str!("release_job.sh");

pub const PROJECT: &str = "ReleaseProject";
const ROLE: &str = "ReleaseRole";
const LOGS: &str = "ReleaseLogs";

/// The variables the plan step exports.
pub const EXPORTED: &[&str] = &["LIVE_COLOUR", "NEW_COLOUR", "LIVE_IMAGE"];

/// The environments this pipeline releases blue/green, in order.
pub(super) fn envs(ctx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in ctx.pipeline.stages.iter().flat_map(|s| &s.actions) {
        if let ActionKind::Release { env, step: ReleaseStep::Plan } = &a.kind {
            if !out.contains(env) {
                out.push(env.clone());
            }
        }
    }
    out
}

/// The project's name.
pub(super) fn project_name(ctx: &Ctx) -> String {
    format!("{}-release", ctx.prefix())
}

fn buildspec() -> String {
    let doc = json!({
        "version": 0.2,
        "env": {"exported-variables": EXPORTED},
        "phases": {"build": {"commands": [RELEASE_JOB_SH]}}
    });
    crate::codegen::yaml::to_string(&doc)
}

pub(super) fn add(ctx: &mut Ctx) {
    let envs = envs(ctx);
    if envs.is_empty() {
        return;
    }
    let log_group = format!("/aws/codebuild/{}", project_name(ctx));
    ctx.add(
        LOGS,
        json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
               "Properties": {"LogGroupName": &log_group, "RetentionInDays": super::builds::LOG_RETENTION_DAYS,
                              "KmsKeyId": get_att(ids::KEY, "Arn")}}),
    );
    let stacks: Vec<Value> = envs
        .iter()
        .map(|e| arn("cloudformation", &format!("stack/{}/*", naming::env_stack_name(&ctx.app.name, e))))
        .collect();
    let statements = vec![
        allow(
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![arn("logs", &format!("log-group:{log_group}:*"))],
        ),
        allow(
            &["s3:GetObject", "s3:GetObjectVersion"],
            vec![super::sub(&format!("${{{}.Arn}}/*", ids::BUCKET))],
        ),
        allow(&["kms:Decrypt", "kms:DescribeKey"], vec![get_att(ids::KEY, "Arn")]),
        allow(
            &[
                "cloudformation:DescribeStackResource",
                "cloudformation:DescribeStacks",
                "cloudformation:UpdateStack",
            ],
            stacks,
        ),
        // Describe calls of these services support no resource-level permissions.
        allow(
            &[
                "autoscaling:DescribeAutoScalingGroups",
                "cloudwatch:DescribeAlarms",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            vec![json!("*")],
        ),
        json!({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": [get_att(ids::DEPLOY_ROLE, "Arn")],
               "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}}),
    ];
    let role = ctx.tagged(json!({"Type": "AWS::IAM::Role", "Properties": {
        "Description": format!("pf: blue/green release job of pipeline {}", ctx.pipeline_name()),
        "AssumeRolePolicyDocument": trust("codebuild.amazonaws.com"),
        "Policies": [{"PolicyName": "release", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}}));
    ctx.add(ROLE, role);
    let project = json!({"Type": "AWS::CodeBuild::Project", "Properties": {
        "Name": project_name(ctx),
        "Description": format!("Blue/green release steps of app {} (pf pipeline {})", ctx.app.name, ctx.pipeline.name),
        "ServiceRole": get_att(ROLE, "Arn"),
        "Source": {"Type": "CODEPIPELINE", "BuildSpec": buildspec()},
        "Artifacts": {"Type": "CODEPIPELINE"},
        "Environment": {"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL",
                        "Image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                        "ImagePullCredentialsType": "CODEBUILD", "PrivilegedMode": false,
                        "EnvironmentVariables": [{"Name": "PF_ROLE", "Type": "PLAINTEXT", "Value": get_att(ids::DEPLOY_ROLE, "Arn")}]},
        "TimeoutInMinutes": 2160,
        "EncryptionKey": get_att(ids::KEY, "Arn"),
        "LogsConfig": {"CloudWatchLogs": {"Status": "ENABLED", "GroupName": reference(LOGS)}}}});
    ctx.add(PROJECT, ctx.tagged(project));
}
