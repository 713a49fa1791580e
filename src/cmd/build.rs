//! `pf build`: compile programs into CloudFormation, buildspec and appspec files.
//!
//! All files are produced in memory first; only when every program compiled cleanly are they
//! written, each to a temporary file beside its target and then renamed into place. On any error
//! nothing is written and earlier output stays untouched. `--check` writes nothing and lists the
//! files that are stale (different, missing, or generated earlier but no longer produced).

use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use pf_compiler::codegen::{self, CfnFormat, OutputFile};
use pf_compiler::driver::{analyze, Analysis, Loader, Root};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Arguments of `pf build`.
#[derive(clap::Args)]
pub struct Args {
    /// The programs to compile.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output folder (default: the project's `output`, next to each program).
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

/// Reads `use`d files from the disk.
pub struct DiskLoader;

impl Loader for DiskLoader {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| e.to_string())
    }
}

/// Reads a root file; `Err` carries the message for a usage/I-O error.
pub fn read_root(path: &Path) -> Result<Root, String> {
    if path.is_dir() {
        return Err(format!("cannot read {}: it is a directory", path.display()));
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    Ok(Root { name: path.to_string_lossy().replace('\\', "/"), bytes })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        _ => e.to_string(),
    }
}

/// Prints an analysis' diagnostics in the short form on stderr.
pub(crate) fn report(a: &Analysis) {
    for d in a.diagnostics.iter().filter(|d| d.suppression.is_none()) {
        let f = a.sources.get(d.primary.span.file);
        let (line, col) = f.line_col(d.primary.span.start as usize);
        eprintln!("{}:{line}:{col}: {}[{}]: {}", f.name, d.severity.as_str(), d.code.id, d.message);
    }
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
        let out_dir = match &args.out {
            Some(o) => o.clone(),
            None => file.parent().unwrap_or(Path::new(".")).join(&analysis.checked.program.project.output),
        };
        for f in codegen::generate(&analysis.checked.program, &options) {
            planned.push((out_dir.clone(), f));
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

/// Files in the app folders that pf generated earlier (they carry its header) but that the
/// program no longer produces.
fn leftovers(planned: &[(PathBuf, OutputFile)]) -> Vec<PathBuf> {
    let produced: BTreeSet<PathBuf> = planned.iter().map(|(d, f)| d.join(&f.path)).collect();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for p in &produced {
        if let Some(parent) = p.parent() {
            dirs.insert(parent.to_path_buf());
        }
    }
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            if path.is_file() && !produced.contains(&path) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if text.contains("Generated by pf") {
                    out.push(path);
                }
            }
        }
    }
    out
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
        eprintln!("{} generated files are up to date", planned.len());
        EXIT_OK
    } else {
        for s in &stale {
            println!("{s}");
        }
        eprintln!("error: {} generated files are stale; run `pf build` and commit the result", stale.len());
        EXIT_PROBLEMS
    }
}

/// Writes every changed file: all to temporary files first, then renamed into place, and stale
/// earlier output removed. Returns how many files changed.
fn write_all(planned: &[(PathBuf, OutputFile)]) -> Result<usize, String> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (dir, f) in planned {
        let path = dir.join(&f.path);
        if std::fs::read(&path).is_ok_and(|b| b == f.contents.as_bytes()) {
            continue;
        }
        let parent = path.parent().unwrap_or(Path::new("."));
        if let Err(e) = std::fs::create_dir_all(parent) {
            cleanup(&staged);
            return Err(format!("cannot create {}: {e}", parent.display()));
        }
        let tmp =
            parent.join(format!(".{}.pf-tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
        if let Err(e) = std::fs::write(&tmp, &f.contents) {
            cleanup(&staged);
            return Err(format!("cannot write {}: {e}", tmp.display()));
        }
        staged.push((tmp, path));
    }
    for (tmp, path) in &staged {
        std::fs::rename(tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    for p in leftovers(planned) {
        let _ = std::fs::remove_file(p);
    }
    Ok(staged.len())
}
