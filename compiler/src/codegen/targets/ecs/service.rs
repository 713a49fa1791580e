//! What runs the app: the cluster (Container Insights), the log group (encrypted with a key of
//! the stack), the execution role (pull from the one repository, write to the one log group,
//! read the container's secrets), the task role (the app's `allow` permissions only), the
//! Fargate task definition (read-only root file system, a scratch `/tmp`), the security group
//! open to the load balancer only, the service in the private subnets without public IPs, and
//! Application Auto Scaling target tracking on CPU or requests per target.

use super::{release, secrets, CONTAINER};
use crate::codegen::infra::network::instance_subnets;
use crate::codegen::infra::{att, equals, iff, no_value, r, sub, Ctx, Template, Values};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{EcsDeploy, Env, Scaling};
use serde_json::Value;

/// The CPU sizes of a Fargate task (the `TaskCpu` parameter's allowed values).
const CPU_UNITS: &[&str] = &["256", "512", "1024", "2048", "4096", "8192", "16384"];

fn scaling_modes(ctx: &Ctx) -> (bool, bool) {
    (
        ctx.any(|e| matches!(e.compute.scale_on, Scaling::Cpu(_))),
        ctx.any(|e| matches!(e.compute.scale_on, Scaling::Requests(_))),
    )
}

/// The image the task runs, from the pipeline's repository and the release's tag.
fn image() -> Value {
    sub(&format!(
        "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/${{{}}}:${{{}}}",
        naming::IMAGE_REPOSITORY_PARAMETER,
        naming::IMAGE_TAG_PARAMETER
    ))
}

fn trust_ecs_tasks() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:SourceArn": sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*")},
                      "StringEquals": {"aws:SourceAccount": r("AWS::AccountId")}}}]})
}

fn log_group_name(ctx: &Ctx) -> Value {
    ctx.name("app")
}

pub fn add(ctx: &Ctx, d: &EcsDeploy, t: &mut Template) {
    let (cpu, requests) = scaling_modes(ctx);
    t.param(
        naming::IMAGE_REPOSITORY_PARAMETER,
        json!({"Type": "String", "Description": "The pipeline's ECR repository (passed by the pipeline)."}),
    );
    t.param(
        naming::IMAGE_TAG_PARAMETER,
        json!({"Type": "String", "Description": "The tag of the image to run, the commit's (passed by the pipeline: the release)."}),
    );
    t.param(
        "TaskCpu",
        json!({"Type": "String", "AllowedValues": CPU_UNITS, "Description": "CPU units of a Fargate task."}),
    );
    t.param(
        "TaskMemory",
        json!({"Type": "String", "Description": "Memory of a Fargate task, MiB (a size Fargate allows with TaskCpu)."}),
    );
    t.param(
        "DesiredCapacity",
        json!({"Type": "Number", "MinValue": 0, "Description": "Tasks at creation (and always, without scaling)."}),
    );
    if cpu || requests {
        t.param(
            "MinSize",
            json!({"Type": "Number", "MinValue": 0, "Description": "Minimum number of tasks."}),
        );
        t.param(
            "MaxSize",
            json!({"Type": "Number", "MinValue": 1, "Description": "Maximum number of tasks."}),
        );
        let mut modes = vec!["none"];
        if cpu {
            modes.push("cpu");
        }
        if requests {
            modes.push("requests");
        }
        t.param(
            "ScalingMode",
            json!({"Type": "String", "AllowedValues": modes,
                   "Description": "Target tracking on the service's average CPU (percent) or on ALB requests per target, or none."}),
        );
        t.param(
            "ScalingTarget",
            json!({"Type": "Number", "Default": 0, "Description": "The target value of the scaling policy."}),
        );
        t.condition("Scales", crate::codegen::infra::not(equals("ScalingMode", "none")));
        if cpu {
            t.condition("ScaleOnCpu", equals("ScalingMode", "cpu"));
        }
        if requests {
            t.condition("ScaleOnRequests", equals("ScalingMode", "requests"));
        }
    }

    t.resource(
        "Cluster",
        json!({"Type": "AWS::ECS::Cluster", "Properties": {
            "ClusterName": ctx.name(""),
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
            "Tags": ctx.name_tags("")}}),
    );
    t.resource(
        "LogKey",
        json!({"Type": "AWS::KMS::Key", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete", "Properties": {
            "Description": ctx.name("app logs"),
            "EnableKeyRotation": true,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                {"Sid": "AccountAdministration", "Effect": "Allow",
                 "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                 "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                            "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                            "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
                 "Resource": "*"},
                {"Sid": "TheAppLogGroup", "Effect": "Allow",
                 "Principal": {"Service": sub("logs.${AWS::Region}.amazonaws.com")},
                 "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                 "Resource": "*",
                 "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
                     sub(&format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{}", naming::deployment_group(&ctx.app.name, "${EnvName}-app")))}}}]},
            "Tags": ctx.name_tags("app-logs")}}),
    );
    t.resource(
        "LogGroup",
        json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete", "Properties": {
            "LogGroupName": log_group_name(ctx),
            "RetentionInDays": d.log_retention_days,
            "KmsKeyId": att("LogKey", "Arn"),
            "Tags": ctx.name_tags("app")}}),
    );
    let repository = sub(&format!(
        "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/${{{}}}",
        naming::IMAGE_REPOSITORY_PARAMETER
    ));
    let mut policies =
        vec![json!({"PolicyName": "pull-and-log", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "PullTheAppImage", "Effect": "Allow",
         "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
         "Resource": repository},
        {"Sid": "WriteTheAppLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": sub("${LogGroup.Arn}")}]}})];
    policies.extend(secrets::execution_policies(ctx, d, t));
    t.resource(
        "ExecutionRole",
        json!({"Type": "AWS::IAM::Role",
               "Metadata": crate::codegen::infra::checkov_skip(&[("CKV_AWS_111", "ecr:GetAuthorizationToken has no resource-level permission (ECR's service authorization reference); every other statement names this environment's repository, log group, parameters and secrets.")]),
               "Properties": {
            "Description": "ECS task execution: pull the app's image, write its logs, read its secrets",
            "AssumeRolePolicyDocument": trust_ecs_tasks(),
            "Policies": policies,
            "Tags": ctx.name_tags("execution")}}),
    );
    let mut task_role = json!({"Type": "AWS::IAM::Role", "Properties": {
        "Description": "The running app: only its `allow` permissions",
        "AssumeRolePolicyDocument": trust_ecs_tasks(),
        "Tags": ctx.name_tags("task")}});
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
        task_role["Properties"]["Policies"] = json!([{"PolicyName": "app-permissions",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]);
    }
    t.resource("TaskRole", task_role);
    let arch = if ctx.app.build.arm { "ARM64" } else { "X86_64" };
    let mut container = json!({
        "Name": CONTAINER,
        "Image": image(),
        "Essential": true,
        "PortMappings": [{"ContainerPort": d.port, "Protocol": "tcp"}],
        "ReadonlyRootFilesystem": true,
        "MountPoints": [{"SourceVolume": "tmp", "ContainerPath": "/tmp", "ReadOnly": false}],
        "LogConfiguration": {"LogDriver": "awslogs", "Options": {
            "awslogs-group": r("LogGroup"), "awslogs-region": r("AWS::Region"), "awslogs-stream-prefix": CONTAINER}}
    });
    if let Some(list) = secrets::container_secrets(ctx, d) {
        container["Secrets"] = list;
    }
    t.resource(
        "TaskDefinition",
        json!({"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": ctx.name(""),
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
            "Cpu": r("TaskCpu"),
            "Memory": r("TaskMemory"),
            "RuntimePlatform": {"CpuArchitecture": arch, "OperatingSystemFamily": "LINUX"},
            "ExecutionRoleArn": att("ExecutionRole", "Arn"),
            "TaskRoleArn": att("TaskRole", "Arn"),
            "Volumes": [{"Name": "tmp"}],
            "ContainerDefinitions": [container],
            "Tags": ctx.name_tags("")}}),
    );
    t.resource(
        "AppSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "App tasks: the app port from the load balancer only",
            "VpcId": r("Vpc"),
            "SecurityGroupEgress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                 "Description": "HTTPS to AWS APIs (ECR, CloudWatch Logs, SSM, Secrets Manager)"},
                {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "CidrIp": r("VpcCidr"),
                 "Description": "TCP inside the VPC (database, cache)"}],
            "Tags": ctx.name_tags("app")}}),
    );
    t.resource(
        "AppIngressFromLoadBalancer",
        json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": r("AppSecurityGroup"), "IpProtocol": "tcp", "FromPort": d.port, "ToPort": d.port,
            "SourceSecurityGroupId": r("LoadBalancerSecurityGroup"),
            "Description": "The app's port from the load balancer"}}),
    );
    let desired =
        if cpu || requests { iff("Scales", no_value(), r("DesiredCapacity")) } else { r("DesiredCapacity") };
    t.resource(
        "Service",
        json!({"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": r("Cluster"),
            // Named (`<app>-<env>`, as the cluster) so that the `cpu` alarms, which the
            // service's configuration names, can name it without a cycle.
            "ServiceName": ctx.name(""),
            "LaunchType": "FARGATE",
            "PlatformVersion": "LATEST",
            "TaskDefinition": r("TaskDefinition"),
            "DesiredCount": desired,
            "DeploymentController": {"Type": "ECS"},
            "DeploymentConfiguration": release::deployment_configuration(ctx),
            "NetworkConfiguration": {"AwsvpcConfiguration": {
                "AssignPublicIp": "DISABLED",
                "SecurityGroups": [r("AppSecurityGroup")],
                "Subnets": instance_subnets(ctx, "PrivateSubnet")}},
            "LoadBalancers": [release::load_balancer(ctx, d)],
            "HealthCheckGracePeriodSeconds": 60,
            "EnableECSManagedTags": true,
            "PropagateTags": "SERVICE",
            "Tags": ctx.name_tags("")}}),
    );
    if !release::any_shifting(ctx) {
        // The target group must be behind a listener rule before the service registers tasks;
        // with traffic shifting the service refers to the rule already.
        t.resources.get_mut("Service").expect("just added")["DependsOn"] = json!([release::PRODUCTION_RULE]);
    }
    if cpu || requests {
        t.resource(
            "ScalableTarget",
            json!({"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Condition": "Scales", "Properties": {
                "ServiceNamespace": "ecs",
                "ScalableDimension": "ecs:service:DesiredCount",
                "ResourceId": sub("service/${Cluster}/${Service.Name}"),
                "MinCapacity": r("MinSize"),
                "MaxCapacity": r("MaxSize")}}),
        );
    }
    let policy = |metric: Value| {
        json!({"PolicyName": ctx.name("scaling"), "PolicyType": "TargetTrackingScaling",
               "ScalingTargetId": r("ScalableTarget"),
               "TargetTrackingScalingPolicyConfiguration": {"PredefinedMetricSpecification": metric,
                   "TargetValue": r("ScalingTarget")}})
    };
    if cpu {
        t.resource(
            "CpuScalingPolicy",
            json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Condition": "ScaleOnCpu",
                   "Properties": policy(json!({"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}))}),
        );
    }
    if requests {
        t.resource(
            "RequestScalingPolicy",
            json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Condition": "ScaleOnRequests",
                   "Properties": policy(json!({"PredefinedMetricType": "ALBRequestCountPerTarget",
                       "ResourceLabel": sub("${LoadBalancer.LoadBalancerFullName}/${TargetGroup.TargetGroupFullName}")}))}),
        );
    }
    t.output("ClusterName", json!({"Description": "The ECS cluster.", "Value": r("Cluster")}));
    t.output("ServiceName", json!({"Description": "The ECS service.", "Value": att("Service", "Name")}));
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    let c = &env.compute;
    v.push(("TaskCpu".into(), c.cpu.to_string()));
    v.push(("TaskMemory".into(), c.memory_mib.to_string()));
    v.push(("DesiredCapacity".into(), c.desired.to_string()));
    let (cpu, requests) = scaling_modes(ctx);
    if cpu || requests {
        v.push(("MinSize".into(), c.min.to_string()));
        v.push(("MaxSize".into(), c.max.to_string()));
        let (mode, target) = match c.scale_on {
            Scaling::Cpu(p) => ("cpu", p),
            Scaling::Requests(n) => ("requests", n),
            Scaling::None => ("none", 0),
        };
        v.push(("ScalingMode".into(), mode.into()));
        v.push(("ScalingTarget".into(), target.to_string()));
    }
}
