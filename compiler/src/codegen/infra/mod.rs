//! The infrastructure of an app: ONE CloudFormation template for all the environments the app's
//! pipelines deploy, and one template configuration (`config/<env>.json`) per environment.
//!
//! Differences between environments are parameters. Resources that exist in only some
//! environments (the third AZ, per-AZ NAT gateways, the database, ...) hang on a few conditions
//! driven by parameters (`AzCount`, `NatMode`, `HasDatabase`, ...). The template is sized to the
//! union of the app's environments: a feature no environment uses is not emitted at all. See
//! `docs/environments.md`.
//!
//! Each submodule adds its parameters, conditions, resources and outputs to a [`Template`], and
//! gives the value of its parameters for one environment ([`Values`]); [`config`] turns those into
//! the configuration file.
//!
//! [`config`]: super::config

pub mod cache;
pub mod database;
pub mod dns;
pub mod load_balancer;
pub mod network;

use super::naming;
use crate::codegen::json::json;
use crate::ir::{App, Env, Program};
use crate::review::stack;
use serde_json::{Map, Value};

/// The app and the environments its pipelines deploy, with the union of their features.
pub struct Ctx<'a> {
    pub program: &'a Program,
    pub app: &'a App,
    pub envs: Vec<&'a Env>,
}

impl<'a> Ctx<'a> {
    /// The context of `app`, or `None` when no pipeline deploys it anywhere.
    pub fn new(program: &'a Program, app: &'a App) -> Option<Ctx<'a>> {
        let envs = deployed_envs(program, &app.name);
        if envs.is_empty() {
            None
        } else {
            Some(Ctx { program, app, envs })
        }
    }

    /// The context of `app` with `envs` from [`deployed_envs`].
    fn with_envs(program: &'a Program, app: &'a App, envs: Vec<&'a Env>) -> Option<Ctx<'a>> {
        if envs.is_empty() {
            None
        } else {
            Some(Ctx { program, app, envs })
        }
    }

    /// Whether any environment satisfies `f`.
    pub fn any(&self, f: impl Fn(&Env) -> bool) -> bool {
        self.envs.iter().any(|e| f(e))
    }

    /// The largest number of AZs of the app's environments (at least 2: see [`network`]).
    pub fn az_slots(&self) -> u8 {
        self.envs.iter().map(|e| e.network.azs).max().unwrap_or(1).max(2)
    }

    /// A resource name `<app>-<env>-<suffix>` as a `Fn::Sub` (the env from `EnvName`).
    pub fn name(&self, suffix: &str) -> Value {
        let base = naming::deployment_group(&self.app.name, "${EnvName}");
        if suffix.is_empty() {
            json!({"Fn::Sub": base})
        } else {
            json!({"Fn::Sub": format!("{base}-{suffix}")})
        }
    }

    /// `Tags` with a `Name` tag `<app>-<env>-<suffix>`.
    pub fn name_tags(&self, suffix: &str) -> Value {
        json!([{"Key": "Name", "Value": self.name(suffix)}])
    }
}

/// The environments the app's pipelines deploy (infrastructure or app), in program order.
pub fn deployed_envs<'a>(program: &'a Program, app: &str) -> Vec<&'a Env> {
    use crate::ir::ActionKind;
    if let Some(positions) = crate::ir::index::deployed(program, app) {
        return positions.into_iter().map(|i| &program.envs[i]).collect();
    }
    let mut names: Vec<&str> = Vec::new();
    for pipeline in program.pipelines.iter().filter(|p| p.app == app) {
        for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
            if let ActionKind::DeployInfra { env, .. } | ActionKind::DeployApp { env } = &action.kind {
                if !names.contains(&env.as_str()) {
                    names.push(env);
                }
            }
        }
    }
    program.envs.iter().filter(|e| names.contains(&e.name.as_str())).collect()
}

/// A template being assembled: its sections, in CloudFormation's usual order.
#[derive(Default)]
pub struct Template {
    pub parameters: Map<String, Value>,
    pub conditions: Map<String, Value>,
    pub resources: Map<String, Value>,
    pub outputs: Map<String, Value>,
}

impl Template {
    /// Declares a parameter.
    pub fn param(&mut self, name: &str, def: Value) {
        self.parameters.insert(name.into(), def);
    }

    /// Declares a condition.
    pub fn condition(&mut self, name: &str, def: Value) {
        self.conditions.insert(name.into(), def);
    }

    /// Adds a resource.
    pub fn resource(&mut self, id: &str, def: Value) {
        self.resources.insert(id.into(), def);
    }

    /// Adds an output.
    pub fn output(&mut self, name: &str, def: Value) {
        self.outputs.insert(name.into(), def);
    }
}

/// Parameter values of one environment, in declaration order.
pub type Values = Vec<(String, String)>;

/// `{"Ref": name}`.
pub fn r(name: &str) -> Value {
    json!({ "Ref": name })
}

/// `{"Fn::GetAtt": [resource, attribute]}`.
pub fn att(resource: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [resource, attribute] })
}

/// `{"Fn::Sub": s}`.
pub fn sub(s: &str) -> Value {
    json!({ "Fn::Sub": s })
}

/// `{"Fn::If": [condition, then, else]}`.
pub fn iff(condition: &str, then: Value, otherwise: Value) -> Value {
    json!({ "Fn::If": [condition, then, otherwise] })
}

/// `AWS::NoValue`.
pub fn no_value() -> Value {
    r("AWS::NoValue")
}

/// `{"Fn::Equals": [{"Ref": param}, value]}`.
pub fn equals(param: &str, value: &str) -> Value {
    json!({ "Fn::Equals": [r(param), value] })
}

/// `{"Fn::Not": [c]}`.
pub fn not(c: Value) -> Value {
    json!({ "Fn::Not": [c] })
}

/// A `"true"`/`"false"` string parameter.
pub fn bool_param(description: &str) -> Value {
    json!({"Type": "String", "AllowedValues": ["true", "false"], "Description": description})
}

/// `"true"` or `"false"`.
pub fn bool_str(b: bool) -> String {
    b.to_string()
}

/// A checkov suppression for a resource's `Metadata`.
pub fn checkov_skip(skips: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = skips.iter().map(|(id, comment)| json!({"id": id, "comment": comment})).collect();
    json!({ "checkov": { "skip": list } })
}

/// The template of the app, or `None` when no pipeline deploys it.
pub fn template(ctx: &Ctx) -> Value {
    let mut t = Template::default();
    common_params(ctx, &mut t);
    network::add(ctx, &mut t);
    let served = super::targets::backend(ctx.app).is_some();
    if served {
        load_balancer::add(ctx, &mut t);
    }
    super::targets::add_compute(ctx, &mut t);
    database::add(ctx, &mut t);
    cache::add(ctx, &mut t);
    if served {
        dns::add(ctx, &mut t);
    }
    super::targets::add_release(ctx, &mut t);
    bound_roles(&mut t);
    let mut doc = Map::new();
    doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    doc.insert(
        "Description".into(),
        json!(format!(
            "Infrastructure of {} (environments: {}). Generated by pf from {}.",
            ctx.app.name,
            ctx.envs.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
            ctx.program.project.source
        )),
    );
    doc.insert(
        "Metadata".into(),
        json!({"pf": {
            "comment": format!("Generated by pf (Pipeline Factory) from {}. Do not edit by hand: change the .pf source and run `pf build` again.", ctx.program.project.source),
            "app": &ctx.app.name}}),
    );
    doc.insert("Parameters".into(), Value::Object(t.parameters));
    if !t.conditions.is_empty() {
        doc.insert("Conditions".into(), Value::Object(t.conditions));
    }
    doc.insert("Resources".into(), Value::Object(t.resources));
    doc.insert("Outputs".into(), Value::Object(t.outputs));
    Value::Object(doc)
}

/// The parameter values of `env`, every module's in declaration order.
pub fn values(ctx: &Ctx, env: &Env) -> Values {
    let mut v = Values::new();
    v.push(("EnvName".into(), env.name.clone()));
    if uses_protected(ctx) {
        v.push(("Protected".into(), bool_str(env.protected)));
    }
    if super::targets::uses_codedeploy(ctx) {
        v.push((
            naming::INFRA_CODEDEPLOY_APPLICATION_PARAMETER.into(),
            naming::codedeploy_application(&ctx.app.name),
        ));
    }
    network::values(ctx, env, &mut v);
    let served = super::targets::backend(ctx.app).is_some();
    if served {
        load_balancer::values(ctx, env, &mut v);
    }
    super::targets::compute_values(ctx, env, &mut v);
    database::values(ctx, env, &mut v);
    cache::values(ctx, env, &mut v);
    if served {
        dns::values(ctx, env, &mut v);
    }
    super::targets::release_values(ctx, env, &mut v);
    v
}

/// Gives every role of the template the permissions boundary the pipeline passes: the pipeline's
/// CloudFormation role may create and change roles only with it (`docs/pipeline-stack.md`).
fn bound_roles(t: &mut Template) {
    for resource in t.resources.values_mut() {
        if resource["Type"] == "AWS::IAM::Role" {
            if let Some(props) = resource.get_mut("Properties").and_then(Value::as_object_mut) {
                props.insert("PermissionsBoundary".into(), r(naming::permissions_boundary_parameter()));
            }
        }
    }
}

fn common_params(ctx: &Ctx, t: &mut Template) {
    let shared = super::targets::shared_resources(ctx.app);
    t.param(
        "EnvName",
        json!({"Type": "String", "AllowedPattern": "^[a-z][a-z0-9-]*$",
               "Description": "The environment's name; resource names are <app>-<EnvName>-..."}),
    );
    if uses_protected(ctx) {
        t.param(
            "Protected",
            bool_param("Protected environments keep their data: deletion protection on the load balancer and the database."),
        );
    }
    if shared.artifact_bucket {
        t.param(
            naming::artifact_bucket_parameter(),
            json!({"Type": "String", "Description": "The pipeline's artifact bucket (passed by the pipeline); instances download revisions from it."}),
        );
    }
    if shared.artifact_key {
        t.param(
            naming::artifact_key_parameter(),
            json!({"Type": "String", "Description": "The ARN of the KMS key of the artifact bucket (passed by the pipeline)."}),
        );
    }
    t.param(
        naming::permissions_boundary_parameter(),
        json!({"Type": "String", "Description": "The ARN of the permissions boundary of every role of this stack (passed by the pipeline)."}),
    );
    if super::targets::uses_codedeploy(ctx) {
        t.param(
            naming::INFRA_CODEDEPLOY_APPLICATION_PARAMETER,
            json!({"Type": "String", "Description": "The CodeDeploy application (created by the pipeline stack)."}),
        );
    }
}

/// Whether something the `Protected` parameter guards is in the template: the load balancer's or
/// the database's deletion protection.
fn uses_protected(ctx: &Ctx) -> bool {
    super::targets::backend(ctx.app).is_some() || database::any(ctx)
}

/// A value that may be a plain string or a reference resolved by CloudFormation, as two
/// parameters: `<prefix>Source` (one of `sources`: `none`, `managed`, `plain`, `ssm`,
/// `ssm-secure`, `secretsmanager`) and `value` (the plain value, or the name of the SSM parameter
/// or Secrets Manager secret). The template resolves it with [`resolved_text`]. Configurations
/// hold names only, never secrets.
/// `default`: the source of environments that have no such value (the value is then empty);
/// `None` when every environment sets both.
pub fn text_params(
    t: &mut Template,
    prefix: &str,
    value: &str,
    what: &str,
    sources: &[&str],
    default: Option<&str>,
) {
    let mut chars = what.chars();
    let what_cap: String = chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect();
    let mut source = json!({"Type": "String", "AllowedValues": sources,
               "Description": format!("Where {what} comes from (see {value}).")});
    let mut reference = json!({"Type": "String",
               "Description": format!("{what_cap}: the value itself when {prefix}Source is plain, else the name of the SSM parameter or the Secrets Manager secret (id[:SecretString:json-key]); never a secret.")});
    if let Some(d) = default {
        source["Default"] = json!(d);
        reference["Default"] = json!("");
    }
    t.param(&format!("{prefix}Source"), source);
    t.param(value, reference);
}

/// The config values of a text (see [`text_params`]).
pub fn text_values(
    v: &mut Values,
    prefix: &str,
    value: &str,
    text: Option<&crate::ir::Text>,
    plain_source: &str,
) {
    use crate::ir::Text;
    let value_name = value;
    let (source, value) = match text {
        None => ("none".to_string(), String::new()),
        Some(Text::Plain(s)) => (plain_source.to_string(), s.clone()),
        Some(Text::Param(name)) => {
            (if plain_source == "plain" { "ssm" } else { "ssm-secure" }.to_string(), name.clone())
        }
        Some(Text::Secret(id)) => ("secretsmanager".to_string(), naming::secret_reference(id)),
    };
    v.push((format!("{prefix}Source"), source));
    v.push((value_name.to_string(), value));
}

/// The resolved value of a text: a dynamic reference built with `Fn::Sub` from the parameter
/// `value` when `from_ssm` / `from_secret` hold, else `otherwise`.
pub fn resolved_text(
    value: &str,
    ssm_kind: &str,
    from_ssm: &str,
    from_secret: Option<&str>,
    otherwise: Value,
) -> Value {
    let secret = sub(&format!("{{{{resolve:secretsmanager:${{{value}}}}}}}"));
    let rest = match from_secret {
        Some(c) => iff(c, secret, otherwise),
        None => secret,
    };
    iff(from_ssm, sub(&format!("{{{{resolve:{ssm_kind}:${{{value}}}}}}}")), rest)
}

/// The parameters of `template` that CloudFormation would demand of a stack given `values` (and
/// what the pipeline passes, [`naming::PASSED_BY_PIPELINE`]): declared, without a `Default`, and
/// not given. Empty for every generated configuration (checked in [`generate`] in debug builds,
/// and by the emulated deployments); the class of bug a stack that does not create comes from.
pub fn unset_parameters(template: &Value, values: &Values) -> Vec<String> {
    let declared = template["Parameters"].as_object().cloned().unwrap_or_default();
    declared
        .iter()
        .filter(|(name, def)| {
            def.get("Default").is_none()
                && !naming::PASSED_BY_PIPELINE.contains(&name.as_str())
                && !values.iter().any(|(k, _)| k == *name)
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The values of `values` that `template` does not declare (CloudFormation rejects them).
pub fn undeclared_values(template: &Value, values: &Values) -> Vec<String> {
    values.iter().filter(|(k, _)| template["Parameters"].get(k).is_none()).map(|(k, _)| k.clone()).collect()
}

/// The infrastructure files of every app: its template and one configuration per environment.
pub fn generate(program: &Program, options: &super::Options) -> Vec<super::OutputFile> {
    super::collect(|sink| {
        generate_with::<()>(program, options, None, Some(sink));
    })
}

/// Sends the files of [`generate`] to `files` (none without it) and returns, with `each`, what it makes of each
/// environment's stack, by stack name (see [`super::generate_with_stacks`]).
pub fn generate_with<T: Send>(
    program: &Program,
    options: &super::Options,
    each: super::EachStack<'_, T>,
    files: Option<super::Sink<'_>>,
) -> Vec<(String, T)> {
    let ext = match options.cfn_format {
        super::CfnFormat::Yaml => "yml",
        super::CfnFormat::Json => "json",
    };
    let serialize = |doc: &Value| match options.cfn_format {
        super::CfnFormat::Yaml => super::cfn::to_yaml(&program.project.source, doc),
        super::CfnFormat::Json => super::cfn::to_json(doc),
    };
    let per_app = super::parallel::map(&program.apps, |app| {
        let mut stacks = Vec::new();
        let envs = deployed_envs(program, &app.name);
        let Some(ctx) = Ctx::with_envs(program, app, envs) else { return stacks };
        let doc = template(&ctx);
        if let Some(sink) = files {
            let contents = serialize(&doc);
            sink(super::OutputFile { path: naming::infra_template_file(&app.name, ext), contents });
            if let Some(image) = super::targets::image_template(program, app) {
                let contents = serialize(&image);
                sink(super::OutputFile { path: naming::image_template_file(&app.name, ext), contents });
            }
        }
        for env in &ctx.envs {
            debug_assert!(
                unset_parameters(&doc, &values(&ctx, env)).is_empty()
                    && undeclared_values(&doc, &values(&ctx, env)).is_empty(),
                "the configuration of {} does not fit its template",
                env.name
            );
            let config = super::config::config(&ctx, env);
            if let Some((keep, each)) = each {
                let name = naming::env_stack_name(&app.name, &env.name);
                let mut s =
                    stack::of_template(name.clone(), &app.name, Some(env.name.clone()), &doc, &config, keep);
                s.region = super::pipeline::accounts::remote_region(program, &env.name).map(str::to_string);
                stacks.push((name, each(s)));
            }
            if let Some(sink) = files {
                sink(super::OutputFile {
                    path: naming::config_file(&app.name, &env.name),
                    contents: super::cfn::to_json(&config),
                });
            }
        }
        stacks
    });
    per_app.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::fixture;

    #[test]
    fn envs_are_those_the_pipelines_deploy() {
        let mut p = fixture::sample_program();
        let names =
            |p: &Program| deployed_envs(p, "webshop").iter().map(|e| e.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&p), ["test", "uat", "prod"]);
        p.pipelines[0].stages.retain(|s| s.name != "uat");
        assert_eq!(names(&p), ["test", "prod"]);
        assert!(deployed_envs(&p, "other").is_empty());
    }

    /// The stack that did not create (issue 17): an environment without a database, beside one
    /// with, left the database's password parameters unset.
    #[test]
    fn every_parameter_without_default_is_set_by_every_config() {
        let mut p = fixture::sample_program();
        assert!(p.envs.iter().any(|e| e.database.is_some()));
        p.envs[0].database = None;
        p.envs[0].cache = None;
        p.envs[0].dns = None;
        let ctx = Ctx::new(&p, &p.apps[0]).unwrap();
        let t = template(&ctx);
        for env in &ctx.envs {
            let v = values(&ctx, env);
            assert_eq!(unset_parameters(&t, &v), Vec::<String>::new(), "{}", env.name);
            assert_eq!(undeclared_values(&t, &v), Vec::<String>::new(), "{}", env.name);
        }
        // The check sees a missing value and an undeclared one.
        let mut v = values(&ctx, ctx.envs[0]);
        v.retain(|(k, _)| k != "InstanceType");
        v.push(("Typo".into(), "1".into()));
        assert_eq!(unset_parameters(&t, &v), ["InstanceType"]);
        assert_eq!(undeclared_values(&t, &v), ["Typo"]);
    }

    #[test]
    fn every_config_value_is_a_template_parameter() {
        let p = fixture::sample_program();
        let ctx = Ctx::new(&p, &p.apps[0]).unwrap();
        let t = template(&ctx);
        for env in &ctx.envs {
            for (k, _) in values(&ctx, env) {
                assert!(t["Parameters"].get(&k).is_some(), "{k}");
            }
        }
    }
}
