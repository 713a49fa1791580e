//! Fixes that add or remove whole entries. They need the source text (lines, indentation,
//! separators), which the phases that report the findings do not see, so they are added here,
//! once checking is done: removing a field set twice (PF1002), adding a missing required field
//! (PF1003).

use crate::ast::{self, Body, Entry, ValueKind};
use crate::diagnostic::{codes, Applicability, Edit, Fix};
use crate::schema::{self, Schema, Ty, HOOK_BLOCK};
use crate::source::{SourceFile, SourceMap, Span};

/// Adds the fixes of this module to the diagnostics of `ctx` that have none yet.
pub fn add(ctx: &mut super::Ctx, files: &[ast::File], sources: &SourceMap) {
    let missing: crate::hash::FxHashMap<usize, &str> = ctx.missing.iter().copied().collect();
    for (i, d) in ctx.diagnostics.iter_mut().enumerate().filter(|(_, d)| d.fix.is_none()) {
        let at = d.primary.span;
        let Some(file) = files.iter().find(|f| f.id == at.file) else { continue };
        let source = sources.get(at.file);
        if d.code == codes::PF1002 {
            // A field twice is inside a declaration: its siblings are in that one's body.
            let top = file.entries.iter().find(|e| within(at, e.span()));
            d.fix = top.and_then(|e| remove_duplicate(source, std::slice::from_ref(&**e), at));
        } else if d.code == codes::PF1003 {
            d.fix = missing.get(&i).and_then(|name| add_missing(source, file, at, name));
        }
    }
}

/// Removes the entry whose key is at `key` (the second of two), with its line when it has one
/// to itself, or else with the separator before it (or after it, when it starts its line).
fn remove_duplicate(source: &SourceFile, entries: &[Entry], key: Span) -> Option<Fix> {
    let (siblings, i) = find_entry(entries, key)?;
    let entry = siblings[i].span();
    let text = &source.text;
    let (start, end) = (entry.start as usize, entry.end as usize);
    let line_start = source.line_start(source.line_index(start));
    let starts_line = text[line_start..start].trim().is_empty();
    // What follows on its line: a separator, a comment, or nothing, for an entry alone there.
    let rest = text[end..].split('\n').next().unwrap_or("").trim_start_matches([' ', '\t', ',', '\r']);
    let ends_line = rest.is_empty() || rest.starts_with('#');
    let next_on_line =
        siblings.get(i + 1).map(Entry::span).filter(|n| !text[end..n.start as usize].contains('\n'));
    let range = match (starts_line, ends_line, next_on_line, i.checked_sub(1)) {
        (true, true, _, _) => line_start..source.line_start(source.line_index(end) + 1),
        (true, false, Some(next), _) => start..next.start as usize,
        (_, _, _, Some(prev)) => siblings[prev].span().end as usize..end,
        _ => return None,
    };
    let name = &text[key.range()];
    Some(Fix {
        title: format!("remove this second `{name}`"),
        edits: vec![Edit { span: Span::new(key.file, range.start, range.end), replacement: String::new() }],
        applicability: Applicability::Unsafe,
    })
}

/// The entries around the field or block whose key is at `key`, and its index among them.
fn find_entry(entries: &[Entry], key: Span) -> Option<(&[Entry], usize)> {
    for (i, e) in entries.iter().enumerate() {
        if !within(key, e.span()) {
            continue;
        }
        let (own_key, body) = match e {
            Entry::Attribute(a) => match &a.value.kind {
                ValueKind::Block { body, .. } => (a.key.span, Some(body)),
                _ => (a.key.span, None),
            },
            Entry::Block(b) => (b.keyword.span, b.body.as_ref()),
            Entry::Error(_) => return None,
        };
        if own_key == key {
            return Some((entries, i));
        }
        return find_entry(&body?.entries, key);
    }
    None
}

/// Whether `inner` lies within `outer`.
fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// A block as written and the schema of its entries.
struct Owner<'a> {
    schema: &'static Schema,
    /// The whole block (`ec2 { ... }`, `network { ... }`, `app shop { ... }`), or the kind alone
    /// (`deploy = ec2`).
    span: Span,
    body: Option<&'a Body>,
}

/// Inserts the missing field `name` into the block a PF1003 at `at` is about, with a placeholder
/// value to edit.
fn add_missing(source: &SourceFile, file: &ast::File, at: Span, name: &str) -> Option<Fix> {
    let owner = file.entries.iter().find_map(|e| match &**e {
        Entry::Block(b) if within(at, b.span) => {
            let decl = schema::declaration(&b.keyword.name)?;
            owner(Owner { schema: decl.schema, span: b.span, body: b.body.as_ref() }, at)
        }
        _ => None,
    })?;
    let entry = owner.schema.field(name)?.placeholder_entry()?;
    let edit = match owner.body {
        None => Edit {
            span: Span::new(at.file, owner.span.end as usize, owner.span.end as usize),
            replacement: format!(" {{ {entry} }}"),
        },
        Some(body) if body.entries.iter().any(|e| key_name(e) == Some(name)) => return None,
        Some(body) => insertion(source, body, &entry)?,
    };
    Some(Fix {
        title: format!("add `{entry}` (edit the value)"),
        edits: vec![edit],
        applicability: Applicability::Unsafe,
    })
}

/// The innermost block of `outer` that `at` names: its header (name, kind) or, for a block
/// without a name, the block itself. `None` when `at` lies in an entry whose schema is unknown.
fn owner(outer: Owner<'_>, at: Span) -> Option<Owner<'_>> {
    let inner = outer.body.iter().flat_map(|b| &b.entries).find(|e| within(at, e.span()));
    let Some(entry) = inner else {
        let body_start = outer.body.map_or(outer.span.end, |b| b.span.start);
        return (at.start <= body_start).then_some(outer);
    };
    let schema = outer.schema;
    let next = match entry {
        Entry::Attribute(a) => {
            let ty = &schema.field(&a.key.name)?.ty;
            match (ty, &a.value.kind) {
                (Ty::Variant(vs), ValueKind::Block { kind: Some(k), body }) => {
                    let v = vs.iter().find(|v| v.kind == k.text)?;
                    Owner { schema: v.schema, span: a.value.span, body: Some(body) }
                }
                (Ty::Variant(vs), ValueKind::Path(k)) => {
                    let v = vs.iter().find(|v| v.kind == k.text)?;
                    Owner { schema: v.schema, span: a.value.span, body: None }
                }
                (Ty::Block(s) | Ty::Extends(s, _), ValueKind::Block { body, .. }) => {
                    Owner { schema: s, span: a.value.span, body: Some(body) }
                }
                (Ty::Hook, ValueKind::Block { body, .. }) => {
                    Owner { schema: &HOOK_BLOCK, span: a.value.span, body: Some(body) }
                }
                _ => return None,
            }
        }
        Entry::Block(b) => {
            let schema = match (schema.child(&b.keyword.name), schema.field(&b.keyword.name)) {
                (Some(c), _) if c.variants.is_empty() => c.schema,
                (Some(c), _) => c.variants.iter().find(|v| Some(v.kind) == b.name())?.schema,
                (None, Some(f)) => match &f.ty {
                    Ty::Block(s) | Ty::Extends(s, _) => s,
                    Ty::Hook => &HOOK_BLOCK,
                    _ => return None,
                },
                (None, None) => return None,
            };
            Owner { schema, span: b.span, body: b.body.as_ref() }
        }
        Entry::Error(_) => return None,
    };
    owner(next, at)
}

/// The name an entry sets: a field's key or a block's keyword.
fn key_name(e: &Entry) -> Option<&str> {
    match e {
        Entry::Attribute(a) => Some(&a.key.name),
        Entry::Block(b) => Some(&b.keyword.name),
        Entry::Error(_) => None,
    }
}

/// The edit that adds `entry` as the last entry of `body`: after a comma on a one-line body
/// (`{ min = 1, max = 1 }`), else on a line of its own, indented like the other entries (or one
/// level deeper than the line that opens the body).
fn insertion(source: &SourceFile, body: &Body, entry: &str) -> Option<Edit> {
    let text = &source.text;
    let (open, close) = (body.span.start as usize, body.span.end as usize - 1);
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let file = body.span.file;
    let last_end = body.entries.last().map(|e| e.span().end as usize);
    if source.line_index(open) == source.line_index(close) {
        return Some(match last_end {
            Some(end) => Edit { span: Span::new(file, end, end), replacement: format!(", {entry}") },
            None => Edit { span: Span::new(file, open + 1, close), replacement: format!(" {entry} ") },
        });
    }
    let indent_at = |offset: usize| {
        let start = source.line_start(source.line_index(offset));
        let line = &text[start..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    };
    let outer = indent_at(open);
    let indent = body
        .entries
        .iter()
        .map(|e| e.span().start as usize)
        .find(|&s| text[source.line_start(source.line_index(s))..s].trim().is_empty())
        .map_or_else(|| format!("{outer}  "), |s| indent_at(s).to_string());
    let close_line = source.line_start(source.line_index(close));
    Some(if text[close_line..close].trim().is_empty() {
        Edit { span: Span::new(file, close_line, close_line), replacement: format!("{indent}{entry}\n") }
    } else {
        // `  a = 1 }`: the new entry goes on its own line, and `}` on the next.
        let from = last_end.unwrap_or(open + 1);
        Edit { span: Span::new(file, from, close), replacement: format!("\n{indent}{entry}\n{outer}") }
    })
}

#[cfg(test)]
mod tests {
    use crate::schema::{self, Field, Schema, Ty};

    /// Every field of `s` and of the blocks inside it.
    fn fields(s: &'static Schema, out: &mut Vec<&'static Field>, seen: &mut Vec<*const Schema>) {
        if seen.contains(&(s as *const Schema)) {
            return;
        }
        seen.push(s);
        for f in s.fields {
            out.push(f);
            match &f.ty {
                Ty::Block(inner) | Ty::Extends(inner, _) => fields(inner, out, seen),
                Ty::Variant(vs) => vs.iter().for_each(|v| fields(v.schema, out, seen)),
                Ty::Hook => fields(&schema::HOOK_BLOCK, out, seen),
                _ => {}
            }
        }
        for c in s.children {
            fields(c.schema, out, seen);
            c.variants.iter().for_each(|v| fields(v.schema, out, seen));
        }
    }

    /// The entry a PF1003 fix inserts parses and is already formatted, for every required field.
    #[test]
    fn placeholder_entries_parse_and_format_stably() {
        let (mut all, mut seen) = (Vec::new(), Vec::new());
        schema::DECLS.iter().for_each(|d| fields(d.schema, &mut all, &mut seen));
        let required: Vec<&Field> = all.into_iter().filter(|f| f.required).collect();
        assert!(required.len() > 10);
        for f in required {
            let entry = f.placeholder_entry().unwrap_or_else(|| panic!("no placeholder for `{}`", f.name));
            let text = format!("app a {{\n  {entry}\n}}\n");
            assert_eq!(crate::fmt::format(&text).as_ref(), Ok(&text), "`{entry}`");
        }
    }
}
