//! `pf lsp`.

/// Arguments of `pf lsp`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pf lsp`.
pub fn run(_args: Args) -> u8 {
    super::not_yet("lsp")
}
