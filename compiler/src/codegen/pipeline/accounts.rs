//! Delivery to environments in other accounts and regions (`docs/enterprise.md`, item 2).
//!
//! An environment is *remote* when its `account` or `region` differs from the project's (the
//! pipeline's). The checker (`check/placement.rs`, PF5070) lets through only what is generated
//! here: another account, in one region per target account. For such an environment:
//! - its actions carry `RoleArn` (the target account's `<app>-pf-deploy` role, created by the
//!   bootstrap stack) and, in another region, `Region`;
//! - its CloudFormation actions use the target account's execution role and boundary;
//! - the artifact store of its region (the pipeline's, or a support stack's) lets the target
//!   account's roles read artifacts: key policy and bucket policy statements.
//!
//! Accounts given as `param(...)` enter the template as `AWS::SSM::Parameter::Value<String>`
//! parameters; nothing but declared accounts and regions is written.

use super::{ids, sub, Ctx};
use crate::codegen::json::json;
use crate::ir::{ActionKind, Program, Text};
use serde_json::{Map, Value};

/// The role the pipeline assumes in a target account (bootstrap stack).
pub(crate) fn deploy_role_name(app: &str) -> String {
    format!("{app}-pf-deploy")
}

/// CloudFormation's execution role in a target account (bootstrap stack).
pub(crate) fn execution_role_name(app: &str) -> String {
    format!("{app}-pf-cloudformation")
}

/// The permissions boundary of the environment roles in a target account (bootstrap stack).
pub(crate) fn boundary_name(app: &str) -> String {
    format!("{app}-pf-environment-boundary")
}

/// The fixed name of a support stack's artifact bucket, as an `Fn::Sub` string of the
/// pipeline's account.
pub(crate) fn regional_bucket_name(app: &str, region: &str) -> String {
    format!("{app}-pf-artifacts-${{AWS::AccountId}}-{region}")
}

/// The fixed name of the pipeline role when the pipeline deploys to other accounts: the
/// bootstrap stacks trust it by name (`aws:PrincipalArn`).
pub(crate) fn pipeline_role_name(pipeline_name: &str) -> String {
    format!("{pipeline_name}-pf-pipeline")
}

/// The account of `env` when it is not the pipeline's.
pub(crate) fn remote_account<'a>(program: &'a Program, env: &str) -> Option<&'a Text> {
    let e = program.env(env)?;
    if e.placement.account == program.project.placement.account {
        return None;
    }
    e.placement.account.as_ref()
}

/// The region of `env` when it is not the pipeline's.
pub(crate) fn remote_region<'a>(program: &'a Program, env: &str) -> Option<&'a str> {
    let e = program.env(env)?;
    if e.placement.region == program.project.placement.region {
        return None;
    }
    e.placement.region.as_deref()
}

/// The logical ID of the parameter holding a `param(...)` account id.
fn account_parameter(name: &str) -> String {
    let words: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    format!("Account{words}")
}

/// The logical ID of the parameter holding the key ARN of a support stack's region.
pub(crate) fn regional_key_parameter(region: &str) -> String {
    let words: String = region
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    format!("ArtifactKey{words}")
}

/// An account inside an `Fn::Sub` string: the id, or the parameter that holds it.
pub(crate) fn account_sub(account: &Text) -> String {
    match account {
        Text::Param(name) => format!("${{{}}}", account_parameter(name)),
        Text::Plain(id) | Text::Secret(id) => id.clone(),
    }
}

/// `arn:<partition>:iam::<account>:<rest>`.
pub(crate) fn iam_arn(account: &Text, rest: &str) -> Value {
    sub(&format!("arn:${{AWS::Partition}}:iam::{}:{rest}", account_sub(account)))
}

/// The environments the pipeline's actions deploy, in order.
pub(crate) fn deployed_envs(ctx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in ctx.pipeline.stages.iter().flat_map(|s| &s.actions) {
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

/// Whether `env` is deployed in the pipeline's own account and region.
pub(crate) fn is_home(program: &Program, env: &str) -> bool {
    remote_account(program, env).is_none() && remote_region(program, env).is_none()
}

/// The target accounts of the pipeline, each with the region of its environments (`None`: the
/// pipeline's), in the order of the pipeline's actions.
pub(crate) fn targets(ctx: &Ctx) -> Vec<(Text, Option<String>)> {
    let mut out: Vec<(Text, Option<String>)> = Vec::new();
    for env in deployed_envs(ctx) {
        if let Some(account) = remote_account(ctx.program, &env) {
            if !out.iter().any(|(a, _)| a == account) {
                out.push((account.clone(), remote_region(ctx.program, &env).map(str::to_string)));
            }
        }
    }
    out
}

/// The regions other than the pipeline's that the pipeline deploys to, in order.
pub(crate) fn extra_regions(ctx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for env in deployed_envs(ctx) {
        if let Some(r) = remote_region(ctx.program, &env) {
            if !out.iter().any(|o| o == r) {
                out.push(r.to_string());
            }
        }
    }
    out
}

/// The template's parameters: `param(...)` accounts, and the key ARN of each extra region's
/// support stack (its output `ArtifactKeyArn`: a key is named by ARN across accounts).
pub(crate) fn parameters(ctx: &Ctx) -> Map<String, Value> {
    let mut out = Map::new();
    for (account, _) in targets(ctx) {
        if let Text::Param(name) = &account {
            out.insert(
                account_parameter(name),
                json!({
                    "Type": "AWS::SSM::Parameter::Value<String>",
                    "Default": name,
                    "Description": format!("The id of a target account, read from Parameter Store ({name})")
                }),
            );
        }
    }
    for region in extra_regions(ctx) {
        out.insert(
            regional_key_parameter(&region),
            json!({
                "Type": "String",
                "AllowedPattern": format!("^arn:aws[a-z-]*:kms:{region}:[0-9]{{12}}:key/[0-9a-f-]+$"),
                "Description": format!(
                    "The output ArtifactKeyArn of the support stack {}/support-{region} (its artifact key in {region})",
                    ctx.app.name
                )
            }),
        );
    }
    out
}

/// The artifact key of `region` (`None`: the pipeline's own).
pub(crate) fn key_arn(region: Option<&str>) -> Value {
    match region {
        None => super::get_att(ids::KEY, "Arn"),
        Some(r) => super::reference(&regional_key_parameter(r)),
    }
}

/// The artifact bucket of `region`, by name (`None`: the pipeline's own).
pub(crate) fn bucket_name(ctx: &Ctx, region: Option<&str>) -> Value {
    match region {
        None => super::reference(ids::BUCKET),
        Some(r) => sub(&regional_bucket_name(&ctx.app.name, r)),
    }
}

/// The roles of `account` that use artifacts: the deploy role and the execution role.
fn artifact_readers(app: &str, account: &Text) -> Vec<Value> {
    vec![
        iam_arn(account, &format!("role/{}", deploy_role_name(app))),
        iam_arn(account, &format!("role/{}", execution_role_name(app))),
    ]
}

/// Whether the app's instances download revisions from the artifact bucket (EC2).
fn instances_read_artifacts(ctx: &Ctx) -> bool {
    crate::codegen::targets::shared_resources(ctx.app).artifact_key && !ctx.app.deploy.released_by_stack()
}

/// The target accounts whose environments are in `region` (`None`: the pipeline's).
fn accounts_in(ctx: &Ctx, region: Option<&str>) -> Vec<Text> {
    targets(ctx).into_iter().filter(|(_, r)| r.as_deref() == region).map(|(a, _)| a).collect()
}

/// Key policy statements of the artifact key of `region` for the target accounts there: their
/// deploy and execution roles use the key; their instances (EC2) decrypt revisions through S3.
pub(crate) fn key_statements(ctx: &Ctx, region: Option<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    for account in accounts_in(ctx, region) {
        out.push(json!({
            "Sid": format!("TargetAccount{}", sid(&account)),
            "Effect": "Allow",
            "Principal": { "AWS": artifact_readers(&ctx.app.name, &account) },
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
            "Resource": "*"
        }));
        if instances_read_artifacts(ctx) {
            out.push(json!({
                "Sid": format!("TargetAccountInstances{}", sid(&account)),
                "Effect": "Allow",
                "Principal": { "AWS": iam_arn(&account, "root") },
                "Action": ["kms:Decrypt"],
                "Resource": "*",
                "Condition": { "StringEquals": { "kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com") } }
            }));
        }
    }
    out
}

/// Bucket policy statements of the artifact bucket of `region` (`bucket`, `objects`: its ARNs)
/// for the target accounts there: their roles read and write artifacts; their instances (EC2)
/// read revisions of the app's pipelines.
pub(crate) fn bucket_statements(
    ctx: &Ctx,
    region: Option<&str>,
    bucket: &Value,
    objects: &Value,
) -> Vec<Value> {
    let mut out = Vec::new();
    for account in accounts_in(ctx, region) {
        out.push(json!({
            "Sid": format!("TargetAccount{}", sid(&account)),
            "Effect": "Allow",
            "Principal": { "AWS": artifact_readers(&ctx.app.name, &account) },
            "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": [bucket, objects]
        }));
        if instances_read_artifacts(ctx) {
            out.push(json!({
                "Sid": format!("TargetAccountInstances{}", sid(&account)),
                "Effect": "Allow",
                "Principal": { "AWS": iam_arn(&account, "root") },
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [objects]
            }));
        }
    }
    out
}

/// An account as a statement id suffix.
fn sid(account: &Text) -> String {
    match account {
        Text::Param(name) => account_parameter(name).trim_start_matches("Account").to_string(),
        Text::Plain(id) | Text::Secret(id) => id.clone(),
    }
}

/// `ArtifactStores` when the pipeline deploys to another region: one store per region, the
/// pipeline's first; `None` keeps the single `ArtifactStore`.
pub(crate) fn artifact_stores(ctx: &Ctx) -> Option<Value> {
    let regions = extra_regions(ctx);
    if regions.is_empty() {
        return None;
    }
    let store = |region: Option<&str>| {
        json!({
            "Region": region.map_or_else(|| json!({"Ref": "AWS::Region"}), |r| json!(r)),
            "ArtifactStore": {
                "Type": "S3",
                "Location": bucket_name(ctx, region),
                "EncryptionKey": { "Id": key_arn(region), "Type": "KMS" }
            }
        })
    };
    let mut stores = vec![store(None)];
    stores.extend(regions.iter().map(|r| store(Some(r))));
    Some(Value::Array(stores))
}

/// `RoleArn` and `Region` of an action deploying `env` (each `None` at home).
pub(crate) fn action_placement(ctx: &Ctx, env: &str) -> (Option<Value>, Option<String>) {
    let role = remote_account(ctx.program, env)
        .map(|a| iam_arn(a, &format!("role/{}", deploy_role_name(&ctx.app.name))));
    (role, remote_region(ctx.program, env).map(str::to_string))
}

/// The CloudFormation execution role of `env`'s stack when it is in another account.
pub(crate) fn execution_role(ctx: &Ctx, env: &str) -> Option<Value> {
    remote_account(ctx.program, env)
        .map(|a| iam_arn(a, &format!("role/{}", execution_role_name(&ctx.app.name))))
}

/// The pipeline role's statements for the other accounts and regions: assume exactly the
/// target accounts' deploy roles; use the extra regions' artifact buckets and keys.
pub(crate) fn pipeline_role_statements(ctx: &Ctx) -> Vec<Value> {
    let mut out = Vec::new();
    let roles: Vec<Value> = targets(ctx)
        .iter()
        .map(|(a, _)| iam_arn(a, &format!("role/{}", deploy_role_name(&ctx.app.name))))
        .collect();
    if !roles.is_empty() {
        out.push(super::allow(&["sts:AssumeRole"], roles));
    }
    let regions = extra_regions(ctx);
    if !regions.is_empty() {
        let mut buckets = Vec::new();
        for r in &regions {
            let name = regional_bucket_name(&ctx.app.name, r);
            buckets.push(sub(&format!("arn:${{AWS::Partition}}:s3:::{name}")));
            buckets.push(sub(&format!("arn:${{AWS::Partition}}:s3:::{name}/*")));
        }
        out.push(super::allow(
            &["s3:GetBucketVersioning", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            buckets,
        ));
        out.push(super::allow(
            &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            regions.iter().map(|r| key_arn(Some(r))).collect(),
        ));
    }
    out
}
