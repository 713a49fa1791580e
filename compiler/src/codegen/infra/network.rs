//! The network: a VPC with a public and a private subnet per AZ slot, an internet gateway, NAT
//! gateways (none, one, or one per AZ), route tables, an S3 gateway endpoint and flow logs.
//!
//! AZ slots 1 and 2 always exist: an Application Load Balancer needs subnets in two AZs, and so
//! does an RDS subnet group. The checker gives a single-AZ environment a second public and
//! private subnet (`ir::Network`), so every configuration lists at least two of each; its
//! instances run in the first AZ only. Slots 3 and up exist when `AzCount` reaches them.

use super::{att, checkov_skip, equals, iff, no_value, not, r, sub, Ctx, Template, Values};
use crate::ast::Cidr;
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{Env, Nat};
use serde_json::Value;

/// The condition under which AZ slot `i` (1-based) exists, `None` for the slots that always do.
pub fn az_condition(i: u8) -> Option<String> {
    (i > 2).then(|| format!("HasAz{i}"))
}

/// The condition under which the instances run in AZ slot `i`.
pub fn instances_condition(i: u8) -> Option<String> {
    (i > 1).then(|| format!("HasAz{i}"))
}

/// `[Ref <prefix>1, If[HasAz2, Ref <prefix>2, NoValue], ...]`: the subnets where instances run.
pub fn instance_subnets(ctx: &Ctx, prefix: &str) -> Value {
    let list: Vec<Value> = (1..=ctx.az_slots())
        .map(|i| {
            let id = format!("{prefix}{i}");
            match instances_condition(i) {
                Some(c) => iff(&c, r(&id), no_value()),
                None => r(&id),
            }
        })
        .collect();
    Value::Array(list)
}

/// Every existing subnet of a kind (for the load balancer and the subnet groups).
pub fn all_subnets(ctx: &Ctx, prefix: &str) -> Value {
    let list: Vec<Value> = (1..=ctx.az_slots())
        .map(|i| {
            let id = format!("{prefix}{i}");
            match az_condition(i) {
                Some(c) => iff(&c, r(&id), no_value()),
                None => r(&id),
            }
        })
        .collect();
    Value::Array(list)
}

fn any_nat(ctx: &Ctx) -> bool {
    ctx.any(|e| e.network.nat != Nat::None)
}

fn any_nat_per_az(ctx: &Ctx) -> bool {
    ctx.any(|e| e.network.nat == Nat::PerAz)
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    let slots = ctx.az_slots();
    let allowed: Vec<String> = (1..=slots).map(|i| i.to_string()).collect();
    t.param(
        "AzCount",
        json!({"Type": "Number", "AllowedValues": allowed,
               "Description": "Availability zones the instances run in (public and private subnet in each)."}),
    );
    t.param(
        "VpcCidr",
        json!({"Type": "String", "AllowedPattern": CIDR_PATTERN, "Description": "The VPC's CIDR block."}),
    );
    for kind in ["Public", "Private"] {
        t.param(
            &format!("{kind}SubnetCidrs"),
            json!({"Type": "CommaDelimitedList",
                   "Description": format!("CIDR blocks of the {} subnets, one per AZ (at least two).", kind.to_lowercase())}),
        );
    }
    t.param(
        "FlowLogRetentionDays",
        json!({"Type": "Number", "Default": 365,
               "AllowedValues": [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
               "Description": "Retention of the VPC flow logs, days."}),
    );
    if any_nat(ctx) {
        t.param(
            "NatMode",
            json!({"Type": "String", "AllowedValues": ["none", "single", "per-az"],
                   "Description": "NAT gateways: none (no internet from private subnets), one shared, or one per AZ."}),
        );
        t.condition("HasNat", not(equals("NatMode", "none")));
        if any_nat_per_az(ctx) {
            t.condition("NatPerAz", equals("NatMode", "per-az"));
        }
    }
    for i in 2..=slots {
        // HasAz<i>: AzCount >= i.
        let c = not(equals("AzCount", &(i - 1).to_string()));
        let c = if i == 2 {
            not(equals("AzCount", "1"))
        } else {
            json!({"Fn::And": [{"Condition": format!("HasAz{}", i - 1)}, c]})
        };
        t.condition(&format!("HasAz{i}"), c);
    }

    t.resource(
        "Vpc",
        json!({"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": r("VpcCidr"), "EnableDnsHostnames": true, "EnableDnsSupport": true,
            "Tags": ctx.name_tags("vpc")}}),
    );
    t.resource(
        "InternetGateway",
        json!({"Type": "AWS::EC2::InternetGateway", "Properties": {"Tags": ctx.name_tags("igw")}}),
    );
    t.resource(
        "InternetGatewayAttachment",
        json!({"Type": "AWS::EC2::VPCGatewayAttachment",
               "Properties": {"VpcId": r("Vpc"), "InternetGatewayId": r("InternetGateway")}}),
    );
    t.resource(
        "PublicRouteTable",
        json!({"Type": "AWS::EC2::RouteTable",
               "Properties": {"VpcId": r("Vpc"), "Tags": ctx.name_tags("public")}}),
    );
    t.resource(
        "PublicDefaultRoute",
        json!({"Type": "AWS::EC2::Route", "DependsOn": "InternetGatewayAttachment",
               "Properties": {"RouteTableId": r("PublicRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
                              "GatewayId": r("InternetGateway")}}),
    );
    let mut private_tables = Vec::new();
    for i in 1..=slots {
        let cond = az_condition(i);
        let az = json!({"Fn::Select": [i - 1, {"Fn::GetAZs": ""}]});
        for kind in ["Public", "Private"] {
            let subnet = format!("{kind}Subnet{i}");
            let mut res = json!({"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": r("Vpc"), "CidrBlock": json!({"Fn::Select": [i - 1, r(&format!("{kind}SubnetCidrs"))]}),
                "AvailabilityZone": &az,
                "MapPublicIpOnLaunch": false,
                "Tags": ctx.name_tags(&format!("{}-{i}", kind.to_lowercase()))}});
            with_condition(&mut res, cond.as_deref());
            t.resource(&subnet, res);
        }
        let mut assoc = json!({"Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"SubnetId": r(&format!("PublicSubnet{i}")), "RouteTableId": r("PublicRouteTable")}});
        with_condition(&mut assoc, cond.as_deref());
        t.resource(&format!("PublicSubnet{i}RouteTableAssociation"), assoc);

        let table = format!("PrivateRouteTable{i}");
        let mut rt = json!({"Type": "AWS::EC2::RouteTable",
            "Properties": {"VpcId": r("Vpc"), "Tags": ctx.name_tags(&format!("private-{i}"))}});
        with_condition(&mut rt, cond.as_deref());
        t.resource(&table, rt);
        let mut assoc = json!({"Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"SubnetId": r(&format!("PrivateSubnet{i}")), "RouteTableId": r(&table)}});
        with_condition(&mut assoc, cond.as_deref());
        t.resource(&format!("PrivateSubnet{i}RouteTableAssociation"), assoc);
        private_tables.push(match &cond {
            Some(c) => iff(c, r(&table), no_value()),
            None => r(&table),
        });
    }
    if any_nat(ctx) {
        add_nat(ctx, t, slots);
    }
    t.resource(
        "S3GatewayEndpoint",
        json!({"Type": "AWS::EC2::VPCEndpoint", "Properties": {
            "VpcId": r("Vpc"), "VpcEndpointType": "Gateway",
            "ServiceName": sub("com.amazonaws.${AWS::Region}.s3"),
            "RouteTableIds": private_tables}}),
    );
    if ctx.any(|e| e.network.nat == Nat::None) {
        add_interface_endpoints(ctx, t);
    }
    add_flow_logs(ctx, t);
    t.output("VpcId", json!({"Description": "The VPC.", "Value": r("Vpc")}));
}

fn add_nat(ctx: &Ctx, t: &mut Template, slots: u8) {
    let per_az = any_nat_per_az(ctx);
    for i in 1..=slots {
        if i > 1 && !per_az {
            break;
        }
        let cond = if i == 1 {
            "HasNat".to_string()
        } else {
            let c = format!("HasNat{i}");
            t.condition(
                &c,
                json!({"Fn::And": [{"Condition": "NatPerAz"}, {"Condition": format!("HasAz{i}")}]}),
            );
            c
        };
        t.resource(
            &format!("NatEip{i}"),
            json!({"Type": "AWS::EC2::EIP", "Condition": &cond, "DependsOn": "InternetGatewayAttachment",
                   "Properties": {"Domain": "vpc", "Tags": ctx.name_tags(&format!("nat-{i}"))}}),
        );
        t.resource(
            &format!("NatGateway{i}"),
            json!({"Type": "AWS::EC2::NatGateway", "Condition": cond, "Properties": {
                "AllocationId": att(&format!("NatEip{i}"), "AllocationId"),
                "SubnetId": r(&format!("PublicSubnet{i}")),
                "Tags": ctx.name_tags(&format!("nat-{i}"))}}),
        );
    }
    for i in 1..=slots {
        let cond = match az_condition(i) {
            None => "HasNat".to_string(),
            Some(az) => {
                let c = format!("HasAz{i}Nat");
                t.condition(&c, json!({"Fn::And": [{"Condition": az}, {"Condition": "HasNat"}]}));
                c
            }
        };
        let nat = if i > 1 && per_az {
            iff(&format!("HasNat{i}"), r(&format!("NatGateway{i}")), r("NatGateway1"))
        } else {
            r("NatGateway1")
        };
        t.resource(
            &format!("PrivateDefaultRoute{i}"),
            json!({"Type": "AWS::EC2::Route", "Condition": cond, "Properties": {
                "RouteTableId": r(&format!("PrivateRouteTable{i}")), "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": nat}}),
        );
    }
}

/// The AWS services the instances must reach without a NAT gateway: the CodeDeploy agent polls
/// `codedeploy` and `codedeploy-commands-secure` (S3, for the agent and revisions, goes through
/// the gateway endpoint).
pub const PRIVATE_ENDPOINT_SERVICES: [&str; 2] = ["codedeploy", "codedeploy-commands-secure"];

/// Interface endpoints for environments without NAT (condition `NoNat`).
fn add_interface_endpoints(ctx: &Ctx, t: &mut Template) {
    let no_nat = if any_nat(ctx) {
        t.condition("NoNat", equals("NatMode", "none"));
        Some("NoNat")
    } else {
        None
    };
    let mut sg = json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "VPC interface endpoints: HTTPS from the VPC",
        "VpcId": r("Vpc"),
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": r("VpcCidr"),
                                  "Description": "HTTPS from the VPC"}],
        "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32",
                                 "Description": "No outbound traffic (placeholder rule replacing the default allow-all)"}],
        "Tags": ctx.name_tags("endpoints")}});
    with_condition(&mut sg, no_nat);
    t.resource("EndpointSecurityGroup", sg);
    for service in PRIVATE_ENDPOINT_SERVICES {
        let mut ep = json!({"Type": "AWS::EC2::VPCEndpoint", "Properties": {
            "VpcId": r("Vpc"), "VpcEndpointType": "Interface",
            "ServiceName": sub(&format!("com.amazonaws.${{AWS::Region}}.{service}")),
            "PrivateDnsEnabled": true,
            "SubnetIds": instance_subnets(ctx, "PrivateSubnet"),
            "SecurityGroupIds": [r("EndpointSecurityGroup")]}});
        with_condition(&mut ep, no_nat);
        t.resource(&naming::logical_id(&[service, "endpoint"]), ep);
    }
}

fn add_flow_logs(ctx: &Ctx, t: &mut Template) {
    t.resource(
        "FlowLogGroup",
        json!({"Type": "AWS::Logs::LogGroup",
               "Metadata": checkov_skip(&[("CKV_AWS_158", "Flow log records hold connection metadata only, no payload; CloudWatch Logs encrypts them at rest with AWS-owned keys. A customer-managed KMS key per environment is left to the account's baseline.")]),
               "Properties": {"RetentionInDays": r("FlowLogRetentionDays")}}),
    );
    t.resource(
        "FlowLogRole",
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": r("AWS::AccountId")}}}]},
            "Policies": [{"PolicyName": "flow-logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": att("FlowLogGroup", "Arn")}]}}],
            "Tags": ctx.name_tags("flow-logs")}}),
    );
    t.resource(
        "FlowLog",
        json!({"Type": "AWS::EC2::FlowLog", "Properties": {
            "ResourceId": r("Vpc"), "ResourceType": "VPC", "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs", "LogGroupName": r("FlowLogGroup"),
            "DeliverLogsPermissionArn": att("FlowLogRole", "Arn")}}),
    );
}

/// Adds `"Condition": c` to a resource when `c` is given.
pub fn with_condition(resource: &mut Value, c: Option<&str>) {
    if let (Some(c), Some(obj)) = (c, resource.as_object_mut()) {
        let mut out = serde_json::Map::new();
        out.insert("Type".into(), obj.shift_remove("Type").unwrap_or(Value::Null));
        out.insert("Condition".into(), json!(c));
        out.append(obj);
        *obj = out;
    }
}

const CIDR_PATTERN: &str = r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$";

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    let n = &env.network;
    v.push(("AzCount".into(), n.azs.to_string()));
    v.push(("VpcCidr".into(), n.cidr.to_string()));
    let list = |cidrs: &[Cidr]| cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    v.push(("PublicSubnetCidrs".into(), list(&n.public_subnets)));
    v.push(("PrivateSubnetCidrs".into(), list(&n.private_subnets)));
    v.push(("FlowLogRetentionDays".into(), if env.protected { "365" } else { "30" }.into()));
    if any_nat(ctx) {
        let mode = match n.nat {
            Nat::None => "none",
            Nat::Single => "single",
            Nat::PerAz => "per-az",
        };
        v.push(("NatMode".into(), mode.into()));
    }
}
