//! `pf init`.

/// Arguments of `pf init`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf init`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("init")
}
