//! `pf lsp`: the language server on standard input and output.

/// Arguments of `pf lsp`.
#[derive(clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it (`--stdio`); stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Runs `pf lsp` until the client exits: 0 after a clean `shutdown`, 1 otherwise.
pub fn run(_args: Args) -> u8 {
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().thread_stack_size(16 << 20).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("error: cannot start the language server: {e}");
                return super::EXIT_USAGE;
            }
        };
    let clean = runtime.block_on(pf_lsp::run_stdio());
    // Do not wait for a blocked stdin read: the client is gone.
    runtime.shutdown_background();
    if clean {
        super::EXIT_OK
    } else {
        super::EXIT_PROBLEMS
    }
}
