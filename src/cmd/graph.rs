//! `pf graph`: print a program's pipelines as Mermaid (`flowchart LR`) or Graphviz DOT graphs.
//!
//! The program must check without errors (the diagnostics are printed otherwise, exit 1). With
//! several pipelines each graph is printed in turn, separated by a blank line.

use super::common::analyze_clean;
use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};
use pf_compiler::graph;
use std::path::PathBuf;

/// Arguments of `pf graph`.
#[derive(clap::Args)]
pub struct Args {
    /// The program whose pipelines are drawn.
    file: PathBuf,
    /// Draw only this pipeline.
    #[arg(short, long, value_name = "NAME")]
    pipeline: Option<String>,
    /// The graph language.
    #[arg(short, long, value_enum, default_value = "mermaid")]
    format: Format,
}

/// Graph languages.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Mermaid, as GitHub renders it in a ```mermaid block.
    Mermaid,
    /// Graphviz DOT: `pf graph FILE --format dot | dot -Tsvg > pipeline.svg`.
    Dot,
}

/// Runs `pf graph`.
pub fn run(args: Args) -> u8 {
    let analysis = match analyze_clean(&args.file) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let program = &analysis.checked.program;
    let pipelines: Vec<_> =
        program.pipelines.iter().filter(|p| args.pipeline.as_deref().map_or(true, |n| n == p.name)).collect();
    if pipelines.is_empty() {
        match &args.pipeline {
            Some(name) => {
                let names: Vec<&str> = program.pipelines.iter().map(|p| p.name.as_str()).collect();
                let known = if names.is_empty() {
                    "it declares none".to_string()
                } else {
                    format!("it declares {}", names.join(", "))
                };
                eprintln!("error: {} has no pipeline `{name}`: {known}", args.file.display());
            }
            None => {
                eprintln!("error: {} declares no pipeline", args.file.display());
                return EXIT_PROBLEMS;
            }
        }
        return EXIT_USAGE;
    }
    let graphs: Vec<String> = pipelines
        .iter()
        .map(|p| match args.format {
            Format::Mermaid => graph::mermaid(p, program),
            Format::Dot => graph::dot(p, program),
        })
        .collect();
    print!("{}", graphs.join("\n"));
    EXIT_OK
}
