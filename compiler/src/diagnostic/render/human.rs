//! The `human` format: miette's graphical report for every unsuppressed diagnostic.
//!
//! The header names the severity and code (`× error[PF0001]: message`), the excerpt shows the
//! primary label and the secondary labels of the same file, then `help:` and `note:` lines.
//! Labels in another file than the primary one become notes naming their position. Colour is
//! used only when asked; the width is fixed so the output is the same on every terminal.

use super::{locate, severity_and_code, shown};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::{floor_char_boundary, SourceFile, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt::{self, Write};

/// The width reports are wrapped to.
pub const WIDTH: usize = 100;

/// Renders every unsuppressed diagnostic as a report, separated by blank lines.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap, colour: bool) -> String {
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(WIDTH).with_links(false);
    let mut out = String::new();
    for d in shown(diagnostics) {
        let report = Report::new(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            // miette failed on this one (it should not); fall back to a plain line.
            let loc = locate(sources, d.primary.span);
            let _ = writeln!(
                out,
                "{}: {}\n  --> {}:{}:{}",
                report.header, d.message, loc.file, loc.line, loc.column
            );
        }
        for note in &report.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        out.push('\n');
    }
    out
}

/// A [`Diagnostic`] dressed for miette.
struct Report {
    header: String,
    severity: Severity,
    source: Option<CharColumns>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    notes: Vec<String>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &SourceMap) -> Report {
        let file = sources.iter().find(|(id, _)| *id == d.primary.span.file).map(|(_, f)| f);
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        if let Some(file) = file {
            labels.push(labeled(file, &d.primary, true));
        }
        for l in &d.secondary {
            match file {
                Some(file) if l.span.file == d.primary.span.file => labels.push(labeled(file, l, false)),
                _ => {
                    let loc = locate(sources, l.span);
                    notes.push(format!("{}:{}:{}: {}", loc.file, loc.line, loc.column, l.message));
                }
            }
        }
        notes.extend(d.notes.iter().cloned());
        Report {
            header: format!("{}: {}", severity_and_code(d), d.message),
            severity: d.severity,
            source: file.map(|f| CharColumns(NamedSource::new(f.name.clone(), f.text.clone()))),
            labels,
            help: d.help.clone(),
            notes,
        }
    }
}

/// A file whose columns miette reports in characters, as rustc does, not in bytes (its header
/// `file:line:column` would count `é` as two columns).
struct CharColumns(NamedSource<String>);

impl miette::SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.0.read_span(span, before, after)?;
        let text = self.0.inner().as_str();
        let start = inner.span().offset().min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let column = text.get(line_start..start).map_or(inner.column(), |t| t.chars().count());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// A miette label for `label`, clamped to the text and to character boundaries.
fn labeled(file: &SourceFile, label: &Label, primary: bool) -> LabeledSpan {
    let start = floor_char_boundary(&file.text, label.span.start as usize);
    let end = floor_char_boundary(&file.text, (label.span.end as usize).max(start));
    let message = (!label.message.is_empty()).then(|| label.message.clone());
    if primary {
        LabeledSpan::new_primary_with_span(message, (start, end - start))
    } else {
        LabeledSpan::new_with_span(message, (start, end - start))
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn the_header_counts_columns_in_characters() {
        use crate::diagnostic::{codes, Diagnostic};
        use crate::source::{SourceMap, Span};
        let mut sources = SourceMap::new();
        let text = "x = \"é🚀\", port: 1\n";
        let file = sources.add("a.pf", text);
        let at = text.find("port").unwrap();
        let d = Diagnostic::new(codes::PF0001, Span::new(file, at, at + 4), "bad");
        let out = super::render(&[d], &sources, false);
        assert!(out.contains("a.pf:1:11]"), "{out}");
    }

    #[test]
    fn report_has_header_excerpt_help_and_notes() {
        let (d, sources) = sample();
        let out = super::render(&d, &sources, false);
        assert!(out.contains("error[PF0001]: bad: 100%"), "{out}");
        assert!(out.contains("port = \"80é\""), "{out}");
        assert!(out.contains("here"), "{out}");
        assert!(out.contains("in this app"), "{out}");
        assert!(out.contains("help: do better"), "{out}");
        assert!(out.contains("note: a note"), "{out}");
        assert!(!out.contains("silenced"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(super::render(&d, &sources, true).contains('\u{1b}'));
    }
}
