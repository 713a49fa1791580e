//! The container's secrets, per environment: the app's `secrets { ... }` and its runtime values
//! (issue 16: its own, the environment's, and those of the database and cache), each a
//! container secret `{Name, ValueFrom}` that ECS resolves when a task starts, never a plain
//! value in the task definition. A reference is read where it is (`param(...)`, `secret(...)`,
//! the RDS-managed secret); a plain runtime value, and the database's and cache's address, are
//! stack-owned SSM parameters `/pf/<app>/<env>/<NAME>`. The execution role reads exactly
//! these, one inline policy per environment.
//!
//! The template serves every environment of the app, so each list is chosen by a condition true
//! in one environment only (`EcsIn<Env>`, which also holds the database's and cache's
//! conditions when the environment has them).

use crate::codegen::infra::cache::CACHE;
use crate::codegen::infra::database::DATABASE;
use crate::codegen::infra::{att, equals, iff, no_value, sub, Ctx, Template};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{runtime_values, EcsDeploy, Env, RuntimeValue, Text};
use serde_json::Value;
use std::collections::BTreeMap;

/// The condition true in `env` only.
pub fn condition(env: &Env) -> String {
    format!("EcsIn{}", naming::logical_id(&[&env.name]))
}

/// Whether the environment's database password is the RDS-managed secret.
fn managed_password(env: &Env) -> bool {
    env.database.as_ref().is_some_and(|d| d.password.as_ref().is_none_or(|p| matches!(p, Text::Plain(_))))
}

/// Where one secret is read from.
enum From {
    /// A reference the program wrote.
    Text(Text),
    /// A stack-owned SSM parameter with this value.
    Stack(Value),
    /// The RDS-managed secret's `password` key.
    ManagedPassword,
}

/// The secrets of `d` in `env`, by name: the runtime values, then the app's secrets.
fn sources(ctx: &Ctx, d: &EcsDeploy, env: &Env) -> BTreeMap<String, From> {
    let mut out = BTreeMap::new();
    for (name, value) in runtime_values(ctx.app, env) {
        let from = match value {
            RuntimeValue::Text(Text::Plain(s)) => From::Stack(json!(s)),
            RuntimeValue::Text(t) => From::Text(t),
            RuntimeValue::DatabaseHost => From::Stack(att(DATABASE, "Endpoint.Address")),
            RuntimeValue::CacheHost => From::Stack(att(CACHE, "PrimaryEndPoint.Address")),
            RuntimeValue::DatabasePassword => {
                match env.database.as_ref().and_then(|db| db.password.clone()) {
                    Some(t @ (Text::Param(_) | Text::Secret(_))) => From::Text(t),
                    _ => From::ManagedPassword,
                }
            }
        };
        out.insert(name, from);
    }
    for (name, t) in &d.secrets {
        out.insert(name.clone(), From::Text(t.clone()));
    }
    out
}

/// The path of the stack-owned parameters of `app` in `env`, `pf/<app>/<env>/` (no leading
/// `/`: the pipeline's CloudFormation role may manage only these).
pub fn parameter_prefix(app: &str, env: &str) -> String {
    format!("pf/{app}/{env}/")
}

/// The stack-owned parameter of `name` in `env`: its logical ID and name.
fn stack_parameter(ctx: &Ctx, env: &Env, name: &str) -> (String, String) {
    (
        naming::logical_id(&["runtime", &env.name, name]),
        format!("/{}{name}", parameter_prefix(&ctx.app.name, &env.name)),
    )
}

/// `ValueFrom` of a `secret("id[:json-key]")`: the secret's (partial) ARN, and the key.
fn secret_value_from(id: &str) -> Value {
    let (secret, key) = naming::secret_parts(id);
    let suffix = key.map_or(String::new(), |k| format!(":{k}::"));
    if secret.starts_with("arn:") {
        json!(format!("{secret}{suffix}"))
    } else {
        sub(&format!("arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{secret}{suffix}"))
    }
}

fn parameter_arn_of(path: &str) -> Value {
    naming::parameter_arn(path)
}

/// Declares the per-environment conditions and stack-owned parameters, and returns the
/// execution role's inline policies reading the secrets (one per environment that has any).
pub fn execution_policies(ctx: &Ctx, d: &EcsDeploy, t: &mut Template) -> Vec<Value> {
    let mut policies = Vec::new();
    for env in &ctx.envs {
        let sources = sources(ctx, d, env);
        if sources.is_empty() {
            continue;
        }
        let mut all = vec![equals("EnvName", &env.name)];
        if env.database.is_some() {
            all.push(json!({"Condition": "HasDatabase"}));
            all.push(if managed_password(env) {
                json!({"Condition": "DbPasswordManaged"})
            } else {
                crate::codegen::infra::not(json!({"Condition": "DbPasswordManaged"}))
            });
        }
        if env.cache.is_some() {
            all.push(json!({"Condition": "HasCache"}));
        }
        let cond = condition(env);
        t.condition(&cond, if all.len() == 1 { all.remove(0) } else { json!({ "Fn::And": all }) });
        let mut params: Vec<Value> = Vec::new();
        let mut secrets: Vec<Value> = Vec::new();
        for (name, from) in &sources {
            match from {
                From::Text(Text::Param(p)) => params.push(parameter_arn_of(p)),
                From::Text(Text::Secret(id)) => secrets.push(naming::secret_arn(id)),
                From::Text(Text::Plain(_)) => {}
                From::Stack(value) => {
                    let (id, path) = stack_parameter(ctx, env, name);
                    t.resource(
                        &id,
                        json!({"Type": "AWS::SSM::Parameter", "Condition": &cond, "Properties": {
                            "Name": &path, "Type": "String", "Value": value,
                            "Description": format!("{name} of the app {} in {} (pf)", ctx.app.name, env.name)}}),
                    );
                    params.push(parameter_arn_of(&path));
                }
                From::ManagedPassword => secrets.push(att(DATABASE, "MasterUserSecret.SecretArn")),
            }
        }
        params.dedup();
        secrets.dedup();
        let mut statements = Vec::new();
        if !params.is_empty() {
            statements.push(json!({"Sid": "ReadParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": params}));
        }
        if !secrets.is_empty() {
            statements.push(json!({"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secrets}));
        }
        statements.push(json!({"Sid": "DecryptThroughParameterStoreAndSecretsManager", "Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"),
            "Condition": {"StringEquals": {"kms:ViaService": [
                sub("ssm.${AWS::Region}.${AWS::URLSuffix}"), sub("secretsmanager.${AWS::Region}.${AWS::URLSuffix}")]}}}));
        policies.push(iff(
            &cond,
            json!({"PolicyName": "secrets", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}),
            no_value(),
        ));
    }
    policies
}

/// The container's `Secrets`: the list of the one environment the stack is deployed as, or
/// `None` when no environment has any.
pub fn container_secrets(ctx: &Ctx, d: &EcsDeploy) -> Option<Value> {
    let mut value = no_value();
    let mut any = false;
    for env in ctx.envs.iter().rev() {
        let sources = sources(ctx, d, env);
        if sources.is_empty() {
            continue;
        }
        any = true;
        let list: Vec<Value> = sources
            .iter()
            .map(|(name, from)| {
                let value_from = match from {
                    From::Text(Text::Param(p)) => parameter_arn_of(p),
                    From::Text(Text::Secret(id)) => secret_value_from(id),
                    From::Text(Text::Plain(_)) | From::Stack(_) => {
                        parameter_arn_of(&stack_parameter(ctx, env, name).1)
                    }
                    From::ManagedPassword => {
                        sub(&format!("${{{DATABASE}.MasterUserSecret.SecretArn}}:password::"))
                    }
                };
                json!({"Name": name, "ValueFrom": value_from})
            })
            .collect();
        value = iff(&condition(env), Value::Array(list), value);
    }
    any.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_references_name_their_json_key() {
        assert_eq!(
            secret_value_from("orders/db:password"),
            json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:orders/db:password::"})
        );
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf";
        assert_eq!(secret_value_from(arn), json!(arn));
        assert_eq!(secret_value_from(&format!("{arn}:key")), json!(format!("{arn}:key::")));
    }
}
