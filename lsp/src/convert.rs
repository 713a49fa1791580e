//! Positions, ranges and diagnostics: compiler byte offsets to LSP and back.
//!
//! The compiler speaks byte offsets ([`Span`]); LSP speaks `line`/`character` where a character
//! is counted in the negotiated encoding: UTF-8 bytes when the client offers it, UTF-16 code
//! units otherwise (an emoji is 4 bytes, 2 UTF-16 units, 1 `char`). This module is the only
//! place that converts.
//!
//! ```
//! use pf_lsp::convert::{Encoding, LineIndex};
//! let text = "a = \"é😀\"\nb = 1";
//! let index = LineIndex::new(text);
//! let end_of_string = text.find("\"\n").unwrap() + 1;
//! let p = index.position(text, end_of_string, Encoding::Utf16);
//! assert_eq!((p.line, p.character), (0, 9));
//! assert_eq!(index.offset(text, p, Encoding::Utf16), end_of_string);
//! ```

use pf_compiler::diagnostic::{self, Applicability, Severity};
use pf_compiler::driver::Analysis;
use pf_compiler::source::{floor_char_boundary, Span};
use serde::{Deserialize, Serialize};
use tower_lsp::lsp_types::{
    self as lsp, DiagnosticRelatedInformation, Location, NumberOrString, Position, PositionEncodingKind,
    Range, TextEdit, Url,
};

/// How LSP `character` offsets are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units, the LSP default.
    #[default]
    Utf16,
}

impl Encoding {
    /// Picks UTF-8 when the client offers it, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The LSP name of the encoding.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The start offsets of the lines of one text (lines end at `\n`, `\r\n` or a lone `\r`, as
/// the LSP specification counts them), and where its non-ASCII
/// characters are, so that a UTF-16 column costs a binary search, not a walk along the line.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Each non-ASCII char's byte offset, with the running total of `len_utf8 - len_utf16`
    /// over it and every such char before it.
    wide: Vec<(usize, usize)>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        LineIndex::with_starts(text, None)
    }

    /// Indexes `text`, taking the line starts from the compiler's file of the same text (which
    /// counts `\n` only: a text with a `\r` is indexed anew).
    pub fn of_source(text: &str, file: &pf_compiler::source::SourceFile) -> LineIndex {
        LineIndex::with_starts(text, (file.text == text).then(|| file.line_starts()))
    }

    fn with_starts(text: &str, known: Option<&[usize]>) -> LineIndex {
        let starts = if text.as_bytes().contains(&b'\r') {
            line_starts_with_cr(text)
        } else {
            known.map_or_else(|| pf_compiler::source::line_starts(text), <[usize]>::to_vec)
        };
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut excess = 0;
            for (i, c) in text.char_indices().filter(|(_, c)| !c.is_ascii()) {
                excess += c.len_utf8() - c.len_utf16();
                wide.push((i, excess));
            }
        }
        LineIndex { starts, wide }
    }

    /// How many more UTF-8 bytes than UTF-16 units the chars before `offset` take.
    fn excess_before(&self, offset: usize) -> usize {
        match self.wide.partition_point(|(at, _)| *at < offset) {
            0 => 0,
            n => self.wide[n - 1].1,
        }
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the index has no lines (never: an empty text has one line).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Byte offset of the start of 0-based `line` (the text's end past the last line).
    pub fn line_start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The LSP position of a byte offset (clamped to the text, rounded down to a char boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line, text).min(offset);
        let character = match enc {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => (offset - start) - (self.excess_before(offset) - self.excess_before(start)),
        };
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of an LSP position. A line past the end gives the end of the text; a
    /// character past the end of its line gives the end of the line; a character inside a
    /// multi-unit char gives the char's start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.line_start(line, text);
        let end = self.line_start(line + 1, text);
        column_offset(text, start, end, pos.character, enc)
    }

    /// The LSP range of a byte range.
    pub fn range(&self, text: &str, start: usize, end: usize, enc: Encoding) -> Range {
        Range { start: self.position(text, start, enc), end: self.position(text, end.max(start), enc) }
    }
}

/// The byte offset of `character` on the line `start..end` of `text` (see [`LineIndex::offset`]).
fn column_offset(text: &str, start: usize, end: usize, character: u32, enc: Encoding) -> usize {
    let line_text = text.get(start..end).unwrap_or("");
    // A `\r` before the `\n` stays addressable: clients that treat it as text send
    // positions after it. A lone `\r` ends its line.
    let line_text =
        line_text.strip_suffix('\n').or_else(|| line_text.strip_suffix('\r')).unwrap_or(line_text);
    let mut units = 0usize;
    for (i, c) in line_text.char_indices() {
        let w = enc.width(c);
        if units + w > character as usize {
            return start + i;
        }
        units += w;
    }
    start + line_text.len()
}

/// [`LineIndex::offset`] without an index: `text` is scanned up to the position's line only.
/// An edit's range costs that much instead of indexing the whole document on every change.
pub fn offset_of(text: &str, pos: Position, enc: Encoding) -> usize {
    let bytes = text.as_bytes();
    // The start of the line after the one that `from` starts.
    let next_line = |from: usize| -> Option<usize> {
        let i = from + bytes[from..].iter().position(|&b| b == b'\n' || b == b'\r')?;
        Some(if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 })
    };
    let mut start = 0;
    for _ in 0..pos.line {
        match next_line(start) {
            Some(next) => start = next,
            None => return text.len(),
        }
    }
    let end = next_line(start).unwrap_or(text.len());
    column_offset(text, start, end, pos.character, enc)
}

/// Line starts where a lone `\r` ends a line too (`\r\n` is one line end).
fn line_starts_with_cr(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// Converts a span of an analysis to an LSP range.
pub fn span_range(a: &Analysis, span: Span, enc: Encoding) -> Range {
    let file = a.sources.get(span.file);
    let index = LineIndex::new(&file.text);
    index.range(&file.text, span.start as usize, span.end as usize, enc)
}

/// Line indexes of every file of an analysis, computed once per conversion batch.
pub struct Files<'a> {
    a: &'a Analysis,
    indexes: Vec<Option<LineIndex>>,
    /// The root file's index, when the caller has it already.
    root: Option<&'a LineIndex>,
    enc: Encoding,
}

impl<'a> Files<'a> {
    /// Prepares conversions over `a`.
    pub fn new(a: &'a Analysis, enc: Encoding) -> Files<'a> {
        let n = a.sources.iter().count();
        Files { a, indexes: vec![None; n], root: None, enc }
    }

    /// Prepares conversions over a document's analysis, with its index of the root file.
    pub fn of_doc(doc: &'a crate::state::DocAnalysis, enc: Encoding) -> Files<'a> {
        let same = doc.analysis.sources.get(pf_compiler::source::FileId(0)).text == *doc.text;
        Files { root: same.then_some(&doc.index), ..Files::new(&doc.analysis, enc) }
    }

    /// The LSP range of a span.
    pub fn range(&mut self, span: Span) -> Range {
        let text = &self.a.sources.get(span.file).text;
        if let (0, Some(index)) = (span.file.0, self.root) {
            return index.range(text, span.start as usize, span.end as usize, self.enc);
        }
        let Some(slot) = self.indexes.get_mut(span.file.0 as usize) else {
            return Range::default();
        };
        let index = slot.get_or_insert_with(|| LineIndex::new(text));
        index.range(text, span.start as usize, span.end as usize, self.enc)
    }
}

/// A fix carried in an LSP diagnostic's `data`, so that code actions are a lookup.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FixData {
    pub title: String,
    pub preferred: bool,
    /// Edits by document URI.
    pub edits: Vec<(Url, TextEdit)>,
}

/// Converts a compiler diagnostic; `uri_of` names the document of each file (None when the file
/// has no URI, e.g. a standard-library module that is never shown).
pub fn diagnostic(
    d: &diagnostic::Diagnostic,
    files: &mut Files<'_>,
    uri_of: &dyn Fn(pf_compiler::source::FileId) -> Option<Url>,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let uri = uri_of(l.span.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range: files.range(l.span) },
                message: l.message.clone(),
            })
        })
        .collect();
    let data = d.fix.as_ref().and_then(|fix| {
        let edits: Option<Vec<(Url, TextEdit)>> = fix
            .edits
            .iter()
            .map(|e| {
                Some((
                    uri_of(e.span.file)?,
                    TextEdit { range: files.range(e.span), new_text: e.replacement.clone() },
                ))
            })
            .collect();
        let data = FixData {
            title: fix.title.clone(),
            preferred: fix.applicability == Applicability::Safe,
            edits: edits?,
        };
        serde_json::to_value(data).ok()
    });
    let severity = match (d.severity, &d.suppression) {
        (_, Some(_)) => lsp::DiagnosticSeverity::HINT,
        (Severity::Error, None) => lsp::DiagnosticSeverity::ERROR,
        (Severity::Warning, None) => lsp::DiagnosticSeverity::WARNING,
    };
    lsp::Diagnostic {
        range: files.range(d.primary.span),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.id.to_string())),
        // No public documentation site exists yet: `pf explain CODE` is the reference, so no
        // `codeDescription` link is invented.
        code_description: None,
        source: Some("pf".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_from_the_compiler_s_line_starts_equals_a_new_one() {
        for text in ["", "a\nb\n", "a\r\nb\rc\n", "é\n😀\n\nx"] {
            let file = pf_compiler::source::SourceFile::new("f.pf", text);
            let (reused, new) = (LineIndex::of_source(text, &file), LineIndex::new(text));
            assert_eq!(reused.len(), new.len(), "{text:?}");
            for offset in 0..=text.len() {
                assert_eq!(
                    reused.position(text, offset, Encoding::Utf16),
                    new.position(text, offset, Encoding::Utf16),
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn offsets_without_an_index_equal_the_index_s() {
        let texts = ["", "a", "a\n", "ab\r\ncd\rdé\n😀x\n\n", "\r\r\n\n", "line\r", "é😀\r\nz"];
        for text in texts {
            let index = LineIndex::new(text);
            for enc in [Encoding::Utf8, Encoding::Utf16] {
                for line in 0..index.len() as u32 + 2 {
                    for character in 0..8 {
                        let pos = Position { line, character };
                        assert_eq!(
                            offset_of(text, pos, enc),
                            index.offset(text, pos, enc),
                            "{text:?} {pos:?} {enc:?}"
                        );
                    }
                }
            }
        }
    }

    fn roundtrip(text: &str, enc: Encoding) {
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            if offset > 0 && text[..offset].ends_with('\r') {
                continue; // between `\r` and `\n`: not a cursor position
            }
            let p = index.position(text, offset, enc);
            assert_eq!(index.offset(text, p, enc), offset, "{enc:?} offset {offset} in {text:?}");
        }
    }

    #[test]
    fn ascii_positions() {
        let text = "env prod {\n  network { cidr = 10.0.0.0/16 }\n}\n";
        let index = LineIndex::new(text);
        let at = text.find("cidr").unwrap_or(0);
        let p = index.position(text, at, Encoding::Utf16);
        assert_eq!((p.line, p.character), (1, 12));
        roundtrip(text, Encoding::Utf16);
        roundtrip(text, Encoding::Utf8);
    }

    #[test]
    fn utf16_columns_match_counting_from_the_line_start() {
        let text = "é😀a\n\nb😀😀\r\n€x€\nplain\n日本";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let counted = text[start..offset].encode_utf16().count() as u32;
            assert_eq!(index.position(text, offset, Encoding::Utf16).character, counted, "at {offset}");
        }
    }

    #[test]
    fn multibyte_and_surrogate_pairs() {
        // é: 2 bytes, 1 UTF-16 unit; 😀: 4 bytes, 2 UTF-16 units (a surrogate pair).
        let text = "# café 😀 ok\napp x { tags { t = \"😀é\" } }\r\n";
        let index = LineIndex::new(text);
        let ok = text.find("ok").unwrap_or(0);
        let p16 = index.position(text, ok, Encoding::Utf16);
        let p8 = index.position(text, ok, Encoding::Utf8);
        assert_eq!(p16, Position { line: 0, character: 10 });
        assert_eq!(p8, Position { line: 0, character: 13 });
        let close = text.rfind('"').unwrap_or(0);
        assert_eq!(index.position(text, close, Encoding::Utf16), Position { line: 1, character: 23 });
        roundtrip(text, Encoding::Utf16);
        roundtrip(text, Encoding::Utf8);
    }

    #[test]
    fn positions_inside_a_surrogate_pair_or_past_the_end_clamp() {
        let text = "😀x\nab";
        let index = LineIndex::new(text);
        // Character 1 is the middle of the surrogate pair: it maps to the emoji's start.
        assert_eq!(index.offset(text, Position { line: 0, character: 1 }, Encoding::Utf16), 0);
        assert_eq!(index.offset(text, Position { line: 0, character: 2 }, Encoding::Utf16), 4);
        assert_eq!(index.offset(text, Position { line: 0, character: 99 }, Encoding::Utf16), 5);
        assert_eq!(index.offset(text, Position { line: 9, character: 0 }, Encoding::Utf16), text.len());
        // A byte offset inside the emoji rounds down.
        assert_eq!(index.position(text, 2, Encoding::Utf8), Position { line: 0, character: 0 });
        assert_eq!(index.position(text, 999, Encoding::Utf16), Position { line: 1, character: 2 });
    }

    #[test]
    fn a_lone_cr_ends_a_line_and_crlf_is_one_line_end() {
        let text = "a\rb\r\nc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.len(), 4);
        for (offset, line, character) in [(0, 0, 0), (2, 1, 0), (5, 2, 0), (7, 3, 0), (8, 3, 1)] {
            let p = index.position(text, offset, Encoding::Utf16);
            assert_eq!((p.line, p.character), (line, character), "offset {offset}");
        }
        // Past the end of line 0 is its end, before the `\r`.
        assert_eq!(index.offset(text, Position::new(0, 9), Encoding::Utf16), 1);
        roundtrip(text, Encoding::Utf16);
    }

    #[test]
    fn negotiation_prefers_utf8() {
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF16, PositionEncodingKind::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(Encoding::negotiate(Some(&[PositionEncodingKind::UTF16])), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
