//! `pf fmt`: rewrites `.pf` files in the canonical layout (`docs/formatting.md`).
//!
//! Files are rewritten atomically (a temporary file in the same directory, then a rename) and
//! only when their text changes. A file that does not parse is never touched.

use super::common;
use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use pf_compiler::diagnostic::Diagnostic;
use pf_compiler::source::{FileId, SourceFile};
use pf_compiler::syntax::decode;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Arguments of `pf fmt`.
#[derive(clap::Args)]
pub struct Args {
    /// The files to format; `-` reads standard input and writes the result to standard output.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write nothing: list the files that would change and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// Runs `pf fmt`: the worst exit code over all files.
pub fn run(args: Args) -> u8 {
    let mut code = EXIT_OK;
    for path in &args.files {
        let result = if path.as_os_str() == "-" { stdin(args.check) } else { file(path, args.check) };
        code = code.max(result);
    }
    code
}

/// Formats standard input to standard output (with `--check`, only says whether it would change).
fn stdin(check: bool) -> u8 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: cannot read standard input: {e}");
        return EXIT_USAGE;
    }
    let name = "<stdin>";
    let Some((text, formatted)) = format_bytes(name, &bytes) else { return EXIT_PROBLEMS };
    if check {
        return if formatted == text { EXIT_OK } else { print_line(name) };
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(formatted.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: cannot write standard output: {e}");
            EXIT_USAGE
        }
    }
}

/// Formats one file in place (with `--check`, lists it when it would change).
fn file(path: &Path, check: bool) -> u8 {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read {shown}: {e}");
            return EXIT_USAGE;
        }
    };
    let Some((text, formatted)) = format_bytes(&shown, &bytes) else { return EXIT_PROBLEMS };
    if formatted == text {
        return EXIT_OK;
    }
    if check {
        return print_line(&shown);
    }
    match common::write_atomically(path, formatted.as_bytes()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: cannot write {shown}: {e}");
            EXIT_USAGE
        }
    }
}

/// Decodes and formats `bytes`: the text and its formatted form, or `None` after reporting
/// why the input cannot be formatted.
fn format_bytes(name: &str, bytes: &[u8]) -> Option<(String, String)> {
    let text = match decode(FileId(0), bytes) {
        Ok(text) => text,
        Err((shown, diagnostic)) => {
            report(name, &shown, &[diagnostic]);
            return None;
        }
    };
    match pf_compiler::fmt::format(&text) {
        Ok(formatted) => Some((text, formatted)),
        Err(mut diagnostics) => {
            pf_compiler::diagnostic::sort(&mut diagnostics);
            report(name, &text, &diagnostics);
            None
        }
    }
}

/// Prints diagnostics as `path:line:col: error[PFxxxx]: message`.
fn report(name: &str, text: &str, diagnostics: &[Diagnostic]) {
    let source = SourceFile::new(name, text);
    for d in diagnostics {
        let (line, col) = source.line_col(d.primary.span.start as usize);
        eprintln!("{name}:{line}:{col}: {}[{}]: {}", d.severity.as_str(), d.code.id, d.message);
    }
}

/// Prints one line on standard output and returns [`EXIT_PROBLEMS`] (for `--check`).
fn print_line(line: &str) -> u8 {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
    EXIT_PROBLEMS
}
