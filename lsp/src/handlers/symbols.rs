//! `textDocument/documentSymbol` (hierarchical: declarations, their blocks, stages, actions) and
//! `workspace/symbol` (declarations of all open programs and of the workspace folders' `.pf`
//! files, fuzzy match on the name).

use super::workspace::Index;
use super::{location, range};
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::ast::{self, Entry};
use pf_compiler::schema::DeclKind;
use pf_compiler::source::FileId;
use tower_lsp::lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind,
    WorkspaceSymbolParams,
};

/// Answers a document symbol request.
pub fn document(snap: &Snapshot, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    let file = doc.analysis.files.first()?;
    let symbols = file.entries.iter().filter_map(|e| entry_symbol(snap, doc, e, 0)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

fn kind_of(keyword: &str, depth: usize) -> SymbolKind {
    match (depth, keyword) {
        (0, "app") => SymbolKind::CLASS,
        (0, "env" | "profile") => SymbolKind::NAMESPACE,
        (0, "pipeline") => SymbolKind::INTERFACE,
        (0, "build") => SymbolKind::STRUCT,
        (0, "use") => SymbolKind::MODULE,
        (0, _) => SymbolKind::PACKAGE,
        (_, "stage") => SymbolKind::METHOD,
        (_, "alarm" | "trigger") => SymbolKind::EVENT,
        (_, "build" | "test" | "deploy" | "approve" | "invoke" | "parallel") => SymbolKind::FUNCTION,
        _ => SymbolKind::PROPERTY,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written
fn entry_symbol(snap: &Snapshot, doc: &DocAnalysis, entry: &Entry, depth: usize) -> Option<DocumentSymbol> {
    let Entry::Block(b) = entry else { return None };
    if depth > 16 {
        return None;
    }
    let name = match b.name() {
        Some(n) if depth == 0 => n.to_string(),
        Some(n) => format!("{} {n}", b.keyword.name),
        None => b.keyword.name.clone(),
    };
    let detail = match (depth, &b.parent) {
        (0, Some(p)) => Some(format!("{} : {}", b.keyword.name, p.text)),
        (0, None) => Some(b.keyword.name.clone()),
        _ => None,
    };
    let children = children(snap, doc, b.body.as_ref().map_or(&[][..], |body| &body.entries), depth + 1);
    let selection = b.labels.first().map_or(b.keyword.span, |l| l.span());
    Some(DocumentSymbol {
        name,
        detail,
        kind: kind_of(&b.keyword.name, depth),
        tags: None,
        deprecated: None,
        range: range(doc, b.span, snap.encoding),
        selection_range: range(doc, selection, snap.encoding),
        children: (!children.is_empty()).then_some(children),
    })
}

/// The symbols of the entries of a body, in source order: blocks and typed block values
/// (`database = postgres { ... }`) as they come.
fn children(snap: &Snapshot, doc: &DocAnalysis, entries: &[Entry], depth: usize) -> Vec<DocumentSymbol> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Attribute(a) => attribute_symbol(snap, doc, a, depth),
            _ => entry_symbol(snap, doc, e, depth),
        })
        .collect()
}

/// Typed block values (`database = postgres { ... }`) are symbols too.
#[allow(deprecated)]
fn attribute_symbol(
    snap: &Snapshot,
    doc: &DocAnalysis,
    a: &ast::Attribute,
    depth: usize,
) -> Option<DocumentSymbol> {
    let ast::ValueKind::Block { kind, body } = &a.value.kind else { return None };
    let children = children(snap, doc, &body.entries, depth + 1);
    Some(DocumentSymbol {
        name: a.key.name.clone(),
        detail: kind.as_ref().map(|k| k.text.clone()),
        kind: SymbolKind::PROPERTY,
        tags: None,
        deprecated: None,
        range: range(doc, a.span, snap.encoding),
        selection_range: range(doc, a.key.span, snap.encoding),
        children: (!children.is_empty()).then_some(children),
    })
}

/// Whether `pattern` matches `name`: a case-insensitive substring, or its letters in order.
pub fn fuzzy(pattern: &str, name: &str) -> bool {
    let p = pattern.to_lowercase();
    let n = name.to_lowercase();
    if n.contains(&p) {
        return true;
    }
    let mut it = n.chars();
    p.chars().all(|c| it.any(|x| x == c))
}

/// Answers a workspace symbol request: the declarations of the open programs (open documents and
/// the files they `use`), then those of the other `.pf` files of the workspace folders.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be written
pub fn workspace(
    snap: &Snapshot,
    index: &Index,
    params: WorkspaceSymbolParams,
) -> Option<Vec<SymbolInformation>> {
    let mut out: Vec<SymbolInformation> = Vec::new();
    for view in snap.docs.values() {
        let doc = &view.current;
        for decl in doc.analysis.checked.decls.all() {
            if decl.kind == DeclKind::Use || !fuzzy(&params.query, &decl.name.name) {
                continue;
            }
            if doc.uri_of(decl.file).is_none() && decl.file != FileId(0) {
                continue; // standard-library declarations are not the user's symbols
            }
            let Some(loc) = location(doc, decl.name.span, snap.encoding) else { continue };
            if out.iter().any(|s| s.location == loc) {
                continue;
            }
            out.push(SymbolInformation {
                name: decl.name.name.clone(),
                kind: kind_of(decl.kind.keyword(), 0),
                tags: None,
                deprecated: None,
                location: loc,
                container_name: Some(decl.kind.keyword().to_string()),
            });
        }
    }
    let known = |name: &str| snap.docs.values().any(|v| v.current.analysis.sources.find(name).is_some());
    for decl in index.decls(&snap.folders, snap.encoding, &known) {
        if !fuzzy(&params.query, &decl.name) {
            continue;
        }
        out.push(SymbolInformation {
            name: decl.name,
            kind: kind_of(decl.kind.keyword(), 0),
            tags: None,
            deprecated: None,
            location: Location { uri: decl.uri, range: decl.range },
            container_name: Some(decl.kind.keyword().to_string()),
        });
    }
    Some(out)
}
