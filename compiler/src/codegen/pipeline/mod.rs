//! The pipeline stack: one CloudFormation template per IR [`Pipeline`], deployed once by hand,
//! that holds everything the pipeline runs with (artifact bucket and key, CodeBuild projects,
//! the CodeDeploy application, approval topics and approver policies, triggers, roles) and the
//! `AWS::CodePipeline::Pipeline` itself. See `docs/pipeline-stack.md`.
//!
//! Each submodule adds its resources to a [`Ctx`]; [`template`] assembles them in a fixed order,
//! so generation is deterministic.

pub(crate) mod accounts;
mod actions;
mod approvals;
pub(crate) mod boundary;
pub(crate) mod bucket;
mod builds;
mod conditions;
pub(crate) mod iam;
mod release;
pub(crate) mod self_update;
mod source;
mod triggers;

pub(crate) use actions::change_set_name;
pub use approvals::DISTINCT_APPROVERS_PY;
pub use release::RELEASE_JOB_SH;
pub use self_update::{SELF_UPDATE_PY, STAGES as SELF_UPDATE_STAGES};

use super::{cfn, naming, CfnFormat, Options, OutputFile};
use crate::codegen::json::json;
use crate::ir::{App, Pipeline, Program};
use crate::review::stack;
use serde_json::{Map, Value};

/// Logical IDs shared between the submodules.
pub(crate) mod ids {
    pub const KEY: &str = "ArtifactKey";
    pub const BUCKET: &str = "ArtifactBucket";
    pub const PIPELINE: &str = "Pipeline";
    pub const PIPELINE_ROLE: &str = "PipelineRole";
    pub const CODEBUILD_ROLE: &str = "CodeBuildRole";
    pub const DEPLOY_ROLE: &str = "CloudFormationRole";
    pub const EVENTS_ROLE: &str = "EventsRole";
    pub const REPOSITORY: &str = "Repository";
    pub const APPLICATION: &str = "CodeDeployApplication";
    pub const CHECK_FUNCTION: &str = "DistinctApproversFunction";
    pub const BOUNDARY: &str = "EnvironmentRoleBoundary";
}

/// The state of one template's generation.
pub(crate) struct Ctx<'a> {
    pub program: &'a Program,
    pub pipeline: &'a Pipeline,
    pub app: &'a App,
    /// The serialization of the templates (picks the infra template's extension).
    pub format: CfnFormat,
    /// What the app's deploy target adds to the pipeline stack (`targets::pipeline_extras`).
    pub extras: crate::codegen::targets::PipelineExtras,
    pub resources: Map<String, Value>,
    pub outputs: Map<String, Value>,
}

impl<'a> Ctx<'a> {
    /// Adds a resource.
    pub fn add(&mut self, id: &str, resource: Value) {
        self.resources.insert(id.to_string(), resource);
    }

    /// Adds an output.
    pub fn output(&mut self, id: &str, description: &str, value: Value) {
        self.outputs.insert(id.to_string(), json!({"Description": description, "Value": value}));
    }

    /// The pipeline's name, `<app>-<pipeline>`.
    pub fn pipeline_name(&self) -> String {
        naming::pipeline_name(self.pipeline)
    }

    /// A prefix for the names of this stack's resources: `<app>-<pipeline>`.
    pub fn prefix(&self) -> String {
        self.pipeline_name()
    }

    /// Whether this pipeline's stack creates the app's own resources, those named after the app
    /// rather than the pipeline (the CodeDeploy application, a repository it creates): the
    /// app's first pipeline in program order does; the others use them by name, so several
    /// pipelines of one app do not create the same resource twice.
    pub fn owns_app_resources(&self) -> bool {
        self.program
            .pipelines
            .iter()
            .find(|p| p.app == self.app.name)
            .is_none_or(|p| p.name == self.pipeline.name)
    }

    /// The CodeDeploy application: a reference where this stack creates it, its name otherwise.
    pub fn codedeploy_application(&self) -> Value {
        if self.owns_app_resources() {
            reference(ids::APPLICATION)
        } else {
            json!(naming::codedeploy_application(&self.app.name))
        }
    }

    /// The pipeline's ARN (built from its name, so no dependency on the pipeline resource).
    pub fn pipeline_arn(&self) -> Value {
        arn("codepipeline", &self.pipeline_name())
    }

    /// The project's tags and the app's, as a CloudFormation `Tags` list (app wins).
    pub fn tags(&self) -> Option<Value> {
        let mut all = self.program.project.tags.clone();
        all.extend(self.app.tags.clone());
        if all.is_empty() {
            return None;
        }
        Some(Value::Array(all.into_iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect()))
    }

    /// Inserts `Tags` into a resource's `Properties` when there are tags.
    pub fn tagged(&self, mut resource: Value) -> Value {
        if let Some(tags) = self.tags() {
            if let Some(props) = resource.get_mut("Properties").and_then(Value::as_object_mut) {
                props.insert("Tags".into(), tags);
            }
        }
        resource
    }

    /// The extension of the infrastructure template inside the repository.
    pub fn cfn_ext(&self) -> &'static str {
        match self.format {
            CfnFormat::Yaml => "yml",
            CfnFormat::Json => "json",
        }
    }
}

/// `{"Fn::Sub": s}`.
pub(crate) fn sub(s: &str) -> Value {
    json!({ "Fn::Sub": s })
}

/// `{"Ref": id}`.
pub(crate) fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// `{"Fn::GetAtt": [id, attr]}`.
pub(crate) fn get_att(id: &str, attr: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attr] })
}

/// An ARN of this account and region: `arn:<partition>:<service>:<region>:<account>:<rest>`.
pub(crate) fn arn(service: &str, rest: &str) -> Value {
    sub(&format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{rest}"))
}

/// An IAM policy statement allowing `actions` on `resources`.
pub(crate) fn allow(actions: &[&str], resources: Vec<Value>) -> Value {
    json!({ "Effect": "Allow", "Action": actions, "Resource": resources })
}

/// A trust policy for one service principal.
pub(crate) fn trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole"
        }]
    })
}

/// A checkov suppression list for a resource's `Metadata`.
pub(crate) fn checkov_skip(skips: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = skips.iter().map(|(id, comment)| json!({"id": id, "comment": comment})).collect();
    json!({ "checkov": { "skip": list } })
}

/// Names in `.pf` are identifiers; this keeps them safe inside `Fn::Sub` strings anyway.
pub(crate) fn sub_escape(s: &str) -> String {
    s.replace("${", "${!")
}

/// A generation context of `pipeline`, with its target's additions for the environments
/// `names` (the pipeline stack's: every environment it deploys; a bootstrap's: its account's).
pub(crate) fn context<'a>(
    program: &'a Program,
    pipeline: &'a Pipeline,
    format: CfnFormat,
    names: &[String],
) -> Option<Ctx<'a>> {
    let app = program.app(&pipeline.app)?;
    let stacks: Vec<String> = names.iter().map(|e| naming::env_stack_name(&app.name, e)).collect();
    let envs: Vec<&crate::ir::Env> = names.iter().filter_map(|e| program.env(e)).collect();
    let extras =
        crate::codegen::targets::pipeline_extras(app, &naming::pipeline_name(pipeline), &stacks, &envs);
    Some(Ctx { program, pipeline, app, format, extras, resources: Map::new(), outputs: Map::new() })
}

/// The pipeline template as a JSON value.
pub fn template(program: &Program, pipeline: &Pipeline, format: CfnFormat) -> Option<Value> {
    let app = program.app(&pipeline.app)?;
    let mut ctx = context(program, pipeline, format, &iam::infra_envs_of(pipeline, app))?;
    bucket::add(&mut ctx);
    source::add(&mut ctx);
    builds::add(&mut ctx);
    for (id, resource) in std::mem::take(&mut ctx.extras.resources) {
        let resource = ctx.tagged(resource);
        ctx.add(&id, resource);
    }
    release::add(&mut ctx);
    approvals::add(&mut ctx);
    let mut manifest = crate::review::guard::manifest(program, pipeline);
    let parameters = accounts::parameters(&ctx);
    let mut after_source = Vec::new();
    if self_update::enabled(&ctx) {
        self_update::add(&mut ctx, &manifest);
        // Those an administrator gives (no default) keep their values; the others (a
        // `param(...)` account's Parameter Store name) come from their defaults again.
        let names: Vec<String> =
            parameters.iter().filter(|(_, p)| p.get("Default").is_none()).map(|(k, _)| k.clone()).collect();
        after_source = self_update::stages(&ctx, &manifest, &names);
    }
    actions::add(&mut ctx, after_source);
    triggers::add(&mut ctx);
    iam::add(&mut ctx);
    boundary::add(&mut ctx);
    if self_update::enabled(&ctx) {
        self_update::finish(&mut ctx);
    }

    let mut description = format!(
        "pf pipeline `{}` of app `{}`, generated from {}: the pipeline, its artifact bucket and \
         key, CodeBuild projects, CodeDeploy application, approvals, triggers and roles.",
        pipeline.name, pipeline.app, program.project.source
    );
    truncate(&mut description, 1024);
    let mut root = Map::new();
    root.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    root.insert("Description".into(), json!(description));
    let mut metadata = Map::new();
    if format == CfnFormat::Json {
        let header = cfn::yaml_header(&program.project.source).replace("# ", "").replace('\n', " ");
        metadata.insert("pf".into(), json!(header.trim()));
    }
    if self_update::enabled(&ctx) {
        manifest.permissions = self_update::permissions(&ctx);
        metadata.insert(crate::review::guard::METADATA_KEY.into(), json!(manifest.to_json()));
    }
    if !metadata.is_empty() {
        root.insert("Metadata".into(), Value::Object(metadata));
    }
    if !parameters.is_empty() {
        root.insert("Parameters".into(), Value::Object(parameters));
    }
    root.insert("Resources".into(), Value::Object(ctx.resources));
    root.insert("Outputs".into(), Value::Object(ctx.outputs));
    Some(Value::Object(root))
}

/// Cuts `s` to at most `max` bytes on a character boundary.
fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// One file per pipeline, at [`naming::pipeline_template_file`].
pub fn generate(program: &Program, options: &Options) -> Vec<OutputFile> {
    super::collect(|sink| {
        generate_with::<()>(program, options, None, Some(sink));
    })
}

/// Sends the files of [`generate`] to `files` (none without it) and returns, with `each`, what
/// it makes of each pipeline's stack, by stack name (see [`super::generate_with_stacks`]).
pub fn generate_with<T: Send>(
    program: &Program,
    options: &Options,
    each: super::EachStack<'_, T>,
    files: Option<super::Sink<'_>>,
) -> Vec<(String, T)> {
    let ext = match options.cfn_format {
        CfnFormat::Yaml => "yml",
        CfnFormat::Json => "json",
    };
    let per_pipeline = super::parallel::map(&program.pipelines, |p| {
        let value = template(program, p, options.cfn_format)?;
        let path = naming::pipeline_template_file(p, ext);
        let stack = each.zip(stack::pipeline_stack(&path)).map(|((keep, each), name)| {
            (name.clone(), each(stack::of_template(name, &p.app, None, &value, &Value::Null, keep)))
        });
        if let Some(sink) = files {
            let contents = match options.cfn_format {
                CfnFormat::Yaml => cfn::to_yaml(&program.project.source, &value),
                CfnFormat::Json => cfn::to_json(&value),
            };
            sink(OutputFile { path, contents });
        }
        stack
    });
    per_pipeline.into_iter().flatten().collect()
}
