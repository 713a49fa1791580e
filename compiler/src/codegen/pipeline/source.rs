//! The source: a CodeCommit repository (created here when asked), a GitHub repository through
//! a CodeStar connection, or a zip object in S3; and the source action's configuration. A
//! repository is created by the app's first pipeline only (`Ctx::owns_app_resources`).
//!
//! Polling is always off: CodeCommit and S3 pipelines start from EventBridge rules
//! (`triggers.rs`), GitHub ones from the connection's change detection.

use super::{get_att, ids, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{Source, Text, Trigger};
use serde_json::Value;

pub(super) fn add(ctx: &mut Ctx) {
    if let Source::CodeCommit { repository, create: true, .. } = &ctx.app.source {
        if !ctx.owns_app_resources() {
            return;
        }
        let repo = json!({
            "Type": "AWS::CodeCommit::Repository",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "RepositoryName": repository,
                "RepositoryDescription": format!("Source of app {} (pf)", ctx.app.name)
            }
        });
        ctx.add(ids::REPOSITORY, ctx.tagged(repo));
        ctx.output(
            "CloneUrlHttp",
            "HTTPS clone URL of the created CodeCommit repository",
            get_att(ids::REPOSITORY, "CloneUrlHttp"),
        );
    }
}

/// A `Text` as a CloudFormation value: plain, or a dynamic reference resolved at deploy time.
pub(super) fn text_value(text: &Text) -> Value {
    match text {
        Text::Plain(s) => json!(s),
        Text::Param(name) => json!(format!("{{{{resolve:ssm:{name}}}}}")),
        Text::Secret(id) => json!(format!("{{{{resolve:secretsmanager:{}}}}}", naming::secret_reference(id))),
    }
}

/// Whether the pipeline has a push trigger.
pub(super) fn has_push(ctx: &Ctx) -> bool {
    ctx.pipeline.triggers.iter().any(|t| matches!(t, Trigger::Push { .. }))
}

/// The source action's `ActionTypeId` and `Configuration`.
pub(super) fn action(ctx: &Ctx) -> (Value, Value) {
    match &ctx.app.source {
        Source::CodeCommit { repository, branch, create } => {
            let name = if *create && ctx.owns_app_resources() {
                json!({ "Ref": ids::REPOSITORY })
            } else {
                json!(repository)
            };
            (
                json!({"Category": "Source", "Owner": "AWS", "Provider": "CodeCommit", "Version": "1"}),
                json!({
                    "RepositoryName": name,
                    "BranchName": branch,
                    "PollForSourceChanges": false,
                    "OutputArtifactFormat": "CODE_ZIP"
                }),
            )
        }
        Source::GitHub { connection, repository, branch } => (
            json!({"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"}),
            json!({
                "ConnectionArn": text_value(connection),
                "FullRepositoryId": repository,
                "BranchName": branch,
                "DetectChanges": has_push(ctx),
                "OutputArtifactFormat": "CODE_ZIP"
            }),
        ),
        Source::S3 { bucket, key } => (
            json!({"Category": "Source", "Owner": "AWS", "Provider": "S3", "Version": "1"}),
            json!({ "S3Bucket": bucket, "S3ObjectKey": key, "PollForSourceChanges": false }),
        ),
    }
}

/// The repository's ARN (CodeCommit only).
pub(super) fn codecommit_arn(ctx: &Ctx) -> Option<Value> {
    match &ctx.app.source {
        Source::CodeCommit { create: true, .. } if ctx.owns_app_resources() => {
            Some(get_att(ids::REPOSITORY, "Arn"))
        }
        Source::CodeCommit { repository, .. } => Some(super::arn("codecommit", repository)),
        _ => None,
    }
}
