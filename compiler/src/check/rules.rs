//! Rules over the whole program: names, unused declarations, overlapping networks, secrets,
//! artifact coverage and CodePipeline limits.

use super::resolve::Decls;
use super::value::{Item, Obj, Val};
use super::Ctx;
use crate::ast;
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::hash::FxHashSet;
use crate::ir::{ActionKind, Program, ReleaseKind, Text};
use crate::schema::DeclKind;
use crate::source::Span;

/// Runs every program-wide rule.
pub fn run(ctx: &mut Ctx, program: &Program, decls: &Decls, files: &[ast::File], roots: usize) {
    names(ctx, decls);
    unused(ctx, program, decls, files, roots);
    overlapping_networks(ctx, program, decls);
    secrets(ctx, decls);
    hook_artifacts(ctx, program, decls);
    super::packaged::deploy_files(ctx, program, decls);
    limits(ctx, program, decls);
    plain_http(ctx, program, decls);
    runtime_without_nat(ctx, program, decls);
    super::placement::protected_shares_account(ctx, program, decls);
    super::placement::remote_environments(ctx, program, decls);
    super::target_fields::run(ctx, program, decls);
    releases_need_image(ctx, program, decls);
}

/// `rolling` and `blue_green` release the app's baked AMI: an app without `image` cannot be
/// released that way (PF5050; blue/green, the CodeDeploy copy of the group that no stack owns:
/// PF5006), and the environment's instances must run the image's architecture (PF5051).
fn releases_need_image(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    for app in &program.apps {
        let crate::ir::Deploy::Ec2(d) = &app.deploy else { continue };
        for env in crate::codegen::infra::deployed_envs(program, &app.name) {
            let Some(decl) = decls.find(&[DeclKind::Env], &env.name) else { continue };
            let kind = env.strategy.kind();
            let strategy_span = match decl.flat().get("strategy").map(|i| &i.val) {
                Some(Val::Obj(o)) => o.kind.as_ref().map_or(decl.name.span, |k| k.span),
                _ => decl.name.span,
            };
            match (&d.image, kind) {
                (None, ReleaseKind::BlueGreen) => ctx.push(
                    Diagnostic::new(codes::PF5006, strategy_span, format!("`{}` deploys `{}` blue/green, but the app bakes no image", env.name, app.name))
                        .with_label("blue/green needs a baked AMI")
                        .with_note("pf's blue/green starts a second fleet from the run's AMI; CodeDeploy's EC2 blue/green, which copies the Auto Scaling group outside the stack, cannot be owned by CloudFormation (docs/blue-green.md)")
                        .with_help(format!("add `image {{ steps = [...] }}` to the `deploy = ec2 {{ ... }}` of `{}`, or deploy `in_place`", app.name)),
                ),
                (None, ReleaseKind::Rolling) => ctx.push(
                    Diagnostic::new(codes::PF5050, strategy_span, format!("`{}` rolls `{}` out with an instance refresh, but the app bakes no image", env.name, app.name))
                        .with_label("rolling needs a baked AMI")
                        .with_help(format!("add `image {{ steps = [...] }}` to the `deploy = ec2 {{ ... }}` of `{}`, or deploy `in_place`", app.name)),
                ),
                (Some(image), _) if image.arm != env.compute.arm => {
                    let span = decls.value_span(&[DeclKind::Env], &env.name, &["compute", "instance"]).unwrap_or(decl.name.span);
                    let arch = |arm: bool| if arm { "arm64" } else { "x86_64" };
                    ctx.push(
                        Diagnostic::new(codes::PF5051, span, format!("`{}` runs {} instances, but the image of `{}` is built for {}", env.name, arch(env.compute.arm), app.name, arch(image.arm)))
                            .with_label(format!("{} ({})", env.compute.instance, arch(env.compute.arm)))
                            .with_help(format!("an AMI boots only on its architecture: pick an {} instance type here, or build the image on one (`image {{ instance = ... }}`, now `{}`)", arch(image.arm), image.instance)),
                    );
                }
                _ => {}
            }
        }
    }
}

/// An environment without NAT cannot reach the APIs the runtime-values hook calls (SSM, Secrets
/// Manager, CloudFormation): its deployments would fail (PF5020).
/// An ECS app's tasks pull their image from ECR and read their secrets over HTTPS: without NAT
/// no task starts (PF5031, which says it for runtime values too).
fn runtime_without_nat(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    for pipeline in &program.pipelines {
        let Some(app) = program.app(&pipeline.app) else { continue };
        // A Lambda function's values are resolved by CloudFormation, not read from the VPC.
        if matches!(app.deploy, crate::ir::Deploy::Lambda(_)) {
            continue;
        }
        let ecs = matches!(app.deploy, crate::ir::Deploy::Ecs(_));
        for env in crate::codegen::infra::deployed_envs(program, &app.name) {
            if env.network.nat != crate::ir::Nat::None
                || (!ecs && crate::ir::runtime_values(app, env).is_empty())
            {
                continue;
            }
            let Some(d) = decls.find(&[DeclKind::Env], &env.name) else { continue };
            let span =
                decls.value_span(&[DeclKind::Env], &env.name, &["network", "nat"]).unwrap_or(d.name.span);
            if ecs {
                ctx.push(
                    Diagnostic::new(codes::PF5031, span, format!("`{}` has no NAT gateway: the tasks of the ECS app `{}` cannot pull their image", env.name, app.name))
                        .with_label("no outbound access")
                        .with_help("Fargate tasks in the private subnets reach ECR, CloudWatch Logs, Parameter Store and Secrets Manager through NAT: use `nat = single` (or `per_az`)"),
                );
                continue;
            }
            ctx.push(
                Diagnostic::new(codes::PF5020, span, format!("`{}` gets runtime values but has no NAT gateway: its instances cannot read them", env.name))
                    .with_label("no outbound access")
                    .with_help("the deploy hook reads Parameter Store, Secrets Manager and the stack's outputs over HTTPS: use `nat = single` (or `per_az`)"),
            );
        }
    }
}

/// Protected environments should serve HTTPS: a certificate in their `dns` block.
fn plain_http(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    for env in program
        .envs
        .iter()
        .filter(|e| e.protected && e.dns.as_ref().and_then(|d| d.certificate.as_ref()).is_none())
    {
        // A certificate written with a mistake is reported where it is, not as missing too.
        if decls.value_span(&[DeclKind::Env], &env.name, &["dns", "certificate"]).is_some() {
            continue;
        }
        if let Some(d) = decls.find(&[DeclKind::Env], &env.name) {
            ctx.push(
                Diagnostic::new(codes::PF6002, d.name.span, format!("the protected environment `{}` serves plain HTTP", env.name))
                    .with_label("no certificate")
                    .with_help("add `dns { zone = \"example.com\", name = \"www\", certificate = \"arn:aws:acm:...\" }` so the load balancer serves HTTPS"),
            );
        }
    }
}

/// Whether `name` can name an app, environment or pipeline (PF3001): 1 to 32 lowercase letters,
/// digits and `-`, starting with a letter and not ending with `-`. `Err` says what is wrong.
/// The one statement of the rule: the checker, `pf init` and the language server's rename use it.
pub fn aws_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 32 {
        return Err(format!("`{name}` must be 1 to 32 characters long"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(format!("`{name}` must start with a lowercase letter"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(format!("`{name}` contains `{c}`: use lowercase letters, digits and `-`"));
    }
    if name.ends_with('-') {
        return Err(format!("`{name}` must not end with `-`"));
    }
    Ok(())
}

/// App, environment and pipeline names end up in stack, role and resource names.
fn names(ctx: &mut Ctx, decls: &Decls) {
    for d in decls.apps.iter().chain(decls.of(DeclKind::Env)).chain(&decls.pipelines) {
        let n = &d.name.name;
        if aws_name(n).is_err() {
            let fixed: String = n
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let mut diag = Diagnostic::new(codes::PF3001, d.name.span, format!("`{n}` cannot name AWS resources"))
                .with_label("invalid name")
                .with_help(format!(
                    "{} names become stack, role and bucket-safe names: 1 to 32 lowercase letters, digits and `-`, starting with a letter",
                    d.kind.keyword()
                ));
            let fixed = fixed.trim_matches('-').to_string();
            if !fixed.is_empty()
                && fixed.starts_with(|c: char| c.is_ascii_lowercase())
                && fixed.len() <= 32
                && fixed != *n
            {
                diag =
                    diag.with_fix(format!("rename to `{fixed}`"), d.name.span, fixed, Applicability::Unsafe);
            }
            ctx.push(diag);
        }
    }
}

/// An environment or app declared in a root file but never deployed.
fn unused(ctx: &mut Ctx, program: &Program, decls: &Decls, files: &[ast::File], roots: usize) {
    let in_root = |file: crate::source::FileId| files.iter().take(roots).any(|f| f.id == file);
    let mut deployed_envs: FxHashSet<&str> = crate::hash::set_with_capacity(program.envs.len());
    deployed_envs.extend(
        program.pipelines.iter().flat_map(|p| &p.stages).flat_map(|s| &s.actions).filter_map(|a| {
            match &a.kind {
                ActionKind::DeployApp { env } | ActionKind::DeployInfra { env, .. } => Some(env.as_str()),
                _ => None,
            }
        }),
    );
    let parents: FxHashSet<&str> =
        decls.envs.iter().filter_map(|e| e.parent.as_ref().map(|p| p.name.as_str())).collect();
    let piped: FxHashSet<&str> = program.pipelines.iter().map(|p| p.app.as_str()).collect();
    let deployed = |env: &str| deployed_envs.contains(env);
    // Pipelines that failed to lower, or lost a stage to an error, would make everything look
    // unused: stay quiet then.
    let broken_pipeline = decls.pipelines.iter().any(|p| {
        ctx.diagnostics.iter().any(|d| {
            d.is_error()
                && d.primary.span.file == p.span.file
                && p.span.contains(d.primary.span.start as usize)
        })
    });
    if program.pipelines.len() != decls.pipelines.len() || broken_pipeline {
        return;
    }
    for d in decls.of(DeclKind::Env) {
        if in_root(d.file) && !deployed(&d.name.name) && !parents.contains(d.name.name.as_str()) {
            ctx.push(
                Diagnostic::new(
                    codes::PF4006,
                    d.name.span,
                    format!("the environment `{}` is never deployed", d.name.name),
                )
                .with_label("not deployed by any pipeline")
                .with_help(format!("add `deploy {}` to a stage, or remove the environment", d.name.name)),
            );
        }
    }
    for d in &decls.apps {
        if in_root(d.file) && !decls.pipelines.is_empty() && !piped.contains(d.name.name.as_str()) {
            ctx.push(
                Diagnostic::new(
                    codes::PF4006,
                    d.name.span,
                    format!("the app `{}` has no pipeline", d.name.name),
                )
                .with_label("never built or deployed")
                .with_help(format!("declare `pipeline {} {{ ... }}`, or remove the app", d.name.name)),
            );
        }
    }
}

fn overlapping_networks(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    // Sort by first address and sweep: a block overlaps an earlier one only if it starts before
    // the furthest end seen so far. O(n log n), not pairwise.
    let mut envs: Vec<&crate::ir::Env> = program.envs.iter().collect();
    envs.sort_by_key(|e| (e.network.cidr.network(), std::cmp::Reverse(e.network.cidr.size())));
    let mut widest: Option<&crate::ir::Env> = None;
    for b in envs {
        let end = |e: &crate::ir::Env| u64::from(e.network.cidr.network()) + e.network.cidr.size();
        if let Some(a) = widest {
            if u64::from(b.network.cidr.network()) < end(a) {
                let span = |e: &str| decls.value_span(&[DeclKind::Env], e, &["network", "cidr"]);
                if let (Some(sb), Some(sa)) = (span(&b.name), span(&a.name)) {
                    ctx.push(
                        Diagnostic::new(
                            codes::PF5005,
                            sb,
                            format!("the networks of `{}` and `{}` overlap", b.name, a.name),
                        )
                        .with_label(format!("{}", b.network.cidr))
                        .with_secondary(sa, format!("{}", a.network.cidr))
                        .with_help("give each environment its own CIDR block so they can be peered later"),
                    );
                }
            }
        }
        if widest.is_none_or(|a| end(b) > end(a)) {
            widest = Some(b);
        }
    }
}

/// Names that usually hold a secret.
fn secret_like_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"]
        .iter()
        .any(|w| upper.contains(w))
}

/// Values that look like a credential: AWS access key ids, private keys, GitHub tokens.
fn secret_like_value(value: &str) -> bool {
    let aws_key = value.len() >= 20
        && value.as_bytes().windows(20).any(|w| {
            (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
                && w[4..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        });
    aws_key || value.contains("-----BEGIN") || value.starts_with("ghp_") || value.starts_with("github_pat_")
}

/// Plain strings that look like secrets, anywhere in the program.
fn secrets(ctx: &mut Ctx, decls: &Decls) {
    for d in decls.all() {
        walk(ctx, &d.own, None);
    }
}

fn walk(ctx: &mut Ctx, obj: &Obj, key: Option<&str>) {
    let _ = key;
    for (name, field) in obj.fields.iter() {
        check_item(ctx, name, &field.value);
    }
    for c in &obj.children {
        walk(ctx, &c.obj, None);
    }
}

fn check_item(ctx: &mut Ctx, name: &str, item: &Item) {
    match &item.val {
        // An ECS app's container secrets report a plain value themselves (PF2051).
        Val::Map(_) if name == "secrets" => {}
        Val::Map(m) => {
            for (k, v) in m {
                check_item(ctx, k, v);
            }
        }
        Val::Obj(o) => walk(ctx, o, Some(name)),
        Val::List(items) => items.iter().for_each(|i| check_item(ctx, name, i)),
        Val::Text(Text::Plain(s)) | Val::Str(s) => {
            // The database password field reports its own, more precise diagnostic.
            if name == "password" {
                return;
            }
            let by_name = secret_like_name(name) && !s.is_empty() && matches!(item.val, Val::Text(_));
            if by_name || secret_like_value(s) {
                let id = name.to_ascii_lowercase().replace('_', "-");
                let mut d = Diagnostic::new(codes::PF6001, item.span, format!("`{name}` looks like a secret written in plain text"))
                    .with_label("plain-text secret")
                    .with_help("keep secrets in Secrets Manager or Parameter Store and reference them: `secret(\"id\")` or `param(\"/name\")`");
                if matches!(item.val, Val::Text(_)) {
                    d = d.with_fix(
                        "use a Secrets Manager reference",
                        item.span,
                        format!("secret(\"{id}\")"),
                        Applicability::Unsafe,
                    );
                }
                ctx.push(d);
            }
        }
        _ => {}
    }
}

/// Every hook script must be in the build's artifacts, when the artifact list is known.
fn hook_artifacts(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    for app in &program.apps {
        if app.build.artifacts.is_empty() {
            continue;
        }
        let crate::ir::Deploy::Ec2(deploy) = &app.deploy else { continue };
        for hook in &deploy.hooks {
            if !app.build.artifacts.iter().any(|g| crate::glob::matches(g, &hook.script)) {
                let field = hook_field(hook.event);
                let span: Option<Span> =
                    decls.value_span(&[DeclKind::App], &app.name, &["deploy", "hooks", field]);
                if let Some(span) = span {
                    ctx.push(
                        Diagnostic::new(
                            codes::PF4005,
                            span,
                            format!("the hook script `{}` is not in the build's artifacts", hook.script),
                        )
                        .with_label("CodeDeploy will not find it")
                        .with_help(if hook.script.starts_with('/') {
                            // A path on the instance: CodeDeploy runs the script from the revision.
                            format!(
                                "a hook script is a path in the revision, relative to its root, not on the instance: write the script's path in the build's output, such as `scripts/{}`",
                                hook.script.rsplit('/').next().unwrap_or_default()
                            )
                        } else {
                            format!(
                                "add a glob that matches it to `artifacts` (they are: {})",
                                app.build.artifacts.join(", ")
                            )
                        }),
                    );
                }
            }
        }
    }
}

fn hook_field(event: crate::ir::HookEvent) -> &'static str {
    use crate::ir::HookEvent::*;
    match event {
        ApplicationStop => "application_stop",
        BeforeInstall => "before_install",
        AfterInstall => "after_install",
        ApplicationStart => "application_start",
        ValidateService => "validate_service",
        BeforeBlockTraffic => "before_block_traffic",
        AfterBlockTraffic => "after_block_traffic",
        BeforeAllowTraffic => "before_allow_traffic",
        AfterAllowTraffic => "after_allow_traffic",
    }
}

/// CodePipeline's counts (aws-facts D1.4) and tag limits (D1.14).
fn limits(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    for p in &program.pipelines {
        let Some(d) = decls.find(&[DeclKind::Pipeline], &p.name) else { continue };
        let actions: usize = p.stages.iter().map(|s| s.actions.len()).sum();
        if p.stages.len() > 50 || actions > 500 {
            ctx.push(
                Diagnostic::new(
                    codes::PF3003,
                    d.name.span,
                    format!(
                        "{} stages and {actions} actions; CodePipeline allows 50 stages and 500 actions",
                        p.stages.len()
                    ),
                )
                .with_label("too large")
                .with_help("split the pipeline"),
            );
        }
        let full = format!("{}-{}", p.app, p.name);
        if full.len() > 100 {
            ctx.push(
                Diagnostic::new(
                    codes::PF3001,
                    d.name.span,
                    format!("the pipeline's AWS name `{full}` is longer than 100 characters"),
                )
                .with_label("too long"),
            );
        }
    }
    for d in decls.all() {
        if let Some(Item { val: Val::Map(tags), span }) = d.own.get("tags") {
            if tags.len() > 50 {
                ctx.push(
                    Diagnostic::new(codes::PF3007, *span, format!("{} tags; AWS allows 50", tags.len()))
                        .with_label("too many tags"),
                );
            }
            for (k, v) in tags {
                let value = if let Val::Str(s) = &v.val { s.as_str() } else { "" };
                if let Some(why) = tag_problem(k, value) {
                    ctx.push(
                        Diagnostic::new(codes::PF3007, v.span, format!("the tag `{k}` breaks AWS's rules: {why}"))
                            .with_label("invalid tag")
                            .with_help("keys are 1 to 128 characters and may not start with `aws:`; keys are letters, digits, spaces and `_ . : / = + - @`; values are at most 256 (quote a key that is not a name: `\"cost center\" = \"ops\"`)"),
                    );
                }
            }
        }
    }
}

/// Why a tag breaks AWS's tagging rules, if it does. Source: "Tagging AWS resources" (AWS
/// General Reference): keys of 1 to 128 and values of at most 256 Unicode characters; keys are
/// letters, digits, spaces and `_ . : / = + - @`; the prefix `aws:` is reserved.
pub fn tag_problem(key: &str, value: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c);
    if key.is_empty() || key.chars().count() > 128 {
        return Some("a key is 1 to 128 characters".into());
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some("the prefix `aws:` is reserved for AWS".into());
    }
    if value.chars().count() > 256 {
        return Some("a value is at most 256 characters".into());
    }
    // Values are not checked for characters: some services (EC2) allow any.
    if let Some(c) = key.chars().find(|c| !allowed(*c)) {
        return Some(format!("`{c}` is not allowed in a key"));
    }
    None
}
