//! Helpers shared by subcommands: reading files from disk, colour, merging analyses and
//! "did you mean" suggestions.

use pf_compiler::diagnostic::Diagnostic;
use pf_compiler::driver::{Analysis, Loader};
use pf_compiler::source::{FileId, SourceMap, Span};
use pf_compiler::syntax::MAX_FILE_SIZE;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// The most bytes read from a file whose size the file system reports: enough to see that it is
/// too large without reading gigabytes.
const READ_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads files relative to a directory (the directory of the root file being checked).
pub struct DiskLoader {
    pub base: PathBuf,
}

impl Loader for DiskLoader {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        read(&self.base.join(path))
    }
}

/// Reads a source file, or returns the message to print (`cannot read PATH: reason`).
///
/// A file larger than pf reads is read only far enough for the compiler to report it
/// (PF0004); a directory is an error.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    let fail = |e: std::io::Error| format!("cannot read {}: {}", path.display(), io_reason(&e));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if meta.is_dir() {
        return Err(format!("cannot read {}: it is a directory", path.display()));
    }
    let limit = meta.len().clamp(MAX_FILE_SIZE as u64 + 1, READ_LIMIT);
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes)).map_err(fail)?;
    Ok(bytes)
}

/// The reason of an I/O error without the `(os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Whether output to stderr should be coloured: stderr is a terminal and `NO_COLOR` is unset or
/// empty (<https://no-color.org>).
pub fn stderr_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
}

/// Merges the sources and diagnostics of several analyses into one source map, renumbering the
/// file ids of every span, so one document can report several programs.
pub fn merge(analyses: &[Analysis]) -> (Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    for a in analyses {
        let base = sources.iter().count() as u32;
        for (_, file) in a.sources.iter() {
            sources.add(file.name.clone(), file.text.clone());
        }
        for d in &a.diagnostics {
            let mut d = d.clone();
            shift(&mut d, base);
            diagnostics.push(d);
        }
    }
    (diagnostics, sources)
}

fn shift(d: &mut Diagnostic, by: u32) {
    let move_span = |s: &mut Span| s.file = FileId(s.file.0 + by);
    move_span(&mut d.primary.span);
    d.secondary.iter_mut().for_each(|l| move_span(&mut l.span));
    if let Some(fix) = &mut d.fix {
        fix.edits.iter_mut().for_each(|e| move_span(&mut e.span));
    }
    if let Some(s) = &mut d.suppression {
        move_span(&mut s.span);
    }
}

/// The candidate closest to `word` (case-insensitive edit distance at most 2), if any.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("pf0010", ["PF0001", "PF0010"]), Some("PF0010"));
        assert_eq!(did_you_mean("PF001", ["PF0001", "PF0110"]), Some("PF0001"));
        assert_eq!(did_you_mean("XYZ", ["PF0001"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn io_reasons_drop_the_os_error() {
        let e = std::io::Error::from_raw_os_error(2);
        assert!(!io_reason(&e).contains("os error"));
    }
}
