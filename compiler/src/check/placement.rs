//! Where stacks go: the `account` and `region` of the project and of each environment.
//!
//! - An account is 12 digits or `param("/name")` (PF2070);
//! - a region is one of [`REGIONS`] (PF2071), and an environment's `network.azs` must not exceed
//!   its region's AZs (PF3040);
//! - in a program that names accounts, a protected environment should not share its account
//!   with an unprotected one (PF6040): whoever may deploy the test environment could then reach
//!   production's resources. A program that names no account chose one account on purpose and
//!   is not warned;
//! - an environment deployed in another account or region than the pipeline's is an error for
//!   now (PF5070): the cross-account output (artifact stores per region, the key policy for the
//!   target accounts, `RoleArn` on every action, a bootstrap stack per account) is designed in
//!   `docs/enterprise.md` but not generated yet, and a build must never place a stack anywhere
//!   but where the program says.

use super::resolve::Decls;
use super::suggest::did_you_mean;
use super::Ctx;
use crate::diagnostic::{codes, Applicability, Diagnostic};
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

/// PF5070: an environment a pipeline deploys, in another account or region than the pipeline's.
/// An unset value is the pipeline's, so only a value different from the project's counts.
pub fn remote_environments(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    let home = &program.project.placement;
    let mut seen: Vec<&str> = Vec::new();
    for app in &program.apps {
        for env in crate::codegen::infra::deployed_envs(program, &app.name) {
            if seen.contains(&env.name.as_str()) {
                continue;
            }
            seen.push(&env.name);
            let (field, what) = if env.placement.account != home.account {
                ("account", "account")
            } else if env.placement.region != home.region {
                ("region", "region")
            } else {
                continue;
            };
            let Some(d) = decls.find(&[DeclKind::Env], &env.name) else { continue };
            let span = decls.value_span(&[DeclKind::Env], &env.name, &[field]).unwrap_or(d.name.span);
            ctx.push(
                Diagnostic::new(
                    codes::PF5070,
                    span,
                    format!("`{}` is deployed in another {what} than the pipeline: pf does not generate cross-{what} delivery yet", env.name),
                )
                .with_label(format!("not the pipeline's {what}"))
                .with_help(format!(
                    "deploy `{}` in the pipeline's {what} for now (remove `{field}`, or name the same one in `project {{ {field} = ... }}`); docs/enterprise.md has the design of cross-account delivery",
                    env.name
                )),
            );
        }
    }
}
