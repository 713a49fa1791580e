//! `textDocument/semanticTokens/full`: keywords, declaration names, fields, strings, numbers
//! (durations, sizes, percentages, CIDRs), enum values, comments and function calls, from the
//! schema-guided walk of [`crate::locate`]. Token types are [`crate::server::TOKEN_TYPES`].

use crate::convert::Encoding;
use crate::locate::{self, Sym, What};
use crate::state::{DocAnalysis, Snapshot};
use pf_compiler::ast::ValueKind;
use pf_compiler::source::FileId;
use tower_lsp::lsp_types::{SemanticToken, SemanticTokens, SemanticTokensParams, SemanticTokensResult};

const KEYWORD: u32 = 0;
const NAMESPACE: u32 = 1;
const TYPE: u32 = 2;
const PROPERTY: u32 = 3;
const STRING: u32 = 4;
const NUMBER: u32 = 5;
const ENUM_MEMBER: u32 = 6;
const COMMENT: u32 = 7;
const FUNCTION: u32 = 8;
const VARIABLE: u32 = 9;

/// Answers a full semantic tokens request.
pub fn full(snap: &Snapshot, params: SemanticTokensParams) -> Option<SemanticTokensResult> {
    let doc = &snap.doc(&params.text_document.uri)?.current;
    Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data: tokens(doc, snap.encoding) }))
}

fn sym_type(s: &Sym) -> u32 {
    match s {
        Sym::Env(_) | Sym::Module(_) => NAMESPACE,
        Sym::App(_) | Sym::Build(_) | Sym::Pipeline(_) => TYPE,
        Sym::Stage { .. } | Sym::Alarm { .. } => VARIABLE,
    }
}

/// The encoded tokens of a document.
pub fn tokens(doc: &DocAnalysis, enc: Encoding) -> Vec<SemanticToken> {
    let mut raw: Vec<(usize, usize, u32)> = Vec::new();
    for item in locate::items(&doc.analysis, FileId(0)) {
        let ty = match &item.what {
            What::DeclKeyword(_) | What::Child(_) => KEYWORD,
            What::Def(s) | What::Ref(s) => sym_type(s),
            What::ImplicitRef(_) => continue,
            What::Field(_) | What::Key(_) => PROPERTY,
            What::Label { .. } => VARIABLE,
            What::Variant(..) | What::EnumValue(..) => ENUM_MEMBER,
            What::Call(_) => FUNCTION,
            What::Literal(ValueKind::String(_), _) => STRING,
            What::Literal(ValueKind::Bool(_), _) => KEYWORD,
            What::Literal(..) => NUMBER,
        };
        raw.push((item.span.start as usize, item.span.end as usize, ty));
    }
    if let Some(file) = doc.analysis.files.first() {
        for c in &file.comments {
            raw.push((c.span.start as usize, c.span.end as usize, COMMENT));
        }
    }
    raw.sort();
    let text = &doc.text;
    let mut out = Vec::with_capacity(raw.len());
    let (mut prev_line, mut prev_char, mut prev_end) = (0u32, 0u32, 0usize);
    for (start, end, ty) in raw {
        if start < prev_end || end <= start || end > text.len() {
            continue;
        }
        let s = doc.index.position(text, start, enc);
        let e = doc.index.position(text, end, enc);
        if s.line != e.line {
            continue; // tokens are single-line
        }
        let delta_line = s.line - prev_line;
        let delta_start = if delta_line == 0 { s.character - prev_char } else { s.character };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: e.character - s.character,
            token_type: ty,
            token_modifiers_bitset: 0,
        });
        prev_line = s.line;
        prev_char = s.character;
        prev_end = end;
    }
    out
}
