//! `pf cost`: the monthly on-demand estimate of every environment of a program, from the bundled
//! price table (`pf_compiler::cost`), each in its own region. Exit 0, 1 when the program has
//! errors, 2 on a usage or I/O error (an unreadable file, a region name pf does not know).

use super::common::analyze_clean;
use super::{EXIT_OK, EXIT_USAGE};
use pf_compiler::cost::{self, render};
use std::path::PathBuf;

/// Arguments of `pf cost`.
#[derive(clap::Args)]
pub struct Args {
    /// The program to price.
    file: PathBuf,
    /// The pipeline's region when the program's `project` names none: the pipeline stacks and
    /// the environments that name no region are priced in it.
    #[arg(long, default_value = cost::DEFAULT_REGION)]
    region: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "human")]
    format: Format,
}

/// Output formats of `pf cost` and `pf diff`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Human,
    /// For a pull-request comment.
    Markdown,
    /// Versioned JSON (`"version": 1`).
    Json,
}

/// Runs `pf cost`.
pub fn run(args: Args) -> u8 {
    let analysis = match analyze_clean(&args.file) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match cost::of_program(&analysis.checked.program, &args.region) {
        Ok(e) => {
            print!(
                "{}",
                match args.format {
                    Format::Human => render::human(&e),
                    Format::Markdown => render::markdown(&e),
                    Format::Json => render::json(&e),
                }
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}
