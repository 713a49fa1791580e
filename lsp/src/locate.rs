//! What is under the cursor: a schema-guided walk of a syntax tree that lists every meaningful
//! piece of a file (declaration keywords and names, fields, child blocks, variant kinds, enum
//! values, references, literals) with its span.
//!
//! Hover, go to definition, references, rename and semantic tokens all read this one list, so
//! they agree on what a piece of text is.

use pf_compiler::ast::{self, BlockLabel, Entry, ValueKind};
use pf_compiler::check::Decls;
use pf_compiler::driver::{join, Analysis};
use pf_compiler::schema::{self, Child, DeclKind, Field, RefKind, Schema, Ty, Variant};
use pf_compiler::source::{FileId, Span};
use pf_compiler::stdlib;

/// A named thing that can be declared and referenced.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sym {
    App(String),
    /// Environments and profiles share one namespace.
    Env(String),
    Build(String),
    Pipeline(String),
    Stage {
        pipeline: String,
        name: String,
    },
    /// An alarm, by the environment (or profile) that declares it.
    Alarm {
        env: String,
        name: String,
    },
    /// A file or standard-library module, by its compiler file name.
    Module(String),
}

impl Sym {
    /// The name as written.
    pub fn name(&self) -> &str {
        match self {
            Sym::App(n) | Sym::Env(n) | Sym::Build(n) | Sym::Pipeline(n) | Sym::Module(n) => n,
            Sym::Stage { name, .. } | Sym::Alarm { name, .. } => name,
        }
    }

    /// The declaration kinds the symbol may name.
    pub fn decl_kinds(&self) -> &'static [DeclKind] {
        match self {
            Sym::App(_) => &[DeclKind::App],
            Sym::Env(_) => &[DeclKind::Env, DeclKind::Profile],
            Sym::Build(_) => &[DeclKind::Build],
            Sym::Pipeline(_) => &[DeclKind::Pipeline],
            _ => &[],
        }
    }
}

/// What a piece of text is.
#[derive(Clone, Debug)]
pub enum What {
    DeclKeyword(&'static schema::Decl),
    /// The name of a declaration (or of a stage or alarm): a definition of `Sym`.
    Def(Sym),
    /// A reference to `Sym` (a parent, `deploy prod`, `app = x`, `build = go`, an alarm).
    Ref(Sym),
    /// A pipeline without `app = ...` refers to the app with its name (no token of its own).
    ImplicitRef(Sym),
    Field(&'static Field),
    /// A key that is not in the schema: a key of the map block of a field (`tags { team = .. }`),
    /// or an unknown name (`None`).
    Key(Option<&'static Field>),
    Child(&'static Child),
    /// A label that names nothing else (e.g. `test unit`, `approve product-owner`): the name of
    /// the block of `child`, inside `owner` (e.g. "stage `release` of pipeline `webshop`").
    Label {
        child: &'static Child,
        owner: String,
    },
    /// A kind of a variant type: a child block's label (`trigger push`), or the value of
    /// `field` (`strategy = in_place`).
    Variant(&'static Variant, Option<&'static Field>),
    /// A bare name where a value is expected, with the type expected there and the field it is
    /// the value of (if known).
    EnumValue(Option<&'static Ty>, Option<&'static Field>),
    /// `secret`, `param`, `cpu`, `requests`, in the value of a field (if known).
    Call(Option<&'static Field>),
    /// A literal value (string, number, duration, size, percentage, CIDR or boolean) and the
    /// field it is (part of) the value of, if known.
    Literal(ast::ValueKind, Option<&'static Field>),
}

/// One piece of a file.
#[derive(Clone, Debug)]
pub struct Item {
    pub span: Span,
    pub what: What,
}

/// Where the walk is: the declaration, the pipeline stage, and the field whose value is walked.
#[derive(Clone, Copy, Default)]
struct Ctx<'a> {
    kind: Option<DeclKind>,
    decl: &'a str,
    stage: Option<&'a str>,
    field: Option<&'static Field>,
}

impl Ctx<'_> {
    /// Where a labelled block is, for hover: "stage `release` of pipeline `webshop`".
    fn owner(&self) -> String {
        let decl = self.kind.map_or(String::new(), |k| format!("{} `{}`", k.keyword(), self.decl));
        match self.stage {
            Some(stage) => format!("stage `{stage}` of {decl}"),
            None => decl,
        }
    }
}

struct Walker<'a> {
    decls: &'a Decls,
    file_name: &'a str,
    out: Vec<Item>,
}

/// Every piece of `file`, in source order (an enclosing piece before the pieces inside it).
pub fn items(a: &Analysis, file: FileId) -> Vec<Item> {
    let Some(ast) = a.files.get(file.0 as usize) else { return Vec::new() };
    let name = &a.sources.get(file).name;
    let mut w = Walker { decls: &a.checked.decls, file_name: name, out: Vec::new() };
    for entry in &ast.entries {
        if let Entry::Block(b) = &**entry {
            w.declaration(b);
        } else if let Entry::Attribute(attr) = &**entry {
            w.push(attr.key.span, What::Key(None));
            w.value(&attr.value, None, Ctx::default());
        }
    }
    let mut out = w.out;
    out.sort_by_key(|i| (i.span.start, std::cmp::Reverse(i.span.end)));
    out
}

/// The innermost piece at `offset` (a cursor right after a word still touches it).
pub fn at(items: &[Item], offset: usize) -> Option<&Item> {
    items
        .iter()
        .filter(|i| i.span.contains(offset) && !matches!(i.what, What::ImplicitRef(_)))
        .min_by_key(|i| i.span.end - i.span.start)
}

/// Every occurrence of every symbol in all files of an analysis: (symbol, span, is definition).
pub fn occurrences(a: &Analysis) -> Vec<(Sym, Span, bool)> {
    let mut out = Vec::new();
    for (id, _) in a.sources.iter() {
        for item in items(a, id) {
            match item.what {
                What::Def(s) => out.push((s, item.span, true)),
                What::Ref(s) | What::ImplicitRef(s) => out.push((s, item.span, false)),
                _ => {}
            }
        }
    }
    out
}

/// The environment (or profile) that declares alarm `name`, looking from `env` up its parents.
pub fn alarm_owner(decls: &Decls, env: &str, name: &str) -> Option<String> {
    let mut current = env.to_string();
    for _ in 0..64 {
        let decl = decls.envs.iter().find(|d| d.name.name == current)?;
        if decl
            .own
            .children
            .iter()
            .any(|c| c.keyword == "alarm" && c.label.as_ref().is_some_and(|l| l.name == name))
        {
            return Some(current);
        }
        current = decl.parent.as_ref()?.name.clone();
    }
    None
}

impl<'a> Walker<'a> {
    fn push(&mut self, span: Span, what: What) {
        self.out.push(Item { span, what });
    }

    fn declaration(&mut self, b: &'a ast::Block) {
        let Some(decl) = schema::declaration(&b.keyword.name) else {
            self.push(b.keyword.span, What::Key(None));
            return;
        };
        self.push(b.keyword.span, What::DeclKeyword(decl));
        let name = b.name().unwrap_or("");
        if let Some(label) = b.labels.first() {
            let sym = match decl.kind {
                DeclKind::App => Some(Sym::App(name.to_string())),
                DeclKind::Env | DeclKind::Profile => Some(Sym::Env(name.to_string())),
                DeclKind::Build => Some(Sym::Build(name.to_string())),
                DeclKind::Pipeline => Some(Sym::Pipeline(name.to_string())),
                DeclKind::Use => {
                    let target = match label {
                        BlockLabel::Name(p) => stdlib::file_name(&p.text),
                        BlockLabel::String(s) => join(self.file_name, s.literal_text().unwrap_or("")),
                    };
                    self.push(label.span(), What::Ref(Sym::Module(target)));
                    None
                }
                DeclKind::Project => None,
            };
            if let Some(sym) = sym {
                self.push(label.span(), What::Def(sym));
            }
        }
        if let Some(parent) = &b.parent {
            let sym = match decl.kind {
                DeclKind::Build => Sym::Build(parent.text.clone()),
                _ => Sym::Env(parent.text.clone()),
            };
            self.push(parent.span, What::Ref(sym));
        }
        let entries = b.body.as_ref().map_or(&[][..], |body| body.entries.as_slice());
        let has_app = entries.iter().any(|e| matches!(e, Entry::Attribute(a) if a.key.name == "app"));
        if decl.kind == DeclKind::Pipeline && !has_app {
            if let Some(label) = b.labels.first() {
                self.push(label.span(), What::ImplicitRef(Sym::App(name.to_string())));
            }
        }
        let ctx = Ctx { kind: Some(decl.kind), decl: name, ..Ctx::default() };
        self.body(entries, decl.schema, ctx);
    }

    fn body(&mut self, entries: &'a [Entry], schema: &'static Schema, ctx: Ctx<'a>) {
        for entry in entries {
            match entry {
                Entry::Attribute(a) => match schema.field(&a.key.name) {
                    Some(f) => {
                        self.push(a.key.span, What::Field(f));
                        self.value(&a.value, Some(&f.ty), Ctx { field: Some(f), ..ctx });
                    }
                    None => {
                        self.push(a.key.span, What::Key(None));
                        self.value(&a.value, None, Ctx { field: None, ..ctx });
                    }
                },
                Entry::Block(b) => self.block(b, schema, ctx),
                Entry::Error(_) => {}
            }
        }
    }

    fn block(&mut self, b: &'a ast::Block, schema: &'static Schema, ctx: Ctx<'a>) {
        let entries = b.body.as_ref().map_or(&[][..], |body| body.entries.as_slice());
        if let Some(child) = schema.child(&b.keyword.name) {
            self.push(b.keyword.span, What::Child(child));
            let mut body_schema = child.schema;
            let mut inner = ctx;
            if let Some(label) = b.labels.first() {
                let text = label.text();
                let what = if let Some(v) = child.variants.iter().find(|v| v.kind == text) {
                    body_schema = v.schema;
                    What::Variant(v, None)
                } else {
                    match (child.keyword, child.label_ref) {
                        (_, Some(RefKind::Env)) => What::Ref(Sym::Env(text.to_string())),
                        (_, Some(RefKind::App)) => What::Ref(Sym::App(text.to_string())),
                        ("stage", _) if ctx.kind == Some(DeclKind::Pipeline) => {
                            inner.stage = Some(text);
                            What::Def(Sym::Stage { pipeline: ctx.decl.to_string(), name: text.to_string() })
                        }
                        ("alarm", _) => {
                            What::Def(Sym::Alarm { env: ctx.decl.to_string(), name: text.to_string() })
                        }
                        _ => What::Label { child, owner: ctx.owner() },
                    }
                };
                self.push(label.span(), what);
            }
            self.body(entries, body_schema, inner);
            return;
        }
        let Some(field) = schema.field(&b.keyword.name) else {
            self.push(b.keyword.span, What::Key(None));
            self.body(entries, &schema::EMPTY, ctx);
            return;
        };
        self.push(b.keyword.span, What::Field(field));
        match &field.ty {
            Ty::Block(s) | Ty::Extends(s, _) => self.body(entries, s, ctx),
            Ty::Hook => self.body(entries, &schema::HOOK_BLOCK, ctx),
            Ty::Map(t) => self.map(entries, t, Ctx { field: Some(field), ..ctx }),
            _ => {}
        }
    }

    /// The entries of a block of free keys; their values are values of `ctx.field`.
    fn map(&mut self, entries: &'a [Entry], ty: &'static Ty, ctx: Ctx<'a>) {
        for entry in entries {
            if let Entry::Attribute(a) = entry {
                self.push(a.key.span, What::Key(ctx.field));
                self.value(&a.value, Some(ty), ctx);
            }
        }
    }

    fn value(&mut self, v: &'a ast::Value, ty: Option<&'static Ty>, ctx: Ctx<'a>) {
        match (&v.kind, ty) {
            (ValueKind::List(items), t) => {
                let inner = match t {
                    Some(Ty::List(t)) => Some(*t),
                    _ => None,
                };
                for item in items {
                    self.value(item, inner, ctx);
                }
            }
            (ValueKind::Pair(x, y), _) => {
                self.value(x, None, ctx);
                self.value(y, None, ctx);
            }
            (ValueKind::Call { name, args }, _) => {
                self.push(name.span, What::Call(ctx.field));
                for arg in args {
                    self.value(arg, None, ctx);
                }
            }
            (ValueKind::Block { kind, body }, t) => {
                let mut schema: &'static Schema = &schema::EMPTY;
                if let Some(k) = kind {
                    match t {
                        Some(Ty::Variant(vs)) => {
                            if let Some(var) = vs.iter().find(|x| x.kind == k.text) {
                                schema = var.schema;
                                self.push(k.span, What::Variant(var, ctx.field));
                            } else {
                                self.push(k.span, What::EnumValue(t, ctx.field));
                            }
                        }
                        Some(Ty::Extends(s, DeclKind::Build)) => {
                            schema = s;
                            self.push(k.span, What::Ref(Sym::Build(k.text.clone())));
                        }
                        _ => self.push(k.span, What::EnumValue(t, ctx.field)),
                    }
                } else {
                    match t {
                        Some(Ty::Block(s) | Ty::Extends(s, _)) => schema = s,
                        Some(Ty::Hook) => schema = &schema::HOOK_BLOCK,
                        Some(Ty::Map(inner)) => return self.map(&body.entries, inner, ctx),
                        _ => {}
                    }
                }
                self.body(&body.entries, schema, ctx);
            }
            (ValueKind::Path(p), t) => {
                let what = match t {
                    Some(Ty::Variant(vs)) => match vs.iter().find(|x| x.kind == p.text) {
                        Some(var) => What::Variant(var, ctx.field),
                        None => What::EnumValue(t, ctx.field),
                    },
                    Some(Ty::Extends(_, DeclKind::Build)) => What::Ref(Sym::Build(p.text.clone())),
                    Some(Ty::Ref(RefKind::App)) => What::Ref(Sym::App(p.text.clone())),
                    Some(Ty::Ref(RefKind::Env)) => What::Ref(Sym::Env(p.text.clone())),
                    Some(Ty::Ref(RefKind::Alarm)) => {
                        let env = alarm_owner(self.decls, ctx.decl, &p.text)
                            .unwrap_or_else(|| ctx.decl.to_string());
                        What::Ref(Sym::Alarm { env, name: p.text.clone() })
                    }
                    _ => What::EnumValue(t, ctx.field),
                };
                self.push(p.span, what);
            }
            (ValueKind::Error | ValueKind::TooLarge(_), _) => {}
            (kind, _) => self.push(v.span, What::Literal(kind.clone(), ctx.field)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pf_compiler::driver::{analyze, NoFiles, Root};

    fn analysis(text: &str) -> Analysis {
        analyze(vec![Root { name: "t.pf".into(), bytes: text.as_bytes().to_vec() }], &NoFiles)
    }

    #[test]
    fn finds_fields_references_and_literals() {
        let text = "env prod {\n  network { cidr = 10.0.0.0/16 }\n  alarm errors { metric = cpu, threshold = 1 }\n  rollback { on_alarms = [errors] }\n}\nenv uat : prod { network { cidr = 10.1.0.0/16 } }\n";
        let a = analysis(text);
        let items = items(&a, FileId(0));
        let find = |needle: &str, nth: usize| {
            let at = text.match_indices(needle).nth(nth).map_or(0, |(i, _)| i + 1);
            super::at(&items, at).map(|i| i.what.clone())
        };
        assert!(matches!(find("cidr", 0), Some(What::Field(f)) if f.name == "cidr"));
        assert!(
            matches!(find("10.0.0.0", 0), Some(What::Literal(ValueKind::Cidr(_), Some(f))) if f.name == "cidr")
        );
        assert!(matches!(find("prod", 1), Some(What::Ref(Sym::Env(n))) if n == "prod"));
        assert!(matches!(find("errors", 1), Some(What::Ref(Sym::Alarm { env, .. })) if env == "prod"));
        assert!(matches!(find("cpu", 0), Some(What::EnumValue(_, Some(f))) if f.name == "metric"));
        let occ = occurrences(&a);
        assert_eq!(occ.iter().filter(|(s, _, _)| *s == Sym::Env("prod".into())).count(), 2);
    }
}
