//! How a release reaches the service, all inside the CloudFormation update of the environment
//! stack (docs/targets.md): `DeploymentConfiguration.Strategy` `ROLLING` with the deployment
//! circuit breaker (and rollback), or `BLUE_GREEN`, `CANARY` and `LINEAR`, which shift traffic
//! from the service's target group to a second one through the production listener rule, after
//! a test listener rule (on a listener open to the VPC only), with a bake time; CloudWatch
//! alarms roll a release back. CloudFormation waits for the deployment and fails when ECS rolls
//! back, and with it the pipeline's action.

use super::CONTAINER;
use crate::codegen::infra::load_balancer::any_https;
use crate::codegen::infra::{
    att, bool_param, bool_str, equals, iff, no_value, not, r, sub, Ctx, Template, Values,
};
use crate::codegen::json::json;
use crate::codegen::targets::ec2::deployment::{add_alarm_resources, alarm_slots};
use crate::ir::{EcsDeploy, Env, Metric, Shift, Strategy};
use serde_json::Value;

/// The listener rule that sends production traffic to the service (logical ID).
pub const PRODUCTION_RULE: &str = "ProductionListenerRule";

/// The load balancer's port of the test listener (traffic shifting strategies).
pub const TEST_PORT: u16 = 9080;

/// ECS's strategy of an environment; an environment that writes none (the EC2 default
/// `in_place` remains in the IR) rolls. The checker rejects a written `in_place` for ECS.
pub fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::BlueGreen(bg) => match bg.shift {
            Shift::AllAtOnce => "BLUE_GREEN",
            Shift::Canary { .. } => "CANARY",
            Shift::Linear { .. } => "LINEAR",
        },
        _ => "ROLLING",
    }
}

/// The strategies of the app's environments, in a fixed order.
fn strategies(ctx: &Ctx) -> Vec<&'static str> {
    ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"]
        .into_iter()
        .filter(|s| ctx.any(|e| strategy_name(e.strategy) == *s))
        .collect()
}

/// Whether some environment shifts traffic (blue/green, canary or linear).
pub fn any_shifting(ctx: &Ctx) -> bool {
    strategies(ctx).iter().any(|s| *s != "ROLLING")
}

/// `value` where the strategy is one of `which`: as is when every environment's is, under
/// `condition` when some are, `None` when none is.
fn when(ctx: &Ctx, which: &[&str], condition: &str, value: Value) -> Option<Value> {
    let all = strategies(ctx);
    let n = all.iter().filter(|s| which.contains(s)).count();
    if n == 0 {
        None
    } else if n == all.len() {
        Some(value)
    } else {
        Some(iff(condition, value, no_value()))
    }
}

/// The service's `DeploymentConfiguration`.
pub fn deployment_configuration(ctx: &Ctx) -> Value {
    let all = strategies(ctx);
    let mut c = serde_json::Map::new();
    c.insert("Strategy".into(), if all.len() == 1 { json!(all[0]) } else { r("DeploymentStrategy") });
    c.insert("MaximumPercent".into(), json!(200));
    let rolling = ["ROLLING"];
    let shifting = ["BLUE_GREEN", "CANARY", "LINEAR"];
    let breaker = json!({"Enable": true, "Rollback": iff("RollbackOnFailure", json!(true), json!(false))});
    if let Some(v) = when(ctx, &rolling, "Rolls", r("MinHealthyPercent")) {
        c.insert("MinimumHealthyPercent".into(), v);
    }
    if let Some(v) = when(ctx, &rolling, "Rolls", breaker) {
        c.insert("DeploymentCircuitBreaker".into(), v);
    }
    if let Some(v) = when(ctx, &shifting, "Shifts", r("BakeTime")) {
        c.insert("BakeTimeInMinutes".into(), v);
    }
    let canary = json!({"CanaryPercent": r("CanaryPercent"), "CanaryBakeTimeInMinutes": r("CanaryInterval")});
    if let Some(v) = when(ctx, &["CANARY"], "IsCanary", canary) {
        c.insert("CanaryConfiguration".into(), v);
    }
    let linear = json!({"StepPercent": r("LinearPercent"), "StepBakeTimeInMinutes": r("LinearInterval")});
    if let Some(v) = when(ctx, &["LINEAR"], "IsLinear", linear) {
        c.insert("LinearConfiguration".into(), v);
    }
    let slots = alarm_slots(ctx);
    if !slots.is_empty() {
        let names: Vec<Value> =
            slots.iter().map(|s| iff(&format!("{}RollsBack", s.id), r(&s.id), no_value())).collect();
        c.insert(
            "Alarms".into(),
            iff(
                "RollbackOnAlarms",
                json!({"AlarmNames": names, "Enable": true, "Rollback": true}),
                no_value(),
            ),
        );
    }
    serde_json::Value::Object(c)
}

/// The service's one load balancer entry: the target group, and with traffic shifting the
/// second one, the listener rules and the role ECS shifts them with.
pub fn load_balancer(ctx: &Ctx, d: &EcsDeploy) -> Value {
    let mut lb =
        json!({"ContainerName": CONTAINER, "ContainerPort": d.port, "TargetGroupArn": r("TargetGroup")});
    let advanced = json!({
        "AlternateTargetGroupArn": r("AlternateTargetGroup"),
        "ProductionListenerRule": r(PRODUCTION_RULE),
        "TestListenerRule": r("TestListenerRule"),
        "RoleArn": att("LoadBalancerShiftRole", "Arn")});
    if let Some(v) = when(ctx, &["BLUE_GREEN", "CANARY", "LINEAR"], "Shifts", advanced) {
        lb["AdvancedConfiguration"] = v;
    }
    lb
}

/// The forward action of a listener rule: the service's target group, and the second one at
/// weight 0 when some environment shifts traffic (ECS changes the weights during a release).
fn forward(ctx: &Ctx) -> Value {
    if any_shifting(ctx) {
        json!([{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": r("TargetGroup"), "Weight": 100},
            {"TargetGroupArn": r("AlternateTargetGroup"), "Weight": 0}]}}])
    } else {
        json!([{"Type": "forward", "TargetGroupArn": r("TargetGroup")}])
    }
}

fn dimensions(ctx: &Ctx, m: Metric) -> (&'static str, Value) {
    let lb = json!({"Name": "LoadBalancer", "Value": att("LoadBalancer", "LoadBalancerFullName")});
    let tg = json!({"Name": "TargetGroup", "Value": att("TargetGroup", "TargetGroupFullName")});
    match m {
        // The whole load balancer: a traffic-shifting release moves the service between two
        // target groups.
        Metric::Elb5xx | Metric::Target5xx | Metric::Latency => ("AWS/ApplicationELB", json!([lb])),
        Metric::UnhealthyHosts => ("AWS/ApplicationELB", json!([lb, tg])),
        // By name: the service's rollback alarms are in its own configuration.
        Metric::Cpu => (
            "AWS/ECS",
            json!([{"Name": "ClusterName", "Value": ctx.name("")}, {"Name": "ServiceName", "Value": ctx.name("")}]),
        ),
        // A function's metric, refused for ECS apps (PF5041).
        Metric::Errors => ("AWS/Lambda", json!([])),
    }
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    let all = strategies(ctx);
    if all.len() > 1 {
        t.param(
            "DeploymentStrategy",
            json!({"Type": "String", "AllowedValues": &all, "Description": "How a release replaces the tasks (ECS's deployment strategy)."}),
        );
        t.condition("Rolls", equals("DeploymentStrategy", "ROLLING"));
        t.condition("Shifts", not(json!({"Condition": "Rolls"})));
        if all.contains(&"CANARY") {
            t.condition("IsCanary", equals("DeploymentStrategy", "CANARY"));
        }
        if all.contains(&"LINEAR") {
            t.condition("IsLinear", equals("DeploymentStrategy", "LINEAR"));
        }
    }
    let number = |t: &mut Template, name: &str, min: u32, max: u32, description: &str| {
        t.param(
            name,
            json!({"Type": "Number", "MinValue": min, "MaxValue": max, "Description": description}),
        );
    };
    if all.contains(&"ROLLING") {
        // Traffic-shifting releases always roll a failure back (ECS has no switch for it).
        t.param(
            "RollbackOnFailure",
            bool_param("Roll back a release whose tasks do not become healthy (the circuit breaker)."),
        );
        t.condition("RollbackOnFailure", equals("RollbackOnFailure", "true"));
        number(
            t,
            "MinHealthyPercent",
            0,
            100,
            "Tasks kept running during a rolling release, percent of the desired count.",
        );
    }
    if any_shifting(ctx) {
        number(t, "BakeTime", 0, 1440, "Minutes the old tasks stay after the traffic moved.");
    }
    if all.contains(&"CANARY") {
        number(t, "CanaryPercent", 1, 100, "Percent of the traffic the canary gets first.");
        number(t, "CanaryInterval", 0, 1440, "Minutes the canary runs before all the traffic moves.");
    }
    if all.contains(&"LINEAR") {
        number(t, "LinearPercent", 3, 100, "Percent of the traffic moved at each step.");
        number(t, "LinearInterval", 0, 1440, "Minutes between two steps.");
    }
    let listener = if any_https(ctx) {
        iff("HasHttps", r("HttpsListener"), r("HttpListener"))
    } else {
        r("HttpListener")
    };
    t.resource(
        PRODUCTION_RULE,
        json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
            "ListenerArn": listener, "Priority": 1,
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
            "Actions": forward(ctx)}}),
    );
    if any_shifting(ctx) {
        // An ECS app is always behind the load balancer, with a health check.
        let Some(backend) = crate::codegen::targets::backend(ctx.app) else { return };
        let Some(hc) = backend.health_check else { return };
        t.resource(
            "AlternateTargetGroup",
            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "VpcId": r("Vpc"), "TargetType": backend.target_type, "Protocol": "HTTP", "Port": backend.port,
                "HealthCheckProtocol": "HTTP", "HealthCheckPath": &hc.path,
                "HealthCheckIntervalSeconds": hc.interval_seconds,
                "HealthCheckTimeoutSeconds": hc.interval_seconds.saturating_sub(1).clamp(2, 5),
                "HealthyThresholdCount": hc.healthy_threshold,
                "UnhealthyThresholdCount": 2,
                "Matcher": {"HttpCode": "200-399"},
                "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
                "Tags": ctx.name_tags("app-next")}}),
        );
        t.resource(
            "LoadBalancerTestIngress",
            json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": r("LoadBalancerSecurityGroup"), "IpProtocol": "tcp", "FromPort": TEST_PORT, "ToPort": TEST_PORT,
                "CidrIp": r("VpcCidr"), "Description": "The test listener, from inside the VPC only"}}),
        );
        t.resource(
            "TestListener",
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener",
                   "Metadata": crate::codegen::infra::checkov_skip(&[
                       ("CKV_AWS_2", "The test listener of traffic-shifting releases is reachable from inside the VPC only (its security group rule); it carries no production traffic."),
                       ("CKV_AWS_103", "Plain HTTP test listener, reachable from inside the VPC only: no TLS to configure.")]),
                   "Properties": {
                "LoadBalancerArn": r("LoadBalancer"), "Port": TEST_PORT, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": r("TargetGroup")}]}}),
        );
        t.resource(
            "TestListenerRule",
            json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
                "ListenerArn": r("TestListener"), "Priority": 1,
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
                "Actions": forward(ctx)}}),
        );
        t.resource(
            "LoadBalancerShiftRole",
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "Description": "ECS: shifts the listener rules' traffic between the two target groups during a release",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers")],
                "Tags": ctx.name_tags("shift")}}),
        );
        t.output(
            "TestUrl",
            json!({"Description": "The test listener (inside the VPC): the new tasks before they get traffic.",
                   "Value": sub(&format!("http://${{LoadBalancer.DNSName}}:{TEST_PORT}"))}),
        );
    }
    let slots = alarm_slots(ctx);
    if !slots.is_empty() {
        t.param("RollbackOnAlarms", bool_param("Roll back a release when one of its rollback alarms fires."));
        t.condition("RollbackOnAlarms", equals("RollbackOnAlarms", "true"));
    }
    add_alarm_resources(ctx, t, &slots, "releases", &|m| dimensions(ctx, m));
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    let all = strategies(ctx);
    if all.len() > 1 {
        v.push(("DeploymentStrategy".into(), strategy_name(env.strategy).into()));
    }
    // ECS counts its intervals and bake time in whole minutes: a wait is rounded up.
    let minutes = |seconds: u32| seconds.div_ceil(60);
    let (min_healthy, bake, canary, linear) = match env.strategy {
        Strategy::Rolling(r) => (r.min_healthy, 0, (10, 5), (10, 1)),
        Strategy::BlueGreen(bg) => {
            let bake = minutes(bg.bake_seconds);
            match bg.shift {
                Shift::AllAtOnce => (100, bake, (10, 5), (10, 1)),
                Shift::Canary { percent, wait_seconds } => {
                    (100, bake, (percent, minutes(wait_seconds)), (10, 1))
                }
                Shift::Linear { percent, wait_seconds } => {
                    (100, bake, (10, 5), (percent, minutes(wait_seconds)))
                }
            }
        }
        _ => (100, 0, (10, 5), (10, 1)),
    };
    if all.contains(&"ROLLING") {
        v.push(("RollbackOnFailure".into(), bool_str(env.rollback.on_failure)));
        v.push(("MinHealthyPercent".into(), min_healthy.to_string()));
    }
    if any_shifting(ctx) {
        v.push(("BakeTime".into(), bake.to_string()));
    }
    if all.contains(&"CANARY") {
        v.push(("CanaryPercent".into(), canary.0.to_string()));
        v.push(("CanaryInterval".into(), canary.1.to_string()));
    }
    if all.contains(&"LINEAR") {
        v.push(("LinearPercent".into(), linear.0.to_string()));
        v.push(("LinearInterval".into(), linear.1.to_string()));
    }
    let slots = alarm_slots(ctx);
    if !slots.is_empty() {
        v.push(("RollbackOnAlarms".into(), bool_str(!env.rollback.on_alarms.is_empty())));
    }
    for s in &slots {
        let Some(a) = env.alarms.iter().find(|a| a.name == s.alarm.name && a.metric == s.alarm.metric) else {
            v.push((format!("{}Mode", s.id), "disabled".into()));
            continue;
        };
        let mode = if env.rollback.on_alarms.contains(&a.name) { "rollback" } else { "enabled" };
        v.push((format!("{}Mode", s.id), mode.into()));
        v.push((format!("{}Threshold", s.id), a.threshold.to_string()));
        v.push((format!("{}Period", s.id), a.period_seconds.to_string()));
        v.push((format!("{}EvaluationPeriods", s.id), a.evaluation_periods.to_string()));
    }
}
