//! `pf fmt`.

/// Arguments of `pf fmt`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf fmt`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("fmt")
}
