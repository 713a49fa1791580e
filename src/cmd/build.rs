//! `pf build`.

/// Arguments of `pf build`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf build`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("build")
}
