//! The permissions boundary of every role the environment stacks create
//! (`EnvironmentRoleBoundary`, a managed policy owned by the pipeline stack).
//!
//! The pipeline's CloudFormation role may create and change roles only with this boundary
//! (`iam:PermissionsBoundary` conditions, see `iam.rs`), so a commit that reaches the pipeline
//! cannot give an environment's role more than the boundary allows, whatever the environment
//! template says. The boundary is the ceiling of what pf's environment roles need, and nothing
//! of IAM, STS or Organizations:
//! - the instances: SSM management (the actions of the AWS managed policy
//!   `AmazonSSMManagedInstanceCore`, v2), the revisions in the artifact bucket, the runtime
//!   values the program names (its parameters and secrets, the RDS-managed secrets, the database
//!   users, the environment stacks' outputs) and the program's `allow` permissions;
//! - CodeDeploy: the actions of `AWSCodeDeployRole` (v11);
//! - RDS enhanced monitoring: the log groups `RDS*` (`AmazonRDSEnhancedMonitoringRole`, v1);
//! - VPC flow logs: the environment stacks' log groups.
//!
//! Changing the boundary needs the pipeline stack to be redeployed (by hand, or by the guarded
//! self-update): a commit alone cannot widen it.

use super::{allow, arn, checkov_skip, ids, sub, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{runtime_values, RuntimeValue, Text};
use serde_json::Value;

/// The actions of `AmazonSSMManagedInstanceCore` (version v2).
const SSM_INSTANCE: &[&str] = &[
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
    "ssm:DescribeAssociation",
    "ssm:DescribeDocument",
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetDocument",
    "ssm:GetManifest",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:PutInventory",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/// The actions of `AWSCodeDeployRole` (version v11).
const CODEDEPLOY: &[&str] = &[
    "autoscaling:AttachLoadBalancerTargetGroups",
    "autoscaling:AttachLoadBalancers",
    "autoscaling:CompleteLifecycleAction",
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:CreateOrUpdateTags",
    "autoscaling:DeleteAutoScalingGroup",
    "autoscaling:DeleteLifecycleHook",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeLifecycleHooks",
    "autoscaling:DescribeNotificationConfigurations",
    "autoscaling:DescribePolicies",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeScheduledActions",
    "autoscaling:EnableMetricsCollection",
    "autoscaling:PutLifecycleHook",
    "autoscaling:PutNotificationConfiguration",
    "autoscaling:PutScalingPolicy",
    "autoscaling:PutScheduledUpdateGroupAction",
    "autoscaling:PutWarmPool",
    "autoscaling:RecordLifecycleActionHeartbeat",
    "autoscaling:ResumeProcesses",
    "autoscaling:SuspendProcesses",
    "autoscaling:UpdateAutoScalingGroup",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:PutMetricAlarm",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstances",
    "ec2:TerminateInstances",
    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:DescribeInstanceHealth",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    "elasticloadbalancing:RegisterTargets",
    "sns:Publish",
    "tag:GetResources",
];

/// Whether the pipeline stack has a boundary: it deploys at least one environment stack.
pub(super) fn needed(ctx: &Ctx) -> bool {
    !super::iam::infra_envs(ctx).is_empty()
}

/// The boundary's ARN, for the CloudFormation role's conditions and the parameter overrides.
pub(super) fn arn_value() -> Value {
    json!({ "Ref": ids::BOUNDARY })
}

/// The statements of the runtime values the program names, in the environments `envs`.
fn runtime_statements(ctx: &Ctx, envs: &[String]) -> Vec<Value> {
    let mut params: Vec<Value> = Vec::new();
    let mut secrets: Vec<Value> = Vec::new();
    let mut users: Vec<Value> = Vec::new();
    let push = |list: &mut Vec<Value>, v: Value| {
        if !list.contains(&v) {
            list.push(v);
        }
    };
    for env in envs.iter().filter_map(|e| ctx.program.env(e)) {
        let password = env.database.as_ref().and_then(|d| d.password.as_ref());
        let texts = runtime_values(ctx.app, env).into_values().filter_map(|v| match v {
            RuntimeValue::Text(t) => Some(t),
            _ => None,
        });
        for t in texts.chain(password.cloned()) {
            match t {
                Text::Param(name) => push(&mut params, naming::parameter_arn(&name)),
                Text::Secret(id) => push(&mut secrets, naming::secret_arn(&id)),
                Text::Plain(_) => {}
            }
        }
        if let Some(db) = &env.database {
            if password.is_none_or(|p| matches!(p, Text::Plain(_))) {
                push(&mut secrets, arn("secretsmanager", "secret:rds!db-*"));
            }
            push(&mut users, arn("rds-db", &format!("dbuser:*/{}", db.username)));
        }
    }
    let mut out = Vec::new();
    if !params.is_empty() {
        out.push(allow(&["ssm:GetParameter"], params));
    }
    let any_secret = !secrets.is_empty();
    if any_secret {
        out.push(allow(&["secretsmanager:GetSecretValue"], secrets));
    }
    if !out.is_empty() {
        out.push(json!({
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [arn("kms", "key/*")],
            "Condition": { "StringEquals": { "kms:ViaService": [
                sub("ssm.${AWS::Region}.${AWS::URLSuffix}"),
                sub("secretsmanager.${AWS::Region}.${AWS::URLSuffix}")
            ] } }
        }));
    }
    if !users.is_empty() {
        out.push(allow(&["rds-db:connect"], users));
    }
    out
}

/// Adds `EnvironmentRoleBoundary` when the pipeline deploys environment stacks.
pub(super) fn add(ctx: &mut Ctx) {
    if !needed(ctx) {
        return;
    }
    let st = statements(ctx, &super::iam::Host::pipeline(ctx));
    let description = format!(
        "pf: permissions boundary of the roles of the environment stacks of pipeline {}",
        ctx.pipeline_name()
    );
    ctx.add(ids::BOUNDARY, resource(description, st));
}

/// The boundary's statements for the environments `host.envs`, in the account and region of
/// the stack that hosts it.
pub(crate) fn statements(ctx: &Ctx, host: &super::iam::Host) -> Vec<Value> {
    let envs = &host.envs;
    let stacks: Vec<Value> = envs
        .iter()
        .map(|e| arn("cloudformation", &format!("stack/{}/*", naming::env_stack_name(&ctx.app.name, e))))
        .collect();
    let flow_logs: Vec<Value> = envs
        .iter()
        .map(|e| arn("logs", &format!("log-group:{}-*", naming::env_stack_name(&ctx.app.name, e))))
        .collect();
    let mut st = vec![
        allow(SSM_INSTANCE, vec![json!("*")]),
        allow(CODEDEPLOY, vec![json!("*")]),
        host.allow_artifacts(&["s3:GetObject", "s3:GetObjectVersion"], vec![host.objects.clone()]),
        host.allow_artifacts(&["kms:Decrypt"], vec![host.key.clone()]),
        allow(&["cloudformation:DescribeStacks"], stacks),
        allow(&["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], flow_logs),
        allow(&["logs:CreateLogGroup", "logs:PutRetentionPolicy"], vec![arn("logs", "log-group:RDS*")]),
        allow(
            &["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:PutLogEvents"],
            vec![arn("logs", "log-group:RDS*:log-stream:*")],
        ),
    ];
    st.extend(runtime_statements(ctx, envs));
    st.extend(ctx.extras.boundary_statements.iter().cloned());
    for p in &ctx.app.permissions {
        st.push(json!({ "Effect": "Allow", "Action": &p.actions, "Resource": &p.resources }));
    }
    st
}

/// The boundary policy resource, with its checkov skips.
pub(crate) fn resource(description: String, statements: Vec<Value>) -> Value {
    json!({
        "Type": "AWS::IAM::ManagedPolicy",
        "Metadata": checkov_skip(&[
            ("CKV_AWS_111", "A permissions boundary grants nothing: it caps the roles the environment stacks create. The write actions on * are those of the AWS managed policies the roles use (AWSCodeDeployRole, AmazonSSMManagedInstanceCore), which support no narrower resource."),
            ("CKV_AWS_108", "A permissions boundary grants nothing: the instances' own policies name the parameters they read; the boundary lists the program's runtime values and SSM's instance actions."),
        ]),
        "Properties": {
            "Description": description,
            "PolicyDocument": { "Version": "2012-10-17", "Statement": statements }
        }
    })
}
