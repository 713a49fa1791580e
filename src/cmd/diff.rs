//! `pf diff`: what a change does to the deployed stacks (`pf_compiler::review`), offline.
//!
//! Each side is a `.pf` program (compiled in memory), a `pf build` output folder, or, with
//! `--base GIT_REF`, the new program as it is at that commit (read with `git show`, with the
//! files it `use`s). Exit 0 when nothing changes, 1 when something does, 2 on an error (a side
//! that cannot be read or does not compile). With `--fail-on`, exit 1 only for what it names.

use super::common::{io_reason, read_root, report, DiskLoader};
use super::cost::Format;
use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use pf_compiler::codegen::{self, OutputFile};
use pf_compiler::driver::{analyze, Loader, Root};
use pf_compiler::ir::Program;
use pf_compiler::review::{self, render, FailOn};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Arguments of `pf diff`.
#[derive(clap::Args)]
pub struct Args {
    /// `OLD NEW`: programs or build output folders; with `--base`, only `NEW` (a program).
    #[arg(required = true, num_args = 1..=2, value_name = "OLD NEW")]
    sides: Vec<PathBuf>,
    /// Compare the program with itself at this git commit (branch, tag, `HEAD~1`, ...).
    #[arg(long, value_name = "GIT_REF")]
    base: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    format: Format,
    /// Exit 1 only when the change replaces a resource, or loses (or risks) data in a protected
    /// environment; 0 otherwise.
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<Fail>,
    /// The AWS region whose prices the cost delta uses.
    #[arg(long, default_value = pf_compiler::cost::DEFAULT_REGION)]
    region: String,
}

/// What `--fail-on` fails on.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Fail {
    /// A resource replaced (surely or possibly).
    Replace,
    /// A stateful resource replaced, removed or moved in a protected environment.
    DataLoss,
}

/// Runs `pf diff`.
pub fn run(args: Args) -> u8 {
    let sides = match (&args.base, args.sides.as_slice()) {
        (Some(base), [new]) => side_at(new, base).and_then(|old| Ok((old, side(new)?))),
        (None, [old, new]) => side(old).and_then(|old| Ok((old, side(new)?))),
        (Some(_), _) => Err("with --base, give only the new program: `pf diff --base GIT_REF FILE`".into()),
        (None, _) => Err("give two sides: `pf diff OLD NEW` (or `pf diff --base GIT_REF FILE`)".into()),
    };
    let (old, new) = match sides {
        Ok((mut old, new)) => {
            // Two programs under different names generate the same files but for the name in
            // their headers: compare what they deploy, not what they are called.
            if let (Side::Program(old), Side::Program(new)) = (&mut old, &new) {
                old.project.source.clone_from(&new.project.source);
            }
            (old.files(), new.files())
        }
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            return EXIT_USAGE;
        }
    };
    let review = match review::compare(&old, &new, &args.region) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    print!(
        "{}",
        match args.format {
            Format::Human => render::human(&review),
            Format::Markdown => render::markdown(&review),
            Format::Json => render::json(&review),
        }
    );
    let failed = match args.fail_on {
        Some(Fail::Replace) => review.has(FailOn::Replace),
        Some(Fail::DataLoss) => review.has(FailOn::DataLoss),
        None => !review.is_empty(),
    };
    if failed {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// One side of the comparison.
enum Side {
    /// A build output folder as it is on disk.
    Files(Vec<OutputFile>),
    /// A checked program, generated when compared.
    Program(Box<Program>),
}

impl Side {
    fn files(self) -> Vec<OutputFile> {
        match self {
            Side::Files(files) => files,
            Side::Program(p) => codegen::generate(&p, &codegen::Options::default()),
        }
    }
}

/// A build output folder or a program. `Err("")` when the diagnostics were printed already.
fn side(path: &Path) -> Result<Side, String> {
    if path.is_dir() {
        let mut files = Vec::new();
        read_folder(path, path, &mut files)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        return Ok(Side::Files(files));
    }
    compile(read_root(path)?, &DiskLoader)
}

/// The program at `path` as it is at the commit `base`.
fn side_at(path: &Path, base: &str) -> Result<Side, String> {
    let loader = GitLoader { commit: base.to_string() };
    let name = path.to_string_lossy().replace('\\', "/");
    let bytes = loader.load(&name)?;
    compile(Root { name, bytes }, &loader)
}

fn compile(root: Root, loader: &dyn Loader) -> Result<Side, String> {
    let name = root.name.clone();
    let analysis = analyze(vec![root], loader);
    if analysis.has_errors() {
        report(&analysis);
        eprintln!("error: {name} does not compile");
        return Err(String::new());
    }
    Ok(Side::Program(Box::new(analysis.checked.program)))
}

/// Every file under `dir`, named by its path relative to `root` with forward slashes.
fn read_folder(root: &Path, dir: &Path, out: &mut Vec<OutputFile>) -> Result<(), String> {
    let fail = |p: &Path, e: std::io::Error| format!("cannot read {}: {}", p.display(), io_reason(&e));
    for entry in std::fs::read_dir(dir).map_err(|e| fail(dir, e))? {
        let path = entry.map_err(|e| fail(dir, e))?.path();
        if path.is_dir() {
            read_folder(root, &path, out)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| fail(&path, e))?;
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push(OutputFile { path: relative, contents: String::from_utf8_lossy(&bytes).into_owned() });
        }
    }
    Ok(())
}

/// Reads files as they are at a git commit: `git show COMMIT:./NAME`, run in the file's folder.
struct GitLoader {
    commit: String,
}

impl Loader for GitLoader {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        let p = Path::new(path);
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let file = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .arg("show")
            .arg(format!("{}:./{file}", self.commit))
            .output()
            .map_err(|e| format!("cannot run git to read {path} at {}: {}", self.commit, io_reason(&e)))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            let reason = String::from_utf8_lossy(&output.stderr).trim().replace('\n', "; ");
            Err(format!("cannot read {path} at {}: {reason}", self.commit))
        }
    }
}
