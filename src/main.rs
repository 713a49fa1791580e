//! `pf`: the Pipeline Factory command line.
//!
//! Exit codes: 0 clean, 1 problems found, 2 usage or I/O error.

mod cmd;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Pipeline Factory: CI/CD pipelines and their AWS environments as code.
#[derive(Parser)]
#[command(name = "pf", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check programs and report every problem found (`--fix` applies the safe fixes).
    Check(cmd::check::Args),
    /// Compile programs into CloudFormation, buildspec and appspec files.
    Build(cmd::build::Args),
    /// Format .pf files in place (or check that they are formatted).
    Fmt(cmd::fmt::Args),
    /// Explain a diagnostic code, e.g. `pf explain PF0001`.
    Explain(cmd::explain::Args),
    /// Write a starter pipeline.pf.
    Init(cmd::init::Args),
    /// Print a pipeline as a Mermaid or DOT graph.
    Graph(cmd::graph::Args),
    /// Show what a change does to the stacks: replacements, data loss, permissions, cost.
    Diff(cmd::diff::Args),
    /// Estimate the monthly on-demand cost of every environment.
    Cost(cmd::cost::Args),
    /// Run the language server on standard input and output.
    Lsp(cmd::lsp::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are successes; everything else is a usage error.
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let code = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Build(args) => cmd::build::run(args),
        Command::Fmt(args) => cmd::fmt::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Graph(args) => cmd::graph::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Cost(args) => cmd::cost::run(args),
        Command::Lsp(args) => cmd::lsp::run(args),
    };
    ExitCode::from(code)
}
