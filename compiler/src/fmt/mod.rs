//! `pf fmt`: the canonical layout of a `.pf` file, printed from the syntax tree and its comments.
//!
//! The layout rules are in `docs/formatting.md`. The formatter only touches files that parse
//! without a diagnostic, and it is total on every tree the parser returns for them. As a last
//! line of defence, the output is parsed again: when it would not parse, or would lose a comment
//! or change the tree, the original text is returned unchanged (and debug builds panic, so the
//! tests catch the bug).

mod layout;
mod literal;
mod print;
mod verify;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::syntax::parse;

/// The column limit for keeping a one-line body or list on one line.
pub const WIDTH: usize = 100;

/// Formats `text`, or returns its syntax diagnostics when it does not parse.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = parse(FileId(0), text);
    if !parsed.diagnostics.is_empty() {
        return Err(parsed.diagnostics);
    }
    let out = print::file(text, &parsed.file);
    if verify::same_program(&parsed.file, &out) {
        Ok(out)
    } else {
        if cfg!(debug_assertions) {
            panic!("pf fmt: the formatted output differs in meaning or comments:\n{out}");
        }
        Ok(text.to_string())
    }
}
