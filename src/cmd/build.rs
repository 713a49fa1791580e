//! `pf build`: compile programs into CloudFormation, buildspec and appspec files.
//!
//! Every program is checked first; only when all compiled cleanly are their files generated,
//! each written under a temporary name as it is made (`write::Stage`, so the whole output is
//! never held in memory), and then all renamed into place. On any error nothing is changed and
//! earlier output stays untouched. `--check` writes nothing and lists the
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
use pf_compiler::ir::Program;
use std::path::PathBuf;
use write::{Mode, Stage};

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
    // Check every program first: nothing is generated unless all are clean.
    let mut programs: Vec<(Program, PathBuf)> = Vec::new();
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
        programs.push((program, layout.out_dir));
    }
    if failed {
        eprintln!("error: nothing was written: fix the errors above first");
        return EXIT_PROBLEMS;
    }
    // Generate each program into the stage, which writes each file as it is made; dropped
    // before `commit`, it removes what it wrote.
    let stage = Stage::new(if args.check { Mode::Check } else { Mode::Write });
    let mut estimates: Vec<Estimate> = Vec::new();
    let mut unpriced_apps = 0;
    for (program, out_dir) in programs {
        let sink = |f: OutputFile| stage.add(&out_dir, f);
        // The estimate prices the templates as they are generated (no parsing back); the region
        // is pf's default or the checked `project.region`, so it cannot fail. A program of many
        // apps is not priced (`cost::BUILD_PRICES_APPS`).
        if program.apps.len() > cost::BUILD_PRICES_APPS {
            unpriced_apps += program.apps.len();
            codegen::stream_with_stacks::<()>(&program, &options, None, &sink);
        } else {
            match cost::stream_priced(&program, &options, cost::DEFAULT_REGION, &sink) {
                Ok(estimate) => estimates.push(estimate),
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        }
    }
    if let Some(e) = stage.error() {
        eprintln!("error: {e}; nothing was changed");
        return EXIT_USAGE;
    }
    if args.check {
        return check_stale(&stage);
    }
    match stage.commit() {
        Ok(written) => {
            let estimate = if unpriced_apps > 0 { not_priced(unpriced_apps) } else { brief(&estimates) };
            eprintln!("wrote {} files ({} changed); {estimate}", stage.produced(), written);
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}; nothing was changed");
            EXIT_USAGE
        }
    }
}

fn check_stale(stage: &Stage) -> u8 {
    let stale = stage.stale();
    if stale.is_empty() {
        eprintln!("{} up to date", files(stage.produced()));
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

/// `1 generated file`, `3 generated files`.
fn files(n: usize) -> String {
    format!("{n} generated file{}", if n == 1 { "" } else { "s" })
}
