//! Runtime values (`runtime { NAME = ... }` on apps and environments) and the app's extra
//! permissions (`allow NAME { actions, resources }`).

use super::*;
use crate::ir::{Permission, HANDED_OVER};
use crate::schema;
use std::collections::BTreeMap;

/// The `runtime` map of `obj`; names that are not environment variable names, or that pf hands
/// over itself, are PF2040.
pub fn values(ctx: &mut Ctx, obj: &Obj) -> BTreeMap<String, Text> {
    let Some(Val::Map(m)) = obj.get("runtime").map(|i| &i.val) else { return BTreeMap::new() };
    let mut out = BTreeMap::new();
    for (name, item) in m {
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_uppercase() || c == '_')
            && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            ctx.push(
                Diagnostic::new(codes::PF2040, item.span, format!("`{name}` is not a runtime variable name"))
                    .with_label("not NAME_LIKE_THIS")
                    .with_help("runtime values become environment variables: use capital letters, digits and `_`, not starting with a digit"),
            );
        } else if HANDED_OVER.contains(&name.as_str()) {
            ctx.push(
                Diagnostic::new(codes::PF2040, item.span, format!("`{name}` is a name pf hands over itself"))
                    .with_label("reserved name")
                    .with_help("pf sets DATABASE_* from the environment's database and CACHE_* from its cache: pick another name"),
            );
        }
        if let Val::Text(t) = &item.val {
            out.insert(name.clone(), t.clone());
        }
    }
    out
}

/// The app's `allow` blocks; a wildcard action or a resource that is not a narrow ARN is PF6010.
pub fn permissions(ctx: &mut Ctx, obj: &Obj) -> Vec<Permission> {
    let mut out = Vec::new();
    for c in obj.children.iter().filter(|c| c.keyword == "allow") {
        if !require(ctx, &c.obj, &schema::ALLOW, c.span) {
            continue;
        }
        let mut each = |field: &str, why: fn(&str) -> Option<&'static str>| {
            let Some(Item { val: Val::List(items), .. }) = c.obj.get(field) else { return };
            for item in items {
                let Val::Str(s) = &item.val else { continue };
                if let Some(why) = why(s) {
                    ctx.push(
                        Diagnostic::new(codes::PF6010, item.span, format!("`{s}` {why}"))
                            .with_label("too broad")
                            .with_help("name each action in full (`s3:GetObject`) and each resource by its ARN; `*` may only narrow the path after the resource type (`arn:aws:s3:::uploads/*`)"),
                    );
                }
            }
        };
        each("actions", action_problem);
        each("resources", resource_problem);
        out.push(Permission {
            name: c.label.as_ref().map_or_else(String::new, |l| l.name.clone()),
            actions: strs_of(&c.obj, "actions"),
            resources: strs_of(&c.obj, "resources"),
        });
    }
    out
}

/// Why an IAM action is refused: not `service:Action`, or a wildcard.
fn action_problem(action: &str) -> Option<&'static str> {
    let Some((service, name)) = action.split_once(':') else {
        return Some("is not an IAM action (`service:Action`)");
    };
    if action.contains(['*', '?']) {
        Some("is a wildcard action: it grants actions nobody reviewed")
    } else if service.is_empty()
        || name.is_empty()
        || !action.chars().all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-')
    {
        Some("is not an IAM action (`service:Action`)")
    } else {
        None
    }
}

/// Why a resource is refused: `*`, not an ARN, or a wildcard in its partition, service, region
/// or account, or a resource part that is only `*`.
fn resource_problem(resource: &str) -> Option<&'static str> {
    if resource == "*" {
        return Some("is every resource of the account");
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return Some("is not an ARN (`arn:aws:service:region:account:resource`)");
    }
    if parts[1..5].iter().any(|p| p.contains(['*', '?'])) {
        return Some("has a wildcard in its partition, service, region or account");
    }
    if parts[5].is_empty() || parts[5].trim_start_matches(|c| c != '*' && c != '?').len() == parts[5].len() {
        return Some("has no resource before its wildcard");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_named_in_full() {
        assert_eq!(action_problem("s3:GetObject"), None);
        assert!(action_problem("s3:Get*").is_some());
        assert!(action_problem("*").is_some());
        assert!(action_problem("s3:*").is_some());
        assert!(action_problem("GetObject").is_some());
    }

    #[test]
    fn resources_are_narrow_arns() {
        assert_eq!(resource_problem("arn:aws:s3:::uploads/*"), None);
        assert_eq!(resource_problem("arn:aws:sqs:eu-west-1:123456789012:jobs"), None);
        assert!(resource_problem("*").is_some());
        assert!(resource_problem("arn:aws:s3:::*").is_some());
        assert!(resource_problem("arn:aws:sqs:*:123456789012:jobs").is_some());
        assert!(resource_problem("uploads").is_some());
    }
}
