//! The pf compiler: `.pf` source to a checked IR and generated files.
//!
//! Data flows `source text -> syntax::parse -> ast -> check -> ir -> codegen`. The crate does
//! no I/O: files come in through [`SourceMap`](source::SourceMap) and a loader for `use`d files,
//! outputs go out as data. It knows nothing of LSP or argv.

// pest_derive without its `std` feature (which adds a costly stack probe to every rule; the
// syntax pre-scan bounds nesting instead) refers to `alloc` from the crate root.
extern crate alloc;

pub mod check;
pub mod codegen;
pub mod cost;
pub mod diagnostic;
pub mod driver;
pub mod fmt;
pub mod glob;
pub mod graph;
pub mod hash;
pub mod init;
pub mod ir;
#[doc(hidden)]
pub mod oracle;
pub mod review;
pub mod schema;
pub mod source;
pub mod stdlib;
pub mod syntax;
#[doc(hidden)]
pub mod testgen;

pub use syntax::ast;
