//! `textDocument/completion`, context-aware and working in files that do not parse: the
//! enclosing block comes from [`crate::context`] over the live text, resolved against the
//! schema; names (environments, apps, builds, alarms) come from the current and the last good
//! analysis.

use crate::context::{self, Context, Scope};
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::ast::Entry;
use pf_compiler::schema::{self, Child, DeclKind, Field, LabelRule, RefKind, Ty};
use pf_compiler::stdlib;
use std::collections::BTreeSet;
use tower_lsp::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, Range, TextEdit,
};

/// Answers a completion request.
pub fn completion(snap: &Snapshot, params: CompletionParams) -> Option<CompletionResponse> {
    let p = params.text_document_position;
    let view = snap.doc(&p.text_document.uri)?;
    let doc = &view.current;
    let offset = doc.index.offset(&doc.text, p.position, snap.encoding);
    let ctx = context::scan(&doc.text, offset);
    let docs = [&view.current, &view.good];
    // A standard preset picked without its `use` brings the `use` along.
    let import = |module: &str| {
        let at = doc.analysis.files.first().map_or(0, pf_compiler::driver::import_point);
        let p = doc.index.position(&doc.text, at, snap.encoding);
        TextEdit { range: Range { start: p, end: p }, new_text: format!("use {module}\n") }
    };
    let mut items = complete(&ctx, &docs, &imported(doc, offset), &import);
    // Inside a string, what was typed after the quote is replaced (values contain dots, which
    // many editors treat as word breaks).
    if let Some(typed) = ctx.in_string.then(|| string_start(&ctx.entry)).flatten() {
        let start = doc.index.position(&doc.text, offset - typed, snap.encoding);
        let range = Range { start, end: p.position };
        for i in &mut items {
            i.text_edit = Some(CompletionTextEdit::Edit(TextEdit { range, new_text: i.label.clone() }));
        }
    }
    // Module paths contain dots, which many editors treat as word breaks: `use std.b|` must
    // replace all of `std.b`, not only `b`.
    if let Some(path) = ctx.entry.strip_prefix("use ").map(str::trim_start) {
        if matches!(context::resolve(&ctx.headers), Scope::Top) && !path.starts_with('"') {
            let start = doc.index.position(&doc.text, offset - path.len(), snap.encoding);
            let range = Range { start, end: p.position };
            for i in &mut items {
                i.text_edit = Some(CompletionTextEdit::Edit(TextEdit { range, new_text: i.label.clone() }));
            }
        }
    }
    if !snap.snippets {
        for i in &mut items {
            if i.insert_text_format == Some(InsertTextFormat::SNIPPET) {
                i.insert_text = i.insert_text.as_deref().map(plain_text);
                i.insert_text_format = Some(InsertTextFormat::PLAIN_TEXT);
            }
        }
    }
    Some(CompletionResponse::Array(items))
}

/// The modules the document already has a `use` for, leaving out the `use` at `offset` (the one
/// being typed).
fn imported(doc: &DocAnalysis, offset: usize) -> BTreeSet<String> {
    let entries = doc.analysis.files.first().map_or(&[][..], |f| f.entries.as_slice());
    entries
        .iter()
        .filter_map(|e| match &**e {
            Entry::Block(b) if b.keyword.name == "use" && !b.span.contains(offset) => b.name(),
            _ => None,
        })
        .map(str::to_string)
        .collect()
}

/// A snippet as plain text, for clients without snippet support: tab stops (`$1`, `${1}`) are
/// removed and placeholders (`${1:name}`) leave their default text; `\$`, `\}` and `\\` are
/// unescaped.
pub fn plain_text(snippet: &str) -> String {
    fn walk(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String, nested: bool) {
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '}' if nested => return,
                '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                    while chars.next_if(char::is_ascii_digit).is_some() {}
                }
                '$' if chars.peek() == Some(&'{') => {
                    chars.next();
                    while chars.next_if(char::is_ascii_digit).is_some() {}
                    if chars.next_if_eq(&':').is_some() {
                        walk(chars, out, true);
                    } else {
                        // `${1}`, or a choice or variable this server never sends: skip it.
                        for c in chars.by_ref() {
                            if c == '}' {
                                break;
                            }
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }
    let mut out = String::new();
    walk(&mut snippet.chars().peekable(), &mut out, false);
    out
}

/// The completions for a context; `docs` are the analyses to take names from; `imported` are
/// the modules the file has a `use` for already (not offered again after `use `); `import` is
/// the edit that adds a `use` of a module.
pub fn complete(
    ctx: &Context,
    docs: &[&std::sync::Arc<DocAnalysis>],
    imported: &BTreeSet<String>,
    import: &dyn Fn(&str) -> TextEdit,
) -> Vec<CompletionItem> {
    if ctx.in_text {
        return if ctx.in_string { string_values(ctx) } else { Vec::new() };
    }
    let names = |kinds: &[DeclKind]| -> Vec<CompletionItem> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for d in docs {
            for decl in d.analysis.checked.decls.all().filter(|x| kinds.contains(&x.kind)) {
                if seen.insert(decl.name.name.clone()) {
                    out.push(item(&decl.name.name, CompletionItemKind::MODULE, decl.kind.keyword(), None));
                }
            }
        }
        out
    };
    let entry = ctx.entry.as_str();
    let words: Vec<&str> = entry.split_whitespace().collect();
    let scope = context::resolve(&ctx.headers);
    match scope {
        Scope::Top => {
            if let Some(rest) = entry.strip_prefix("use ") {
                if !rest.trim_start().starts_with('"') {
                    return stdlib::MODULES
                        .iter()
                        .filter(|(m, _)| !imported.contains(*m))
                        .map(|(m, _)| item(m, CompletionItemKind::MODULE, "standard library", None))
                        .collect();
                }
                return Vec::new();
            }
            if let Some((head, _)) = entry.split_once(':') {
                let mut head = head.split_whitespace();
                let (kw, own) = (head.next().unwrap_or(""), head.next().unwrap_or(""));
                let parents = match kw {
                    "env" => with_profiles(names(&[DeclKind::Env, DeclKind::Profile]), import),
                    "profile" => with_profiles(names(&[DeclKind::Profile]), import),
                    "build" => with_presets(names(&[DeclKind::Build]), import),
                    _ => Vec::new(),
                };
                // A declaration never extends itself (PF1008).
                return parents.into_iter().filter(|i| i.label != own).collect();
            }
            if words.len() <= 1 && !entry.ends_with(' ') {
                return schema::DECLS.iter().map(declaration_snippet).collect();
            }
            Vec::new()
        }
        Scope::Block { schema, .. } => {
            if let Some((key, value)) = entry.split_once('=') {
                // `nat = single ` or `source = codecommit { .. } `: the value is written; a space
                // after it (a trigger character) should not offer values again.
                if !ctx.in_list && !value.trim().is_empty() && entry.ends_with(char::is_whitespace) {
                    return Vec::new();
                }
                let key = key.trim();
                let Some(field) = schema.field(key) else { return Vec::new() };
                let mut ty = &field.ty;
                if let (true, Ty::List(inner)) = (ctx.in_list, ty) {
                    ty = inner;
                }
                let mut out = table_values(field, true);
                out.extend(values(ty, ctx, docs, &names, import));
                return out;
            }
            if let Some(child) = words.first().and_then(|w| schema.child(w)) {
                // `deploy test `: the label is written; nothing more to offer.
                if words.len() > 2 || (words.len() == 2 && entry.ends_with(' ')) {
                    return Vec::new();
                }
                if words.len() > 1 || entry.ends_with(' ') {
                    if child.label_ref == Some(RefKind::Env) {
                        return names(&[DeclKind::Env]);
                    }
                    return child
                        .variants
                        .iter()
                        .map(|v| item(v.kind, CompletionItemKind::ENUM_MEMBER, v.doc, None))
                        .collect();
                }
            }
            if words.len() > 1 || entry.ends_with(' ') {
                return Vec::new();
            }
            let typed = words.first().copied().unwrap_or("");
            let mut out: Vec<CompletionItem> = schema
                .fields
                .iter()
                .filter(|f| f.name == typed || !ctx.block_keys.iter().any(|k| k == f.name))
                .map(field_snippet)
                .collect();
            out.extend(schema.children.iter().map(child_snippet));
            out
        }
        Scope::Map(ty) => match entry.split_once('=') {
            Some(_) => values(ty, ctx, docs, &names, import),
            None => Vec::new(),
        },
        Scope::Unknown => Vec::new(),
    }
}

fn values(
    ty: &'static Ty,
    ctx: &Context,
    docs: &[&std::sync::Arc<DocAnalysis>],
    names: &dyn Fn(&[DeclKind]) -> Vec<CompletionItem>,
    import: &dyn Fn(&str) -> TextEdit,
) -> Vec<CompletionItem> {
    match ty {
        Ty::Enum(values) => {
            values.iter().map(|v| item(v, CompletionItemKind::ENUM_MEMBER, "", None)).collect()
        }
        Ty::Bool => {
            ["true", "false"].iter().map(|v| item(v, CompletionItemKind::KEYWORD, "", None)).collect()
        }
        Ty::Variant(vs) => vs
            .iter()
            .map(|v| {
                item(v.kind, CompletionItemKind::ENUM_MEMBER, v.doc, Some(format!("{} {{ $0 }}", v.kind)))
            })
            .collect(),
        Ty::Extends(_, DeclKind::Build) => with_presets(names(&[DeclKind::Build]), import),
        Ty::Ref(RefKind::App) => names(&[DeclKind::App]),
        Ty::Ref(RefKind::Env) => names(&[DeclKind::Env]),
        Ty::Ref(RefKind::Alarm) => {
            let env = ctx.headers.first().and_then(|h| h.split_whitespace().nth(1)).unwrap_or("");
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for d in docs {
                let decls = &d.analysis.checked.decls;
                let Some(decl) = decls.envs.iter().find(|x| x.name.name == env) else { continue };
                for c in decl.flat().children.iter().filter(|c| c.keyword == "alarm") {
                    if let Some(l) = &c.label {
                        if seen.insert(l.name.clone()) {
                            out.push(item(&l.name, CompletionItemKind::VARIABLE, "alarm", None));
                        }
                    }
                }
            }
            out
        }
        Ty::Scaling => vec![
            item("cpu", CompletionItemKind::FUNCTION, "target CPU utilisation", Some("cpu(${1:60}%)".into())),
            item(
                "requests",
                CompletionItemKind::FUNCTION,
                "target requests per target",
                Some("requests(${1:1000})".into()),
            ),
            item("none", CompletionItemKind::ENUM_MEMBER, "no scaling policy", None),
        ],
        Ty::Text => vec![
            item(
                "secret",
                CompletionItemKind::FUNCTION,
                "a Secrets Manager secret",
                Some("secret(\"$1\")".into()),
            ),
            item("param", CompletionItemKind::FUNCTION, "an SSM parameter", Some("param(\"$1\")".into())),
        ],
        _ => Vec::new(),
    }
}

/// The values of a text field's table in the standard library ([`Field::table`]), each with
/// its documentation; `quoted`: inserted as a string (after `=`), else as the string's text
/// (inside quotes already).
fn table_values(field: &'static Field, quoted: bool) -> Vec<CompletionItem> {
    let Some(table) = field.table else { return Vec::new() };
    let header = table.header();
    table
        .values()
        .iter()
        .map(|v| {
            let default = field.default == Some(format!("\"{v}\"").as_str());
            let mut i = item(v, CompletionItemKind::VALUE, field.doc, None);
            i.insert_text = Some(if quoted { format!("\"{v}\"") } else { v.to_string() });
            i.filter_text = Some(v.to_string());
            let note = if default { " (the default)" } else { "" };
            i.documentation = markdown(format!("**{v}**{note}\n\n{}\n\n{header}", field.doc));
            i.preselect = default.then_some(true);
            i
        })
        .collect()
}

/// Completions inside a string: the values of the field's table (`instance = "t3.|`).
fn string_values(ctx: &Context) -> Vec<CompletionItem> {
    let Scope::Block { schema, .. } = context::resolve(&ctx.headers) else { return Vec::new() };
    let Some((key, value)) = ctx.entry.split_once('=') else { return Vec::new() };
    let Some(field) = schema.field(key.trim()) else { return Vec::new() };
    if !value.trim_start().starts_with('"') || value.trim_start()[1..].contains('"') {
        return Vec::new();
    }
    table_values(field, false)
}

/// The start of what is typed inside the string at the end of `entry` (after its quote).
pub fn string_start(entry: &str) -> Option<usize> {
    entry.rfind('"').map(|q| entry.len() - q - 1)
}

/// `out` and the standard presets of `list` not imported yet, each with the edit that imports
/// it and its module's documentation.
fn with_stdlib(
    mut out: Vec<CompletionItem>,
    list: &[(&str, &str)],
    import: &dyn Fn(&str) -> TextEdit,
) -> Vec<CompletionItem> {
    for (name, module) in list {
        if !out.iter().any(|i| i.label == *name) {
            let mut i = item(name, CompletionItemKind::MODULE, &format!("preset from `use {module}`"), None);
            i.additional_text_edits = Some(vec![import(module)]);
            i.documentation = stdlib::doc(module).and_then(markdown);
            out.push(i);
        }
    }
    out
}

/// Build presets of the program plus those of the standard library.
fn with_presets(out: Vec<CompletionItem>, import: &dyn Fn(&str) -> TextEdit) -> Vec<CompletionItem> {
    with_stdlib(out, stdlib::BUILD_PRESETS, import)
}

/// Environment profiles of the program plus those of the standard library.
fn with_profiles(out: Vec<CompletionItem>, import: &dyn Fn(&str) -> TextEdit) -> Vec<CompletionItem> {
    with_stdlib(out, stdlib::PROFILES, import)
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, snippet: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        insert_text_format: snippet.as_ref().map(|_| InsertTextFormat::SNIPPET),
        insert_text: snippet,
        ..CompletionItem::default()
    }
}

fn markdown(text: String) -> Option<Documentation> {
    Some(Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: text }))
}

fn declaration_snippet(d: &'static schema::Decl) -> CompletionItem {
    let snippet = match d.keyword {
        "app" => "app ${1:name} {\n\tsource = codecommit { repository = \"${2:$1}\" }\n\tbuild = ${3:go}\n\tdeploy = ec2 {\n\t\tport = ${4:8080}\n\t}\n}",
        "env" => "env ${1:name} : ${2:cost_optimized} {\n\tnetwork { cidr = ${3:10.0.0.0/16} }\n}",
        "pipeline" => "pipeline ${1:name} {\n\tstage build { build }\n\tstage ${2:test} { deploy ${3:test} }\n}",
        "project" => "project {\n\toutput = \"${1:pf-out}\"\n}",
        "use" => "use ${1:std.build.go}",
        "profile" => "profile ${1:name} {\n\t$0\n}",
        "build" => "build ${1:name} {\n\t$0\n}",
        other => other,
    };
    let mut i = item(d.keyword, CompletionItemKind::KEYWORD, "declaration", Some(snippet.to_string()));
    i.documentation = markdown(d.doc.to_string());
    i
}

fn field_snippet(f: &'static Field) -> CompletionItem {
    let snippet = match &f.ty {
        Ty::Block(_) | Ty::Map(_) => format!("{} {{\n\t$0\n}}", f.name),
        Ty::List(_) => format!("{} = [$0]", f.name),
        Ty::Str => format!("{} = \"$0\"", f.name),
        _ => format!("{} = $0", f.name),
    };
    let mut i = item(f.name, CompletionItemKind::PROPERTY, &f.ty.describe(), Some(snippet));
    i.documentation = markdown(super::hover::field_doc(f));
    i
}

fn child_snippet(c: &'static Child) -> CompletionItem {
    let has_body = !c.schema.fields.is_empty() || !c.schema.children.is_empty();
    let snippet = match (c.label, has_body, c.label_ref) {
        (_, _, Some(_)) => format!("{} ${{1:name}}", c.keyword),
        (LabelRule::None, true, _) => format!("{} {{\n\t$0\n}}", c.keyword),
        (LabelRule::None, false, _) => c.keyword.to_string(),
        (_, _, _) if !c.variants.is_empty() => {
            format!("{} ${{1:{}}}", c.keyword, c.variants.first().map_or("", |v| v.kind))
        }
        (_, _, _) => format!("{} ${{1:name}} {{\n\t$0\n}}", c.keyword),
    };
    let mut i = item(c.keyword, CompletionItemKind::STRUCT, "block", Some(snippet));
    i.documentation = markdown(c.doc.to_string());
    i
}

#[cfg(test)]
mod tests {
    use super::plain_text;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(plain_text("test ${1:name} {\n\t$0\n}"), "test name {\n\t\n}");
        assert_eq!(plain_text("repository = \"${2:$1}\""), "repository = \"\"");
        assert_eq!(plain_text("cpu(${1:60}%)"), "cpu(60%)");
        assert_eq!(plain_text("secret(\"$1\") ${2} \\$x"), "secret(\"\")  $x");
        assert_eq!(plain_text("compute"), "compute");
    }
}
