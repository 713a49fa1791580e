//! The instances: security group, instance role and profile, launch template (IMDSv2, encrypted
//! gp3 root volume, AMI from the SSM public parameter, no public IP, user data installing the
//! CodeDeploy agent), the Auto Scaling group in the private subnets, and target tracking.

use crate::codegen::infra::network::instance_subnets;
use crate::codegen::infra::{att, equals, r, sub, Ctx, Template, Values};
use crate::ir::{Ec2Deploy, Env, Scaling};
use serde_json::json;

/// The SSM public parameter of the latest Amazon Linux 2023 AMI.
pub fn ami_parameter(arm: bool) -> &'static str {
    if arm {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    } else {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    }
}

fn scaling_modes(ctx: &Ctx) -> (bool, bool) {
    (
        ctx.any(|e| matches!(e.compute.scale_on, Scaling::Cpu(_))),
        ctx.any(|e| matches!(e.compute.scale_on, Scaling::Requests(_))),
    )
}

/// The user data: installs the CodeDeploy agent (and the app's OS user, if any).
fn user_data(d: &Ec2Deploy) -> String {
    let mut s = String::from(
        "#!/bin/bash\n\
         set -euo pipefail\n\
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
    t.param(
        "ImageId",
        json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": ami_parameter(false),
               "Description": "The AMI, from an SSM public parameter (Amazon Linux 2023, x86_64 or arm64)."}),
    );
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
    t.resource(
        "LaunchTemplate",
        json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {
            "LaunchTemplateData": {
                "ImageId": r("ImageId"),
                "InstanceType": r("InstanceType"),
                "IamInstanceProfile": {"Arn": att("InstanceProfile", "Arn")},
                "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                    "VolumeSize": r("VolumeSize"), "VolumeType": "gp3", "Encrypted": true, "DeleteOnTermination": true}}],
                "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": false,
                                       "Groups": [r("AppSecurityGroup")]}],
                "Monitoring": {"Enabled": true},
                "UserData": {"Fn::Base64": sub(&user_data(d))},
                "TagSpecifications": [
                    {"ResourceType": "instance", "Tags": ctx.name_tags("app")},
                    {"ResourceType": "volume", "Tags": ctx.name_tags("app")}]},
            "TagSpecifications": [{"ResourceType": "launch-template", "Tags": ctx.name_tags("app")}]}}),
    );
    t.resource(
        "AutoScalingGroup",
        json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "VPCZoneIdentifier": instance_subnets(ctx, "PrivateSubnet"),
            "LaunchTemplate": {"LaunchTemplateId": r("LaunchTemplate"), "Version": att("LaunchTemplate", "LatestVersionNumber")},
            "MinSize": r("MinSize"), "MaxSize": r("MaxSize"), "DesiredCapacity": r("DesiredCapacity"),
            "TargetGroupARNs": [r("TargetGroup")],
            "HealthCheckType": "ELB", "HealthCheckGracePeriod": 600,
            "Tags": [{"Key": "Name", "Value": ctx.name("app"), "PropagateAtLaunch": true}]}}),
    );
    if cpu {
        t.resource(
            "CpuScalingPolicy",
            json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Condition": "ScaleOnCpu", "Properties": {
                "AutoScalingGroupName": r("AutoScalingGroup"), "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": r("ScalingTarget")}}}),
        );
    }
    if requests {
        t.resource(
            "RequestScalingPolicy",
            json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Condition": "ScaleOnRequests", "Properties": {
                "AutoScalingGroupName": r("AutoScalingGroup"), "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget",
                        "ResourceLabel": sub("${LoadBalancer.LoadBalancerFullName}/${TargetGroup.TargetGroupFullName}")},
                    "TargetValue": r("ScalingTarget")}}}),
        );
    }
    t.output(
        "AutoScalingGroupName",
        json!({"Description": "The Auto Scaling group of the app's instances.", "Value": r("AutoScalingGroup")}),
    );
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    let c = &env.compute;
    v.push(("ImageId".into(), ami_parameter(c.arm).into()));
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
