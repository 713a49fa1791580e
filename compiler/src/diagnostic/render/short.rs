//! The `short` format: one line per diagnostic, `path:line:col: error[PF0001]: message`.
//!
//! Lines and columns are 1-based; columns count characters. Newlines in a message are shown as
//! spaces so every diagnostic stays on one line. Suppressed diagnostics are left out.

use super::{locate, severity_and_code, shown};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use std::fmt::Write;

/// Renders one line per unsuppressed diagnostic.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in shown(diagnostics) {
        let loc = locate(sources, d.primary.span);
        let message = d.message.replace(['\r', '\n'], " ");
        let _ =
            writeln!(out, "{}:{}:{}: {}: {}", loc.file, loc.line, loc.column, severity_and_code(d), message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn one_line_per_shown_diagnostic() {
        let (d, sources) = sample();
        assert_eq!(super::render(&d, &sources), "dir/a, b.pf:2:10: error[PF0001]: bad: 100% second line\n");
    }
}
