//! `deploy = lambda {...}`: a Lambda function in the environment's private subnets, reached
//! through a function URL or the environment's load balancer, and released by a CloudFormation
//! update of the environment stack with the build artifact's object key as its code: CodeDeploy
//! shifts the environment's alias to the new version during the update (docs/targets.md).
//!
//! - [`function`]: security group, execution role, log group, the function and its environment
//!   variables (runtime values as dynamic references);
//! - [`release`]: the version, the alias with `CodeDeployLambdaAliasUpdate`, the CodeDeploy
//!   application, deployment group and role, alarms and rollback, the URL or load balancer entry.

pub mod function;
pub mod release;

use super::PipelineExtras;
use crate::codegen::infra::sub;
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{runtime_values, App, Env, RuntimeValue, Text};
use serde_json::Value;

/// The release parameter every CloudFormation action of a Lambda app's environment stack
/// passes: the build artifact's object key, which is the function's code.
pub fn release_overrides(build_artifact: &str) -> Vec<(&'static str, String)> {
    vec![(
        function::CODE_KEY_PARAMETER,
        format!("{{\"Fn::GetArtifactAtt\": [\"{build_artifact}\", \"ObjectKey\"]}}"),
    )]
}

/// What the build adds for a function: nothing; the artifact zip is the code, so the handler's
/// file must be at the root of the build's artifacts.
pub fn build_extras(_app: &App) -> super::BuildExtras {
    super::BuildExtras { post_build: Vec::new(), artifacts: Vec::new() }
}

/// What the pipeline's CloudFormation role needs to manage the functions of `stacks` (the
/// environment stacks, `<app>-<env>`): the function, its versions, alias, URL and permissions;
/// its own CodeDeploy application, group and deployments (the alias's update policy starts one);
/// its log group; passing its execution role to Lambda; and reading the parameters and secrets
/// of the runtime values of `envs`, which CloudFormation resolves with this role.
pub fn pipeline_extras(app: &App, stacks: &[String], envs: &[&Env]) -> PipelineExtras {
    let arn = |service: &str, rest: &str| {
        sub(&format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{rest}"))
    };
    let mut functions = Vec::new();
    let mut codedeploy = Vec::new();
    let mut logs = Vec::new();
    let mut streams = Vec::new();
    let mut alarms = Vec::new();
    for stack in stacks {
        streams.push(arn("logs", &format!("log-group:/aws/lambda/{stack}:*")));
        alarms.push(arn("cloudwatch", &format!("alarm:{stack}-*")));
        functions.push(arn("lambda", &format!("function:{stack}")));
        functions.push(arn("lambda", &format!("function:{stack}:*")));
        codedeploy.push(arn("codedeploy", &format!("application:{stack}")));
        codedeploy.push(arn("codedeploy", &format!("deploymentgroup:{stack}/{stack}")));
        logs.push(arn("logs", &format!("log-group:/aws/lambda/{stack}")));
        logs.push(arn("logs", &format!("log-group:/aws/lambda/{stack}:*")));
    }
    codedeploy.push(arn("codedeploy", "deploymentconfig:*"));
    let mut deploy_statements = vec![
        json!({"Effect": "Allow", "Action": [
            "lambda:AddPermission", "lambda:CreateAlias", "lambda:CreateFunction", "lambda:CreateFunctionUrlConfig",
            "lambda:DeleteAlias", "lambda:DeleteFunction", "lambda:DeleteFunctionConcurrency",
            "lambda:DeleteFunctionUrlConfig", "lambda:GetAlias", "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConfiguration", "lambda:GetFunctionUrlConfig",
            "lambda:GetPolicy", "lambda:GetRuntimeManagementConfig", "lambda:ListTags", "lambda:ListVersionsByFunction",
            "lambda:PublishVersion", "lambda:PutFunctionConcurrency", "lambda:RemovePermission", "lambda:TagResource",
            "lambda:UntagResource", "lambda:UpdateAlias", "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionUrlConfig"], "Resource": functions.clone()}),
        json!({"Effect": "Allow", "Action": [
            "codedeploy:CreateApplication", "codedeploy:CreateDeployment", "codedeploy:CreateDeploymentConfig",
            "codedeploy:CreateDeploymentGroup", "codedeploy:DeleteApplication", "codedeploy:DeleteDeploymentConfig",
            "codedeploy:DeleteDeploymentGroup", "codedeploy:GetApplication", "codedeploy:GetApplicationRevision",
            "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig", "codedeploy:GetDeploymentGroup",
            "codedeploy:ListTagsForResource", "codedeploy:RegisterApplicationRevision", "codedeploy:StopDeployment",
            "codedeploy:TagResource", "codedeploy:UntagResource", "codedeploy:UpdateDeploymentGroup"],
            "Resource": codedeploy}),
        json!({"Effect": "Allow", "Action": [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:DescribeLogGroups",
            "logs:ListTagsForResource", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource"],
            "Resource": logs}),
    ];
    let (parameters, secrets) = referenced(app, envs);
    if !parameters.is_empty() {
        deploy_statements
            .push(json!({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": parameters}));
    }
    if !secrets.is_empty() {
        deploy_statements.push(
            json!({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets}),
        );
    }
    // The ceiling of the function's and CodeDeploy's roles (`function.rs`, `release.rs`).
    let boundary_statements = vec![
        json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": streams}),
        json!({"Effect": "Allow", "Action": [
            "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"],
            "Resource": ["*"]}),
        json!({"Effect": "Allow", "Action": ["lambda:GetAlias", "lambda:GetProvisionedConcurrencyConfig", "lambda:UpdateAlias"],
            "Resource": functions}),
        json!({"Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms"], "Resource": alarms}),
    ];
    PipelineExtras {
        deploy_statements,
        pass_role_to: vec!["lambda.amazonaws.com"],
        boundary_statements,
        ..PipelineExtras::default()
    }
}

/// The ARNs of the SSM parameters and secrets the function's runtime values reference.
fn referenced(app: &App, envs: &[&Env]) -> (Vec<Value>, Vec<Value>) {
    let (mut parameters, mut secrets) = (Vec::new(), Vec::new());
    for env in envs {
        for value in runtime_values(app, env).into_values() {
            let (list, arn) = match value {
                RuntimeValue::Text(Text::Param(name)) => (&mut parameters, naming::parameter_arn(&name)),
                RuntimeValue::Text(Text::Secret(id)) => (&mut secrets, naming::secret_arn(&id)),
                _ => continue,
            };
            if !list.contains(&arn) {
                list.push(arn);
            }
        }
    }
    (parameters, secrets)
}
