//! Renderers: diagnostics and the sources they point into, to text in one of several formats.
//!
//! Every renderer is a pure function of `&[Diagnostic]` and `&SourceMap`, so the command line
//! and the language server share them and tests can snapshot them. Positions are 1-based lines
//! and columns counted in characters (Unicode scalar values), computed by the [`SourceMap`]'s
//! line index.
//!
//! - [`human`]: miette's graphical report, with the source excerpt, labels, help and notes.
//! - [`short`]: one line per diagnostic, `path:line:col: error[PF0001]: message`.
//! - [`json`]: the stable JSON document described in `docs/diagnostics.md`.
//! - [`sarif`]: SARIF 2.1.0 for code scanning.
//! - [`github`]: GitHub Actions workflow commands (`::error file=...::message`).
//!
//! Suppressed diagnostics are left out of `human`, `short` and `github`; `json` and `sarif`
//! carry them, marked as suppressed.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use std::fmt;
use std::str::FromStr;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Human,
    Short,
    Json,
    Sarif,
    Github,
}

impl Format {
    /// Every format, in the order the documentation lists them.
    pub const ALL: [Format; 5] = [Format::Human, Format::Short, Format::Json, Format::Sarif, Format::Github];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Short => "short",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown format `{s}`; expected human, short, json, sarif or github"))
    }
}

/// Renders `diagnostics` in `format`. `colour` only affects [`Format::Human`].
pub fn render(format: Format, diagnostics: &[Diagnostic], sources: &SourceMap, colour: bool) -> String {
    match format {
        Format::Human => human::render(diagnostics, sources, colour),
        Format::Short => short::render(diagnostics, sources),
        Format::Json => json::render(diagnostics, sources),
        Format::Sarif => sarif::render(diagnostics, sources),
        Format::Github => github::render(diagnostics, sources),
    }
}

/// Counts of diagnostics by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Errors no suppression silenced.
    pub errors: usize,
    /// Warnings no suppression silenced.
    pub warnings: usize,
    /// Diagnostics a `# pf:allow` comment silenced.
    pub suppressed: usize,
}

impl Summary {
    /// Counts `diagnostics`.
    pub fn of(diagnostics: &[Diagnostic]) -> Summary {
        let mut s = Summary::default();
        for d in diagnostics {
            match (d.suppression.is_some(), d.severity) {
                (true, _) => s.suppressed += 1,
                (false, Severity::Error) => s.errors += 1,
                (false, Severity::Warning) => s.warnings += 1,
            }
        }
        s
    }

    /// Adds another summary's counts to this one.
    pub fn add(&mut self, other: Summary) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.suppressed += other.suppressed;
    }
}

/// Where a span is: the file's name, 1-based start and end positions and byte offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub offset: usize,
    pub end_offset: usize,
}

/// Resolves `span` against `sources`. A span in a file the map does not know (a bug elsewhere)
/// resolves to `<unknown>:1:1` rather than panicking.
pub fn locate(sources: &SourceMap, span: Span) -> Location {
    match sources.iter().find(|(id, _)| *id == span.file) {
        Some((_, file)) => {
            let (line, column) = file.line_col(span.start as usize);
            let (end_line, end_column) = file.line_col(span.end.max(span.start) as usize);
            Location {
                file: file.name.clone(),
                line,
                column,
                end_line,
                end_column,
                offset: span.start as usize,
                end_offset: span.end.max(span.start) as usize,
            }
        }
        None => Location {
            file: "<unknown>".to_string(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            offset: span.start as usize,
            end_offset: span.end as usize,
        },
    }
}

/// `error[PF0001]` or `warning[PF2001]`.
pub fn severity_and_code(d: &Diagnostic) -> String {
    format!("{}[{}]", d.severity.as_str(), d.code.id)
}

/// The diagnostics no suppression silenced.
fn shown(diagnostics: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diagnostics.iter().filter(|d| d.suppression.is_none())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diagnostic::{codes, Applicability, Suppression};
    use crate::source::FileId;

    /// A small program with an error, a secondary label, a note, a fix and a suppressed
    /// diagnostic, for the renderers' tests.
    pub fn sample() -> (Vec<Diagnostic>, SourceMap) {
        let mut sources = SourceMap::new();
        let f = sources.add("dir/a, b.pf", "app web {\n  port = \"80\u{e9}\"\n}\n");
        let span = Span::new(f, 19, 24);
        let error = Diagnostic::new(codes::PF0001, span, "bad: 100%\nsecond line")
            .with_label("here")
            .with_secondary(Span::new(f, 0, 3), "in this app")
            .with_note("a note")
            .with_help("do better")
            .with_fix("replace it", span, "80", Applicability::Safe);
        let mut suppressed = Diagnostic::new(codes::PF0011, Span::new(f, 0, 3), "silenced");
        suppressed.suppression = Some(Suppression { span: Span::new(f, 0, 0), justification: "ok".into() });
        (vec![error, suppressed], sources)
    }

    #[test]
    fn formats_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn locates_in_characters() {
        let (d, sources) = sample();
        let loc = locate(&sources, d[0].primary.span);
        assert_eq!((loc.line, loc.column, loc.end_line, loc.end_column), (2, 10, 2, 14));
        let missing = locate(&sources, Span::new(FileId(9), 0, 0));
        assert_eq!(missing.file, "<unknown>");
    }

    #[test]
    fn summary_counts() {
        let (d, _) = sample();
        assert_eq!(Summary::of(&d), Summary { errors: 1, warnings: 0, suppressed: 1 });
    }
}
