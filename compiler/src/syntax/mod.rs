//! Syntax: text to [`ast::File`](crate::ast::File), never failing.

pub mod ast;
mod parse;
mod scan;

pub use parse::{decode, parse, Parse, MAX_FILE_SIZE};
pub use scan::MAX_NESTING;
