//! The build's architecture follows the instances': an app whose pipelines deploy only
//! Graviton (arm64) instances builds on the arm64 counterpart of its CodeBuild image, so what it
//! compiles runs where it is deployed. An image without a counterpart, and an app deployed to
//! both architectures, are errors (PF2066) with the fix. See docs/environments.md,
//! "Architecture".

use super::*;
use crate::ir::{App, Env};
use crate::schema::DeclKind;

/// CodeBuild's curated images of the same generation on x86_64 and arm64 (CodeBuild User Guide,
/// "Docker images provided by CodeBuild", `ec2-compute-images`; the same list as
/// `stdlib/tables/codebuild_images.txt`).
pub const IMAGE_PAIRS: &[(&str, &str)] = &[
    ("aws/codebuild/amazonlinux2-x86_64-standard:5.0", "aws/codebuild/amazonlinux2-aarch64-standard:3.0"),
    ("aws/codebuild/amazonlinux2-x86_64-standard:4.0", "aws/codebuild/amazonlinux2-aarch64-standard:2.0"),
    ("aws/codebuild/amazonlinux-x86_64-standard:5.0", "aws/codebuild/amazonlinux-aarch64-standard:3.0"),
];

/// The image of the same generation for the other architecture (`to_arm`: arm64), if any.
pub fn counterpart(image: &str, to_arm: bool) -> Option<&'static str> {
    IMAGE_PAIRS.iter().find_map(|(x86, arm)| match to_arm {
        true if *x86 == image => Some(*arm),
        false if *arm == image => Some(*x86),
        _ => None,
    })
}

/// The environments each pipeline of `app` deploys, with the span of each `deploy`.
fn deploys<'a>(decls: &'a Decls, app: &str) -> Vec<(&'a str, Span)> {
    let mut out = Vec::new();
    for p in &decls.pipelines {
        let o = p.flat();
        let builds = match o.get("app").map(|i| &i.val) {
            Some(Val::Ref(a)) => a == app,
            _ => p.name.name == app,
        };
        if !builds {
            continue;
        }
        for stage in o.children.iter().filter(|c| c.keyword == "stage") {
            for a in &stage.obj.children {
                let actions: Vec<&crate::check::value::ChildNode> =
                    if a.keyword == "parallel" { a.obj.children.iter().collect() } else { vec![a] };
                for d in actions.into_iter().filter(|d| d.keyword == "deploy") {
                    if let Some(l) = &d.label {
                        out.push((l.name.as_str(), l.span));
                    }
                }
            }
        }
    }
    out
}

/// Sets each app's build (and so its test jobs') to its instances' architecture, or reports why
/// it cannot.
pub fn follow_instances(ctx: &mut Ctx, decls: &Decls, apps: &mut [App], envs: &[Env]) {
    // The first environment of each name (a scan per deploy was a seventh of an analysis of
    // 1,800 environments).
    let mut by_name: crate::hash::FxHashMap<&str, &Env> = crate::hash::map_with_capacity(envs.len());
    for e in envs {
        by_name.entry(e.name.as_str()).or_insert(e);
    }
    for app in apps.iter_mut() {
        // Only instances have a `compute` architecture; a function has its own (`lambda.rs`).
        if !matches!(app.deploy, crate::ir::Deploy::Ec2(_)) {
            continue;
        }
        let targets: Vec<(&Env, Span)> = deploys(decls, &app.name)
            .into_iter()
            .filter_map(|(name, span)| by_name.get(name).map(|e| (*e, span)))
            .collect();
        let Some((first, _)) = targets.first() else { continue };
        if let Some((other, span)) = targets.iter().find(|(e, _)| e.compute.arm != first.compute.arm) {
            let (arm, x86) = if first.compute.arm { (*first, *other) } else { (*other, *first) };
            ctx.push(
                Diagnostic::new(
                    codes::PF2066,
                    *span,
                    format!("`{}` is deployed to arm64 and to x86_64 instances, but it has one build", app.name),
                )
                .with_label(format!("{} instances", if other.compute.arm { "arm64" } else { "x86_64" }))
                .with_help(format!(
                    "`{}` runs `{}` (Graviton, arm64) and `{}` runs `{}` (x86_64): give every environment of the app instances of one architecture",
                    arm.name, arm.compute.instance, x86.name, x86.compute.instance
                )),
            );
            continue;
        }
        let arm = first.compute.arm;
        if app.build.arm == arm {
            continue;
        }
        match counterpart(&app.build.image, arm) {
            Some(image) => {
                app.build.image = image.to_string();
                app.build.arm = arm;
            }
            None => {
                let at = decls
                    .find(&[DeclKind::App], &app.name)
                    .map(|d| {
                        let o = d.flat();
                        obj_of(o, "build")
                            .map_or_else(|| span_of(o, "build", d.name.span), |b| span_of(b, "image", b.span))
                    })
                    .unwrap_or(targets[0].1);
                let want = if arm {
                    "aws/codebuild/amazonlinux2-aarch64-standard:3.0"
                } else {
                    "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
                };
                ctx.push(
                    Diagnostic::new(
                        codes::PF2066,
                        at,
                        format!(
                            "the build image `{}` is {}, but `{}` runs {} instances (`{}`)",
                            app.build.image,
                            if app.build.arm { "arm64" } else { "x86_64" },
                            first.name,
                            if arm { "Graviton (arm64)" } else { "x86_64" },
                            first.compute.instance
                        ),
                    )
                    .with_label("image of the other architecture")
                    .with_help(format!("build where the app runs: `image = \"{want}\"`, or pick instances of the image's architecture")),
                );
            }
        }
    }
}
