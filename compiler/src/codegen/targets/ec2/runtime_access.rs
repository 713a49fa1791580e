//! What the EC2 instances need to read the app's runtime values at deploy time (see
//! [`super::runtime_env`]), and nothing more: one IAM policy per environment, on the
//! instance role, under a condition true only in that environment (`RuntimeIn<Env>`), allowing
//! - `ssm:GetParameter` on the environment's `param(...)` values;
//! - `secretsmanager:GetSecretValue` on its `secret(...)` values and the RDS-managed secret;
//! - `kms:Decrypt` only through Parameter Store and Secrets Manager, for those reads;
//! - `rds-db:connect` as the database's user (IAM database authentication is on);
//! - `cloudformation:DescribeStacks` on its own stack, for the database and cache endpoints;
//!
//! and one policy with the program's `allow` blocks, in every environment.

use crate::codegen::infra::database::DATABASE;
use crate::codegen::infra::{att, equals, r, sub, Ctx, Template};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{runtime_values, Env, RuntimeValue, Text};
use serde_json::Value;

/// The stack output with the ARN of the RDS-managed master secret.
pub const DATABASE_SECRET_OUTPUT: &str = "DatabaseSecretArn";
/// The stack output with the database's address (written by the database module).
pub const DATABASE_ENDPOINT_OUTPUT: &str = "DatabaseEndpoint";
/// The stack output with the cache's address (written by the cache module).
pub const CACHE_ENDPOINT_OUTPUT: &str = "CacheEndpoint";

/// Whether the app gets runtime values in any of its environments.
pub fn any(ctx: &Ctx) -> bool {
    ctx.envs.iter().any(|e| !runtime_values(ctx.app, e).is_empty())
}

/// Whether the environment's database password is the RDS-managed secret (no reference, or a
/// plain one, which pf never writes: see the database module).
pub fn managed_password(env: &Env) -> bool {
    env.database.as_ref().is_some_and(|d| d.password.as_ref().is_none_or(|p| matches!(p, Text::Plain(_))))
}

/// The condition true in `env` only.
pub fn condition(env: &Env) -> String {
    format!("RuntimeIn{}", naming::logical_id(&[&env.name]))
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    if !ctx.app.permissions.is_empty() {
        let statements: Vec<Value> = ctx
            .app
            .permissions
            .iter()
            .map(|p| {
                json!({"Sid": naming::logical_id(&[&p.name]), "Effect": "Allow",
                       "Action": &p.actions, "Resource": &p.resources})
            })
            .collect();
        t.resource(
            "AppPermissions",
            json!({"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "app-permissions", "Roles": [r("InstanceRole")],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}),
        );
    }
    if !any(ctx) {
        return;
    }
    if ctx.any(managed_password) {
        t.condition(
            "DbSecretManaged",
            json!({"Fn::And": [{"Condition": "HasDatabase"}, {"Condition": "DbPasswordManaged"}]}),
        );
        t.output(
            DATABASE_SECRET_OUTPUT,
            json!({"Condition": "DbSecretManaged", "Description": "The RDS-managed secret of the database's master user.",
                   "Value": att(DATABASE, "MasterUserSecret.SecretArn")}),
        );
    }
    for env in &ctx.envs {
        let statements = statements(ctx, env);
        if statements.is_empty() {
            continue;
        }
        let mut all = vec![equals("EnvName", &env.name)];
        if env.database.is_some() {
            all.push(json!({"Condition": "HasDatabase"}));
            if managed_password(env) {
                all.push(json!({"Condition": "DbPasswordManaged"}));
            }
        }
        if env.cache.is_some() {
            all.push(json!({"Condition": "HasCache"}));
        }
        let cond = if all.len() == 1 { all.remove(0) } else { json!({ "Fn::And": all }) };
        t.condition(&condition(env), cond);
        t.resource(
            &format!("RuntimeAccess{}", naming::logical_id(&[&env.name])),
            json!({"Type": "AWS::IAM::Policy", "Condition": condition(env), "Properties": {
                "PolicyName": "runtime-values", "Roles": [r("InstanceRole")],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}),
        );
    }
}

/// The statements of `env`'s policy; empty when it has no runtime values.
pub fn statements(ctx: &Ctx, env: &Env) -> Vec<Value> {
    let values = runtime_values(ctx.app, env);
    let mut params: Vec<String> = Vec::new();
    let mut secrets: Vec<Value> = Vec::new();
    let mut texts: Vec<&Text> = values
        .values()
        .filter_map(|v| match v {
            RuntimeValue::Text(t) => Some(t),
            _ => None,
        })
        .collect();
    let password = env.database.as_ref().and_then(|d| d.password.as_ref()).filter(|_| !managed_password(env));
    texts.extend(password);
    for t in texts {
        match t {
            Text::Plain(_) => {}
            Text::Param(name) => {
                if !params.contains(name) {
                    params.push(name.clone());
                }
            }
            Text::Secret(id) => {
                let arn = naming::secret_arn(id);
                if !secrets.contains(&arn) {
                    secrets.push(arn);
                }
            }
        }
    }
    params.sort();
    if managed_password(env) {
        secrets.push(att(DATABASE, "MasterUserSecret.SecretArn"));
    }
    let mut out = Vec::new();
    if !params.is_empty() {
        let arns: Vec<Value> = params.iter().map(|p| naming::parameter_arn(p)).collect();
        out.push(json!({"Sid": "ReadParameters", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": arns}));
    }
    if !secrets.is_empty() {
        out.push(json!({"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": &secrets}));
    }
    if !params.is_empty() || !secrets.is_empty() {
        out.push(json!({"Sid": "DecryptThroughParameterStoreAndSecretsManager", "Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"),
            "Condition": {"StringEquals": {"kms:ViaService": [
                sub("ssm.${AWS::Region}.${AWS::URLSuffix}"), sub("secretsmanager.${AWS::Region}.${AWS::URLSuffix}")]}}}));
    }
    if let Some(db) = &env.database {
        out.push(json!({"Sid": "ConnectToTheDatabase", "Effect": "Allow", "Action": "rds-db:connect",
            "Resource": sub(&format!("arn:${{AWS::Partition}}:rds-db:${{AWS::Region}}:${{AWS::AccountId}}:dbuser:${{{DATABASE}.DbiResourceId}}/{}", db.username))}));
    }
    if env.database.is_some() || env.cache.is_some() {
        out.push(json!({"Sid": "ReadEndpoints", "Effect": "Allow", "Action": "cloudformation:DescribeStacks",
            "Resource": sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*")}));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::fixture;
    use crate::codegen::infra::template;
    use std::collections::BTreeMap;

    #[test]
    fn each_environment_reads_exactly_its_own_values() {
        let mut p = fixture::sample_program();
        p.apps[0].runtime = BTreeMap::from([
            ("LOG_LEVEL".into(), Text::Plain("info".into())),
            ("API_KEY".into(), Text::Secret("webshop/api:key".into())),
        ]);
        let prod = p.envs.iter_mut().find(|e| e.name == "prod").unwrap();
        prod.runtime = BTreeMap::from([("FLAGS".into(), Text::Param("/webshop/prod/flags".into()))]);
        let ctx = Ctx::new(&p, &p.apps[0]).unwrap();
        let t = template(&ctx);
        let policy = &t["Resources"]["RuntimeAccessProd"];
        assert_eq!(policy["Condition"], "RuntimeInProd");
        assert_eq!(policy["Properties"]["Roles"], json!([{"Ref": "InstanceRole"}]));
        let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap();
        let by_sid = |sid: &str| statements.iter().find(|s| s["Sid"] == sid).cloned();
        assert_eq!(
            by_sid("ReadParameters").unwrap()["Resource"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/webshop/prod/flags"}])
        );
        let secrets = by_sid("ReadSecrets").unwrap()["Resource"].clone();
        assert_eq!(secrets.as_array().unwrap().len(), 2, "{secrets}");
        assert_eq!(
            secrets[0],
            json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:webshop/api-??????"})
        );
        // Prod's password is the program's secret; test's is the RDS-managed one.
        assert_eq!(
            secrets[1],
            json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:webshop/prod/db-??????"})
        );
        let connect = by_sid("ConnectToTheDatabase").unwrap();
        assert_eq!(connect["Action"], "rds-db:connect");
        assert!(connect["Resource"]["Fn::Sub"]
            .as_str()
            .unwrap()
            .ends_with(":dbuser:${Database.DbiResourceId}/app"));
        assert!(by_sid("DecryptThroughParameterStoreAndSecretsManager").unwrap()["Condition"]
            ["StringEquals"]
            .get("kms:ViaService")
            .is_some());
        // Every statement names its resources: no `*`.
        for s in statements {
            assert_ne!(s["Resource"], "*", "{s}");
        }
        // The test environment does not read prod's parameter.
        let test = t["Resources"]["RuntimeAccessTest"]["Properties"]["PolicyDocument"].to_string();
        assert!(!test.contains("/webshop/prod/flags"), "{test}");
        assert!(test.contains("webshop/api-??????"), "{test}");
        assert!(test.contains("MasterUserSecret.SecretArn"), "{test}");
        assert_eq!(
            t["Conditions"]["RuntimeInTest"],
            json!({"Fn::And": [{"Fn::Equals": [{"Ref": "EnvName"}, "test"]}, {"Condition": "HasDatabase"}, {"Condition": "DbPasswordManaged"}]})
        );
    }

    #[test]
    fn an_app_without_runtime_values_gets_no_extra_access() {
        let mut p = fixture::sample_program();
        for e in &mut p.envs {
            e.database = None;
            e.cache = None;
        }
        let ctx = Ctx::new(&p, &p.apps[0]).unwrap();
        let t = template(&ctx);
        let ids: Vec<&String> = t["Resources"].as_object().unwrap().keys().collect();
        assert!(!ids.iter().any(|id| id.starts_with("RuntimeAccess") || *id == "AppPermissions"), "{ids:?}");
    }
}
