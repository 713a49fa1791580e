//! The stacks an administrator deploys once for delivery to other accounts and regions
//! (`docs/enterprise.md`, items 2 and 3; `docs/runbook-accounts.md`):
//! - `<app>/bootstrap-<account>.template.yml`, in each target account (in the region of its
//!   environments): the deploy role the pipeline assumes (trusted by the pipeline account's
//!   pipeline roles only), the CloudFormation execution role and the environment roles'
//!   permissions boundary. The execution role and the boundary are the pipeline stack's own
//!   statement builders (`pipeline::iam`, `pipeline::boundary`) with a second [`Host`]: this
//!   account's environments, and the pipeline account's artifact store of the region;
//! - `<app>/support-<region>.template.yml`, in the pipeline account, in each extra region: an
//!   artifact bucket (fixed name) and key like the pipeline's, for the pipeline's
//!   `ArtifactStores`.
//!
//! A single-account program has neither.

use super::pipeline::{
    accounts, allow, boundary, bucket, context, get_att, iam, ids, reference, sub, trust, Ctx,
};
use super::{cfn, naming, CfnFormat, Options, OutputFile};
use crate::codegen::json::json;
use crate::ir::{ActionKind, App, Pipeline, Program, Text};
use serde_json::{Map, Value};

/// The bootstrap's parameter: the pipeline's account.
const PIPELINE_ACCOUNT: &str = "PipelineAccount";
/// Logical ID of the deploy role.
const DEPLOY_ROLE: &str = "DeployRole";

/// A target account of an app: its environments and the pipelines deploying them.
struct Target<'a> {
    account: Text,
    region: Option<String>,
    envs: Vec<String>,
    pipelines: Vec<&'a Pipeline>,
}

/// The file name part of an account: the id, or the parameter name with `/` as `-`.
pub fn account_file_part(account: &Text) -> String {
    match account {
        Text::Param(name) => name.trim_start_matches('/').replace('/', "-"),
        Text::Plain(id) | Text::Secret(id) => id.clone(),
    }
}

fn pipelines_of<'a>(program: &'a Program, app: &App) -> Vec<&'a Pipeline> {
    program.pipelines.iter().filter(|p| p.app == app.name).collect()
}

/// The environments a pipeline's actions deploy, in order.
fn deployed(pipeline: &Pipeline) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in pipeline.stages.iter().flat_map(|s| &s.actions) {
        let env = match &a.kind {
            ActionKind::DeployInfra { env, .. }
            | ActionKind::DeployApp { env }
            | ActionKind::Release { env, .. } => env,
            _ => continue,
        };
        if !out.contains(env) {
            out.push(env.clone());
        }
    }
    out
}

fn targets<'a>(program: &'a Program, app: &App) -> Vec<Target<'a>> {
    let mut out: Vec<Target> = Vec::new();
    for p in pipelines_of(program, app) {
        for env in deployed(p) {
            let Some(account) = accounts::remote_account(program, &env) else { continue };
            let region = accounts::remote_region(program, &env).map(str::to_string);
            let i = match out.iter().position(|t| &t.account == account) {
                Some(i) => i,
                None => {
                    out.push(Target {
                        account: account.clone(),
                        region,
                        envs: Vec::new(),
                        pipelines: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let t = &mut out[i];
            if !t.envs.contains(&env) {
                t.envs.push(env.clone());
            }
            if !t.pipelines.iter().any(|q| q.name == p.name) {
                t.pipelines.push(p);
            }
        }
    }
    out
}

fn root(program: &Program, description: String, parameters: Map<String, Value>, ctx: Ctx) -> Value {
    let mut root = Map::new();
    root.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    root.insert("Description".into(), json!(description));
    if ctx.format == CfnFormat::Json {
        root.insert(
            "Metadata".into(),
            json!({ "pf": cfn::yaml_header(&program.project.source).replace("# ", "").replace('\n', " ").trim() }),
        );
    }
    if !parameters.is_empty() {
        root.insert("Parameters".into(), Value::Object(parameters));
    }
    root.insert("Resources".into(), Value::Object(ctx.resources));
    root.insert("Outputs".into(), Value::Object(ctx.outputs));
    Value::Object(root)
}

/// An ARN of the pipeline account's IAM: `arn:<partition>:iam::<PipelineAccount>:<rest>`.
fn pipeline_account_iam(rest: &str) -> Value {
    sub(&format!("arn:${{AWS::Partition}}:iam::${{{PIPELINE_ACCOUNT}}}:{rest}"))
}

/// Environments of `names` that the pipeline deploys with CloudFormation, and with CodeDeploy.
fn split_envs(pipelines: &[&Pipeline], app: &App, names: &[String]) -> (Vec<String>, Vec<String>) {
    let mut infra: Vec<String> = Vec::new();
    let mut codedeploy: Vec<String> = Vec::new();
    for p in pipelines {
        for e in iam::infra_envs_of(p, app) {
            if names.contains(&e) && !infra.contains(&e) {
                infra.push(e);
            }
        }
        if !app.deploy.released_by_stack() {
            for a in p.stages.iter().flat_map(|s| &s.actions) {
                if let ActionKind::DeployApp { env } = &a.kind {
                    if names.contains(env) && !codedeploy.contains(env) {
                        codedeploy.push(env.clone());
                    }
                }
            }
        }
    }
    (infra, codedeploy)
}

/// The bootstrap template of `target`.
fn bootstrap(program: &Program, app: &App, target: &Target, format: CfnFormat) -> Option<Value> {
    let (infra, codedeploy) = split_envs(&target.pipelines, app, &target.envs);
    let mut ctx = context(program, target.pipelines.first()?, format, &infra)?;
    let host = iam::Host {
        envs: infra.clone(),
        bucket: sub("arn:${AWS::Partition}:s3:::*"),
        objects: sub("arn:${AWS::Partition}:s3:::*/*"),
        key: sub(&format!("arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{{PIPELINE_ACCOUNT}}}:key/*")),
        artifact_condition: Some(
            json!({ "StringEquals": { "aws:ResourceAccount": reference(PIPELINE_ACCOUNT) } }),
        ),
        boundary: reference(ids::BOUNDARY),
        image: false,
    };

    let mut policy = boundary::resource(
        format!(
            "pf: permissions boundary of the roles of app {}'s environment stacks in this account",
            app.name
        ),
        boundary::statements(&ctx, &host),
    );
    policy["Properties"]["ManagedPolicyName"] = json!(accounts::boundary_name(&app.name));
    ctx.add(ids::BOUNDARY, policy);

    let execution = ctx.tagged(json!({
        "Type": "AWS::IAM::Role",
        "Metadata": iam::execution_role_metadata(),
        "Properties": {
            "RoleName": accounts::execution_role_name(&app.name),
            "Description": format!("pf: CloudFormation execution role of app {}'s environment stacks in this account", app.name),
            "AssumeRolePolicyDocument": trust("cloudformation.amazonaws.com"),
            "Policies": [{
                "PolicyName": "environments",
                "PolicyDocument": { "Version": "2012-10-17", "Statement": iam::execution_statements(&ctx, &host) }
            }]
        }
    }));
    if !infra.is_empty() {
        ctx.add(ids::DEPLOY_ROLE, execution);
    }

    let mut st = Vec::new();
    if !infra.is_empty() {
        let mut stacks = Vec::new();
        for env in &infra {
            let stack = naming::env_stack_name(&app.name, env);
            stacks.push(super::pipeline::arn("cloudformation", &format!("stack/{stack}/*")));
            stacks.push(super::pipeline::arn(
                "cloudformation",
                &format!("changeSet/{}/*", super::pipeline::change_set_name(env)),
            ));
        }
        st.push(allow(iam::STACK_ACTIONS, stacks));
        st.push(json!({
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [get_att(ids::DEPLOY_ROLE, "Arn")],
            "Condition": { "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }
        }));
    }
    st.push(host.allow_artifacts(
        &["s3:GetBucketVersioning", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        vec![host.bucket.clone(), host.objects.clone()],
    ));
    st.push(host.key_statement());
    if !codedeploy.is_empty() {
        let application = naming::codedeploy_application(&app.name);
        let mut groups: Vec<Value> = codedeploy
            .iter()
            .map(|e| {
                super::pipeline::arn(
                    "codedeploy",
                    &format!("deploymentgroup:{application}/{}", naming::deployment_group(&app.name, e)),
                )
            })
            .collect();
        groups.push(super::pipeline::arn("codedeploy", &format!("application:{application}")));
        st.push(allow(iam::CODEDEPLOY_ACTIONS, groups));
        st.push(allow(
            &["codedeploy:GetDeploymentConfig"],
            vec![super::pipeline::arn("codedeploy", "deploymentconfig:*")],
        ));
    }
    let pipeline_roles: Vec<Value> = target
        .pipelines
        .iter()
        .map(|p| {
            pipeline_account_iam(&format!("role/{}", accounts::pipeline_role_name(&naming::pipeline_name(p))))
        })
        .collect();
    let deploy = ctx.tagged(json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": accounts::deploy_role_name(&app.name),
            "Description": format!("pf: the role app {}'s pipelines assume in this account", app.name),
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": { "AWS": pipeline_account_iam("root") },
                    "Action": "sts:AssumeRole",
                    "Condition": { "ArnEquals": { "aws:PrincipalArn": pipeline_roles } }
                }]
            },
            "Policies": [{
                "PolicyName": "deploy",
                "PolicyDocument": { "Version": "2012-10-17", "Statement": st }
            }]
        }
    }));
    ctx.add(DEPLOY_ROLE, deploy);
    if !codedeploy.is_empty() && super::targets::shared_resources(app).codedeploy_application {
        let application = json!({
            "Type": "AWS::CodeDeploy::Application",
            "Properties": {
                "ApplicationName": naming::codedeploy_application(&app.name),
                "ComputePlatform": "Server"
            }
        });
        ctx.add(ids::APPLICATION, ctx.tagged(application));
    }
    ctx.output("DeployRoleArn", "The role the pipeline assumes", get_att(DEPLOY_ROLE, "Arn"));
    if !infra.is_empty() {
        ctx.output("ExecutionRoleArn", "CloudFormation's execution role", get_att(ids::DEPLOY_ROLE, "Arn"));
    }
    ctx.output("BoundaryArn", "The environment roles' permissions boundary", reference(ids::BOUNDARY));

    let mut parameter = json!({
        "Type": "String",
        "AllowedPattern": "^[0-9]{12}$",
        "Description": "The account of the pipeline stack: its pipeline roles are the only principals the deploy role trusts"
    });
    if let Some(Text::Plain(id)) = &program.project.placement.account {
        parameter["Default"] = json!(id);
    }
    let mut parameters = Map::new();
    parameters.insert(PIPELINE_ACCOUNT.into(), parameter);
    let where_ = target.region.as_deref().unwrap_or("the pipeline's region");
    let description = format!(
        "pf bootstrap of app `{}` in account {} ({where_}), generated from {}: the role its pipelines assume, \
         CloudFormation's execution role and the environment roles' permissions boundary.",
        app.name,
        account_file_part(&target.account),
        program.project.source
    );
    Some(root(program, description, parameters, ctx))
}

/// The support template of `region` for `app`'s pipelines.
fn support(program: &Program, app: &App, region: &str, format: CfnFormat) -> Option<Value> {
    let pipelines: Vec<&Pipeline> = pipelines_of(program, app);
    let first = pipelines.first()?;
    let mut key_statements = vec![bucket::administration_statement()];
    let mut bucket_statements = Vec::new();
    let (bucket_arn, objects) = (get_att(ids::BUCKET, "Arn"), sub(&format!("${{{}.Arn}}/*", ids::BUCKET)));
    for p in &pipelines {
        let ctx = context(program, p, format, &[])?;
        for s in accounts::key_statements(&ctx, Some(region)) {
            if !key_statements.contains(&s) {
                key_statements.push(s);
            }
        }
        for s in accounts::bucket_statements(&ctx, Some(region), &bucket_arn, &objects) {
            if !bucket_statements.contains(&s) {
                bucket_statements.push(s);
            }
        }
    }
    let mut ctx = context(program, first, format, &[])?;
    // The `param(...)` accounts the policies name (not the pipeline's regional key parameters).
    let keys: Vec<String> =
        extra_regions(program, app).iter().map(|r| accounts::regional_key_parameter(r)).collect();
    let mut parameters = Map::new();
    for p in &pipelines {
        let c = context(program, p, format, &[])?;
        parameters.extend(accounts::parameters(&c).into_iter().filter(|(k, _)| !keys.contains(k)));
    }
    let key = bucket::key_resource(
        format!("pf: artifacts of app {}'s pipelines in {region}", app.name),
        key_statements,
    );
    ctx.add(ids::KEY, ctx.tagged(key));
    let mut store = bucket::bucket_resource(ids::KEY);
    store["Properties"]["BucketName"] = sub(&accounts::regional_bucket_name(&app.name, region));
    ctx.add(ids::BUCKET, ctx.tagged(store));
    ctx.add("ArtifactBucketPolicy", bucket::bucket_policy(ids::BUCKET, bucket_statements));
    ctx.output("ArtifactBucketName", "The artifact bucket of this region", reference(ids::BUCKET));
    ctx.output(
        "ArtifactKeyArn",
        &format!(
            "The artifact key of this region: the pipeline stack's parameter {}",
            accounts::regional_key_parameter(region)
        ),
        get_att(ids::KEY, "Arn"),
    );
    let description = format!(
        "pf support stack of app `{}` in {region}, generated from {}: the artifact bucket and key of its pipelines' actions in {region}.",
        app.name, program.project.source
    );
    Some(root(program, description, parameters, ctx))
}

/// The regions other than the pipeline's that `app`'s pipelines deploy to, in order.
fn extra_regions(program: &Program, app: &App) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in pipelines_of(program, app) {
        for env in deployed(p) {
            if let Some(r) = accounts::remote_region(program, &env) {
                if !out.iter().any(|o| o == r) {
                    out.push(r.to_string());
                }
            }
        }
    }
    out
}

fn serialize(program: &Program, format: CfnFormat, value: &Value) -> String {
    match format {
        CfnFormat::Yaml => cfn::to_yaml(&program.project.source, value),
        CfnFormat::Json => cfn::to_json(value),
    }
}

/// The bootstrap and support templates of every app.
pub fn generate(program: &Program, options: &Options) -> Vec<OutputFile> {
    let format = options.cfn_format;
    let ext = match format {
        CfnFormat::Yaml => "yml",
        CfnFormat::Json => "json",
    };
    let mut files = Vec::new();
    for app in &program.apps {
        let dir = naming::app_dir(&app.name);
        for target in targets(program, app) {
            if let Some(v) = bootstrap(program, app, &target, format) {
                let path = format!("{dir}/bootstrap-{}.template.{ext}", account_file_part(&target.account));
                files.push(OutputFile { path, contents: serialize(program, format, &v) });
            }
        }
        for region in extra_regions(program, app) {
            if let Some(v) = support(program, app, &region, format) {
                let path = format!("{dir}/support-{region}.template.{ext}");
                files.push(OutputFile { path, contents: serialize(program, format, &v) });
            }
        }
    }
    files
}
