//! `deploy = lambda { ... }`: the function's settings, its entry point (a function URL or the
//! environment's load balancer) and its runtime, checked against Lambda's table.

use super::*;
use crate::check::suggest::did_you_mean;
use crate::diagnostic::Applicability;
use crate::ir::{HealthCheck, LambdaDeploy, LambdaEntry};
use crate::schema;
use crate::stdlib;

pub fn deploy(ctx: &mut Ctx, o: &Obj, at: Span) -> Option<LambdaDeploy> {
    if !require(ctx, o, &schema::LAMBDA, at) {
        return None;
    }
    let runtime = str_of(o, "runtime")?;
    check_runtime(ctx, &runtime, span_of(o, "runtime", at));
    let url = obj_of(o, "url");
    let load_balancer = bool_of(o, "load_balancer").unwrap_or(false);
    let entry = match (url, load_balancer) {
        (Some(u), false) => LambdaEntry::Url { iam: enum_of(u, "auth") != Some("none") },
        (None, true) => LambdaEntry::LoadBalancer { health_check: health_check(ctx, o) },
        (Some(_), true) => {
            ctx.push(
                Diagnostic::new(codes::PF1025, span_of(o, "url", at), "a Lambda function has one entry point: a URL or the load balancer, not both")
                    .with_label("function URL")
                    .with_secondary(span_of(o, "load_balancer", at), "and the load balancer")
                    .with_help("keep `url { ... }` for a function called directly, or `load_balancer = true` to serve it behind the environment's load balancer (its DNS name and certificate)"),
            );
            return None;
        }
        (None, false) => {
            ctx.push(
                Diagnostic::new(codes::PF1025, at, "a Lambda function needs an entry point: a function URL or the load balancer")
                    .with_label("nothing reaches this function")
                    .with_help("add `url { auth = iam }` (callers sign their requests), or `load_balancer = true` to serve it behind the environment's load balancer"),
            );
            return None;
        }
    };
    if !load_balancer {
        if let Some(item) = o.get("health_check") {
            ctx.push(
                Diagnostic::new(codes::PF5040, item.span, "a health check path has no meaning for a function without the load balancer")
                    .with_label("nothing checks this path")
                    .with_help("a function URL is not health-checked: remove `health_check`, or serve the function with `load_balancer = true`"),
            );
        }
    }
    Some(LambdaDeploy {
        runtime,
        handler: str_of(o, "handler")?,
        memory_mib: mib_of(o, "memory").unwrap_or(128) as u32,
        timeout_seconds: secs_of(o, "timeout").unwrap_or(3) as u32,
        arm: enum_of(o, "architecture") == Some("arm64"),
        reserved_concurrency: int_of(o, "reserved_concurrency").map(|n| n as u32),
        entry,
    })
}

/// The load balancer's health check of the function, when a path is given.
fn health_check(ctx: &mut Ctx, o: &Obj) -> Option<HealthCheck> {
    let path = str_of(o, "health_check")?;
    if !path.starts_with('/') || path.contains(char::is_whitespace) {
        ctx.push(
            Diagnostic::new(codes::PF5010, span_of(o, "health_check", o.span), format!("`{path}` is not an HTTP path"))
                .with_label("expected a path such as /health")
                .with_help("the load balancer sends a GET for this path to the function: start it with `/`, without spaces"),
        );
    }
    Some(HealthCheck {
        path,
        interval_seconds: secs_of(o, "health_interval").unwrap_or(35) as u32,
        healthy_threshold: 2,
    })
}

/// A runtime Lambda does not create functions with (unknown, or deprecated) is PF3025; the help
/// lists the supported runtimes of the same language.
fn check_runtime(ctx: &mut Ctx, runtime: &str, span: Span) {
    let table = stdlib::lambda_runtimes();
    if table.contains(&runtime) {
        return;
    }
    let language = |r: &str| r.chars().take_while(char::is_ascii_alphabetic).collect::<String>();
    let same: Vec<&str> = table.iter().copied().filter(|r| language(r) == language(runtime)).collect();
    let mut d =
        Diagnostic::new(codes::PF3025, span, format!("`{runtime}` is not a supported Lambda runtime"))
            .with_label("unknown or deprecated runtime");
    if let Some(newest) = same.first() {
        d = d
            .with_help(format!(
                "Lambda no longer creates or updates functions on deprecated runtimes; the supported ones are {}",
                same.join(", ")
            ))
            .with_fix(format!("use `{newest}`"), span, format!("\"{newest}\""), Applicability::Unsafe);
    } else if let Some(s) = did_you_mean(runtime, table.iter().copied()) {
        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            span,
            format!("\"{s}\""),
            Applicability::Safe,
        );
    } else {
        d = d.with_help(format!("the supported runtimes are {}", table.join(", ")));
    }
    ctx.push(d);
}

/// The app's build runs on the function's architecture, so that native dependencies it packages
/// run in the function: a curated image of the other architecture is swapped for its
/// counterpart (`arch::counterpart`, as for EC2 instances); an image without one is PF5042.
pub fn follow_architecture(ctx: &mut Ctx, d: &Decl, build: &mut crate::ir::Build, l: &LambdaDeploy) {
    if build.arm == l.arm {
        return;
    }
    if let Some(image) = super::arch::counterpart(&build.image, l.arm) {
        build.image = image.to_string();
        build.arm = l.arm;
        return;
    }
    let architecture = if l.arm { "arm64" } else { "x86_64" };
    let want = super::arch::IMAGE_PAIRS[0];
    let want = if l.arm { want.1 } else { want.0 };
    let o = d.flat();
    let span =
        obj_of(o, "build").map_or_else(|| span_of(o, "build", d.name.span), |b| span_of(b, "image", b.span));
    ctx.push(
        Diagnostic::new(
            codes::PF5042,
            span,
            format!("the build image `{}` is not {architecture}, the function's architecture", build.image),
        )
        .with_label("other architecture")
        .with_help(format!(
            "the build packages native dependencies for its own architecture: build on an {architecture} image such as `{want}`, or set the function's `architecture` to the image's"
        )),
    );
}
