//! How a release reaches the function: a new version published by every stack update (its
//! description names the release's code object, a create-only property, so each release
//! replaces it), the environment's alias that CodeDeploy shifts to it during the update
//! (`UpdatePolicy.CodeDeployLambdaAliasUpdate`), the CodeDeploy application, deployment group and
//! service role, alarms and automatic rollback, and the entry point: the function URL on the
//! alias, or the load balancer's `lambda` target group.

use super::function::CODE_KEY_PARAMETER;
use crate::codegen::infra::{
    att, bool_param, bool_str, checkov_skip, equals, iff, no_value, r, sub, Ctx, Template, Values,
};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::codegen::targets::ec2::deployment::{add_alarm_resources, alarm_slots};
use crate::ir::{BlueGreen, Env, LambdaDeploy, LambdaEntry, Metric, Shift, Strategy};
use serde_json::Value;

/// A `blue_green { shift = canary | linear }` strategy's traffic shift for CodeDeploy:
/// `TrafficRoutingConfig` type, percent and interval in minutes (whole: PF2055).
fn shift(s: Strategy) -> Option<(&'static str, u32, u32)> {
    match s {
        Strategy::BlueGreen(BlueGreen { shift: Shift::Canary { percent, wait_seconds }, .. }) => {
            Some(("TimeBasedCanary", percent, wait_seconds / 60))
        }
        Strategy::BlueGreen(BlueGreen { shift: Shift::Linear { percent, wait_seconds }, .. }) => {
            Some(("TimeBasedLinear", percent, wait_seconds / 60))
        }
        _ => None,
    }
}

/// CodeDeploy's predefined Lambda configuration of a strategy, or `custom` (a
/// `TimeBasedCanary` / `TimeBasedLinear` configuration of the stack). Without a canary or
/// linear shift (no strategy, or `blue_green { shift = all_at_once }`) the alias moves at once.
pub fn config_name(s: Strategy) -> &'static str {
    match shift(s) {
        Some(("TimeBasedCanary", 10, 5)) => "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        Some(("TimeBasedCanary", 10, 10)) => "CodeDeployDefault.LambdaCanary10Percent10Minutes",
        Some(("TimeBasedCanary", 10, 15)) => "CodeDeployDefault.LambdaCanary10Percent15Minutes",
        Some(("TimeBasedCanary", 10, 30)) => "CodeDeployDefault.LambdaCanary10Percent30Minutes",
        Some(("TimeBasedLinear", 10, 1)) => "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        Some(("TimeBasedLinear", 10, 2)) => "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
        Some(("TimeBasedLinear", 10, 3)) => "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
        Some(("TimeBasedLinear", 10, 10)) => "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
        Some(_) => CUSTOM,
        None => "CodeDeployDefault.LambdaAllAtOnce",
    }
}

/// The value of `DeploymentConfig` of an environment with a custom traffic shift.
const CUSTOM: &str = "custom";

/// A custom shift's `TrafficRoutingConfig` type, percent and interval.
fn custom_shift(s: Strategy) -> Option<(&'static str, u32, u32)> {
    shift(s).filter(|_| config_name(s) == CUSTOM)
}

/// The custom traffic-shift configuration, when an environment has one: its parameters, and the
/// configuration in environments whose `DeploymentConfig` is `custom`.
fn add_custom_config(ctx: &Ctx, t: &mut Template, only: bool) {
    let kinds: Vec<&str> = {
        let mut k: Vec<&str> =
            ctx.envs.iter().filter_map(|e| custom_shift(e.strategy)).map(|c| c.0).collect();
        k.sort_unstable();
        k.dedup();
        k
    };
    t.param(
        "TrafficShiftType",
        json!({"Type": "String", "AllowedValues": &kinds, "Description": "The custom traffic shift: TimeBasedCanary or TimeBasedLinear."}),
    );
    t.param("TrafficShiftPercent", json!({"Type": "Number", "MinValue": 1, "MaxValue": 100, "Description": "The percent of the traffic each step shifts."}));
    t.param(
        "TrafficShiftInterval",
        json!({"Type": "Number", "MinValue": 1, "Description": "Minutes between the steps."}),
    );
    let step = |percent: &str, interval: &str| json!({percent: r("TrafficShiftPercent"), interval: r("TrafficShiftInterval")});
    let mut routing = json!({"Type": r("TrafficShiftType")});
    for (kind, percent, interval) in [
        ("TimeBasedCanary", "CanaryPercentage", "CanaryInterval"),
        ("TimeBasedLinear", "LinearPercentage", "LinearInterval"),
    ] {
        if !kinds.contains(&kind) {
            continue;
        }
        routing[kind] = if kinds.len() == 1 {
            step(percent, interval)
        } else {
            t.condition(&format!("TrafficShift{kind}"), equals("TrafficShiftType", kind));
            iff(&format!("TrafficShift{kind}"), step(percent, interval), no_value())
        };
    }
    let mut config = json!({"Type": "AWS::CodeDeploy::DeploymentConfig", "Properties": {
        "ComputePlatform": "Lambda", "TrafficRoutingConfig": routing}});
    if !only {
        t.condition("CustomDeploymentConfig", equals("DeploymentConfig", CUSTOM));
        config["Condition"] = json!("CustomDeploymentConfig");
    }
    t.resource("DeploymentConfiguration", config);
}

fn dimensions(m: Metric) -> (&'static str, Value) {
    let lb = json!({"Name": "LoadBalancer", "Value": att("LoadBalancer", "LoadBalancerFullName")});
    let tg = json!({"Name": "TargetGroup", "Value": att("TargetGroup", "TargetGroupFullName")});
    match m {
        Metric::Errors => (
            "AWS/Lambda",
            json!([{"Name": "FunctionName", "Value": r("Function")},
                   {"Name": "Resource", "Value": sub("${Function}:${EnvName}")}]),
        ),
        Metric::Elb5xx => ("AWS/ApplicationELB", json!([lb])),
        // `cpu` is refused for a function (PF5041).
        Metric::Target5xx | Metric::Latency | Metric::UnhealthyHosts | Metric::Cpu => {
            ("AWS/ApplicationELB", json!([lb, tg]))
        }
    }
}

pub fn add(ctx: &Ctx, d: &LambdaDeploy, t: &mut Template) {
    let mut configs: Vec<&str> = Vec::new();
    for e in &ctx.envs {
        let c = config_name(e.strategy);
        if !configs.contains(&c) {
            configs.push(c);
        }
    }
    let custom = configs.contains(&CUSTOM);
    let only_custom = configs == [CUSTOM];
    if !only_custom {
        t.param(
            "DeploymentConfig",
            json!({"Type": "String", "AllowedValues": configs,
                   "Description": "CodeDeploy's configuration shifting the alias to the new version, or custom."}),
        );
    }
    if custom {
        add_custom_config(ctx, t, only_custom);
    }
    let config_name = match (custom, only_custom) {
        (true, true) => r("DeploymentConfiguration"),
        (true, false) => iff("CustomDeploymentConfig", r("DeploymentConfiguration"), r("DeploymentConfig")),
        (false, _) => r("DeploymentConfig"),
    };
    t.param("RollbackOnFailure", bool_param("Roll back a release that fails."));
    t.condition("RollbackOnFailure", equals("RollbackOnFailure", "true"));
    let slots = alarm_slots(ctx);
    let alarms = !slots.is_empty();
    if alarms {
        t.param("RollbackOnAlarms", bool_param("Roll back a release when one of its rollback alarms fires."));
        t.condition("RollbackOnAlarms", equals("RollbackOnAlarms", "true"));
        t.condition(
            "AutoRollback",
            json!({"Fn::Or": [{"Condition": "RollbackOnFailure"}, {"Condition": "RollbackOnAlarms"}]}),
        );
    }
    add_alarm_resources(ctx, t, &slots, "releases", &dimensions);

    t.resource(
        "CodeDeployApplication",
        json!({"Type": "AWS::CodeDeploy::Application", "Properties": {
            "ApplicationName": ctx.name(""), "ComputePlatform": "Lambda", "Tags": ctx.name_tags("")}}),
    );
    let function_arn = att("Function", "Arn");
    t.resource(
        "CodeDeployServiceRole",
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "Description": "CodeDeploy: shifts the function's alias to a new version, watching its alarms",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "shift-alias", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "Alias", "Effect": "Allow",
                 "Action": ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
                 "Resource": [function_arn, sub("${Function.Arn}:*")]},
                {"Sid": "Alarms", "Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms"],
                 "Resource": sub(&format!("arn:${{AWS::Partition}}:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{}-*", naming::deployment_group(&ctx.app.name, "${EnvName}")))}]}}],
            "Tags": ctx.name_tags("codedeploy")}}),
    );
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
    let mut group = json!({
        "ApplicationName": r("CodeDeployApplication"),
        "DeploymentGroupName": ctx.name(""),
        "ServiceRoleArn": att("CodeDeployServiceRole", "Arn"),
        "DeploymentConfigName": config_name,
        "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
        "AutoRollbackConfiguration": rollback,
    });
    if alarms {
        // By name, not `Ref`: the load balancer's alarms watch the target group, which registers
        // the alias, which waits for this group (its update policy): a `Ref` would close a cycle.
        // The first deployment is the first update, when the alarms exist.
        let list: Vec<Value> = slots
            .iter()
            .map(|s| iff(&format!("{}RollsBack", s.id), json!({"Name": ctx.name(&s.alarm.name)}), no_value()))
            .collect();
        group["AlarmConfiguration"] =
            iff("RollbackOnAlarms", json!({"Enabled": true, "Alarms": list}), no_value());
    }
    group["Tags"] = ctx.name_tags("");
    t.resource("DeploymentGroup", json!({"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": group}));

    t.resource(
        "FunctionVersion",
        json!({"Type": "AWS::Lambda::Version", "Properties": {
            "FunctionName": r("Function"),
            "Description": sub(&format!("Release ${{{CODE_KEY_PARAMETER}}}"))}}),
    );
    t.resource(
        "Alias",
        json!({"Type": "AWS::Lambda::Alias",
               "UpdatePolicy": {"CodeDeployLambdaAliasUpdate": {
                   "ApplicationName": r("CodeDeployApplication"), "DeploymentGroupName": r("DeploymentGroup")}},
               "Properties": {
            "FunctionName": r("Function"), "FunctionVersion": att("FunctionVersion", "Version"),
            "Name": r("EnvName"), "Description": "The environment's traffic: CodeDeploy shifts it to each release"}}),
    );
    entry(d, t);
    t.output("FunctionName", json!({"Description": "The function.", "Value": r("Function")}));
    t.output(
        "AliasArn",
        json!({"Description": "The alias that serves the environment's traffic.", "Value": r("Alias")}),
    );
    t.output(
        "DeploymentGroupName",
        json!({"Description": "The CodeDeploy deployment group.", "Value": r("DeploymentGroup")}),
    );
}

/// The function URL on the alias (with the public permissions of `auth = none`), or the
/// load balancer's permission to invoke the alias and the alias as its target.
fn entry(d: &LambdaDeploy, t: &mut Template) {
    match &d.entry {
        LambdaEntry::Url { iam } => {
            let mut url = json!({"Type": "AWS::Lambda::Url", "DependsOn": "Alias", "Properties": {
                "TargetFunctionArn": r("Function"), "Qualifier": r("EnvName"),
                "AuthType": if *iam { "AWS_IAM" } else { "NONE" }}});
            if !*iam {
                url["Metadata"] = checkov_skip(&[(
                    "CKV_AWS_258",
                    "The program asks for a public URL (`url { auth = none }`).",
                )]);
                let public = checkov_skip(&[("CKV_AWS_301", "The program asks for a public URL (`url { auth = none }`): anyone may invoke the alias through it, and only through it.")]);
                t.resource(
                    "FunctionUrlPublicInvoke",
                    json!({"Type": "AWS::Lambda::Permission", "Metadata": &public, "Properties": {
                        "Action": "lambda:InvokeFunctionUrl", "FunctionName": r("Alias"), "Principal": "*",
                        "FunctionUrlAuthType": "NONE"}}),
                );
                t.resource(
                    "FunctionUrlPublicInvokeFunction",
                    json!({"Type": "AWS::Lambda::Permission", "Metadata": public, "Properties": {
                        "Action": "lambda:InvokeFunction", "FunctionName": r("Alias"), "Principal": "*",
                        "InvokedViaFunctionUrl": true}}),
                );
            }
            t.resource("FunctionUrl", url);
            // `https://<id>.lambda-url.<region>.on.aws/` without its trailing `/`.
            let host = json!({"Fn::Select": [2, {"Fn::Split": ["/", att("FunctionUrl", "FunctionUrl")]}]});
            t.output(
                naming::env_url_output(),
                json!({"Description": "The app's URL.", "Value": {"Fn::Join": ["", ["https://", host]]}}),
            );
        }
        LambdaEntry::LoadBalancer { .. } => {
            t.resource(
                "LoadBalancerInvokePermission",
                json!({"Type": "AWS::Lambda::Permission", "Properties": {
                    "Action": "lambda:InvokeFunction", "FunctionName": r("Alias"),
                    "Principal": "elasticloadbalancing.amazonaws.com", "SourceAccount": r("AWS::AccountId")}}),
            );
            // The target group registers the alias, which needs the permission first.
            if let Some(tg) = t.resources.get_mut("TargetGroup") {
                tg["DependsOn"] = json!("LoadBalancerInvokePermission");
                tg["Properties"]["Targets"] = json!([{"Id": r("Alias")}]);
            }
        }
    }
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    let configs: Vec<&str> = ctx.envs.iter().map(|e| config_name(e.strategy)).collect();
    if configs.iter().any(|c| *c != CUSTOM) {
        v.push(("DeploymentConfig".into(), config_name(env.strategy).into()));
    }
    if configs.contains(&CUSTOM) {
        // Environments without a custom shift keep the parameters' first allowed shape.
        let (kind, percent, interval) = custom_shift(env.strategy)
            .or_else(|| ctx.envs.iter().find_map(|e| custom_shift(e.strategy)))
            .unwrap_or(("TimeBasedCanary", 10, 5));
        v.push(("TrafficShiftType".into(), kind.into()));
        v.push(("TrafficShiftPercent".into(), percent.to_string()));
        v.push(("TrafficShiftInterval".into(), interval.to_string()));
    }
    v.push(("RollbackOnFailure".into(), bool_str(env.rollback.on_failure)));
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
