//! Deploy targets: what each `ir::Deploy` variant adds to the generated files. One folder per
//! target; this module only dispatches on the variant. Adding a target is one `ir::Deploy`
//! variant, one folder here and one arm in each function below (see docs/architecture.md).
//!
//! The environment template is assembled in a fixed order (`infra::template`): the target adds
//! what runs the app after the load balancer ([`add_compute`]) and how a new version reaches it
//! after the DNS record ([`add_release`]).

pub mod ec2;

use super::infra::{Ctx, Template, Values};
use super::OutputFile;
use crate::ir::{App, Deploy, Env, HealthCheck, Program};
use serde_json::Value;

/// What the load balancer forwards to: the app's port and health check.
pub struct Backend<'a> {
    pub port: u16,
    pub health_check: &'a HealthCheck,
}

/// The load balancer's backend of the app.
pub fn backend(app: &App) -> Backend<'_> {
    match &app.deploy {
        Deploy::Ec2(d) => Backend { port: d.port, health_check: &d.health_check },
    }
}

/// The listener's default action: forward to the app's target group (`TargetGroup`), or, for a
/// target with a second fleet, weighted between them; `add_group(t, id, suffix)` adds another
/// target group of the backend.
pub fn forward(ctx: &Ctx, t: &mut Template, add_group: &dyn Fn(&mut Template, &str, &str)) -> Value {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => ec2::blue_green::forward(ctx, t, add_group),
    }
}

/// Whether some environment of the app is released by CodeDeploy (then the environment stack
/// gets the pipeline stack's CodeDeploy application as a parameter).
pub fn uses_codedeploy(ctx: &Ctx) -> bool {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => ec2::release::condition(ctx, crate::ir::ReleaseKind::InPlace).is_some(),
    }
}

/// Adds what runs the app (instances, tasks, functions) to the environment template.
pub fn add_compute(ctx: &Ctx, t: &mut Template) {
    match &ctx.app.deploy {
        Deploy::Ec2(d) => {
            ec2::release::add(ctx, t);
            ec2::compute::add(ctx, d, t);
        }
    }
}

/// The parameter values of [`add_compute`] for `env`.
pub fn compute_values(ctx: &Ctx, env: &Env, v: &mut Values) {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => {
            ec2::release::values(ctx, env, v);
            ec2::compute::values(ctx, env, v);
        }
    }
}

/// Adds how a new version of the app is released (deployment group, alarms, rollback), and
/// with it how the release reads the app's runtime values (EC2: the instance role's access).
pub fn add_release(ctx: &Ctx, t: &mut Template) {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => {
            ec2::runtime_access::add(ctx, t);
            ec2::deployment::add(ctx, t);
        }
    }
}

/// The parameter values of [`add_release`] for `env`.
pub fn release_values(ctx: &Ctx, env: &Env, v: &mut Values) {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => ec2::deployment::values(ctx, env, v),
    }
}

/// The target's own files of an app (EC2: its appspec, and what writes its runtime values).
pub fn files(program: &Program, app: &App) -> Vec<OutputFile> {
    match &app.deploy {
        Deploy::Ec2(d) => {
            let mut files = vec![ec2::appspec::file(program, app, d)];
            files.extend(ec2::runtime_env::files(program, app, d));
            files
        }
    }
}

/// The template of the app's image stack, when the app bakes one per run (EC2: an Image Builder
/// image from the build's artifact).
pub fn image_template(program: &Program, app: &App) -> Option<Value> {
    match &app.deploy {
        Deploy::Ec2(d) => ec2::image::template(program, app, d),
    }
}

/// What the app's build adds to its buildspec for the target: post-build commands, and
/// artifact globs besides the user's and the app's generated folder.
pub struct BuildExtras {
    pub post_build: Vec<String>,
    pub artifacts: Vec<String>,
}

/// The app build's additions for its target.
pub fn build_extras(program: &Program, app: &App) -> BuildExtras {
    match &app.deploy {
        Deploy::Ec2(d) => ec2::appspec::build_extras(program, app, d),
    }
}

/// The pipeline's action releasing the app to `env` (`ir::ActionKind::DeployApp`): its provider
/// (category `Deploy`) and configuration. `application` is the pipeline stack's CodeDeploy
/// application.
pub fn deploy_action(app: &App, env: &str, application: Value) -> (&'static str, Value) {
    match &app.deploy {
        Deploy::Ec2(_) => ec2::deployment::pipeline_action(app, env, application),
    }
}
