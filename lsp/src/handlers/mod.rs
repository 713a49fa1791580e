//! One module per request. Each handler is a plain function from a [`Snapshot`] and the
//! request's parameters to its answer; `server.rs` runs it inside `catch_unwind`.

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod definition;
pub mod folding;
pub mod formatting;
pub mod highlight;
pub mod hover;
pub mod inlay_hints;
pub mod references;
pub mod rename;
pub mod selection;
pub mod semantic_tokens;
pub mod symbols;
pub mod workspace;

use crate::convert::{Encoding, LineIndex};
use crate::locate::{self, Item, Sym};
use crate::state::{name_of, DocAnalysis, Snapshot};
use pf_compiler::source::{FileId, Span};
use std::sync::Arc;
use tower_lsp::lsp_types::{Location, Position, Range, Url};

/// The analysis of a document and the byte offset of a position in it.
pub struct At {
    pub doc: Arc<DocAnalysis>,
    pub offset: usize,
}

/// The piece under the cursor: in the current analysis, or, while the document does not parse,
/// in the last good one (at the same line and character).
pub fn item_at(snap: &Snapshot, uri: &Url, pos: Position) -> Option<(At, Item)> {
    let view = snap.doc(uri)?;
    let mut candidates = vec![view.current.clone()];
    if !Arc::ptr_eq(&view.current, &view.good) {
        candidates.push(view.good.clone());
    }
    for doc in candidates {
        let offset = doc.index.offset(&doc.text, pos, snap.encoding);
        let items = locate::items(&doc.analysis, FileId(0));
        if let Some(item) = locate::at(&items, offset) {
            let item = item.clone();
            return Some((At { doc, offset }, item));
        }
    }
    None
}

/// The location of a span of an analysis (standard-library files are materialised on disk).
pub fn location(doc: &DocAnalysis, span: Span, enc: Encoding) -> Option<Location> {
    let uri = doc.location_uri(span.file)?;
    let text = &doc.analysis.sources.get(span.file).text;
    let range = LineIndex::new(text).range(text, span.start as usize, span.end as usize, enc);
    Some(Location { uri, range })
}

/// A range in the document's own text.
pub fn range(doc: &DocAnalysis, span: Span, enc: Encoding) -> Range {
    doc.index.range(&doc.text, span.start as usize, span.end as usize, enc)
}

/// Every occurrence of `sym` in the program of the document `uri`, deduplicated by location:
/// (location, is definition). That program is the files of the document's own analysis (itself
/// and what it `use`s) plus the open documents whose analysis includes it (a main file using a
/// library file); open documents that share nothing with it are not looked at, even if they
/// declare the same names.
pub fn all_occurrences(snap: &Snapshot, uri: &Url, sym: &Sym) -> Vec<(Location, bool)> {
    let mut out: Vec<(Location, bool)> = Vec::new();
    for doc in program(snap, uri) {
        for (s, span, def) in locate::occurrences(&doc.analysis) {
            if &s != sym {
                continue;
            }
            let Some(loc) = location(doc, span, snap.encoding) else { continue };
            if !out.iter().any(|(l, _)| *l == loc) {
                out.push((loc, def));
            }
        }
    }
    out.sort_by(|a, b| {
        (a.0.uri.as_str(), a.0.range.start.line, a.0.range.start.character).cmp(&(
            b.0.uri.as_str(),
            b.0.range.start.line,
            b.0.range.start.character,
        ))
    });
    out
}

/// The current analyses of the program of the document `uri`: its own first, then those of the
/// open documents whose analysis includes it.
pub fn program<'a>(snap: &'a Snapshot, uri: &Url) -> Vec<&'a Arc<DocAnalysis>> {
    let name = name_of(uri);
    let own = snap.doc(uri).map(|v| &v.current);
    let users = snap
        .docs
        .iter()
        .filter(|(u, v)| *u != uri && v.current.analysis.sources.find(&name).is_some())
        .map(|(_, v)| &v.current);
    own.into_iter().chain(users).collect()
}

/// The symbol at a position (a definition or a reference).
pub fn sym_at(snap: &Snapshot, uri: &Url, pos: Position) -> Option<(At, Item, Sym)> {
    let (at, item) = item_at(snap, uri, pos)?;
    let sym = match &item.what {
        locate::What::Def(s) | locate::What::Ref(s) => s.clone(),
        _ => return None,
    };
    Some((at, item, sym))
}
