//! The self-update guard (docs/enterprise.md, item 4): the protective facts of a pipeline as a
//! canonical JSON manifest, and the one comparison of two manifests that says whether a change
//! of the pipeline weakens them.
//!
//! `pf build` writes the manifest into the pipeline template (`Metadata` `pf:guard`, a JSON
//! string, so the guard job reads it from the YAML text without a YAML parser); the pipeline's
//! guard job compares the deployed stack's manifest with the committed template's
//! (`codegen/pipeline/self_update.py`: the same rules and sentences, held equal by a parity
//! test), and `pf diff` reports the same findings ([`findings`]). See docs/self-update.md.

use super::findings::{Finding, Kind};
use crate::ir::{ActionKind, Pipeline, Program, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The manifest's key in the pipeline template's `Metadata`.
pub const METADATA_KEY: &str = "pf:guard";

/// The protective facts of one pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format (1).
    pub version: u32,
    /// `<app>-<pipeline>`.
    pub pipeline: String,
    /// Every approval action, `stage/action`, in pipeline order.
    pub approvals: Vec<String>,
    /// The accounts the pipeline deploys to: a 12-digit id, `param:<name>`, or `pipeline` (the
    /// account the pipeline stack is deployed in); sorted, without repeats.
    pub accounts: Vec<String>,
    /// Every environment the pipeline deploys, by name.
    pub envs: Vec<EnvGuard>,
    /// A fingerprint of each IAM role and managed policy of the pipeline stack, by logical id
    /// ([`fingerprint`]): what its rights are, to tell when a change alters them.
    #[serde(default)]
    pub permissions: BTreeMap<String, String>,
}

/// What stands before the first deploy of one environment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvGuard {
    pub env: String,
    pub protected: bool,
    /// The approvals that run before it, in pipeline order.
    pub approvals: Vec<GuardApproval>,
    /// The distinct-approvers checks that run before it: each the sorted `stage/action` list
    /// of the approvals it compares.
    pub distinct: Vec<Vec<String>>,
}

/// An approval and the group that gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardApproval {
    pub action: String,
    pub group: String,
}

/// What a guard finding is; [`GuardKind::code`] is what the pipeline's `GUARD` variable lists.
/// The guard job adds one more, `manifest-missing`, when a template carries no manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardKind {
    /// An approval before a protected environment is gone from the pipeline.
    ApprovalRemoved,
    /// An approval before a protected environment now runs after its deploy.
    ApprovalMoved,
    /// An approval before a protected environment is given by another group.
    ApprovalGroupChanged,
    /// A distinct-approvers check before a protected environment is gone or compares less.
    DistinctApproversRemoved,
    /// An environment deployed by both is no longer protected.
    ProtectionRemoved,
    /// The pipeline deploys to an account it did not deploy to.
    AccountAdded,
    /// An IAM role or managed policy of the pipeline stack is added, removed or changed.
    PermissionsChanged,
    /// The permissions boundary that caps the pipeline stack's roles changes: the self-update
    /// may not change it, so an administrator deploys the change.
    BoundaryChanged,
}

impl GuardKind {
    /// The finding's code, as in `GUARD`.
    pub fn code(self) -> &'static str {
        match self {
            GuardKind::ApprovalRemoved => "approval-removed",
            GuardKind::ApprovalMoved => "approval-moved",
            GuardKind::ApprovalGroupChanged => "approval-group-changed",
            GuardKind::DistinctApproversRemoved => "distinct-approvers-removed",
            GuardKind::ProtectionRemoved => "protection-removed",
            GuardKind::AccountAdded => "account-added",
            GuardKind::PermissionsChanged => "permissions-changed",
            GuardKind::BoundaryChanged => "boundary-changed",
        }
    }
}

/// One guard finding: its kind and a sentence saying what changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardFinding {
    pub kind: GuardKind,
    pub message: String,
}

/// The manifest of `pipeline` in the checked `program`.
pub fn manifest(program: &Program, pipeline: &Pipeline) -> Manifest {
    let name = |stage: &str, action: &str| format!("{stage}/{action}");
    // (stage index, run order) of each action, to say what runs before what.
    let mut approvals = Vec::new();
    let mut all: Vec<((usize, u32), &crate::ir::Action, &str)> = Vec::new();
    for (si, stage) in pipeline.stages.iter().enumerate() {
        for action in &stage.actions {
            all.push(((si, action.run_order), action, &stage.name));
            if matches!(action.kind, ActionKind::Approve(_)) {
                approvals.push(name(&stage.name, &action.name));
            }
        }
    }
    let mut envs: Vec<EnvGuard> = Vec::new();
    let mut accounts: Vec<String> = Vec::new();
    for (pos, action, _) in &all {
        let env = match &action.kind {
            ActionKind::DeployInfra { env, .. }
            | ActionKind::DeployApp { env }
            | ActionKind::Release { env, .. } => env,
            _ => continue,
        };
        if envs.iter().any(|e| &e.env == env) {
            continue;
        }
        let decl = program.env(env);
        let account =
            decl.and_then(|e| e.placement.account.as_ref()).or(program.project.placement.account.as_ref());
        accounts.push(match account {
            Some(Text::Plain(id)) => id.clone(),
            Some(Text::Param(p)) => format!("param:{p}"),
            Some(Text::Secret(s)) => format!("secret:{s}"),
            None => "pipeline".into(),
        });
        let before = all.iter().filter(|(p, _, _)| p.0 < pos.0 || (p.0 == pos.0 && p.1 < pos.1));
        let mut guard =
            EnvGuard { env: env.clone(), protected: decl.is_some_and(|e| e.protected), ..Default::default() };
        for (_, a, stage) in before {
            match &a.kind {
                ActionKind::Approve(approval) => guard
                    .approvals
                    .push(GuardApproval { action: name(stage, &a.name), group: approval.group.clone() }),
                ActionKind::CheckDistinctApprovers { approvals } => {
                    let mut list: Vec<String> = approvals.iter().map(|(s, a)| name(s, a)).collect();
                    list.sort();
                    guard.distinct.push(list);
                }
                _ => {}
            }
        }
        envs.push(guard);
    }
    accounts.sort();
    accounts.dedup();
    envs.sort_by(|a, b| a.env.cmp(&b.env));
    Manifest {
        version: 1,
        pipeline: crate::codegen::naming::pipeline_name(pipeline),
        approvals,
        accounts,
        envs,
        permissions: BTreeMap::new(),
    }
}

/// The logical id of the boundary of the pipeline stack's roles.
pub const BOUNDARY: &str = "PipelineRoleBoundary";

/// A resource's fingerprint: FNV-1a (64 bits, over little-endian 8-byte words) of a walk of
/// its JSON tree (each node's kind, each string's length and bytes, object keys in order), in
/// hex. Not a secret and not collision-proof against an adversary: it tells honest versions
/// apart. Walking the tree costs a fraction of serializing it (the hash runs for every role of
/// every pipeline stack).
pub fn fingerprint(resource: &serde_json::Value) -> String {
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    hash.value(resource);
    format!("{:016x}", hash.0)
}

/// FNV-1a over 64-bit words.
struct Fnv(u64);

impl Fnv {
    fn word(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x0100_0000_01b3);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.word(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.word(u64::from_le_bytes(last));
    }

    fn value(&mut self, value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Null => self.word(0),
            Value::Bool(b) => self.word(1 + u64::from(*b)),
            Value::Number(n) => {
                self.word(3);
                self.bytes(n.to_string().as_bytes());
            }
            Value::String(s) => {
                self.word(4);
                self.bytes(s.as_bytes());
            }
            Value::Array(items) => {
                self.word(5);
                self.word(items.len() as u64);
                items.iter().for_each(|v| self.value(v));
            }
            Value::Object(map) => {
                self.word(6);
                self.word(map.len() as u64);
                for (k, v) in map {
                    self.bytes(k.as_bytes());
                    self.value(v);
                }
            }
        }
    }
}

impl Manifest {
    /// The canonical JSON text (fields in declaration order, no spaces).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What `new` weakens of `old`, in a fixed order: environments by name, then accounts.
pub fn compare(old: &Manifest, new: &Manifest) -> Vec<GuardFinding> {
    let mut out = Vec::new();
    let mut push = |kind, message: String| out.push(GuardFinding { kind, message });
    for before in old.envs.iter().filter(|e| e.protected) {
        let env = &before.env;
        // An environment the new pipeline no longer deploys needs no guard.
        let Some(after) = new.envs.iter().find(|e| &e.env == env) else { continue };
        if !after.protected {
            push(GuardKind::ProtectionRemoved, format!("environment {env} is no longer protected"));
        }
        for a in &before.approvals {
            match after.approvals.iter().find(|b| b.action == a.action) {
                Some(b) if b.group != a.group => push(
                    GuardKind::ApprovalGroupChanged,
                    format!(
                        "approval {} before {env} is now given by {} instead of {}",
                        a.action, b.group, a.group
                    ),
                ),
                Some(_) => {}
                None if new.approvals.contains(&a.action) => push(
                    GuardKind::ApprovalMoved,
                    format!("approval {} now runs after the deploy of {env}", a.action),
                ),
                None => push(
                    GuardKind::ApprovalRemoved,
                    format!("approval {} ({}) before {env} is removed", a.action, a.group),
                ),
            }
        }
        for check in &before.distinct {
            if !after.distinct.iter().any(|c| check.iter().all(|a| c.contains(a))) {
                push(
                    GuardKind::DistinctApproversRemoved,
                    format!(
                        "the check that {} are distinct people before {env} is removed",
                        check.join(" and ")
                    ),
                );
            }
        }
    }
    for account in new.accounts.iter().filter(|a| !old.accounts.contains(a)) {
        push(GuardKind::AccountAdded, format!("the pipeline now deploys to account {account}"));
    }
    let keys: std::collections::BTreeSet<&String> =
        old.permissions.keys().chain(new.permissions.keys()).collect();
    let changed: Vec<&str> = keys
        .into_iter()
        .filter(|k| old.permissions.get(*k) != new.permissions.get(*k))
        .map(String::as_str)
        .collect();
    if changed.contains(&BOUNDARY) {
        push(
            GuardKind::BoundaryChanged,
            format!("the permissions boundary {BOUNDARY} changes, which only an administrator deploys"),
        );
    }
    let others: Vec<&str> = changed.into_iter().filter(|k| *k != BOUNDARY).collect();
    if !others.is_empty() {
        push(GuardKind::PermissionsChanged, format!("the permissions of {} change", others.join(", ")));
    }
    out
}

/// The guard findings of a change as `pf diff` findings of the pipeline stack `stack`.
pub fn findings(stack: &str, old: &Manifest, new: &Manifest) -> Vec<Finding> {
    compare(old, new)
        .into_iter()
        .map(|f| Finding {
            kind: Kind::SelfUpdateGuard,
            stack: stack.to_string(),
            resource: Some("Pipeline".into()),
            message: match f.kind {
                GuardKind::BoundaryChanged => format!(
                    "{}: {} (the self-update stops: deploy the pipeline stack by hand)",
                    f.kind.code(),
                    f.message
                ),
                _ => format!("{}: {} (the self-update waits for an approval)", f.kind.code(), f.message),
            },
        })
        .collect()
}

/// The manifest a pipeline template carries, if any.
pub fn from_template(template: &serde_json::Value) -> Option<Manifest> {
    let text = template.get("Metadata")?.get(METADATA_KEY)?.as_str()?;
    serde_json::from_str(text).ok()
}

/// The longest `CHANGE` (an approval's `CustomData` holds 500 characters at most).
pub const CHANGE_MAX: usize = 480;

/// The `GUARD` and `CHANGE` values the pipeline's guard job exports for `findings` of the
/// pipeline `pipeline`: `GUARD` is `none` or the findings' codes (comma-separated, each once,
/// in order), `CHANGE` one paragraph.
pub fn variables(pipeline: &str, findings: &[GuardFinding]) -> (String, String) {
    if findings.is_empty() {
        return (
            "none".into(),
            format!(
                "No change to the approvals, distinct-approver checks, target accounts or permissions of {pipeline}."
            ),
        );
    }
    let mut codes: Vec<&str> = Vec::new();
    for f in findings {
        if !codes.contains(&f.kind.code()) {
            codes.push(f.kind.code());
        }
    }
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    let mut change = format!("{pipeline}: {}.", messages.join("; "));
    if change.chars().count() > CHANGE_MAX {
        change = change.chars().take(CHANGE_MAX - 3).collect::<String>() + "...";
    }
    (codes.join(","), change)
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use serde_json::json;

    #[test]
    fn fingerprints_tell_apart_what_a_policy_change_alters() {
        let policy = json!({"Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"});
        assert_eq!(fingerprint(&policy), fingerprint(&policy.clone()));
        assert_eq!(fingerprint(&policy).len(), 16);
        let different = [
            json!({"Action": ["s3:GetObject", "s3:PutObjecT"], "Resource": "arn:aws:s3:::b/*"}),
            json!({"Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}),
            json!({"Action": ["s3:GetObjects3:PutObject"], "Resource": "arn:aws:s3:::b/*"}),
            json!({"Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::b/*"]}),
            json!({"Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*", "Condition": null}),
        ];
        for other in &different {
            assert_ne!(fingerprint(&policy), fingerprint(other), "{other}");
        }
        // A boundary between two strings is part of what is hashed.
        assert_ne!(fingerprint(&json!(["abcdefgh", "i"])), fingerprint(&json!(["abcdefghi", ""])));
    }
}
