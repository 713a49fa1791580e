//! Release gates: a stage's `gate { ... }` and `on_failure`, lowered to CodePipeline V2 stage
//! conditions (see docs/release-gates.md).
//!
//! A gate is one entry condition whose rules must all pass: one `CloudWatchAlarm` rule per
//! alarm and one `DeploymentWindow` rule for the window. The window's syntax is checked where
//! it is written (`validate::schedule::window`); here the checks that need the pipeline: V2
//! only, the 5 rules a condition holds, alarms that exist by the time the stage starts, and no
//! rollback in parallel mode.

use super::*;
use crate::check::resolve::unknown_reference;
use crate::check::value::Named;
use crate::ir::{ExecutionMode, Gate, PipelineType, Window};

/// Rules a CodePipeline condition holds (API reference, `Condition.rules`: 1 to 5 items).
pub const MAX_RULES: usize = 5;

/// What the lowering of a stage's conditions needs from the pipeline.
pub struct Context<'a> {
    pub pipeline_type: PipelineType,
    pub execution_mode: ExecutionMode,
    /// The pipeline's `type` and `execution` fields, for secondary labels.
    pub type_span: Span,
    pub execution_span: Span,
    /// Environments deployed by earlier stages of this pipeline.
    pub deployed: &'a [String],
    pub index: &'a Index<'a>,
}

/// The stage's gate and whether it rolls back on failure.
pub fn lower(ctx: &mut Ctx, p: &Context, stage: &Obj) -> (Option<Gate>, bool) {
    let rollback = enum_of(stage, "on_failure") == Some("rollback");
    let gate_obj = obj_of(stage, "gate");
    let v1 = p.pipeline_type == PipelineType::V1;
    let written = [("gate", "a stage gate", gate_obj.is_some()), ("on_failure", "stage rollback", rollback)];
    for (field, what, _) in written.iter().filter(|w| v1 && w.2) {
        ctx.push(
            Diagnostic::new(
                codes::PF3008,
                span_of(stage, field, stage.span),
                format!("{what} needs a v2 pipeline"),
            )
            .with_label("needs type = v2")
            .with_secondary(p.type_span, "v1 pipeline")
            .with_help("remove `type = v1` (v2 is the default): stage conditions exist only on V2 pipelines"),
        );
    }
    if rollback && !v1 && p.execution_mode == ExecutionMode::Parallel {
        ctx.push(
            Diagnostic::new(
                codes::PF4012,
                span_of(stage, "on_failure", stage.span),
                "a stage cannot roll back in a pipeline whose runs execute in parallel",
            )
            .with_label("rollback")
            .with_secondary(p.execution_span, "parallel runs")
            .with_help("CodePipeline has no stage rollback in PARALLEL mode: use `execution = queued`, or remove `on_failure = rollback`"),
        );
    }
    let gate = gate_obj.map(|g| gate(ctx, p, g, span_of(stage, "gate", stage.span)));
    (gate.flatten().filter(|_| !v1), rollback && !v1)
}

fn gate(ctx: &mut Ctx, p: &Context, g: &Obj, at: Span) -> Option<Gate> {
    let mut alarms = Vec::new();
    let mut ok = true;
    if let Some(Val::List(items)) = g.get("alarms").map(|i| &i.val) {
        for item in items {
            let Val::Str(text) = &item.val else { continue };
            match alarm(ctx, p, text, item.span) {
                Some(a) if alarms.contains(&a) => {}
                Some(a) => alarms.push(a),
                None => ok = false,
            }
        }
    }
    let window = str_of(g, "window").map(|cron| Window { cron, time_zone: str_of(g, "time_zone") });
    if window.is_none() && g.get("time_zone").is_some() {
        ctx.push(
            Diagnostic::new(
                codes::PF4014,
                span_of(g, "time_zone", at),
                "this time zone has no window to apply to",
            )
            .with_label("time zone of nothing")
            .with_help(
                "add `window = \"* * 9-16 ? * MON-THU *\"` (when deploys may start), or remove `time_zone`",
            ),
        );
        ok = false;
    }
    let rules = alarms.len() + usize::from(window.is_some());
    if rules == 0 && ok && !g.broken {
        ctx.push(
            Diagnostic::new(codes::PF4013, at, "this gate checks nothing")
                .with_label("empty gate")
                .with_help("name alarms that must be quiet (`alarms = [\"test.errors\"]`) or a window deploys may start in (`window = \"* * 9-16 ? * MON-THU *\"`), or remove the gate"),
        );
        return None;
    }
    if rules > MAX_RULES {
        ctx.push(
            Diagnostic::new(
                codes::PF3035,
                at,
                format!("this gate has {rules} rules; a CodePipeline condition holds at most {MAX_RULES}"),
            )
            .with_label("too many rules")
            .with_help("each alarm is one rule and the window another: gate on fewer alarms, or combine them into one composite alarm of the environment"),
        );
        ok = false;
    }
    (ok && rules > 0).then_some(Gate { alarms, window })
}

/// `"ENV.ALARM"`: an alarm the environment declares, deployed by an earlier stage.
fn alarm(ctx: &mut Ctx, p: &Context, text: &str, span: Span) -> Option<(String, String)> {
    let Some((env, name)) = text.split_once('.').filter(|(e, n)| !e.is_empty() && !n.is_empty()) else {
        ctx.push(
            Diagnostic::new(codes::PF4010, span, format!("`{text}` does not name an environment's alarm"))
                .with_label("not `ENV.ALARM`")
                .with_help("write the environment and the alarm it declares, e.g. `\"test.errors\"` for `alarm errors { ... }` in `env test`"),
        );
        return None;
    };
    let Some(e) = p.index.envs.get(env) else {
        let named = Named { name: env.to_string(), span };
        ctx.push(unknown_reference(&named, "environment", &["env"], p.index.envs.keys().copied()));
        return None;
    };
    if !e.alarms.iter().any(|a| a.name == name) {
        let declared: Vec<&str> = e.alarms.iter().map(|a| a.name.as_str()).collect();
        let help = if declared.is_empty() {
            format!("declare it in `env {env}`: `alarm {name} {{ metric = target_5xx, threshold = 10 }}`")
        } else {
            format!(
                "`{env}` declares {}",
                declared.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
            )
        };
        ctx.push(
            Diagnostic::new(codes::PF4010, span, format!("the environment `{env}` has no alarm `{name}`"))
                .with_label("unknown alarm")
                .with_help(help),
        );
        return None;
    }
    if !p.deployed.iter().any(|d| d == env) {
        ctx.push(
            Diagnostic::new(
                codes::PF4011,
                span,
                format!("`{env}` is not deployed by an earlier stage, so its alarm may not exist when this stage starts"),
            )
            .with_label("alarm of an environment not deployed yet")
            .with_help(format!("the alarm is created by the stack of `{env}`: gate on alarms of environments that earlier stages deploy (a missing alarm fails the gate), or deploy `{env}` in an earlier stage")),
        );
        return None;
    }
    Some((env.to_string(), name.to_string()))
}
