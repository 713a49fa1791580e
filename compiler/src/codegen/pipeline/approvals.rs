//! Manual approvals: an SNS topic per approver group (with an e-mail subscription per address),
//! a managed policy per group that may approve only that group's actions, and the Lambda
//! function that fails a run when one identity gave two of a list of approvals.

use super::{allow, arn, checkov_skip, get_att, ids, reference, sub_escape, trust, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{ActionKind, Approval};
use serde_json::Value;

/// The distinct-approvers check, inlined as the function's `ZipFile` (at most 4 KB). Its
/// `check_distinct` is a pure function, tested by `compiler/tests/codegen_pipeline.rs`.
pub const DISTINCT_APPROVERS_PY: &str = include_str!("distinct_approvers.py");

/// An approval action: stage, action, approval.
pub(super) struct ApprovalAction<'a> {
    pub stage: &'a str,
    pub action: &'a str,
    pub approval: &'a Approval,
}

/// Every approval action in pipeline order.
pub(super) fn approval_actions<'a>(ctx: &Ctx<'a>) -> Vec<ApprovalAction<'a>> {
    let pipeline = ctx.pipeline;
    let mut out = Vec::new();
    for stage in &pipeline.stages {
        for action in &stage.actions {
            if let ActionKind::Approve(approval) = &action.kind {
                out.push(ApprovalAction { stage: &stage.name, action: &action.name, approval });
            }
        }
    }
    out
}

/// Approver groups in order of first appearance.
pub(super) fn groups(ctx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in approval_actions(ctx) {
        if !out.contains(&a.approval.group) {
            out.push(a.approval.group.clone());
        }
    }
    out
}

/// The logical ID of a group's topic.
pub(super) fn topic_id(group: &str) -> String {
    naming::logical_id(&["approval", group, "topic"])
}

/// Whether the pipeline has a distinct-approvers check.
pub(super) fn has_check(ctx: &Ctx) -> bool {
    ctx.pipeline
        .stages
        .iter()
        .flat_map(|s| &s.actions)
        .any(|a| matches!(a.kind, ActionKind::CheckDistinctApprovers { .. }))
}

/// The check function's name.
pub(super) fn check_function_name(ctx: &Ctx) -> String {
    format!("{}-distinct-approvers", ctx.prefix())
}

/// The check action's `UserParameters`.
pub(super) fn check_parameters(ctx: &Ctx, approvals: &[(String, String)]) -> String {
    json!({
        "pipeline": ctx.pipeline_name(),
        "executionId": "#{codepipeline.PipelineExecutionId}",
        "approvals": approvals.iter().map(|(s, a)| json!([s, a])).collect::<Vec<_>>()
    })
    .to_string()
}

pub(super) fn add(ctx: &mut Ctx) {
    let actions = approval_actions(ctx);
    let pipeline_name = ctx.pipeline_name();
    for group in groups(ctx) {
        let topic = topic_id(&group);
        let resource = json!({
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "DisplayName": format!("Approvals of {group} for {pipeline_name}"),
                "KmsMasterKeyId": get_att(ids::KEY, "Arn")
            }
        });
        ctx.add(&topic, ctx.tagged(resource));
        let mut addresses: Vec<&String> = Vec::new();
        for a in actions.iter().filter(|a| a.approval.group == group) {
            for address in &a.approval.notify {
                if !addresses.contains(&address) {
                    addresses.push(address);
                }
            }
        }
        for (i, address) in addresses.iter().enumerate() {
            ctx.add(
                &format!("{}Subscription{}", naming::logical_id(&["approval", &group]), i + 1),
                json!({
                    "Type": "AWS::SNS::Subscription",
                    "Properties": { "TopicArn": reference(&topic), "Protocol": "email", "Endpoint": address }
                }),
            );
        }

        let approve: Vec<Value> = actions
            .iter()
            .filter(|a| a.approval.group == group)
            .map(|a| arn("codepipeline", &sub_escape(&format!("{pipeline_name}/{}/{}", a.stage, a.action))))
            .collect();
        let policy_id = naming::logical_id(&["approver", &group, "policy"]);
        ctx.add(
            &policy_id,
            json!({
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Description": format!(
                        "pf: lets approver group {group} approve its own actions of pipeline {pipeline_name}, and nothing else"
                    ),
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            allow(&["codepipeline:PutApprovalResult"], approve),
                            allow(
                                &[
                                    "codepipeline:GetPipeline",
                                    "codepipeline:GetPipelineState",
                                    "codepipeline:GetPipelineExecution",
                                    "codepipeline:ListPipelineExecutions"
                                ],
                                vec![ctx.pipeline_arn()]
                            )
                        ]
                    }
                }
            }),
        );
        ctx.output(
            &naming::logical_id(&["approver", &group, "policy", "arn"]),
            &format!("Attach to the IAM group or role of approver group {group}"),
            reference(&policy_id),
        );
    }

    if has_check(ctx) {
        add_check_function(ctx);
    }
}

fn add_check_function(ctx: &mut Ctx) {
    let name = check_function_name(ctx);
    let log_group = format!("/aws/lambda/{name}");
    ctx.add(
        "DistinctApproversLogs",
        json!({
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": &log_group,
                "RetentionInDays": super::builds::LOG_RETENTION_DAYS,
                "KmsKeyId": get_att(ids::KEY, "Arn")
            }
        }),
    );
    let role = json!({
        "Type": "AWS::IAM::Role",
        "Metadata": { "cfn_nag": { "rules_to_suppress": [{
            "id": "W11",
            "reason": "codepipeline:PutJobSuccessResult and PutJobFailureResult support no \
                       resource-level permissions (the service authorization reference lists \
                       only `*`); the job ID in the request scopes them. Every other statement \
                       names its resources."
        }] } },
        "Properties": {
            "Description": format!("pf: the distinct-approvers check of pipeline {}", ctx.pipeline_name()),
            "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
            "Policies": [{
                "PolicyName": "distinct-approvers",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        allow(
                            &["logs:CreateLogStream", "logs:PutLogEvents"],
                            vec![arn("logs", &format!("log-group:{log_group}:*"))]
                        ),
                        allow(&["codepipeline:ListActionExecutions"], vec![ctx.pipeline_arn()]),
                        allow(&["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"], vec![json!("*")])
                    ]
                }
            }]
        }
    });
    ctx.add("DistinctApproversRole", ctx.tagged(role));
    let function = json!({
        "Type": "AWS::Lambda::Function",
        "DependsOn": ["DistinctApproversLogs"],
        "Metadata": checkov_skip(&[
            (
                "CKV_AWS_116",
                "CodePipeline invokes the function and waits for its job result; a failed \
                 invocation fails the pipeline action, which is the wanted outcome, so a \
                 dead-letter queue would hold nothing anyone acts on."
            ),
            (
                "CKV_AWS_117",
                "The function only calls the public CodePipeline API and touches no private \
                 resource; a VPC would add NAT or endpoints for no isolation gain."
            ),
        ]),
        "Properties": {
            "FunctionName": name,
            "Description": "pf: fails the run when one person gave two of the listed approvals",
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Timeout": 60,
            "MemorySize": 128,
            "ReservedConcurrentExecutions": 2,
            "Role": get_att("DistinctApproversRole", "Arn"),
            "Code": { "ZipFile": DISTINCT_APPROVERS_PY }
        }
    });
    ctx.add(ids::CHECK_FUNCTION, ctx.tagged(function));
}
