//! Lowering: flattened declarations to IR values, defaults applied, action spans recorded.
//! Checks that need the spans of one declaration (capacity, subnets, secrets, ...) run here.

mod app;
mod arch;
mod env;
mod gates;
mod lambda;
mod pipeline;
mod runtime;

use super::resolve::{Decl, Decls};
use super::value::{Item, Obj, Val};
use super::Ctx;
use crate::diagnostic::{codes, Diagnostic, Label};
use crate::hash::FxHashMap;
use crate::ir::{Placement, Program, Project, Provenance, Text};
use crate::source::Span;
use std::collections::BTreeMap;

/// Lowers every declaration; declarations with errors are left out of the IR.
pub fn lower(ctx: &mut Ctx, decls: &Decls) -> (Program, Provenance) {
    let mut prov = Provenance::default();
    let mut program = Program {
        project: project(ctx, decls),
        apps: Vec::with_capacity(decls.apps.len()),
        envs: Vec::with_capacity(decls.envs.len()),
        ..Program::default()
    };
    for d in &decls.apps {
        let mark = ctx.diagnostics.len();
        let app = app::lower(ctx, decls, d);
        anchor_inherited(ctx, mark, d);
        program.apps.extend(app);
    }
    let protected = protected_names(decls);
    let first_env = ctx.diagnostics.len();
    for d in decls.of(crate::schema::DeclKind::Env) {
        let mark = ctx.diagnostics.len();
        let env = env::lower(ctx, d, &protected, &program.project.placement);
        anchor_inherited(ctx, mark, d);
        report_once(ctx, first_env, mark, d);
        program.envs.extend(env);
    }
    arch::follow_instances(ctx, decls, &mut program.apps, &program.envs);
    let index = Index {
        apps: program.apps.iter().map(|a| (a.name.as_str(), a)).collect(),
        envs: program.envs.iter().map(|e| (e.name.as_str(), e)).collect(),
    };
    let mut pipelines = Vec::new();
    for d in &decls.pipelines {
        if let Some(p) = pipeline::lower(ctx, decls, &index, d, &mut prov) {
            pipelines.push(p);
        }
    }
    program.pipelines = pipelines;
    (program, prov)
}

/// The output folder in the normal form the generated paths use (`./infra//out/` is
/// `infra/out`), or why it cannot be one: the pipeline finds the generated files in the source
/// artifact, so the folder must be a relative path that stays inside the repository.
fn output_folder(path: &str) -> Result<String, &'static str> {
    if path.starts_with('/') || path.starts_with('\\') || path.get(1..2) == Some(":") {
        return Err("it is absolute");
    }
    if path.contains('\\') {
        return Err("it uses `\\`; separate folders with `/`");
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        return Err("it leaves the repository with `..`");
    }
    if parts.is_empty() {
        return Err("it names the repository's root; generated files need a folder of their own");
    }
    Ok(parts.join("/"))
}

/// Findings about a value `d` inherits from another file (a standard profile or preset, a shared
/// file) are reported on `d`'s name: that is what the user can change, and an editor shows
/// nothing in a file that is not open (a standard-library file never is). The inherited value's
/// place stays as a secondary label; a fix that would edit the other file is dropped.
fn anchor_inherited(ctx: &mut Ctx, mark: usize, d: &Decl) {
    let home = d.name.span;
    for diag in &mut ctx.diagnostics[mark..] {
        if diag.primary.span.file == home.file {
            continue;
        }
        let from = std::mem::replace(
            &mut diag.primary,
            Label { span: home, message: format!("in `{}`, inherited", d.name.name) },
        );
        diag.secondary.push(Label { span: from.span, message: "inherited from here".into() });
        if diag.fix.as_ref().is_some_and(|f| f.edits.iter().any(|e| e.span.file != home.file)) {
            diag.fix = None;
        }
    }
}

/// A finding an environment inherits from another environment of the same file (`env uat :
/// prod` and prod's mistake) is the same finding: it is reported once, at its source, with a note
/// naming each environment that inherits it.
fn report_once(ctx: &mut Ctx, first: usize, mark: usize, d: &Decl) {
    let mut i = mark;
    while i < ctx.diagnostics.len() {
        let same = |a: &Diagnostic, b: &Diagnostic| {
            a.code == b.code && a.primary.span == b.primary.span && a.message == b.message
        };
        let found = (first..mark).find(|&j| same(&ctx.diagnostics[j], &ctx.diagnostics[i]));
        match found {
            Some(j) => {
                ctx.retain(|k, _| k != i);
                let note = format!("`{}` inherits this value, and is fixed with it", d.name.name);
                if !ctx.diagnostics[j].notes.contains(&note) {
                    ctx.diagnostics[j].notes.push(note);
                }
            }
            None => i += 1,
        }
    }
}

/// Lowered apps and environments by name.
pub struct Index<'a> {
    pub apps: FxHashMap<&'a str, &'a crate::ir::App>,
    pub envs: FxHashMap<&'a str, &'a crate::ir::Env>,
}

fn project(ctx: &mut Ctx, decls: &Decls) -> Project {
    let mut project = Project::default();
    if let Some(d) = &decls.project {
        if let Some(s) = str_of(d.flat(), "output") {
            match output_folder(&s) {
                Ok(folder) => project.output = folder,
                Err(why) => ctx.push(
                    Diagnostic::new(
                        codes::PF5010,
                        span_of(d.flat(), "output", d.name.span),
                        format!("`{s}` is not a folder inside the repository: {why}"),
                    )
                    .with_label("invalid output folder")
                    .with_help("the pipeline reads the generated files from the source artifact: write a relative path such as `\"pf-out\"`"),
                ),
            }
        }
        project.tags = strings_map(d.flat(), "tags");
        project.placement = placement(ctx, d.flat(), &Placement::default());
    }
    project
}

/// The `account` and `region` of a block, each defaulting to `default`'s.
fn placement(ctx: &mut Ctx, obj: &Obj, default: &Placement) -> Placement {
    let account = match text_of(obj, "account") {
        Some(t) => crate::check::placement::account(ctx, t, span_of(obj, "account", obj.span)),
        None => default.account.clone(),
    };
    let region = match str_of(obj, "region") {
        Some(r) => crate::check::placement::region(ctx, r, span_of(obj, "region", obj.span)),
        None => default.region.clone(),
    };
    Placement { account, region }
}

/// The environment names protected without a `protected` field: `project { protected = [...] }`,
/// or `prod` and `production`.
pub fn protected_names(decls: &Decls) -> Vec<String> {
    decls
        .project
        .as_ref()
        .and_then(|p| p.flat().get("protected"))
        .map(list_strs)
        .unwrap_or_else(|| vec!["prod".into(), "production".into()])
}

// Typed accessors over checked blocks.

fn str_of(obj: &Obj, name: &str) -> Option<String> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

fn int_of(obj: &Obj, name: &str) -> Option<i64> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Int(n)) => Some(*n),
        _ => None,
    }
}

fn bool_of(obj: &Obj, name: &str) -> Option<bool> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn secs_of(obj: &Obj, name: &str) -> Option<u64> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Duration(s)) => Some(*s),
        _ => None,
    }
}

fn mib_of(obj: &Obj, name: &str) -> Option<u64> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Size(s)) => Some(*s),
        _ => None,
    }
}

fn enum_of(obj: &Obj, name: &str) -> Option<&'static str> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Enum(s)) => Some(s),
        _ => None,
    }
}

fn obj_of<'a>(obj: &'a Obj, name: &str) -> Option<&'a Obj> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Obj(o)) => Some(o),
        _ => None,
    }
}

fn text_of(obj: &Obj, name: &str) -> Option<Text> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

fn list_strs(item: &Item) -> Vec<String> {
    match &item.val {
        Val::List(items) => items
            .iter()
            .filter_map(|i| match &i.val {
                Val::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn strs_of(obj: &Obj, name: &str) -> Vec<String> {
    obj.get(name).map(list_strs).unwrap_or_default()
}

fn strings_map(obj: &Obj, name: &str) -> BTreeMap<String, String> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Map(m)) => m
            .iter()
            .filter_map(|(k, v)| match &v.val {
                Val::Str(s) => Some((k.clone(), s.clone())),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The span of a field's value, or `fallback`.
fn span_of(obj: &Obj, name: &str, fallback: Span) -> Span {
    obj.get(name).map_or(fallback, |i| i.span)
}

/// Reports each string of the list `obj.name` that is not an e-mail address (PF2001): SNS
/// subscribes every address, and CloudFormation fails on a malformed one at deploy time.
fn check_emails(ctx: &mut Ctx, obj: &Obj, name: &str, purpose: &str) {
    let Some(Item { val: Val::List(items), .. }) = obj.get(name) else { return };
    for item in items {
        if let Val::Str(s) = &item.val {
            if !is_email(s) {
                ctx.push(
                    Diagnostic::new(codes::PF2001, item.span, format!("`{s}` is not an e-mail address"))
                        .with_label("expected name@domain")
                        .with_help(format!(
                        "{purpose} goes by e-mail through SNS: write an address such as `team@example.com`"
                    )),
                );
            }
        }
    }
}

/// Whether `s` looks like an e-mail address SNS accepts: `local@domain.tld`, ASCII, no spaces,
/// no display name or brackets.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && domain.contains('.')
        && domain.split('.').all(label)
}

/// Reports missing required fields of `schema` in `obj`; returns whether all are there.
fn require(ctx: &mut Ctx, obj: &Obj, schema: &crate::schema::Schema, at: Span) -> bool {
    let mut ok = true;
    for f in schema.fields.iter().filter(|f| f.required) {
        if !obj.fields.contains_key(f.name) {
            // `sourse = ...` was reported as unknown, with `source` suggested: not twice.
            if !obj.meant.contains(&f.name) {
                ctx.missing(at, f.name, f.doc);
            }
            ok = false;
        }
    }
    ok
}

/// Replaces `${var}` in `s` with the values in `vars`.
fn subst(s: &str, vars: &[(&str, &str)]) -> String {
    let mut out = s.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("${{{k}}}"), v);
    }
    out
}

/// Whether an error that leaves the declaration out of the IR was pushed since `mark`. Errors a
/// project may silence (`codes::SILENCEABLE_ERRORS`) judge a value that is still generated: the
/// declaration is lowered anyway, so that silencing one builds everything.
fn errors_since(ctx: &Ctx, mark: usize) -> bool {
    ctx.diagnostics[mark..].iter().any(|d| d.is_error() && !codes::SILENCEABLE_ERRORS.contains(&d.code))
}

#[cfg(test)]
mod tests {
    use super::output_folder;

    #[test]
    fn output_folders_are_normalised_or_refused() {
        assert_eq!(output_folder("pf-out"), Ok("pf-out".into()));
        assert_eq!(output_folder("./infra//generated/"), Ok("infra/generated".into()));
        assert!(output_folder("").is_err());
        assert!(output_folder("./").is_err());
        assert!(output_folder("/abs/path").is_err());
        assert!(output_folder("C:/out").is_err());
        assert!(output_folder("../outside").is_err());
        assert!(output_folder("a/../../b").is_err());
        assert!(output_folder("a\\b").is_err());
    }
}
