//! The pf compiler: `.pf` source to a checked IR and generated files.
//!
//! Data flows `source text -> syntax::parse -> ast -> check -> ir -> codegen`. The crate does
//! no I/O: files come in through [`SourceMap`](source::SourceMap) and a loader for `use`d files,
//! outputs go out as data. It knows nothing of LSP or argv.

pub mod diagnostic;
pub mod driver;
pub mod fmt;
pub mod source;
pub mod syntax;

pub use syntax::ast;
