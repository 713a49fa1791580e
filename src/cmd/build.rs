//! `pf build`: compile programs into CloudFormation, buildspec and appspec files.
//!
//! All files are produced in memory first; only when every program compiled cleanly are they
//! written, each to a temporary file beside its target and then renamed into place. On any error
//! nothing is written and earlier output stays untouched. `--check` writes nothing and lists the
//! files that are stale (different, missing, or generated earlier but no longer produced).

use super::common::{read_root, report, DiskLoader};
use super::layout::layout;
use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use pf_compiler::codegen::{self, CfnFormat, OutputFile};
use pf_compiler::driver::analyze;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Arguments of `pf build`.
#[derive(clap::Args)]
pub struct Args {
    /// The programs to compile.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output folder (default: the project's `output`, relative to the repository root). Inside
    /// the repository the generated files name it; outside, it receives a copy of what would be
    /// committed (see docs/language.md, "Output paths").
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Write nothing; exit 1 and list the files that differ from what would be written.
    #[arg(long)]
    check: bool,
    /// Serialization of CloudFormation templates.
    #[arg(long, value_enum, default_value = "yaml")]
    cfn_format: Format,
}

/// CloudFormation serializations.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Yaml,
    Json,
}

/// Runs `pf build`.
pub fn run(args: Args) -> u8 {
    let options = codegen::Options {
        cfn_format: match args.cfn_format {
            Format::Yaml => CfnFormat::Yaml,
            Format::Json => CfnFormat::Json,
        },
    };
    // Compile everything in memory first.
    let mut planned: Vec<(PathBuf, OutputFile)> = Vec::new();
    let mut failed = false;
    for file in &args.files {
        let root = match read_root(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        };
        let analysis = analyze(vec![root], &DiskLoader);
        report(&analysis);
        if analysis.has_errors() {
            failed = true;
            continue;
        }
        let mut program = analysis.checked.program;
        let layout = match layout(file, &program.project.output, args.out.as_deref()) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        };
        program.project.source = layout.program;
        program.project.output = layout.output;
        for f in codegen::generate(&program, &options) {
            planned.push((layout.out_dir.clone(), f));
        }
    }
    if failed {
        eprintln!("error: nothing was written: fix the errors above first");
        return EXIT_PROBLEMS;
    }
    let mut seen = BTreeSet::new();
    for (dir, f) in &planned {
        if !seen.insert(dir.join(&f.path)) {
            eprintln!(
                "error: two programs generate {}; build them into different folders",
                dir.join(&f.path).display()
            );
            return EXIT_USAGE;
        }
    }
    if args.check {
        return check_stale(&planned);
    }
    match write_all(&planned) {
        Ok(written) => {
            eprintln!("wrote {} files ({} changed)", planned.len(), written);
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}; nothing was changed");
            EXIT_USAGE
        }
    }
}

/// Files in the app folders (and the folders below them) that pf generated earlier but that the
/// program no longer produces: templates and specs carry pf's header; template configurations
/// (JSON, which has no comments) are recognised by their shape.
fn leftovers(planned: &[(PathBuf, OutputFile)]) -> Vec<PathBuf> {
    let produced: BTreeSet<PathBuf> = planned.iter().map(|(d, f)| d.join(&f.path)).collect();
    let mut dirs: Vec<PathBuf> = produced.iter().filter_map(|p| p.parent().map(Path::to_path_buf)).collect();
    dirs.sort();
    dirs.dedup();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                dirs.push(path);
            } else if path.is_file() && !produced.contains(&path) && generated_by_pf(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Whether the file at `path` is one pf writes.
fn generated_by_pf(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.contains("Generated by pf")
        || (path.extension().is_some_and(|e| e == "json")
            && text.trim_start().starts_with('{')
            && text.contains("\"EnvName\"")
            && text.contains("\"StackPolicy\""))
}

fn check_stale(planned: &[(PathBuf, OutputFile)]) -> u8 {
    let mut stale: Vec<String> = Vec::new();
    for (dir, f) in planned {
        let path = dir.join(&f.path);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == f.contents.as_bytes() => {}
            Ok(_) => stale.push(format!("{} (differs)", path.display())),
            Err(_) => stale.push(format!("{} (missing)", path.display())),
        }
    }
    for p in leftovers(planned) {
        stale.push(format!("{} (no longer generated)", p.display()));
    }
    if stale.is_empty() {
        eprintln!("{} up to date", files(planned.len()));
        EXIT_OK
    } else {
        for s in &stale {
            println!("{s}");
        }
        let (n, verb) = (stale.len(), if stale.len() == 1 { "is" } else { "are" });
        eprintln!("error: {} {verb} stale; run `pf build` and commit the result", files(n));
        EXIT_PROBLEMS
    }
}

/// Writes every changed file and removes stale earlier output; returns how many files changed.
///
/// Files are written on every core. A file that does not exist yet is written in place; one that
/// exists is written to a temporary file beside it, and all of those are renamed into place only
/// once every file was written. On an error, the new files and the temporary files are removed,
/// so a failed write leaves the folder as it was (but for empty folders it created).
fn write_all(planned: &[(PathBuf, OutputFile)]) -> Result<usize, String> {
    let changed: Vec<(PathBuf, &str)> = planned
        .iter()
        .map(|(dir, f)| (dir.join(&f.path), f.contents.as_str()))
        .filter(|(path, contents)| !same_contents(path, contents))
        .collect();
    let dirs: BTreeSet<&Path> = changed.iter().filter_map(|(p, _)| p.parent()).collect();
    for dir in dirs {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let staged = codegen::parallel::map(&changed, |(path, contents)| stage(path, contents));
    if let Some(Err(message)) = staged.iter().find(|s| s.is_err()) {
        for s in staged.iter().flatten() {
            let _ = std::fs::remove_file(s.written());
        }
        return Err(message.clone());
    }
    for s in staged.iter().flatten() {
        if let Staged::Beside { tmp, path } = s {
            std::fs::rename(tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    for p in leftovers(planned) {
        let _ = std::fs::remove_file(p);
    }
    Ok(changed.len())
}

/// Whether the file at `path` holds exactly `contents` (its size is compared first).
fn same_contents(path: &Path, contents: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == contents.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == contents.as_bytes())
}

/// A file written by [`stage`].
enum Staged {
    /// A new file, written in place.
    New(PathBuf),
    /// A temporary file, to be renamed over `path`.
    Beside { tmp: PathBuf, path: PathBuf },
}

impl Staged {
    /// The file that was written.
    fn written(&self) -> &Path {
        match self {
            Staged::New(path) => path,
            Staged::Beside { tmp, .. } => tmp,
        }
    }
}

/// Writes `contents` for `path`: in place when no file is there (created exclusively, so a file
/// that appears meanwhile is never overwritten), else to a temporary file beside it.
fn stage(path: &Path, contents: &str) -> Result<Staged, String> {
    use std::io::Write;
    let fresh = std::fs::OpenOptions::new().write(true).create_new(true).open(path);
    match fresh {
        Ok(mut file) => match file.write_all(contents.as_bytes()) {
            Ok(()) => Ok(Staged::New(path.to_path_buf())),
            Err(e) => {
                let _ = std::fs::remove_file(path);
                Err(format!("cannot write {}: {e}", path.display()))
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
            let tmp = path.with_file_name(format!(".{name}.pf-tmp"));
            if let Err(e) = std::fs::write(&tmp, contents) {
                let _ = std::fs::remove_file(&tmp);
                return Err(format!("cannot write {}: {e}", tmp.display()));
            }
            Ok(Staged::Beside { tmp, path: path.to_path_buf() })
        }
        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
    }
}

/// `1 generated file`, `3 generated files`.
fn files(n: usize) -> String {
    format!("{n} generated file{}", if n == 1 { "" } else { "s" })
}
