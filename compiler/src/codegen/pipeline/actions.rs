//! The `AWS::CodePipeline::Pipeline` resource: stages and actions exactly as in the IR.

use super::{approvals, builds, get_att, ids, reference, source, sub, Ctx};
use crate::codegen::naming;
use crate::ir::{Action, ActionKind, ExecutionMode, InfraMode, PipelineType};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The change set name of an environment's reviewed changes.
pub(super) fn change_set_name(env: &str) -> String {
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

/// Namespaces given to infra actions, keyed by (stage index, action index), and for each env
/// the namespace a later test reads.
struct Namespaces {
    by_action: BTreeMap<(usize, usize), String>,
}

fn namespaces(ctx: &Ctx) -> Namespaces {
    let mut by_action = BTreeMap::new();
    let mut used: BTreeMap<String, u32> = BTreeMap::new();
    for (si, stage) in ctx.pipeline.stages.iter().enumerate() {
        for (ai, action) in stage.actions.iter().enumerate() {
            if let ActionKind::DeployInfra {
                env,
                mode: InfraMode::CreateUpdate | InfraMode::ExecuteChangeSet,
            } = &action.kind
            {
                let base = naming::infra_namespace(env);
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
    /// The namespace of the latest infra action of `env` that runs before the action at
    /// (`si`, run order `ro`): an earlier stage, or the same stage with a lower run order.
    fn before(&self, ctx: &Ctx, env: &str, si: usize, ro: u32) -> Option<&String> {
        let mut best: Option<((usize, u32), &String)> = None;
        for ((s, a), ns) in &self.by_action {
            let action = &ctx.pipeline.stages[*s].actions[*a];
            let ActionKind::DeployInfra { env: e, .. } = &action.kind else { continue };
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

fn infra_config(ctx: &Ctx, action: &Action, env: &str, mode: InfraMode) -> Value {
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
        c.insert("ParameterOverrides".into(), sub(&parameter_overrides(ctx, &input)));
        c.insert("Capabilities".into(), json!("CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"));
        c.insert("RoleArn".into(), get_att(ids::DEPLOY_ROLE, "Arn"));
    }
    Value::Object(c)
}

/// The JSON text of a CloudFormation action's `ParameterOverrides` (inside `Fn::Sub`): the
/// artifact bucket and key, and the target's release parameters (`targets::release_overrides`).
fn parameter_overrides(ctx: &Ctx, build_artifact: &str) -> String {
    let mut entries = Vec::new();
    let shared = crate::codegen::targets::shared_resources(ctx.app);
    if shared.artifact_bucket {
        entries.push(format!("\"{}\": \"${{{}}}\"", naming::artifact_bucket_parameter(), ids::BUCKET));
    }
    if shared.artifact_key {
        entries.push(format!("\"{}\": \"${{{}.Arn}}\"", naming::artifact_key_parameter(), ids::KEY));
    }
    entries.push(format!("\"{}\": \"${{{}}}\"", naming::permissions_boundary_parameter(), ids::BOUNDARY));
    for (name, value) in crate::codegen::targets::release_overrides(ctx.app, build_artifact) {
        entries.push(format!("\"{name}\": {value}"));
    }
    format!("{{{}}}", entries.join(", "))
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
                if let Some(n) = ns.before(ctx, env, si, action.run_order) {
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
            (type_id("Deploy", "CloudFormation"), infra_config(ctx, action, env, *mode))
        }
        ActionKind::DeployApp { env } => {
            match crate::codegen::targets::deploy_action(ctx.app, env, ctx.codedeploy_application()) {
                Some((provider, config)) => (type_id("Deploy", provider), config),
                // Released by an update of the environment stack with the release parameters.
                None => (
                    type_id("Deploy", "CloudFormation"),
                    infra_config(ctx, action, env, InfraMode::CreateUpdate),
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
    a.insert("Name".into(), json!(action.name));
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
    a.insert("RunOrder".into(), json!(action.run_order));
    if let Some(t) = timeout {
        a.insert("TimeoutInMinutes".into(), json!(t));
    }
    Value::Object(a)
}

pub(super) fn add(ctx: &mut Ctx) {
    let ns = namespaces(ctx);
    let stages: Vec<Value> = ctx
        .pipeline
        .stages
        .iter()
        .enumerate()
        .map(|(si, stage)| {
            let actions: Vec<Value> =
                stage.actions.iter().enumerate().map(|(ai, a)| action_value(ctx, &ns, si, ai, a)).collect();
            let mut declaration = Map::new();
            declaration.insert("Name".into(), json!(stage.name));
            declaration.insert("Actions".into(), json!(actions));
            super::conditions::add(ctx, stage, &mut declaration);
            Value::Object(declaration)
        })
        .collect();
    let mut props = Map::new();
    props.insert("Name".into(), json!(ctx.pipeline_name()));
    props.insert("RoleArn".into(), get_att(ids::PIPELINE_ROLE, "Arn"));
    props.insert(
        "ArtifactStore".into(),
        json!({
            "Type": "S3",
            "Location": reference(ids::BUCKET),
            "EncryptionKey": { "Id": get_att(ids::KEY, "Arn"), "Type": "KMS" }
        }),
    );
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
    props.insert("RestartExecutionOnUpdate".into(), json!(false));
    props.insert("Stages".into(), json!(stages));
    if let Some(triggers) = super::triggers::pipeline_triggers(ctx) {
        props.insert("Triggers".into(), triggers);
    }
    let resource = json!({ "Type": "AWS::CodePipeline::Pipeline", "Properties": Value::Object(props) });
    ctx.add(ids::PIPELINE, ctx.tagged(resource));
    ctx.output("PipelineName", "The pipeline", reference(ids::PIPELINE));
}
