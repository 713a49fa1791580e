//! `pf explain`.

/// Arguments of `pf explain`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf explain`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("explain")
}
