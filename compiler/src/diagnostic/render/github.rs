//! The `github` format: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request.
//!
//! `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=PF0001::message` (`::warning`
//! for warnings). As GitHub documents, `%`, `\r` and `\n` are escaped in the message, and
//! additionally `:` and `,` in property values. Suppressed diagnostics are left out.

use super::{locate, shown};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;
use std::fmt::Write;

/// Renders one workflow command per unsuppressed diagnostic.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in shown(diagnostics) {
        let loc = locate(sources, d.primary.span);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&loc.file.replace('\\', "/")),
            loc.line,
            loc.column,
            loc.end_line,
            loc.end_column,
            escape_property(d.code.id),
            escape_data(&message),
        );
    }
    out
}

/// Escapes a message (GitHub's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (GitHub's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn escapes_and_skips_suppressed() {
        let (d, sources) = sample();
        assert_eq!(
            super::render(&d, &sources),
            "::error file=dir/a%2C b.pf,line=2,col=10,endLine=2,endColumn=14,title=PF0001::\
             bad: 100%25%0Asecond line%0Ahelp: do better\n"
        );
    }
}
