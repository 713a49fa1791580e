//! The one diagnostic type of the compiler, its code registry and its renderers.
//!
//! Every phase reports problems as [`Diagnostic`] values; phases never stop at the first error.
//! The command line renders them (`render`), the language server converts the very same values.

pub mod codes;
pub mod fix;
pub mod render;

pub use codes::Code;
pub use fix::{apply_fixes, Fixed};

use crate::source::Span;
use serde::Serialize;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// How safe it is to apply a fix without looking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// The fix is certainly what the user meant (an editor may apply it as the preferred fix).
    Safe,
    /// The fix is a likely correction that a person should review.
    Unsafe,
}

/// A machine-applicable fix: a title and the edits that make it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// A finding that a suppression comment silenced, with the reason the comment gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// Where the suppression comment is.
    pub span: Span,
    pub justification: String,
}

/// A problem found in a program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Set when a `# pf:allow` comment silenced this finding; it is then reported as suppressed.
    pub suppression: Option<Suppression>,
}

impl Diagnostic {
    /// A diagnostic of `code` at its default severity, with `message` and a primary span.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary: Label { span, message: String::new() },
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
            suppression: None,
        }
    }

    /// Sets the message under the primary span.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets a fix of one edit.
    pub fn with_fix(
        mut self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
        applicability: Applicability,
    ) -> Diagnostic {
        self.fix = Some(Fix {
            title: title.into(),
            edits: vec![Edit { span, replacement: replacement.into() }],
            applicability,
        });
        self
    }

    /// Sets a fix of several edits (in order of position, not overlapping).
    pub fn with_fix_edits(
        mut self,
        title: impl Into<String>,
        edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Diagnostic {
        self.fix = Some(Fix { title: title.into(), edits, applicability });
        self
    }

    /// Whether this is an error that no suppression silenced.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error && self.suppression.is_none()
    }

    /// Replaces every span of the finding (its labels, its fix's edits and its suppression
    /// comment) by `f` of it: moved with the entry it is about (the checker's reuse).
    pub fn map_spans(&mut self, f: impl Fn(Span) -> Span) {
        self.primary.span = f(self.primary.span);
        self.secondary.iter_mut().for_each(|l| l.span = f(l.span));
        let edits = self.fix.iter_mut().flat_map(|fix| &mut fix.edits);
        edits.for_each(|e| e.span = f(e.span));
        if let Some(s) = &mut self.suppression {
            s.span = f(s.span);
        }
    }
}

/// Sorts diagnostics by file, position and code, the order every output uses.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span.file, a.primary.span.start, a.primary.span.end, a.code.id, &a.message).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.primary.span.end,
            b.code.id,
            &b.message,
        ))
    });
}
