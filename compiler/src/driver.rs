//! The driver: loads a program (root files and everything they `use`), parses and checks it.
//!
//! This is the entry point of the command line and the language server. It does no I/O itself:
//! files come through a [`Loader`].

use crate::diagnostic::{self, codes, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// Reads files for the driver. The command line reads the disk; the language server answers
/// from open documents first.
pub trait Loader {
    /// The bytes of the file at `path`, or the error message to report.
    fn load(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// Everything known about a program after analysis.
#[derive(Debug, Default)]
pub struct Analysis {
    pub sources: SourceMap,
    /// Parsed files, indexed by `FileId`.
    pub files: Vec<ast::File>,
    /// All diagnostics, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether any unsuppressed error was found.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A root file given as bytes (already read by the caller).
pub struct Root {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Parses and checks a program made of `roots` and the files they `use`.
pub fn analyze(roots: Vec<Root>, _loader: &dyn Loader) -> Analysis {
    let mut analysis = Analysis::default();
    for root in roots {
        let id = FileId(analysis.files.len() as u32);
        let text = match syntax::decode(id, &root.bytes) {
            Ok(text) => text,
            Err((text, d)) => {
                analysis.sources.add(root.name, text);
                analysis.files.push(ast::File { id, entries: Vec::new(), comments: Vec::new() });
                analysis.diagnostics.push(d);
                continue;
            }
        };
        let parse = syntax::parse(id, &text);
        analysis.sources.add(root.name, text);
        if parse.diagnostics.is_empty() && parse.file.entries.is_empty() {
            analysis.diagnostics.push(
                Diagnostic::new(codes::PF0002, Span::new(id, 0, 0), "this file declares nothing")
                    .with_help("declare an app, env or pipeline; see pf init"),
            );
        }
        analysis.diagnostics.extend(parse.diagnostics);
        analysis.files.push(parse.file);
    }
    diagnostic::sort(&mut analysis.diagnostics);
    analysis
}
