//! The ElastiCache Redis replication group of the environments that declare one (condition
//! `HasCache`): private subnets, open to the app on 6379 only, encrypted at rest and in transit.

use super::network::all_subnets;
use super::{bool_param, bool_str, checkov_skip, equals, iff, not, r, Ctx, Template, Values};
use crate::codegen::json::json;
use crate::ir::Env;

/// The logical ID of the cache (the stack policy of protected environments names it).
pub const CACHE: &str = "Cache";

/// Whether any environment of the app has a cache.
pub fn any(ctx: &Ctx) -> bool {
    ctx.any(|e| e.cache.is_some())
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    if !any(ctx) {
        return;
    }
    let first = ctx.envs.iter().find_map(|e| e.cache.as_ref()).expect("a cache");
    t.param("HasCache", bool_param("Whether the environment has a Redis cache."));
    t.param(
        "CacheNodeType",
        json!({"Type": "String", "Default": &first.node, "Description": "The cache node type."}),
    );
    t.param("CacheNodes", json!({"Type": "Number", "Default": first.nodes, "MinValue": 1, "MaxValue": 6, "Description": "Nodes (a primary and replicas)."}));
    t.param(
        "CacheEngineVersion",
        json!({"Type": "String", "Default": &first.version, "Description": "The Redis version."}),
    );
    t.condition("HasCache", equals("HasCache", "true"));
    t.condition("CacheHasReplicas", not(equals("CacheNodes", "1")));
    t.resource(
        "CacheSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup", "Condition": "HasCache", "Properties": {
            "GroupDescription": "Cache: Redis from the app instances only",
            "VpcId": r("Vpc"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379,
                "SourceSecurityGroupId": r("AppSecurityGroup"), "Description": "Redis from the app"}],
            "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32",
                "Description": "No outbound traffic (placeholder rule replacing the default allow-all)"}],
            "Tags": ctx.name_tags("cache")}}),
    );
    t.resource(
        "CacheSubnetGroup",
        json!({"Type": "AWS::ElastiCache::SubnetGroup", "Condition": "HasCache", "Properties": {
            "Description": format!("Private subnets of the {} cache", ctx.app.name),
            "SubnetIds": all_subnets(ctx, "PrivateSubnet")}}),
    );
    t.resource(
        CACHE,
        json!({"Type": "AWS::ElastiCache::ReplicationGroup", "Condition": "HasCache",
               "Metadata": checkov_skip(&[("CKV_AWS_31", "Redis AUTH needs a token the app must be given; pf does not manage it yet. The cache is reachable only from the app's security group in private subnets, with TLS in transit.")]),
               "Properties": {
            "ReplicationGroupDescription": ctx.name("cache"),
            "Engine": "redis", "EngineVersion": r("CacheEngineVersion"),
            "CacheNodeType": r("CacheNodeType"), "NumCacheClusters": r("CacheNodes"),
            "AutomaticFailoverEnabled": iff("CacheHasReplicas", json!(true), json!(false)),
            "MultiAZEnabled": iff("CacheHasReplicas", json!(true), json!(false)),
            "AtRestEncryptionEnabled": true, "TransitEncryptionEnabled": true,
            "CacheSubnetGroupName": r("CacheSubnetGroup"),
            "SecurityGroupIds": [r("CacheSecurityGroup")],
            "SnapshotRetentionLimit": 1,
            "AutoMinorVersionUpgrade": true,
            "Tags": ctx.name_tags("cache")}}),
    );
    t.output(
        "CacheEndpoint",
        json!({"Condition": "HasCache", "Description": "The cache's primary endpoint.",
               "Value": super::att(CACHE, "PrimaryEndPoint.Address")}),
    );
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    if !any(ctx) {
        return;
    }
    v.push(("HasCache".into(), bool_str(env.cache.is_some())));
    if let Some(c) = &env.cache {
        v.push(("CacheNodeType".into(), c.node.clone()));
        v.push(("CacheNodes".into(), c.nodes.to_string()));
        v.push(("CacheEngineVersion".into(), c.version.clone()));
    }
}
