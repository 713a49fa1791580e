//! Deploy targets: what each `ir::Deploy` variant adds to the generated files. One folder per
//! target; this module only dispatches on the variant. Adding a target is one `ir::Deploy`
//! variant, one folder here and one arm in each function below (see docs/architecture.md).
//!
//! The environment template is assembled in a fixed order (`infra::template`): the target adds
//! what runs the app after the load balancer ([`add_compute`]) and how a new version reaches it
//! after the DNS record ([`add_release`]).
//!
//! Targets other than EC2 are released by a CloudFormation update of the environment stack
//! with release parameters (ECS: the image tag; docs/targets.md): [`release_overrides`] gives
//! them to every CloudFormation action of the pipeline, and [`pipeline_extras`] what the
//! pipeline stack holds for the target (ECS: the image repository and the rights to push to it).

pub mod ec2;
pub mod ecs;
pub mod lambda;

use super::infra::{Ctx, Template, Values};
use super::OutputFile;
use crate::ir::{App, Deploy, Env, HealthCheck, LambdaEntry, Program};
use serde_json::Value;

/// What the load balancer forwards to: the app's port and health check, and the target
/// group's `TargetType` (`instance`, `ip` for Fargate tasks, or `lambda`: no port, and a health
/// check only when the app gives a path).
pub struct Backend<'a> {
    pub port: u16,
    pub health_check: Option<&'a HealthCheck>,
    pub target_type: &'static str,
}

/// The load balancer's backend of the app, or `None` when the app has no load balancer (a
/// Lambda function served by its URL): the environment then has none.
pub fn backend(app: &App) -> Option<Backend<'_>> {
    match &app.deploy {
        Deploy::Ec2(d) => {
            Some(Backend { port: d.port, health_check: Some(&d.health_check), target_type: "instance" })
        }
        Deploy::Ecs(d) => {
            Some(Backend { port: d.port, health_check: Some(&d.health_check), target_type: "ip" })
        }
        Deploy::Lambda(d) => match &d.entry {
            LambdaEntry::LoadBalancer { health_check } => {
                Some(Backend { port: 443, health_check: health_check.as_ref(), target_type: "lambda" })
            }
            LambdaEntry::Url { .. } => None,
        },
    }
}

/// The listener's default action: forward to the app's target group (`TargetGroup`), or, for a
/// target with a second fleet, weighted between them; `add_group(t, id, suffix)` adds another
/// target group of the backend.
pub fn forward(ctx: &Ctx, t: &mut Template, add_group: &dyn Fn(&mut Template, &str, &str)) -> Value {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => ec2::blue_green::forward(ctx, t, add_group),
        // ECS shifts traffic with its own listener rules (`ecs::release`), Lambda with the
        // alias's weights (`lambda::release`).
        Deploy::Ecs(_) | Deploy::Lambda(_) => {
            crate::codegen::json::json!({"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}})
        }
    }
}

/// Whether some environment of the app is released by CodeDeploy (then the environment stack
/// gets the pipeline stack's CodeDeploy application as a parameter).
pub fn uses_codedeploy(ctx: &Ctx) -> bool {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => ec2::release::condition(ctx, crate::ir::ReleaseKind::InPlace).is_some(),
        // A Lambda stack owns its CodeDeploy application (`ComputePlatform: Lambda`).
        Deploy::Ecs(_) | Deploy::Lambda(_) => false,
    }
}

/// Adds what runs the app (instances, tasks, functions) to the environment template.
pub fn add_compute(ctx: &Ctx, t: &mut Template) {
    match &ctx.app.deploy {
        Deploy::Ec2(d) => {
            ec2::release::add(ctx, t);
            ec2::compute::add(ctx, d, t);
        }
        Deploy::Ecs(d) => ecs::service::add(ctx, d, t),
        Deploy::Lambda(d) => lambda::function::add(ctx, d, t),
    }
}

/// The parameter values of [`add_compute`] for `env`.
pub fn compute_values(ctx: &Ctx, env: &Env, v: &mut Values) {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => {
            ec2::release::values(ctx, env, v);
            ec2::compute::values(ctx, env, v);
        }
        Deploy::Ecs(_) => ecs::service::values(ctx, env, v),
        Deploy::Lambda(_) => lambda::function::values(ctx, env, v),
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
        Deploy::Ecs(_) => ecs::release::add(ctx, t),
        Deploy::Lambda(d) => lambda::release::add(ctx, d, t),
    }
}

/// The parameter values of [`add_release`] for `env`.
pub fn release_values(ctx: &Ctx, env: &Env, v: &mut Values) {
    match &ctx.app.deploy {
        Deploy::Ec2(_) => ec2::deployment::values(ctx, env, v),
        Deploy::Ecs(_) => ecs::release::values(ctx, env, v),
        Deploy::Lambda(_) => lambda::release::values(ctx, env, v),
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
        Deploy::Ecs(_) | Deploy::Lambda(_) => Vec::new(),
    }
}

/// The template of the app's image stack, when the app bakes one per run (EC2: an Image Builder
/// image from the build's artifact).
pub fn image_template(program: &Program, app: &App) -> Option<Value> {
    match &app.deploy {
        Deploy::Ec2(d) => ec2::image::template(program, app, d),
        Deploy::Ecs(_) | Deploy::Lambda(_) => None,
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
        Deploy::Ecs(_) => ecs::image::build_extras(),
        Deploy::Lambda(_) => lambda::build_extras(app),
    }
}

/// The pipeline's action releasing the app to `env` (`ir::ActionKind::DeployApp`): its provider
/// (category `Deploy`) and configuration; `None` for a target released by a CloudFormation
/// update of the environment stack (`Deploy::released_by_stack`), which the pipeline then
/// runs with [`release_overrides`]. `application` is the pipeline stack's CodeDeploy application.
pub fn deploy_action(app: &App, env: &str, application: Value) -> Option<(&'static str, Value)> {
    match &app.deploy {
        Deploy::Ec2(_) => Some(ec2::deployment::pipeline_action(app, env, application)),
        Deploy::Ecs(_) | Deploy::Lambda(_) => None,
    }
}

/// The release parameters every CloudFormation action of the app's environment stack passes
/// (`ParameterOverrides`), so that no update falls back to an older version: name, and value
/// as JSON text (CodePipeline's `Fn::GetParam`/`Fn::GetArtifactAtt` of `build_artifact`, or a
/// string with `${...}` of the pipeline template's `Fn::Sub`). Their names are in
/// `naming::PASSED_BY_PIPELINE`. Empty for EC2.
pub fn release_overrides(app: &App, build_artifact: &str) -> Vec<(&'static str, String)> {
    match &app.deploy {
        Deploy::Ec2(_) => Vec::new(),
        Deploy::Ecs(_) => ecs::image::release_overrides(build_artifact),
        Deploy::Lambda(_) => lambda::release_overrides(build_artifact),
    }
}

/// Which of the pipeline's shared resources the app's environment stacks use: the artifact
/// bucket (the pipeline passes `ArtifactBucket`: EC2 instances download revisions from it, a
/// Lambda function's code is an object in it), the bucket's key (`ArtifactKeyArn`: the EC2
/// instances decrypt the revisions; CloudFormation's role reads a function's code) and the
/// CodeDeploy application (the pipeline stack creates it, the environment stack gets its name as
/// `CodeDeployApplication`; a Lambda stack owns its own, `ComputePlatform: Lambda`). A stack that
/// does not use them does not declare them (cfn-lint W2001), and the pipeline neither passes
/// nor creates them.
pub struct SharedResources {
    pub artifact_bucket: bool,
    pub artifact_key: bool,
    pub codedeploy_application: bool,
}

/// The shared resources the app's target uses.
pub fn shared_resources(app: &App) -> SharedResources {
    match &app.deploy {
        Deploy::Ec2(_) => {
            SharedResources { artifact_bucket: true, artifact_key: true, codedeploy_application: true }
        }
        Deploy::Ecs(_) => {
            SharedResources { artifact_bucket: false, artifact_key: false, codedeploy_application: false }
        }
        Deploy::Lambda(_) => {
            SharedResources { artifact_bucket: true, artifact_key: false, codedeploy_application: false }
        }
    }
}

/// What the pipeline stack holds for the app's target, beside what every pipeline has.
#[derive(Default)]
pub struct PipelineExtras {
    /// Resources, by logical ID (ECS: the image repository).
    pub resources: Vec<(String, Value)>,
    /// Environment variables of the app's build project (`EnvironmentVariables` entries).
    pub build_variables: Vec<Value>,
    /// Statements of the CodeBuild role (ECS: push to the repository).
    pub build_statements: Vec<Value>,
    /// Statements of the CloudFormation role, to manage the target's resources in the
    /// environment stacks (EC2: the Auto Scaling group; ECS: clusters, services, ...).
    pub deploy_statements: Vec<Value>,
    /// What the target's roles in the environment stacks need beyond the instances' (ECS: pull
    /// the image, read the container's secrets, shift the listener rules; Lambda: the function's
    /// logs and network interfaces, CodeDeploy's shift of the alias), for the permissions
    /// boundary of every environment role (`pipeline::boundary`).
    pub boundary_statements: Vec<Value>,
    /// Services the CloudFormation role may pass the environment's roles to.
    pub pass_role_to: Vec<&'static str>,
    /// Services whose service-linked role the CloudFormation role may create.
    pub service_linked_roles: Vec<&'static str>,
}

/// The pipeline stack's additions for the app's target. `prefix` names the pipeline's
/// resources (`<app>-<pipeline>`); `stacks` are the environment stacks it deploys, of `envs`.
pub fn pipeline_extras(app: &App, prefix: &str, stacks: &[String], envs: &[&Env]) -> PipelineExtras {
    match &app.deploy {
        Deploy::Ec2(_) => PipelineExtras::default(),
        Deploy::Ecs(d) => {
            let names: Vec<String> = envs.iter().map(|e| e.name.clone()).collect();
            ecs::image::pipeline_extras(&app.name, d, prefix, &names)
        }
        Deploy::Lambda(_) => lambda::pipeline_extras(app, stacks, envs),
    }
}
