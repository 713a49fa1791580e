//! The registry of diagnostic codes: `PF` and four digits, grouped by phase.
//!
//! - `PF0xxx` reading and syntax
//! - `PF1xxx` structure and names: blocks, fields, references, modules, inheritance
//! - `PF2xxx` types and values
//! - `PF3xxx` AWS limits and naming rules
//! - `PF4xxx` pipeline semantics: stages, actions, approvals, artifacts
//! - `PF5xxx` environments: network, compute, database, deployment
//! - `PF6xxx` security
//! - `PF9xxx` project configuration and suppressions
//!
//! Every code has a page `docs/errors/PFxxxx.md` (What / Why / Example / Fix) that `pf explain`
//! prints; a test enforces it. Codes are never reused or renumbered.

use super::Severity;
use serde::{Serialize, Serializer};

/// A diagnostic code with its registry entry.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// `PF0001`.
    pub id: &'static str,
    /// A short kebab-case name, e.g. `unknown-field`.
    pub name: &'static str,
    /// The severity unless the project configures another.
    pub severity: Severity,
    /// One line saying what the code means.
    pub summary: &'static str,
    /// The long explanation (Markdown), printed by `pf explain`.
    pub doc: &'static str,
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.id == other.id
    }
}

impl Eq for Code {}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

macro_rules! codes {
    ($( $id:ident $name:literal $sev:ident $summary:literal; )*) => {
        $(
            #[doc = $summary]
            pub const $id: Code = Code {
                id: stringify!($id),
                name: $name,
                severity: Severity::$sev,
                summary: $summary,
                doc: include_str!(concat!("../../../docs/errors/", stringify!($id), ".md")),
            };
        )*
        /// Every code, in order.
        pub const ALL: &[Code] = &[$($id),*];
    };
}

codes! {
    PF0001 "invalid-syntax" Error "A line is not a valid entry";
    PF0002 "empty-program" Error "A file declares nothing";
    PF0003 "invalid-utf8" Error "A file is not valid UTF-8";
    PF0004 "file-too-large" Error "A file is larger than pf reads";
    PF0005 "nesting-too-deep" Error "Brackets are nested deeper than pf allows";
    PF0006 "binary-file" Error "A file contains NUL bytes: it is not text";
    PF0007 "unbalanced-delimiter" Error "A bracket is never closed, or closes nothing";
    PF0008 "invalid-escape" Error "A string contains an unknown escape sequence";
    PF0009 "number-out-of-range" Error "A number is too large";
    PF0010 "unterminated-string" Error "A string is not closed on its line";
    PF0011 "invalid-cidr" Error "A CIDR block is malformed";
}

/// The code with this id (`PF0001`), if it exists.
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}
