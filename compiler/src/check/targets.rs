//! Environment fields checked against the deploy target of each app deployed there. Most fields
//! mean the same for every target (network, database, cache, DNS, alarms, rollback, protected,
//! tags); the few that only some targets use are listed in [`TARGET_FIELDS`], and one written
//! for an app whose target does not use it is an error with help (PF5030), never ignored.
//! Environments are shared, so the rule looks at every (app, environment) pair a pipeline
//! deploys. Values an environment inherits from the standard library's profiles are not
//! reported: the profiles are written for every target (`cost_optimized` sizes both instances
//! and Fargate tasks), and a target ignores the sizes of the others by design.
//! Adding a target: add its keyword to the rows it uses, and rows for its own fields.

use super::resolve::Decls;
use super::Ctx;
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::hash::FxHashSet;
use crate::ir::{ActionKind, Env, Program};
use crate::schema::DeclKind;
use crate::source::FileId;

/// An environment field (or one kind of a variant field, such as `strategy = canary`) that only
/// some targets use.
pub struct TargetField {
    /// The field's path in the environment.
    pub path: &'static [&'static str],
    /// For a variant field: the kind this row is about.
    pub kind: Option<&'static str>,
    /// The targets (`ir::Deploy::target`) that use it.
    pub targets: &'static [&'static str],
    /// What the field is for, and what the other targets use instead.
    pub help: &'static str,
}

/// The environment fields that only some deploy targets use.
pub static TARGET_FIELDS: &[TargetField] = &[
    TargetField {
        path: &["compute", "instance"],
        kind: None,
        targets: &["ec2"],
        help: "`instance` is the EC2 instance type; Fargate tasks (ecs) are sized by `compute { cpu, memory }`, a Lambda function by its `memory`",
    },
    TargetField {
        path: &["compute", "volume"],
        kind: None,
        targets: &["ec2"],
        help: "`volume` sizes an EC2 instance's root volume; a Fargate task (ecs) has none to size",
    },
    TargetField {
        path: &["compute", "cpu"],
        kind: None,
        targets: &["ecs"],
        help: "`cpu` sizes a Fargate task (ecs); EC2 instances are sized by `instance`",
    },
    TargetField {
        path: &["compute", "memory"],
        kind: None,
        targets: &["ecs"],
        help: "`memory` sizes a Fargate task (ecs); EC2 instances are sized by `instance`",
    },
    TargetField {
        path: &["compute", "min"],
        kind: None,
        targets: &["ec2", "ecs"],
        help: "`min` counts instances or tasks; Lambda runs a function on demand, up to its `reserved_concurrency`",
    },
    TargetField {
        path: &["compute", "max"],
        kind: None,
        targets: &["ec2", "ecs"],
        help: "`max` counts instances or tasks; Lambda runs a function on demand, up to its `reserved_concurrency`",
    },
    TargetField {
        path: &["compute", "desired"],
        kind: None,
        targets: &["ec2", "ecs"],
        help: "`desired` counts instances or tasks; Lambda runs a function on demand",
    },
    TargetField {
        path: &["compute", "scale_on"],
        kind: None,
        targets: &["ec2", "ecs"],
        help: "`scale_on` scales instances or tasks; Lambda scales a function by itself, up to its `reserved_concurrency`",
    },
    TargetField {
        path: &["strategy"],
        kind: Some("in_place"),
        targets: &["ec2"],
        help: "`in_place` is CodeDeploy's release on EC2 instances; an ECS service releases with `rolling` or `blue_green`, a Lambda function at once (no strategy) or with `blue_green { shift = canary | linear }`",
    },
    TargetField {
        path: &["strategy"],
        kind: Some("rolling"),
        targets: &["ec2", "ecs"],
        help: "`rolling` replaces instances or tasks; a Lambda function moves at once (no strategy) or with `blue_green { shift = canary | linear }`",
    },
    TargetField {
        path: &["strategy", "max_healthy"],
        kind: Some("rolling"),
        targets: &["ec2"],
        help: "`max_healthy` tunes an EC2 instance refresh; an ECS service starts new tasks before stopping old ones on its own (MaximumPercent 200)",
    },
    TargetField {
        path: &["strategy", "warmup"],
        kind: Some("rolling"),
        targets: &["ec2"],
        help: "`warmup` is an EC2 instance's warm-up in an instance refresh; an ECS task counts once its health check passes",
    },
    TargetField {
        path: &["strategy", "checkpoint"],
        kind: Some("rolling"),
        targets: &["ec2"],
        help: "`checkpoint` pauses an EC2 instance refresh; an ECS rolling release has no checkpoint (use `blue_green { shift = canary }`)",
    },
    TargetField {
        path: &["strategy", "checkpoint_wait"],
        kind: Some("rolling"),
        targets: &["ec2"],
        help: "`checkpoint_wait` is the pause of an EC2 instance refresh's checkpoint; an ECS rolling release has none",
    },
    TargetField {
        path: &["strategy", "bake"],
        kind: Some("rolling"),
        targets: &["ec2"],
        help: "a rolling `bake` watches an EC2 instance refresh's alarms; an ECS rolling release is watched by its circuit breaker (use `blue_green { bake }` for a bake time)",
    },
    TargetField {
        path: &["strategy", "skip_matching"],
        kind: Some("rolling"),
        targets: &["ec2"],
        help: "`skip_matching` keeps EC2 instances already on the launch template; an ECS rolling release replaces every task",
    },
];

/// The strategy each target releases with when an environment writes none, written out: the
/// fix of a strategy the app's target does not take.
fn default_strategy(target: &str) -> Option<&'static str> {
    match target {
        "ec2" => Some("in_place { batch = one_at_a_time }"),
        "ecs" => Some("rolling { min_healthy = 100% }"),
        _ => None,
    }
}

/// The kind of a variant field of `env`, for the rows that name one.
fn kind_of(env: &Env, path: &[&str]) -> Option<&'static str> {
    match path {
        ["strategy", ..] => Some(env.strategy.kind().name()),
        _ => None,
    }
}

/// PF5030 for every field of a deployed environment that the
/// deploying app's target does not use; each (app, environment, field) once.
pub fn fields(ctx: &mut Ctx, program: &Program, decls: &Decls, standard: &[FileId]) {
    // Each (app, environment) pair once: an environment's infrastructure and release actions
    // (and every pipeline of the app) deploy the same pair.
    let mut seen: FxHashSet<(&str, &str)> = crate::hash::set_with_capacity(program.envs.len());
    for pipeline in &program.pipelines {
        let Some(app) = program.app(&pipeline.app) else { continue };
        let target = app.deploy.target();
        for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
            let (ActionKind::DeployInfra { env, .. } | ActionKind::DeployApp { env }) = &action.kind else {
                continue;
            };
            let Some(e) = program.env(env) else { continue };
            if !seen.insert((app.name.as_str(), env.as_str())) {
                continue;
            }
            for f in TARGET_FIELDS {
                if f.targets.contains(&target) || (f.kind.is_some() && kind_of(e, f.path) != f.kind) {
                    continue;
                }
                let Some(span) = decls.value_span(&[DeclKind::Env], env, f.path) else { continue };
                if standard.contains(&span.file) {
                    continue;
                }
                let field = f.path.join(".");
                let written = match (f.kind, f.path) {
                    (Some(k), [head, sub]) => format!("{head} = {k} {{ {sub} }}"),
                    (Some(k), _) => format!("{field} = {k}"),
                    (None, _) => field.clone(),
                };
                // A whole strategy of the wrong kind (not one of its fields).
                let whole = f.kind.is_some() && f.path.len() == 1;
                let d = {
                    let mut d = Diagnostic::new(
                        codes::PF5030,
                        span,
                        format!(
                            "`{written}` has no meaning for the {target} app `{}` deployed to `{env}`",
                            app.name
                        ),
                    )
                    .with_label(format!("not used by `deploy = {target}`"))
                    .with_help(format!(
                        "{}; an environment that apps of two targets deploy sets only the fields both use",
                        f.help
                    ));
                    if let (true, Some(fix)) = (whole, default_strategy(target)) {
                        d = d.with_fix(format!("use `{fix}`"), span, fix, Applicability::Unsafe);
                    }
                    d
                };
                if whole {
                    // The block's fields were checked against the wrong kind's schema: that
                    // follows from this one mistake (`rolling { batch = ... }` for EC2).
                    ctx.retain(|_, d| {
                        !(d.code == codes::PF1001 || d.code == codes::PF1003)
                            || !(span.file == d.primary.span.file
                                && span.start <= d.primary.span.start
                                && d.primary.span.end <= span.end)
                    });
                }
                ctx.push(d);
            }
        }
    }
}
