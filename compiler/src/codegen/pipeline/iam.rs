//! Service roles: one per service, each trusting that one service principal, least privilege.
//!
//! - `PipelineRole` (CodePipeline): artifacts, the source, the projects, the environment stacks,
//!   passing the CloudFormation role (only to CloudFormation), CodeDeploy, the Lambda functions
//!   it invokes and the approval topics.
//! - `CodeBuildRole`: its log groups, artifacts, report groups, the parameters and secrets its
//!   variables name.
//! - `CloudFormationRole`: creates the environments' resources (`<app>-<env>` stacks).
//!
//! No statement has a `*` action or a service-wide `svc:*` action; resources are ARNs of this
//! pipeline except where a service supports no resource-level permission (each documented).

use super::{
    actions, allow, approvals, arn, boundary, builds, checkov_skip, conditions, get_att, ids, reference,
    release, source, sub, trust, Ctx,
};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{ActionKind, App, Pipeline, Source, Text};
use serde_json::Value;

fn bucket_arns() -> Vec<Value> {
    vec![get_att(ids::BUCKET, "Arn"), sub(&format!("${{{}.Arn}}/*", ids::BUCKET))]
}

fn key_statement() -> Value {
    allow(
        &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        vec![get_att(ids::KEY, "Arn")],
    )
}

/// Where the execution role's and the boundary's fragments are hosted: the pipeline stack
/// ([`Host::pipeline`]: its own bucket, key and boundary) or a target account's bootstrap stack
/// (`codegen::bootstrap`: the pipeline account's artifact store of its region, by account).
pub(crate) struct Host {
    /// The environments deployed with this host's roles.
    pub envs: Vec<String>,
    /// The artifact bucket's ARN and its objects' ARN.
    pub bucket: Value,
    pub objects: Value,
    /// The artifact key's ARN.
    pub key: Value,
    /// A condition on the artifact statements (bootstrap: the resources are the pipeline
    /// account's, `aws:ResourceAccount`).
    pub artifact_condition: Option<Value>,
    /// The environment roles' permissions boundary (its ARN).
    pub boundary: Value,
    /// Whether the role also deploys the image stack.
    pub image: bool,
}

impl Host {
    /// The pipeline stack: its home environments, bucket, key and boundary.
    pub(crate) fn pipeline(ctx: &Ctx) -> Host {
        Host {
            envs: infra_envs(ctx),
            bucket: get_att(ids::BUCKET, "Arn"),
            objects: sub(&format!("${{{}.Arn}}/*", ids::BUCKET)),
            key: get_att(ids::KEY, "Arn"),
            artifact_condition: None,
            boundary: boundary::arn_value(),
            image: bakes_image(ctx),
        }
    }

    /// `allow(actions, resources)` with the artifact condition.
    pub(crate) fn allow_artifacts(&self, actions: &[&str], resources: Vec<Value>) -> Value {
        let mut st = allow(actions, resources);
        if let Some(c) = &self.artifact_condition {
            st["Condition"] = c.clone();
        }
        st
    }

    /// The key statement of the roles that use artifacts.
    pub(crate) fn key_statement(&self) -> Value {
        self.allow_artifacts(
            &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            vec![self.key.clone()],
        )
    }
}

fn role(ctx: &Ctx, description: String, service: &str, policy: &str, statements: Vec<Value>) -> Value {
    ctx.tagged(json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": description,
            "AssumeRolePolicyDocument": trust(service),
            "Policies": [{
                "PolicyName": policy,
                "PolicyDocument": { "Version": "2012-10-17", "Statement": statements }
            }]
        }
    }))
}

/// Environments deployed by CloudFormation actions of this pipeline, in order: its
/// infrastructure actions, and the releases of a target released by the stack.
pub(crate) fn infra_envs_of(pipeline: &Pipeline, app: &App) -> Vec<String> {
    let by_stack = app.deploy.released_by_stack();
    let mut out: Vec<String> = Vec::new();
    for a in pipeline.stages.iter().flat_map(|s| &s.actions) {
        let env = match &a.kind {
            ActionKind::DeployInfra { env, .. } => env,
            ActionKind::DeployApp { env } if by_stack => env,
            _ => continue,
        };
        if !out.contains(env) {
            out.push(env.clone());
        }
    }
    out
}

/// The environments of [`infra_envs_of`] in the pipeline's own account and region: the others
/// are deployed by the target account's roles (bootstrap stack).
pub(super) fn infra_envs(ctx: &Ctx) -> Vec<String> {
    infra_envs_of(ctx.pipeline, ctx.app)
        .into_iter()
        .filter(|e| super::accounts::is_home(ctx.program, e))
        .collect()
}

/// Whether the pipeline bakes the app's image (`ActionKind::BakeImage`).
fn bakes_image(ctx: &Ctx) -> bool {
    ctx.pipeline.stages.iter().flat_map(|s| &s.actions).any(|a| matches!(a.kind, ActionKind::BakeImage))
}

/// Image Builder's actions on the image stack's resources (components, recipes, infrastructure
/// configurations, images and lifecycle policies are named after the `<app>-image` stack).
const IMAGEBUILDER: &[&str] = &[
    "imagebuilder:CreateComponent",
    "imagebuilder:CreateImage",
    "imagebuilder:CreateImageRecipe",
    "imagebuilder:CreateInfrastructureConfiguration",
    "imagebuilder:CreateLifecyclePolicy",
    "imagebuilder:DeleteComponent",
    "imagebuilder:DeleteImageRecipe",
    "imagebuilder:DeleteInfrastructureConfiguration",
    "imagebuilder:DeleteLifecyclePolicy",
    "imagebuilder:GetComponent",
    "imagebuilder:GetImage",
    "imagebuilder:GetImageRecipe",
    "imagebuilder:GetInfrastructureConfiguration",
    "imagebuilder:GetLifecyclePolicy",
    "imagebuilder:TagResource",
    "imagebuilder:UntagResource",
    "imagebuilder:UpdateInfrastructureConfiguration",
    "imagebuilder:UpdateLifecyclePolicy",
];

/// Environments deployed by CodeDeploy actions of this pipeline, in order.
fn app_envs(ctx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if ctx.app.deploy.released_by_stack() {
        return out;
    }
    for a in ctx.pipeline.stages.iter().flat_map(|s| &s.actions) {
        if let ActionKind::DeployApp { env } = &a.kind {
            if !out.contains(env) && super::accounts::is_home(ctx.program, env) {
                out.push(env.clone());
            }
        }
    }
    out
}

/// What the role running a pipeline's CloudFormation actions does on the environment stacks
/// (the pipeline role; in a target account, the bootstrap's deploy role).
pub(crate) const STACK_ACTIONS: &[&str] = &[
    "cloudformation:CreateChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:SetStackPolicy",
    "cloudformation:UpdateStack",
];

/// What the role running a pipeline's CodeDeploy actions does on the deployment groups and the
/// application (with `codedeploy:GetDeploymentConfig` on the deployment configurations).
pub(crate) const CODEDEPLOY_ACTIONS: &[&str] = &[
    "codedeploy:CreateDeployment",
    "codedeploy:GetApplication",
    "codedeploy:GetApplicationRevision",
    "codedeploy:GetDeployment",
    "codedeploy:RegisterApplicationRevision",
];

fn pipeline_role(ctx: &mut Ctx) {
    let mut st = vec![
        allow(
            &["s3:GetBucketVersioning", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            bucket_arns(),
        ),
        key_statement(),
    ];
    match &ctx.app.source {
        Source::CodeCommit { .. } => st.push(allow(
            &[
                "codecommit:CancelUploadArchive",
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetRepository",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:UploadArchive",
            ],
            source::codecommit_arn(ctx).into_iter().collect(),
        )),
        Source::GitHub { connection, .. } => st.push(allow(
            &["codeconnections:UseConnection", "codestar-connections:UseConnection"],
            vec![source::text_value(connection)],
        )),
        Source::S3 { bucket, key } => st.push(allow(
            &["s3:GetBucketVersioning", "s3:GetObject", "s3:GetObjectVersion"],
            vec![
                sub(&format!("arn:${{AWS::Partition}}:s3:::{bucket}")),
                sub(&format!("arn:${{AWS::Partition}}:s3:::{bucket}/{key}")),
            ],
        )),
    }
    let mut projects = builds::project_arns(ctx);
    if !release::envs(ctx).is_empty() {
        projects.push(arn("codebuild", &format!("project/{}", release::project_name(ctx))));
    }
    st.push(allow(&["codebuild:BatchGetBuilds", "codebuild:StartBuild"], projects));

    let envs = infra_envs(ctx);
    if !envs.is_empty() {
        let mut stacks = Vec::new();
        for env in &envs {
            let stack = naming::env_stack_name(&ctx.app.name, env);
            stacks.push(arn("cloudformation", &format!("stack/{stack}/*")));
            stacks.push(arn("cloudformation", &format!("changeSet/{}/*", actions::change_set_name(env))));
        }
        if bakes_image(ctx) {
            stacks
                .push(arn("cloudformation", &format!("stack/{}/*", naming::image_stack_name(&ctx.app.name))));
        }
        st.push(allow(STACK_ACTIONS, stacks));
        st.push(json!({
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [get_att(ids::DEPLOY_ROLE, "Arn")],
            "Condition": { "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }
        }));
    }
    let deploy_envs = app_envs(ctx);
    if !deploy_envs.is_empty() {
        let app = naming::codedeploy_application(&ctx.app.name);
        let mut groups: Vec<Value> = deploy_envs
            .iter()
            .map(|e| {
                arn(
                    "codedeploy",
                    &format!("deploymentgroup:{app}/{}", naming::deployment_group(&ctx.app.name, e)),
                )
            })
            .collect();
        groups.push(arn("codedeploy", &format!("application:{app}")));
        st.push(allow(CODEDEPLOY_ACTIONS, groups));
        st.push(allow(&["codedeploy:GetDeploymentConfig"], vec![arn("codedeploy", "deploymentconfig:*")]));
    }
    let mut functions: Vec<Value> = Vec::new();
    if approvals::has_check(ctx) {
        functions.push(get_att(ids::CHECK_FUNCTION, "Arn"));
    }
    for a in ctx.pipeline.stages.iter().flat_map(|s| &s.actions) {
        if let ActionKind::Invoke { function, .. } = &a.kind {
            let f = actions::function_arn(function);
            if !functions.contains(&f) {
                functions.push(f);
            }
        }
    }
    if !functions.is_empty() {
        st.push(allow(&["lambda:InvokeFunction"], functions));
    }
    let alarms = conditions::gated_alarms(ctx);
    if !alarms.is_empty() {
        st.push(allow(&["cloudwatch:DescribeAlarms"], alarms));
    }
    st.extend(super::accounts::pipeline_role_statements(ctx));
    let topics: Vec<Value> =
        approvals::groups(ctx).iter().map(|g| reference(&approvals::topic_id(g))).collect();
    if !topics.is_empty() {
        st.push(allow(&["sns:Publish"], topics));
    }
    let description = format!("pf: service role of pipeline {}", ctx.pipeline_name());
    let mut r = role(ctx, description, "codepipeline.amazonaws.com", "pipeline", st);
    if !super::accounts::targets(ctx).is_empty() {
        // The target accounts' deploy roles trust this role by name.
        r["Properties"]["RoleName"] = json!(super::accounts::pipeline_role_name(&ctx.pipeline_name()));
    }
    ctx.add(ids::PIPELINE_ROLE, r);
}

fn codebuild_role(ctx: &mut Ctx) {
    let jobs = builds::jobs(ctx);
    let logs: Vec<Value> =
        jobs.iter().map(|j| arn("logs", &format!("log-group:{}:*", j.log_group(ctx)))).collect();
    let mut st = vec![
        allow(&["logs:CreateLogStream", "logs:PutLogEvents"], logs),
        allow(
            &["s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            bucket_arns(),
        ),
        key_statement(),
    ];
    let groups: Vec<Value> =
        builds::report_groups(ctx).keys().map(|g| arn("codebuild", &format!("report-group/{g}"))).collect();
    if !groups.is_empty() {
        st.push(allow(
            &[
                "codebuild:BatchPutCodeCoverages",
                "codebuild:BatchPutTestCases",
                "codebuild:CreateReport",
                "codebuild:UpdateReport",
            ],
            groups,
        ));
    }
    let mut params: Vec<Value> = Vec::new();
    let mut secrets: Vec<Value> = Vec::new();
    for job in &jobs {
        for value in job.build.variables.values() {
            match value {
                Text::Param(name) => {
                    let a = naming::parameter_arn(name);
                    if !params.contains(&a) {
                        params.push(a);
                    }
                }
                Text::Secret(id) => {
                    let a = naming::secret_arn(id);
                    if !secrets.contains(&a) {
                        secrets.push(a);
                    }
                }
                Text::Plain(_) => {}
            }
        }
    }
    if !params.is_empty() {
        st.push(allow(&["ssm:GetParameters"], params));
    }
    if !secrets.is_empty() {
        st.push(allow(&["secretsmanager:GetSecretValue"], secrets));
    }
    st.extend(ctx.extras.build_statements.iter().cloned());
    let description =
        format!("pf: service role of the CodeBuild projects of pipeline {}", ctx.pipeline_name());
    let r = role(ctx, description, "codebuild.amazonaws.com", "codebuild", st);
    ctx.add(ids::CODEBUILD_ROLE, r);
}

/// What the execution role may do to the environments' resources, from the handler permissions
/// of the resource types the environment templates use (CloudFormation's resource provider
/// schemas, as cfn-lint 1.58.0 ships them). No wildcard action: each is named.
/// Writes, on this account and region's ARNs of the service (`arn:<partition>:<svc>:<region>:<account>:*`).
const EC2_WRITE: &[&str] = &[
    "ec2:AllocateAddress",
    "ec2:AssociateAddress",
    "ec2:AssociateRouteTable",
    "ec2:AttachInternetGateway",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateFlowLogs",
    "ec2:CreateInternetGateway",
    "ec2:CreateLaunchTemplate",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:CreateNatGateway",
    "ec2:CreateRoute",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateTags",
    "ec2:CreateVpc",
    "ec2:CreateVpcEndpoint",
    "ec2:DeleteFlowLogs",
    "ec2:DeleteInternetGateway",
    "ec2:DeleteLaunchTemplate",
    "ec2:DeleteLaunchTemplateVersions",
    "ec2:DeleteNatGateway",
    "ec2:DeleteRoute",
    "ec2:DeleteRouteTable",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSubnet",
    "ec2:DeleteTags",
    "ec2:DeleteVpc",
    "ec2:DeleteVpcEndpoints",
    "ec2:DetachInternetGateway",
    "ec2:DisassociateAddress",
    "ec2:DisassociateRouteTable",
    "ec2:ModifyLaunchTemplate",
    "ec2:ModifySubnetAttribute",
    "ec2:ModifyVpcAttribute",
    "ec2:ModifyVpcEndpoint",
    "ec2:ReleaseAddress",
    "ec2:ReplaceRoute",
    "ec2:ReplaceRouteTableAssociation",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
];
const ELB_WRITE: &[&str] = &[
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:RemoveTags",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
];
const AUTOSCALING_WRITE: &[&str] = &[
    "autoscaling:AttachLoadBalancerTargetGroups",
    "autoscaling:CancelInstanceRefresh",
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:CreateOrUpdateTags",
    "autoscaling:DeleteAutoScalingGroup",
    "autoscaling:DeleteLifecycleHook",
    "autoscaling:DeleteNotificationConfiguration",
    "autoscaling:DeletePolicy",
    "autoscaling:DeleteTags",
    "autoscaling:DetachLoadBalancerTargetGroups",
    "autoscaling:DisableMetricsCollection",
    "autoscaling:EnableMetricsCollection",
    "autoscaling:PutLifecycleHook",
    "autoscaling:PutNotificationConfiguration",
    "autoscaling:PutScalingPolicy",
    "autoscaling:ResumeProcesses",
    "autoscaling:SetDesiredCapacity",
    "autoscaling:StartInstanceRefresh",
    "autoscaling:SuspendProcesses",
    "autoscaling:UpdateAutoScalingGroup",
];
const DATA_WRITE: &[&str] = &[
    "elasticache:AddTagsToResource",
    "elasticache:CreateCacheSubnetGroup",
    "elasticache:CreateReplicationGroup",
    "elasticache:DecreaseReplicaCount",
    "elasticache:DeleteCacheSubnetGroup",
    "elasticache:DeleteReplicationGroup",
    "elasticache:IncreaseReplicaCount",
    "elasticache:ModifyCacheSubnetGroup",
    "elasticache:ModifyReplicationGroup",
    "elasticache:RemoveTagsFromResource",
    "rds:AddTagsToResource",
    "rds:CreateDBInstance",
    "rds:CreateDBSnapshot",
    "rds:CreateDBSubnetGroup",
    "rds:DeleteDBInstance",
    "rds:DeleteDBSubnetGroup",
    "rds:ModifyDBInstance",
    "rds:ModifyDBSubnetGroup",
    "rds:RebootDBInstance",
    "rds:RemoveTagsFromResource",
];
/// Reads, on `*`: these actions support no resource-level permission.
const READ: &[&str] = &[
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeInstanceRefreshes",
    "autoscaling:DescribeLifecycleHooks",
    "autoscaling:DescribeNotificationConfigurations",
    "autoscaling:DescribePolicies",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeScheduledActions",
    "autoscaling:DescribeTags",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListTagsForResource",
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeImages",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeIpamPools",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribePrefixLists",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcEncryptionControls",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcs",
    "ec2:GetLaunchTemplateData",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeCacheSubnetGroups",
    "elasticache:DescribeReplicationGroups",
    "elasticache:ListTagsForResource",
    "elasticloadbalancing:DescribeCapacityReservation",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBClusters",
    "rds:DescribeDBEngineVersions",
    "rds:DescribeDBInstanceAutomatedBackups",
    "rds:DescribeDBInstances",
    "rds:DescribeDBParameterGroups",
    "rds:DescribeDBSnapshots",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeEvents",
    "rds:ListTagsForResource",
    "route53:GetChange",
    "route53:ListHostedZones",
    "route53:ListHostedZonesByName",
];
/// IAM actions that create or change a role's permissions: allowed only with the boundary
/// (`iam:PermissionsBoundary`, which these actions support).
const IAM_BOUNDED: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
];
/// Other IAM actions on the environments' roles and instance profiles. No
/// `iam:UpdateAssumeRolePolicy`: pf's trust policies never change (a changed one fails the
/// deployment instead of opening a role to another principal).
const IAM_OTHER: &[&str] = &[
    "iam:AddRoleToInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:DeleteRole",
    "iam:GetInstanceProfile",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/// `arn:<partition>:<service>:<region>:<account>:*`.
fn service_arns(service: &str) -> Value {
    arn(service, "*")
}

fn deploy_role(ctx: &mut Ctx) {
    let host = Host::pipeline(ctx);
    if host.envs.is_empty() {
        return;
    }
    let st = execution_statements(ctx, &host);
    let description = format!(
        "pf: CloudFormation execution role of the environment stacks of pipeline {}",
        ctx.pipeline_name()
    );
    let mut r = role(ctx, description, "cloudformation.amazonaws.com", "environments", st);
    r["Metadata"] = execution_role_metadata();
    ctx.add(ids::DEPLOY_ROLE, r);
}

/// The statements of a CloudFormation execution role deploying `host.envs` in the account and
/// region of the stack that hosts it.
pub(crate) fn execution_statements(ctx: &Ctx, host: &Host) -> Vec<Value> {
    let envs = &host.envs;
    let iam_arn = |kind: &str, name: &str| {
        sub(&format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{kind}/{name}"))
    };
    let mut roles = Vec::new();
    let mut profiles = Vec::new();
    let mut groups = Vec::new();
    let mut alarms = Vec::new();
    let mut secrets = Vec::new();
    let mut log_groups = Vec::new();
    let mut parameters = vec![sub("arn:${AWS::Partition}:ssm:${AWS::Region}::parameter/aws/service/*")];
    let app = naming::codedeploy_application(&ctx.app.name);
    for env in envs {
        let prefix = naming::env_role_prefix(&ctx.app.name, env);
        roles.push(iam_arn("role", &format!("{prefix}*")));
        profiles.push(iam_arn("instance-profile", &format!("{prefix}*")));
        groups.push(arn(
            "codedeploy",
            &format!("deploymentgroup:{app}/{}", naming::deployment_group(&ctx.app.name, env)),
        ));
        alarms.push(arn("cloudwatch", &format!("alarm:{}-*", naming::env_stack_name(&ctx.app.name, env))));
        // The flow-log group: CloudFormation names it after the stack.
        log_groups.push(arn("logs", &format!("log-group:{}-*", naming::env_stack_name(&ctx.app.name, env))));
        // Dynamic references `{{resolve:ssm:...}}` resolve with this role's permissions.
        if let Some(e) = ctx.program.env(env) {
            let texts = [
                e.dns.as_ref().and_then(|d| d.certificate.as_ref()),
                e.database.as_ref().and_then(|d| d.password.as_ref()),
            ];
            for name in texts.into_iter().flatten().filter_map(|t| match t {
                Text::Param(name) => Some(name),
                _ => None,
            }) {
                let a = arn("ssm", &format!("parameter/{}", name.trim_start_matches('/')));
                if !parameters.contains(&a) {
                    parameters.push(a);
                }
            }
        }
        if let Some(e) = ctx.program.env(env) {
            if let Some(Text::Secret(id)) = e.database.as_ref().and_then(|d| d.password.as_ref()) {
                let a = naming::secret_arn(id);
                if !secrets.contains(&a) {
                    secrets.push(a);
                }
            }
        }
    }
    let image = host.image.then(|| naming::image_stack_name(&ctx.app.name));
    if let Some(stack) = &image {
        roles.push(iam_arn("role", &format!("{stack}-*")));
        profiles.push(iam_arn("instance-profile", &format!("{stack}-*")));
        // The base image's parameter, when it is the program's own (public ones are above).
        if let Some(base) =
            ctx.app.deploy.baked_image().map(|i| &i.base).filter(|b| !b.starts_with("/aws/service/"))
        {
            parameters.push(arn("ssm", &format!("parameter/{}", base.trim_start_matches('/'))));
        }
    }
    let mut iam_resources = roles.clone();
    iam_resources.extend(profiles);
    // Image Builder gets the image stack's roles, and its service-linked role, only when the
    // pipeline bakes an image.
    let with_image = |mut services: Vec<&'static str>| {
        if image.is_some() {
            services.push("imagebuilder.amazonaws.com");
            services.sort_unstable();
        }
        services
    };
    groups.push(arn("codedeploy", &format!("application:{app}")));
    groups.push(arn("codedeploy", "deploymentconfig:*"));
    let mut pass_to = vec![
        "autoscaling.amazonaws.com",
        "codedeploy.amazonaws.com",
        "ec2.amazonaws.com",
        "monitoring.rds.amazonaws.com",
        "vpc-flow-logs.amazonaws.com",
    ];
    pass_to.extend(ctx.extras.pass_role_to.iter().copied());
    let mut linked = vec![
        "autoscaling.amazonaws.com",
        "elasticache.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "rds.amazonaws.com",
    ];
    linked.extend(ctx.extras.service_linked_roles.iter().copied());
    let pass_to = with_image(pass_to);
    let linked = with_image(linked);
    let mut st = vec![
        allow(READ, vec![json!("*")]),
        allow(EC2_WRITE, vec![service_arns("ec2"), sub("arn:${AWS::Partition}:ec2:${AWS::Region}::image/*")]),
        allow(ELB_WRITE, vec![service_arns("elasticloadbalancing")]),
        allow(AUTOSCALING_WRITE, vec![service_arns("autoscaling")]),
        allow(DATA_WRITE, vec![service_arns("elasticache"), service_arns("rds")]),
        allow(
            &["route53:ChangeResourceRecordSets", "route53:GetHostedZone", "route53:ListResourceRecordSets"],
            vec![sub("arn:${AWS::Partition}:route53:::hostedzone/*")],
        ),
        allow(&["acm:DescribeCertificate"], vec![arn("acm", "certificate/*")]),
        json!({
            "Effect": "Allow",
            "Action": IAM_BOUNDED,
            "Resource": roles.clone(),
            "Condition": { "StringEquals": { "iam:PermissionsBoundary": host.boundary.clone() } }
        }),
        json!({
            "Effect": "Deny",
            "Action": ["iam:DeleteRolePermissionsBoundary"],
            "Resource": roles.clone()
        }),
        allow(IAM_OTHER, iam_resources),
        json!({
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": roles,
            "Condition": { "StringEquals": { "iam:PassedToService": pass_to } }
        }),
        json!({
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": [sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*")],
            "Condition": { "StringEquals": { "iam:AWSServiceName": linked } }
        }),
    ];
    if crate::codegen::targets::shared_resources(ctx.app).codedeploy_application {
        st.push(allow(
            &[
                "codedeploy:CreateDeploymentConfig",
                "codedeploy:CreateDeploymentGroup",
                "codedeploy:DeleteDeploymentConfig",
                "codedeploy:DeleteDeploymentGroup",
                "codedeploy:GetDeploymentConfig",
                "codedeploy:GetDeploymentGroup",
                "codedeploy:ListTagsForResource",
                "codedeploy:TagResource",
                "codedeploy:UntagResource",
                "codedeploy:UpdateDeploymentGroup",
            ],
            groups,
        ));
    }
    st.extend([
        allow(&["ssm:GetParameter", "ssm:GetParameters"], parameters),
        allow(
            &[
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:DescribeLogGroups",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:ListTagsForResource",
            ],
            log_groups,
        ),
        allow(
            &["secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:TagResource"],
            vec![arn("secretsmanager", "secret:rds!*")],
        ),
        json!({
            "Effect": "Allow",
            "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
            "Resource": [arn("kms", "key/*")],
            "Condition": { "StringLike": { "kms:ViaService": [
                "ec2.*.amazonaws.com", "elasticache.*.amazonaws.com", "rds.*.amazonaws.com",
                "secretsmanager.*.amazonaws.com"
            ] } }
        }),
        host.allow_artifacts(
            &["s3:GetObject", "s3:GetObjectVersion"],
            vec![host.bucket.clone(), host.objects.clone()],
        ),
        host.key_statement(),
    ]);
    st.push(allow(
        &[
            "cloudwatch:DeleteAlarms",
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ],
        alarms,
    ));
    if !secrets.is_empty() {
        st.push(allow(&["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], secrets));
    }
    st.extend(ctx.extras.deploy_statements.iter().cloned());
    if let Some(stack) = &image {
        let resources: Vec<Value> =
            ["component", "image-recipe", "infrastructure-configuration", "image", "lifecycle-policy"]
                .iter()
                .map(|kind| arn("imagebuilder", &format!("{kind}/{stack}*")))
                .chain(std::iter::once(sub(
                    "arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:component/*",
                )))
                .collect();
        st.push(allow(IMAGEBUILDER, resources));
    }
    st
}

/// The checkov skips of a CloudFormation execution role, with their reasons.
pub(crate) fn execution_role_metadata() -> Value {
    checkov_skip(&[
        (
            "CKV_AWS_111",
            "CloudFormation creates the environment's VPC, subnets, security groups, load \
             balancer, Auto Scaling group, database and cache, whose IDs do not exist before the \
             stack creates them; EC2, ELB, Auto Scaling, RDS and ElastiCache create actions \
             support no name-based resource scoping. Only CloudFormation can assume this role \
             and only this pipeline's role may pass it (iam:PassedToService condition); IAM \
             writes are limited to <app>-<env>-* roles and instance profiles.",
        ),
        (
            "CKV_AWS_109",
            "The role manages permissions only of <app>-<env>-* roles and instance profiles \
             that the environment stack creates for its instances and CodeDeploy, and only with \
             the pipeline stack's permissions boundary (iam:PermissionsBoundary condition; \
             removing it is denied); passing them is limited to EC2, Auto Scaling, CodeDeploy, \
             RDS monitoring and VPC flow logs.",
        ),
    ])
}

pub(super) fn add(ctx: &mut Ctx) {
    pipeline_role(ctx);
    codebuild_role(ctx);
    deploy_role(ctx);
}
