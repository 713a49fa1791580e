//! Release gates: each stage's IR conditions as CodePipeline V2 stage conditions.
//!
//! A `gate` is `BeforeEntry` with one condition (result `FAIL`) whose rules must all pass: a
//! `CloudWatchAlarm` rule per alarm (the alarm the environment stack creates,
//! [`naming::alarm_name`]) and a `DeploymentWindow` rule. `on_failure = rollback` is `OnFailure`
//! with result `ROLLBACK`. The pipeline role may describe exactly the gated alarms.

use super::{arn, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::Stage;
use serde_json::{Map, Value};

fn rule(name: String, provider: &str, configuration: Value) -> Value {
    json!({
        "Name": name,
        "RuleTypeId": { "Category": "Rule", "Owner": "AWS", "Provider": provider, "Version": "1" },
        "Configuration": configuration
    })
}

/// Adds the stage's `BeforeEntry` and `OnFailure` to its declaration.
pub(super) fn add(ctx: &Ctx, stage: &Stage, declaration: &mut Map<String, Value>) {
    if let Some(gate) = &stage.gate {
        let mut rules: Vec<Value> = gate
            .alarms
            .iter()
            .map(|(env, alarm)| {
                rule(
                    format!("alarm-{env}-{alarm}"),
                    "CloudWatchAlarm",
                    json!({ "AlarmName": naming::alarm_name(&ctx.app.name, env, alarm) }),
                )
            })
            .collect();
        if let Some(w) = &gate.window {
            let mut configuration = json!({ "Cron": &w.cron });
            if let Some(tz) = &w.time_zone {
                configuration["TimeZone"] = json!(tz);
            }
            rules.push(rule("window".into(), "DeploymentWindow", configuration));
        }
        declaration
            .insert("BeforeEntry".into(), json!({ "Conditions": [{ "Result": "FAIL", "Rules": rules }] }));
    }
    if stage.rollback_on_failure {
        declaration.insert("OnFailure".into(), json!({ "Result": "ROLLBACK" }));
    }
}

/// The ARNs of the alarms the pipeline's gates read, in stage order, without repeats.
pub(super) fn gated_alarms(ctx: &Ctx) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for (env, alarm) in ctx.pipeline.stages.iter().filter_map(|s| s.gate.as_ref()).flat_map(|g| &g.alarms) {
        let a = arn("cloudwatch", &format!("alarm:{}", naming::alarm_name(&ctx.app.name, env, alarm)));
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}
