//! `textDocument/hover`: schema documentation for keywords and fields, the effective
//! configuration of a named declaration (with where each inherited value comes from), what a
//! block label names, and for a value what it means (duration, size, percentage and CIDR
//! arithmetic, the doc of a variant, the allowed names) with the documentation of its field.

use super::{item_at, range};
use crate::locate::{Sym, What};
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::ast::{Cidr, ValueKind};
use pf_compiler::check::value::{Item, Obj, Val};
use pf_compiler::check::Decl;
use pf_compiler::ir::{Scaling, Text};
use pf_compiler::schema::{self, Child, DeclKind, Field, Ty};
use pf_compiler::source::Span;
use std::fmt::Write;
use tower_lsp::lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

/// Answers a hover request.
pub fn hover(snap: &Snapshot, params: HoverParams) -> Option<Hover> {
    let p = params.text_document_position_params;
    let (at, item) = item_at(snap, &p.text_document.uri, p.position)?;
    let doc = &at.doc;
    let written = doc.text.get(item.span.range()).unwrap_or_default();
    let text = match &item.what {
        What::DeclKeyword(d) => format!("**{}** (declaration)\n\n{}", d.keyword, d.doc),
        What::Field(f) => field_doc(f),
        What::Child(c) => format!("**{}** (block)\n\n{}", c.keyword, c.doc),
        What::Variant(v, field) => value_doc(Some(format!("**{}**\n\n{}", v.kind, v.doc)), *field, written)?,
        What::Label { child, owner } => label(child, written, owner),
        What::Def(sym) | What::Ref(sym) => symbol(snap, doc, sym)?,
        What::Literal(kind, field) => value_doc(literal(kind), *field, written)?,
        What::EnumValue(ty, field) => {
            // A valid value under a known field: the field's type already lists the values.
            let listed = field.is_some() && matches!(ty, Some(Ty::Enum(values)) if values.contains(&written));
            let meaning =
                if listed { Some(format!("**{written}**")) } else { ty.and_then(|t| enum_value(written, t)) };
            value_doc(meaning, *field, written)?
        }
        What::Key(Some(f)) => value_doc(Some(format!("**{written}**: a key of `{}`", f.name)), Some(f), "")?,
        What::Call(field) => value_doc(None, *field, written)?,
        _ => return None,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }),
        range: Some(range(doc, item.span, snap.encoding)),
    })
}

/// The documentation of a field: doc, type, default and allowed values.
pub fn field_doc(f: &Field) -> String {
    let mut s = field_summary(f);
    match &f.ty {
        Ty::Enum(values) => {
            let _ = write!(
                s,
                "\n\nValues: {}",
                values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
            );
        }
        Ty::Variant(vs) => {
            s.push_str("\n\nKinds:");
            for v in vs.iter() {
                let _ = write!(s, "\n- `{}`: {}", v.kind, v.doc);
            }
        }
        _ => {}
    }
    s
}

/// A field's name, type, whether it is required, doc and default (without the list of allowed
/// values).
fn field_summary(f: &Field) -> String {
    let mut s = format!("**{}**: {}", f.name, f.ty.describe());
    if f.required {
        s.push_str(" (required)");
    }
    let _ = write!(s, "\n\n{}", f.doc);
    if let Some(d) = f.default {
        let _ = write!(s, "\n\nDefault: `{d}`");
    }
    s
}

/// The hover of a value written as `written`: what it means (if that says more than the value
/// itself), then the documentation of the field it is the value of, if known.
pub fn value_doc(meaning: Option<String>, field: Option<&Field>, written: &str) -> Option<String> {
    let Some(f) = field else { return meaning };
    let mut s = meaning.map(|m| format!("{m}\n\n---\n\n")).unwrap_or_default();
    s.push_str(&field_summary(f));
    if f.default == Some(written) {
        s.push_str(" (the value written here)");
    }
    Some(s)
}

/// The hover of a block label that names nothing else: `approve product-owner`.
fn label(child: &Child, written: &str, owner: &str) -> String {
    let place = if owner.is_empty() { String::new() } else { format!(", in {owner}") };
    format!("**{0} {written}**: the name of this `{0}`{place}\n\n{1}", child.keyword, child.doc)
}

/// The doc of the child block `child` of declaration `decl` (`stage` of `pipeline`), as a
/// paragraph.
fn child_doc(decl: &str, child: &str) -> String {
    schema::declaration(decl)
        .and_then(|d| d.schema.child(child))
        .map_or(String::new(), |c| format!("\n\n{}", c.doc))
}

fn symbol(snap: &Snapshot, doc: &DocAnalysis, sym: &Sym) -> Option<String> {
    let decls = &doc.analysis.checked.decls;
    let decl = match sym {
        Sym::Alarm { env, name } => {
            return Some(format!("**alarm {name}** declared in `{env}`{}", child_doc("env", "alarm")));
        }
        Sym::Stage { pipeline, name } => {
            return Some(format!(
                "**stage {name}** of pipeline `{pipeline}`{}",
                child_doc("pipeline", "stage")
            ))
        }
        Sym::Module(m) => {
            let doc = pf_compiler::stdlib::doc(m).map(|d| format!("\n\n{d}")).unwrap_or_default();
            return Some(format!("**use** `{m}`{doc}"));
        }
        _ => decls.find(sym.decl_kinds(), sym.name())?,
    };
    let mut text = effective(snap, doc, decl);
    if decl.kind == DeclKind::Env {
        if let Some(cost) = super::code_lens::summary(doc, &decl.name.name) {
            let _ = write!(text, "\n\n**Monthly estimate** {cost}");
        }
    }
    Some(text)
}

/// The effective configuration of a declaration, as pf text with the origin of inherited
/// values.
pub fn effective(snap: &Snapshot, doc: &DocAnalysis, decl: &Decl) -> String {
    let mut out = format!("```pf\n{} {}", decl.kind.keyword(), decl.name.name);
    if let Some(p) = &decl.parent {
        let _ = write!(out, " : {}", p.name);
    }
    out.push_str(" {\n");
    let r = Renderer { snap, doc, decl };
    r.obj(decl.flat(), 1, &mut out);
    out.push_str("}\n```");
    if decl.parent.is_some() {
        out.push_str("\n\nEffective configuration, inheritance flattened.");
    }
    out
}

struct Renderer<'a> {
    snap: &'a Snapshot,
    doc: &'a DocAnalysis,
    decl: &'a Decl,
}

impl Renderer<'_> {
    /// `# from prod (examples/webshop.pf:37)` when `span` is outside the declaration.
    fn origin(&self, span: Span) -> String {
        let d = self.decl;
        if span.file == d.file && d.span.start <= span.start && span.end <= d.span.end {
            return String::new();
        }
        let decls = &self.doc.analysis.checked.decls;
        let from = decls
            .all()
            .find(|x| x.file == span.file && x.span.start <= span.start && span.end <= x.span.end)
            .map_or("?".to_string(), |x| x.name.name.clone());
        let file = self.doc.analysis.sources.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        let mut name = file.name.as_str();
        if let Some(root) = &self.snap.root {
            name = name.strip_prefix(root.as_str()).map_or(name, |n| n.trim_start_matches('/'));
        }
        format!("  # from {from} ({name}:{line})")
    }

    fn obj(&self, obj: &Obj, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        for (name, field) in obj.fields.iter() {
            let item = &field.value;
            match &item.val {
                Val::Obj(inner) => {
                    let kind = inner.kind.as_ref().map_or(String::new(), |k| format!("= {} ", k.name));
                    let _ = writeln!(out, "{pad}{name} {kind}{{{}", self.origin(field.key_span).trim_end());
                    self.obj(inner, depth + 1, out);
                    let _ = writeln!(out, "{pad}}}");
                }
                Val::Map(m) => {
                    let _ = writeln!(out, "{pad}{name} {{");
                    for (k, v) in m {
                        let _ = writeln!(out, "{pad}  {k} = {}{}", value(&v.val), self.origin(v.span));
                    }
                    let _ = writeln!(out, "{pad}}}");
                }
                v => {
                    let _ = writeln!(out, "{pad}{name} = {}{}", value(v), self.origin(item.span));
                }
            }
        }
        for child in &obj.children {
            let label = child.label.as_ref().map_or(String::new(), |l| format!(" {}", l.name));
            let _ = writeln!(out, "{pad}{}{label} {{{}", child.keyword, self.origin(child.span).trim_end());
            self.obj(&child.obj, depth + 1, out);
            let _ = writeln!(out, "{pad}}}");
        }
    }
}

/// A checked value as pf text.
pub fn value(v: &Val) -> String {
    match v {
        Val::Str(s) => format!("{s:?}"),
        Val::Int(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Duration(s) => duration(*s),
        Val::Size(mib) => size(*mib),
        Val::Percent(p) => format!("{p}%"),
        Val::Cidr(c) => c.to_string(),
        Val::List(items) => {
            format!("[{}]", items.iter().map(|i: &Item| value(&i.val)).collect::<Vec<_>>().join(", "))
        }
        Val::Enum(e) => e.to_string(),
        Val::Text(Text::Plain(s)) => format!("{s:?}"),
        Val::Text(Text::Param(s)) => format!("param({s:?})"),
        Val::Text(Text::Secret(s)) => format!("secret({s:?})"),
        Val::Map(m) => {
            format!(
                "{{ {} }}",
                m.iter().map(|(k, v)| format!("{k} = {}", value(&v.val))).collect::<Vec<_>>().join(", ")
            )
        }
        Val::Obj(o) => o.kind.as_ref().map_or("{ ... }".to_string(), |k| format!("{} {{ ... }}", k.name)),
        Val::Ref(r) => r.clone(),
        Val::Pair(a, b, _) => format!("{a:?} -> {b:?}"),
        Val::Hook { script, timeout, runas } => {
            let mut parts = vec![format!("script = {script:?}")];
            if let Some(t) = timeout {
                parts.push(format!("timeout = {}", duration(*t)));
            }
            if let Some(r) = runas {
                parts.push(format!("runas = {r:?}"));
            }
            if parts.len() == 1 {
                format!("{script:?}")
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
        Val::Scaling(Scaling::Cpu(p)) => format!("cpu({p}%)"),
        Val::Scaling(Scaling::Requests(n)) => format!("requests({n})"),
        Val::Scaling(Scaling::None) => "none".into(),
        Val::Invalid => "(invalid)".into(),
    }
}

fn duration(secs: u64) -> String {
    for (unit, n) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs > 0 && secs.is_multiple_of(n) {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

fn size(mib: u64) -> String {
    if mib > 0 && mib.is_multiple_of(1024 * 1024) {
        format!("{}TB", mib / (1024 * 1024))
    } else if mib > 0 && mib.is_multiple_of(1024) {
        format!("{}GB", mib / 1024)
    } else {
        format!("{mib}MB")
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ip(a: u32) -> String {
    format!("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
}

/// A bare name where one of a set of names is expected: whether it is one, and the others.
pub fn enum_value(name: &str, ty: &Ty) -> Option<String> {
    let values: Vec<&str> = match ty {
        Ty::Enum(values) => values.to_vec(),
        Ty::Variant(variants) => variants.iter().map(|v| v.kind).collect(),
        _ => return None,
    };
    let list = values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
    Some(if values.contains(&name) {
        format!("**{name}**: one of {list}")
    } else {
        format!("**{name}** is not a valid value here: expected one of {list}")
    })
}

/// What a literal means.
pub fn literal(kind: &ValueKind) -> Option<String> {
    Some(match kind {
        ValueKind::Cidr(c) => cidr(*c),
        ValueKind::Duration(d) => {
            let secs = d.seconds()?;
            let mut parts = vec![format!("{}{}", d.value, d.suffix())];
            if secs >= 86_400 && secs.is_multiple_of(3600) {
                parts.push(format!("{} hours", thousands(secs / 3600)));
            } else if secs >= 3600 && secs.is_multiple_of(60) {
                parts.push(format!("{} minutes", thousands(secs / 60)));
            }
            parts.push(format!("{} s", thousands(secs)));
            parts.join(" = ")
        }
        ValueKind::Size(s) => {
            let mib = s.mebibytes()?;
            let mut out =
                format!("{}{} = {} {}iB", s.value, s.suffix(), thousands(s.value), &s.suffix()[..1]);
            if s.suffix() != "MB" {
                let _ = write!(out, " = {} MiB", thousands(mib));
            }
            out.push_str(" (pf sizes are binary)");
            out
        }
        ValueKind::Percent(p) => format!("{p}% = {:.2}", f64::from(*p) / 100.0),
        _ => return None,
    })
}

/// `10.10.0.0/16: 65,536 addresses, 10.10.0.0 – 10.10.255.255`.
pub fn cidr(c: Cidr) -> String {
    let first = c.network();
    let last = first.wrapping_add((c.size() - 1) as u32);
    let mut s = format!("{c}: {} addresses, {} – {}", thousands(c.size()), ip(first), ip(last));
    if !c.is_aligned() {
        let _ = write!(s, " (not aligned: the block starts at {})", ip(first));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use pf_compiler::ast::{Duration, DurationUnit, Size, SizeUnit};

    #[test]
    fn enum_values_list_the_alternatives() {
        let ty = Ty::Enum(&["small", "medium", "large"]);
        assert_eq!(
            enum_value("medium", &ty).as_deref(),
            Some("**medium**: one of `small`, `medium`, `large`")
        );
        assert!(enum_value("huge", &ty).is_some_and(|s| s.starts_with("**huge** is not a valid value")));
        assert_eq!(enum_value("x", &Ty::Bool), None);
    }

    #[test]
    fn literals_are_explained() {
        let c = Cidr { addr: (10 << 24) | (10 << 16), prefix: 16 };
        assert_eq!(cidr(c), "10.10.0.0/16: 65,536 addresses, 10.10.0.0 – 10.10.255.255");
        let d = ValueKind::Duration(Duration { value: 3, unit: DurationUnit::Days });
        assert_eq!(literal(&d).as_deref(), Some("3d = 72 hours = 259,200 s"));
        let s = ValueKind::Size(Size { value: 20, unit: SizeUnit::GB });
        assert_eq!(literal(&s).as_deref(), Some("20GB = 20 GiB = 20,480 MiB (pf sizes are binary)"));
    }
}
