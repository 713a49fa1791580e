//! `parse`: text to syntax tree. The only place that knows pest.
//!
//! Parsing never fails: it always returns a (possibly partial) [`ast::File`] and the syntax
//! diagnostics. Catch-all rules in the grammar turn bad lines into `Entry::Error`, so every
//! well-formed entry around a mistake is still in the tree.

use super::scan::{scan, MAX_NESTING};
use crate::ast::{self, Entry, Value, ValueKind};
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::source::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser;
use std::sync::Arc;

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/pf.pest"]
struct PfParser;

/// The largest file pf reads, in bytes.
pub const MAX_FILE_SIZE: usize = 8 * 1024 * 1024;

/// A parsed file and its syntax diagnostics.
#[derive(Clone, Debug)]
pub struct Parse {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
    /// The entries a reparse moved (empty after a whole parse).
    pub moves: super::reparse::Moves,
}

/// Decodes raw bytes into text, or says why they are not a pf source.
///
/// On failure the returned text is what can be shown (lossy), and the diagnostic's span points
/// at the offending byte.
#[allow(clippy::result_large_err)] // returned once per file
pub fn decode(file: FileId, bytes: &[u8]) -> Result<String, (String, Diagnostic)> {
    let shown = || String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    if bytes.len() > MAX_FILE_SIZE {
        let d = Diagnostic::new(
            codes::PF0004,
            Span::new(file, 0, 0),
            format!(
                "this file is {} bytes; pf reads files up to {} bytes ({} MiB)",
                bytes.len(),
                MAX_FILE_SIZE,
                MAX_FILE_SIZE / (1024 * 1024)
            ),
        )
        .with_help("split the program into several files joined with `use \"./other.pf\"`");
        return Err((shown(), d));
    }
    if let Some(nul) = memchr::memchr(0, bytes) {
        let text = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let at = text.len();
        let d = Diagnostic::new(
            codes::PF0006,
            Span::new(file, at, at),
            format!("this looks like a binary file: it has a NUL byte at offset {nul}"),
        )
        .with_help("pf reads text files in UTF-8; check that the right file was given");
        return Err((text, d));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let d = Diagnostic::new(
                codes::PF0003,
                Span::new(file, at, at),
                format!("this file is not valid UTF-8: invalid byte 0x{:02X} at offset {at}", bytes[at]),
            )
            .with_help("save the file as UTF-8");
            Err((text, d))
        }
    }
}

/// Parses the text of `file`.
///
/// Files without syntax errors take the hand-written fast path (`fast.rs`); anything else, and
/// anything the fast path is unsure about, goes through pest, the specification.
pub fn parse(file: FileId, text: &str) -> Parse {
    let pre = scan(file, text);
    if pre.too_deep.is_none()
        && pre.unclosed.is_empty()
        && pre.stray.is_empty()
        && pre.unterminated.is_empty()
    {
        if let Some(entries) = super::fast::parse(file, text) {
            return Parse {
                file: ast::File {
                    id: file,
                    entries: entries.into_iter().map(Arc::new).collect(),
                    comments: pre.comments,
                },
                diagnostics: Vec::new(),
                moves: Default::default(),
            };
        }
    }
    parse_pest(file, text, pre)
}

/// Parses with pest only (the specification), for tests comparing it with the fast path.
#[doc(hidden)]
pub fn parse_with_pest(file: FileId, text: &str) -> Parse {
    parse_pest(file, text, scan(file, text))
}

/// The fast path alone: `None` when it gives up. For tests.
#[doc(hidden)]
pub fn parse_fast(file: FileId, text: &str) -> Option<Vec<Entry>> {
    super::fast::parse(file, text)
}

fn parse_pest(file: FileId, text: &str, pre: super::scan::Scan) -> Parse {
    let mut diagnostics = Vec::new();
    let mut out = ast::File { id: file, entries: Vec::new(), comments: pre.comments };

    if let Some(at) = pre.too_deep {
        diagnostics.push(
            Diagnostic::new(
                codes::PF0005,
                Span::new(file, at, at + 1),
                format!("brackets are nested more than {MAX_NESTING} levels deep here"),
            )
            .with_label("too deep")
            .with_help("no pf program needs this depth; flatten the structure"),
        );
        return Parse { file: out, diagnostics, moves: Default::default() };
    }
    // Brackets whose closer a string left open swallowed: one mistake, reported by the string.
    let mut swallowed: Vec<(usize, usize, char)> = Vec::new();
    for &(at, c) in &pre.unclosed {
        let close = match c {
            '{' => '}',
            '[' => ']',
            _ => ')',
        };
        // A string left open runs to the end of its line, closers included.
        if let Some(string) = swallowed_by(text, &pre.unterminated, at, close) {
            swallowed.push((string, at, close));
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                codes::PF0007,
                Span::new(file, at, at + 1),
                format!("this `{c}` is never closed"),
            )
            .with_label("opened here")
            .with_help(format!("add the matching `{close}`")),
        );
    }
    for &(at, c) in &pre.stray {
        diagnostics.push(
            Diagnostic::new(codes::PF0007, Span::new(file, at, at + 1), format!("this `{c}` closes nothing"))
                .with_label("unexpected")
                .with_help("remove it, or add the bracket it should close"),
        );
    }
    for &at in &pre.unterminated {
        let end = text[at..].find(['\n', '\r']).map_or(text.len(), |p| at + p);
        let mut d = Diagnostic::new(codes::PF0010, Span::new(file, at, end), "this string is not closed")
            .with_label("the string starts here")
            .with_help("add a closing `\"` before the end of the line");
        for &(_, open, close) in swallowed.iter().filter(|(s, _, _)| *s == at) {
            d = d.with_secondary(
                Span::new(file, open, open + 1),
                format!("its `{close}` is inside the string"),
            );
        }
        diagnostics.push(d);
    }
    // Syntax errors inside a region a bracket or string problem already explains are noise.
    let explained = |span: Span| -> bool {
        pre.unclosed.iter().any(|&(at, _)| span.end as usize > at)
            || pre.stray.iter().any(|&(at, _)| span.contains(at))
            || pre.unterminated.iter().any(|&at| span.contains(at))
    };

    // Pest sees the unmatched brackets as spaces: a `{` never closed would make it retry the rest
    // of the file once per enclosing body, which is exponential in the number of such brackets
    // (the fuzzer found a 1 KB file taking 5 s). The scan has reported them; the offsets of
    // everything else stay the same.
    let blanked = blank_unmatched(text, &pre.unclosed, &pre.stray);
    let text = blanked.as_deref().unwrap_or(text);
    match PfParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut lower = Lower { file, text, diagnostics: Vec::new() };
            if let Some(root) = pairs.next() {
                out.entries = lower.entries(root).into_iter().map(Arc::new).collect();
            }
            diagnostics.extend(
                lower
                    .diagnostics
                    .into_iter()
                    .filter(|d| d.code != codes::PF0001 || !explained(d.primary.span)),
            );
        }
        Err(e) => {
            // The catch-all rules make this unreachable in practice; report it honestly anyway.
            let at = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            if diagnostics.is_empty() {
                diagnostics.push(Diagnostic::new(
                    codes::PF0001,
                    Span::new(file, at, at),
                    "this file could not be parsed",
                ));
            }
        }
    }
    // A name with a letter outside ASCII breaks the line, and what pf reads of the block after it
    // is a guess: that name is the one finding of the file (PF0012).
    if diagnostics.iter().any(|d| d.code == codes::PF0012) {
        diagnostics.retain(|d| d.code == codes::PF0012);
    }
    Parse { file: out, diagnostics, moves: Default::default() }
}

/// The offset of the first string left open after `at` whose rest of line holds `close`.
fn swallowed_by(text: &str, unterminated: &[usize], at: usize, close: char) -> Option<usize> {
    let u = *unterminated.iter().find(|&&u| u > at)?;
    let end = text[u..].find(['\n', '\r']).map_or(text.len(), |p| u + p);
    text[u..end].contains(close).then_some(u)
}

/// `text` with the brackets the scan found unmatched replaced by spaces (`None`: there are none).
fn blank_unmatched(text: &str, unclosed: &[(usize, char)], stray: &[(usize, char)]) -> Option<String> {
    if unclosed.is_empty() && stray.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for &(at, _) in unclosed.iter().chain(stray) {
        // Brackets are ASCII: replacing one byte keeps the text UTF-8.
        bytes[at] = b' ';
    }
    String::from_utf8(bytes).ok()
}

struct Lower<'t> {
    file: FileId,
    /// The text pest parsed (unmatched brackets blanked).
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Lower<'_> {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    /// The entries of a `file` or `body` pair.
    ///
    /// An entry followed on its own line by an error (`port: 8080` is the block `port`, then
    /// `: 8080`) becomes one invalid line, with whatever the entry reported dropped: the line as
    /// a whole is the mistake. An entry that began on an earlier line (`app a { .. }` then junk
    /// after its `}`) stays, and the junk is reported alone.
    fn entries(&mut self, pair: Pair<Rule>) -> Vec<Entry> {
        let mut out = Vec::new();
        // Where the previous entry started and ended, and how many diagnostics came before it.
        let mut previous: Option<(usize, usize, usize)> = None;
        for p in pair.into_inner() {
            let (start, end) = (p.as_span().start(), p.as_span().end());
            match p.as_rule() {
                Rule::attribute | Rule::block => {
                    let mark = self.diagnostics.len();
                    let entry = match p.as_rule() {
                        Rule::attribute => self.attribute(p),
                        _ => Entry::Block(self.block(p)),
                    };
                    out.push(entry);
                    previous = Some((start, end, mark));
                }
                Rule::missing_sep => {
                    let gap = previous.map_or(start, |(_, e, _)| e);
                    self.missing_separator(gap, start);
                    previous = None;
                }
                Rule::top_error | Rule::body_error => {
                    let top = p.as_rule() == Rule::top_error;
                    if let Some(entry) = self.unbracketed_list(&mut out, previous, start, end) {
                        out.push(entry);
                        previous = None;
                        continue;
                    }
                    let same_line = |(s, e, _): &(usize, usize, usize)| {
                        *e <= start
                            && !self.text[*e..start].contains(',')
                            && !self.text[*s..start].contains(['\n', '\r'])
                    };
                    let start = match previous.filter(same_line) {
                        Some((entry_start, _, mark)) => {
                            out.pop();
                            self.diagnostics.truncate(mark);
                            entry_start
                        }
                        None => start,
                    };
                    let span = Span::new(self.file, start, end);
                    self.invalid_line(span, &self.text[start..end], top);
                    out.push(Entry::Error(span));
                    previous = None;
                }
                _ => {}
            }
        }
        out
    }

    /// `notify = "a@x.com", "b@x.com"`: strings after a string field, separated by commas, are a
    /// list written without its brackets. The attribute and the strings become one invalid entry
    /// with the fix that adds the brackets.
    fn unbracketed_list(
        &mut self,
        out: &mut Vec<Entry>,
        previous: Option<(usize, usize, usize)>,
        start: usize,
        end: usize,
    ) -> Option<Entry> {
        let (entry_start, entry_end, mark) = previous?;
        let Some(Entry::Attribute(a)) = out.last() else { return None };
        if !matches!(a.value.kind, ValueKind::String(_)) || self.text[entry_end..start].trim() != "," {
            return None;
        }
        // The strings that follow, each closed on the line, separated by commas.
        let rest = &self.text[start..end];
        let mut list_end = None;
        let mut i = 0;
        while rest[i..].starts_with('"') {
            let close = rest[i + 1..].find('"')? + i + 2;
            let after = rest[close..].trim_start();
            // `"key" = value` is an entry (a quoted key), not a list item.
            if after.starts_with('=') {
                break;
            }
            list_end = Some(start + close);
            if !after.starts_with(',') || !after[1..].trim_start().starts_with('"') {
                break;
            }
            i = rest.len() - after[1..].trim_start().len();
        }
        let list_end = list_end?;
        let value_start = a.value.span.start as usize;
        let key = a.key.name.clone();
        out.pop();
        self.diagnostics.truncate(mark);
        let items = &self.text[value_start..list_end];
        self.diagnostics.push(
            Diagnostic::new(
                codes::PF0001,
                Span::new(self.file, value_start, list_end),
                format!("`{key}` lists its values without brackets"),
            )
            .with_label("a list without `[ ]`")
            .with_help(format!("a list is written in brackets: `{key} = [{items}]`"))
            .with_fix_edits(
                "add the brackets",
                vec![
                    crate::diagnostic::Edit {
                        span: Span::new(self.file, value_start, value_start),
                        replacement: "[".into(),
                    },
                    crate::diagnostic::Edit {
                        span: Span::new(self.file, list_end, list_end),
                        replacement: "]".into(),
                    },
                ],
                Applicability::Safe,
            ),
        );
        Some(Entry::Error(Span::new(self.file, entry_start, end)))
    }

    /// A forgotten `,` between two entries on one line: the gap between them (`from..to`).
    fn missing_separator(&mut self, from: usize, to: usize) {
        let span = Span::new(self.file, from, to.max(from));
        self.diagnostics.push(
            Diagnostic::new(codes::PF0001, span, "expected `,` or a new line between these entries")
                .with_label("missing `,`")
                .with_help(
                    "entries on one line are separated by commas: `port = 8080, health_check = \"/healthz\"`",
                )
                .with_fix("insert `,`", Span::new(self.file, from, from), ",", Applicability::Safe),
        );
    }

    fn invalid_line(&mut self, span: Span, text: &str, top: bool) {
        let trimmed = text.trim_end();
        let span = Span { end: span.start + trimmed.len() as u32, ..span };
        if let Some(h) = super::hint::line(trimmed) {
            let mut d =
                Diagnostic::new(h.code, span, h.message).with_label("not valid here").with_help(h.help);
            if let Some((s, e, replacement)) = h.fix {
                let at = span.start as usize;
                let title = format!("write `{replacement}`");
                d = d.with_fix(
                    title,
                    Span::new(self.file, at + s, at + e),
                    replacement,
                    Applicability::Unsafe,
                );
            }
            self.diagnostics.push(d);
            return;
        }
        let (message, help) = if trimmed.ends_with('=') {
            ("this field has no value".to_string(), "write a value after `=`, e.g. `port = 8080`")
        } else if top {
            (
                format!("expected a declaration, found `{}`", clip(trimmed)),
                "a file holds `use`, `project`, `app`, `build`, `profile`, `env` and `pipeline` declarations, \
                 each `keyword name { ... }`",
            )
        } else {
            (
                format!("expected a field or block, found `{}`", clip(trimmed)),
                "an entry is `name = value`, or `keyword label { ... }`, one per line or separated by commas",
            )
        };
        self.diagnostics
            .push(Diagnostic::new(codes::PF0001, span, message).with_label("not valid here").with_help(help));
    }

    fn attribute(&mut self, pair: Pair<Rule>) -> Entry {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let (Some(key), Some(value)) = (inner.next(), inner.next()) else {
            return Entry::Error(span);
        };
        let key = if key.as_rule() == Rule::string {
            // A quoted key is its text; the span keeps the quotes (the formatter writes it as is).
            let key_span = self.span(&key);
            let lit = self.string(key);
            match lit.literal_text() {
                Some(text) => ast::Ident { name: text.to_string(), span: key_span },
                None => {
                    self.diagnostics.push(
                        Diagnostic::new(codes::PF0001, key_span, "a quoted key is plain text")
                            .with_label("not plain text")
                            .with_help("a key cannot interpolate `${...}`: write its text"),
                    );
                    return Entry::Error(span);
                }
            }
        } else {
            self.ident(key)
        };
        Entry::Attribute(ast::Attribute { key, value: self.value(value), span })
    }

    fn block(&mut self, pair: Pair<Rule>) -> ast::Block {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = match inner.next() {
            Some(k) => self.ident(k),
            None => ast::Ident { name: String::new(), span },
        };
        let mut block = ast::Block { keyword, labels: Vec::new(), parent: None, body: None, span };
        for p in inner {
            match p.as_rule() {
                Rule::path => block.labels.push(ast::BlockLabel::Name(self.path(p))),
                Rule::string => block.labels.push(ast::BlockLabel::String(self.string(p))),
                Rule::parent => {
                    if let Some(path) = p.into_inner().next() {
                        block.parent = Some(self.path(path));
                    }
                }
                Rule::body => block.body = Some(self.body(p)),
                _ => {}
            }
        }
        block
    }

    fn body(&mut self, pair: Pair<Rule>) -> ast::Body {
        let span = self.span(&pair);
        ast::Body { entries: self.entries(pair), span }
    }

    fn ident(&self, pair: Pair<Rule>) -> ast::Ident {
        ast::Ident { name: pair.as_str().to_string(), span: self.span(&pair) }
    }

    fn path(&self, pair: Pair<Rule>) -> ast::Path {
        ast::Path { text: pair.as_str().to_string(), span: self.span(&pair) }
    }

    fn value(&mut self, pair: Pair<Rule>) -> Value {
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::string => {
                // A string with an unknown escape is reported once, by its escape: its value is
                // not checked against its field as well.
                let mark = self.diagnostics.len();
                let s = self.string(pair);
                if self.diagnostics[mark..].iter().any(|d| d.code == codes::PF0008) {
                    ValueKind::Error
                } else {
                    ValueKind::String(s)
                }
            }
            Rule::number => match text.parse::<i64>() {
                Ok(n) => ValueKind::Int(n),
                Err(_) => self.out_of_range(span, text),
            },
            Rule::boolean => ValueKind::Bool(text == "true"),
            Rule::duration => {
                let (digits, unit) = text.split_at(text.len() - 1);
                let unit = match unit {
                    "s" => ast::DurationUnit::Seconds,
                    "m" => ast::DurationUnit::Minutes,
                    "h" => ast::DurationUnit::Hours,
                    _ => ast::DurationUnit::Days,
                };
                match digits.parse::<u64>() {
                    Ok(value) if (ast::Duration { value, unit }).seconds().is_some() => {
                        ValueKind::Duration(ast::Duration { value, unit })
                    }
                    _ => self.out_of_range(span, text),
                }
            }
            Rule::size => {
                let (digits, unit) = text.split_at(text.len() - 2);
                let unit = match unit {
                    "KB" => ast::SizeUnit::KB,
                    "MB" => ast::SizeUnit::MB,
                    "GB" => ast::SizeUnit::GB,
                    _ => ast::SizeUnit::TB,
                };
                match digits.parse::<u64>() {
                    Ok(value) if value.checked_mul(1 << 20).is_some() => {
                        ValueKind::Size(ast::Size { value, unit })
                    }
                    _ => self.out_of_range(span, text),
                }
            }
            Rule::percent => match text.trim_end_matches('%').parse::<u32>() {
                Ok(n) => ValueKind::Percent(n),
                Err(_) => self.out_of_range(span, text),
            },
            Rule::cidr => self.cidr(span, text),
            Rule::path => ValueKind::Path(self.path(pair)),
            Rule::list => {
                let mut items: Vec<Value> = Vec::new();
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::pair_tail {
                        // `a -> b`: the item before the tail becomes the pair's source.
                        let Some(target) = p.into_inner().next().map(|t| self.value(t)) else { continue };
                        if let Some(source) = items.pop() {
                            let span = source.span.to(target.span);
                            items.push(Value {
                                kind: ValueKind::Pair(Box::new(source), Box::new(target)),
                                span,
                            });
                        }
                    } else {
                        items.push(self.value(p));
                    }
                }
                ValueKind::List(items)
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                match inner.next() {
                    Some(name) => {
                        let name = self.ident(name);
                        ValueKind::Call { name, args: inner.map(|p| self.value(p)).collect() }
                    }
                    None => ValueKind::Error,
                }
            }
            Rule::typed_block => {
                let mut inner = pair.into_inner();
                match (inner.next(), inner.next()) {
                    (Some(kind), Some(body)) => {
                        ValueKind::Block { kind: Some(self.path(kind)), body: self.body(body) }
                    }
                    _ => ValueKind::Error,
                }
            }
            Rule::body => ValueKind::Block { kind: None, body: self.body(pair) },
            _ => ValueKind::Error,
        };
        Value { kind, span }
    }

    /// A literal too large to hold: the checker, which knows its field's range, reports it.
    fn out_of_range(&mut self, _span: Span, text: &str) -> ValueKind {
        ValueKind::TooLarge(text.to_string())
    }

    fn cidr(&mut self, span: Span, text: &str) -> ValueKind {
        let parsed = (|| {
            let (addr, prefix) = text.split_once('/')?;
            let mut value: u32 = 0;
            for octet in addr.split('.') {
                value = (value << 8) | u32::from(octet.parse::<u8>().ok()?);
            }
            let prefix = prefix.parse::<u8>().ok().filter(|p| *p <= 32)?;
            Some(ast::Cidr { addr: value, prefix })
        })();
        match parsed {
            Some(c) => ValueKind::Cidr(c),
            None => {
                self.diagnostics.push(
                    Diagnostic::new(codes::PF0011, span, format!("`{text}` is not a valid CIDR block"))
                        .with_label("invalid CIDR")
                        .with_help("each of the four numbers is 0 to 255 and the prefix length 0 to 32, e.g. `10.0.0.0/16`"),
                );
                ValueKind::Error
            }
        }
    }

    fn string(&mut self, pair: Pair<Rule>) -> ast::StringLit {
        let span = self.span(&pair);
        let mut parts: Vec<ast::StringPart> = Vec::new();
        let mut text = String::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::str_text => text.push_str(p.as_str()),
                Rule::escape => {
                    match p.as_str().chars().nth(1) {
                        Some('n') => text.push('\n'),
                        Some('t') => text.push('\t'),
                        Some('r') => text.push('\r'),
                        Some(c @ ('"' | '\\' | '$')) => text.push(c),
                        _ => {
                            let s = self.span(&p);
                            self.diagnostics.push(
                            Diagnostic::new(codes::PF0008, s, format!("unknown escape `{}`", p.as_str()))
                                .with_label("not an escape")
                                .with_help("the escapes are \\\" \\\\ \\$ \\n \\t \\r; write \\\\ for a backslash"),
                        );
                            text.push_str(p.as_str());
                        }
                    }
                }
                Rule::interp => {
                    if !text.is_empty() {
                        parts.push(ast::StringPart::Text(std::mem::take(&mut text)));
                    }
                    if let Some(path) = p.into_inner().next() {
                        parts.push(ast::StringPart::Interp(self.path(path)));
                    }
                }
                _ => {}
            }
        }
        if !text.is_empty() {
            parts.push(ast::StringPart::Text(text));
        }
        ast::StringLit { parts, span }
    }
}

/// At most 40 characters of `text`, for messages.
fn clip(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help_of(text: &str, code: crate::diagnostic::Code) -> Vec<String> {
        parse(FileId(0), text)
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .filter_map(|d| d.help.clone())
            .collect()
    }

    #[test]
    fn a_string_that_swallowed_a_closer_is_the_one_finding() {
        let text = "app a {\n  deploy = ec2 { health_check = \"/h }\n}\n";
        assert!(help_of(text, codes::PF0007).is_empty());
        let parse = super::parse(FileId(0), text);
        let strings: Vec<_> = parse.diagnostics.iter().filter(|d| d.code == codes::PF0010).collect();
        assert_eq!(strings.len(), 1);
        assert_eq!(strings[0].secondary.len(), 1, "the swallowed bracket is named");
        let text = "app a {\n  x = \"open\n";
        assert_eq!(help_of(text, codes::PF0007), ["add the matching `}`"]);
    }
}
