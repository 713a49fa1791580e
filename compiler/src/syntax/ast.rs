//! The typed syntax tree of a `.pf` file: byte spans on every node, comments kept aside.
//!
//! The tree is generic (entries, blocks and values); the schema gives keywords their meaning.

use crate::source::{FileId, Span};

/// One parsed file: its entries in order, and every comment (for the formatter).
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub id: FileId,
    /// The top-level entries, shared: an analysis after an edit takes the ones the edit did
    /// not move from the previous one without copying them ([`crate::syntax::reparse`]).
    pub entries: Vec<std::sync::Arc<Entry>>,
    pub comments: Vec<Comment>,
}

/// A `# ...` comment; `text` includes the `#`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// An entry of a file or block body.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `key = value`
    Attribute(Attribute),
    /// `keyword label* (: parent)? { body }`, or a statement such as `deploy prod`.
    Block(Block),
    /// A line that is not an entry; its diagnostic has already been reported.
    Error(Span),
}

impl Entry {
    /// The span of the whole entry.
    pub fn span(&self) -> Span {
        match self {
            Entry::Attribute(a) => a.span,
            Entry::Block(b) => b.span,
            Entry::Error(span) => *span,
        }
    }
}

/// `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub key: Ident,
    pub value: Value,
    pub span: Span,
}

/// `keyword label* (: parent)? { body }`; labels and body are optional.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub keyword: Ident,
    pub labels: Vec<BlockLabel>,
    pub parent: Option<Path>,
    pub body: Option<Body>,
    pub span: Span,
}

impl Block {
    /// The first label as a name (`env prod` gives `prod`), if any.
    pub fn name(&self) -> Option<&str> {
        self.labels.first().map(BlockLabel::text)
    }
}

/// A block label: a bare (possibly dotted) name or a string.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockLabel {
    Name(Path),
    String(StringLit),
}

impl BlockLabel {
    /// The label's text (a string label without its quotes and escapes resolved).
    pub fn text(&self) -> &str {
        match self {
            BlockLabel::Name(p) => &p.text,
            BlockLabel::String(s) => s.literal_text().unwrap_or(""),
        }
    }

    /// The label's span.
    pub fn span(&self) -> Span {
        match self {
            BlockLabel::Name(p) => p.span,
            BlockLabel::String(s) => s.span,
        }
    }
}

/// `{ entries }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub entries: Vec<Entry>,
    pub span: Span,
}

/// A dotted name such as `prod` or `std.build.go`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub text: String,
    pub span: Span,
}

/// A value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

/// The kinds of values.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    String(StringLit),
    Int(i64),
    Bool(bool),
    Duration(Duration),
    Size(Size),
    /// A whole percentage, `60%`.
    Percent(u32),
    Cidr(Cidr),
    List(Vec<Value>),
    /// `"a" -> "b"`, in lists.
    Pair(Box<Value>, Box<Value>),
    /// A number, duration, size or percentage too large for pf to hold, as written. The checker
    /// reports it with the range of the field it is written to (PF0009).
    TooLarge(String),
    /// `name(args)`, e.g. `secret("db")`, `cpu(60%)`.
    Call {
        name: Ident,
        args: Vec<Value>,
    },
    /// `kind { ... }` (a block value extending `kind`), or `{ ... }` when `kind` is `None`.
    Block {
        kind: Option<Path>,
        body: Body,
    },
    /// A bare name: an enum value or a reference.
    Path(Path),
    /// A value that did not parse; its diagnostic has already been reported.
    Error,
}

/// A string literal: literal text and `${name}` interpolations.
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    pub parts: Vec<StringPart>,
    pub span: Span,
}

impl StringLit {
    /// The text when the string has no interpolation.
    pub fn literal_text(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [StringPart::Text(t)] => Some(t),
            _ => None,
        }
    }
}

/// A piece of a string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StringPart {
    /// Text with escapes resolved.
    Text(String),
    /// `${name}`.
    Interp(Path),
}

/// A duration as written: `90s`, `2m`, `1h`, `3d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration {
    pub value: u64,
    pub unit: DurationUnit,
}

/// Units of a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl Duration {
    /// The duration in whole seconds, or `None` on overflow.
    pub fn seconds(self) -> Option<u64> {
        let factor = match self.unit {
            DurationUnit::Seconds => 1,
            DurationUnit::Minutes => 60,
            DurationUnit::Hours => 3600,
            DurationUnit::Days => 86_400,
        };
        self.value.checked_mul(factor)
    }

    /// The suffix as written.
    pub fn suffix(self) -> &'static str {
        match self.unit {
            DurationUnit::Seconds => "s",
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
            DurationUnit::Days => "d",
        }
    }
}

/// A size as written: `512MB`, `20GB`. Units are binary (AWS storage sizes are GiB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub value: u64,
    pub unit: SizeUnit,
}

/// Units of a size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeUnit {
    KB,
    MB,
    GB,
    TB,
}

impl Size {
    /// The size in mebibytes, or `None` on overflow or when it is not whole.
    pub fn mebibytes(self) -> Option<u64> {
        match self.unit {
            SizeUnit::KB => self.value.is_multiple_of(1024).then_some(self.value / 1024),
            SizeUnit::MB => Some(self.value),
            SizeUnit::GB => self.value.checked_mul(1024),
            SizeUnit::TB => self.value.checked_mul(1024 * 1024),
        }
    }

    /// The size in gibibytes, or `None` on overflow or when it is not whole.
    pub fn gibibytes(self) -> Option<u64> {
        let mib = self.mebibytes()?;
        mib.is_multiple_of(1024).then_some(mib / 1024)
    }

    /// The suffix as written.
    pub fn suffix(self) -> &'static str {
        match self.unit {
            SizeUnit::KB => "KB",
            SizeUnit::MB => "MB",
            SizeUnit::GB => "GB",
            SizeUnit::TB => "TB",
        }
    }
}

/// An IPv4 CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    pub addr: u32,
    pub prefix: u8,
}

impl Cidr {
    /// The netmask of the prefix.
    pub fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        }
    }

    /// The first address of the block.
    pub fn network(self) -> u32 {
        self.addr & self.mask()
    }

    /// Whether the address has no bits set beyond the prefix.
    pub fn is_aligned(self) -> bool {
        self.addr == self.network()
    }

    /// The number of addresses in the block.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    /// Whether `other` lies entirely inside this block.
    pub fn contains(self, other: Cidr) -> bool {
        other.prefix >= self.prefix && (other.network() & self.mask()) == self.network()
    }

    /// Whether the two blocks share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = self.addr;
        write!(f, "{}.{}.{}.{}/{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, self.prefix)
    }
}

impl Entry {
    /// Replaces every span in the entry (its key, labels, values and nested blocks) by `f` of it:
    /// moved by an edit (incremental reparsing), or zeroed (the formatter's self-check).
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Entry::Attribute(a) => {
                a.span = f(a.span);
                a.key.span = f(a.key.span);
                a.value.map_spans(f);
            }
            Entry::Block(b) => {
                b.span = f(b.span);
                b.keyword.span = f(b.keyword.span);
                for label in &mut b.labels {
                    match label {
                        BlockLabel::Name(p) => p.span = f(p.span),
                        BlockLabel::String(s) => s.map_spans(f),
                    }
                }
                if let Some(p) = &mut b.parent {
                    p.span = f(p.span);
                }
                if let Some(body) = &mut b.body {
                    body.map_spans(f);
                }
            }
            Entry::Error(span) => *span = f(*span),
        }
    }
}

impl Body {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        self.entries.iter_mut().for_each(|e| e.map_spans(f));
    }
}

impl StringLit {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        for part in &mut self.parts {
            if let StringPart::Interp(p) = part {
                p.span = f(p.span);
            }
        }
    }
}

impl Value {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.kind {
            ValueKind::String(s) => s.map_spans(f),
            ValueKind::List(items) => items.iter_mut().for_each(|i| i.map_spans(f)),
            ValueKind::Pair(a, b) => {
                a.map_spans(f);
                b.map_spans(f);
            }
            ValueKind::Call { name, args } => {
                name.span = f(name.span);
                args.iter_mut().for_each(|a| a.map_spans(f));
            }
            ValueKind::Block { kind, body } => {
                if let Some(k) = kind {
                    k.span = f(k.span);
                }
                body.map_spans(f);
            }
            ValueKind::Path(p) => p.span = f(p.span),
            ValueKind::Int(_)
            | ValueKind::Bool(_)
            | ValueKind::Duration(_)
            | ValueKind::Size(_)
            | ValueKind::Percent(_)
            | ValueKind::Cidr(_)
            | ValueKind::TooLarge(_)
            | ValueKind::Error => {}
        }
    }
}
