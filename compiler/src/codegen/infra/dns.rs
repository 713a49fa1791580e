//! The Route53 alias record of the environments with a DNS name (condition `HasDns`), and the
//! `Url` output the pipeline's test actions read.

use super::load_balancer::any_https;
use super::{att, equals, iff, not, r, sub, Ctx, Template, Values};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::Env;

/// Whether any environment has a DNS name.
pub fn any(ctx: &Ctx) -> bool {
    ctx.any(|e| e.dns.is_some())
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    let alb_url = sub("http://${LoadBalancer.DNSName}");
    if !any(ctx) {
        t.output(naming::env_url_output(), json!({"Description": "The app's URL.", "Value": alb_url}));
        return;
    }
    t.param(
        "DnsZoneName",
        json!({"Type": "String", "Default": "", "Description": "The Route53 hosted zone, with its trailing dot (example.com.); empty for none."}),
    );
    t.param(
        "DnsRecordName",
        json!({"Type": "String", "Default": "", "Description": "The app's fully qualified name (www.example.com)."}),
    );
    t.condition("HasDns", not(equals("DnsZoneName", "")));
    t.resource(
        "DnsRecord",
        json!({"Type": "AWS::Route53::RecordSet", "Condition": "HasDns", "Properties": {
            "HostedZoneName": r("DnsZoneName"), "Name": r("DnsRecordName"), "Type": "A",
            "AliasTarget": {"DNSName": att("LoadBalancer", "DNSName"),
                            "HostedZoneId": att("LoadBalancer", "CanonicalHostedZoneID"),
                            "EvaluateTargetHealth": true}}}),
    );
    let dns_url = if any_https(ctx) {
        iff("HasHttps", sub("https://${DnsRecordName}"), sub("http://${DnsRecordName}"))
    } else {
        sub("http://${DnsRecordName}")
    };
    t.output(
        naming::env_url_output(),
        json!({"Description": "The app's URL.", "Value": iff("HasDns", dns_url, alb_url)}),
    );
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    if !any(ctx) {
        return;
    }
    match &env.dns {
        Some(d) => {
            v.push(("DnsZoneName".into(), format!("{}.", d.zone.trim_end_matches('.'))));
            v.push(("DnsRecordName".into(), d.fqdn()));
        }
        None => {
            v.push(("DnsZoneName".into(), String::new()));
            v.push(("DnsRecordName".into(), String::new()));
        }
    }
}
