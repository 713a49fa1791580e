//! Syntax: text to [`ast::File`](crate::ast::File), never failing.

pub mod ast;
mod fast;
mod hint;
mod parse;
mod reparse;
mod scan;

pub use parse::{decode, parse, parse_fast, parse_with_pest, Parse, MAX_FILE_SIZE};
pub use reparse::{common_prefix, common_suffix, reparse, reparse_reusing, Moves};
pub use scan::MAX_NESTING;
