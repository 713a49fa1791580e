//! `textDocument/inlayHint`: after each pipeline action, the CodePipeline actions it becomes and
//! their run orders (`→ infra-prod #3, deploy-prod #4`), from the IR and its provenance; after
//! `env x : parent`, how many values it inherits.

use super::range;
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::check::value::{Obj, Val};
use pf_compiler::source::{FileId, Span};
use std::collections::BTreeMap;
use tower_lsp::lsp_types::{InlayHint, InlayHintLabel, InlayHintParams};

/// Answers an inlay hint request.
pub fn inlay_hints(snap: &Snapshot, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let mut hints = Vec::new();
    for (span, label) in action_hints(doc).into_iter().chain(inherit_hints(doc)) {
        let pos = range(doc, Span { start: span.end, ..span }, snap.encoding).start;
        if pos.line < params.range.start.line || pos.line > params.range.end.line {
            continue;
        }
        hints.push(InlayHint {
            position: pos,
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    Some(hints)
}

/// The header span of a pipeline action (the keyword and label, before its body).
fn header(doc: &DocAnalysis, span: Span) -> Span {
    let text = doc.text.get(span.range()).unwrap_or("");
    let end = text.find(['{', '\n']).map_or(text.len(), |i| i);
    let trimmed = text[..end].trim_end().len();
    Span::new(span.file, span.start as usize, span.start as usize + trimmed)
}

fn action_hints(doc: &DocAnalysis) -> Vec<(Span, String)> {
    let a = &doc.analysis;
    let mut by_span: BTreeMap<Span, Vec<String>> = BTreeMap::new();
    for p in &a.checked.program.pipelines {
        for s in &p.stages {
            for act in &s.actions {
                let key = format!("pipeline.{}.stage.{}.action.{}", p.name, s.name, act.name);
                let Some(span) = a.checked.provenance.actions.get(&key) else { continue };
                if span.file != FileId(0) {
                    continue;
                }
                by_span.entry(*span).or_default().push(format!("{} #{}", act.name, act.run_order));
            }
        }
    }
    by_span.into_iter().map(|(span, names)| (header(doc, span), format!("→ {}", names.join(", ")))).collect()
}

fn count_inherited(obj: &Obj, decl: Span) -> usize {
    let outside = |s: Span| s.file != decl.file || s.start < decl.start || s.end > decl.end;
    let mut n = 0;
    for f in obj.fields.values() {
        match &f.value.val {
            Val::Obj(inner) => n += count_inherited(inner, decl),
            Val::Map(m) => n += m.values().filter(|v| outside(v.span)).count(),
            _ => n += usize::from(outside(f.value.span)),
        }
    }
    for c in &obj.children {
        if outside(c.span) {
            n += 1;
        }
    }
    n
}

fn inherit_hints(doc: &DocAnalysis) -> Vec<(Span, String)> {
    let decls = &doc.analysis.checked.decls;
    decls
        .envs
        .iter()
        .chain(&decls.builds)
        .filter(|d| d.file == FileId(0))
        .filter_map(|d| {
            let parent = d.parent.as_ref()?;
            let n = count_inherited(d.flat(), d.span);
            Some((parent.span, format!("(+{n} inherited)")))
        })
        .collect()
}
