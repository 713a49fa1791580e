//! The self-updating pipeline under a guard (docs/self-update.md): three stages right after
//! `Source`.
//!
//! 1. `PipelineGuard`: a CodeBuild job (`self_update.py`) compares the deployed stack's guard
//!    manifest with the committed template's (`review::guard`, the same rules) and exports
//!    `GUARD` (`none` or the finding codes) and `CHANGE` (one paragraph), namespace `guard`.
//! 2. `PipelineApproval`: one manual approval per group approving the protected environments
//!    (of this, the running, definition), with `CustomData` `#{guard.CHANGE}`; its `BeforeEntry`
//!    condition (a `VariableCheck` rule `GUARD NE none`, result `SKIP`: a failed entry condition
//!    engages its result) skips it when the guard found nothing.
//! 3. `UpdatePipeline`: a CloudFormation `CREATE_UPDATE` of the pipeline's own stack from the
//!    committed template, with `SelfUpdateRole`; `RestartExecutionOnUpdate` is true, so a changed
//!    pipeline starts over with its new definition.
//!
//! `SelfUpdateRole` cannot escalate: every role of the stack carries `PipelineRoleBoundary`,
//! under which a role's rights are set only with a boundary; the role changes the stack's roles
//! only with that boundary and may never change it. Every change to an IAM role or managed
//! policy of the stack waits for the production approvers first (`permissions-changed`), and a
//! change of the boundary itself stops the self-update (an administrator deploys it).

use super::{allow, approvals, arn, checkov_skip, get_att, ids, reference, sub, trust, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::review::guard;
use serde_json::{Map, Value};

/// The guard job's script, inlined in its buildspec.
pub const SELF_UPDATE_PY: &str = include_str!("self_update.py");

/// The stages' names, in order.
pub const STAGES: [&str; 3] = ["PipelineGuard", "PipelineApproval", "UpdatePipeline"];
/// The guard action's namespace.
pub const NAMESPACE: &str = "guard";
/// The permissions boundary of the pipeline stack's roles.
pub use guard::BOUNDARY;
const PROJECT: &str = "GuardProject";
const ROLE: &str = "GuardRole";
const LOGS: &str = "GuardLogs";
const UPDATE_ROLE: &str = "SelfUpdateRole";

/// What `SelfUpdateRole` may do per resource type of the pipeline stack, outside IAM: the
/// create, read, update and delete handler permissions of each type's CloudFormation resource
/// schema (cfn-lint 1.58.0, us-east-1), their own service's and the artifact key's and bucket's
/// (`AWS::CodeBuild::Project` has no handler list: its four API calls).
const HANDLERS: &[(&str, &[&str])] = &[
    (
        "AWS::CodeBuild::Project",
        &[
            "codebuild:BatchGetProjects",
            "codebuild:CreateProject",
            "codebuild:DeleteProject",
            "codebuild:UpdateProject",
        ],
    ),
    (
        "AWS::CodeBuild::ReportGroup",
        &[
            "codebuild:BatchGetReportGroups",
            "codebuild:CreateReportGroup",
            "codebuild:DeleteReportGroup",
            "codebuild:UpdateReportGroup",
        ],
    ),
    (
        "AWS::CodeCommit::Repository",
        &[
            "codecommit:GetRepository",
            "codecommit:GetRepositoryTriggers",
            "codecommit:ListTagsForResource",
            "codecommit:PutRepositoryTriggers",
            "codecommit:TagResource",
            "codecommit:UntagResource",
            "codecommit:UpdateRepositoryDescription",
        ],
    ),
    (
        "AWS::CodeDeploy::Application",
        &[
            "codedeploy:CreateApplication",
            "codedeploy:GetApplication",
            "codedeploy:ListTagsForResource",
            "codedeploy:TagResource",
            "codedeploy:UntagResource",
        ],
    ),
    (
        "AWS::CodePipeline::Pipeline",
        &[
            "codepipeline:GetPipeline",
            "codepipeline:GetPipelineState",
            "codepipeline:ListTagsForResource",
            "codepipeline:TagResource",
            "codepipeline:UntagResource",
            "codepipeline:UpdatePipeline",
        ],
    ),
    (
        "AWS::ECR::Repository",
        &[
            "ecr:DescribeRepositories",
            "ecr:GetLifecyclePolicy",
            "ecr:GetRepositoryPolicy",
            "ecr:ListTagsForResource",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:PutLifecyclePolicy",
            "ecr:TagResource",
            "ecr:UntagResource",
        ],
    ),
    (
        "AWS::Events::Rule",
        &[
            "events:DeleteRule",
            "events:DescribeRule",
            "events:ListTagsForResource",
            "events:ListTargetsByRule",
            "events:PutRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:TagResource",
            "events:UntagResource",
        ],
    ),
    (
        "AWS::KMS::Key",
        &[
            "kms:DescribeKey",
            "kms:EnableKeyRotation",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
            "kms:PutKeyPolicy",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:UpdateKeyDescription",
        ],
    ),
    (
        "AWS::Lambda::Function",
        &[
            "lambda:CreateFunction",
            "lambda:DeleteFunction",
            "lambda:DeleteFunctionConcurrency",
            "lambda:GetFunction",
            "lambda:GetRuntimeManagementConfig",
            "lambda:PutFunctionConcurrency",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
        ],
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            "logs:AssociateKmsKey",
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:DeleteRetentionPolicy",
            "logs:DescribeLogGroups",
            "logs:DisassociateKmsKey",
            "logs:ListTagsForResource",
            "logs:PutRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ],
    ),
    (
        "AWS::S3::Bucket",
        &[
            "s3:GetBucketPublicAccessBlock",
            "s3:GetBucketTagging",
            "s3:GetBucketVersioning",
            "s3:GetEncryptionConfiguration",
            "s3:GetLifecycleConfiguration",
            "s3:GetBucketOwnershipControls",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketTagging",
            "s3:PutBucketVersioning",
            "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketOwnershipControls",
        ],
    ),
    ("AWS::S3::BucketPolicy", &["s3:GetBucketPolicy", "s3:PutBucketPolicy"]),
    (
        "AWS::SNS::Subscription",
        &[
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:Subscribe",
            "sns:Unsubscribe",
        ],
    ),
    (
        "AWS::SNS::Topic",
        &[
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:GetTopicAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:ListTagsForResource",
            "sns:SetTopicAttributes",
            "sns:Subscribe",
            "sns:TagResource",
            "sns:Unsubscribe",
            "sns:UntagResource",
        ],
    ),
    ("AWS::SNS::TopicPolicy", &["sns:SetTopicAttributes"]),
];

/// The services the boundary never allows whole: of IAM and STS only pf's fixed statements
/// ([`iam_caps`]), of Organizations and accounts nothing.
const CAPPED: &[&str] = &["account", "iam", "organizations", "sts"];

/// IAM reads CloudFormation makes while it updates roles and managed policies.
const IAM_READS: &[&str] = &[
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListPolicyVersions",
    "iam:ListRolePolicies",
];

/// IAM writes on the stack's roles, each allowed only with the boundary.
const IAM_ROLE_WRITES: &[&str] =
    &["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"];

/// Writes on the stack's managed policies.
const POLICY_WRITES: &[&str] = &[
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/// The services whose role ARNs the stack's resources name (`iam:PassRole`).
const PASSED_TO: &[&str] = &[
    "cloudformation.amazonaws.com",
    "codebuild.amazonaws.com",
    "codepipeline.amazonaws.com",
    "events.amazonaws.com",
    "lambda.amazonaws.com",
];

/// The fingerprint of the properties of each IAM role and managed policy of the stack
/// (`guard::Manifest::permissions`).
pub(super) fn permissions(ctx: &Ctx) -> std::collections::BTreeMap<String, String> {
    ctx.resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Role" || r["Type"] == "AWS::IAM::ManagedPolicy")
        .map(|(id, r)| (id.clone(), guard::fingerprint(&r["Properties"])))
        .collect()
}

/// Whether the pipeline updates itself.
pub(super) fn enabled(ctx: &Ctx) -> bool {
    ctx.pipeline.self_update
}

/// The groups whose approval a guarded change waits for: those approving a protected
/// environment (all approval groups when none does), in pipeline order.
fn approver_groups(ctx: &Ctx, manifest: &guard::Manifest) -> Vec<String> {
    let protected: Vec<&str> = manifest
        .envs
        .iter()
        .filter(|e| e.protected)
        .flat_map(|e| e.approvals.iter().map(|a| a.group.as_str()))
        .collect();
    let all = approvals::groups(ctx);
    let some: Vec<String> = all.iter().filter(|g| protected.contains(&g.as_str())).cloned().collect();
    if some.is_empty() {
        all
    } else {
        some
    }
}

/// The approval action of `group`.
fn approval_name(group: &str) -> String {
    format!("approve-{group}")
}

/// The committed template inside the source artifact.
fn template_path(ctx: &Ctx) -> String {
    let source = source_artifact(ctx);
    let file = naming::pipeline_template_file(ctx.pipeline, ctx.cfn_ext());
    format!("{source}::{}", naming::in_repo(&ctx.program.project, &file))
}

fn source_artifact(ctx: &Ctx) -> String {
    ctx.pipeline
        .stages
        .first()
        .and_then(|s| s.actions.first())
        .and_then(|a| a.outputs.first())
        .cloned()
        .unwrap_or_default()
}

fn type_id(category: &str, provider: &str) -> Value {
    json!({ "Category": category, "Owner": "AWS", "Provider": provider, "Version": "1" })
}

/// The three stages, to insert after `Source`. `parameters`: the template's parameters without a
/// default, which the update passes on with their current values (one with a default, such as
/// a Parameter Store name, is left to it: its resolved value is not what it takes).
pub(super) fn stages(ctx: &Ctx, manifest: &guard::Manifest, parameters: &[String]) -> Vec<Value> {
    let source = source_artifact(ctx);
    let guard_stage = json!({
        "Name": STAGES[0],
        "Actions": [{
            "Name": "guard",
            "ActionTypeId": type_id("Build", "CodeBuild"),
            "Configuration": { "ProjectName": reference(PROJECT) },
            "InputArtifacts": [{ "Name": &source }],
            "Namespace": NAMESPACE,
            "RunOrder": 1
        }]
    });
    let mut out = vec![guard_stage];
    let groups = approver_groups(ctx, manifest);
    if !groups.is_empty() {
        let actions: Vec<Value> = groups
            .iter()
            .map(|g| {
                json!({
                    "Name": approval_name(g),
                    "ActionTypeId": type_id("Approval", "Manual"),
                    "Configuration": {
                        "NotificationArn": reference(&approvals::topic_id(g)),
                        "CustomData": format!("#{{{NAMESPACE}.CHANGE}}")
                    },
                    "RunOrder": 1
                })
            })
            .collect();
        out.push(json!({
            "Name": STAGES[1],
            "Actions": actions,
            "BeforeEntry": { "Conditions": [{
                "Result": "SKIP",
                "Rules": [{
                    "Name": "guard-found-a-change",
                    "RuleTypeId": { "Category": "Rule", "Owner": "AWS", "Provider": "VariableCheck", "Version": "1" },
                    "Configuration": { "Variable": format!("#{{{NAMESPACE}.GUARD}}"), "Operator": "NE", "Value": "none" }
                }]
            }] }
        }));
    }
    let mut config = Map::new();
    config.insert("ActionMode".into(), json!("CREATE_UPDATE"));
    config.insert("StackName".into(), json!({ "Ref": "AWS::StackName" }));
    config.insert("TemplatePath".into(), json!(template_path(ctx)));
    config.insert("Capabilities".into(), json!("CAPABILITY_IAM,CAPABILITY_NAMED_IAM"));
    config.insert("RoleArn".into(), get_att(UPDATE_ROLE, "Arn"));
    if !parameters.is_empty() {
        let entries: Vec<String> = parameters.iter().map(|p| format!("\"{p}\": \"${{{p}}}\"")).collect();
        config.insert("ParameterOverrides".into(), sub(&format!("{{{}}}", entries.join(", "))));
    }
    out.push(json!({
        "Name": STAGES[2],
        "Actions": [{
            "Name": "update",
            "ActionTypeId": type_id("Deploy", "CloudFormation"),
            "Configuration": Value::Object(config),
            "InputArtifacts": [{ "Name": source }],
            "RunOrder": 1
        }]
    }));
    out
}

/// The guard job's buildspec: the same for every pipeline, so built once.
fn buildspec() -> &'static str {
    static BUILDSPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUILDSPEC.get_or_init(render_buildspec)
}

fn render_buildspec() -> String {
    let script = format!(
        "set -e\npython3 - > /tmp/pf-guard.out <<'PF_GUARD_PY'\n{}PF_GUARD_PY\nGUARD=\"$(sed -n 1p /tmp/pf-guard.out)\"\nCHANGE=\"$(sed -n 2p /tmp/pf-guard.out)\"\nexport GUARD CHANGE\necho \"GUARD=$GUARD\"\necho \"$CHANGE\"\n",
        SELF_UPDATE_PY
    );
    let doc = json!({
        "version": 0.2,
        "env": { "exported-variables": ["GUARD", "CHANGE"] },
        "phases": { "build": { "commands": [script] } }
    });
    crate::codegen::yaml::to_string(&doc)
}

fn stack_arn() -> Value {
    arn("cloudformation", "stack/${AWS::StackName}/*")
}

/// The guard job, its role and log group, and what the approvals and the pipeline role need.
pub(super) fn add(ctx: &mut Ctx, manifest: &guard::Manifest) {
    let project_name = format!("{}-guard", ctx.prefix());
    let log_group = format!("/aws/codebuild/{project_name}");
    ctx.add(
        LOGS,
        json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
               "Properties": {"LogGroupName": &log_group, "RetentionInDays": super::builds::LOG_RETENTION_DAYS,
                              "KmsKeyId": get_att(ids::KEY, "Arn")}}),
    );
    let statements = vec![
        allow(
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![arn("logs", &format!("log-group:{log_group}:*"))],
        ),
        allow(&["s3:GetObject", "s3:GetObjectVersion"], vec![sub(&format!("${{{}.Arn}}/*", ids::BUCKET))]),
        allow(&["kms:Decrypt", "kms:DescribeKey"], vec![get_att(ids::KEY, "Arn")]),
        allow(&["cloudformation:GetTemplateSummary"], vec![stack_arn()]),
    ];
    let role = ctx.tagged(json!({"Type": "AWS::IAM::Role", "Properties": {
        "Description": format!("pf: self-update guard job of pipeline {}", ctx.pipeline_name()),
        "AssumeRolePolicyDocument": trust("codebuild.amazonaws.com"),
        "Policies": [{"PolicyName": "guard", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}}));
    ctx.add(ROLE, role);
    let groups = approver_groups(ctx, manifest);
    let file = naming::pipeline_template_file(ctx.pipeline, ctx.cfn_ext());
    let variables = json!([
        {"Name": "PF_STACK", "Type": "PLAINTEXT", "Value": {"Ref": "AWS::StackName"}},
        {"Name": "PF_TEMPLATE", "Type": "PLAINTEXT", "Value": naming::in_repo(&ctx.program.project, &file)},
        {"Name": "PF_PIPELINE", "Type": "PLAINTEXT", "Value": ctx.pipeline_name()},
        {"Name": "PF_APPROVERS", "Type": "PLAINTEXT", "Value": if groups.is_empty() { "none".to_string() } else { groups.join(",") }}
    ]);
    let project = json!({"Type": "AWS::CodeBuild::Project", "Properties": {
        "Name": project_name,
        "Description": format!("pf: the self-update guard of pipeline {}", ctx.pipeline_name()),
        "ServiceRole": get_att(ROLE, "Arn"),
        "Source": {"Type": "CODEPIPELINE", "BuildSpec": buildspec()},
        "Artifacts": {"Type": "CODEPIPELINE"},
        "Environment": {"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL",
                        "Image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                        "ImagePullCredentialsType": "CODEBUILD", "PrivilegedMode": false,
                        "EnvironmentVariables": variables},
        "TimeoutInMinutes": 10,
        "EncryptionKey": get_att(ids::KEY, "Arn"),
        "LogsConfig": {"CloudWatchLogs": {"Status": "ENABLED", "GroupName": reference(LOGS)}}}});
    ctx.add(PROJECT, ctx.tagged(project));

    // The approver groups may approve the guard's approvals too.
    for g in &groups {
        let id = naming::logical_id(&["approver", g, "policy"]);
        let action = arn(
            "codepipeline",
            &super::sub_escape(&format!("{}/{}/{}", ctx.pipeline_name(), STAGES[1], approval_name(g))),
        );
        if let Some(list) = ctx
            .resources
            .get_mut(&id)
            .and_then(|p| p["Properties"]["PolicyDocument"]["Statement"][0]["Resource"].as_array_mut())
        {
            list.push(action);
        }
    }
}

/// The pipeline role's statements for the guard job and the update of its own stack.
fn pipeline_role_statements() -> Vec<Value> {
    vec![
        allow(&["codebuild:BatchGetBuilds", "codebuild:StartBuild"], vec![get_att(PROJECT, "Arn")]),
        allow(
            &[
                "cloudformation:CreateStack",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:UpdateStack",
            ],
            vec![stack_arn()],
        ),
        json!({
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [get_att(UPDATE_ROLE, "Arn")],
            "Condition": { "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }
        }),
    ]
}

/// The boundary's name: fixed, so the statements that name it (its own, `SelfUpdateRole`'s) need
/// no reference to it (a reference from a role that the boundary caps would be circular).
fn boundary_name() -> Value {
    sub(&format!("${{AWS::StackName}}-{BOUNDARY}"))
}

fn boundary_arn() -> Value {
    sub(&format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/${{AWS::StackName}}-{BOUNDARY}"))
}

/// The ARNs of this stack's roles and managed policies: CloudFormation names them
/// `<stack>-<logical id>-<suffix>`; the pipeline role of a multi-account pipeline has a fixed name.
fn iam_arns(ctx: &Ctx, kind: &str) -> Vec<Value> {
    let mut out =
        vec![sub(&format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{kind}/${{AWS::StackName}}-*"))];
    if kind == "role" && !super::accounts::targets(ctx).is_empty() {
        let name = super::accounts::pipeline_role_name(&ctx.pipeline_name());
        out.push(sub(&format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}")));
    }
    out
}

/// The execution role of the update: the handler permissions of the stack's resource types,
/// on this account and region's resources of each service (the key and bucket: the artifact
/// store's), IAM writes on the stack's roles only with the boundary, and never on a boundary.
fn update_role(ctx: &Ctx) -> Value {
    let types: Vec<&str> = ctx.resources.values().filter_map(|r| r["Type"].as_str()).collect();
    let mut by_service: Vec<(String, Vec<&str>)> = Vec::new();
    for (_, actions) in HANDLERS.iter().filter(|(t, _)| types.contains(t)) {
        for a in actions.iter() {
            let service = a.split(':').next().unwrap_or_default().to_string();
            match by_service.iter_mut().find(|(s, _)| *s == service) {
                Some((_, list)) if !list.contains(a) => list.push(a),
                Some(_) => {}
                None => by_service.push((service, vec![a])),
            }
        }
    }
    by_service.sort();
    let mut st: Vec<Value> = Vec::new();
    for (service, mut actions) in by_service {
        actions.sort_unstable();
        let resources = match service.as_str() {
            "kms" => vec![get_att(ids::KEY, "Arn")],
            "s3" => vec![get_att(ids::BUCKET, "Arn")],
            s => vec![arn(s, "*")],
        };
        st.push(allow(&actions, resources));
    }
    let boundary = json!({ "StringEquals": { "iam:PermissionsBoundary": boundary_arn() } });
    st.push(allow(IAM_READS, [iam_arns(ctx, "role"), iam_arns(ctx, "policy")].concat()));
    st.push(json!({ "Effect": "Allow", "Action": IAM_ROLE_WRITES, "Resource": iam_arns(ctx, "role"), "Condition": boundary }));
    st.push(allow(
        &["iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateRoleDescription"],
        iam_arns(ctx, "role"),
    ));
    // The stack's managed policies (approver policies, the environments' boundary): every
    // change to them waits for the production approvers (`permissions-changed`); the boundary
    // that caps this role is denied.
    st.push(allow(POLICY_WRITES, iam_arns(ctx, "policy")));
    st.push(json!({ "Effect": "Deny", "Action": POLICY_WRITES, "Resource": [boundary_arn()] }));
    st.push(json!({
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": iam_arns(ctx, "role"),
        "Condition": { "StringEquals": { "iam:PassedToService": PASSED_TO } }
    }));
    st.push(json!({ "Effect": "Deny", "Action": ["iam:DeleteRolePermissionsBoundary"], "Resource": "*" }));
    let mut role = ctx.tagged(json!({"Type": "AWS::IAM::Role", "Properties": {
        "Description": format!("pf: CloudFormation execution role of the self-update of pipeline {}", ctx.pipeline_name()),
        "AssumeRolePolicyDocument": trust("cloudformation.amazonaws.com"),
        "Policies": [{"PolicyName": "self-update", "PolicyDocument": {"Version": "2012-10-17", "Statement": st}}]}}));
    role["Metadata"] = checkov_skip(&[
        (
            "CKV_AWS_111",
            "The role updates the pipeline stack's own resources (projects, topics, rules, log \
             groups, the pipeline) on this account and region's ARNs of each service; \
             CloudFormation names them at creation, so no narrower pattern exists. Only \
             CloudFormation can assume it and only the pipeline role may pass it.",
        ),
        (
            "CKV_AWS_109",
            "It changes only this stack's roles, only with PipelineRoleBoundary (an \
             iam:PermissionsBoundary condition; removing a boundary and changing that boundary \
             are denied), so no role it writes can do more than the boundary; a change to the \
             stack's managed policies first waits for the production approvers (the guard's \
             permissions-changed finding).",
        ),
    ]);
    role
}

/// The services a pipeline stack's roles use (outside IAM, STS, Organizations and accounts),
/// as pf emits them; the boundary allows these and any other a role of the stack names.
const SERVICES: &[&str] = &[
    "acm",
    "application-autoscaling",
    "autoscaling",
    "cloudformation",
    "cloudwatch",
    "codebuild",
    "codecommit",
    "codeconnections",
    "codedeploy",
    "codepipeline",
    "codestar-connections",
    "ec2",
    "ecr",
    "ecs",
    "elasticache",
    "elasticloadbalancing",
    "events",
    "imagebuilder",
    "kms",
    "lambda",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "ssm",
];

/// The services pf's roles pass roles to (`iam:PassedToService`), in the stack and the
/// environment stacks.
const PASSED: &[&str] = &[
    "autoscaling.amazonaws.com",
    "cloudformation.amazonaws.com",
    "codebuild.amazonaws.com",
    "codedeploy.amazonaws.com",
    "codepipeline.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "ecs.amazonaws.com",
    "events.amazonaws.com",
    "imagebuilder.amazonaws.com",
    "lambda.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
];

/// The service-linked roles the environment stacks' resources create (`iam:AWSServiceName`).
const SERVICE_LINKED: &[&str] = &[
    "autoscaling.amazonaws.com",
    "ecs.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "elasticache.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "imagebuilder.amazonaws.com",
    "rds.amazonaws.com",
];

/// IAM reads and writes that change no role's rights.
const IAM_OTHER: &[&str] = &[
    "iam:AddRoleToInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:DeleteRole",
    "iam:GetInstanceProfile",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListPolicyVersions",
    "iam:ListRolePolicies",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/// The writes that set what a role may do.
const ROLE_PERMISSION_WRITES: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
];

/// The boundary's IAM and STS statements: on the app's and the stack's roles only; a role's
/// rights are set only with one of the two boundaries; roles are passed only to `passed`;
/// service-linked roles only of `linked`; the stack's own managed policies written (but never
/// this boundary: `update_role` denies it); and a deploy role of this app assumed in any account
/// (the target account's trust decides which).
fn iam_caps(ctx: &Ctx, passed: &[String], linked: &[String]) -> Vec<Value> {
    let iam = |path: &str| sub(&format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{path}"));
    let app = &ctx.app.name;
    let roles = vec![iam(&format!("role/{app}-*")), iam("role/${AWS::StackName}-*")];
    let mut boundaries = vec![boundary_arn()];
    if ctx.resources.contains_key(ids::BOUNDARY) {
        boundaries.push(reference(ids::BOUNDARY));
    }
    let mut others = roles.clone();
    others.push(iam(&format!("instance-profile/{app}-*")));
    others.push(iam("policy/${AWS::StackName}-*"));
    vec![
        json!({ "Effect": "Allow", "Action": ROLE_PERMISSION_WRITES, "Resource": &roles,
                "Condition": { "StringEquals": { "iam:PermissionsBoundary": boundaries } } }),
        allow(IAM_OTHER, others),
        allow(POLICY_WRITES, vec![iam("policy/${AWS::StackName}-*")]),
        json!({ "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": roles,
                "Condition": { "StringEquals": { "iam:PassedToService": passed } } }),
        json!({ "Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"], "Resource": [iam("role/aws-service-role/*")],
                "Condition": { "StringEquals": { "iam:AWSServiceName": linked } } }),
        allow(
            &["sts:AssumeRole"],
            vec![sub(&format!(
                "arn:${{AWS::Partition}}:iam::*:role/{}",
                super::accounts::deploy_role_name(app)
            ))],
        ),
    ]
}

/// The strings of a policy field that holds one string or a list of them.
fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().map_or(std::slice::from_ref(v), Vec::as_slice).iter().filter_map(Value::as_str)
}

/// Adds `SelfUpdateRole` and `PipelineRoleBoundary`, and the boundary on every role of the
/// stack. The boundary depends on the app's name alone (so a change of the program rarely
/// changes it, and the self-update, which may never change it, rarely stops): every service a
/// pipeline role uses, and of IAM and STS only pf's fixed statements ([`iam_caps`]), under
/// which no role can be created or given a policy without one of the two boundaries.
pub(super) fn finish(ctx: &mut Ctx) {
    if let Some(list) = ctx
        .resources
        .get_mut(ids::PIPELINE_ROLE)
        .and_then(|r| r["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].as_array_mut())
    {
        list.extend(pipeline_role_statements());
    }
    let role = update_role(ctx);
    ctx.add(UPDATE_ROLE, role);
    let mut services: Vec<String> = SERVICES.iter().map(|s| s.to_string()).collect();
    let mut passed: Vec<String> = PASSED.iter().map(|s| s.to_string()).collect();
    let mut linked: Vec<String> = SERVICE_LINKED.iter().map(|s| s.to_string()).collect();
    let statements = ctx
        .resources
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::Role")
        .flat_map(|r| r["Properties"]["Policies"].as_array().into_iter().flatten())
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().into_iter().flatten())
        .filter(|s| s["Effect"] == "Allow");
    let add = |list: &mut Vec<String>, v: &Value| {
        for item in strings(v) {
            if !list.iter().any(|s| s == item) {
                list.push(item.to_string());
            }
        }
    };
    for st in statements {
        for a in strings(&st["Action"]) {
            let service = a.split(':').next().unwrap_or_default();
            if !CAPPED.contains(&service) && !services.iter().any(|s| s == service) {
                services.push(service.to_string());
            }
        }
        add(&mut passed, &st["Condition"]["StringEquals"]["iam:PassedToService"]);
        add(&mut linked, &st["Condition"]["StringEquals"]["iam:AWSServiceName"]);
    }
    for list in [&mut services, &mut passed, &mut linked] {
        list.sort();
    }
    let wildcards: Vec<String> = services.iter().map(|s| format!("{s}:*")).collect();
    let mut st = vec![json!({ "Effect": "Allow", "Action": wildcards, "Resource": "*" })];
    st.extend(iam_caps(ctx, &passed, &linked));
    ctx.add(
        BOUNDARY,
        json!({
            "Type": "AWS::IAM::ManagedPolicy",
            "Metadata": checkov_skip(&[
                ("CKV_AWS_111", "A permissions boundary grants nothing: it caps the pipeline stack's roles to the services pf uses and, of IAM and STS, to pf's fixed statements, under which a role's rights are set only with one of the two boundaries."),
                ("CKV_AWS_108", "A permissions boundary grants nothing: the roles' own policies name their resources; the boundary only caps what a commit could give them."),
                ("CKV_AWS_109", "A permissions boundary grants nothing: role permission writes are capped to the app's and stack's roles, each only with one of the two boundaries."),
                ("CKV_AWS_110", "A permissions boundary grants nothing: it never allows changing a role's rights without a boundary, and the self-update may never change this one."),
                ("CKV_AWS_107", "A permissions boundary grants nothing: each role's own policy names its actions and resources; the boundary only caps them."),
            ]),
            "Properties": {
                "ManagedPolicyName": boundary_name(),
                "Description": format!("pf: permissions boundary of the roles of pipeline stack {}", ctx.pipeline_name()),
                "PolicyDocument": { "Version": "2012-10-17", "Statement": st }
            }
        }),
    );
    for r in ctx.resources.values_mut().filter(|r| r["Type"] == "AWS::IAM::Role") {
        r["Properties"]["PermissionsBoundary"] = reference(BOUNDARY);
    }
}
