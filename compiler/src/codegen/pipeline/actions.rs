//! The `AWS::CodePipeline::Pipeline` resource: stages and actions exactly as in the IR.

use super::{accounts, approvals, builds, get_att, ids, reference, release, source, sub, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::codegen::targets::ec2::image;
use crate::ir::{Action, ActionKind, ExecutionMode, InfraMode, PipelineType, ReleaseKind, ReleaseStep};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The change set name of an environment's reviewed changes.
pub(crate) fn change_set_name(env: &str) -> String {
    format!("pf-{env}")
}

fn type_id(category: &str, provider: &str) -> Value {
    json!({ "Category": category, "Owner": "AWS", "Provider": provider, "Version": "1" })
}

/// A Lambda function's ARN from a name or an ARN.
pub(super) fn function_arn(function: &str) -> Value {
    if function.starts_with("arn:") {
        json!(function)
    } else {
        super::arn("lambda", &format!("function:{function}"))
    }
}

/// Namespaces given to infra actions and blue/green plan steps, keyed by (stage index, action
/// index): a later test reads the infra action's, a release's stack updates the plan's.
struct Namespaces {
    by_action: BTreeMap<(usize, usize), String>,
}

fn namespaces(ctx: &Ctx) -> Namespaces {
    let mut by_action = BTreeMap::new();
    let mut used: BTreeMap<String, u32> = BTreeMap::new();
    for (si, stage) in ctx.pipeline.stages.iter().enumerate() {
        for (ai, action) in stage.actions.iter().enumerate() {
            let base = match &action.kind {
                ActionKind::DeployInfra {
                    env,
                    mode: InfraMode::CreateUpdate | InfraMode::ExecuteChangeSet,
                } => Some(naming::infra_namespace(env)),
                ActionKind::Release { env, step: ReleaseStep::Plan } => Some(plan_namespace(env)),
                _ => None,
            };
            if let Some(base) = base {
                let n = used.entry(base.clone()).or_insert(0);
                *n += 1;
                let ns = if *n == 1 { base } else { format!("{base}-{n}") };
                by_action.insert((si, ai), ns);
            }
        }
    }
    Namespaces { by_action }
}

impl Namespaces {
    /// The namespace of the latest infra action (`plan`: plan step) of `env` that runs before
    /// the action at (`si`, run order `ro`): an earlier stage, or the same stage with a lower
    /// run order.
    fn before(&self, ctx: &Ctx, env: &str, si: usize, ro: u32, plan: bool) -> Option<&String> {
        let mut best: Option<((usize, u32), &String)> = None;
        for ((s, a), ns) in &self.by_action {
            let action = &ctx.pipeline.stages[*s].actions[*a];
            let e = match &action.kind {
                ActionKind::DeployInfra { env, .. } if !plan => env,
                ActionKind::Release { env, .. } if plan => env,
                _ => continue,
            };
            if e != env || *s > si || (*s == si && action.run_order >= ro) {
                continue;
            }
            let pos = (*s, action.run_order);
            let later = match best {
                None => true,
                Some((b, _)) => pos >= b,
            };
            if later {
                best = Some((pos, ns));
            }
        }
        best.map(|(_, ns)| ns)
    }
}

/// `ParameterOverrides` of a CloudFormation action: the artifact bucket and key (for targets
/// that use the store), the permissions boundary of the stack's roles, the target's release
/// parameters (`targets::release_overrides`), then `extra` (name, value) in order.
/// In another account or region (`env`), the bucket and key are that region's store and the
/// boundary is the target account's (`accounts`).
fn overrides(ctx: &Ctx, env: Option<&str>, build_artifact: &str, extra: &[(&str, String)]) -> Value {
    let mut entries = Vec::new();
    let shared = crate::codegen::targets::shared_resources(ctx.app);
    let region = env.and_then(|e| accounts::remote_region(ctx.program, e));
    let account = env.and_then(|e| accounts::remote_account(ctx.program, e));
    if shared.artifact_bucket {
        let bucket = match region {
            None => format!("${{{}}}", ids::BUCKET),
            Some(r) => accounts::regional_bucket_name(&ctx.app.name, r),
        };
        entries.push(format!("\"{}\": \"{bucket}\"", naming::artifact_bucket_parameter()));
    }
    if shared.artifact_key {
        let key = match region {
            None => format!("${{{}.Arn}}", ids::KEY),
            Some(r) => format!("${{{}}}", accounts::regional_key_parameter(r)),
        };
        entries.push(format!("\"{}\": \"{key}\"", naming::artifact_key_parameter()));
    }
    let boundary = match account {
        None => format!("${{{}}}", ids::BOUNDARY),
        Some(a) => format!(
            "arn:${{AWS::Partition}}:iam::{}:policy/{}",
            accounts::account_sub(a),
            accounts::boundary_name(&ctx.app.name)
        ),
    };
    entries.push(format!("\"{}\": \"{boundary}\"", naming::permissions_boundary_parameter()));
    for (name, value) in crate::codegen::targets::release_overrides(ctx.app, build_artifact) {
        entries.push(format!("\"{name}\": {value}"));
    }
    for (k, v) in extra {
        entries.push(format!("\"{k}\": {v}"));
    }
    sub(&format!("{{{}}}", entries.join(", ")))
}

/// A pipeline variable as a JSON string value.
fn variable(namespace: &str, name: &str) -> String {
    format!("\"#{{{namespace}.{name}}}\"")
}

/// The environment stack's parameters a release sets: the run's AMI, and for blue/green the
/// colours and weights of `step` (`None`: the infra action, which starts the new colour).
fn release_overrides(
    ctx: &Ctx,
    env: &str,
    plan: &str,
    step: Option<ReleaseStep>,
) -> Vec<(&'static str, String)> {
    use crate::codegen::targets::ec2::release as bg;
    let mut out = Vec::new();
    if !matches!(ctx.app.deploy, crate::ir::Deploy::Ec2(_)) {
        // The AMI and the colours are EC2's; other targets release with `targets::release_overrides`.
        return out;
    }
    if bakes(ctx) {
        out.push(("ImageId", variable(naming::IMAGE_ACTION, naming::IMAGE_ID_OUTPUT)));
    }
    let blue_green = ctx.program.env(env).is_some_and(|e| e.strategy.kind() == ReleaseKind::BlueGreen);
    if !blue_green {
        // The template has `LiveImageId` when another environment of the app is blue/green.
        let template_has_colours = crate::codegen::infra::deployed_envs(ctx.program, &ctx.app.name)
            .iter()
            .any(|e| e.strategy.kind() == ReleaseKind::BlueGreen);
        if template_has_colours {
            out.push((bg::LIVE_IMAGE, variable(naming::IMAGE_ACTION, naming::IMAGE_ID_OUTPUT)));
        }
        return out;
    }
    let (weight, active) = match step {
        None => (0, true),
        Some(ReleaseStep::Shift { weight }) => (weight, true),
        _ => (0, false),
    };
    if step == Some(ReleaseStep::Finish) {
        // The new colour becomes the live one; the old one keeps its AMI (its launch template
        // does not change) while it scales to zero.
        if let Some(image) = out.iter_mut().find(|(k, _)| *k == "ImageId") {
            image.1 = variable(plan, "LIVE_IMAGE");
        }
        out.push((bg::LIVE_COLOUR, variable(plan, "NEW_COLOUR")));
        out.push((bg::LIVE_IMAGE, variable(naming::IMAGE_ACTION, naming::IMAGE_ID_OUTPUT)));
    } else {
        out.push((bg::LIVE_COLOUR, variable(plan, "LIVE_COLOUR")));
        out.push((bg::LIVE_IMAGE, variable(plan, "LIVE_IMAGE")));
    }
    out.push((bg::NEW_WEIGHT, format!("\"{weight}\"")));
    out.push((bg::OLD_WEIGHT, format!("\"{}\"", 100 - weight)));
    out.push((bg::NEW_ACTIVE, format!("\"{active}\"")));
    out
}

/// Whether the pipeline's app bakes an image per run.
fn bakes(ctx: &Ctx) -> bool {
    ctx.app.deploy.baked_image().is_some()
}

/// The namespace of a blue/green release's plan step.
fn plan_namespace(env: &str) -> String {
    format!("plan-{env}")
}

fn infra_config(
    ctx: &Ctx,
    action: &Action,
    env: &str,
    mode: InfraMode,
    plan: &str,
    step: Option<ReleaseStep>,
) -> Value {
    let project = &ctx.program.project;
    let stack = naming::env_stack_name(&ctx.app.name, env);
    let mut c = Map::new();
    let (mode_name, change_set) = match mode {
        InfraMode::CreateUpdate => ("CREATE_UPDATE", None),
        InfraMode::CreateChangeSet => ("CHANGE_SET_REPLACE", Some(change_set_name(env))),
        InfraMode::ExecuteChangeSet => ("CHANGE_SET_EXECUTE", Some(change_set_name(env))),
    };
    c.insert("ActionMode".into(), json!(mode_name));
    c.insert("StackName".into(), json!(stack));
    if let Some(cs) = change_set {
        c.insert("ChangeSetName".into(), json!(cs));
    }
    if mode != InfraMode::ExecuteChangeSet {
        let input = action.inputs.first().cloned().unwrap_or_default();
        let template = naming::in_repo(project, &naming::infra_template_file(&ctx.app.name, ctx.cfn_ext()));
        let config = naming::in_repo(project, &naming::config_file(&ctx.app.name, env));
        c.insert("TemplatePath".into(), json!(format!("{input}::{template}")));
        c.insert("TemplateConfiguration".into(), json!(format!("{input}::{config}")));
        c.insert(
            "ParameterOverrides".into(),
            overrides(ctx, Some(env), &input, &release_overrides(ctx, env, plan, step)),
        );
        c.insert("Capabilities".into(), json!("CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"));
        let role = accounts::execution_role(ctx, env).unwrap_or_else(|| get_att(ids::DEPLOY_ROLE, "Arn"));
        c.insert("RoleArn".into(), role);
    }
    Value::Object(c)
}

/// The image action: creates or updates `<app>-image` with this run's artifact and id.
fn image_config(ctx: &Ctx, action: &Action) -> Value {
    let project = &ctx.program.project;
    let input = action.inputs.first().cloned().unwrap_or_default();
    let template = naming::in_repo(project, &naming::image_template_file(&ctx.app.name, ctx.cfn_ext()));
    let artifact = |att: &str| format!("{{\"Fn::GetArtifactAtt\": [\"{input}\", \"{att}\"]}}");
    json!({
        "ActionMode": "CREATE_UPDATE",
        "StackName": naming::image_stack_name(&ctx.app.name),
        "TemplatePath": format!("{input}::{template}"),
        "ParameterOverrides": overrides(ctx, None, &input, &[
            (image::REVISION_KEY, artifact("ObjectKey")),
            (image::RUN_ID, "\"#{codepipeline.PipelineExecutionId}\"".to_string()),
        ]),
        "Capabilities": "CAPABILITY_IAM",
        "RoleArn": get_att(ids::DEPLOY_ROLE, "Arn")
    })
}

/// A blue/green release job step (plan or wait) on the release project.
fn release_job(ctx: &Ctx, env: &str, plan: &str, step: ReleaseStep) -> Value {
    let mut vars = vec![
        json!({"name": "PF_STACK", "value": naming::env_stack_name(&ctx.app.name, env), "type": "PLAINTEXT"}),
        json!({"name": "PF_IMAGE", "value": format!("#{{{}.{}}}", naming::IMAGE_ACTION, naming::IMAGE_ID_OUTPUT), "type": "PLAINTEXT"}),
    ];
    match step {
        ReleaseStep::Wait { seconds } => {
            let alarms: Vec<String> = ctx
                .program
                .env(env)
                .map(|e| {
                    e.rollback
                        .on_alarms
                        .iter()
                        .map(|a| format!("{}-{a}", naming::deployment_group(&ctx.app.name, env)))
                        .collect()
                })
                .unwrap_or_default();
            vars.insert(0, json!({"name": "PF_STEP", "value": "wait", "type": "PLAINTEXT"}));
            vars.push(json!({"name": "PF_SECONDS", "value": seconds.to_string(), "type": "PLAINTEXT"}));
            vars.push(json!({"name": "PF_NEW_COLOUR", "value": format!("#{{{plan}.NEW_COLOUR}}"), "type": "PLAINTEXT"}));
            vars.push(json!({"name": "PF_ALARMS", "value": alarms.join(" "), "type": "PLAINTEXT"}));
        }
        _ => vars.insert(0, json!({"name": "PF_STEP", "value": "plan", "type": "PLAINTEXT"})),
    }
    json!({"ProjectName": reference(release::PROJECT), "EnvironmentVariables": Value::Array(vars).to_string()})
}

fn action_value(ctx: &Ctx, ns: &Namespaces, si: usize, ai: usize, action: &Action) -> Value {
    let mut namespace = None;
    let mut timeout = None;
    let (type_id, config) = match &action.kind {
        ActionKind::Source => source::action(ctx),
        ActionKind::Build => {
            (type_id("Build", "CodeBuild"), json!({ "ProjectName": { "Ref": "BuildProject" } }))
        }
        ActionKind::Test(job) => {
            let project = builds::Job { test: Some(&job.name), build: &job.build };
            let mut c = json!({ "ProjectName": reference(&project.logical_id()) });
            if let Some(env) = &job.env {
                if let Some(n) = ns.before(ctx, env, si, action.run_order, false) {
                    let vars = json!([{ "name": "APP_URL", "value": format!("#{{{n}.{}}}", naming::env_url_output()), "type": "PLAINTEXT" }]);
                    c["EnvironmentVariables"] = json!(vars.to_string());
                }
            }
            (type_id("Test", "CodeBuild"), c)
        }
        ActionKind::Approve(approval) => {
            let mut c = json!({ "NotificationArn": reference(&approvals::topic_id(&approval.group)) });
            if let Some(m) = &approval.message {
                c["CustomData"] = json!(m);
            }
            if let Some(l) = &approval.link {
                c["ExternalEntityLink"] = json!(l);
            }
            timeout = Some(approval.timeout_minutes);
            (type_id("Approval", "Manual"), c)
        }
        ActionKind::CheckDistinctApprovers { approvals: list } => (
            type_id("Invoke", "Lambda"),
            json!({
                "FunctionName": reference(ids::CHECK_FUNCTION),
                "UserParameters": approvals::check_parameters(ctx, list)
            }),
        ),
        ActionKind::DeployInfra { env, mode } => {
            namespace = ns.by_action.get(&(si, ai)).cloned();
            let plan = ns.before(ctx, env, si, action.run_order, true).cloned().unwrap_or_default();
            (type_id("Deploy", "CloudFormation"), infra_config(ctx, action, env, *mode, &plan, None))
        }
        ActionKind::BakeImage => {
            namespace = Some(naming::IMAGE_ACTION.to_string());
            (type_id("Deploy", "CloudFormation"), image_config(ctx, action))
        }
        ActionKind::Release { env, step } => {
            let plan = ns.before(ctx, env, si, action.run_order, true).cloned().unwrap_or_default();
            match step {
                ReleaseStep::Plan => {
                    namespace = ns.by_action.get(&(si, ai)).cloned();
                    (type_id("Build", "CodeBuild"), release_job(ctx, env, &plan, *step))
                }
                ReleaseStep::Wait { .. } => {
                    (type_id("Build", "CodeBuild"), release_job(ctx, env, &plan, *step))
                }
                ReleaseStep::Shift { .. } | ReleaseStep::Finish => (
                    type_id("Deploy", "CloudFormation"),
                    infra_config(ctx, action, env, InfraMode::CreateUpdate, &plan, Some(*step)),
                ),
            }
        }
        ActionKind::DeployApp { env } => {
            // In another account the application is the bootstrap stack's, by name.
            let application = if accounts::remote_account(ctx.program, env).is_some() {
                json!(naming::codedeploy_application(&ctx.app.name))
            } else {
                ctx.codedeploy_application()
            };
            match crate::codegen::targets::deploy_action(ctx.app, env, application) {
                Some((provider, config)) => (type_id("Deploy", provider), config),
                // Released by an update of the environment stack with the release parameters.
                None => (
                    type_id("Deploy", "CloudFormation"),
                    infra_config(ctx, action, env, InfraMode::CreateUpdate, "", None),
                ),
            }
        }
        ActionKind::Invoke { function, params } => {
            let mut c = json!({ "FunctionName": function });
            if let Some(p) = params {
                c["UserParameters"] = json!(p);
            }
            (type_id("Invoke", "Lambda"), c)
        }
    };
    let mut a = Map::new();
    a.insert("Name".into(), json!(&action.name));
    a.insert("ActionTypeId".into(), type_id);
    a.insert("Configuration".into(), config);
    if !action.inputs.is_empty() {
        a.insert(
            "InputArtifacts".into(),
            json!(action.inputs.iter().map(|n| json!({"Name": n})).collect::<Vec<_>>()),
        );
    }
    if !action.outputs.is_empty() {
        a.insert(
            "OutputArtifacts".into(),
            json!(action.outputs.iter().map(|n| json!({"Name": n})).collect::<Vec<_>>()),
        );
    }
    if let Some(n) = namespace {
        a.insert("Namespace".into(), json!(n));
    }
    if let Some(env) = action_env(action) {
        let (role, region) = accounts::action_placement(ctx, env);
        if let Some(role) = role {
            a.insert("RoleArn".into(), role);
        }
        if let Some(region) = region {
            a.insert("Region".into(), json!(region));
        }
    }
    a.insert("RunOrder".into(), json!(action.run_order));
    if let Some(t) = timeout {
        a.insert("TimeoutInMinutes".into(), json!(t));
    }
    Value::Object(a)
}

/// The environment an action deploys to (its account and region are the environment's).
fn action_env(action: &Action) -> Option<&str> {
    match &action.kind {
        ActionKind::DeployInfra { env, .. }
        | ActionKind::DeployApp { env }
        | ActionKind::Release { env, .. } => Some(env),
        _ => None,
    }
}

/// Adds the pipeline; `after_source`: the self-update stages (`self_update::stages`), if any.
pub(super) fn add(ctx: &mut Ctx, after_source: Vec<Value>) {
    let ns = namespaces(ctx);
    let restart = !after_source.is_empty();
    let mut stages: Vec<Value> = ctx
        .pipeline
        .stages
        .iter()
        .enumerate()
        .map(|(si, stage)| {
            let actions: Vec<Value> =
                stage.actions.iter().enumerate().map(|(ai, a)| action_value(ctx, &ns, si, ai, a)).collect();
            let mut declaration = Map::new();
            declaration.insert("Name".into(), json!(&stage.name));
            declaration.insert("Actions".into(), json!(actions));
            super::conditions::add(ctx, stage, &mut declaration);
            Value::Object(declaration)
        })
        .collect();
    let at = stages.len().min(1);
    stages.splice(at..at, after_source);
    let mut props = Map::new();
    props.insert("Name".into(), json!(ctx.pipeline_name()));
    props.insert("RoleArn".into(), get_att(ids::PIPELINE_ROLE, "Arn"));
    match accounts::artifact_stores(ctx) {
        Some(stores) => {
            props.insert("ArtifactStores".into(), stores);
        }
        None => {
            props.insert(
                "ArtifactStore".into(),
                json!({
                    "Type": "S3",
                    "Location": reference(ids::BUCKET),
                    "EncryptionKey": { "Id": get_att(ids::KEY, "Arn"), "Type": "KMS" }
                }),
            );
        }
    }
    match ctx.pipeline.pipeline_type {
        PipelineType::V1 => {
            props.insert("PipelineType".into(), json!("V1"));
        }
        PipelineType::V2 => {
            props.insert("PipelineType".into(), json!("V2"));
            let mode = match ctx.pipeline.execution_mode {
                ExecutionMode::Superseded => "SUPERSEDED",
                ExecutionMode::Queued => "QUEUED",
                ExecutionMode::Parallel => "PARALLEL",
            };
            props.insert("ExecutionMode".into(), json!(mode));
        }
    }
    // A self-updated pipeline starts over with its new definition.
    props.insert("RestartExecutionOnUpdate".into(), json!(restart));
    props.insert("Stages".into(), json!(stages));
    if let Some(triggers) = super::triggers::pipeline_triggers(ctx) {
        props.insert("Triggers".into(), triggers);
    }
    let resource = json!({ "Type": "AWS::CodePipeline::Pipeline", "Properties": Value::Object(props) });
    ctx.add(ids::PIPELINE, ctx.tagged(resource));
    ctx.output("PipelineName", "The pipeline", reference(ids::PIPELINE));
}
