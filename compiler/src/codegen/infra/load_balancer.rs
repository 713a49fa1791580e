//! The internet-facing Application Load Balancer, its security group, the app's target group and
//! the listeners: HTTP forwarding, or, when the environment has a certificate, HTTPS (TLS 1.3/1.2
//! policy) with HTTP redirecting to it.

use super::network::{all_subnets, with_condition};
use super::{checkov_skip, equals, not, r, resolved_text, text_params, text_values};
use super::{Ctx, Template, Values};
use crate::codegen::json::json;
use crate::ir::Env;

/// The TLS policy of the HTTPS listener.
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Whether any environment serves HTTPS (then the template has the `HasHttps` condition).
pub fn any_https(ctx: &Ctx) -> bool {
    ctx.any(|e| e.dns.as_ref().is_some_and(|d| d.certificate.is_some()))
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    let Some(backend) = crate::codegen::targets::backend(ctx.app) else { return };
    let port = backend.port;
    let lambda = backend.target_type == "lambda";
    let https = any_https(ctx);
    if https {
        text_params(
            t,
            "Certificate",
            "CertificateArn",
            "the ACM certificate ARN of the HTTPS listener",
            &["none", "plain", "ssm", "secretsmanager"],
            None,
        );
        t.condition("HasHttps", not(equals("CertificateSource", "none")));
        t.condition("CertificateFromSsm", equals("CertificateSource", "ssm"));
        t.condition("CertificateFromSecret", equals("CertificateSource", "secretsmanager"));
    }
    let ingress = vec![json!({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0",
                              "Description": "HTTP from the internet (redirected to HTTPS when the environment has a certificate)"})];
    if https {
        t.resource(
            "LoadBalancerHttpsIngress",
            json!({"Type": "AWS::EC2::SecurityGroupIngress", "Condition": "HasHttps", "Properties": {
                "GroupId": r("LoadBalancerSecurityGroup"), "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "CidrIp": "0.0.0.0/0", "Description": "HTTPS from the internet"}}),
        );
    }
    // A `lambda` target is invoked through the Lambda service, not the VPC: no egress at all.
    let egress = if lambda {
        json!([{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32", "Description": "No outbound traffic: the load balancer invokes the function through Lambda"}])
    } else {
        json!([{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": r("VpcCidr"),
                "Description": if backend.target_type == "ip" { "To the app's tasks" } else { "To the app's instances" }}])
    };
    t.resource(
        "LoadBalancerSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup",
               "Metadata": checkov_skip(&[("CKV_AWS_260", "Internet-facing load balancer: port 80 must be open to the world; it only forwards to the app (or redirects to HTTPS when the environment has a certificate).")]),
               "Properties": {
            "GroupDescription": "Load balancer: HTTP(S) from the internet, to the app port in the VPC",
            "VpcId": r("Vpc"),
            "SecurityGroupIngress": ingress,
            "SecurityGroupEgress": egress,
            "Tags": ctx.name_tags("alb")}}),
    );
    let skips = [(
        "CKV_AWS_91",
        "Access logs need a dedicated log bucket with its own policy; pf does not create account-level log buckets. VPC flow logs are on, and the load balancer's CloudWatch metrics drive the alarms.",
    )];
    t.resource(
        "LoadBalancer",
        json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
               "Metadata": checkov_skip(&skips),
               "Properties": {
            "Type": "application", "Scheme": "internet-facing", "IpAddressType": "ipv4",
            "Subnets": all_subnets(ctx, "PublicSubnet"),
            "SecurityGroups": [r("LoadBalancerSecurityGroup")],
            "LoadBalancerAttributes": [
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                {"Key": "deletion_protection.enabled", "Value": r("Protected")}],
            "Tags": ctx.name_tags("alb")}}),
    );
    t.resource("TargetGroup", target_group(ctx, &backend, "app"));
    let forward = json!([crate::codegen::targets::forward(ctx, t, &|t, id, suffix| {
        t.resource(id, target_group(ctx, &backend, suffix))
    })]);
    let mut http = json!({"Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Metadata": checkov_skip(&[("CKV_AWS_2", "Environments without a certificate (no DNS name) serve plain HTTP; with a certificate pf emits an HTTPS listener and an HTTP redirect instead of this one."),
                                   ("CKV_AWS_103", "Plain HTTP listener of environments without a certificate: no TLS to configure.")]),
        "Properties": {"LoadBalancerArn": r("LoadBalancer"), "Port": 80, "Protocol": "HTTP", "DefaultActions": &forward}});
    if https {
        with_condition(&mut http, Some("NoHttps"));
        t.condition("NoHttps", not(json!({"Condition": "HasHttps"})));
        t.resource("HttpListener", http);
        t.resource(
            "HttpsListener",
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Condition": "HasHttps", "Properties": {
                "LoadBalancerArn": r("LoadBalancer"), "Port": 443, "Protocol": "HTTPS", "SslPolicy": SSL_POLICY,
                "Certificates": [{"CertificateArn": resolved_text("CertificateArn", "ssm", "CertificateFromSsm", Some("CertificateFromSecret"), r("CertificateArn"))}],
                "DefaultActions": forward}}),
        );
        t.resource(
            "HttpRedirectListener",
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Condition": "HasHttps", "Properties": {
                "LoadBalancerArn": r("LoadBalancer"), "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "redirect", "RedirectConfig": {
                    "Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}",
                    "Query": "#{query}", "StatusCode": "HTTP_301"}}]}}),
        );
    } else {
        t.resource("HttpListener", http);
    }
    t.output(
        "LoadBalancerDnsName",
        json!({"Description": "The load balancer's DNS name.", "Value": super::att("LoadBalancer", "DNSName")}),
    );
}

/// A target group of the app's backend; `suffix` names it (`app`, or a second fleet's).
fn target_group(ctx: &Ctx, backend: &crate::codegen::targets::Backend, suffix: &str) -> serde_json::Value {
    let check = |hc: &crate::ir::HealthCheck| {
        json!({"HealthCheckPath": &hc.path,
               "HealthCheckIntervalSeconds": hc.interval_seconds,
               "HealthCheckTimeoutSeconds": hc.interval_seconds.saturating_sub(1).clamp(2, 5),
               "HealthyThresholdCount": hc.healthy_threshold,
               "UnhealthyThresholdCount": 2,
               "Matcher": {"HttpCode": "200-399"}})
    };
    let checks = backend.health_check.map(check).unwrap_or_default();
    let lambda = backend.target_type == "lambda";
    let mut group = if lambda {
        // A `lambda` target has no port or protocol; it is checked only when a path is given.
        json!({"TargetType": "lambda", "HealthCheckEnabled": backend.health_check.is_some()})
    } else {
        json!({"VpcId": r("Vpc"), "TargetType": backend.target_type, "Protocol": "HTTP", "Port": backend.port,
               "HealthCheckProtocol": "HTTP"})
    };
    for (k, v) in checks.as_object().into_iter().flatten() {
        group[k] = v.clone();
    }
    if !lambda {
        group["TargetGroupAttributes"] =
            json!([{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]);
    }
    group["Tags"] = ctx.name_tags(suffix);
    json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": group})
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    if any_https(ctx) {
        let cert = env.dns.as_ref().and_then(|d| d.certificate.as_ref());
        text_values(v, "Certificate", "CertificateArn", cert, "plain");
    }
}
