//! `pf check`.

/// Arguments of `pf check`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf check`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("check")
}
