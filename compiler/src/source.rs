//! Files, spans and positions: the one span model of the compiler.
//!
//! A [`Span`] is a byte range in one file, named by a [`FileId`]. The [`SourceMap`] owns the
//! text of every file of a program and answers line/column questions through
//! codespan-reporting's line index (shared by the CLI renderers and the language server).
//! UTF-16 conversion happens only in the language server.

use codespan_reporting::files::{self, Files};
use serde::Serialize;
use std::ops::Range;

/// Identifies one file of a program inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The byte range of the span.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both spans (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Whether `offset` lies inside the span (end inclusive, so a cursor after a word counts).
    pub fn contains(self, offset: usize) -> bool {
        self.start as usize <= offset && offset <= self.end as usize
    }
}

/// How an edit moved one top-level entry: the spans of `file` that start inside the entry's
/// old range `start..=end` move by `delta` bytes (what the checker reuses of a moved entry is
/// moved this way, see `check::resolve`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    pub delta: i64,
}

impl Move {
    /// Whether `span` is one of the spans this move moves.
    pub fn moves(&self, span: Span) -> bool {
        span.file == self.file && self.start <= span.start && span.start <= self.end
    }

    /// `span` after the move.
    pub fn apply(&self, span: Span) -> Span {
        if !self.moves(span) {
            return span;
        }
        let by = |offset: u32| (i64::from(offset) + self.delta) as u32;
        Span { start: by(span.start), end: by(span.end), ..span }
    }
}

/// One source file: its name (a path as the user wrote it, or `std/...` for the standard
/// library), its text and its line starts.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// The byte offset where each line starts (memchr finds the new lines with SIMD: a tenth of the
/// instructions of a byte loop on a 300 KB file).
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
    starts
}

impl SourceFile {
    /// A file from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = line_starts(&text);
        SourceFile { name: name.into(), text, line_starts }
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The byte offset where each line starts (lines end at `\n`).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and column (column counted in Unicode scalar values) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_start(line);
        let col = self.text[start..offset].chars().count();
        (line + 1, col + 1)
    }
}

/// The largest char boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every file of a program, by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name, text));
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The id of the file with this name, if any.
    pub fn find(&self, name: &str) -> Option<FileId> {
        self.files.iter().position(|f| f.name == name).map(|i| FileId(i as u32))
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.range()).unwrap_or("")
    }
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.files.get(id.0 as usize).map(|f| f.name.as_str()).ok_or(files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.files.get(id.0 as usize).map(|f| f.text.as_str()).ok_or(files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        let file = self.files.get(id.0 as usize).ok_or(files::Error::FileMissing)?;
        Ok(file.line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.files.get(id.0 as usize).ok_or(files::Error::FileMissing)?;
        if line_index >= file.line_count() {
            return Err(files::Error::LineTooLarge { given: line_index, max: file.line_count() - 1 });
        }
        Ok(file.line_start(line_index)..file.line_start(line_index + 1))
    }
}
