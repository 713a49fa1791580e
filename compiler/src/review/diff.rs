//! Resource-level differences between two sets of stacks: each resource added, removed,
//! modified or replaced, with the properties that changed (compared structurally) and whether
//! each replaces the resource ([`replacement`](super::replacement)). A resource that is replaced
//! gets a new physical id, so the properties of other resources that refer to it (`Ref`,
//! `Fn::GetAtt`, `Fn::Sub`) change too, and may replace those in turn.

use super::replacement::{self, Replacement};
use super::stack::{Resource, Stack};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What happens to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Add,
    Remove,
    Modify,
    /// Replaced (always or possibly: see [`ResourceChange::replacement`]).
    Replace,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Remove => "remove",
            Action::Modify => "modify",
            Action::Replace => "replace",
        }
    }
}

/// One value that changed under a property, at a path like `Stages[prod].Actions[0].Name`.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A top-level property that changed.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyChange {
    pub property: String,
    pub replacement: Replacement,
    /// What changed under it (empty when only a resource it refers to is replaced).
    pub leaves: Vec<Leaf>,
    /// Why it changes when its text does not: `Subnet1 is replaced`.
    pub cause: Option<String>,
}

/// A resource that changes.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceChange {
    pub id: String,
    pub kind: String,
    pub action: Action,
    /// The strongest replacement of its changed properties.
    pub replacement: Replacement,
    pub properties: Vec<PropertyChange>,
    /// The policies of the resource as it is before the change (what happens to it when it is
    /// replaced or removed).
    pub deletion_policy: Option<String>,
    pub update_replace_policy: Option<String>,
}

/// Whether a stack is new, gone, or changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackStatus {
    Added,
    Removed,
    Changed,
}

/// The changes of one stack.
#[derive(Clone, Debug, PartialEq)]
pub struct StackDiff {
    pub name: String,
    pub app: String,
    pub env: Option<String>,
    /// Whether the environment is protected (after the change; before it for a removed stack).
    pub protected: bool,
    pub status: StackStatus,
    pub resources: Vec<ResourceChange>,
}

/// The stacks that change, by name.
pub fn stacks(old: &[Stack], new: &[Stack]) -> Vec<StackDiff> {
    let old: BTreeMap<&str, &Stack> = old.iter().map(|s| (s.name.as_str(), s)).collect();
    let new: BTreeMap<&str, &Stack> = new.iter().map(|s| (s.name.as_str(), s)).collect();
    let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    let empty = BTreeMap::new();
    let mut out = Vec::new();
    for name in names {
        let (before, after) = (old.get(name), new.get(name));
        let status = match (before, after) {
            (None, _) => StackStatus::Added,
            (_, None) => StackStatus::Removed,
            _ => StackStatus::Changed,
        };
        let stack = after.or(before).expect("one side has the stack");
        let resources =
            resources(before.map_or(&empty, |s| &s.resources), after.map_or(&empty, |s| &s.resources));
        if status == StackStatus::Changed && resources.is_empty() {
            continue;
        }
        out.push(StackDiff {
            name: name.to_string(),
            app: stack.app.clone(),
            env: stack.env.clone(),
            protected: stack.protected,
            status,
            resources,
        });
    }
    out
}

/// The resources that change, by logical id.
fn resources(old: &BTreeMap<String, Resource>, new: &BTreeMap<String, Resource>) -> Vec<ResourceChange> {
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut changes: BTreeMap<String, ResourceChange> = BTreeMap::new();
    for id in ids {
        let change = |action, kind: &str, replacement, properties, policies: &Resource| ResourceChange {
            id: id.clone(),
            kind: kind.to_string(),
            action,
            replacement,
            properties,
            deletion_policy: policies.deletion_policy.clone(),
            update_replace_policy: policies.update_replace_policy.clone(),
        };
        match (old.get(id), new.get(id)) {
            (None, Some(r)) => {
                changes.insert(id.clone(), change(Action::Add, &r.kind, Replacement::Never, vec![], r));
            }
            (Some(r), None) => {
                changes.insert(id.clone(), change(Action::Remove, &r.kind, Replacement::Never, vec![], r));
            }
            (Some(a), Some(b)) if a.kind != b.kind => {
                let p = PropertyChange {
                    property: "Type".into(),
                    replacement: Replacement::Always,
                    leaves: vec![leaf("Type", Some(&a.kind.clone().into()), Some(&b.kind.clone().into()))],
                    cause: None,
                };
                changes.insert(id.clone(), change(Action::Replace, &b.kind, Replacement::Always, vec![p], a));
            }
            (Some(a), Some(b)) => {
                let properties = properties(a, b);
                if !properties.is_empty() {
                    let (action, replacement) = action(&properties);
                    changes.insert(id.clone(), change(action, &b.kind, replacement, properties, a));
                }
            }
            (None, None) => {}
        }
    }
    propagate(old, new, &mut changes);
    changes.into_values().collect()
}

/// The properties (and policies) that differ between two versions of a resource.
fn properties(a: &Resource, b: &Resource) -> Vec<PropertyChange> {
    let keys: BTreeSet<&String> = a.properties.keys().chain(b.properties.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let (before, after) = (a.properties.get(key), b.properties.get(key));
        if before == after {
            continue;
        }
        let mut leaves = Vec::new();
        diff_values(key, before, after, &mut leaves);
        out.push(PropertyChange {
            property: key.clone(),
            replacement: replacement::of_change(&b.kind, key, before, after),
            leaves,
            cause: None,
        });
    }
    for (name, before, after) in [
        ("DeletionPolicy", &a.deletion_policy, &b.deletion_policy),
        ("UpdateReplacePolicy", &a.update_replace_policy, &b.update_replace_policy),
    ] {
        if before != after {
            let text = |p: &Option<String>| p.clone().map(Value::String);
            out.push(PropertyChange {
                property: name.into(),
                replacement: Replacement::Never,
                leaves: vec![leaf(name, text(before).as_ref(), text(after).as_ref())],
                cause: None,
            });
        }
    }
    out
}

/// The action and replacement of a resource with these property changes.
fn action(properties: &[PropertyChange]) -> (Action, Replacement) {
    let replacement = properties.iter().map(|p| p.replacement).max().unwrap_or(Replacement::Never);
    let action = if replacement >= Replacement::Conditional { Action::Replace } else { Action::Modify };
    (action, replacement)
}

/// Marks the properties that refer to a replaced resource as changed, until nothing more changes.
fn propagate(
    old: &BTreeMap<String, Resource>,
    new: &BTreeMap<String, Resource>,
    changes: &mut BTreeMap<String, ResourceChange>,
) {
    loop {
        let replaced: BTreeMap<String, Replacement> = changes
            .values()
            .filter(|c| c.action == Action::Replace)
            .map(|c| (c.id.clone(), c.replacement))
            .collect();
        let mut grew = false;
        for (id, b) in new {
            let Some(a) = old.get(id).filter(|a| a.kind == b.kind) else { continue };
            for (key, value) in &b.properties {
                let already =
                    changes.get(id).is_some_and(|c| c.properties.iter().any(|p| &p.property == key));
                if already {
                    continue;
                }
                let Some((target, strength)) = refers_to(value, &replaced) else { continue };
                let replacement =
                    replacement::of_change(&b.kind, key, Some(&Value::Null), Some(value)).min(strength);
                let property = PropertyChange {
                    property: key.clone(),
                    replacement,
                    leaves: vec![],
                    cause: Some(format!("{target} is replaced")),
                };
                let entry = changes.entry(id.clone()).or_insert_with(|| ResourceChange {
                    id: id.clone(),
                    kind: b.kind.clone(),
                    action: Action::Modify,
                    replacement: Replacement::Never,
                    properties: vec![],
                    deletion_policy: a.deletion_policy.clone(),
                    update_replace_policy: a.update_replace_policy.clone(),
                });
                entry.properties.push(property);
                entry.properties.sort_by(|x, y| x.property.cmp(&y.property));
                (entry.action, entry.replacement) = action(&entry.properties);
                grew = true;
            }
        }
        if !grew {
            return;
        }
    }
}

/// The first replaced resource `v` refers to, with how surely it is replaced.
fn refers_to(v: &Value, replaced: &BTreeMap<String, Replacement>) -> Option<(String, Replacement)> {
    let hit = |id: &str| replaced.get(id).map(|r| (id.to_string(), *r));
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (key, arg) = m.iter().next()?;
            let direct = match (key.as_str(), arg) {
                ("Ref", Value::String(id)) => hit(id),
                ("Fn::GetAtt", Value::Array(a)) => a.first().and_then(Value::as_str).and_then(hit),
                ("Fn::GetAtt", Value::String(s)) => hit(s.split('.').next().unwrap_or_default()),
                ("Fn::Sub", Value::String(s)) => sub_names(s).find_map(hit),
                _ => None,
            };
            direct.or_else(|| refers_to(arg, replaced))
        }
        Value::Object(m) => m.values().find_map(|e| refers_to(e, replaced)),
        Value::Array(a) => a.iter().find_map(|e| refers_to(e, replaced)),
        _ => None,
    }
}

/// The resource names in a `Fn::Sub` string (`${Name}` or `${Name.Attribute}`).
fn sub_names(s: &str) -> impl Iterator<Item = &str> {
    s.split("${").skip(1).filter_map(|part| part.split('}').next()).map(|n| n.split('.').next().unwrap_or(n))
}

fn leaf(path: &str, before: Option<&Value>, after: Option<&Value>) -> Leaf {
    Leaf { path: path.to_string(), before: before.cloned(), after: after.cloned() }
}

/// The smallest values that differ between `a` and `b`. Lists of named objects (`Name` keys,
/// such as a pipeline's stages) are matched by name, other lists of one length by position.
fn diff_values<'a>(path: &str, a: Option<&'a Value>, b: Option<&'a Value>, out: &mut Vec<Leaf>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                diff_values(&format!("{path}.{key}"), x.get(key), y.get(key), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => match (named(x), named(y)) {
            (Some(x), Some(y)) => {
                let find = |list: &[(&str, &'a Value)], name: &str| -> Option<&'a Value> {
                    list.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
                };
                let names = x
                    .iter()
                    .map(|(n, _)| *n)
                    .chain(y.iter().map(|(n, _)| *n).filter(|n| find(&x, n).is_none()));
                for name in names {
                    diff_values(&format!("{path}[{name}]"), find(&x, name), find(&y, name), out);
                }
            }
            _ if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    diff_values(&format!("{path}[{i}]"), Some(p), Some(q), out);
                }
            }
            _ => out.push(leaf(path, a, b)),
        },
        _ => out.push(leaf(path, a, b)),
    }
}

/// A list whose elements are all objects with distinct `Name`s, as (name, element) in order.
fn named(list: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let mut out: Vec<(&str, &Value)> = Vec::new();
    for e in list {
        let name = e.get("Name")?.as_str()?;
        if out.iter().any(|(n, _)| *n == name) {
            return None;
        }
        out.push((name, e));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(kind: &str, properties: Value) -> Resource {
        Resource {
            kind: kind.into(),
            properties: properties.as_object().unwrap().clone(),
            deletion_policy: None,
            update_replace_policy: None,
        }
    }

    fn stack(resources: &[(&str, Resource)]) -> Stack {
        Stack {
            name: "a-e".into(),
            app: "a".into(),
            env: Some("e".into()),
            protected: true,
            region: None,
            resources: resources.iter().map(|(id, r)| (id.to_string(), r.clone())).collect(),
            guard: None,
        }
    }

    #[test]
    fn identical_stacks_do_not_change() {
        let s = stack(&[("Vpc", resource("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})))]);
        let same = std::slice::from_ref(&s);
        assert!(stacks(same, same).is_empty());
    }

    #[test]
    fn a_replaced_resource_replaces_what_refers_to_it_through_create_only_properties() {
        let vpc = |cidr| resource("AWS::EC2::VPC", json!({"CidrBlock": cidr}));
        let subnet =
            resource("AWS::EC2::Subnet", json!({"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}));
        let group = resource("AWS::RDS::DBSubnetGroup", json!({"SubnetIds": [{"Ref": "Subnet"}]}));
        let old = stack(&[("Vpc", vpc("10.0.0.0/16")), ("Subnet", subnet.clone()), ("Group", group.clone())]);
        let new = stack(&[("Vpc", vpc("10.1.0.0/16")), ("Subnet", subnet), ("Group", group)]);
        let d = stacks(&[old], &[new]);
        let by_id: BTreeMap<&str, &ResourceChange> =
            d[0].resources.iter().map(|r| (r.id.as_str(), r)).collect();
        assert_eq!(by_id["Vpc"].action, Action::Replace);
        assert_eq!(by_id["Subnet"].action, Action::Replace, "VpcId is create-only");
        assert_eq!(by_id["Subnet"].properties[0].cause.as_deref(), Some("Vpc is replaced"));
        assert_eq!(by_id["Group"].action, Action::Modify, "SubnetIds is not create-only");
    }

    #[test]
    fn named_lists_are_compared_by_name() {
        let mut out = Vec::new();
        let a = json!([{"Name": "build", "X": 1}, {"Name": "prod", "X": 1}]);
        let b = json!([{"Name": "prod", "X": 2}]);
        diff_values("Stages", Some(&a), Some(&b), &mut out);
        let paths: Vec<&str> = out.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(paths, ["Stages[build]", "Stages[prod].X"]);
    }
}
