//! Apps: source, build (with its preset) and deploy.

use super::*;
use crate::check::merge::merge;
use crate::check::resolve::{unknown_declaration, Decl};
use crate::check::value::{ChildNode, Named};
use crate::diagnostic::{codes, Applicability};
use crate::ir::{
    App, Build, ComputeType, Deploy, Ec2Deploy, EcsDeploy, HealthCheck, Hook, HookEvent, ImageBake, Report,
    ReportFormat, Source, Text,
};
use crate::schema::{self, DeclKind};
use crate::stdlib;

pub fn lower(ctx: &mut Ctx, decls: &Decls, d: &Decl) -> Option<App> {
    let mark = ctx.diagnostics.len();
    let at = d.name.span;
    require(ctx, d.flat(), &schema::APP, at);
    let source = obj_of(d.flat(), "source").and_then(|o| source(ctx, o));
    let mut build =
        obj_of(d.flat(), "build").and_then(|o| resolve_build(ctx, decls, o)).map(|o| build(ctx, &o));
    let deploy = obj_of(d.flat(), "deploy").and_then(|o| deploy(ctx, o));
    if let (Some(b), Some(Deploy::Ecs(_))) = (&build, &deploy) {
        if !b.privileged {
            let span = d.flat().get("build").map_or(at, |i| i.span);
            let span = obj_of(d.flat(), "build").map_or(span, |o| span_of(o, "privileged", span));
            ctx.push(
                Diagnostic::new(codes::PF5032, span, format!("the ECS app `{}` is built without Docker", d.name.name))
                    .with_label("privileged = false")
                    .with_help("an ECS app's build makes its container image, which needs Docker in CodeBuild's privileged mode: extend the `docker` preset (`build = docker { ... }`) or write `privileged = true`"),
            );
        }
    }
    if let (Some(b), Some(Deploy::Lambda(l))) = (&mut build, &deploy) {
        super::lambda::follow_architecture(ctx, d, b, l);
    }
    let runtime = super::runtime::values(ctx, d.flat());
    let permissions = super::runtime::permissions(ctx, d.flat());
    if errors_since(ctx, mark) {
        return None;
    }
    Some(App {
        name: d.name.name.clone(),
        source: source?,
        build: build?,
        deploy: deploy?,
        tags: strings_map(d.flat(), "tags"),
        runtime,
        permissions,
    })
}

fn source(ctx: &mut Ctx, o: &Obj) -> Option<Source> {
    let kind = o.kind.as_ref()?.name.as_str();
    let v = schema::SOURCES.iter().find(|v| v.kind == kind)?;
    if !require(ctx, o, v.schema, o.kind.as_ref().map_or(o.span, |k| k.span)) {
        return None;
    }
    let branch = str_of(o, "branch").unwrap_or_else(|| "main".into());
    match kind {
        "codecommit" => {
            let repository = str_of(o, "repository")?;
            if let Some((why, fixed)) = codecommit_name_problem(&repository) {
                let span = span_of(o, "repository", o.span);
                let mut d = Diagnostic::new(
                    codes::PF3001,
                    span,
                    format!("`{repository}` is not a valid CodeCommit repository name"),
                )
                .with_label("invalid name")
                .with_help(match &fixed {
                    Some(f) => format!("{why}: write `{f}`"),
                    None => why.to_string(),
                });
                if let Some(f) = fixed {
                    d = d.with_fix(format!("write `{f}`"), span, format!("\"{f}\""), Applicability::Unsafe);
                }
                ctx.push(d);
            }
            Some(Source::CodeCommit { repository, branch, create: bool_of(o, "create").unwrap_or(false) })
        }
        "github" => {
            let repository = str_of(o, "repository")?;
            let valid = repository.split('/').count() == 2
                && repository.split('/').all(|p| !p.is_empty())
                && !repository.ends_with(".git");
            if !valid {
                // `https://github.com/acme/shop.git` is `acme/shop`.
                let path = repository.split_once("github.com/").map_or(repository.as_str(), |(_, r)| r);
                let parts: Vec<&str> =
                    path.trim_end_matches(".git").split('/').filter(|p| !p.is_empty()).collect();
                let span = span_of(o, "repository", o.span);
                let mut d =
                    Diagnostic::new(codes::PF3001, span, format!("`{repository}` is not `owner/name`"))
                        .with_label("expected owner/name");
                if let [owner, name] = parts[..] {
                    let fixed = format!("{owner}/{name}");
                    d = d
                        .with_help(format!("CodePipeline takes the full repository id: write `{fixed}`"))
                        .with_fix(
                            format!("write `{fixed}`"),
                            span,
                            format!("\"{fixed}\""),
                            Applicability::Unsafe,
                        );
                } else {
                    let name = parts.last().copied().unwrap_or("webshop");
                    d = d.with_help(format!(
                        "CodePipeline takes the full repository id, `owner/{name}` (e.g. `\"acme/{name}\"`)"
                    ));
                }
                ctx.push(d);
            }
            let connection = text_of(o, "connection")?;
            if let Text::Plain(arn) = &connection {
                let services = ["codeconnections", "codestar-connections"];
                if let Err(invalid) = crate::check::validate::arn::check(arn, &services, "connection/") {
                    let mut d = invalid.diagnostic(span_of(o, "connection", o.span));
                    d.message = format!("`{arn}` is not the ARN of a CodeStar connection");
                    d = d.with_note("a connection's ARN is `arn:aws:codeconnections:<region>:<account>:connection/<id>` (or `arn:aws:codestar-connections:...`); a `param(\"/name\")` or `secret(\"id:key\")` may hold it");
                    ctx.push(d);
                }
            }
            Some(Source::GitHub { connection, repository, branch })
        }
        _ => {
            let bucket = str_of(o, "bucket")?;
            if let Some(problem) = bucket_name_problem(&bucket) {
                ctx.push(
                    {
                        let fixed: String = bucket
                            .to_ascii_lowercase()
                            .chars()
                            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
                            .collect();
                        let span = span_of(o, "bucket", o.span);
                        let mut d = Diagnostic::new(codes::PF3005, span, format!("`{bucket}` is not a valid S3 bucket name: {problem}"))
                            .with_label("invalid bucket name")
                            .with_help("bucket names are 3 to 63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit");
                        if fixed != bucket && bucket_name_problem(&fixed).is_none() {
                            d = d.with_fix(format!("write `{fixed}`"), span, format!("\"{fixed}\""), Applicability::Unsafe);
                        }
                        d
                    },
                );
            }
            let key = str_of(o, "key")?;
            check_s3_key(ctx, &key, span_of(o, "key", o.span));
            Some(Source::S3 { bucket, key })
        }
    }
}

/// Reports an S3 source key that names no object (PF2001): an empty key, a "folder" (ending in
/// `/`), or a key starting with `/`, which S3 keys never do: CodePipeline would look for an
/// object whose name begins with a slash. The leading slashes have a safe fix.
fn check_s3_key(ctx: &mut Ctx, key: &str, span: Span) {
    let object = key.trim_start_matches('/');
    let leading = key.len() - object.len();
    let (label, help) = if object.is_empty() {
        ("no object named", "write the key of the source zip in the bucket, e.g. `\"releases/app.zip\"`")
    } else if key.ends_with('/') {
        ("a folder, not an object", "write the key of the zip file itself, e.g. `\"releases/app.zip\"`")
    } else if leading > 0 {
        ("starts with `/`", "S3 object keys do not start with `/`: remove it")
    } else {
        return;
    };
    let message = match key {
        "" => "an empty key names no S3 object".to_string(),
        _ => format!("`{key}` is not the key of an S3 object"),
    };
    let mut d = Diagnostic::new(codes::PF2001, span, message).with_label(label).with_help(help);
    if leading > 0 && !object.ends_with('/') {
        // The string's text starts right after its opening quote, and `/` is never escaped.
        let slashes = Span::new(span.file, span.start as usize + 1, span.start as usize + 1 + leading);
        d = d.with_fix("remove the leading `/`", slashes, "", Applicability::Safe);
    }
    ctx.push(d);
}

/// Why `name` is not a valid CodeCommit repository name, and the nearest valid name. Source:
/// CodeCommit API reference, `RepositoryName`: 1 to 100 letters, digits, `.`, `_` and `-`, not
/// ending in `.git`.
fn codecommit_name_problem(name: &str) -> Option<(&'static str, Option<String>)> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    let why = if name.is_empty() {
        "a repository name is not empty"
    } else if name.len() > 100 {
        "a repository name is at most 100 characters"
    } else if !name.chars().all(ok) {
        "use 1 to 100 letters, digits, `.`, `_` and `-`"
    } else if name.ends_with(".git") {
        "the name does not end in `.git` (clone URLs add it)"
    } else {
        return None;
    };
    let fixed: String =
        name.trim().trim_end_matches(".git").chars().map(|c| if ok(c) { c } else { '-' }).collect();
    let fixed = fixed.trim_matches('-').to_string();
    Some((why, (!fixed.is_empty() && fixed.len() <= 100).then_some(fixed)))
}

/// Why `name` is not a valid S3 bucket name, if it is not (aws-facts D5).
pub fn bucket_name_problem(name: &str) -> Option<&'static str> {
    if name.len() < 3 || name.len() > 63 {
        return Some("it must be 3 to 63 characters long");
    }
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-') {
        return Some("only lowercase letters, digits, `.` and `-` are allowed");
    }
    let (first, last) = (name.as_bytes()[0], name.as_bytes()[name.len() - 1]);
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Some("it must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return Some("it must not contain `..`");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("it must not look like an IP address");
    }
    if ["xn--", "sthree-", "amzn-s3-demo-"].iter().any(|p| name.starts_with(p)) {
        return Some("it starts with a reserved prefix");
    }
    if ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].iter().any(|s| name.ends_with(s)) {
        return Some("it ends with a reserved suffix");
    }
    None
}

/// The app's build block with its preset chain merged in.
fn resolve_build(ctx: &mut Ctx, decls: &Decls, o: &Obj) -> Option<Obj> {
    let Some(kind) = &o.kind else { return Some(o.clone()) };
    match decls.find(&[DeclKind::Build], &kind.name) {
        Some(preset) => Some(merge(preset.flat(), o)),
        None => {
            ctx.push(unknown_preset(decls, kind));
            None
        }
    }
}

fn unknown_preset(decls: &Decls, kind: &Named) -> Diagnostic {
    let declared = decls.builds.iter().map(|b| b.name.name.as_str()).collect();
    unknown_declaration(kind, "build preset", &["build"], declared, ("build preset", stdlib::BUILD_PRESETS))
}

/// A build (or test job) from its flattened block.
pub fn build(ctx: &mut Ctx, o: &Obj) -> Build {
    let image = str_of(o, "image").unwrap_or_else(|| "aws/codebuild/amazonlinux2-x86_64-standard:5.0".into());
    let compute = match enum_of(o, "compute").unwrap_or("small") {
        "medium" => ComputeType::Medium,
        "large" => ComputeType::Large,
        "xlarge" => ComputeType::XLarge,
        "2xlarge" => ComputeType::X2Large,
        _ => ComputeType::Small,
    };
    let variables = match o.get("variables").map(|i| &i.val) {
        Some(Val::Map(m)) => m
            .iter()
            .filter_map(|(k, v)| match &v.val {
                Val::Text(t) => Some((k.clone(), t.clone())),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    if let Some(Val::Map(m)) = o.get("variables").map(|i| &i.val) {
        for (k, v) in m {
            if k.starts_with("CODEBUILD_") {
                ctx.push(
                    Diagnostic::new(
                        codes::PF3004,
                        v.span,
                        format!("`{k}` starts with `CODEBUILD_`, which CodeBuild reserves"),
                    )
                    .with_label("reserved prefix")
                    .with_help("rename the variable"),
                );
            }
        }
    }
    let removes = |c: &&ChildNode| bool_of(&c.obj, "remove") == Some(true);
    // A removal left after inheritance removed nothing (`merge` drops the ones that did).
    for c in o.children.iter().filter(|c| c.keyword == "report").filter(removes) {
        let name = c.label.as_ref().map_or("", |l| l.name.as_str());
        ctx.push(
            Diagnostic::new(codes::PF2065, span_of(&c.obj, "remove", c.span), format!("there is no inherited report `{name}` to remove"))
                .with_label("removes nothing")
                .with_help("`remove = true` removes a report of the preset this build extends: check the report's name, or delete this block"),
        );
    }
    let reports: Vec<Report> = o
        .children
        .iter()
        .filter(|c| c.keyword == "report" && !removes(c))
        .map(|c| Report {
            name: c.label.as_ref().map_or_else(String::new, |l| l.name.clone()),
            files: strs_of(&c.obj, "files"),
            base_directory: str_of(&c.obj, "base_directory"),
            format: report_format(enum_of(&c.obj, "format").unwrap_or("junit")),
        })
        .collect();
    for c in o.children.iter().filter(|c| c.keyword == "report" && !removes(c)) {
        require(ctx, &c.obj, &schema::REPORT, c.span);
    }
    if let Some(extra) = o.children.iter().filter(|c| c.keyword == "report" && !removes(c)).nth(5) {
        ctx.push(
            Diagnostic::new(codes::PF3006, extra.span, "a CodeBuild project has at most 5 report groups")
                .with_label("sixth report")
                .with_help("merge reports that share a format"),
        );
    }
    Build {
        arm: image.contains("aarch64") || image.contains("arm"),
        image,
        compute,
        timeout_minutes: (secs_of(o, "timeout").unwrap_or(3600) / 60) as u32,
        privileged: bool_of(o, "privileged").unwrap_or(false),
        runtimes: strings_map(o, "runtimes"),
        install: strs_of(o, "install"),
        pre_build: strs_of(o, "pre_build"),
        test: strs_of(o, "test"),
        build: strs_of(o, "build"),
        post_build: strs_of(o, "post_build"),
        artifacts: strs_of(o, "artifacts"),
        cache: strs_of(o, "cache"),
        variables,
        exported: strs_of(o, "exported"),
        reports,
    }
}

fn report_format(name: &str) -> ReportFormat {
    match name {
        "cucumber" => ReportFormat::CucumberJson,
        "nunit" => ReportFormat::NUnitXml,
        "nunit3" => ReportFormat::NUnit3Xml,
        "testng" => ReportFormat::TestNgXml,
        "trx" => ReportFormat::VisualStudioTrx,
        "clover" => ReportFormat::CloverXml,
        "cobertura" => ReportFormat::CoberturaXml,
        "jacoco" => ReportFormat::JaCoCoXml,
        "simplecov" => ReportFormat::SimpleCov,
        _ => ReportFormat::JUnitXml,
    }
}

const HOOK_EVENTS: &[(&str, HookEvent)] = &[
    ("application_stop", HookEvent::ApplicationStop),
    ("before_install", HookEvent::BeforeInstall),
    ("after_install", HookEvent::AfterInstall),
    ("application_start", HookEvent::ApplicationStart),
    ("validate_service", HookEvent::ValidateService),
    ("before_block_traffic", HookEvent::BeforeBlockTraffic),
    ("after_block_traffic", HookEvent::AfterBlockTraffic),
    ("before_allow_traffic", HookEvent::BeforeAllowTraffic),
    ("after_allow_traffic", HookEvent::AfterAllowTraffic),
];

fn deploy(ctx: &mut Ctx, o: &Obj) -> Option<Deploy> {
    let kind = o.kind.as_ref()?;
    if kind.name == "lambda" {
        return super::lambda::deploy(ctx, o, kind.span).map(Deploy::Lambda);
    }
    if kind.name == "ecs" {
        return ecs(ctx, o, kind.span).map(Deploy::Ecs);
    }
    if !require(ctx, o, &schema::EC2, kind.span) {
        return None;
    }
    let path = health_path(ctx, o);
    let files = match o.get("files").map(|i| &i.val) {
        Some(Val::List(items)) => items
            .iter()
            .filter_map(|i| match &i.val {
                Val::Pair(a, b, _) => {
                    if !b.starts_with('/') {
                        ctx.push(
                            Diagnostic::new(
                                codes::PF5010,
                                i.span,
                                format!("the destination `{b}` is not an absolute path"),
                            )
                            .with_label("relative destination")
                            .with_help(format!(
                                "CodeDeploy installs files to absolute paths: write `/{}`",
                                b.trim_start_matches("./")
                            )),
                        );
                    }
                    Some((a.clone(), b.clone()))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut hooks = Vec::new();
    if let Some(h) = obj_of(o, "hooks") {
        for (name, event) in HOOK_EVENTS {
            if let Some(Val::Hook { script, timeout, runas }) = h.get(name).map(|i| &i.val) {
                hooks.push(Hook {
                    event: *event,
                    script: script.clone(),
                    timeout_seconds: timeout.unwrap_or(300) as u32,
                    runas: runas.clone(),
                });
            }
        }
    }
    Some(Deploy::Ec2(Ec2Deploy {
        port: int_of(o, "port")? as u16,
        health_check: health_check(o, path),
        files,
        hooks,
        user: str_of(o, "user"),
        image: obj_of(o, "image").map(|i| image(ctx, i)),
    }))
}

/// The load balancer's health check of a deploy block.
fn health_check(o: &Obj, path: String) -> HealthCheck {
    HealthCheck {
        path,
        interval_seconds: secs_of(o, "health_interval").unwrap_or(15) as u32,
        healthy_threshold: 2,
    }
}

/// The retention periods CloudWatch Logs offers, in days (`AWS::Logs::LogGroup.RetentionInDays`
/// in cfn-lint 1.58.0's resource schema).
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/// `deploy = ecs { ... }`: container secrets by reference only (PF2051), a log retention
/// CloudWatch Logs offers (PF2052).
fn ecs(ctx: &mut Ctx, o: &Obj, at: Span) -> Option<EcsDeploy> {
    if !require(ctx, o, &schema::ECS, at) {
        return None;
    }
    let path = health_path(ctx, o);
    let mut secrets = BTreeMap::new();
    if let Some(Val::Map(m)) = o.get("secrets").map(|i| &i.val) {
        for (name, item) in m {
            match &item.val {
                Val::Text(Text::Plain(_)) => ctx.push(
                    Diagnostic::new(codes::PF2051, item.span, format!("the container secret `{name}` is a plain value"))
                        .with_label("not a reference")
                        .with_help("a plain value would be readable in the task definition: keep it in Secrets Manager or Parameter Store and write `secret(\"id:key\")` or `param(\"/name\")`, or make it a `runtime` value if it is not secret"),
                ),
                Val::Text(t) => {
                    secrets.insert(name.clone(), t.clone());
                }
                _ => {}
            }
        }
    }
    let days = secs_of(o, "log_retention").map_or(30, |s| (s / 86_400) as u32);
    if o.get("log_retention").is_some() && !LOG_RETENTION_DAYS.contains(&days) {
        let next = LOG_RETENTION_DAYS.iter().copied().find(|d| *d >= days).unwrap_or(3653);
        let span = span_of(o, "log_retention", o.span);
        ctx.push(
            Diagnostic::new(codes::PF2052, span, format!("CloudWatch Logs cannot keep logs for {days} days"))
                .with_label("not a retention CloudWatch Logs offers")
                .with_help(format!(
                    "the periods are {} days: the next one is {next}d",
                    LOG_RETENTION_DAYS.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
                ))
                .with_fix(format!("write `{next}d`"), span, format!("{next}d"), Applicability::Unsafe),
        );
    }
    Some(EcsDeploy {
        port: int_of(o, "port")? as u16,
        health_check: health_check(o, path),
        secrets,
        log_retention_days: days,
        keep_images: int_of(o, "keep_images").unwrap_or(100) as u32,
    })
}

/// The health-check path of a deploy block, checked (PF5010).
fn health_path(ctx: &mut Ctx, o: &Obj) -> String {
    let path = str_of(o, "health_check").unwrap_or_else(|| "/".into());
    if !path.starts_with('/') || path.contains(char::is_whitespace) {
        // `http://localhost:8080/healthz` is `/healthz`; spaces are percent-encoded.
        let rest = path.split_once("://").map_or(path.as_str(), |(_, r)| r.find('/').map_or("", |p| &r[p..]));
        let fixed = format!("/{}", rest.trim().trim_start_matches('/').replace(char::is_whitespace, "%20"));
        let span = span_of(o, "health_check", o.span);
        ctx.push(
            Diagnostic::new(codes::PF5010, span, format!("`{path}` is not an HTTP path"))
                .with_label("expected a path such as /healthz")
                .with_help(format!(
                    "the health check is a path on the app's port that answers 200, starting with `/` and without spaces: write `{fixed}`"
                ))
                .with_fix(format!("write `{fixed}`"), span, format!("\"{fixed}\""), Applicability::Unsafe),
        );
    }
    path
}

/// `image { ... }`: the base image must be an SSM parameter (PF2060), the components
/// AWS-managed names (PF2061), the build instance a known type (PF5008).
fn image(ctx: &mut Ctx, o: &Obj) -> ImageBake {
    let instance = str_of(o, "instance").unwrap_or_else(|| "t3.medium".into());
    super::env::check_table(
        ctx,
        &instance,
        span_of(o, "instance", o.span),
        &stdlib::INSTANCE_TYPES,
        codes::PF5008,
        "EC2 instance type",
    );
    let arm = super::env::graviton(&instance);
    let base = match text_of(o, "base") {
        None => crate::ir::al2023_parameter(arm).to_string(),
        Some(Text::Param(name)) => name,
        Some(t) => {
            let span = span_of(o, "base", o.span);
            let written = match &t {
                Text::Plain(s) if s.starts_with("/aws/service/") => None,
                Text::Plain(s) => Some(format!("`{s}` is not an SSM public parameter")),
                _ => Some("a secret cannot hold the base image".to_string()),
            };
            match (written, t) {
                (None, Text::Plain(s)) => s,
                (Some(message), _) => {
                    ctx.push(
                        Diagnostic::new(codes::PF2060, span, message)
                            .with_label("not an SSM parameter of an AMI")
                            .with_help(format!(
                                "Image Builder reads the base AMI at every bake from an SSM parameter: a public one such as `\"{}\"`, or your own with `param(\"/name\")`",
                                crate::ir::al2023_parameter(arm)
                            )),
                    );
                    crate::ir::al2023_parameter(arm).to_string()
                }
                (None, _) => unreachable!("only plain names are accepted as written"),
            }
        }
    };
    let components = strs_of(o, "components");
    if let Some(Item { val: Val::List(items), .. }) = o.get("components") {
        for i in items {
            let Val::Str(name) = &i.val else { continue };
            let ok = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !ok {
                let fixed: String = name
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                let mut d = Diagnostic::new(codes::PF2061, i.span, format!("`{name}` is not the name of an AWS-managed Image Builder component"))
                    .with_label("not a component name")
                    .with_help("AWS-managed components are named in lowercase letters, digits, `-` and `_`, without version or ARN, e.g. `update-linux` (`aws imagebuilder list-components --owner Amazon` lists them)");
                if !fixed.is_empty() && fixed != *name {
                    d = d.with_fix(
                        format!("write `{fixed}`"),
                        i.span,
                        format!("\"{fixed}\""),
                        Applicability::Unsafe,
                    );
                }
                ctx.push(d);
            }
        }
    }
    ImageBake {
        base,
        steps: strs_of(o, "steps"),
        components,
        instance,
        arm,
        keep_days: (secs_of(o, "keep").unwrap_or(30 * 86_400) / 86_400) as u32,
    }
}
