//! What starts the pipeline, and who hears when it fails.
//!
//! - Push: CodeCommit and S3 through an EventBridge rule (polling is off); GitHub through the
//!   connection's change detection, with V2 `Triggers` filters (branches, tags, file paths).
//! - Schedule: an EventBridge rule with the schedule expression.
//! - Manual: nothing starts the pipeline automatically.
//!
//! Rules start the pipeline through `EventsRole`, allowed only `StartPipelineExecution` on this
//! pipeline. Failures publish to an SNS topic with an e-mail subscription per address.

use super::{allow, get_att, ids, reference, source, trust, Ctx};
use crate::codegen::json::json;
use crate::ir::{PipelineType, Source, Trigger};
use serde_json::Value;

/// The V2 `Triggers` property (GitHub sources with a push trigger on V2 pipelines).
pub(super) fn pipeline_triggers(ctx: &Ctx) -> Option<Value> {
    let Source::GitHub { branch, .. } = &ctx.app.source else { return None };
    if ctx.pipeline.pipeline_type != PipelineType::V2 {
        return None;
    }
    let mut filters = Vec::new();
    for t in &ctx.pipeline.triggers {
        // One trigger, one filter: tags, or branches (the source branch by default) with
        // optional paths. The checker refuses the other combinations (PF3036).
        let Trigger::Push { branches, tags, paths } = t else { continue };
        let f = if !tags.is_empty() {
            json!({ "Tags": { "Includes": tags } })
        } else {
            let branches = if branches.is_empty() { vec![branch.clone()] } else { branches.clone() };
            let mut f = json!({ "Branches": { "Includes": branches } });
            if !paths.is_empty() {
                f["FilePaths"] = json!({ "Includes": paths });
            }
            f
        };
        if !filters.contains(&f) {
            filters.push(f);
        }
    }
    if filters.is_empty() {
        return None;
    }
    let source_action = ctx.pipeline.stages.first().and_then(|s| s.actions.first()).map(|a| a.name.clone());
    Some(json!([{
        "ProviderType": "CodeStarSourceConnection",
        "GitConfiguration": {
            "SourceActionName": source_action.unwrap_or_else(|| "Source".into()),
            "Push": filters
        }
    }]))
}

/// A rule target that starts this pipeline.
fn pipeline_target(ctx: &Ctx) -> Value {
    json!({ "Id": "pipeline", "Arn": ctx.pipeline_arn(), "RoleArn": get_att(ids::EVENTS_ROLE, "Arn") })
}

/// The push rule's event pattern, for CodeCommit and S3 sources with a push trigger.
fn push_pattern(ctx: &Ctx) -> Option<Value> {
    let mut branches: Vec<String> = Vec::new();
    let mut any = false;
    for t in &ctx.pipeline.triggers {
        if let Trigger::Push { branches: b, .. } = t {
            any = true;
            for b in b {
                if !branches.contains(b) {
                    branches.push(b.clone());
                }
            }
        }
    }
    if !any {
        return None;
    }
    match &ctx.app.source {
        Source::CodeCommit { branch, .. } => {
            if branches.is_empty() {
                branches.push(branch.clone());
            }
            Some(json!({
                "source": ["aws.codecommit"],
                "detail-type": ["CodeCommit Repository State Change"],
                "resources": [source::codecommit_arn(ctx)],
                "detail": {
                    "event": ["referenceCreated", "referenceUpdated"],
                    "referenceType": ["branch"],
                    "referenceName": branches
                }
            }))
        }
        Source::S3 { bucket, key } => Some(json!({
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": { "bucket": { "name": [bucket] }, "object": { "key": [key] } }
        })),
        Source::GitHub { .. } => None,
    }
}

pub(super) fn add(ctx: &mut Ctx) {
    let name = ctx.pipeline_name();
    let mut starts = false;
    if let Some(pattern) = push_pattern(ctx) {
        let what = match &ctx.app.source {
            Source::S3 { .. } => "a new source object",
            _ => "a push to the branch",
        };
        ctx.add(
            "SourceChangeRule",
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Description": format!("pf: starts pipeline {name} on {what}"),
                    "State": "ENABLED",
                    "EventPattern": pattern,
                    "Targets": [pipeline_target(ctx)]
                }
            }),
        );
        starts = true;
    }
    let schedules: Vec<String> = ctx
        .pipeline
        .triggers
        .iter()
        .filter_map(|t| match t {
            Trigger::Schedule { expression } => Some(expression.clone()),
            _ => None,
        })
        .collect();
    for (i, expression) in schedules.iter().enumerate() {
        ctx.add(
            &format!("ScheduleRule{}", i + 1),
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Description": format!("pf: starts pipeline {name} on schedule {expression}"),
                    "State": "ENABLED",
                    "ScheduleExpression": expression,
                    "Targets": [pipeline_target(ctx)]
                }
            }),
        );
        starts = true;
    }
    if starts {
        let role = json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": format!("pf: lets EventBridge start pipeline {name}"),
                "AssumeRolePolicyDocument": trust("events.amazonaws.com"),
                "Policies": [{
                    "PolicyName": "start-pipeline",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [allow(&["codepipeline:StartPipelineExecution"], vec![ctx.pipeline_arn()])]
                    }
                }]
            }
        });
        ctx.add(ids::EVENTS_ROLE, ctx.tagged(role));
    }

    if ctx.pipeline.notify_failure.is_empty() {
        return;
    }
    let topic = json!({
        "Type": "AWS::SNS::Topic",
        "Properties": {
            "DisplayName": format!("Failures of pipeline {name}"),
            "KmsMasterKeyId": get_att(ids::KEY, "Arn")
        }
    });
    ctx.add("FailureTopic", ctx.tagged(topic));
    for (i, address) in ctx.pipeline.notify_failure.clone().iter().enumerate() {
        ctx.add(
            &format!("FailureSubscription{}", i + 1),
            json!({
                "Type": "AWS::SNS::Subscription",
                "Properties": { "TopicArn": reference("FailureTopic"), "Protocol": "email", "Endpoint": address }
            }),
        );
    }
    ctx.add(
        "FailureRule",
        json!({
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": format!("pf: tells the team when pipeline {name} fails"),
                "State": "ENABLED",
                "EventPattern": {
                    "source": ["aws.codepipeline"],
                    "detail-type": ["CodePipeline Pipeline Execution State Change"],
                    "resources": [ctx.pipeline_arn()],
                    "detail": { "state": ["FAILED"] }
                },
                "Targets": [{ "Id": "failure-topic", "Arn": reference("FailureTopic") }]
            }
        }),
    );
    ctx.add(
        "FailureTopicPolicy",
        json!({
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [reference("FailureTopic")],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "EventBridgeFailureRule",
                        "Effect": "Allow",
                        "Principal": { "Service": "events.amazonaws.com" },
                        "Action": "sns:Publish",
                        "Resource": reference("FailureTopic"),
                        "Condition": { "ArnEquals": { "aws:SourceArn": get_att("FailureRule", "Arn") } }
                    }]
                }
            }
        }),
    );
}
