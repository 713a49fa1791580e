//! The function: its security group (in the private subnets, so it reaches the database and
//! cache), execution role (its own log group, network interfaces, the app's `allow`
//! permissions), log group, the function itself with the release's code object, and its
//! environment variables: the app's runtime values as dynamic references that CloudFormation
//! resolves at deploy time (a configuration holds names only, never a secret).

use crate::codegen::infra::network::instance_subnets;
use crate::codegen::infra::{
    att, checkov_skip, equals, iff, no_value, r, resolved_text, sub, text_params, text_values, Ctx, Template,
    Values,
};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{runtime_values, LambdaDeploy, RuntimeValue, Text};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The environment stack's parameter with the object key of the release's code, passed by the
/// pipeline (`targets::release_overrides`).
pub const CODE_KEY_PARAMETER: &str = naming::LAMBDA_CODE_KEY_PARAMETER;

/// Days CloudWatch Logs keeps the function's logs.
const LOG_RETENTION_DAYS: u32 = 30;

/// The names of the runtime values of any environment.
fn runtime_names(ctx: &Ctx) -> BTreeSet<String> {
    ctx.envs.iter().flat_map(|e| runtime_values(ctx.app, e).into_keys()).collect()
}

/// The parameter prefix of a runtime value (`Runtime` + its name in CamelCase).
fn param(name: &str) -> String {
    naming::logical_id(&["runtime", name])
}

pub fn add(ctx: &Ctx, d: &LambdaDeploy, t: &mut Template) {
    t.param(
        CODE_KEY_PARAMETER,
        json!({"Type": "String", "Description": "The object key of the function's code in the artifact bucket: the build artifact's zip (passed by the pipeline)."}),
    );
    t.resource(
        "AppSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "The function: no inbound traffic, outbound HTTPS and the VPC",
            "VpcId": r("Vpc"),
            "SecurityGroupEgress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                 "Description": "HTTPS to AWS APIs and the services the function calls"},
                {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "CidrIp": r("VpcCidr"),
                 "Description": "TCP inside the VPC (database, cache)"}],
            "Tags": ctx.name_tags("app")}}),
    );
    let log_group_arn =
        sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${FunctionLogGroup}:*");
    t.resource(
        "FunctionLogGroup",
        json!({"Type": "AWS::Logs::LogGroup",
               "Metadata": checkov_skip(&[("CKV_AWS_158", "CloudWatch Logs encrypts the function's logs at rest with AWS-owned keys; a customer-managed KMS key per environment is left to the account's baseline, as for the VPC flow logs.")]),
               "Properties": {
            "LogGroupName": {"Fn::Sub": format!("/aws/lambda/{}", naming::deployment_group(&ctx.app.name, "${EnvName}"))},
            "RetentionInDays": LOG_RETENTION_DAYS,
            "Tags": ctx.name_tags("logs")}}),
    );
    t.resource(
        "FunctionRole",
        json!({"Type": "AWS::IAM::Role",
               "Metadata": checkov_skip(&[("CKV_AWS_111", "Lambda creates and deletes the function's network interfaces in the private subnets; the EC2 network-interface actions support no resource-level scoping at creation (the AWSLambdaVPCAccessExecutionRole managed policy grants the same on *).")]),
               "Properties": {
            "Description": "The function: its own logs and network interfaces, and the app's allow permissions",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "function", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": log_group_arn},
                {"Sid": "NetworkInterfaces", "Effect": "Allow",
                 "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                            "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
                 "Resource": "*"}]}}],
            "Tags": ctx.name_tags("function")}}),
    );
    if !ctx.app.permissions.is_empty() {
        let statements: Vec<Value> = ctx
            .app
            .permissions
            .iter()
            .map(|p| {
                json!({"Sid": naming::logical_id(&[&p.name]), "Effect": "Allow",
                       "Action": &p.actions, "Resource": &p.resources})
            })
            .collect();
        t.resource(
            "AppPermissions",
            json!({"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "app-permissions", "Roles": [r("FunctionRole")],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}),
        );
    }
    let mut props = json!({
        "FunctionName": ctx.name(""),
        "Description": format!("{} (generated by pf)", ctx.app.name),
        "Runtime": &d.runtime,
        "Handler": &d.handler,
        "MemorySize": d.memory_mib,
        "Timeout": d.timeout_seconds,
        "Architectures": [if d.arm { "arm64" } else { "x86_64" }],
        "Code": {"S3Bucket": r(naming::artifact_bucket_parameter()), "S3Key": r(CODE_KEY_PARAMETER)},
        "Role": att("FunctionRole", "Arn"),
        "VpcConfig": {"SubnetIds": instance_subnets(ctx, "PrivateSubnet"), "SecurityGroupIds": [r("AppSecurityGroup")]},
        "LoggingConfig": {"LogGroup": r("FunctionLogGroup"), "LogFormat": "JSON"},
    });
    if let Some(n) = d.reserved_concurrency {
        props["ReservedConcurrentExecutions"] = json!(n);
    }
    let variables = environment(ctx, t);
    if !variables.is_empty() {
        props["Environment"] = json!({ "Variables": variables });
    }
    props["Tags"] = ctx.name_tags("function");
    let mut skips = vec![
        ("CKV_AWS_116", "The function serves synchronous requests (its URL or the load balancer): the caller gets the error; a dead-letter queue only receives failed asynchronous invocations."),
        ("CKV_AWS_173", "Lambda encrypts environment variables at rest with its AWS-managed key; they hold plain runtime values and the secrets CloudFormation resolved from the references the program wrote."),
        ("CKV_AWS_272", "Code signing needs a signing profile the build signs with; the code is the pipeline's own build artifact, read from its KMS-encrypted artifact bucket."),
        ("CKV_AWS_50", "X-Ray tracing is an application choice (it needs the SDK's instrumentation); the function's logs and metrics are on."),
    ];
    if d.reserved_concurrency.is_none() {
        skips.push(("CKV_AWS_115", "No `reserved_concurrency` in the program: the function shares the account's unreserved concurrency."));
    }
    t.resource(
        "Function",
        json!({"Type": "AWS::Lambda::Function", "Metadata": checkov_skip(&skips), "Properties": props}),
    );
}

/// The function's environment variables, with their parameters: each runtime value of some
/// environment is a text ([`text_params`]) resolved by CloudFormation, or a database or cache
/// attribute of the stack; absent in the environments without it.
fn environment(ctx: &Ctx, t: &mut Template) -> Map<String, Value> {
    let mut vars = Map::new();
    for name in runtime_names(ctx) {
        let handed: Vec<RuntimeValue> =
            ctx.envs.iter().filter_map(|e| runtime_values(ctx.app, e).remove(&name)).collect();
        let value = match handed.first() {
            Some(RuntimeValue::DatabaseHost) => iff("HasDatabase", att("Database", "Endpoint.Address"), no_value()),
            Some(RuntimeValue::CacheHost) => iff("HasCache", att("Cache", "PrimaryEndPoint.Address"), no_value()),
            Some(RuntimeValue::DatabasePassword) => iff(
                "HasDatabase",
                iff(
                    "DbPasswordManaged",
                    sub("{{resolve:secretsmanager:${Database.MasterUserSecret.SecretArn}:SecretString:password}}"),
                    sub("{{resolve:secretsmanager:${DbPasswordReference}}}"),
                ),
                no_value(),
            ),
            _ => {
                let p = param(&name);
                let every = ctx.envs.iter().all(|e| runtime_values(ctx.app, e).contains_key(&name));
                text_params(
                    t,
                    &p,
                    &format!("{p}Value"),
                    &format!("the runtime value {name}"),
                    &["none", "plain", "ssm", "secretsmanager"],
                    (!every).then_some("none"),
                );
                let plain = format!("{p}IsPlain");
                let ssm = format!("{p}FromSsm");
                let secret = format!("{p}FromSecret");
                t.condition(&plain, equals(&format!("{p}Source"), "plain"));
                t.condition(&ssm, equals(&format!("{p}Source"), "ssm"));
                t.condition(&secret, equals(&format!("{p}Source"), "secretsmanager"));
                let resolved = resolved_text(&format!("{p}Value"), "ssm", &ssm, Some(&secret), no_value());
                iff(&plain, r(&format!("{p}Value")), resolved)
            }
        };
        vars.insert(name, value);
    }
    vars
}

pub fn values(ctx: &Ctx, env: &crate::ir::Env, v: &mut Values) {
    let values = runtime_values(ctx.app, env);
    for name in runtime_names(ctx) {
        let p = param(&name);
        match values.get(&name) {
            Some(RuntimeValue::Text(text)) => text_values(v, &p, &format!("{p}Value"), Some(text), "plain"),
            Some(_) => {}
            None => {
                let handed = ctx.envs.iter().any(|e| {
                    !matches!(runtime_values(ctx.app, e).get(&name), None | Some(RuntimeValue::Text(_)))
                });
                if !handed {
                    text_values(v, &p, &format!("{p}Value"), None::<&Text>, "plain");
                }
            }
        }
    }
}
