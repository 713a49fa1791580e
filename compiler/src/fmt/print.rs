//! The printer: a tree and its comments to canonical text.
//!
//! Every function returns the text of one construct whose first line starts at column `col`
//! (the caller has written what precedes it) and whose later lines carry their own absolute
//! indentation; `indent` is the nesting level of the line the construct starts on.

use super::layout::{layout, Elem, Layout};
use super::literal::{label, string};
use super::WIDTH;
use crate::ast::{Block, Body, Comment, Entry, File, Value, ValueKind};
use crate::source::Span;

/// Prints a whole file in the canonical layout.
pub(super) fn file(text: &str, file: &File) -> String {
    let p = Printer { text };
    let ranges: Vec<_> = file.entries.iter().map(|e| entry_range(e)).collect();
    let lay = layout(text, &ranges, &file.comments, None);
    let rendered: Vec<_> =
        file.entries.iter().zip(&lay.nested).map(|(e, comments)| p.entry(e, comments, 0)).collect();
    p.lines(&lay, &rendered, 0)
}

/// A rendered item of a multi-line container; attributes are kept apart to align their `=`.
enum Rendered {
    Attribute { key: String, value: String },
    Other(String),
}

struct Printer<'a> {
    text: &'a str,
}

impl Printer<'_> {
    /// An entry at nesting level `indent`.
    fn entry(&self, entry: &Entry, comments: &[Comment], indent: usize) -> Rendered {
        match entry {
            Entry::Attribute(a) => {
                let key = self.source(a.key.span);
                let col = indent * 2 + width(&key) + 3;
                Rendered::Attribute { value: self.value(&a.value, comments, indent, col), key }
            }
            Entry::Block(b) => {
                let head = header(b);
                let text = match &b.body {
                    Some(body) => {
                        let col = indent * 2 + width(&head) + 1;
                        format!("{head} {}", self.body(body, comments, indent, col))
                    }
                    None => head,
                };
                Rendered::Other(text)
            }
            Entry::Error(span) => Rendered::Other(self.source(*span)),
        }
    }

    fn value(&self, value: &Value, comments: &[Comment], indent: usize, col: usize) -> String {
        match &value.kind {
            ValueKind::List(items) => self.list(value.span, items, comments, indent, col),
            ValueKind::Pair(a, b) => {
                let left = self.value(a, within(comments, a.span), indent, col);
                let col = end_col(col, &left) + 4;
                format!("{left} -> {}", self.value(b, within(comments, b.span), indent, col))
            }
            ValueKind::Call { name, args } => {
                let mut out = format!("{}(", name.name);
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let col = end_col(col, &out);
                    out.push_str(&self.value(arg, within(comments, arg.span), indent, col));
                }
                out.push(')');
                out
            }
            ValueKind::Block { kind, body } => {
                let prefix = kind.as_ref().map(|k| format!("{} ", k.text)).unwrap_or_default();
                let col = col + width(&prefix);
                format!("{prefix}{}", self.body(body, comments, indent, col))
            }
            ValueKind::Error | ValueKind::TooLarge(_) => self.source(value.span),
            _ => flat_value(value, self),
        }
    }

    /// `{ ... }`: on one line when written so and it fits, else one entry per line.
    fn body(&self, body: &Body, comments: &[Comment], indent: usize, col: usize) -> String {
        if body.entries.is_empty() && comments.is_empty() {
            return "{}".to_string();
        }
        if comments.is_empty() && self.one_line(body.span) {
            let flat = flat_body(body, self);
            if col + width(&flat) <= WIDTH {
                return flat;
            }
        }
        let ranges: Vec<_> = body.entries.iter().map(entry_range).collect();
        let lay = layout(self.text, &ranges, comments, Some(body.span.start as usize));
        let rendered: Vec<_> =
            body.entries.iter().zip(&lay.nested).map(|(e, c)| self.entry(e, c, indent + 1)).collect();
        self.wrap('{', '}', &lay, &rendered, indent)
    }

    /// `[ ... ]`: on one line when written so and it fits, else one item per line.
    fn list(&self, span: Span, items: &[Value], comments: &[Comment], indent: usize, col: usize) -> String {
        if items.is_empty() && comments.is_empty() {
            return "[]".to_string();
        }
        if comments.is_empty() && self.one_line(span) {
            let flat = flat_list(items, self);
            if col + width(&flat) <= WIDTH {
                return flat;
            }
        }
        let ranges: Vec<_> = items.iter().map(|v| (v.span.start as usize, v.span.end as usize)).collect();
        let lay = layout(self.text, &ranges, comments, Some(span.start as usize));
        let col = (indent + 1) * 2;
        let rendered: Vec<_> = items
            .iter()
            .zip(&lay.nested)
            .map(|(v, c)| Rendered::Other(self.value(v, c, indent + 1, col)))
            .collect();
        self.wrap('[', ']', &lay, &rendered, indent)
    }

    /// A multi-line container: the brackets around its lines.
    fn wrap(&self, open: char, close: char, lay: &Layout, rendered: &[Rendered], indent: usize) -> String {
        let mut out = String::from(open);
        if let Some(c) = lay.open {
            out.push(' ');
            out.push_str(c.text.trim_end());
        }
        out.push('\n');
        out.push_str(&self.lines(lay, rendered, indent + 1));
        push_indent(&mut out, indent);
        out.push(close);
        out
    }

    /// The lines of a multi-line container at level `indent`, each ending with a newline, with
    /// `=` aligned in runs of attributes.
    fn lines(&self, lay: &Layout, rendered: &[Rendered], indent: usize) -> String {
        let keys = key_widths(lay, rendered);
        let mut out = String::new();
        for line in &lay.lines {
            if line.blank_before {
                out.push('\n');
            }
            push_indent(&mut out, indent);
            match line.elem {
                Elem::Comment(c) => out.push_str(c.text.trim_end()),
                Elem::Item(i) => {
                    match &rendered[i] {
                        Rendered::Attribute { key, value } => {
                            out.push_str(key);
                            let pad = keys[i].saturating_sub(width(key));
                            out.extend(std::iter::repeat_n(' ', pad));
                            out.push_str(" = ");
                            out.push_str(value);
                        }
                        Rendered::Other(text) => out.push_str(text),
                    }
                    if let Some(c) = lay.trailing[i] {
                        out.push(' ');
                        out.push_str(c.text.trim_end());
                    }
                }
            }
            out.push('\n');
        }
        out
    }

    /// Whether the source text of `span` is on one line.
    fn one_line(&self, span: Span) -> bool {
        !self.text.get(span.range()).unwrap_or("").contains(['\n', '\r'])
    }

    /// The source text of a span, as written (only for nodes that did not parse).
    fn source(&self, span: Span) -> String {
        self.text.get(span.range()).unwrap_or("").trim().to_string()
    }
}

/// The width of the longest key in each item's run of attributes (0 for other items).
///
/// A run is consecutive attribute lines with no blank line or comment line between them; an
/// attribute whose value spans several lines ends its run.
fn key_widths(lay: &Layout, rendered: &[Rendered]) -> Vec<usize> {
    let mut widths = vec![0; rendered.len()];
    let mut run: Vec<usize> = Vec::new();
    let mut flush = |run: &mut Vec<usize>| {
        let w = run.iter().filter_map(|&i| key_of(&rendered[i])).map(width).max().unwrap_or(0);
        for &i in run.iter() {
            widths[i] = w;
        }
        run.clear();
    };
    for line in &lay.lines {
        if line.blank_before {
            flush(&mut run);
        }
        match line.elem {
            Elem::Item(i) => match &rendered[i] {
                Rendered::Attribute { value, .. } => {
                    run.push(i);
                    if value.contains('\n') {
                        flush(&mut run);
                    }
                }
                Rendered::Other(_) => flush(&mut run),
            },
            Elem::Comment(_) => flush(&mut run),
        }
    }
    flush(&mut run);
    widths
}

fn key_of(r: &Rendered) -> Option<&str> {
    match r {
        Rendered::Attribute { key, .. } => Some(key),
        Rendered::Other(_) => None,
    }
}

/// `keyword label1 "label2" : parent`.
fn header(b: &Block) -> String {
    let mut out = b.keyword.name.clone();
    for l in &b.labels {
        out.push(' ');
        out.push_str(&label(l));
    }
    if let Some(parent) = &b.parent {
        out.push_str(" : ");
        out.push_str(&parent.text);
    }
    out
}

/// An entry on one line.
fn flat_entry(entry: &Entry, p: &Printer) -> String {
    match entry {
        Entry::Attribute(a) => format!("{} = {}", p.source(a.key.span), flat_value(&a.value, p)),
        Entry::Block(b) => match &b.body {
            Some(body) => format!("{} {}", header(b), flat_body(body, p)),
            None => header(b),
        },
        Entry::Error(span) => p.source(*span),
    }
}

/// `{ a = 1, b = 2 }`, or `{}`.
fn flat_body(body: &Body, p: &Printer) -> String {
    if body.entries.is_empty() {
        return "{}".to_string();
    }
    let entries: Vec<_> = body.entries.iter().map(|e| flat_entry(e, p)).collect();
    format!("{{ {} }}", entries.join(", "))
}

/// `[a, b]`.
fn flat_list(items: &[Value], p: &Printer) -> String {
    let items: Vec<_> = items.iter().map(|v| flat_value(v, p)).collect();
    format!("[{}]", items.join(", "))
}

/// A value on one line.
fn flat_value(value: &Value, p: &Printer) -> String {
    match &value.kind {
        ValueKind::String(s) => string(s),
        ValueKind::Int(n) => n.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Duration(d) => format!("{}{}", d.value, d.suffix()),
        ValueKind::Size(s) => format!("{}{}", s.value, s.suffix()),
        ValueKind::Percent(n) => format!("{n}%"),
        ValueKind::Cidr(c) => c.to_string(),
        ValueKind::List(items) => flat_list(items, p),
        ValueKind::Pair(a, b) => format!("{} -> {}", flat_value(a, p), flat_value(b, p)),
        ValueKind::Call { name, args } => {
            let args: Vec<_> = args.iter().map(|v| flat_value(v, p)).collect();
            format!("{}({})", name.name, args.join(", "))
        }
        ValueKind::Block { kind: Some(kind), body } => format!("{} {}", kind.text, flat_body(body, p)),
        ValueKind::Block { kind: None, body } => flat_body(body, p),
        ValueKind::Path(path) => path.text.clone(),
        ValueKind::Error | ValueKind::TooLarge(_) => p.source(value.span),
    }
}

/// The byte range of an entry, up to its last token (a block without a body may have trailing
/// blanks and a comment in its span).
fn entry_range(entry: &Entry) -> (usize, usize) {
    let span = entry.span();
    let end = match entry {
        Entry::Block(b) => match &b.body {
            Some(body) => body.span.end,
            None => {
                let last = b.labels.iter().map(|l| l.span().end).chain(b.parent.as_ref().map(|p| p.span.end));
                last.fold(b.keyword.span.end, u32::max)
            }
        },
        _ => span.end,
    };
    (span.start as usize, end as usize)
}

/// The comments that lie inside `span`.
fn within(comments: &[Comment], span: Span) -> &[Comment] {
    let from = comments.partition_point(|c| c.span.start < span.start);
    let to = comments.partition_point(|c| c.span.start < span.end);
    &comments[from..to.max(from)]
}

/// The column after writing `text` from column `col`.
fn end_col(col: usize, text: &str) -> usize {
    match text.rfind('\n') {
        Some(at) => width(&text[at + 1..]),
        None => col + width(text),
    }
}

/// The width of a text in columns (Unicode scalar values).
fn width(text: &str) -> usize {
    text.chars().count()
}

fn push_indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n("  ", level));
}
