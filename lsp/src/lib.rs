//! The pf language server, run as `pf lsp` (tower-lsp over stdio).
//!
//! Every open document is the root of a program; the compiler's driver analyses it (with the
//! files it `use`s, read from open documents first, then the disk) on every change. Requests
//! work on an immutable [`state::Snapshot`]; a panic in a handler answers an error instead of
//! killing the server.
//!
//! ```no_run
//! # async fn f() {
//! let clean_shutdown = pf_lsp::run_stdio().await;
//! # }
//! ```
#![deny(clippy::unwrap_used)]

pub mod context;
pub mod convert;
pub mod handlers;
pub mod locate;
pub mod server;
pub mod shift;
pub mod state;
pub mod transport;
pub mod worker;

use tokio::io::{AsyncRead, AsyncWrite};

/// Serves the language server on standard input and output until the client exits.
/// Returns whether the client asked for `shutdown` before the end (a clean exit).
pub async fn run_stdio() -> bool {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves the language server on any byte streams (tests use `tokio::io::duplex`).
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let shutdown = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) =
        tower_lsp::LspService::new(move |client| server::Backend::new(client, flag.clone()));
    // tower-lsp talks to the framing guard, which talks to the client.
    let (server_in, guard_to_server) = tokio::io::duplex(1 << 20);
    let (guard_from_server, server_out) = tokio::io::duplex(1 << 20);
    let serve = tower_lsp::Server::new(server_in, server_out, socket).serve(service);
    let guard = transport::guard(input, output, guard_to_server, guard_from_server);
    tokio::select! {
        _ = serve => {}
        _ = guard => {}
    }
    shutdown.load(std::sync::atomic::Ordering::SeqCst)
}
