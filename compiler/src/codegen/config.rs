//! Template configurations: `config/<env>.json`, the CodePipeline TemplateConfiguration of an
//! environment (`Parameters`, `Tags`, `StackPolicy`). Every value is a string, and none is a
//! secret: secrets stay dynamic references in the template.

use super::infra::{self, cache::CACHE, database::DATABASE, Ctx};
use crate::codegen::json::json;
use crate::ir::Env;
use serde_json::{Map, Value};

/// The configuration of `env` for the app of `ctx`.
pub fn config(ctx: &Ctx, env: &Env) -> Value {
    let mut params = Map::new();
    for (k, v) in infra::values(ctx, env) {
        params.insert(k, Value::String(v));
    }
    let mut tags = Map::new();
    for (k, v) in ctx.program.project.tags.iter().chain(&ctx.app.tags).chain(&env.tags) {
        tags.insert(k.clone(), json!(v));
    }
    tags.insert("pf:app".into(), json!(&ctx.app.name));
    tags.insert("pf:env".into(), json!(&env.name));
    json!({"Parameters": params, "Tags": tags, "StackPolicy": stack_policy(env)})
}

/// Protected environments deny replacing or deleting their data stores; others allow all.
pub fn stack_policy(env: &Env) -> Value {
    let allow = json!({"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"});
    let mut data: Vec<Value> = Vec::new();
    if env.database.is_some() {
        data.push(json!(format!("LogicalResourceId/{DATABASE}")));
    }
    if env.cache.is_some() {
        data.push(json!(format!("LogicalResourceId/{CACHE}")));
    }
    if !env.protected || data.is_empty() {
        return json!({"Statement": [allow]});
    }
    json!({"Statement": [
        allow,
        {"Effect": "Deny", "Principal": "*", "Action": ["Update:Replace", "Update:Delete"], "Resource": data}
    ]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::fixture;

    #[test]
    fn only_protected_envs_with_data_deny_replacement() {
        let prod = fixture::sample_prod_env();
        assert_eq!(stack_policy(&prod)["Statement"][1]["Effect"], "Deny");
        let mut unprotected = prod.clone();
        unprotected.protected = false;
        assert_eq!(stack_policy(&unprotected)["Statement"].as_array().unwrap().len(), 1);
        let mut no_data = prod;
        no_data.database = None;
        no_data.cache = None;
        assert_eq!(stack_policy(&no_data)["Statement"].as_array().unwrap().len(), 1);
    }
}
