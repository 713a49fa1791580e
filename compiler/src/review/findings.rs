//! The loud findings of a change, the ones a reviewer must not miss: stateful resources replaced
//! or removed in a protected environment (and what their policies do with the data), IAM grants
//! added, security-group rules opened, approvals removed or moved, stages added, removed or
//! reordered. Generic over templates: by resource type and property shape, not by logical id.

use super::diff::{Action, ResourceChange, StackDiff, StackStatus};
use super::replacement::Replacement;
use super::stack::{Resource, Stack};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A stateful resource replaced or removed in a protected environment.
    DataLoss,
    /// A stateful resource stays in a protected environment, but the network it lives in is
    /// replaced under it.
    DataAtRisk,
    IamBroadened,
    IngressOpened,
    EgressOpened,
    ApprovalRemoved,
    ApprovalMoved,
    StageAdded,
    StageRemoved,
    StagesReordered,
    /// A change the pipeline's self-update waits for an approval of (`review::guard`).
    SelfUpdateGuard,
}

impl Kind {
    /// The finding's name in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DataLoss => "data-loss",
            Kind::DataAtRisk => "data-at-risk",
            Kind::IamBroadened => "iam-broadened",
            Kind::IngressOpened => "ingress-opened",
            Kind::EgressOpened => "egress-opened",
            Kind::ApprovalRemoved => "approval-removed",
            Kind::ApprovalMoved => "approval-moved",
            Kind::StageAdded => "stage-added",
            Kind::StageRemoved => "stage-removed",
            Kind::StagesReordered => "stages-reordered",
            Kind::SelfUpdateGuard => "self-update-guard",
        }
    }

    /// Whether `--fail-on data-loss` fails on it.
    pub fn is_data_loss(self) -> bool {
        matches!(self, Kind::DataLoss | Kind::DataAtRisk)
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: Kind,
    pub stack: String,
    pub resource: Option<String>,
    pub message: String,
}

/// Resource types that hold data: replacing or removing one loses it (unless a policy keeps it).
pub const STATEFUL: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
    "AWS::DynamoDB::Table",
    "AWS::EFS::FileSystem",
];

/// The findings of a change, by stack then kind.
pub fn findings(old: &[Stack], new: &[Stack], diffs: &[StackDiff]) -> Vec<Finding> {
    let old: BTreeMap<&str, &Stack> = old.iter().map(|s| (s.name.as_str(), s)).collect();
    let new: BTreeMap<&str, &Stack> = new.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out = Vec::new();
    for d in diffs {
        let (before, after) = (old.get(d.name.as_str()).copied(), new.get(d.name.as_str()).copied());
        let protected = before.is_some_and(|s| s.protected) || after.is_some_and(|s| s.protected);
        if protected {
            data(d, after, &mut out);
        }
        grants(d, before, after, &mut out);
        rules(d, before, after, &mut out);
        if let Some(before) = before {
            pipelines(d, before, after, &mut out);
        }
        if let (Some(old), Some(new)) =
            (before.and_then(|s| s.guard.as_ref()), after.and_then(|s| s.guard.as_ref()))
        {
            out.extend(super::guard::findings(&d.name, old, new));
        }
    }
    out.sort_by(|a, b| (&a.stack, a.kind).cmp(&(&b.stack, b.kind)));
    out
}

fn finding(kind: Kind, d: &StackDiff, resource: Option<&str>, message: String) -> Finding {
    Finding { kind, stack: d.name.clone(), resource: resource.map(str::to_string), message }
}

/// Stateful resources replaced or removed, or whose network is replaced, in a protected
/// environment.
fn data(d: &StackDiff, after: Option<&Stack>, out: &mut Vec<Finding>) {
    let env = d.env.as_deref().unwrap_or(&d.name);
    let changes: BTreeMap<&str, &ResourceChange> = d.resources.iter().map(|r| (r.id.as_str(), r)).collect();
    for r in d.resources.iter().filter(|r| STATEFUL.contains(&r.kind.as_str())) {
        let message = match r.action {
            Action::Replace => {
                let verb = if r.replacement == Replacement::Always { "is" } else { "may be" };
                let why: Vec<String> = r
                    .properties
                    .iter()
                    .filter(|p| p.replacement >= Replacement::Conditional)
                    .map(|p| format!("{} ({})", p.property, p.replacement.as_str()))
                    .collect();
                format!(
                    "{} ({}) {verb} replaced in protected environment {env} by {}: {}",
                    r.id,
                    r.kind,
                    why.join(", "),
                    on_replace(r.update_replace_policy.as_deref())
                )
            }
            Action::Remove => format!(
                "{} ({}) is removed from protected environment {env}{}: {}",
                r.id,
                r.kind,
                if d.status == StackStatus::Removed { " (the whole stack is removed)" } else { "" },
                on_delete(r.deletion_policy.as_deref())
            ),
            Action::Modify | Action::Add => continue,
        };
        out.push(finding(Kind::DataLoss, d, Some(&r.id), message));
    }
    // A stateful resource that stays while what it uses changes because of a replacement.
    let Some(after) = after else { return };
    for (id, r) in after.resources.iter().filter(|(_, r)| STATEFUL.contains(&r.kind.as_str())) {
        if changes.get(id.as_str()).is_some_and(|c| matches!(c.action, Action::Replace | Action::Remove)) {
            continue;
        }
        let mut used = BTreeSet::new();
        r.properties.values().for_each(|v| references(v, &mut used));
        let reasons: Vec<String> = used
            .iter()
            .filter_map(|u| changes.get(u.as_str()))
            .filter_map(|c| match c.action {
                Action::Replace => Some(format!("{} is replaced", c.id)),
                Action::Modify => c
                    .properties
                    .iter()
                    .find_map(|p| p.cause.as_deref())
                    .map(|w| format!("{} changes ({w})", c.id)),
                _ => None,
            })
            .collect();
        if !reasons.is_empty() {
            let message = format!(
                "{id} ({}) is kept in protected environment {env}, but what it uses changes: {}; review how it \
                 moves before deploying",
                r.kind,
                reasons.join(", ")
            );
            out.push(finding(Kind::DataAtRisk, d, Some(id), message));
        }
    }
}

/// The logical ids `v` refers to with `Ref` or `Fn::GetAtt`.
fn references(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            match (m.get("Ref"), m.get("Fn::GetAtt")) {
                (Some(Value::String(id)), _) => {
                    out.insert(id.clone());
                }
                (_, Some(Value::Array(a))) => {
                    out.extend(a.first().and_then(Value::as_str).map(str::to_string))
                }
                _ => {}
            }
            m.values().for_each(|e| references(e, out));
        }
        Value::Array(a) => a.iter().for_each(|e| references(e, out)),
        _ => {}
    }
}

/// What an `UpdateReplacePolicy` does with the old resource when it is replaced.
fn on_replace(policy: Option<&str>) -> String {
    match policy {
        Some("Snapshot") => "UpdateReplacePolicy Snapshot: the old one is deleted after a snapshot, \
                             the new one starts without its data (restore the snapshot by hand)"
            .into(),
        Some("Retain") => {
            "UpdateReplacePolicy Retain: the old one is kept outside the stack, the new one starts \
                           without its data"
                .into()
        }
        Some(other) => format!("UpdateReplacePolicy {other}: the old one is deleted with its data"),
        None => "no UpdateReplacePolicy (Delete): the old one is deleted with its data".into(),
    }
}

/// What a `DeletionPolicy` does with a removed resource.
fn on_delete(policy: Option<&str>) -> String {
    match policy {
        Some("Snapshot") => "DeletionPolicy Snapshot: it is deleted after a final snapshot".into(),
        Some("Retain") | Some("RetainExceptOnCreate") => {
            format!("DeletionPolicy {}: it is kept outside the stack", policy.unwrap_or_default())
        }
        Some(other) => format!("DeletionPolicy {other}: it is deleted with its data"),
        None => "no DeletionPolicy: CloudFormation's default applies (Delete for most types, Snapshot for \
                 RDS instances and clusters)"
            .into(),
    }
}

/// IAM grants (Allow statements of any policy document, managed policies) that are new.
fn grants(d: &StackDiff, before: Option<&Stack>, after: Option<&Stack>, out: &mut Vec<Finding>) {
    let Some(after) = after else { return };
    for (id, r) in &after.resources {
        let new = grants_of(r);
        let old = before.and_then(|s| s.resources.get(id)).map(grants_of).unwrap_or_default();
        let added: Vec<&String> = new.difference(&old).collect();
        if added.is_empty() {
            continue;
        }
        let what = if old.is_empty() { "grants" } else { "now also grants" };
        let message = format!("{id} ({}) {what} {}", r.kind, list(&added));
        out.push(finding(Kind::IamBroadened, d, Some(id), message));
    }
}

/// The grants of a resource's policies: `action on resource`, with the principal and condition
/// where there are some, and `managed policy ARN`.
fn grants_of(r: &Resource) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (key, value) in &r.properties {
        if key == "ManagedPolicyArns" {
            for arn in value.as_array().into_iter().flatten() {
                out.insert(format!("managed policy {}", compact(arn)));
            }
        }
        statements(value, &mut |s| {
            if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
                return;
            }
            let many = |key: &str| -> Vec<String> {
                match s.get(key) {
                    Some(Value::Array(a)) => a.iter().map(compact).collect(),
                    Some(v) => vec![compact(v)],
                    None => vec![],
                }
            };
            let actions =
                [many("Action"), many("NotAction").into_iter().map(|a| format!("all but {a}")).collect()]
                    .concat();
            let resources =
                [many("Resource"), many("NotResource").into_iter().map(|r| format!("all but {r}")).collect()]
                    .concat();
            let resources = if resources.is_empty() { vec!["this resource".to_string()] } else { resources };
            let mut extra = String::new();
            if let Some(p) = s.get("Principal").or(s.get("NotPrincipal")) {
                extra.push_str(&format!(" to {}", compact(p)));
            }
            if let Some(c) = s.get("Condition") {
                extra.push_str(&format!(" if {}", compact(c)));
            }
            for a in &actions {
                for res in &resources {
                    out.insert(format!("{a} on {res}{extra}"));
                }
            }
        });
    }
    out
}

/// Calls `f` on every statement of every policy document under `v`.
fn statements(v: &Value, f: &mut dyn FnMut(&serde_json::Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            match m.get("Statement") {
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_object).for_each(&mut *f),
                Some(Value::Object(one)) => f(one),
                _ => {}
            }
            m.iter().filter(|(k, _)| *k != "Statement").for_each(|(_, e)| statements(e, f));
        }
        Value::Array(a) => a.iter().for_each(|e| statements(e, f)),
        _ => {}
    }
}

/// Security-group rules (inline or standalone) that are new.
fn rules(d: &StackDiff, before: Option<&Stack>, after: Option<&Stack>, out: &mut Vec<Finding>) {
    let Some(after) = after else { return };
    for (id, r) in &after.resources {
        let old = before.and_then(|s| s.resources.get(id));
        for (direction, kind) in [("ingress", Kind::IngressOpened), ("egress", Kind::EgressOpened)] {
            let new = rules_of(r, direction);
            let old = old.map(|o| rules_of(o, direction)).unwrap_or_default();
            let added: Vec<&String> = new.difference(&old).collect();
            if !added.is_empty() {
                let verb = if direction == "ingress" { "lets in" } else { "lets out" };
                out.push(finding(
                    kind,
                    d,
                    Some(id),
                    format!("{id} ({}) now {verb} {}", r.kind, list(&added)),
                ));
            }
        }
    }
}

/// A resource's security-group rules in one direction, as text: `tcp 443 from 0.0.0.0/0`.
fn rules_of(r: &Resource, direction: &str) -> BTreeSet<String> {
    let rules: Vec<&serde_json::Map<String, Value>> = match (r.kind.as_str(), direction) {
        ("AWS::EC2::SecurityGroup", "ingress") => inline(r, "SecurityGroupIngress"),
        ("AWS::EC2::SecurityGroup", _) => inline(r, "SecurityGroupEgress"),
        ("AWS::EC2::SecurityGroupIngress", "ingress") | ("AWS::EC2::SecurityGroupEgress", "egress") => {
            vec![&r.properties]
        }
        _ => vec![],
    };
    rules.into_iter().map(|rule| rule_text(rule, direction)).collect()
}

fn inline<'a>(r: &'a Resource, key: &str) -> Vec<&'a serde_json::Map<String, Value>> {
    r.properties
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect()
}

fn rule_text(rule: &serde_json::Map<String, Value>, direction: &str) -> String {
    let get = |k: &str| rule.get(k).map(compact);
    let protocol = match get("IpProtocol").as_deref() {
        Some("-1") => "all traffic".to_string(),
        Some(p) => p.to_string(),
        None => "?".into(),
    };
    let ports = match (get("FromPort"), get("ToPort")) {
        (Some(a), Some(b)) if a == b => format!(" {a}"),
        (Some(a), Some(b)) => format!(" {a}-{b}"),
        _ => String::new(),
    };
    let peer_keys = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    ];
    let peer = peer_keys.iter().find_map(|k| get(k)).unwrap_or_else(|| "?".into());
    let word = if direction == "ingress" { "from" } else { "to" };
    format!("{protocol}{ports} {word} {peer}")
}

/// Stages added, removed or reordered, and approvals removed or moved, of every pipeline.
fn pipelines(d: &StackDiff, before: &Stack, after: Option<&Stack>, out: &mut Vec<Finding>) {
    for (id, old) in before.resources.iter().filter(|(_, r)| r.kind == "AWS::CodePipeline::Pipeline") {
        let old = Stages::of(old);
        let new = after.and_then(|s| s.resources.get(id)).map(Stages::of).unwrap_or_default();
        let (old_names, new_names): (BTreeSet<&String>, BTreeSet<&String>) =
            (old.names.iter().collect(), new.names.iter().collect());
        for s in new.names.iter().filter(|s| !old_names.contains(s)) {
            out.push(finding(Kind::StageAdded, d, Some(id), format!("pipeline {id}: stage {s} is added")));
        }
        for s in old.names.iter().filter(|s| !new_names.contains(s)) {
            out.push(finding(
                Kind::StageRemoved,
                d,
                Some(id),
                format!("pipeline {id}: stage {s} is removed"),
            ));
        }
        let kept_old: Vec<&String> = old.names.iter().filter(|s| new_names.contains(s)).collect();
        let kept_new: Vec<&String> = new.names.iter().filter(|s| old_names.contains(s)).collect();
        if kept_old != kept_new {
            let order = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" -> ");
            let message =
                format!("pipeline {id}: stages reordered from {} to {}", order(&kept_old), order(&kept_new));
            out.push(finding(Kind::StagesReordered, d, Some(id), message));
        }
        for (name, (stage, guarded)) in &old.approvals {
            match new.approvals.get(name) {
                None => {
                    let message = format!(
                        "pipeline {id}: approval {name} (stage {stage}) is removed: {} no longer {} for it",
                        words(guarded),
                        if guarded.len() == 1 { "waits" } else { "wait" }
                    );
                    out.push(finding(Kind::ApprovalRemoved, d, Some(id), message));
                }
                Some((_, now)) if now != guarded => {
                    let message = format!(
                        "pipeline {id}: approval {name} guarded {}, now {}",
                        words(guarded),
                        if now.is_empty() { "nothing".to_string() } else { words(now) }
                    );
                    out.push(finding(Kind::ApprovalMoved, d, Some(id), message));
                }
                Some(_) => {}
            }
        }
    }
}

/// A pipeline's stage names in order, and its approval actions by name with their stage and the
/// stages after it (what the approval guards).
#[derive(Default)]
struct Stages {
    names: Vec<String>,
    approvals: BTreeMap<String, (String, Vec<String>)>,
}

impl Stages {
    fn of(pipeline: &Resource) -> Stages {
        let mut out = Stages::default();
        // The self-update's stages are the guard's to report (`review::guard`), not the program's.
        let own = crate::codegen::pipeline::SELF_UPDATE_STAGES;
        let stages: Vec<Value> = pipeline
            .properties
            .get("Stages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|s| !own.iter().any(|n| s.get("Name").and_then(Value::as_str) == Some(n)))
            .cloned()
            .collect();
        let names: Vec<String> =
            stages.iter().map(|s| s.get("Name").and_then(Value::as_str).unwrap_or("?").to_string()).collect();
        for (i, stage) in stages.iter().enumerate() {
            for action in stage.get("Actions").and_then(Value::as_array).into_iter().flatten() {
                let category = action.pointer("/ActionTypeId/Category").and_then(Value::as_str);
                if category == Some("Approval") {
                    let name = action.get("Name").and_then(Value::as_str).unwrap_or("?").to_string();
                    out.approvals.insert(name, (names[i].clone(), names[i + 1..].to_vec()));
                }
            }
        }
        out.names = names;
        out
    }
}

/// `stages a, b` or `stage a`.
fn words(stages: &[String]) -> String {
    match stages {
        [] => "no stage".into(),
        [one] => format!("stage {one}"),
        many => format!("stages {}", many.join(", ")),
    }
}

/// Up to five items, then how many more.
fn list(items: &[&String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(|s| s.as_str()).collect();
    let more = items.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

/// A value as short text: strings bare, `Ref: X` as `X`, `Fn::GetAtt: [X, A]` as `X.A`,
/// anything else as compact JSON.
pub fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => match (m.get("Ref"), m.get("Fn::GetAtt")) {
            (Some(Value::String(id)), _) => id.clone(),
            (_, Some(Value::Array(a))) if a.iter().all(Value::is_string) => {
                a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(".")
            }
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}
