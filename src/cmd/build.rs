//! `pf build`: compile programs into CloudFormation, buildspec and appspec files.
//!
//! All files are produced in memory first; only when every program compiled cleanly are they
//! written, under temporary names, and then renamed into place (`write`). On any error nothing
//! is written and earlier output stays untouched. `--check` writes nothing and lists the
//! files that are stale (different, missing, or generated earlier but no longer produced).
//! The summary line gives the monthly estimate of what was built (`cost::render::brief`), for
//! programs of at most `cost::BUILD_PRICES_APPS` apps.

use super::common::{read_root, report, DiskLoader};
use super::layout::layout;
use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};

mod write;
use pf_compiler::codegen::{self, CfnFormat, OutputFile};
use pf_compiler::cost::{self, render::brief, render::not_priced, Estimate};
use pf_compiler::driver::analyze;
use std::collections::{BTreeSet, HashSet};
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
    let mut estimates: Vec<Estimate> = Vec::new();
    let mut unpriced_apps = 0;
    let mut failed = false;
    for file in &args.files {
        let root = match read_root(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        };
        let mut analysis = analyze(vec![root], &DiskLoader);
        report(&analysis);
        if analysis.has_errors() {
            failed = true;
            continue;
        }
        // Only the IR is needed from here: the syntax trees and declarations are freed before
        // generation (about 30 MB of the peak of 1,000 apps).
        let mut program = std::mem::take(&mut analysis.checked.program);
        drop(analysis);
        let layout = match layout(file, &program.project.output, args.out.as_deref()) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        };
        program.project.source = layout.program;
        program.project.output = layout.output;
        // The estimate prices the templates as they are generated (no parsing back); the region
        // is pf's default or the checked `project.region`, so it cannot fail. A program of many
        // apps is not priced (`cost::BUILD_PRICES_APPS`).
        let files = if program.apps.len() > cost::BUILD_PRICES_APPS {
            unpriced_apps += program.apps.len();
            codegen::generate(&program, &options)
        } else {
            match cost::generate_priced(&program, &options, cost::DEFAULT_REGION) {
                Ok((files, estimate)) => {
                    estimates.push(estimate);
                    files
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        };
        for f in files {
            planned.push((layout.out_dir.clone(), f));
        }
    }
    if failed {
        eprintln!("error: nothing was written: fix the errors above first");
        return EXIT_PROBLEMS;
    }
    let mut seen = HashSet::new();
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
            let estimate = if unpriced_apps > 0 { not_priced(unpriced_apps) } else { brief(&estimates) };
            eprintln!("wrote {} files ({} changed); {estimate}", planned.len(), written);
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
    let produced: HashSet<PathBuf> = planned.iter().map(|(d, f)| d.join(&f.path)).collect();
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
        // The entries' types come with the listing (no `stat` per file).
        let mut entries: Vec<(PathBuf, std::fs::FileType)> =
            entries.filter_map(|e| e.ok().and_then(|e| Some((e.path(), e.file_type().ok()?)))).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind) in entries {
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() && !produced.contains(&path) && generated_by_pf(&path) {
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
fn write_all(planned: &[(PathBuf, OutputFile)]) -> Result<usize, String> {
    let out_dirs: BTreeSet<&Path> = planned.iter().map(|(dir, _)| dir.as_path()).collect();
    let files: Vec<write::Planned> =
        planned.iter().map(|(dir, f)| (dir.join(&f.path), f.contents.as_str())).collect();
    write::write(&out_dirs, &files, &leftovers(planned))
}

/// `1 generated file`, `3 generated files`.
fn files(n: usize) -> String {
    format!("{n} generated file{}", if n == 1 { "" } else { "s" })
}
