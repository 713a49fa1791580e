//! The CodeDeploy appspec of an app (EC2/on-premises, aws-facts.md C2): files, and the hooks
//! valid for the deployment, in lifecycle order; and what the app's build adds to ship it (the
//! appspec at the revision root, every hook script).

use crate::codegen::json::json;
use crate::codegen::targets::BuildExtras;
use crate::codegen::{cfn, naming, OutputFile};
use crate::ir::{App, Ec2Deploy, Hook, HookEvent, Program};
use serde_json::{Map, Value};

/// The appspec file of an app; an app with runtime values gets the hook that writes them first
/// ([`super::runtime_env::hook`]).
pub fn file(program: &Program, app: &App, d: &Ec2Deploy) -> OutputFile {
    let spec = match super::runtime_env::hook(program, app) {
        Some(hook) => {
            let mut d = d.clone();
            d.hooks.insert(0, hook);
            appspec(&d)
        }
        None => appspec(d),
    };
    OutputFile {
        path: naming::appspec_file(&app.name),
        contents: cfn::to_yaml(&program.project.source, &spec),
    }
}

/// The build copies the appspec to the revision root and ships it with every hook script (the
/// generated runtime hook is in the app's generated folder, which every build ships, and must be
/// executable: CodeDeploy runs hook scripts directly).
pub fn build_extras(program: &Program, app: &App, d: &Ec2Deploy) -> BuildExtras {
    let mut copy =
        format!("cp {} appspec.yml", naming::in_repo(&program.project, &naming::appspec_file(&app.name)));
    if let Some(hook) = super::runtime_env::hook(program, app) {
        copy.push_str(&format!(" && chmod +x {}", hook.script));
    }
    let mut artifacts = vec!["appspec.yml".to_string()];
    artifacts.extend(d.hooks.iter().map(|h| h.script.clone()));
    BuildExtras { post_build: vec![copy], artifacts }
}

/// Whether a hook event can run in an in-place deployment: the traffic hooks need a load
/// balancer in the deployment group.
pub fn hook_valid(event: HookEvent, has_load_balancer: bool) -> bool {
    match event {
        HookEvent::ApplicationStop
        | HookEvent::BeforeInstall
        | HookEvent::AfterInstall
        | HookEvent::ApplicationStart
        | HookEvent::ValidateService => true,
        HookEvent::BeforeBlockTraffic
        | HookEvent::AfterBlockTraffic
        | HookEvent::BeforeAllowTraffic
        | HookEvent::AfterAllowTraffic => has_load_balancer,
    }
}

/// The position of an event in an in-place deployment with a load balancer.
pub fn lifecycle_rank(event: HookEvent) -> u8 {
    match event {
        HookEvent::BeforeBlockTraffic => 0,
        HookEvent::AfterBlockTraffic => 1,
        HookEvent::ApplicationStop => 2,
        HookEvent::BeforeInstall => 3,
        HookEvent::AfterInstall => 4,
        HookEvent::ApplicationStart => 5,
        HookEvent::ValidateService => 6,
        HookEvent::BeforeAllowTraffic => 7,
        HookEvent::AfterAllowTraffic => 8,
    }
}

/// The appspec of an app. pf deployment groups always have a load balancer.
pub fn appspec(d: &Ec2Deploy) -> Value {
    let mut doc = Map::new();
    doc.insert("version".into(), json!(0.0));
    doc.insert("os".into(), json!("linux"));
    if !d.files.is_empty() {
        let files: Vec<Value> =
            d.files.iter().map(|(s, dst)| json!({"source": s, "destination": dst})).collect();
        doc.insert("files".into(), json!(files));
        doc.insert("file_exists_behavior".into(), json!("OVERWRITE"));
    }
    let mut hooks: Vec<&Hook> = d.hooks.iter().filter(|h| hook_valid(h.event, true)).collect();
    hooks.sort_by_key(|h| lifecycle_rank(h.event));
    if !hooks.is_empty() {
        let mut map = Map::new();
        for h in hooks {
            let mut entry = Map::new();
            entry.insert("location".into(), json!(&h.script));
            entry.insert("timeout".into(), json!(h.timeout_seconds));
            if let Some(user) = h.runas.as_ref().or(d.user.as_ref()) {
                entry.insert("runas".into(), json!(user));
            }
            let list = map.entry(h.event.aws_name()).or_insert_with(|| json!([]));
            if let Value::Array(items) = list {
                items.push(Value::Object(entry));
            }
        }
        doc.insert("hooks".into(), Value::Object(map));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::fixture;
    use crate::ir::Deploy;

    #[test]
    fn hooks_follow_the_lifecycle_and_default_to_the_app_user() {
        let Deploy::Ec2(mut d) = fixture::sample_program().apps.remove(0).deploy else {
            panic!("an EC2 app")
        };
        d.hooks.insert(
            0,
            Hook {
                event: HookEvent::BeforeAllowTraffic,
                script: "scripts/warm.sh".into(),
                timeout_seconds: 60,
                runas: None,
            },
        );
        d.hooks.push(Hook {
            event: HookEvent::BeforeBlockTraffic,
            script: "scripts/drain.sh".into(),
            timeout_seconds: 60,
            runas: None,
        });
        let spec = appspec(&d);
        let events: Vec<&String> = spec["hooks"].as_object().unwrap().keys().collect();
        assert_eq!(
            events,
            [
                "BeforeBlockTraffic",
                "AfterInstall",
                "ApplicationStart",
                "ValidateService",
                "BeforeAllowTraffic"
            ]
        );
        assert_eq!(spec["hooks"]["ValidateService"][0]["runas"], "webshop");
        assert_eq!(spec["hooks"]["AfterInstall"][0]["runas"], "root");
    }

    #[test]
    fn traffic_hooks_need_a_load_balancer() {
        assert!(hook_valid(HookEvent::AfterInstall, false));
        assert!(!hook_valid(HookEvent::BeforeAllowTraffic, false));
        assert!(hook_valid(HookEvent::BeforeAllowTraffic, true));
    }
}
