//! Typed values: AST bodies checked against the schema into an untyped-free tree ([`Obj`]).
//!
//! Every field is checked for existence, form and type here; the result keeps the span of every
//! value so that inheritance can merge trees and still say where each value came from.

use super::fields::Fields;
use super::suggest::did_you_mean;
use super::validate;
use super::Ctx;
use crate::ast::{self, Entry, ValueKind};
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::ir::{Scaling, Text};
use crate::schema::{self, fmt_duration, fmt_size, Child, LabelRule, Schema, Ty, HOOK_BLOCK};
use crate::source::{Move, Span};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    pub name: String,
    pub span: Span,
}

/// A checked block: its kind (variant or extended preset), fields and child blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Obj {
    pub kind: Option<Named>,
    pub fields: Fields,
    pub children: Vec<ChildNode>,
    /// The span of the block (or of the header of a declaration).
    pub span: Span,
    /// Names the block probably meant under a misspelling already reported (`sourse` for
    /// `source`): a required one among them is not reported missing as well.
    pub meant: Vec<&'static str>,
    /// Whether a line of the block did not parse: what is missing from it may be on that line.
    pub broken: bool,
}

impl Obj {
    /// An empty block at `span`.
    pub fn empty(span: Span) -> Obj {
        Obj {
            kind: None,
            fields: Fields::new(),
            children: Vec::new(),
            span,
            meant: Vec::new(),
            broken: false,
        }
    }

    /// The value of a field.
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.fields.get(name).map(|f| &f.value)
    }

    /// Moves the spans `m` moves (a body reused after an edit moved its entry). A nested
    /// block that holds none of them stays shared (a parent's, in a flattened body).
    pub fn apply(&mut self, m: &Move) {
        self.span = m.apply(self.span);
        if let Some(kind) = &mut self.kind {
            kind.span = m.apply(kind.span);
        }
        for field in self.fields.values_mut() {
            field.key_span = m.apply(field.key_span);
            field.value.apply(m);
        }
        for child in &mut self.children {
            child.span = m.apply(child.span);
            if let Some(label) = &mut child.label {
                label.span = m.apply(label.span);
            }
            child.obj.apply(m);
        }
    }

    /// Whether any span of the block is one `m` moves.
    fn moved_by(&self, m: &Move) -> bool {
        m.moves(self.span)
            || self.kind.as_ref().is_some_and(|k| m.moves(k.span))
            || self.fields.values().any(|f| m.moves(f.key_span) || f.value.moved_by(m))
            || self.children.iter().any(|c| {
                m.moves(c.span) || c.label.as_ref().is_some_and(|l| m.moves(l.span)) || c.obj.moved_by(m)
            })
    }
}

impl Item {
    fn apply(&mut self, m: &Move) {
        self.span = m.apply(self.span);
        match &mut self.val {
            Val::List(items) => items.iter_mut().for_each(|i| i.apply(m)),
            Val::Map(entries) => entries.values_mut().for_each(|i| i.apply(m)),
            Val::Pair(_, _, span) => *span = m.apply(*span),
            Val::Obj(obj) if obj.moved_by(m) => Arc::make_mut(obj).apply(m),
            _ => {}
        }
    }

    fn moved_by(&self, m: &Move) -> bool {
        m.moves(self.span)
            || match &self.val {
                Val::List(items) => items.iter().any(|i| i.moved_by(m)),
                Val::Map(entries) => entries.values().any(|i| i.moved_by(m)),
                Val::Pair(_, _, span) => m.moves(*span),
                Val::Obj(obj) => obj.moved_by(m),
                _ => false,
            }
    }
}

/// A field's value and where its key is.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key_span: Span,
    pub value: Item,
}

/// A labelled child block: `stage build { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildNode {
    pub keyword: &'static str,
    pub label: Option<Named>,
    pub obj: Obj,
    pub span: Span,
}

/// A value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub val: Val,
    pub span: Span,
}

/// A checked value, in the unit of its type.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    /// Seconds.
    Duration(u64),
    /// MiB.
    Size(u64),
    Percent(u32),
    Cidr(ast::Cidr),
    List(Vec<Item>),
    Enum(&'static str),
    Text(Text),
    Map(BTreeMap<String, Item>),
    /// A nested block, shared between a parent and the declarations that inherit it unchanged.
    Obj(Arc<Obj>),
    Ref(String),
    /// `source -> destination`, and the span of the source (a deploy file must be in the
    /// build's artifacts: the diagnostic points at the source).
    Pair(String, String, Span),
    Hook {
        script: String,
        timeout: Option<u64>,
        runas: Option<String>,
    },
    Scaling(Scaling),
    /// A value that was written but did not check (its diagnostic is reported); it keeps the
    /// field from being reported as missing.
    Invalid,
}

/// Checks `entries` against `schema`.
pub fn check_body(ctx: &mut Ctx, schema: &'static Schema, entries: &[Entry], span: Span) -> Obj {
    let mut obj = Obj::empty(span);
    for entry in entries {
        match entry {
            // A line that did not parse may be the very field the block needs (`port: 8080`,
            // `cidr = 10.0.0/16`): its syntax error is the one finding, so no required field of
            // the block is reported missing as well.
            Entry::Error(_) => {
                obj.meant.extend(schema.fields.iter().filter(|f| f.required).map(|f| f.name));
                obj.broken = true;
            }
            Entry::Attribute(a) => attribute(ctx, schema, a, &mut obj),
            Entry::Block(b) => block(ctx, schema, b, &mut obj),
        }
    }
    obj
}

/// Reports an unknown name; a likely meant name goes to `obj.meant`.
fn unknown_name(ctx: &mut Ctx, schema: &'static Schema, name: &ast::Ident, what: &str, obj: &mut Obj) {
    let mut d = Diagnostic::new(codes::PF1001, name.span, format!("unknown {what} `{}`", name.name))
        .with_label("not known here");
    if let Some(s) = did_you_mean(&name.name, schema.names()) {
        obj.meant.push(s);
        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            name.span,
            s,
            Applicability::Safe,
        );
    } else {
        let names: Vec<&str> = schema.names().collect();
        d = d.with_help(if names.is_empty() {
            "this block takes no fields".to_string()
        } else {
            format!("valid here: {}", names.join(", "))
        });
    }
    ctx.push(d);
}

/// Checks the strings of a field whose kind pf validates (`validate::FIELD_FORMATS`): a string,
/// a plain text, or each string of a list. Whether they are all valid.
fn check_format(ctx: &mut Ctx, format: validate::Format, item: &Item) -> bool {
    match &item.val {
        Val::Str(s) | Val::Text(Text::Plain(s)) => match validate::check(format, s) {
            Ok(()) => true,
            Err(invalid) => {
                ctx.push(invalid.diagnostic(item.span));
                false
            }
        },
        // Every item is checked (and reported), not only those before the first invalid one.
        Val::List(items) => items.iter().filter(|i| !check_format(ctx, format, i)).count() == 0,
        _ => true,
    }
}

fn insert_field(ctx: &mut Ctx, obj: &mut Obj, name: &'static str, key_span: Span, value: Option<Item>) {
    if let Some(prev) = obj.fields.get(name) {
        ctx.push(
            Diagnostic::new(codes::PF1002, key_span, format!("`{name}` is set twice"))
                .with_label("set again here")
                .with_secondary(prev.key_span, "first set here")
                .with_help("remove one of them"),
        );
        return;
    }
    let value = value.unwrap_or(Item { val: Val::Invalid, span: key_span });
    obj.fields.insert(name, Field { key_span, value });
}

fn attribute(ctx: &mut Ctx, schema: &'static Schema, a: &ast::Attribute, obj: &mut Obj) {
    if let Some(field) = schema.field(&a.key.name) {
        if let (Ty::Map(_), ValueKind::Block { kind: None, body }) = (&field.ty, &a.value.kind) {
            check_keys(ctx, schema, field.name, &body.entries);
        }
        let value = convert(ctx, &field.ty, &a.value, Some(field));
        let valid = match (validate::format_of(schema, field.name), &value) {
            (Some(format), Some(v)) => check_format(ctx, format, v),
            _ => true,
        };
        // A value not of its kind is reported once, as that (an empty link is no URL).
        if let (true, Some(Item { val: Val::Str(s), span })) = (valid, &value) {
            if let Some(d) = validate::action_config(schema, field.name, s, *span) {
                ctx.push(d);
            }
        }
        insert_field(ctx, obj, field.name, a.key.span, value);
    } else if let Some(child) = schema.child(&a.key.name) {
        let form = match child.label {
            LabelRule::None => format!("{} {{ ... }}", child.keyword),
            _ => format!("{} NAME {{ ... }}", child.keyword),
        };
        ctx.push(
            Diagnostic::new(codes::PF1012, a.span, format!("`{}` is a block, not a field", a.key.name))
                .with_label("written as a field")
                .with_help(format!("write `{form}`")),
        );
    } else {
        unknown_name(ctx, schema, &a.key, "field", obj);
    }
}

fn block(ctx: &mut Ctx, schema: &'static Schema, b: &ast::Block, obj: &mut Obj) {
    let name = &b.keyword.name;
    if let Some(child) = schema.child(name) {
        let node = child_block(ctx, child, b);
        obj.children.push(node);
        return;
    }
    let Some(field) = schema.field(name) else {
        unknown_name(ctx, schema, &b.keyword, "block or field", obj);
        return;
    };
    let entries = b.body.as_ref().map(|body| body.entries.as_slice()).unwrap_or(&[]);
    let body_span = b.body.as_ref().map_or(b.span, |body| body.span);
    let block_form = matches!(field.ty, Ty::Block(_) | Ty::Map(_) | Ty::Extends(..) | Ty::Hook);
    if !block_form || !b.labels.is_empty() || b.body.is_none() || b.parent.is_some() {
        let help = match (&field.ty, b.labels.first()) {
            (Ty::Variant(_), Some(l)) => format!("write `{name} = {} {{ ... }}`", l.text()),
            (Ty::Extends(..), Some(l)) => format!("write `{name} = {} {{ ... }}`", l.text()),
            (Ty::Block(_) | Ty::Map(_) | Ty::Extends(..) | Ty::Hook, _) => {
                format!("write `{name} {{ ... }}`")
            }
            _ => format!("write `{name} = VALUE` ({})", field.ty.describe()),
        };
        ctx.push(
            Diagnostic::new(codes::PF1012, b.span, format!("`{name}` is not written this way"))
                .with_label("unexpected form")
                .with_help(help),
        );
        return;
    }
    let value = match &field.ty {
        Ty::Block(s) | Ty::Extends(s, _) => {
            Item { val: Val::Obj(Arc::new(check_body(ctx, s, entries, body_span))), span: body_span }
        }
        Ty::Map(t) => {
            check_keys(ctx, schema, field.name, entries);
            map(ctx, t, entries, body_span)
        }
        Ty::Hook => {
            let Some(body) = &b.body else { return };
            let value =
                ast::Value { kind: ValueKind::Block { kind: None, body: body.clone() }, span: body_span };
            match convert(ctx, &field.ty, &value, Some(field)) {
                Some(v) => v,
                None => return,
            }
        }
        _ => return,
    };
    insert_field(ctx, obj, field.name, b.keyword.span, Some(value));
}

/// Checks a labelled child block (`stage build { ... }`, `trigger push`, `deploy prod`).
pub fn child_block(ctx: &mut Ctx, child: &'static Child, b: &ast::Block) -> ChildNode {
    let label = b.labels.first().map(|l| Named { name: l.text().to_string(), span: l.span() });
    match (child.label, &label) {
        (LabelRule::Required, None) => ctx.push(
            Diagnostic::new(codes::PF1007, b.keyword.span, format!("`{}` needs a name", child.keyword))
                .with_label("name missing")
                .with_help(format!("write `{} NAME {{ ... }}`", child.keyword)),
        ),
        (LabelRule::None, Some(l)) => ctx.push(
            Diagnostic::new(codes::PF1007, l.span, format!("`{}` takes no name", child.keyword))
                .with_label("unexpected name")
                .with_fix("remove the name", l.span, "", Applicability::Safe),
        ),
        _ => {}
    }
    if let Some(extra) = b.labels.get(1) {
        ctx.push(
            Diagnostic::new(codes::PF1007, extra.span(), format!("`{}` takes one name", child.keyword))
                .with_label("unexpected second name"),
        );
    }
    if let Some(parent) = &b.parent {
        ctx.push(
            Diagnostic::new(
                codes::PF1007,
                parent.span,
                format!("`{}` cannot extend anything", child.keyword),
            )
            .with_label("unexpected `: parent`"),
        );
    }
    let mut schema = child.schema;
    if !child.variants.is_empty() {
        if let Some(l) = &label {
            match child.variants.iter().find(|v| v.kind == l.name) {
                Some(v) => schema = v.schema,
                None => {
                    let kinds: Vec<&str> = child.variants.iter().map(|v| v.kind).collect();
                    unknown_kind(ctx, &l.name, l.span, &kinds);
                }
            }
        }
    }
    let entries = b.body.as_ref().map(|body| body.entries.as_slice()).unwrap_or(&[]);
    let span = b.body.as_ref().map_or(b.span, |body| body.span);
    let obj = check_body(ctx, schema, entries, span);
    ChildNode { keyword: child.keyword, label, obj, span: b.span }
}

fn unknown_kind(ctx: &mut Ctx, name: &str, span: Span, kinds: &[&'static str]) {
    let mut d = Diagnostic::new(codes::PF2003, span, format!("`{name}` is not one of {}", kinds.join(", ")))
        .with_label("unknown kind");
    if let Some(s) = did_you_mean(name, kinds.iter().copied()) {
        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            span,
            s,
            Applicability::Safe,
        );
    } else {
        d = d.with_help(format!("use one of {}", kinds.join(", ")));
    }
    ctx.push(d);
}

/// The keys of a block field whose keys are CodeBuild runtimes (`validate::RUNTIME_FIELDS`).
fn check_keys(ctx: &mut Ctx, schema: &'static Schema, name: &str, entries: &[Entry]) {
    for entry in entries {
        if let Entry::Attribute(a) = entry {
            if let Some(d) = validate::runtime_name(schema, name, &a.key.name, a.key.span) {
                ctx.push(d);
            }
        }
    }
}

fn map(ctx: &mut Ctx, ty: &'static Ty, entries: &[Entry], span: Span) -> Item {
    let mut out: BTreeMap<String, Item> = BTreeMap::new();
    for entry in entries {
        match entry {
            Entry::Attribute(a) => {
                if let Some(prev) = out.get(&a.key.name) {
                    let prev = prev.span;
                    ctx.push(
                        Diagnostic::new(codes::PF1002, a.key.span, format!("`{}` is set twice", a.key.name))
                            .with_label("set again here")
                            .with_secondary(prev, "first set here")
                            .with_help("remove one of them"),
                    );
                } else if let Some(v) = convert(ctx, ty, &a.value, None) {
                    out.insert(a.key.name.clone(), v);
                }
            }
            Entry::Block(b) => ctx.push(
                Diagnostic::new(codes::PF1012, b.span, "this block holds `name = value` entries only")
                    .with_label("not a `name = value` entry"),
            ),
            Entry::Error(_) => {}
        }
    }
    Item { val: Val::Map(out), span }
}

fn mismatch(ctx: &mut Ctx, ty: &Ty, value: &ast::Value, field: Option<&schema::Field>) -> Option<Item> {
    if value.kind == ValueKind::Error {
        return None;
    }
    if let ValueKind::TooLarge(text) = &value.kind {
        ctx.push(too_large(ty, text, value.span));
        return None;
    }
    let hint = hint(ty, value, field);
    let message = match hint.as_ref().and_then(|h| h.message.clone()) {
        Some(m) => m,
        None => format!("expected {}, found {}", ty.describe(), describe(&value.kind)),
    };
    let mut d = Diagnostic::new(codes::PF2001, value.span, message)
        .with_label(hint.as_ref().map_or("wrong type", |h| h.label));
    if let Some(h) = hint {
        d = d.with_help(h.help);
        if let Some((title, replacement, applicability)) = h.fix {
            d = d.with_fix(title, value.span, replacement, applicability);
        }
    }
    ctx.push(d);
    None
}

/// How to correct a value of the wrong type, when the value says what was meant.
struct Hint {
    /// A more specific message than "expected X, found Y".
    message: Option<String>,
    label: &'static str,
    help: String,
    /// Title, replacement of the value, and how sure it is.
    fix: Option<(String, String, Applicability)>,
}

/// The correction of a common mistake of form: a name or number where a string is expected, a
/// quoted name, number or boolean, a duration or size without its unit, `yes`/`no` for a
/// boolean. `field` (when the value is a field's) tells the unit its default uses.
fn hint(ty: &Ty, value: &ast::Value, field: Option<&schema::Field>) -> Option<Hint> {
    let plain = |help: String, fix: Option<(String, String, Applicability)>| {
        Some(Hint { message: None, label: "wrong type", help, fix })
    };
    let literal = |kind: &ValueKind| match kind {
        ValueKind::String(s) => s.literal_text().map(str::to_string),
        _ => None,
    };
    match (ty, &value.kind) {
        (Ty::Enum(values), ValueKind::String(s)) => {
            let t = s.literal_text().filter(|t| values.contains(t))?;
            Some(Hint {
                message: Some(format!("`{t}` is a name, not a string")),
                label: "quoted",
                help: format!("remove the quotes: write `{t}`"),
                fix: Some(("remove the quotes".into(), t.to_string(), Applicability::Safe)),
            })
        }
        (Ty::Str | Ty::Text | Ty::Hook, ValueKind::Path(_) | ValueKind::Int(_)) => {
            let quoted = match (ty, &value.kind) {
                (_, ValueKind::Path(p)) => format!("\"{}\"", p.text),
                // A number is no script path.
                (Ty::Str | Ty::Text, ValueKind::Int(n)) => format!("\"{n}\""),
                _ => return None,
            };
            // A text may be a secret: quoting a word written as a password makes it plain text.
            let (help, applicability) = match ty {
                Ty::Text => (
                    format!(
                        "a string is quoted: write `{quoted}`, or `secret(\"id\")` or `param(\"/name\")`"
                    ),
                    Applicability::Unsafe,
                ),
                _ => (format!("a string is quoted: write `{quoted}`"), Applicability::Safe),
            };
            plain(help, Some(("quote it".into(), quoted, applicability)))
        }
        (Ty::Int { min, max }, ValueKind::String(_)) => {
            let t =
                literal(&value.kind).filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))?;
            let n = t.parse::<i64>().ok().filter(|n| n >= min && n <= max);
            plain(
                match n {
                    Some(n) => format!("a number is written without quotes: `{n}`"),
                    None => format!("a number is written without quotes, from {min} to {max}"),
                },
                n.map(|n| ("remove the quotes".into(), n.to_string(), Applicability::Safe)),
            )
        }
        (Ty::Bool, ValueKind::Path(_) | ValueKind::String(_)) => {
            let (t, quoted) = match &value.kind {
                ValueKind::Path(p) => (p.text.clone(), false),
                _ => (literal(&value.kind)?, true),
            };
            let b = match t.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => true,
                "false" | "no" | "off" => false,
                _ => return None,
            };
            let help = if quoted && t == b.to_string() {
                format!("a boolean is written without quotes: `{b}`")
            } else {
                format!("a boolean is `true` or `false`: write `{b}`")
            };
            plain(help, Some((format!("replace with `{b}`"), b.to_string(), Applicability::Safe)))
        }
        // A duration, size or CIDR block in quotes: the same literal without them.
        (Ty::Duration { .. } | Ty::Size { .. } | Ty::Cidr, ValueKind::String(_)) => {
            let t = literal(&value.kind).filter(|t| quoted_literal(ty, t))?;
            Some(Hint {
                message: Some(format!("`{t}` is written without quotes")),
                label: "quoted",
                help: format!("remove the quotes: write `{t}`"),
                fix: Some(("remove the quotes".into(), t, Applicability::Safe)),
            })
        }
        // One string where a list of strings is expected.
        (Ty::List(Ty::Str), ValueKind::String(_)) => {
            let text = literal(&value.kind)?;
            let list = format!("[{:?}]", text);
            plain(
                format!("a list is written in brackets: `{list}`"),
                Some(("make it a list".into(), list, Applicability::Safe)),
            )
        }
        (Ty::Block(_), _) => {
            let name = field.map_or("the block", |f| f.name);
            plain(format!("`{name}` is a block: write `{name} {{ ... }}` with its fields inside"), None)
        }
        (Ty::Duration { min, max }, ValueKind::Int(n)) => {
            let unit = field.and_then(duration_unit);
            let fix = u64::try_from(*n).ok().zip(unit).and_then(|(n, unit)| {
                let d = ast::Duration { value: n, unit };
                let text = format!("{n}{}", d.suffix());
                let secs = d.seconds()?;
                (secs >= *min && secs <= *max)
                    .then(|| (format!("write `{text}`"), text, Applicability::Unsafe))
            });
            // The unit the field's default uses first, then the common ones.
            let mut suffixes: Vec<&str> = Vec::new();
            for s in unit
                .map(|u| (ast::Duration { value: 0, unit: u }).suffix())
                .into_iter()
                .chain(["m", "s", "h"])
            {
                if !suffixes.contains(&s) {
                    suffixes.push(s);
                }
            }
            let examples: Vec<String> = suffixes.iter().map(|s| format!("`{n}{s}`")).collect();
            plain(format!("a duration needs a unit: {}", examples.join(", ")), fix)
        }
        (Ty::Size { min, max }, ValueKind::Int(n)) => {
            let unit = field.and_then(size_unit).unwrap_or(ast::SizeUnit::GB);
            let fix = u64::try_from(*n).ok().and_then(|n| {
                let size = ast::Size { value: n, unit };
                let mib = size.mebibytes()?;
                let text = format!("{n}{}", size.suffix());
                (mib >= *min && mib <= *max).then(|| (format!("write `{text}`"), text, Applicability::Unsafe))
            });
            let example = format!("{n}{}", (ast::Size { value: 0, unit }).suffix());
            plain(format!("a size needs a unit, e.g. `{example}`"), fix)
        }
        _ => None,
    }
}

/// Whether `text` is a literal of `ty` that was quoted: `"2d"`, `"30GB"`, `"10.0.0.0/16"`.
fn quoted_literal(ty: &Ty, text: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match ty {
        Ty::Duration { .. } => text.strip_suffix(['s', 'm', 'h', 'd']).is_some_and(digits),
        Ty::Size { .. } => ["KB", "MB", "GB", "TB"].iter().any(|u| text.strip_suffix(u).is_some_and(digits)),
        Ty::Cidr => text.split_once('/').is_some_and(|(a, p)| {
            digits(p) && a.split('.').count() == 4 && a.split('.').all(|o| o.parse::<u8>().is_ok())
        }),
        _ => false,
    }
}

/// The unit of a field's duration default (`60m`), or else of the first duration its doc
/// mentions.
fn duration_unit(field: &schema::Field) -> Option<ast::DurationUnit> {
    let unit = |word: &str| {
        let suffix = word.trim_start_matches(|c: char| c.is_ascii_digit());
        if suffix.len() == word.len() {
            return None;
        }
        match suffix {
            "s" => Some(ast::DurationUnit::Seconds),
            "m" => Some(ast::DurationUnit::Minutes),
            "h" => Some(ast::DurationUnit::Hours),
            "d" => Some(ast::DurationUnit::Days),
            _ => None,
        }
    };
    field
        .default
        .and_then(unit)
        .or_else(|| field.doc.split(|c: char| !c.is_ascii_alphanumeric()).find_map(unit))
}

/// The unit of a field's size default (`20GB`).
fn size_unit(field: &schema::Field) -> Option<ast::SizeUnit> {
    let suffix = field.default?.trim_start_matches(|c: char| c.is_ascii_digit());
    match suffix {
        "MB" => Some(ast::SizeUnit::MB),
        "GB" => Some(ast::SizeUnit::GB),
        "TB" => Some(ast::SizeUnit::TB),
        _ => None,
    }
}

/// Reports a value outside its range; `nearest` is the bound it passed, offered as the fix.
fn out_of_range(
    ctx: &mut Ctx,
    span: Span,
    what: String,
    range: String,
    nearest: Option<String>,
) -> Option<Item> {
    let mut d = Diagnostic::new(codes::PF2002, span, format!("{what} is out of range"))
        .with_label(format!("allowed: {range}"));
    d = match nearest {
        Some(n) => d.with_help(format!("use a value from {range}; the nearest is `{n}`")).with_fix(
            format!("write `{n}`"),
            span,
            n,
            Applicability::Unsafe,
        ),
        None => d.with_help(format!("use a value from {range}")),
    };
    ctx.push(d);
    None
}

/// PF0009: a literal too large to hold, with the range of the field it is written to (and its
/// bound as the fix) when the field takes a number.
fn too_large(ty: &Ty, text: &str, span: Span) -> Diagnostic {
    let range = match ty {
        Ty::Int { min, max } => Some((format!("{min} to {max}"), max.to_string())),
        Ty::Duration { min, max } => {
            Some((format!("{} to {}", fmt_duration(*min), fmt_duration(*max)), fmt_duration(*max)))
        }
        Ty::Size { min, max } => Some((format!("{} to {}", fmt_size(*min), fmt_size(*max)), fmt_size(*max))),
        Ty::Percent { min, max } => Some((format!("{min}% to {max}%"), format!("{max}%"))),
        Ty::CountOrPercent => Some(("0 to 1000 hosts, or 0% to 99%".into(), "1000".into())),
        _ => None,
    };
    let d = Diagnostic::new(codes::PF0009, span, format!("`{}` is out of range", clip(text)));
    match range {
        Some((range, bound)) => d
            .with_label(format!("allowed: {range}"))
            .with_help(format!("use a value from {range}; the nearest is `{bound}`"))
            .with_fix(format!("write `{bound}`"), span, bound, Applicability::Unsafe),
        None => d.with_label("out of range").with_help(format!(
            "expected {} here (and pf's numbers are whole numbers from {} to {})",
            ty.describe(),
            i64::MIN,
            i64::MAX
        )),
    }
}

/// The first 40 characters of a long literal, for messages.
fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

/// The bound of `min..=max` nearest to `value`.
fn nearest_bound<T: PartialOrd + Copy>(value: T, min: T, max: T) -> T {
    if value < min {
        min
    } else {
        max
    }
}

/// A short description of a written value, for messages.
pub fn describe(kind: &ValueKind) -> &'static str {
    match kind {
        ValueKind::String(_) => "a string",
        ValueKind::Int(_) => "an integer",
        ValueKind::Bool(_) => "a boolean",
        ValueKind::Duration(_) => "a duration",
        ValueKind::Size(_) => "a size",
        ValueKind::Percent(_) => "a percentage",
        ValueKind::Cidr(_) => "a CIDR block",
        ValueKind::List(_) => "a list",
        ValueKind::Pair(..) => "a pair",
        ValueKind::Call { .. } => "a function call",
        ValueKind::Block { .. } => "a block",
        ValueKind::Path(_) => "a name",
        ValueKind::Error => "an invalid value",
        ValueKind::TooLarge(_) => "a number too large",
    }
}

/// Whether `text` can be written as a bare name (the grammar's `ident`).
fn bare_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A string literal's text; interpolations are kept as `${name}` and checked against the
/// variables pf knows.
fn string_text(ctx: &mut Ctx, s: &ast::StringLit, field: Option<&schema::Field>) -> String {
    let interpolated = field.is_some_and(|f| super::INTERPOLATED_FIELDS.contains(&f.name));
    let mut out = String::new();
    for part in &s.parts {
        match part {
            ast::StringPart::Text(t) => out.push_str(t),
            ast::StringPart::Interp(p) if !interpolated => {
                let place = field.map_or_else(|| "here".to_string(), |f| format!("in `{}`", f.name));
                ctx.push(
                    Diagnostic::new(codes::PF2004, p.span, format!("`${{{}}}` is not substituted {place}", p.text))
                    .with_label("would be written as is")
                    .with_help(format!(
                        "pf substitutes variables only in an approval's `message` and `link`; write the value itself, or `\\${{{}}}` for a literal `${{`",
                        p.text
                    )),
                );
                out.push_str("${");
                out.push_str(&p.text);
                out.push('}');
            }
            ast::StringPart::Interp(p) => {
                if !super::INTERPOLATIONS.contains(&p.text.as_str()) {
                    let mut d =
                        Diagnostic::new(codes::PF2004, p.span, format!("unknown variable `{}`", p.text))
                            .with_label("not a pf variable")
                            .with_help(format!(
                                "the variables are {}; write `\\${{` for a literal `${{`",
                                super::INTERPOLATIONS.join(", ")
                            ));
                    if let Some(s) = did_you_mean(&p.text, super::INTERPOLATIONS.iter().copied()) {
                        d = d.with_fix(format!("replace with `{s}`"), p.span, s, Applicability::Safe);
                    }
                    ctx.push(d);
                }
                out.push_str("${");
                out.push_str(&p.text);
                out.push('}');
            }
        }
    }
    out
}

/// Checks a value against a type.
///
/// `field` is the field the value is written to, if any: its default tells the unit a duration
/// or size written without one most likely has.
pub fn convert(
    ctx: &mut Ctx,
    ty: &'static Ty,
    value: &ast::Value,
    field: Option<&schema::Field>,
) -> Option<Item> {
    let span = value.span;
    let item = |val| Some(Item { val, span });
    match (ty, &value.kind) {
        (Ty::Str, ValueKind::String(s)) => item(Val::Str(string_text(ctx, s, field))),
        (Ty::Int { min, max }, ValueKind::Int(n)) => {
            if n < min || n > max {
                out_of_range(
                    ctx,
                    span,
                    format!("`{n}`"),
                    format!("{min} to {max}"),
                    Some(nearest_bound(*n, *min, *max).to_string()),
                )
            } else {
                item(Val::Int(*n))
            }
        }
        (Ty::Bool, ValueKind::Bool(b)) => item(Val::Bool(*b)),
        (Ty::Duration { min, max }, ValueKind::Duration(d)) => {
            let secs = d.seconds().unwrap_or(u64::MAX);
            if secs < *min || secs > *max {
                out_of_range(
                    ctx,
                    span,
                    format!("`{}{}`", d.value, d.suffix()),
                    format!("{} to {}", fmt_duration(*min), fmt_duration(*max)),
                    Some(fmt_duration(nearest_bound(secs, *min, *max))),
                )
            } else {
                item(Val::Duration(secs))
            }
        }
        (Ty::Size { min, max }, ValueKind::Size(s)) => match s.mebibytes() {
            Some(mib) if mib >= *min && mib <= *max => item(Val::Size(mib)),
            mib => out_of_range(
                ctx,
                span,
                format!("`{}{}`", s.value, s.suffix()),
                format!("{} to {}", fmt_size(*min), fmt_size(*max)),
                Some(fmt_size(nearest_bound(mib.unwrap_or(u64::MAX), *min, *max))),
            ),
        },
        (Ty::Percent { min, max }, ValueKind::Percent(p)) => {
            if p < min || p > max {
                out_of_range(
                    ctx,
                    span,
                    format!("`{p}%`"),
                    format!("{min}% to {max}%"),
                    Some(format!("{}%", nearest_bound(*p, *min, *max))),
                )
            } else {
                item(Val::Percent(*p))
            }
        }
        (Ty::CountOrPercent, ValueKind::Int(n)) if (0..=1000).contains(n) => item(Val::Int(*n)),
        (Ty::CountOrPercent, ValueKind::Percent(p)) if *p <= 99 => item(Val::Percent(*p)),
        (Ty::CountOrPercent, ValueKind::Int(_) | ValueKind::Percent(_)) => {
            let nearest = match &value.kind {
                ValueKind::Percent(_) => "99%",
                ValueKind::Int(n) if *n < 0 => "0",
                _ => "1000",
            };
            out_of_range(
                ctx,
                span,
                "this minimum".into(),
                "0 to 1000 hosts, or 0% to 99%".into(),
                Some(nearest.into()),
            )
        }
        (Ty::Cidr, ValueKind::Cidr(c)) => item(Val::Cidr(*c)),
        (Ty::List(t), ValueKind::List(items)) => {
            let items = items.iter().filter_map(|v| convert(ctx, t, v, None)).collect();
            item(Val::List(items))
        }
        // A value that cannot be written as a bare name (`2xlarge` starts with a digit) is
        // written as a string.
        (Ty::Enum(values), ValueKind::String(s))
            if s.literal_text().is_some_and(|t| !bare_name(t) && values.contains(&t)) =>
        {
            values.iter().find(|v| Some(**v) == s.literal_text()).and_then(|v| item(Val::Enum(v)))
        }
        (Ty::Enum(values), ValueKind::Path(p)) => match values.iter().find(|v| **v == p.text) {
            Some(v) => item(Val::Enum(v)),
            None => {
                unknown_kind(ctx, &p.text, p.span, values);
                None
            }
        },
        (Ty::Text, ValueKind::String(s)) => item(Val::Text(Text::Plain(string_text(ctx, s, field)))),
        (Ty::Text, ValueKind::Call { name, args }) => {
            let arg = match args.as_slice() {
                [ast::Value { kind: ValueKind::String(s), .. }] => s.literal_text().map(str::to_string),
                _ => None,
            };
            match (name.name.as_str(), arg) {
                ("secret", Some(a)) if !a.is_empty() => item(Val::Text(Text::Secret(a))),
                ("param", Some(a)) if !a.is_empty() => match validate::names::ssm_parameter(&a) {
                    Ok(()) => item(Val::Text(Text::Param(a))),
                    Err(invalid) => {
                        let at = args.first().map_or(span, |v| v.span);
                        ctx.push(invalid.diagnostic(at));
                        None
                    }
                },
                ("secret" | "param", _) => {
                    ctx.push(
                        Diagnostic::new(codes::PF2005, span, format!("`{}` takes one string", name.name))
                            .with_label("expected one string argument")
                            .with_help(match name.name.as_str() {
                                "param" => "write the parameter's name: `param(\"/name\")`".to_string(),
                                _ => "write the secret's id: `secret(\"id\")` or `secret(\"id:key\")`"
                                    .to_string(),
                            }),
                    );
                    None
                }
                _ => {
                    ctx.push(unknown_call(name, &["secret", "param"]));
                    None
                }
            }
        }
        (Ty::Map(t), ValueKind::Block { kind: None, body }) => Some(map(ctx, t, &body.entries, span)),
        (Ty::Block(s), ValueKind::Block { kind: None, body }) => {
            item(Val::Obj(Arc::new(check_body(ctx, s, &body.entries, body.span))))
        }
        (Ty::Variant(variants), ValueKind::Block { kind: Some(k), body }) => {
            let Some(v) = variants.iter().find(|v| v.kind == k.text) else {
                let kinds: Vec<&str> = variants.iter().map(|v| v.kind).collect();
                unknown_kind(ctx, &k.text, k.span, &kinds);
                return None;
            };
            let mut obj = check_body(ctx, v.schema, &body.entries, body.span);
            obj.kind = Some(Named { name: k.text.clone(), span: k.span });
            item(Val::Obj(Arc::new(obj)))
        }
        (Ty::Variant(variants), ValueKind::Path(k)) => {
            let Some(v) = variants.iter().find(|v| v.kind == k.text) else {
                let kinds: Vec<&str> = variants.iter().map(|v| v.kind).collect();
                unknown_kind(ctx, &k.text, k.span, &kinds);
                return None;
            };
            let mut obj = check_body(ctx, v.schema, &[], span);
            obj.kind = Some(Named { name: k.text.clone(), span: k.span });
            item(Val::Obj(Arc::new(obj)))
        }
        (Ty::Extends(s, _), ValueKind::Block { kind, body }) => {
            let mut obj = check_body(ctx, s, &body.entries, body.span);
            obj.kind = kind.as_ref().map(|k| Named { name: k.text.clone(), span: k.span });
            item(Val::Obj(Arc::new(obj)))
        }
        (Ty::Extends(..), ValueKind::Path(k)) => {
            let mut obj = Obj::empty(span);
            obj.kind = Some(Named { name: k.text.clone(), span: k.span });
            item(Val::Obj(Arc::new(obj)))
        }
        (Ty::Ref(_), ValueKind::Path(p)) => item(Val::Ref(p.text.clone())),
        (Ty::Pair, ValueKind::Pair(a, b)) => match (&a.kind, &b.kind) {
            (ValueKind::String(x), ValueKind::String(y)) => {
                item(Val::Pair(string_text(ctx, x, field), string_text(ctx, y, field), a.span))
            }
            _ => mismatch(ctx, ty, value, field),
        },
        (Ty::Hook, ValueKind::String(s)) => {
            item(Val::Hook { script: string_text(ctx, s, field), timeout: None, runas: None })
        }
        (Ty::Hook, ValueKind::Block { kind: None, body }) => {
            let obj = check_body(ctx, &HOOK_BLOCK, &body.entries, body.span);
            let script = match obj.get("script").map(|i| &i.val) {
                Some(Val::Str(s)) => s.clone(),
                _ => {
                    ctx.missing(
                        span,
                        "script",
                        "the path of the hook's script, e.g. `script = \"scripts/start.sh\"`",
                    );
                    return None;
                }
            };
            let timeout = match obj.get("timeout").map(|i| &i.val) {
                Some(Val::Duration(s)) => Some(*s),
                _ => None,
            };
            let runas = match obj.get("runas").map(|i| &i.val) {
                Some(Val::Str(s)) => Some(s.clone()),
                _ => None,
            };
            item(Val::Hook { script, timeout, runas })
        }
        (Ty::Scaling, ValueKind::Path(p)) if p.text == "none" => item(Val::Scaling(Scaling::None)),
        (Ty::Scaling, ValueKind::Call { name, args }) => match (name.name.as_str(), args.as_slice()) {
            ("cpu", [ast::Value { kind: ValueKind::Percent(p), span: ps }]) => {
                if (1..=100).contains(p) {
                    item(Val::Scaling(Scaling::Cpu(*p)))
                } else {
                    out_of_range(
                        ctx,
                        *ps,
                        format!("`{p}%`"),
                        "1% to 100%".into(),
                        Some(format!("{}%", nearest_bound(*p, 1, 100))),
                    )
                }
            }
            ("requests", [ast::Value { kind: ValueKind::Int(n), span: ns }]) => {
                if (1..=1_000_000).contains(n) {
                    item(Val::Scaling(Scaling::Requests(*n as u32)))
                } else {
                    out_of_range(
                        ctx,
                        *ns,
                        format!("`{n}`"),
                        "1 to 1000000".into(),
                        Some(nearest_bound(*n, 1, 1_000_000).to_string()),
                    )
                }
            }
            ("cpu", [ast::Value { kind: ValueKind::TooLarge(t), span: ts }]) => {
                ctx.push(too_large(&Ty::Percent { min: 1, max: 100 }, t, *ts));
                None
            }
            ("requests", [ast::Value { kind: ValueKind::TooLarge(t), span: ts }]) => {
                ctx.push(too_large(&Ty::Int { min: 1, max: 1_000_000 }, t, *ts));
                None
            }
            ("cpu" | "requests", _) => {
                ctx.push(
                    Diagnostic::new(codes::PF2005, span, format!("wrong arguments to `{}`", name.name))
                        .with_label("expected one argument")
                        .with_help("write `cpu(60%)` or `requests(1000)`"),
                );
                None
            }
            _ => {
                ctx.push(unknown_call(name, &["cpu", "requests"]));
                None
            }
        },
        _ => mismatch(ctx, ty, value, field),
    }
}

fn unknown_call(name: &ast::Ident, known: &[&'static str]) -> Diagnostic {
    let mut d = Diagnostic::new(codes::PF2005, name.span, format!("unknown function `{}`", name.name))
        .with_label("not a function here")
        .with_help(format!("the functions here are {}", known.join(", ")));
    if let Some(s) = did_you_mean(&name.name, known.iter().copied()) {
        d = d.with_fix(format!("replace with `{s}`"), name.span, s, Applicability::Safe);
    }
    d
}

/// A missing required field (report it with [`Ctx::missing`], which keeps the field's name for
/// the fix that adds it).
pub fn missing(span: Span, field: &str, doc: &str) -> Diagnostic {
    Diagnostic::new(codes::PF1003, span, format!("`{field}` is required here"))
        .with_label(format!("`{field}` missing"))
        .with_help(format!("add `{field}`: {doc}"))
}
