//! CodeBuild buildspecs: `buildspec.yml` for an app's build and `buildspec-<test>.yml` for each
//! test job of its pipelines (version 0.2, see aws-facts.md C1).
//!
//! The app build ships, besides the user's artifacts and what its deploy target adds
//! (`targets::build_extras`; EC2: the appspec and every hook script), the app's generated folder
//! (templates and configurations for the CloudFormation actions).

use super::{cfn, naming, targets, OutputFile};
use crate::codegen::json::json;
use crate::ir::{ActionKind, App, Build, Program, Text};
use serde_json::{Map, Value};

/// Every buildspec of the program.
pub fn generate(program: &Program) -> Vec<OutputFile> {
    super::parallel::map(&program.apps, |app| app_files(program, app)).into_iter().flatten().collect()
}

/// The buildspecs of `app`.
fn app_files(program: &Program, app: &App) -> Vec<OutputFile> {
    let mut files = Vec::new();
    files.push(OutputFile {
        path: naming::buildspec_file(&app.name),
        contents: cfn::to_yaml(&program.project.source, &app_buildspec(program, app)),
    });
    let mut seen: Vec<&str> = Vec::new();
    for pipeline in program.pipelines.iter().filter(|p| p.app == app.name) {
        for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
            if let ActionKind::Test(job) = &action.kind {
                if seen.contains(&job.name.as_str()) {
                    continue;
                }
                seen.push(&job.name);
                files.push(OutputFile {
                    path: naming::test_buildspec_file(&app.name, &job.name),
                    contents: cfn::to_yaml(&program.project.source, &buildspec(&app.name, &job.build, None)),
                });
            }
        }
    }
    files
}

/// The artifact globs of the app's build: the user's, its target's and the app's generated
/// folder.
pub fn app_artifacts(program: &Program, app: &App) -> Vec<String> {
    artifacts_with(program, app, targets::build_extras(program, app).artifacts)
}

fn artifacts_with(program: &Program, app: &App, target: Vec<String>) -> Vec<String> {
    let mut files = app.build.artifacts.clone();
    let mut add = |s: String| {
        if !files.contains(&s) {
            files.push(s);
        }
    };
    for s in target {
        add(s);
    }
    add(format!("{}/**/*", naming::in_repo(&program.project, &naming::app_dir(&app.name))));
    files
}

/// The buildspec of the app's build.
pub fn app_buildspec(program: &Program, app: &App) -> Value {
    let target = targets::build_extras(program, app);
    let extra = AppExtras {
        post_build: target.post_build,
        artifacts: artifacts_with(program, app, target.artifacts),
    };
    buildspec(&app.name, &app.build, Some(extra))
}

/// What the app build adds to a plain job.
pub struct AppExtras {
    /// Commands run after the user's post-build commands.
    pub post_build: Vec<String>,
    pub artifacts: Vec<String>,
}

/// A buildspec from a build (`app` for the report group names).
pub fn buildspec(app: &str, build: &Build, extras: Option<AppExtras>) -> Value {
    let mut doc = Map::new();
    doc.insert("version".into(), json!(0.2));
    if let Some(env) = env_section(build) {
        doc.insert("env".into(), env);
    }
    let mut phases = Map::new();
    let mut install = Map::new();
    if !build.runtimes.is_empty() {
        install.insert("runtime-versions".into(), json!(&build.runtimes));
    }
    if !build.install.is_empty() || !install.is_empty() {
        let commands = if build.install.is_empty() {
            // A present phase needs commands.
            vec!["echo \"runtimes installed\"".to_string()]
        } else {
            build.install.clone()
        };
        install.insert("commands".into(), json!(commands));
        phases.insert("install".into(), Value::Object(install));
    }
    let phase = |commands: Vec<String>| json!({ "commands": commands });
    if !build.pre_build.is_empty() {
        phases.insert("pre_build".into(), phase(build.pre_build.clone()));
    }
    let build_commands: Vec<String> = build.test.iter().chain(&build.build).cloned().collect();
    if !build_commands.is_empty() {
        phases.insert("build".into(), phase(build_commands));
    }
    let mut post = build.post_build.clone();
    if let Some(x) = &extras {
        post.extend(x.post_build.iter().cloned());
    }
    if !post.is_empty() {
        phases.insert("post_build".into(), phase(post));
    }
    if phases.is_empty() {
        phases.insert("build".into(), phase(vec!["echo \"nothing to do\"".into()]));
    }
    doc.insert("phases".into(), Value::Object(phases));
    if !build.reports.is_empty() {
        let mut reports = Map::new();
        for r in &build.reports {
            let mut rep = Map::new();
            rep.insert("files".into(), json!(&r.files));
            if let Some(base) = &r.base_directory {
                rep.insert("base-directory".into(), json!(base));
            }
            rep.insert("file-format".into(), json!(r.format.aws_name()));
            reports.insert(naming::report_group(app, &r.name), Value::Object(rep));
        }
        doc.insert("reports".into(), Value::Object(reports));
    }
    let artifacts = match &extras {
        Some(x) => x.artifacts.clone(),
        None => build.artifacts.clone(),
    };
    if !artifacts.is_empty() {
        doc.insert("artifacts".into(), json!({ "files": artifacts }));
    }
    if !build.cache.is_empty() {
        doc.insert("cache".into(), json!({ "paths": &build.cache }));
    }
    Value::Object(doc)
}

fn env_section(build: &Build) -> Option<Value> {
    let (mut plain, mut ssm, mut secrets) = (Map::new(), Map::new(), Map::new());
    for (name, value) in &build.variables {
        match value {
            Text::Plain(v) => plain.insert(name.clone(), json!(v)),
            Text::Param(p) => ssm.insert(name.clone(), json!(p)),
            Text::Secret(s) => secrets.insert(name.clone(), json!(s)),
        };
    }
    let mut env = Map::new();
    for (key, map) in [("variables", plain), ("parameter-store", ssm), ("secrets-manager", secrets)] {
        if !map.is_empty() {
            env.insert(key.into(), Value::Object(map));
        }
    }
    if !build.exported.is_empty() {
        env.insert("exported-variables".into(), json!(&build.exported));
    }
    (!env.is_empty()).then_some(Value::Object(env))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::fixture;

    #[test]
    fn empty_phases_are_omitted_and_present_ones_have_commands() {
        let mut build = fixture::sample_build();
        build.runtimes.clear();
        build.pre_build.clear();
        build.post_build.clear();
        let spec = buildspec("webshop", &build, None);
        let phases = spec["phases"].as_object().unwrap();
        assert_eq!(phases.keys().collect::<Vec<_>>(), ["build"]);
        assert_eq!(spec["phases"]["build"]["commands"][0], "go vet ./...");
        assert!(spec["reports"]["webshop-unit"].is_object());
        assert_eq!(spec["env"]["secrets-manager"]["API_KEY"], "webshop/api:key");
    }

    #[test]
    fn test_jobs_have_no_artifacts_unless_declared() {
        let p = fixture::sample_program();
        let files = generate(&p);
        let unit = files.iter().find(|f| f.path == "webshop/buildspec-unit.yml").unwrap();
        assert!(!unit.contents.contains("artifacts:"));
        assert_eq!(files.iter().filter(|f| f.path.contains("buildspec")).count(), 3);
    }
}
