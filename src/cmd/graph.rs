//! `pf graph`.

/// Arguments of `pf graph`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf graph`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("graph")
}
