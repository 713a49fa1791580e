//! Helpers shared by subcommands: reading files from disk, writing them atomically, colour,
//! reporting, merging analyses.

use pf_compiler::diagnostic::render;
use pf_compiler::diagnostic::Diagnostic;
use pf_compiler::driver::{Analysis, Loader, Root};
use pf_compiler::source::{FileId, SourceMap, Span};
use pf_compiler::syntax::MAX_FILE_SIZE;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

/// The most bytes read from a file whose size the file system reports: enough to see that it is
/// too large without reading gigabytes.
const READ_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads `use`d files from the disk. The driver gives paths already resolved against the
/// using file's folder (relative to the working directory, as the root's path is).
pub struct DiskLoader;

impl Loader for DiskLoader {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        read(Path::new(path))
    }
}

/// Reads a root file under the name it is reported with: the path as given, with forward
/// slashes.
pub fn read_root(path: &Path) -> Result<Root, String> {
    Ok(Root { name: path.to_string_lossy().replace('\\', "/"), bytes: read(path)? })
}

/// The analysis of the program at `path` when it checks without errors; otherwise the exit code
/// to return, after printing why (a file that cannot be read is a usage error).
pub fn analyze_clean(path: &Path) -> Result<Analysis, u8> {
    let root = read_root(path).map_err(|e| {
        eprintln!("error: {e}");
        super::EXIT_USAGE
    })?;
    let analysis = pf_compiler::driver::analyze(vec![root], &DiskLoader);
    if analysis.has_errors() {
        report(&analysis);
        return Err(super::EXIT_PROBLEMS);
    }
    Ok(analysis)
}

/// Prints an analysis' diagnostics in the short format on stderr (for commands whose output
/// is not the diagnostics).
pub fn report(a: &Analysis) {
    eprint!("{}", render::render(render::Format::Short, &a.diagnostics, &a.sources, false));
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

/// Replaces the file at `path` (through symbolic links) with `contents`, keeping its permissions:
/// writes a temporary file in the same directory, then renames it over the original, so a reader
/// sees the old file or the new one, never half of one. A read-only file is not replaced (the
/// rename would succeed in a writable folder, overriding what its owner asked for).
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    if permissions.readonly() {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "the file is read-only"));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.pf-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::set_permissions(&temp, permissions)?;
        std::fs::rename(&temp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reasons_drop_the_os_error() {
        let e = std::io::Error::from_raw_os_error(2);
        assert!(!io_reason(&e).contains("os error"));
    }
}
