//! CodeBuild projects (the app's build and one per test job), their log groups and report
//! groups, and the app's CodeDeploy application (created by the app's first pipeline only).
//!
//! Deployment groups are not here: they name the environment's Auto Scaling group, so each
//! environment stack creates its own in this application.

use super::{arn, get_att, ids, reference, Ctx};
use crate::codegen::json::json;
use crate::codegen::naming;
use crate::ir::{ActionKind, App, Build, Pipeline, Text};
use serde_json::Value;
use std::collections::BTreeMap;

/// Days CodeBuild and Lambda logs are kept.
pub(super) const LOG_RETENTION_DAYS: u32 = 365;

/// A CodeBuild job of the pipeline.
pub(super) struct Job<'a> {
    /// `None` for the app's build, the test's name otherwise.
    pub test: Option<&'a str>,
    pub build: &'a Build,
}

impl Job<'_> {
    /// The project's logical ID.
    pub fn logical_id(&self) -> String {
        match self.test {
            None => "BuildProject".into(),
            Some(t) => naming::logical_id(&["test", t, "project"]),
        }
    }

    /// The project's name: `<app>-<pipeline>-build` or `<app>-<pipeline>-test-<name>`.
    pub fn name(&self, ctx: &Ctx) -> String {
        match self.test {
            None => format!("{}-build", ctx.prefix()),
            Some(t) => format!("{}-test-{t}", ctx.prefix()),
        }
    }

    /// The project's log group name.
    pub fn log_group(&self, ctx: &Ctx) -> String {
        format!("/aws/codebuild/{}", self.name(ctx))
    }
}

/// The jobs, build first, then tests in pipeline order (one project per test name).
pub(super) fn jobs<'a>(ctx: &Ctx<'a>) -> Vec<Job<'a>> {
    jobs_of(ctx.app, ctx.pipeline)
}

/// The jobs of any pipeline of the app (see [`jobs`]).
fn jobs_of<'a>(app: &'a App, pipeline: &'a Pipeline) -> Vec<Job<'a>> {
    let mut out = vec![Job { test: None, build: &app.build }];
    for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
        if let ActionKind::Test(job) = &action.kind {
            if !out.iter().any(|j| j.test == Some(job.name.as_str())) {
                out.push(Job { test: Some(&job.name), build: &job.build });
            }
        }
    }
    out
}

/// Every report group name of the jobs, deduplicated, with whether it is a coverage report.
pub(super) fn report_groups(ctx: &Ctx) -> BTreeMap<String, bool> {
    report_groups_of(ctx.app, ctx.pipeline)
}

fn report_groups_of(app: &App, pipeline: &Pipeline) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for job in jobs_of(app, pipeline) {
        for report in &job.build.reports {
            out.insert(naming::report_group(&app.name, &report.name), report.format.is_coverage());
        }
    }
    out
}

/// Whether this pipeline's stack creates the report group `name`: report groups are named
/// per app, so of the app's pipelines that report to it, the first (in program order) creates
/// it and the others use it by name (docs/pipeline-stack.md, "Several pipelines for one app").
fn creates_report_group(ctx: &Ctx, name: &str) -> bool {
    let first = ctx
        .program
        .pipelines
        .iter()
        .filter(|p| p.app == ctx.app.name)
        .find(|p| report_groups_of(ctx.app, p).contains_key(name));
    first.is_none_or(|p| p.name == ctx.pipeline.name)
}

fn variables(build: &Build) -> Vec<Value> {
    build
        .variables
        .iter()
        .map(|(name, value)| {
            let (ty, v) = match value {
                Text::Plain(v) => ("PLAINTEXT", v),
                Text::Param(v) => ("PARAMETER_STORE", v),
                Text::Secret(v) => ("SECRETS_MANAGER", v),
            };
            json!({ "Name": name, "Type": ty, "Value": v })
        })
        .collect()
}

pub(super) fn add(ctx: &mut Ctx) {
    let project = &ctx.program.project;
    for job in jobs(ctx) {
        let buildspec = match job.test {
            None => naming::buildspec_file(&ctx.app.name),
            Some(t) => naming::test_buildspec_file(&ctx.app.name, t),
        };
        let log_id = format!("{}Logs", job.logical_id());
        ctx.add(
            &log_id,
            json!({
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Delete",
                "UpdateReplacePolicy": "Delete",
                "Properties": {
                    "LogGroupName": job.log_group(ctx),
                    "RetentionInDays": LOG_RETENTION_DAYS,
                    "KmsKeyId": get_att(ids::KEY, "Arn")
                }
            }),
        );
        let b = job.build;
        let mut environment = json!({
            "Type": if b.arm { "ARM_CONTAINER" } else { "LINUX_CONTAINER" },
            "ComputeType": b.compute.aws_name(),
            "Image": &b.image,
            "ImagePullCredentialsType": "CODEBUILD",
            "PrivilegedMode": b.privileged
        });
        let mut vars = variables(b);
        if job.test.is_none() {
            vars.extend(ctx.extras.build_variables.iter().cloned());
        }
        if !vars.is_empty() {
            environment["EnvironmentVariables"] = Value::Array(vars);
        }
        let description = match job.test {
            None => format!("Build of app {} (pf pipeline {})", ctx.app.name, ctx.pipeline.name),
            Some(t) => format!("Test job {t} of app {} (pf pipeline {})", ctx.app.name, ctx.pipeline.name),
        };
        let resource = json!({
            "Type": "AWS::CodeBuild::Project",
            "Properties": {
                "Name": job.name(ctx),
                "Description": description,
                "ServiceRole": get_att(ids::CODEBUILD_ROLE, "Arn"),
                "Source": { "Type": "CODEPIPELINE", "BuildSpec": naming::in_repo(project, &buildspec) },
                "Artifacts": { "Type": "CODEPIPELINE" },
                "Environment": environment,
                "TimeoutInMinutes": b.timeout_minutes,
                "EncryptionKey": get_att(ids::KEY, "Arn"),
                "LogsConfig": {
                    "CloudWatchLogs": { "Status": "ENABLED", "GroupName": reference(&log_id) }
                }
            }
        });
        ctx.add(&job.logical_id(), ctx.tagged(resource));
    }

    for (name, coverage) in report_groups(ctx) {
        if !creates_report_group(ctx, &name) {
            continue;
        }
        let resource = json!({
            "Type": "AWS::CodeBuild::ReportGroup",
            "Properties": {
                "Name": &name,
                "Type": if coverage { "CODE_COVERAGE" } else { "TEST" },
                "ExportConfig": { "ExportConfigType": "NO_EXPORT" },
                "DeleteReports": true
            }
        });
        ctx.add(&naming::logical_id(&["report", &name]), ctx.tagged(resource));
    }

    if !crate::codegen::targets::shared_resources(ctx.app).codedeploy_application || !ctx.owns_app_resources()
    {
        return;
    }
    let application = json!({
        "Type": "AWS::CodeDeploy::Application",
        "Properties": {
            "ApplicationName": naming::codedeploy_application(&ctx.app.name),
            "ComputePlatform": "Server"
        }
    });
    ctx.add(ids::APPLICATION, ctx.tagged(application));
}

/// ARNs of every project.
pub(super) fn project_arns(ctx: &Ctx) -> Vec<Value> {
    jobs(ctx).iter().map(|j| arn("codebuild", &format!("project/{}", j.name(ctx)))).collect()
}
