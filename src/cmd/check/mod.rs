//! `pf check`: analyzes every FILE as its own program and reports every problem found.
//!
//! Human output goes to stderr, followed by a summary line; the machine formats (`short`,
//! `json`, `sarif`, `github`) go to stdout as one document for all files. Exit codes: 0 clean,
//! 1 problems found (unsuppressed errors, or warnings under `--deny-warnings`), 2 a file could
//! not be read (or, with `--fix`, written).
//!
//! `--fix` first applies the safe fixes of each FILE ([`fix`]), rewrites the files that changed
//! and says so, then reports what remains as `pf check` would. `--diff` writes nothing: it prints
//! the changes `--fix` would make as a unified diff on stdout and exits 1 if there are any.

mod fix;

use super::common::{self, DiskLoader};
use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use pf_compiler::diagnostic::render::{self, Format, Summary};
use pf_compiler::driver::{self, Analysis, Root};
use std::path::{Path, PathBuf};

/// Output formats of `pf check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Reports with source excerpts, on stderr.
    Human,
    /// One line per problem: `path:line:col: error[PF0001]: message`.
    Short,
    /// The JSON document described in docs/diagnostics.md.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Short => Format::Short,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
        }
    }
}

/// Arguments of `pf check`.
#[derive(clap::Args)]
pub struct Args {
    /// The .pf files to check; each is its own program.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Treat warnings as problems (exit 1).
    #[arg(long)]
    deny_warnings: bool,
    /// Apply every safe fix to the FILEs and rewrite those that change, then report what
    /// remains. Unsafe fixes (likely corrections that need review) are never applied.
    #[arg(long)]
    fix: bool,
    /// Write nothing: print the changes `--fix` would make as a unified diff on stdout, and exit
    /// 1 if there are any.
    #[arg(long, conflicts_with_all = ["fix", "format", "deny_warnings"])]
    diff: bool,
}

/// Runs `pf check`.
pub fn run(args: Args) -> u8 {
    if args.diff {
        return diff(&args.files);
    }
    let mut analyses: Vec<Analysis> = Vec::new();
    let mut io_error = false;
    let mut unreadable = 0;
    for path in &args.files {
        match common::read_root(path) {
            Ok(root) if args.fix => {
                let (analysis, written) = fix_file(path, root);
                analyses.push(analysis);
                io_error |= !written;
            }
            Ok(root) => analyses.push(driver::analyze(vec![root], &DiskLoader)),
            Err(message) => {
                eprintln!("error: {message}");
                io_error = true;
                unreadable += 1;
            }
        }
    }
    let (diagnostics, sources) = common::merge(&analyses);
    let summary = Summary::of(&diagnostics);
    let format = Format::from(args.format);
    if format == Format::Human {
        eprint!("{}", render::render(format, &diagnostics, &sources, common::stderr_colour()));
        // When nothing could be read, "checked 0 files: no problems" would read as a success.
        if !analyses.is_empty() {
            let not_read = match unreadable {
                0 => String::new(),
                1 => "; 1 file could not be read".to_string(),
                n => format!("; {n} files could not be read"),
            };
            eprintln!("{}{not_read}", summary_line(summary, analyses.len()));
        }
    } else {
        print!("{}", render::render(format, &diagnostics, &sources, false));
    }
    exit_code(summary, args.deny_warnings, io_error)
}

/// `--fix` on one file: rewrites it when its safe fixes change it, and says how many problems
/// they fixed. Returns the analysis to report (of the file as it now is on disk) and whether the
/// file could be written.
fn fix_file(path: &Path, root: Root) -> (Analysis, bool) {
    let name = root.name.clone();
    let outcome = fix::fix_root(root, &DiskLoader);
    let Some(changed) = outcome.changed else { return (outcome.before, true) };
    match common::write_atomically(path, changed.new.as_bytes()) {
        Ok(()) => {
            eprintln!("fixed {} in {name}", plural(changed.fixed, "problem"));
            (changed.after, true)
        }
        Err(e) => {
            eprintln!("error: cannot write {name}: {}", common::io_reason(&e));
            (outcome.before, false)
        }
    }
}

/// `--diff`: prints what `--fix` would change in each file; exit 1 if anything, 2 if a file
/// could not be read.
fn diff(files: &[PathBuf]) -> u8 {
    let (mut io_error, mut changed_files) = (false, 0);
    for path in files {
        let root = match common::read_root(path) {
            Ok(root) => root,
            Err(message) => {
                eprintln!("error: {message}");
                io_error = true;
                continue;
            }
        };
        let name = root.name.clone();
        let Some(changed) = fix::fix_root(root, &DiskLoader).changed else { continue };
        print!("{}", fix::unified_diff(&name, &changed.old, &changed.new));
        eprintln!("would fix {} in {name}", plural(changed.fixed, "problem"));
        changed_files += 1;
    }
    if io_error {
        EXIT_USAGE
    } else if changed_files > 0 {
        EXIT_PROBLEMS
    } else {
        eprintln!("nothing to fix in {}", plural(files.len(), "file"));
        EXIT_OK
    }
}

/// The exit code: I/O errors win, then unsuppressed errors, then warnings if denied.
pub fn exit_code(summary: Summary, deny_warnings: bool, io_error: bool) -> u8 {
    if io_error {
        EXIT_USAGE
    } else if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// `error: 2 errors, 1 warning in 3 files` or `checked 3 files: no problems`.
pub fn summary_line(summary: Summary, files: usize) -> String {
    let suppressed =
        if summary.suppressed > 0 { format!(" ({} suppressed)", summary.suppressed) } else { String::new() };
    let files = plural(files, "file");
    match (summary.errors, summary.warnings) {
        (0, 0) => format!("checked {files}: no problems{suppressed}"),
        (0, w) => format!("warning: {} in {files}{suppressed}", plural(w, "warning")),
        (e, 0) => format!("error: {} in {files}{suppressed}", plural(e, "error")),
        (e, w) => format!("error: {}, {} in {files}{suppressed}", plural(e, "error"), plural(w, "warning")),
    }
}

/// `1 file`, `2 files`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(errors: usize, warnings: usize, suppressed: usize) -> Summary {
        Summary { errors, warnings, suppressed }
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(s(0, 0, 0), false, false), EXIT_OK);
        assert_eq!(exit_code(s(0, 0, 3), true, false), EXIT_OK);
        assert_eq!(exit_code(s(1, 0, 0), false, false), EXIT_PROBLEMS);
        assert_eq!(exit_code(s(0, 2, 0), false, false), EXIT_OK);
        assert_eq!(exit_code(s(0, 2, 0), true, false), EXIT_PROBLEMS);
        assert_eq!(exit_code(s(1, 0, 0), false, true), EXIT_USAGE);
    }

    #[test]
    fn summary_lines() {
        assert_eq!(summary_line(s(2, 1, 0), 3), "error: 2 errors, 1 warning in 3 files");
        assert_eq!(summary_line(s(0, 0, 0), 3), "checked 3 files: no problems");
        assert_eq!(summary_line(s(1, 0, 0), 1), "error: 1 error in 1 file");
        assert_eq!(summary_line(s(0, 2, 1), 1), "warning: 2 warnings in 1 file (1 suppressed)");
    }
}
