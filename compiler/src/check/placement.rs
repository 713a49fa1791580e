//! Where stacks go: the `account` and `region` of the project and of each environment.
//!
//! - An account is 12 digits or `param("/name")` (PF2070);
//! - a region is one of [`REGIONS`] (PF2071), and an environment's `network.azs` must not exceed
//!   its region's AZs (PF3040);
//! - in a program that names accounts, a protected environment should not share its account
//!   with an unprotected one (PF6040): whoever may deploy the test environment could then reach
//!   production's resources. A program that names no account chose one account on purpose and
//!   is not warned;
//! - an environment in another account is generated (`codegen/pipeline/accounts.rs`); what is
//!   not generated yet is an error (PF5070, [`remote_environments`]): a build must never place
//!   a stack anywhere but where the program says.

use super::resolve::Decls;
use super::suggest::did_you_mean;
use super::Ctx;
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::hash::FxHashSet;
use crate::ir::{Placement, Program, Text};
use crate::schema::DeclKind;
use crate::source::Span;

/// The commercial regions and the Availability Zones an account can use in each, from AWS's
/// "AWS Availability Zones" page (docs.aws.amazon.com/global-infrastructure/latest/regions/
/// aws-availability-zones.html), read 2026-12. Where older accounts see more AZs than new ones
/// (`us-west-1`: 2 for accounts created since 2013, `ap-northeast-1`: 3), the smaller number.
pub const REGIONS: &[(&str, u8)] = &[
    ("af-south-1", 3),
    ("ap-east-1", 3),
    ("ap-northeast-1", 3),
    ("ap-northeast-2", 4),
    ("ap-northeast-3", 3),
    ("ap-south-1", 3),
    ("ap-south-2", 3),
    ("ap-southeast-1", 3),
    ("ap-southeast-2", 3),
    ("ap-southeast-3", 3),
    ("ap-southeast-4", 3),
    ("ap-southeast-5", 3),
    ("ap-southeast-7", 3),
    ("ca-central-1", 3),
    ("ca-west-1", 3),
    ("eu-central-1", 3),
    ("eu-central-2", 3),
    ("eu-north-1", 3),
    ("eu-south-1", 3),
    ("eu-south-2", 3),
    ("eu-west-1", 3),
    ("eu-west-2", 3),
    ("eu-west-3", 3),
    ("il-central-1", 3),
    ("me-central-1", 3),
    ("me-south-1", 3),
    ("mx-central-1", 3),
    ("sa-east-1", 3),
    ("us-east-1", 6),
    ("us-east-2", 3),
    ("us-west-1", 2),
    ("us-west-2", 4),
];

/// The AZs an account can use in `region`, if pf knows the region.
pub fn azs(region: &str) -> Option<u8> {
    REGIONS.iter().find(|(r, _)| *r == region).map(|(_, n)| *n)
}

/// Checks an `account` value written at `span`; `None` when it is not an account id.
pub fn account(ctx: &mut Ctx, text: Text, span: Span) -> Option<Text> {
    let why = match &text {
        Text::Param(_) => return Some(text),
        Text::Plain(s) if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) => return Some(text),
        Text::Plain(s) => format!("`{s}` is not an AWS account id"),
        Text::Secret(_) => "an account id is not a secret".to_string(),
    };
    let digits: String = match &text {
        Text::Plain(s) => s.chars().filter(char::is_ascii_digit).collect(),
        _ => String::new(),
    };
    let mut d = Diagnostic::new(codes::PF2070, span, why)
        .with_label("not an account id")
        .with_help("write the account's 12 digits (`\"123456789012\"`) or `param(\"/name\")` to read it from Parameter Store");
    if digits.len() == 12 {
        d = d.with_fix(format!("write `\"{digits}\"`"), span, format!("\"{digits}\""), Applicability::Unsafe);
    }
    ctx.push(d);
    None
}

/// Checks a `region` value written at `span`; `None` when pf does not know it.
pub fn region(ctx: &mut Ctx, name: String, span: Span) -> Option<String> {
    if azs(&name).is_some() {
        return Some(name);
    }
    let known: Vec<&str> = REGIONS.iter().map(|(r, _)| *r).collect();
    let mut d = Diagnostic::new(codes::PF2071, span, format!("`{name}` is not a region pf knows"))
        .with_label("unknown region");
    match did_you_mean(&name, known.iter().copied()) {
        Some(s) => {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                format!("write `\"{s}\"`"),
                span,
                format!("\"{s}\""),
                Applicability::Unsafe,
            )
        }
        None => d = d.with_help(format!("regions pf knows: {}", known.join(", "))),
    }
    ctx.push(d);
    None
}

/// The error when `azs` exceeds the AZs of `region` (PF3040), at the `azs` value's span.
pub fn check_azs(ctx: &mut Ctx, azs_wanted: u8, region: &str, span: Span) {
    let Some(available) = azs(region) else { return };
    if azs_wanted > available {
        ctx.push(
            Diagnostic::new(
                codes::PF3040,
                span,
                format!("`azs = {azs_wanted}`, but an account can use {available} AZs in {region}"),
            )
            .with_label(format!("{region} has {available}"))
            .with_help(format!("use at most `azs = {available}`, or a region with more AZs"))
            .with_fix(
                format!("write `azs = {available}`"),
                span,
                available.to_string(),
                Applicability::Unsafe,
            ),
        );
    }
}

/// The account of a placement, as written: equal values are the same account (`None` is the
/// pipeline's own account).
fn account_key(p: &Placement) -> Option<&Text> {
    p.account.as_ref()
}

/// PF6040: a protected environment in the account of an unprotected one, in a program that
/// names accounts.
pub fn protected_shares_account(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    let names_accounts = program.project.placement.account.is_some()
        || program.envs.iter().any(|e| e.placement.account.is_some());
    if !names_accounts {
        return;
    }
    for env in program.envs.iter().filter(|e| e.protected) {
        let Some(other) = program
            .envs
            .iter()
            .find(|o| !o.protected && account_key(&o.placement) == account_key(&env.placement))
        else {
            continue;
        };
        let Some(d) = decls.find(&[DeclKind::Env], &env.name) else { continue };
        let span = decls.value_span(&[DeclKind::Env], &env.name, &["account"]).unwrap_or(d.name.span);
        let which = match account_key(&env.placement) {
            Some(Text::Plain(id)) => format!("account {id}"),
            Some(Text::Param(name)) => format!("the account in `{name}`"),
            _ => "the pipeline's account".to_string(),
        };
        ctx.push(
            Diagnostic::new(
                codes::PF6040,
                span,
                format!("the protected environment `{}` shares {which} with `{}`, which is not protected", env.name, other.name),
            )
            .with_label("shared account")
            .with_help(format!(
                "give `{}` an account of its own (`account = \"...\"`): whoever may deploy `{}` could otherwise reach its resources",
                env.name, other.name
            )),
        );
    }
}

/// PF5070: an environment a pipeline deploys in another account or region, where pf does not
/// generate that delivery yet (`docs/enterprise.md`). Generated (`codegen/pipeline/accounts.rs`):
/// another account, in one region per target account (its bootstrap stack is deployed there),
/// for targets whose artifacts the target account can read (EC2 in place or rolling, Lambda).
/// Refused, one diagnostic per environment: the pipeline's account in another region (its
/// CloudFormation role is built for its own region), a second region for one target account, a
/// baked image or a blue/green release (the AMI and the release job are the pipeline
/// account's), and ECS (the image repository is the pipeline account's).
pub fn remote_environments(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    let home = &program.project.placement;
    let mut seen: FxHashSet<&str> = crate::hash::set_with_capacity(program.envs.len());
    let mut regions: Vec<(&Text, &Option<String>)> = Vec::new();
    for app in &program.apps {
        for env in crate::codegen::infra::deployed_envs(program, &app.name) {
            if !seen.insert(&env.name) {
                continue;
            }
            let other_region = env.placement.region != home.region;
            let account = env.placement.account.as_ref().filter(|_| env.placement.account != home.account);
            let (field, why, fix) = match account {
                None if !other_region => continue,
                None => (
                    "region",
                    format!("`{}` is in the pipeline's account but another region: pf does not generate that yet", env.name),
                    "put it in another account (`account = \"...\"`, with its bootstrap stack), or in the pipeline's region".to_string(),
                ),
                Some(account) => {
                    let earlier = regions.iter().find(|(a, _)| *a == account).map(|(_, r)| *r);
                    if earlier.is_none() {
                        regions.push((account, &env.placement.region));
                    }
                    if earlier.is_some_and(|r| *r != env.placement.region) {
                        (
                            "region",
                            format!("`{}` is in a second region of its account: pf deploys each target account in one region", env.name),
                            "use the region of the account's other environments, or another account for this region".to_string(),
                        )
                    } else if let Some(why) = unsupported_remote(app, env) {
                        ("account", format!("`{}` is in another account, {why}", env.name), "deploy it in the pipeline's account, or change what the program asks for".to_string())
                    } else {
                        continue;
                    }
                }
            };
            let Some(d) = decls.find(&[DeclKind::Env], &env.name) else { continue };
            let span = decls.value_span(&[DeclKind::Env], &env.name, &[field]).unwrap_or(d.name.span);
            ctx.push(
                Diagnostic::new(codes::PF5070, span, why)
                    .with_label("not generated for this placement")
                    .with_help(format!("{fix}; docs/enterprise.md says what is generated")),
            );
        }
    }
}

/// Why pf cannot deliver `app` to `env` in another account, if it cannot.
fn unsupported_remote(app: &crate::ir::App, env: &crate::ir::Env) -> Option<&'static str> {
    if matches!(app.deploy, crate::ir::Deploy::Ecs(_)) {
        return Some(
            "but its ECS image repository is in the pipeline's account, which pf does not share yet",
        );
    }
    if app.deploy.baked_image().is_some() {
        return Some("but the baked AMI is in the pipeline's account, which pf does not share yet");
    }
    if env.strategy.kind() == crate::ir::ReleaseKind::BlueGreen && !app.deploy.released_by_stack() {
        return Some("but an EC2 blue/green release runs its release job in the pipeline's account");
    }
    None
}
