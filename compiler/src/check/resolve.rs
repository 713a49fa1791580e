//! Declarations: collected from every file, checked against the schema, parents resolved and
//! inheritance flattened.

use super::merge::merge;
use super::suggest::{did_you_mean, known_list};
use super::value::{check_body, Named, Obj};
use super::Ctx;
use crate::ast::{self, Entry};
use crate::diagnostic::{codes, Applicability, Diagnostic, Edit};
use crate::hash::FxHashMap;
use crate::schema::{self, DeclKind};
use crate::source::{FileId, Move, Span};
use crate::stdlib;
use crate::syntax::Moves;
use std::sync::Arc;

/// One declaration: `env uat : prod { ... }`.
#[derive(Clone, Debug)]
pub struct Decl {
    pub kind: DeclKind,
    pub name: Named,
    pub parent: Option<Named>,
    /// The body as written, checked (shared with the next analysis when its entry is unchanged).
    pub own: Arc<Obj>,
    /// The body with inheritance flattened, when it differs from `own` (see [`Decl::flat`]).
    inherited: Option<Inherited>,
    /// The previous analysis's `inherited`, while flattening: taken again when the parent's
    /// flattened body is the very same (then so is the merge of this body on it).
    reusable: Option<Inherited>,
    /// The span of the whole declaration.
    pub span: Span,
    pub file: FileId,
    /// The entry that declares it and what checking its body (`own`) reported, for the next
    /// analysis.
    checked: Option<Arc<BodyCheck>>,
}

/// The entry of a declaration and what checking its body reported: a later analysis whose
/// tree holds the very same entry (`Arc::ptr_eq`: the edits since neither touched nor moved
/// it, see `syntax::reparse`) takes the checked body and these findings instead of checking
/// the body again, since checking a body reads only the entry and the schema. When its reparse
/// moved the entry (`Moves`), the body and findings are taken with their spans moved.
#[derive(Debug)]
struct BodyCheck {
    entry: Arc<Entry>,
    diagnostics: Vec<Diagnostic>,
    /// `Ctx::missing` of those diagnostics, by index among them.
    missing: Vec<(usize, &'static str)>,
}

/// A body flattened onto its parent's.
#[derive(Clone, Debug)]
struct Inherited {
    flat: Arc<Obj>,
    /// The parent's flattened body it was merged onto.
    base: Arc<Obj>,
}

/// The declarations of a previous analysis, by the address of their entry, and the entries its
/// reparse moved.
struct Reuse<'a> {
    decls: FxHashMap<usize, &'a Decl>,
    moves: Option<&'a Moves>,
}

impl<'a> Reuse<'a> {
    fn of(previous: Option<(&'a Decls, &'a Moves)>) -> Reuse<'a> {
        let checked = previous
            .into_iter()
            .flat_map(|(decls, _)| decls.all())
            .filter_map(|d| Some((d.checked.as_ref()?, d)));
        let size = previous.map_or(0, |(decls, _)| decls.all().count());
        let mut decls = crate::hash::map_with_capacity(size);
        decls.extend(checked.map(|(c, d)| (Arc::as_ptr(&c.entry) as usize, d)));
        Reuse { decls, moves: previous.map(|(_, moves)| moves) }
    }

    /// The previous declaration of `entry`, if it is the same entry or one the reparse moved
    /// (`Some` move), and its check.
    fn get(&self, file: FileId, entry: &Arc<Entry>) -> Option<(&'a Decl, &'a Arc<BodyCheck>, Option<Move>)> {
        let origin = self.moves.and_then(|m| m.origin(entry));
        let at = origin.map_or(Arc::as_ptr(entry) as usize, |(at, _)| at);
        let decl = *self.decls.get(&at)?;
        let checked = decl.checked.as_ref().filter(|c| Arc::as_ptr(&c.entry) as usize == at)?;
        let moved = origin.map(|(_, delta)| {
            let span = checked.entry.span();
            Move { file, start: span.start, end: span.end, delta }
        });
        Some((decl, checked, moved))
    }
}

/// Every declaration of a program, by kind.
#[derive(Clone, Debug, Default)]
pub struct Decls {
    pub project: Option<Decl>,
    pub uses: Vec<Decl>,
    pub apps: Vec<Decl>,
    pub builds: Vec<Decl>,
    /// Environments and profiles share one namespace (an env may extend either).
    pub envs: Vec<Decl>,
    pub pipelines: Vec<Decl>,
    /// Index of each named declaration, one map per namespace (by `Namespace as usize`): name
    /// to its position in its list. Looked up by `&str`, without building a key.
    index: [FxHashMap<String, usize>; 5],
}

/// The namespaces of declaration names: environments and profiles share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Namespace {
    Use,
    App,
    Build,
    Env,
    Pipeline,
}

fn namespace(kind: DeclKind) -> Namespace {
    match kind {
        DeclKind::Project | DeclKind::Use => Namespace::Use,
        DeclKind::App => Namespace::App,
        DeclKind::Build => Namespace::Build,
        DeclKind::Env | DeclKind::Profile => Namespace::Env,
        DeclKind::Pipeline => Namespace::Pipeline,
    }
}

impl Decl {
    /// The body with inheritance flattened (equal to `own` without a parent).
    pub fn flat(&self) -> &Obj {
        self.inherited.as_ref().map_or(&*self.own, |i| &*i.flat)
    }
}

impl Decls {
    /// Declarations of a kind.
    pub fn of(&self, kind: DeclKind) -> Vec<&Decl> {
        match kind {
            DeclKind::Project => self.project.iter().collect(),
            DeclKind::Use => self.uses.iter().collect(),
            DeclKind::App => self.apps.iter().collect(),
            DeclKind::Build => self.builds.iter().collect(),
            DeclKind::Env => self.envs.iter().filter(|d| d.kind == DeclKind::Env).collect(),
            DeclKind::Profile => self.envs.iter().filter(|d| d.kind == DeclKind::Profile).collect(),
            DeclKind::Pipeline => self.pipelines.iter().collect(),
        }
    }

    /// Every declaration.
    pub fn all(&self) -> impl Iterator<Item = &Decl> {
        self.project
            .iter()
            .chain(&self.uses)
            .chain(&self.apps)
            .chain(&self.builds)
            .chain(&self.envs)
            .chain(&self.pipelines)
    }

    /// A named declaration of one of `kinds`.
    pub fn find(&self, kinds: &[DeclKind], name: &str) -> Option<&Decl> {
        kinds.iter().find_map(|&k| {
            let ns = namespace(k);
            let i = *self.index[ns as usize].get(name)?;
            self.list_of(ns).get(i).filter(|d| d.kind == k)
        })
    }

    /// The span of an effective value (after inheritance) of a named declaration, by field path:
    /// `value_span(&[DeclKind::Env], "prod", &["network", "cidr"])`. A step into a map names a key.
    pub fn value_span(&self, kinds: &[DeclKind], name: &str, path: &[&str]) -> Option<Span> {
        let mut obj = self.find(kinds, name)?.flat();
        let (last, steps) = path.split_last()?;
        for (i, step) in steps.iter().enumerate() {
            match &obj.get(step)?.val {
                super::value::Val::Obj(o) => obj = o,
                super::value::Val::Map(m) if i + 1 == steps.len() => return m.get(*last).map(|v| v.span),
                _ => return None,
            }
        }
        obj.get(last).map(|v| v.span)
    }

    fn list_of(&self, ns: Namespace) -> &Vec<Decl> {
        match ns {
            Namespace::Use => &self.uses,
            Namespace::App => &self.apps,
            Namespace::Build => &self.builds,
            Namespace::Env => &self.envs,
            Namespace::Pipeline => &self.pipelines,
        }
    }

    fn list(&mut self, kind: DeclKind) -> &mut Vec<Decl> {
        match kind {
            DeclKind::Project | DeclKind::Use => &mut self.uses,
            DeclKind::App => &mut self.apps,
            DeclKind::Build => &mut self.builds,
            DeclKind::Env | DeclKind::Profile => &mut self.envs,
            DeclKind::Pipeline => &mut self.pipelines,
        }
    }
}

/// Collects and flattens the declarations of all files; the bodies of entries that `previous`
/// (an earlier analysis's declarations, and the entries the reparse since moved) checked
/// already are taken from it.
pub fn collect(ctx: &mut Ctx, files: &[ast::File], previous: Option<(&Decls, &Moves)>) -> Decls {
    let reuse = Reuse::of(previous);
    let mut decls = Decls::default();
    // Sized once: a declaration is large, and growing a list of 1,800 of them copied it 11 times.
    let blocks = files.iter().flat_map(|f| &f.entries).filter(|e| matches!(&***e, Entry::Block(_)));
    let envs = blocks
        .filter(
            |e| matches!(&***e, Entry::Block(b) if b.keyword.name == "env" || b.keyword.name == "profile"),
        )
        .count();
    decls.envs.reserve(envs);
    decls.index[Namespace::Env as usize].reserve(envs);
    for file in files {
        for entry in &file.entries {
            match &**entry {
                Entry::Error(_) => {}
                Entry::Attribute(a) => ctx.push(
                    Diagnostic::new(
                        codes::PF1004,
                        a.span,
                        format!("`{} = ...` is not allowed at the top level", a.key.name),
                    )
                    .with_label("not a declaration")
                    .with_help(
                        "fields belong inside a declaration such as `app NAME { ... }` or `project { ... }`",
                    ),
                ),
                Entry::Block(b) => declaration(ctx, &mut decls, file.id, (entry, b), &reuse),
            }
        }
    }
    flatten(ctx, &mut decls);
    decls
}

/// The entry of a block and the block.
type Source<'e> = (&'e Arc<Entry>, &'e ast::Block);

fn declaration(ctx: &mut Ctx, decls: &mut Decls, file: FileId, (entry, b): Source, reuse: &Reuse) {
    let Some(schema) = schema::declaration(&b.keyword.name) else {
        let mut d = Diagnostic::new(
            codes::PF1004,
            b.keyword.span,
            format!("unknown declaration `{}`", b.keyword.name),
        )
        .with_label("not a declaration keyword");
        if let Some(s) = did_you_mean(&b.keyword.name, schema::declaration_keywords()) {
            d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                format!("replace with `{s}`"),
                b.keyword.span,
                s,
                Applicability::Safe,
            );
            ctx.push(d);
            // Read it as what it likely is (`enviroment test` as `env test`), so that what
            // refers to it is not reported as referring to nothing.
            if let Some(schema) = schema::declaration(s) {
                declare(ctx, decls, file, (entry, b), schema, reuse);
            }
            return;
        } else {
            d = d.with_help(format!(
                "a file declares {}",
                schema::declaration_keywords().collect::<Vec<_>>().join(", ")
            ));
        }
        ctx.push(d);
        return;
    };
    declare(ctx, decls, file, (entry, b), schema, reuse);
}

/// Declares `b` as a declaration of `schema`.
fn declare(
    ctx: &mut Ctx,
    decls: &mut Decls,
    file: FileId,
    (entry, b): Source,
    schema: &'static schema::Decl,
    reuse: &Reuse,
) {
    let kind = schema.kind;
    let label = b.labels.first();
    let name = match (kind, label) {
        (DeclKind::Project, None) => Named { name: "project".into(), span: b.keyword.span },
        (DeclKind::Project, Some(l)) => {
            ctx.push(
                Diagnostic::new(codes::PF1007, l.span(), "`project` takes no name")
                    .with_label("unexpected name")
                    .with_fix("remove the name", l.span(), "", Applicability::Safe),
            );
            Named { name: "project".into(), span: b.keyword.span }
        }
        (_, Some(l)) => Named { name: l.text().to_string(), span: l.span() },
        (_, None) => {
            ctx.push(
                Diagnostic::new(codes::PF1007, b.keyword.span, format!("`{}` needs a name", schema.keyword))
                    .with_label("name missing")
                    .with_help(format!("write `{} NAME {{ ... }}`", schema.keyword)),
            );
            return;
        }
    };
    if let Some(extra) = b.labels.get(1) {
        ctx.push(
            Diagnostic::new(codes::PF1007, extra.span(), format!("`{}` takes one name", schema.keyword))
                .with_label("unexpected"),
        );
    }
    let parent = b.parent.as_ref().map(|p| Named { name: p.text.clone(), span: p.span });
    if let (Some(p), true) = (&parent, schema.parents.is_empty()) {
        ctx.push(
            Diagnostic::new(codes::PF1011, p.span, format!("`{}` cannot extend anything", schema.keyword))
                .with_label("unexpected parent")
                .with_help("only `env`, `profile` and `build` declarations extend others"),
        );
    }
    if kind == DeclKind::Use {
        if let Some(body) = &b.body {
            ctx.push(
                Diagnostic::new(codes::PF1012, body.span, "`use` takes no body")
                    .with_label("unexpected block"),
            );
        }
    } else if b.body.is_none() {
        ctx.push(
            Diagnostic::new(codes::PF1012, b.span, format!("`{}` needs a body", schema.keyword))
                .with_label("no `{ ... }`")
                .with_help(format!("write `{} {} {{ ... }}`", schema.keyword, name.name)),
        );
    }
    let (own, checked, reusable) = body(file, (entry, b), schema, reuse);
    let at = ctx.diagnostics.len();
    ctx.diagnostics.extend(checked.diagnostics.iter().cloned());
    ctx.missing.extend(checked.missing.iter().map(|&(i, field)| (at + i, field)));
    let decl = Decl {
        kind,
        name,
        parent,
        own,
        inherited: None,
        reusable,
        span: b.span,
        file,
        checked: Some(checked),
    };

    // Duplicates within a namespace.
    let previous = match kind {
        DeclKind::Project => decls.project.as_ref(),
        DeclKind::Use => None,
        _ => decls.index[namespace(kind) as usize]
            .get(&decl.name.name)
            .and_then(|&i| decls.list_of(namespace(kind)).get(i)),
    };
    if let Some(prev) = previous {
        ctx.push(
            Diagnostic::new(codes::PF1005, decl.name.span, format!("`{}` is declared twice", decl.name.name))
                .with_label("declared again here")
                .with_secondary(prev.name.span, "first declared here")
                .with_help("rename one of them"),
        );
        return;
    }
    match kind {
        DeclKind::Project => decls.project = Some(decl),
        _ => {
            let key = decl.name.name.clone();
            let list = decls.list(kind);
            list.push(decl);
            let i = list.len() - 1;
            if kind != DeclKind::Use {
                decls.index[namespace(kind) as usize].insert(key, i);
            }
        }
    }
}

/// The checked body of `b` (`schema`'s), what checking it reported, and the previous
/// analysis's flattened body to take again while the parent's is the same: checked now, or
/// taken from the previous analysis, with the spans moved when the edit moved the entry.
fn body(
    file: FileId,
    (entry, b): Source,
    schema: &'static schema::Decl,
    reuse: &Reuse,
) -> (Arc<Obj>, Arc<BodyCheck>, Option<Inherited>) {
    let Some((d, checked, m)) = reuse.get(file, entry) else {
        let entries = b.body.as_ref().map(|body| body.entries.as_slice()).unwrap_or(&[]);
        let body_span = b.body.as_ref().map_or(b.span, |body| body.span);
        let mut ctx = Ctx::default();
        let own = Arc::new(check_body(&mut ctx, schema.schema, entries, body_span));
        let checked = BodyCheck { entry: entry.clone(), diagnostics: ctx.diagnostics, missing: ctx.missing };
        return (own, Arc::new(checked), None);
    };
    let Some(m) = m else {
        return (d.own.clone(), checked.clone(), d.inherited.clone());
    };
    let moved = |obj: &Obj| {
        let mut obj = obj.clone();
        obj.apply(&m);
        Arc::new(obj)
    };
    let mut diagnostics = checked.diagnostics.clone();
    diagnostics.iter_mut().for_each(|d| d.map_spans(|s| m.apply(s)));
    let checked = BodyCheck { entry: entry.clone(), diagnostics, missing: checked.missing.clone() };
    let reusable = d.inherited.as_ref().map(|i| Inherited { flat: moved(&i.flat), base: i.base.clone() });
    (moved(&d.own), Arc::new(checked), reusable)
}

/// Resolves parents and flattens inheritance of builds and environments/profiles.
fn flatten(ctx: &mut Ctx, decls: &mut Decls) {
    for list in [&mut decls.builds, &mut decls.envs] {
        let mut flat: Vec<Option<Inherited>> = (0..list.len()).map(|_| None).collect();
        {
            let names: FxHashMap<&str, usize> =
                list.iter().enumerate().map(|(i, d)| (d.name.name.as_str(), i)).collect();
            for i in 0..list.len() {
                flat_of(ctx, list, &names, i, &mut flat, &mut Vec::new());
            }
        }
        for (d, f) in list.iter_mut().zip(flat) {
            d.inherited = f;
            d.reusable = None;
        }
    }
}

/// Computes the flattened body of `list[i]` into `flat[i]` when it has a parent; `flat[i]`
/// stays `None` when the body is its own (no parent, or a parent that cannot be resolved).
fn flat_of(
    ctx: &mut Ctx,
    list: &[Decl],
    names: &FxHashMap<&str, usize>,
    i: usize,
    flat: &mut [Option<Inherited>],
    stack: &mut Vec<usize>,
) {
    let decl = &list[i];
    if flat[i].is_some() {
        return;
    }
    let Some(parent) = &decl.parent else {
        return;
    };
    if stack.contains(&i) {
        let cycle: Vec<&str> =
            stack.iter().map(|&j| list[j].name.name.as_str()).chain([decl.name.name.as_str()]).collect();
        ctx.push(
            Diagnostic::new(
                codes::PF1008,
                parent.span,
                format!("`{}` inherits from itself: {}", decl.name.name, cycle.join(" : ")),
            )
            .with_label("cycle")
            .with_help("remove one of the parents"),
        );
        return;
    }
    let allowed = schema::declaration(decl.kind.keyword()).map_or(&[][..], |d| d.parents);
    let Some(&p) = names.get(parent.name.as_str()) else {
        // Never the declaration itself: that would be a cycle.
        let declared = list
            .iter()
            .enumerate()
            .filter(|(j, d)| *j != i && allowed.contains(&d.kind))
            .map(|(_, d)| d.name.name.as_str())
            .collect();
        let keywords: Vec<&str> = allowed.iter().map(|k| k.keyword()).collect();
        let standard: (&str, &[(&str, &str)]) = if allowed.contains(&DeclKind::Profile) {
            ("profile", stdlib::PROFILES)
        } else if allowed.contains(&DeclKind::Build) {
            ("build preset", stdlib::BUILD_PRESETS)
        } else {
            ("", &[])
        };
        ctx.push(unknown_declaration(parent, &keywords.join(" or "), &keywords, declared, standard));
        return;
    };
    if !allowed.contains(&list[p].kind) {
        ctx.push(
            Diagnostic::new(
                codes::PF1011,
                parent.span,
                format!(
                    "a {} cannot extend the {} `{}`",
                    decl.kind.keyword(),
                    list[p].kind.keyword(),
                    parent.name
                ),
            )
            .with_label("wrong kind")
            .with_secondary(list[p].name.span, "declared here"),
        );
        return;
    }
    stack.push(i);
    flat_of(ctx, list, names, p, flat, stack);
    stack.pop();
    let base = flat[p].as_ref().map_or(&list[p].own, |f| &f.flat).clone();
    flat[i] = Some(match &decl.reusable {
        Some(previous) if Arc::ptr_eq(&previous.base, &base) => previous.clone(),
        _ => Inherited { flat: Arc::new(merge(&base, &decl.own)), base },
    });
}

/// An unknown reference, with did-you-mean over `candidates`; without any, the help says to
/// declare it as one of `keywords` (`declare \`env staging { ... }\` first`).
pub fn unknown_reference<'a>(
    name: &Named,
    what: &str,
    keywords: &[&str],
    candidates: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let mut d =
        Diagnostic::new(codes::PF1006, name.span, format!("there is no {what} named `{}`", name.name))
            .with_label("unknown name");
    if let Some(s) = did_you_mean(&name.name, candidates.iter().copied()) {
        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            name.span,
            s,
            Applicability::Safe,
        );
    } else if candidates.is_empty() {
        d = d.with_help(format!("declare {} first", declare_forms(name, keywords)));
    } else {
        d = d.with_help(format!("known: {}", known_list(&candidates)));
    }
    d
}

/// `` `env staging { ... }` or `profile staging { ... }` ``.
fn declare_forms(name: &Named, keywords: &[&str]) -> String {
    let forms: Vec<String> = keywords.iter().map(|k| format!("`{k} {} {{ ... }}`", name.name)).collect();
    forms.join(" or ")
}

/// An unknown reference to a declaration the standard library may have: `standard` says what
/// its declarations of this kind are called and lists each with its module. A standard one not
/// imported is reported as such; did-you-mean looks at the `declared` names and at the
/// standard ones not imported (then the fix adds the `use` too).
pub fn unknown_declaration(
    name: &Named,
    what: &str,
    keywords: &[&str],
    declared: Vec<&str>,
    standard: (&str, &[(&str, &str)]),
) -> Diagnostic {
    let (std_what, standard) = standard;
    if let Some((_, module)) = standard.iter().find(|(n, _)| *n == name.name) {
        return not_imported(name, std_what, module);
    }
    let standard: Vec<(&str, &str)> =
        standard.iter().filter(|(n, _)| !declared.contains(n)).copied().collect();
    let d = Diagnostic::new(codes::PF1006, name.span, format!("there is no {what} named `{}`", name.name))
        .with_label("unknown name");
    let known = declared.iter().copied().chain(standard.iter().map(|(n, _)| *n));
    let Some(s) = did_you_mean(&name.name, known) else {
        let names: Vec<&str> = standard.iter().map(|(n, _)| *n).collect();
        // `use std.env.profiles`, or `use std.build.NAME` when each has its own module.
        let module = match standard.first() {
            Some((_, m)) if standard.iter().all(|(_, o)| o == m) => m.to_string(),
            Some((_, m)) => format!("{}.NAME", m.rsplit_once('.').map_or(*m, |(prefix, _)| prefix)),
            None => String::new(),
        };
        return d.with_help(match (declared.is_empty(), names.is_empty()) {
            (false, true) => format!("known: {}", known_list(&declared)),
            (false, false) => format!(
                "known: {}; in the standard library (`use {module}`): {}",
                known_list(&declared),
                names.join(", ")
            ),
            (true, true) => format!("declare {} first", declare_forms(name, keywords)),
            (true, false) => format!(
                "declare {} first, or use one of the standard library (`use {module}`): {}",
                declare_forms(name, keywords),
                names.join(", ")
            ),
        });
    };
    match standard.iter().find(|(n, _)| *n == s) {
        Some((_, module)) => d
            .with_help(format!("did you mean `{s}`? It is in the standard library: add `use {module}`"))
            .with_fix_edits(
                format!("replace with `{s}` and add `use {module}`"),
                vec![
                    Edit {
                        span: Span { start: 0, end: 0, ..name.span },
                        replacement: format!("use {module}\n"),
                    },
                    Edit { span: name.span, replacement: s.to_string() },
                ],
                Applicability::Safe,
            ),
        None => d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            name.span,
            s,
            Applicability::Safe,
        ),
    }
}

/// A standard-library declaration used without its `use`: the fix adds the `use` at the top of
/// the file.
pub fn not_imported(name: &Named, what: &str, module: &str) -> Diagnostic {
    Diagnostic::new(codes::PF1006, name.span, format!("the {what} `{}` is not imported", name.name))
        .with_label("not imported")
        .with_help(format!("add `use {module}` at the top of the file"))
        .with_fix(
            format!("add `use {module}`"),
            Span { start: 0, end: 0, ..name.span },
            format!("use {module}\n"),
            Applicability::Safe,
        )
}
