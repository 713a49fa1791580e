//! One module per subcommand. Each `run` returns the process exit code.

pub mod build;
pub mod check;
pub mod common;
pub mod cost;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod init;
pub mod layout;
pub mod lsp;

/// Exit code: no problems.
pub const EXIT_OK: u8 = 0;
/// Exit code: problems found in the input.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;
