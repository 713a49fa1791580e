//! The fast path: a hand-written recursive-descent parser for files without syntax errors.
//!
//! `grammar/pf.pest` stays the specification and the error-recovery path. This parser accepts a
//! subset of the grammar's language and builds exactly the tree the pest path builds (same
//! entries, spans, values and string parts). At the first thing it does not expect (any syntax
//! error, any literal the pest path would report, anything unusual) it gives up with `None`, and
//! the caller falls back to pest; giving up is always safe. `compiler/tests/parse_diff.rs` checks
//! both paths agree on the corpora and thousands of mutations of them.
//!
//! How pest's implicit whitespace shows in the tree: between the elements of a non-atomic rule
//! pest skips spaces, tabs, BOMs and `#` comments (never line ends), even before an optional
//! element that then does not match. So a block without a body ends after the whitespace and
//! comment that follow its last label, and this parser reproduces that.

use super::scan::MAX_NESTING;
use crate::ast::{self, Entry, Value, ValueKind};
use crate::source::{FileId, Span};

/// Parses `text`; `None` when the file has anything the fast path does not handle.
pub fn parse(file: FileId, text: &str) -> Option<Vec<Entry>> {
    if text.len() > u32::MAX as usize {
        return None;
    }
    let mut p =
        Parser { s: text, b: text.as_bytes(), i: 0, file, depth: 0, entries: Vec::new(), values: Vec::new() };
    p.file()
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    file: FileId,
    depth: usize,
    /// Scratch stacks: nested bodies and lists push above their parent's mark and take their
    /// items off before the parent pushes again, so every `Vec` in the tree is allocated once,
    /// at its exact size (growing a `Vec` item by item dominated the profile).
    entries: Vec<Entry>,
    values: Vec<Value>,
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn is_sep(c: u8) -> bool {
    matches!(c, b'\n' | b'\r' | b',')
}

impl<'a> Parser<'a> {
    /// The byte at `i`, or 0 at the end (a NUL byte is accepted nowhere, so it stops the parse).
    #[inline]
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    #[inline]
    fn peek(&self) -> u8 {
        self.at(self.i)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// pest's implicit `(WHITESPACE | COMMENT)*`.
    #[inline]
    fn skip(&mut self) {
        loop {
            match self.peek() {
                b' ' | b'\t' => self.i += 1,
                0xEF if self.at(self.i + 1) == 0xBB && self.at(self.i + 2) == 0xBF => self.i += 3,
                b'#' => {
                    let rest = &self.b[self.i..];
                    self.i += rest.iter().position(|&c| c == b'\n' || c == b'\r').unwrap_or(rest.len());
                }
                _ => return,
            }
        }
    }

    /// Separators with whitespace and comments between them.
    fn skip_seps(&mut self) {
        loop {
            self.skip();
            if is_sep(self.peek()) {
                self.i += 1;
            } else {
                return;
            }
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    fn file(&mut self) -> Option<Vec<Entry>> {
        self.skip_seps();
        while self.i < self.b.len() {
            let entry = self.entry()?;
            self.entries.push(entry);
            self.skip();
            if is_sep(self.peek()) {
                self.skip_seps();
            } else if self.i < self.b.len() {
                return None;
            }
        }
        Some(std::mem::take(&mut self.entries))
    }

    /// A body, at its `{`.
    fn body(&mut self) -> Option<ast::Body> {
        self.enter()?;
        let start = self.i;
        self.i += 1;
        let mark = self.entries.len();
        self.skip_seps();
        loop {
            if self.peek() == b'}' {
                self.i += 1;
                break;
            }
            let entry = self.entry()?;
            self.entries.push(entry);
            self.skip();
            match self.peek() {
                b'}' => {}
                c if is_sep(c) => self.skip_seps(),
                _ => return None,
            }
        }
        self.depth -= 1;
        let entries = self.entries.drain(mark..).collect();
        Some(ast::Body { entries, span: self.span(start, self.i) })
    }

    fn entry(&mut self) -> Option<Entry> {
        let start = self.i;
        let keyword = self.ident()?;
        self.skip();
        if self.peek() == b'=' {
            self.i += 1;
            self.skip();
            let value = self.value()?;
            let span = self.span(start, value.span.end as usize);
            return Some(Entry::Attribute(ast::Attribute { key: keyword, value, span }));
        }
        let mut labels = Vec::new();
        loop {
            match self.peek() {
                b'"' => labels.push(ast::BlockLabel::String(self.string()?)),
                c if ident_start(c) => labels.push(ast::BlockLabel::Name(self.path()?)),
                _ => break,
            }
            self.skip();
        }
        let mut parent = None;
        if self.peek() == b':' {
            self.i += 1;
            self.skip();
            parent = Some(self.path()?);
            self.skip();
        }
        let body = if self.peek() == b'{' { Some(self.body()?) } else { None };
        let span = self.span(start, self.i);
        Some(Entry::Block(ast::Block { keyword, labels, parent, body, span }))
    }

    fn ident_end(&self, from: usize) -> Option<usize> {
        if !ident_start(self.at(from)) {
            return None;
        }
        let mut i = from + 1;
        while ident_char(self.at(i)) {
            i += 1;
        }
        Some(i)
    }

    fn path_end(&self, from: usize) -> Option<usize> {
        let mut i = self.ident_end(from)?;
        while self.at(i) == b'.' {
            match self.ident_end(i + 1) {
                Some(end) => i = end,
                None => break,
            }
        }
        Some(i)
    }

    fn ident(&mut self) -> Option<ast::Ident> {
        let start = self.i;
        let end = self.ident_end(start)?;
        self.i = end;
        Some(ast::Ident { name: self.s[start..end].to_string(), span: self.span(start, end) })
    }

    fn path(&mut self) -> Option<ast::Path> {
        let start = self.i;
        let end = self.path_end(start)?;
        self.i = end;
        Some(ast::Path { text: self.s[start..end].to_string(), span: self.span(start, end) })
    }

    fn value(&mut self) -> Option<Value> {
        let start = self.i;
        match self.peek() {
            b'{' => {
                let body = self.body()?;
                let span = body.span;
                Some(Value { kind: ValueKind::Block { kind: None, body }, span })
            }
            b'[' => self.list(),
            b'"' => {
                let s = self.string()?;
                let span = s.span;
                Some(Value { kind: ValueKind::String(s), span })
            }
            b'0'..=b'9' | b'-' => self.numeric(),
            c if ident_start(c) => self.word(start),
            _ => None,
        }
    }

    /// `typed_block | call | boolean | path`, in the grammar's order.
    fn word(&mut self, start: usize) -> Option<Value> {
        let path_end = self.path_end(start)?;
        // typed_block: path ~ body
        self.i = path_end;
        self.skip();
        if self.peek() == b'{' {
            let kind =
                ast::Path { text: self.s[start..path_end].to_string(), span: self.span(start, path_end) };
            let body = self.body()?;
            let span = self.span(start, self.i);
            return Some(Value { kind: ValueKind::Block { kind: Some(kind), body }, span });
        }
        // call: ident ~ "(" ~ (value ~ ("," ~ value)*)? ~ ")"
        let ident_end = self.ident_end(start)?;
        self.i = ident_end;
        self.skip();
        if self.peek() == b'(' {
            self.enter()?;
            let name =
                ast::Ident { name: self.s[start..ident_end].to_string(), span: self.span(start, ident_end) };
            self.i += 1;
            self.skip();
            let mark = self.values.len();
            if self.peek() != b')' {
                loop {
                    let arg = self.value()?;
                    self.values.push(arg);
                    self.skip();
                    match self.peek() {
                        b',' => {
                            self.i += 1;
                            self.skip();
                        }
                        b')' => break,
                        _ => return None,
                    }
                }
            }
            self.i += 1;
            self.depth -= 1;
            let args = self.values.drain(mark..).collect();
            return Some(Value { kind: ValueKind::Call { name, args }, span: self.span(start, self.i) });
        }
        // boolean: ("true" | "false") ~ !ident_char
        let word = &self.s[start..ident_end];
        if word == "true" || word == "false" {
            self.i = ident_end;
            return Some(Value { kind: ValueKind::Bool(word == "true"), span: self.span(start, ident_end) });
        }
        self.i = path_end;
        let path = ast::Path { text: self.s[start..path_end].to_string(), span: self.span(start, path_end) };
        Some(Value { kind: ValueKind::Path(path), span: self.span(start, path_end) })
    }

    fn digits_end(&self, from: usize) -> Option<usize> {
        let mut i = from;
        while self.at(i).is_ascii_digit() {
            i += 1;
        }
        (i > from).then_some(i)
    }

    /// `duration | size | percent | cidr | number`, in the grammar's order.
    fn numeric(&mut self) -> Option<Value> {
        let start = self.i;
        if self.peek() == b'-' {
            let end = self.digits_end(start + 1)?;
            let c = self.at(end);
            if ident_char(c) || c == b'.' {
                return None;
            }
            let n = self.s[start..end].parse::<i64>().ok()?;
            self.i = end;
            return Some(Value { kind: ValueKind::Int(n), span: self.span(start, end) });
        }
        let q = self.digits_end(start)?;
        let digits = &self.s[start..q];
        let c = self.at(q);
        // duration
        if matches!(c, b's' | b'm' | b'h' | b'd') && !ident_char(self.at(q + 1)) {
            let unit = match c {
                b's' => ast::DurationUnit::Seconds,
                b'm' => ast::DurationUnit::Minutes,
                b'h' => ast::DurationUnit::Hours,
                _ => ast::DurationUnit::Days,
            };
            let value = digits.parse::<u64>().ok()?;
            let d = ast::Duration { value, unit };
            d.seconds()?;
            self.i = q + 1;
            return Some(Value { kind: ValueKind::Duration(d), span: self.span(start, q + 1) });
        }
        // size
        if self.at(q + 1) == b'B' && !ident_char(self.at(q + 2)) {
            let unit = match c {
                b'K' => Some(ast::SizeUnit::KB),
                b'M' => Some(ast::SizeUnit::MB),
                b'G' => Some(ast::SizeUnit::GB),
                b'T' => Some(ast::SizeUnit::TB),
                _ => None,
            };
            if let Some(unit) = unit {
                let value = digits.parse::<u64>().ok()?;
                value.checked_mul(1 << 20)?;
                self.i = q + 2;
                return Some(Value {
                    kind: ValueKind::Size(ast::Size { value, unit }),
                    span: self.span(start, q + 2),
                });
            }
        }
        // percent
        if c == b'%' {
            let n = digits.parse::<u32>().ok()?;
            self.i = q + 1;
            return Some(Value { kind: ValueKind::Percent(n), span: self.span(start, q + 1) });
        }
        // cidr: digits "." digits "." digits "." digits "/" digits
        if c == b'.' {
            let mut i = q;
            for sep in [b'.', b'.', b'.', b'/'] {
                if self.at(i) != sep {
                    return None;
                }
                i = self.digits_end(i + 1)?;
            }
            let text = &self.s[start..i];
            let (addr, prefix) = text.split_once('/')?;
            let mut value: u32 = 0;
            for octet in addr.split('.') {
                value = (value << 8) | u32::from(octet.parse::<u8>().ok()?);
            }
            let prefix = prefix.parse::<u8>().ok().filter(|p| *p <= 32)?;
            self.i = i;
            return Some(Value {
                kind: ValueKind::Cidr(ast::Cidr { addr: value, prefix }),
                span: self.span(start, i),
            });
        }
        // number
        if ident_char(c) {
            return None;
        }
        let n = digits.parse::<i64>().ok()?;
        self.i = q;
        Some(Value { kind: ValueKind::Int(n), span: self.span(start, q) })
    }

    /// A list, at its `[`.
    fn list(&mut self) -> Option<Value> {
        self.enter()?;
        let start = self.i;
        self.i += 1;
        let mark = self.values.len();
        self.skip_seps();
        if self.peek() == b']' {
            self.i += 1;
        } else {
            loop {
                let mut item = self.value()?;
                self.skip();
                if self.peek() == b'-' && self.at(self.i + 1) == b'>' {
                    self.i += 2;
                    self.skip();
                    let target = self.value()?;
                    let span = item.span.to(target.span);
                    item = Value { kind: ValueKind::Pair(Box::new(item), Box::new(target)), span };
                    self.skip();
                }
                self.values.push(item);
                match self.peek() {
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    c if is_sep(c) => {
                        self.skip_seps();
                        if self.peek() == b']' {
                            self.i += 1;
                            break;
                        }
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let items = self.values.drain(mark..).collect();
        Some(Value { kind: ValueKind::List(items), span: self.span(start, self.i) })
    }

    /// A string literal, at its `"`.
    fn string(&mut self) -> Option<ast::StringLit> {
        let start = self.i;
        self.i += 1;
        let mut parts = Vec::new();
        let mut text = String::new();
        loop {
            match self.peek() {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    let c = match self.at(self.i + 1) {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        c @ (b'"' | b'\\' | b'$') => c as char,
                        _ => return None,
                    };
                    text.push(c);
                    self.i += 2;
                }
                b'$' if self.at(self.i + 1) == b'{' => {
                    self.i += 2;
                    let path = self.path()?;
                    if self.peek() != b'}' {
                        return None;
                    }
                    self.i += 1;
                    if !text.is_empty() {
                        parts.push(ast::StringPart::Text(std::mem::take(&mut text)));
                    }
                    parts.push(ast::StringPart::Interp(path));
                }
                b'\n' | b'\r' => return None,
                _ if self.i >= self.b.len() => return None,
                _ => {
                    let from = self.i;
                    self.i += 1;
                    while !matches!(self.peek(), b'"' | b'\\' | b'$' | b'\n' | b'\r') && self.i < self.b.len()
                    {
                        self.i += 1;
                    }
                    text.push_str(&self.s[from..self.i]);
                }
            }
        }
        if !text.is_empty() {
            parts.push(ast::StringPart::Text(text));
        }
        Some(ast::StringLit { parts, span: self.span(start, self.i) })
    }
}
