//! The CodeDeploy side of an environment: the deployment group (in place, with traffic control
//! through the target group), its service role, a custom deployment configuration for the
//! minimum-healthy-hosts strategies, CloudWatch alarms and automatic rollback.

use super::release;
use crate::codegen::infra::{
    att, bool_param, bool_str, equals, iff, no_value, not, r, sub, Ctx, Template, Values,
};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{Alarm, App, Env, Metric, ReleaseKind, Strategy};
use serde_json::Value;

/// An alarm of the union of the app's environments: its logical ID and first definition.
pub struct AlarmSlot<'a> {
    pub id: String,
    pub alarm: &'a Alarm,
}

/// The alarms of every environment, one slot per (name, metric).
pub fn alarm_slots<'a>(ctx: &Ctx<'a>) -> Vec<AlarmSlot<'a>> {
    let mut slots: Vec<AlarmSlot<'a>> = Vec::new();
    for env in &ctx.envs {
        for alarm in &env.alarms {
            if slots.iter().any(|s| s.alarm.name == alarm.name && s.alarm.metric == alarm.metric) {
                continue;
            }
            let clash = slots.iter().any(|s| s.alarm.name == alarm.name);
            let id = if clash {
                naming::logical_id(&["alarm", &alarm.name, metric_name(alarm.metric).0])
            } else {
                naming::logical_id(&["alarm", &alarm.name])
            };
            slots.push(AlarmSlot { id, alarm });
        }
    }
    slots
}

/// The CloudWatch metric name and statistic of a metric (see [`Metric`]).
pub fn metric_name(m: Metric) -> (&'static str, &'static str) {
    match m {
        Metric::Target5xx => ("HTTPCode_Target_5XX_Count", "Sum"),
        Metric::Elb5xx => ("HTTPCode_ELB_5XX_Count", "Sum"),
        Metric::Latency => ("TargetResponseTime", "Average"),
        Metric::Cpu => ("CPUUtilization", "Average"),
        Metric::UnhealthyHosts => ("UnHealthyHostCount", "Maximum"),
        Metric::Errors => ("Errors", "Sum"),
    }
}

/// The alarm's namespace and dimensions. Blue/green environments watch the load balancer as a
/// whole (both colours, whichever is new), others the one target group.
fn dimensions(ctx: &Ctx, m: Metric) -> (&'static str, Value) {
    let lb = json!({"Name": "LoadBalancer", "Value": att("LoadBalancer", "LoadBalancerFullName")});
    let tg = json!({"Name": "TargetGroup", "Value": att("TargetGroup", "TargetGroupFullName")});
    match m {
        Metric::Elb5xx => ("AWS/ApplicationELB", json!([lb])),
        Metric::Target5xx | Metric::Latency => (
            "AWS/ApplicationELB",
            release::when(ctx, ReleaseKind::BlueGreen, json!([lb.clone()]), json!([lb, tg])),
        ),
        Metric::UnhealthyHosts => ("AWS/ApplicationELB", json!([lb, tg])),
        Metric::Cpu => ("AWS/EC2", json!([{"Name": "AutoScalingGroupName", "Value": r("AutoScalingGroup")}])),
        // A function's metric, refused for EC2 apps (PF5041).
        Metric::Errors => ("AWS/Lambda", json!([])),
    }
}

/// Whether `env` is released by CodeDeploy (in place).
fn in_place(env: &Env) -> bool {
    env.strategy.kind() == ReleaseKind::InPlace
}

fn any_custom(ctx: &Ctx) -> bool {
    ctx.any(|e| matches!(e.strategy, Strategy::MinHealthyPercent(_) | Strategy::MinHealthyHosts(_)))
}

/// Whether some environment deploys with a predefined configuration. When none does, the
/// template has no `DeploymentConfig` parameter (it could only be `custom`, and a condition on
/// it would always hold: cfn-lint W1028) and the custom configuration is unconditional.
fn any_predefined(ctx: &Ctx) -> bool {
    ctx.any(|e| e.strategy.predefined().is_some())
}

/// The configurations of the in-place environments, each once (`custom` for a minimum of
/// healthy hosts).
fn configs(ctx: &Ctx) -> Vec<&'static str> {
    let mut configs: Vec<&str> = Vec::new();
    for e in ctx.envs.iter().filter(|e| in_place(e)) {
        let c = e.strategy.predefined().unwrap_or("custom");
        if !configs.contains(&c) {
            configs.push(c);
        }
    }
    configs
}

/// The alarms (and their rollback parameters), which every strategy uses, then CodeDeploy's
/// resources when some environment deploys in place.
pub fn add(ctx: &Ctx, t: &mut Template) {
    let slots = alarm_slots(ctx);
    let Some(in_place_condition) = release::condition(ctx, ReleaseKind::InPlace) else {
        add_alarms(ctx, t, &slots);
        return;
    };
    let conditional = |mut resource: Value| {
        if let Some(c) = in_place_condition {
            resource["Condition"] = json!(c);
        }
        resource
    };
    let custom = any_custom(ctx);
    let predefined = any_predefined(ctx);
    if predefined {
        let mut configs: Vec<&str> = Vec::new();
        for c in self::configs(ctx) {
            if !configs.contains(&c) {
                configs.push(c);
            }
        }
        t.param(
            "DeploymentConfig",
            json!({"Type": "String", "AllowedValues": configs,
                   "Description": "A predefined CodeDeploy configuration, or custom (MinHealthyHosts*)."}),
        );
    }
    if custom {
        t.param(
            "MinHealthyHostsType",
            json!({"Type": "String", "AllowedValues": ["FLEET_PERCENT", "HOST_COUNT"], "Default": "FLEET_PERCENT",
                   "Description": "The custom configuration's minimum of healthy hosts: percent of the fleet or count."}),
        );
        t.param("MinHealthyHostsValue", json!({"Type": "Number", "Default": 0, "MinValue": 0, "Description": "The minimum of healthy hosts."}));
        let props = json!({"ComputePlatform": "Server",
            "MinimumHealthyHosts": {"Type": r("MinHealthyHostsType"), "Value": r("MinHealthyHostsValue")}});
        let config = if predefined {
            t.condition("CustomDeploymentConfig", equals("DeploymentConfig", "custom"));
            json!({"Type": "AWS::CodeDeploy::DeploymentConfig", "Condition": "CustomDeploymentConfig", "Properties": props})
        } else {
            conditional(json!({"Type": "AWS::CodeDeploy::DeploymentConfig", "Properties": props}))
        };
        t.resource("DeploymentConfiguration", config);
    }
    add_alarms(ctx, t, &slots);
    let alarms = !slots.is_empty();
    t.resource(
        "CodeDeployServiceRole",
        conditional(json!({"Type": "AWS::IAM::Role", "Properties": {
            "Description": "CodeDeploy: deploys to the environment's Auto Scaling group",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRole")],
            "Tags": ctx.name_tags("codedeploy")}})),
    );
    let config_name = match (custom, predefined) {
        (true, true) => iff("CustomDeploymentConfig", r("DeploymentConfiguration"), r("DeploymentConfig")),
        (true, false) => r("DeploymentConfiguration"),
        (false, _) => r("DeploymentConfig"),
    };
    let mut events = vec![iff("RollbackOnFailure", json!("DEPLOYMENT_FAILURE"), no_value())];
    let rollback = if alarms {
        events.push(iff("RollbackOnAlarms", json!("DEPLOYMENT_STOP_ON_ALARM"), no_value()));
        iff("AutoRollback", json!({"Enabled": true, "Events": events}), json!({"Enabled": false}))
    } else {
        iff(
            "RollbackOnFailure",
            json!({"Enabled": true, "Events": ["DEPLOYMENT_FAILURE"]}),
            json!({"Enabled": false}),
        )
    };
    let mut props = json!({
        "ApplicationName": r(naming::INFRA_CODEDEPLOY_APPLICATION_PARAMETER),
        "DeploymentGroupName": ctx.name(""),
        "ServiceRoleArn": att("CodeDeployServiceRole", "Arn"),
        "AutoScalingGroups": [r("AutoScalingGroup")],
        "LoadBalancerInfo": {"TargetGroupInfoList": [{"Name": att("TargetGroup", "TargetGroupName")}]},
        "DeploymentStyle": {"DeploymentType": "IN_PLACE", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
        "DeploymentConfigName": config_name,
        "AutoRollbackConfiguration": rollback,
    });
    if alarms {
        let list: Vec<Value> = slots
            .iter()
            .map(|s| iff(&format!("{}RollsBack", s.id), json!({"Name": r(&s.id)}), no_value()))
            .collect();
        props["AlarmConfiguration"] =
            iff("RollbackOnAlarms", json!({"Enabled": true, "Alarms": list}), no_value());
    }
    props["Tags"] = ctx.name_tags("");
    t.resource(
        "DeploymentGroup",
        conditional(json!({"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": props})),
    );
    t.output(
        "DeploymentGroupName",
        conditional(
            json!({"Description": "The CodeDeploy deployment group.", "Value": r("DeploymentGroup")}),
        ),
    );
}

/// The rollback parameters and the CloudWatch alarms: CodeDeploy's alarm configuration, the
/// instance refresh's alarm specification and the blue/green waits read them.
fn add_alarms(ctx: &Ctx, t: &mut Template, slots: &[AlarmSlot]) {
    // CodeDeploy's rollback on failure: a failed stack update rolls back by itself.
    let codedeploy = release::condition(ctx, ReleaseKind::InPlace).is_some();
    if codedeploy {
        t.param("RollbackOnFailure", bool_param("Roll back a deployment that fails."));
        t.condition("RollbackOnFailure", equals("RollbackOnFailure", "true"));
    }
    if !slots.is_empty() {
        t.param(
            "RollbackOnAlarms",
            bool_param("Roll back a deployment when one of its rollback alarms fires."),
        );
        t.condition("RollbackOnAlarms", equals("RollbackOnAlarms", "true"));
        if codedeploy {
            t.condition(
                "AutoRollback",
                json!({"Fn::Or": [{"Condition": "RollbackOnFailure"}, {"Condition": "RollbackOnAlarms"}]}),
            );
        }
    }
    add_alarm_resources(ctx, t, slots, "deployments", &|m| dimensions(ctx, m));
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    if any_predefined(ctx) {
        // Environments not deployed in place have no deployment group: any allowed value does.
        let config =
            if in_place(env) { env.strategy.predefined().unwrap_or("custom") } else { configs(ctx)[0] };
        v.push(("DeploymentConfig".into(), config.into()));
    }
    if any_custom(ctx) {
        match env.strategy {
            Strategy::MinHealthyPercent(p) => {
                v.push(("MinHealthyHostsType".into(), "FLEET_PERCENT".into()));
                v.push(("MinHealthyHostsValue".into(), p.to_string()));
            }
            Strategy::MinHealthyHosts(n) => {
                v.push(("MinHealthyHostsType".into(), "HOST_COUNT".into()));
                v.push(("MinHealthyHostsValue".into(), n.to_string()));
            }
            _ => {}
        }
    }
    if release::condition(ctx, ReleaseKind::InPlace).is_some() {
        v.push(("RollbackOnFailure".into(), bool_str(env.rollback.on_failure)));
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

/// The pipeline's CodeDeploy action deploying the revision to the environment's group.
pub fn pipeline_action(app: &App, env: &str, application: Value) -> (&'static str, Value) {
    (
        "CodeDeploy",
        json!({
            "ApplicationName": application,
            "DeploymentGroupName": naming::deployment_group(&app.name, env)
        }),
    )
}

/// Each alarm slot of the template: its parameters (mode, threshold, period, evaluation periods),
/// its conditions (`Has<id>`, `<id>RollsBack`) and the alarm, on the metric's `dimensions` for the
/// target. `releases` names what a rollback alarm rolls back (`deployments`, `releases`).
pub fn add_alarm_resources(
    ctx: &Ctx,
    t: &mut Template,
    slots: &[AlarmSlot],
    releases: &str,
    dimensions: &dyn Fn(Metric) -> (&'static str, Value),
) {
    for s in slots {
        let a = s.alarm;
        t.param(
            &format!("{}Mode", s.id),
            json!({"Type": "String", "AllowedValues": ["disabled", "enabled", "rollback"], "Default": "disabled",
                   "Description": format!("Alarm {}: disabled, enabled, or enabled and rolling {} back.", a.name, releases)}),
        );
        t.param(
            &format!("{}Threshold", s.id),
            json!({"Type": "Number", "Default": a.threshold, "Description": "The alarm's threshold."}),
        );
        t.param(&format!("{}Period", s.id), json!({"Type": "Number", "Default": a.period_seconds, "Description": "The alarm's period, seconds."}));
        t.param(&format!("{}EvaluationPeriods", s.id), json!({"Type": "Number", "Default": a.evaluation_periods, "MinValue": 1, "Description": "Periods over the threshold before the alarm fires."}));
        t.condition(&format!("Has{}", s.id), not(equals(&format!("{}Mode", s.id), "disabled")));
        t.condition(&format!("{}RollsBack", s.id), equals(&format!("{}Mode", s.id), "rollback"));
        let (metric, stat) = metric_name(a.metric);
        let (namespace, dims) = dimensions(a.metric);
        t.resource(
            &s.id,
            json!({"Type": "AWS::CloudWatch::Alarm", "Condition": format!("Has{}", s.id), "Properties": {
                "AlarmName": ctx.name(&a.name),
                "AlarmDescription": format!("{} of {} over the threshold", metric, ctx.app.name),
                "Namespace": namespace, "MetricName": metric, "Statistic": stat, "Dimensions": dims,
                "Period": r(&format!("{}Period", s.id)),
                "EvaluationPeriods": r(&format!("{}EvaluationPeriods", s.id)),
                "Threshold": r(&format!("{}Threshold", s.id)),
                "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}}),
        );
    }
}
