//! Blue/green on the load balancer: the green target group, and the listener's forward action
//! weighted between the two colours by the stack's parameters (`ForwardConfig.TargetGroups`,
//! weights 0-999 on `AWS::ElasticLoadBalancingV2::Listener`; ours are percentages).

use super::release::{self, Colour};
use crate::codegen::infra::{r, Ctx, Template};
use crate::codegen::json::json;
use crate::ir::ReleaseKind;
use serde_json::Value;

pub fn forward(ctx: &Ctx, t: &mut Template, add_group: &dyn Fn(&mut Template, &str, &str)) -> Value {
    let single = json!({"Type": "forward", "TargetGroupArn": r("TargetGroup")});
    let Some(condition) = release::condition(ctx, ReleaseKind::BlueGreen) else { return single };
    add_group(t, "TargetGroupGreen", "app-green");
    if let Some(c) = condition {
        if let Some(group) = t.resources.get_mut("TargetGroupGreen") {
            group["Condition"] = json!(c);
        }
    }
    let weighted = json!({"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": r(&Colour::Blue.id("TargetGroup")), "Weight": Colour::Blue.weight()},
        {"TargetGroupArn": r(&Colour::Green.id("TargetGroup")), "Weight": Colour::Green.weight()}]}});
    release::when(ctx, ReleaseKind::BlueGreen, weighted, single)
}
