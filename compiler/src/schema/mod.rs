//! The one schema of the language: every declaration, block and field with its type, default,
//! allowed values, whether it is required, and its documentation.
//!
//! The checker validates against it, the language server's hover and completion read it, and
//! `docs/language.md` describes the same table. Adding a field is adding one line here (and
//! its lowering into the IR in `check::lower`).

pub mod reference;
mod tables;
mod types;

pub use tables::*;
pub use types::*;

/// The schema of a top-level declaration keyword, if it is one.
pub fn declaration(keyword: &str) -> Option<&'static Decl> {
    DECLS.iter().find(|d| d.keyword == keyword)
}

/// All declaration keywords.
pub fn declaration_keywords() -> impl Iterator<Item = &'static str> {
    DECLS.iter().map(|d| d.keyword)
}
