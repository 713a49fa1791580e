//! The instances: security group, instance role and profile, launch template (IMDSv2, encrypted
//! gp3 root volume, no public IP, user data installing the CodeDeploy agent; the AMI from the SSM
//! public parameter, or the run's baked image pinned as a literal id), the Auto Scaling group in
//! the private subnets with its instance-refresh update policy, and target tracking. Blue/green
//! environments have a second launch template and group, green (see [`super::release`]).

use super::release::{self, Colour};
use crate::codegen::infra::network::instance_subnets;
use crate::codegen::infra::{att, equals, iff, no_value, not, r, sub, Ctx, Template, Values};
use crate::codegen::json::json;
use crate::ir::{al2023_parameter, Ec2Deploy, Env, Metric, ReleaseKind, Scaling};
use serde_json::Value;

fn scaling_modes(ctx: &Ctx) -> (bool, bool) {
    (
        ctx.any(|e| matches!(e.compute.scale_on, Scaling::Cpu(_))),
        ctx.any(|e| matches!(e.compute.scale_on, Scaling::Requests(_))),
    )
}

/// The user data: names the deployment group (read by the runtime-values script on a baked AMI,
/// [`super::runtime_env`]), installs the CodeDeploy agent (and the app's OS user, if any).
fn user_data(ctx: &Ctx, d: &Ec2Deploy) -> String {
    let mut s = format!(
        "#!/bin/bash\n# pf:deployment-group={}\n",
        crate::codegen::naming::deployment_group(&ctx.app.name, "${EnvName}")
    );
    s.push_str(
        "set -euo pipefail\n\
         # The CodeDeploy agent, from the regional bucket.\n\
         dnf install -y ruby\n\
         cd /tmp\n\
         curl -fsSL -o codedeploy-install https://aws-codedeploy-${AWS::Region}.s3.${AWS::Region}.${AWS::URLSuffix}/latest/install\n\
         chmod +x ./codedeploy-install\n\
         ./codedeploy-install auto\n\
         systemctl enable --now codedeploy-agent\n",
    );
    if let Some(user) = d.user.as_deref().filter(|u| *u != "root") {
        s.push_str(&format!(
            "# The app's user (hooks run as it).\nid -u {user} >/dev/null 2>&1 || useradd --system --shell /sbin/nologin {user}\n"
        ));
    }
    s
}

pub fn add(ctx: &Ctx, d: &Ec2Deploy, t: &mut Template) {
    let port = d.port;
    let (cpu, requests) = scaling_modes(ctx);
    if d.image.is_some() {
        t.param(
            "ImageId",
            json!({"Type": "AWS::EC2::Image::Id",
                   "Description": "The AMI baked by this pipeline run (passed by the pipeline from the image stack's output): a literal id, so that a rollback goes back to the previous one."}),
        );
    } else {
        t.param(
            "ImageId",
            json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": al2023_parameter(false),
                   "Description": "The AMI, from an SSM public parameter (Amazon Linux 2023, x86_64 or arm64)."}),
        );
    }
    refresh_params(t);
    t.param("InstanceType", json!({"Type": "String", "Description": "The EC2 instance type."}));
    t.param(
        "MinSize",
        json!({"Type": "Number", "MinValue": 0, "Description": "Minimum number of instances."}),
    );
    t.param(
        "MaxSize",
        json!({"Type": "Number", "MinValue": 1, "Description": "Maximum number of instances."}),
    );
    t.param(
        "DesiredCapacity",
        json!({"Type": "Number", "MinValue": 0, "Description": "Initial number of instances."}),
    );
    t.param(
        "VolumeSize",
        json!({"Type": "Number", "MinValue": 8, "Description": "Root volume size, GiB (gp3, encrypted)."}),
    );
    if cpu || requests {
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
                   "Description": "Target tracking on average CPU (percent) or on ALB requests per target, or none."}),
        );
        t.param(
            "ScalingTarget",
            json!({"Type": "Number", "Default": 0, "Description": "The target value of the scaling policy."}),
        );
        if cpu {
            t.condition("ScaleOnCpu", equals("ScalingMode", "cpu"));
        }
        if requests {
            t.condition("ScaleOnRequests", equals("ScalingMode", "requests"));
        }
    }

    t.resource(
        "AppSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "App instances: the app port from the load balancer only",
            "VpcId": r("Vpc"),
            "SecurityGroupEgress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                 "Description": "HTTPS to AWS APIs (CodeDeploy, SSM, S3) and package repositories"},
                {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "CidrIp": r("VpcCidr"),
                 "Description": "TCP inside the VPC (database, cache)"}],
            "Tags": ctx.name_tags("app")}}),
    );
    t.resource(
        "AppIngressFromLoadBalancer",
        json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": r("AppSecurityGroup"), "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "SourceSecurityGroupId": r("LoadBalancerSecurityGroup"),
            "Description": "The app's port from the load balancer"}}),
    );
    t.resource(
        "InstanceRole",
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "Description": "App instances: SSM management and download of CodeDeploy revisions",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")],
            "Policies": [{"PolicyName": "read-revisions", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                 "Resource": sub("arn:${AWS::Partition}:s3:::${ArtifactBucket}/*")},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": r("ArtifactKeyArn")}]}}],
            "Tags": ctx.name_tags("instance")}}),
    );
    t.resource(
        "InstanceProfile",
        json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [r("InstanceRole")]}}),
    );
    fleet(ctx, d, t, Colour::Blue);
    if let Some(condition) = release::condition(ctx, ReleaseKind::BlueGreen) {
        let mut lt = launch_template(ctx, d, Colour::Green);
        let mut group = auto_scaling_group(ctx, Colour::Green);
        if let Some(c) = condition {
            lt["Condition"] = json!(c);
            group["Condition"] = json!(c);
        }
        t.resource("LaunchTemplateGreen", lt);
        t.resource("AutoScalingGroupGreen", group);
    }
    scaling_policies(t, Colour::Blue, cpu, requests, None);
    if let Some(condition) = release::condition(ctx, ReleaseKind::BlueGreen) {
        scaling_policies(t, Colour::Green, cpu, requests, condition);
    }
    t.output(
        "AutoScalingGroupName",
        json!({"Description": "The Auto Scaling group of the app's instances.", "Value": r("AutoScalingGroup")}),
    );
}

/// A colour's target-tracking policies; `extra` is the condition of the colour's group.
fn scaling_policies(t: &mut Template, colour: Colour, cpu: bool, requests: bool, extra: Option<&str>) {
    let group = colour.id("AutoScalingGroup");
    let target_group = colour.id("TargetGroup");
    let condition = |t: &mut Template, base: &str| match extra {
        None => base.to_string(),
        Some(c) => {
            let name = format!("{base}{}", colour.suffix());
            t.condition(&name, json!({"Fn::And": [{"Condition": base}, {"Condition": c}]}));
            name
        }
    };
    if cpu {
        let c = condition(t, "ScaleOnCpu");
        t.resource(
            &colour.id("CpuScalingPolicy"),
            json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Condition": c, "Properties": {
                "AutoScalingGroupName": r(&group), "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": r("ScalingTarget")}}}),
        );
    }
    if requests {
        let c = condition(t, "ScaleOnRequests");
        t.resource(
            &colour.id("RequestScalingPolicy"),
            json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Condition": c, "Properties": {
                "AutoScalingGroupName": r(&group), "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget",
                        "ResourceLabel": sub(&format!("${{LoadBalancer.LoadBalancerFullName}}/${{{target_group}.TargetGroupFullName}}"))},
                    "TargetValue": r("ScalingTarget")}}}),
        );
    }
}

fn fleet(ctx: &Ctx, d: &Ec2Deploy, t: &mut Template, colour: Colour) {
    t.resource(&colour.id("LaunchTemplate"), launch_template(ctx, d, colour));
    t.resource(&colour.id("AutoScalingGroup"), auto_scaling_group(ctx, colour));
}

/// The instance-refresh preferences, per environment (see [`crate::ir::Strategy::refresh`]).
fn refresh_params(t: &mut Template) {
    let number = |t: &mut Template, name: &str, min: u32, max: u32, what: &str| {
        t.param(name, json!({"Type": "Number", "MinValue": min, "MaxValue": max, "Description": what}));
    };
    number(t, "RefreshMinHealthy", 0, 100, "Refresh: min healthy %.");
    number(t, "RefreshMaxHealthy", 100, 200, "Refresh: max healthy %.");
    number(t, "RefreshWarmup", 0, 86_400, "Refresh: warm-up, s.");
    number(t, "RefreshCheckpoint", 0, 99, "Refresh: checkpoint % (0: none).");
    number(t, "RefreshCheckpointDelay", 0, 172_800, "Refresh: checkpoint delay, s.");
    number(t, "RefreshBakeTime", 0, 172_800, "Refresh: bake time, s.");
    t.param(
        "RefreshSkipMatching",
        json!({"Type": "String", "AllowedValues": ["true", "false"], "Description": "Refresh: skip matching."}),
    );
    t.condition("RefreshHasCheckpoint", not(equals("RefreshCheckpoint", "0")));
    t.condition("RefreshSkipsMatching", equals("RefreshSkipMatching", "true"));
}

/// `UpdatePolicy.AutoScalingInstanceRefresh`: a changed launch template version (a new AMI or
/// instance type) replaces the instances in the stack update; a failure or a rollback alarm
/// fails the update and the stack rolls back (docs/aws-facts.md, "Immutable EC2 and release gates").
fn update_policy(ctx: &Ctx) -> Value {
    let mut prefs = json!({
        "MinHealthyPercentage": r("RefreshMinHealthy"),
        "MaxHealthyPercentage": r("RefreshMaxHealthy"),
        "InstanceWarmup": r("RefreshWarmup"),
        "CheckpointPercentages": iff("RefreshHasCheckpoint", json!([r("RefreshCheckpoint"), 100]), no_value()),
        "CheckpointDelay": iff("RefreshHasCheckpoint", r("RefreshCheckpointDelay"), no_value()),
        "BakeTime": r("RefreshBakeTime"),
        "SkipMatching": iff("RefreshSkipsMatching", json!(true), json!(false)),
    });
    // A CPU alarm names the group itself: it cannot also be in the group's policy (a cycle).
    let slots: Vec<_> =
        super::deployment::alarm_slots(ctx).into_iter().filter(|s| s.alarm.metric != Metric::Cpu).collect();
    if !slots.is_empty() {
        let alarms: Vec<Value> =
            slots.iter().map(|s| iff(&format!("{}RollsBack", s.id), r(&s.id), no_value())).collect();
        prefs["AlarmSpecification"] = iff("RollbackOnAlarms", json!({"Alarms": alarms}), no_value());
    }
    json!({"AutoScalingInstanceRefresh": {"Strategy": "Rolling", "Preferences": prefs}})
}

fn launch_template(ctx: &Ctx, d: &Ec2Deploy, colour: Colour) -> Value {
    let image = match colour {
        Colour::Blue => release::when(ctx, ReleaseKind::BlueGreen, colour.image(), r("ImageId")),
        Colour::Green => colour.image(),
    };
    json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {
        "LaunchTemplateData": {
            "ImageId": image,
            "InstanceType": r("InstanceType"),
            "IamInstanceProfile": {"Arn": att("InstanceProfile", "Arn")},
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                "VolumeSize": r("VolumeSize"), "VolumeType": "gp3", "Encrypted": true, "DeleteOnTermination": true}}],
            "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": false,
                                   "Groups": [r("AppSecurityGroup")]}],
            "Monitoring": {"Enabled": true},
            "UserData": {"Fn::Base64": sub(&user_data(ctx, d))},
            "TagSpecifications": [
                {"ResourceType": "instance", "Tags": ctx.name_tags("app")},
                {"ResourceType": "volume", "Tags": ctx.name_tags("app")}]},
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": ctx.name_tags("app")}]}})
}

fn auto_scaling_group(ctx: &Ctx, colour: Colour) -> Value {
    let lt = colour.id("LaunchTemplate");
    let size = |name: &str| match colour {
        Colour::Blue => release::when(ctx, ReleaseKind::BlueGreen, colour.size(name), r(name)),
        Colour::Green => colour.size(name),
    };
    let name = match colour {
        Colour::Blue => ctx.name("app"),
        Colour::Green => ctx.name("app-green"),
    };
    json!({"Type": "AWS::AutoScaling::AutoScalingGroup",
        "UpdatePolicy": update_policy(ctx),
        "Properties": {
        "VPCZoneIdentifier": instance_subnets(ctx, "PrivateSubnet"),
        "LaunchTemplate": {"LaunchTemplateId": r(&lt), "Version": att(&lt, "LatestVersionNumber")},
        "MinSize": size("MinSize"), "MaxSize": r("MaxSize"), "DesiredCapacity": size("DesiredCapacity"),
        "TargetGroupARNs": [r(&colour.id("TargetGroup"))],
        "HealthCheckType": "ELB", "HealthCheckGracePeriod": 600,
        "Tags": [{"Key": "Name", "Value": name, "PropagateAtLaunch": true}]}})
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    let c = &env.compute;
    if ctx.app.deploy.baked_image().is_none() {
        v.push(("ImageId".into(), al2023_parameter(c.arm).into()));
    }
    let refresh = env.strategy.refresh();
    v.push(("RefreshMinHealthy".into(), refresh.min_healthy.to_string()));
    v.push(("RefreshMaxHealthy".into(), refresh.max_healthy.to_string()));
    v.push(("RefreshWarmup".into(), refresh.warmup_seconds.to_string()));
    v.push(("RefreshCheckpoint".into(), refresh.checkpoint.unwrap_or(0).to_string()));
    v.push(("RefreshCheckpointDelay".into(), refresh.checkpoint_wait_seconds.to_string()));
    v.push(("RefreshBakeTime".into(), refresh.bake_seconds.to_string()));
    v.push(("RefreshSkipMatching".into(), refresh.skip_matching.to_string()));
    v.push(("InstanceType".into(), c.instance.clone()));
    v.push(("MinSize".into(), c.min.to_string()));
    v.push(("MaxSize".into(), c.max.to_string()));
    v.push(("DesiredCapacity".into(), c.desired.to_string()));
    v.push(("VolumeSize".into(), c.volume_gib.to_string()));
    let (cpu, requests) = scaling_modes(ctx);
    if cpu || requests {
        let (mode, target) = match c.scale_on {
            Scaling::Cpu(p) => ("cpu", p),
            Scaling::Requests(n) => ("requests", n),
            Scaling::None => ("none", 0),
        };
        v.push(("ScalingMode".into(), mode.into()));
        v.push(("ScalingTarget".into(), target.to_string()));
    }
}
