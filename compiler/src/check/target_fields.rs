//! What a Lambda function's entry point and metrics allow, checked for each (app, environment)
//! pair a pipeline deploys (environments are shared, so a field is wrong only for the app that
//! cannot use it): a function served by its URL has no load balancer for `dns` and the load
//! balancer's alarms (PF5040), an alarm must watch a metric the app's target has (PF5041), and
//! a function's traffic shifts every whole minute (PF2055); a linear shift's step is at least the
//! target's minimum (PF3030, PF3051: [`linear_steps`]). What only some targets use of the
//! environment's own fields is `check::targets`'s table.

use super::resolve::Decls;
use super::value::Val;
use super::Ctx;
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::ir::{App, BlueGreen, Deploy, Env, LambdaEntry, Metric, Program, Shift, Strategy};
use crate::schema::DeclKind;
use crate::source::Span;

/// EC2's smallest linear step: each step is two pipeline actions (the stack update that sets
/// the weights, and a wait), and ten of them stay within a stage's 50 actions with the
/// release's others (docs/aws-facts.md D1.4).
pub const EC2_MIN_LINEAR_PERCENT: u32 = 10;

/// ECS's smallest linear step: `LinearConfiguration.StepPercent` takes multiples of 0.1 from 3.0
/// to 100.0 (ECS API reference, `LinearConfiguration`; the CloudFormation schema of
/// `AWS::ECS::Service`: `minimum: 3`). Lambda's `TimeBasedLinear.LinearPercentage` is a whole
/// percent with no smaller bound than the language's 1%.
pub const ECS_MIN_LINEAR_PERCENT: u32 = 3;

/// Whether `shift` is linear with steps smaller than `min` percent.
pub fn too_fine(shift: Shift, min: u32) -> bool {
    matches!(shift, Shift::Linear { percent, .. } if percent < min)
}

/// Runs the checks over every deployed (app, environment) pair.
pub fn run(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    linear_steps(ctx, program, decls);
    for app in &program.apps {
        for env in crate::codegen::infra::deployed_envs(program, &app.name) {
            let load_balancer = match &app.deploy {
                Deploy::Lambda(l) => matches!(l.entry, LambdaEntry::LoadBalancer { .. }),
                _ => true,
            };
            if !load_balancer {
                if let Some(span) = decls.value_span(&[DeclKind::Env], &env.name, &["dns"]) {
                    ctx.push(
                        Diagnostic::new(codes::PF5040, span, format!("`dns` of `{}` names the load balancer, and the Lambda app `{}` is served by its function URL", env.name, app.name))
                            .with_label("no load balancer")
                            .with_help("serve the function with `load_balancer = true` to give it this name and certificate, or remove `dns`"),
                    );
                }
            }
            metrics(ctx, decls, app, env, load_balancer);
            if let Deploy::Lambda(_) = app.deploy {
                traffic_shift(ctx, decls, app, env);
            }
            if let (Deploy::Lambda(_), Some(crate::ir::Text::Param(name))) =
                (&app.deploy, env.database.as_ref().and_then(|d| d.password.as_ref()))
            {
                let at = ["database", "password"];
                let Some(span) = decls.value_span(&[DeclKind::Env], &env.name, &at) else { continue };
                ctx.push(
                    Diagnostic::new(codes::PF5043, span, format!("the Lambda app `{}` cannot get the database password of `{}` from the SecureString parameter `{name}`", app.name, env.name))
                        .with_label("SecureString parameter")
                        .with_help("CloudFormation resolves a function's environment at deploy time and cannot put a SecureString there: keep the password in Secrets Manager (`password = secret(\"id:password\")`), or leave `password` out and let RDS manage it"),
                );
            }
        }
    }
}

/// A linear shift's step is at least the minimum of every target that deploys the environment:
/// one finding for the environment, for the largest minimum it misses (raising the step to it
/// satisfies the others).
fn linear_steps(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    // Per environment with a linear shift (in declaration order): the largest minimum it misses.
    let mut missed: Vec<(&Env, u32, u32, &App)> = Vec::new();
    for app in &program.apps {
        let min = match app.deploy {
            Deploy::Ec2(_) => EC2_MIN_LINEAR_PERCENT,
            Deploy::Ecs(_) => ECS_MIN_LINEAR_PERCENT,
            Deploy::Lambda(_) => continue,
        };
        for env in crate::codegen::infra::deployed_envs(program, &app.name) {
            let Strategy::BlueGreen(BlueGreen { shift: shift @ Shift::Linear { percent, .. }, .. }) =
                env.strategy
            else {
                continue;
            };
            if !too_fine(shift, min) {
                continue;
            }
            match missed.iter_mut().find(|m| m.0.name == env.name) {
                Some(m) if m.2 < min => *m = (env, percent, min, app),
                Some(_) => {}
                None => missed.push((env, percent, min, app)),
            }
        }
    }
    for (env, percent, min, app) in missed {
        let at = ["strategy", "percent"];
        let Some(span) = decls.value_span(&[DeclKind::Env], &env.name, &at) else { continue };
        let d = match app.deploy {
            Deploy::Ec2(_) => Diagnostic::new(codes::PF3030, span, format!("a linear shift of {percent}% takes {} steps", 100u32.div_ceil(percent)))
                .with_label("too many steps")
                .with_help(format!("each step of the EC2 app `{}` is two pipeline actions (a stack update and a wait) and a stage holds at most 50: shift at least {min}% a step, or use `shift = canary`", app.name)),
            _ => Diagnostic::new(codes::PF3051, span, format!("ECS moves at least {min}% of the traffic a step, and `{}` shifts {percent}% for the ECS app `{}`", env.name, app.name))
                .with_label(format!("less than {min}%"))
                .with_help(format!("ECS's linear deployment takes steps of {min}% to 100%: write `percent = {min}%` or more, or use `shift = canary`"))
                .with_fix(format!("write `{min}%`"), span, format!("{min}%"), Applicability::Unsafe),
        };
        ctx.push(d);
    }
}

fn metrics(ctx: &mut Ctx, decls: &Decls, app: &App, env: &Env, load_balancer: bool) {
    let lambda = matches!(app.deploy, Deploy::Lambda(_));
    for (i, alarm) in env.alarms.iter().enumerate() {
        let Some(span) = alarm_span(decls, env, i) else { continue };
        let d = match alarm.metric {
            Metric::Errors if !lambda => Diagnostic::new(codes::PF5041, span, format!("the alarm `{}` watches a function's errors, and the {} app `{}` has no function", alarm.name, app.deploy.target(), app.name))
                .with_label("a Lambda metric")
                .with_help("watch the app's responses instead: `metric = target_5xx`"),
            Metric::Cpu if lambda => Diagnostic::new(codes::PF5041, span, format!("the alarm `{}` watches instances' CPU, and the Lambda app `{}` has no instances", alarm.name, app.name))
                .with_label("an EC2 metric")
                .with_help("watch the function's failed invocations: `metric = errors`"),
            Metric::Errors | Metric::Cpu => continue,
            _ if !load_balancer => Diagnostic::new(codes::PF5040, span, format!("the alarm `{}` watches the load balancer, and the Lambda app `{}` is served by its function URL", alarm.name, app.name))
                .with_label("no load balancer")
                .with_help("watch the function's failed invocations (`metric = errors`), or serve it with `load_balancer = true`"),
            _ => continue,
        };
        ctx.push(d);
    }
}

/// A Lambda function's `blue_green { shift = canary | linear }`: CodeDeploy shifts its alias
/// every whole number of minutes, at least one (`TimeBasedCanary.CanaryInterval`,
/// `TimeBasedLinear.LinearInterval`: PF2055), and there is no old fleet to keep for a `bake`
/// (PF5030).
fn traffic_shift(ctx: &mut Ctx, decls: &Decls, app: &App, env: &Env) {
    let Some(d) = decls.find(&[DeclKind::Env], &env.name) else { return };
    let Some(Val::Obj(s)) = d.flat().get("strategy").map(|i| &i.val) else { return };
    if s.kind.as_ref().map(|k| k.name.as_str()) != Some("blue_green") {
        return;
    }
    let shifts = matches!(s.get("shift").map(|i| &i.val), Some(Val::Enum("canary" | "linear")));
    if let Some(item) = s.get("wait").filter(|_| shifts) {
        if let Val::Duration(seconds) = item.val {
            if seconds == 0 || seconds % 60 != 0 {
                let minutes = seconds.div_ceil(60).max(1);
                ctx.push(
                    Diagnostic::new(codes::PF2055, item.span, format!("the Lambda app `{}` cannot shift its traffic every {seconds}s", app.name))
                        .with_label("not a whole number of minutes")
                        .with_help(format!("CodeDeploy shifts a function's alias every whole number of minutes, at least one: write `wait = {minutes}m`"))
                        .with_fix(format!("write `{minutes}m`"), item.span, format!("{minutes}m"), Applicability::Unsafe),
                );
            }
        }
    }
    if let Some(item) = s.get("bake") {
        ctx.push(
            Diagnostic::new(codes::PF5030, item.span, format!("`strategy.bake` has no meaning for the lambda app `{}` deployed to `{}`", app.name, env.name))
                .with_label("not used by `deploy = lambda`")
                .with_help("`bake` keeps the old fleet after the traffic moved; a function's old version stays until the stack update completes: remove `bake`"),
        );
    }
}

/// The span of the metric of the environment's `i`-th alarm (or of the environment's name).
fn alarm_span(decls: &Decls, env: &Env, i: usize) -> Option<Span> {
    let d = decls.find(&[DeclKind::Env], &env.name)?;
    let metric =
        d.flat().children.iter().filter(|c| c.keyword == "alarm").nth(i).and_then(|c| c.obj.get("metric"));
    Some(metric.map_or(d.name.span, |m| m.span))
}
