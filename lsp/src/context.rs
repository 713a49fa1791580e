//! The cursor's context from the live text, for completion in files that do not parse: a small
//! scanner over the text that finds the enclosing blocks (`env uat : prod {`, `network {`), the
//! entry being typed, and the names already set in the innermost block.
//!
//! ```
//! let text = "env prod {\n  network { cidr = 10.0.0.0/16\n    a";
//! let ctx = pf_lsp::context::scan(text, text.len());
//! assert_eq!(ctx.headers, ["env prod", "network"]);
//! assert_eq!(ctx.entry, "a");
//! assert_eq!(ctx.block_keys, ["cidr", "a"]);
//! ```

use pf_compiler::schema::{self, DeclKind, Schema, Ty};

/// Where the cursor is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// The header of each enclosing `{` block, outermost first (`env uat : prod`,
    /// `database = postgres`, `stage build`).
    pub headers: Vec<String>,
    /// The entry being typed, from its start up to the cursor (`nat = si`, `deploy p`).
    pub entry: String,
    /// Inside `[ ... ]` or `( ... )` of the entry.
    pub in_list: bool,
    /// Inside a string or a comment.
    pub in_text: bool,
    /// Inside a string (`in_text` too): `entry` ends with what is typed after the quote.
    pub in_string: bool,
    /// The first word of each entry of the innermost block (the whole block, also after the
    /// cursor).
    pub block_keys: Vec<String>,
}

struct Frame {
    open: u8,
    pos: usize,
    entry_start: usize,
}

/// Scans `text` up to `offset` (clamped to a char boundary).
pub fn scan(text: &str, offset: usize) -> Context {
    let offset = pf_compiler::source::floor_char_boundary(text, offset);
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    let mut entry_start = 0;
    let mut ctx = Context::default();
    let mut i = 0;
    while i < offset {
        match bytes[i] {
            b'#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                if end >= offset {
                    ctx.in_text = true;
                    return ctx;
                }
                i = end;
                continue;
            }
            b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                if j >= offset {
                    (ctx.in_text, ctx.in_string) = (true, true);
                    break;
                }
                i = j + 1;
                continue;
            }
            c @ (b'{' | b'[' | b'(') => {
                if c == b'{' && starts_declaration(text, entry_start, i) {
                    // A declaration at the start of a line is at the top level: the blocks
                    // still open before it were left unclosed.
                    frames.clear();
                }
                frames.push(Frame { open: c, pos: i, entry_start });
                if c == b'{' {
                    entry_start = i + 1;
                }
            }
            c @ (b'}' | b']' | b')') => {
                let open = match c {
                    b'}' => b'{',
                    b']' => b'[',
                    _ => b'(',
                };
                if let Some(k) = frames.iter().rposition(|f| f.open == open) {
                    let f = frames.remove(k);
                    frames.truncate(k);
                    entry_start = f.entry_start;
                }
            }
            b'\n' | b',' if frames.last().is_none_or(|f| f.open == b'{') => entry_start = i + 1,
            _ => {}
        }
        i += 1;
    }
    for f in frames.iter().filter(|f| f.open == b'{') {
        let header = text.get(f.entry_start..f.pos).unwrap_or("");
        ctx.headers.push(header.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    ctx.in_list = frames.last().is_some_and(|f| f.open != b'{');
    ctx.entry = text.get(entry_start..offset).unwrap_or("").trim_start().to_string();
    if let Some(f) = frames.iter().rev().find(|f| f.open == b'{') {
        ctx.block_keys = keys(text, f.pos + 1);
    }
    ctx
}

/// Whether the entry `text[start..brace]` before a `{` is a declaration header written at the
/// start of its line: `env b`, `app shop`, `env uat : prod` (a declaration keyword and a name,
/// no `=`).
fn starts_declaration(text: &str, start: usize, brace: usize) -> bool {
    let header = text.get(start..brace).unwrap_or("");
    let lead = header.len() - header.trim_start_matches([' ', '\t', '\n', '\r']).len();
    let at = start + lead;
    let line_start = at == 0 || matches!(text.as_bytes().get(at - 1), Some(b'\n' | b'\r'));
    let mut words = header.split_whitespace();
    let keyword = words.next().unwrap_or("");
    line_start
        && words.next().is_some()
        && !header.contains('=')
        && schema::declaration(keyword).is_some_and(|d| d.kind != DeclKind::Project)
}

/// The first word of each entry of the block whose body starts at `start`.
fn keys(text: &str, start: usize) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut at_entry = true;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                i = text[i..].find('\n').map_or(text.len(), |n| i + n);
                continue;
            }
            b'"' => {
                at_entry = false;
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
                continue;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                at_entry = false;
            }
            b'}' | b']' | b')' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            b'\n' | b',' if depth == 0 => at_entry = true,
            b' ' | b'\t' | b'\r' => {}
            c if at_entry && depth == 0 && (c.is_ascii_alphabetic() || c == b'_') => {
                let end = text[i..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
                    .map_or(text.len(), |n| i + n);
                out.push(text[i..end].to_string());
                at_entry = false;
                i = end;
                continue;
            }
            _ => at_entry = false,
        }
        i += 1;
    }
    out
}

/// What the innermost block is, resolved against the schema.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// The top level of a file.
    Top,
    /// A block with a schema, inside a declaration of `kind`.
    Block { schema: &'static Schema, kind: DeclKind },
    /// A block of free `name = value` entries of one type.
    Map(&'static Ty),
    /// A block pf does not know.
    Unknown,
}

/// Resolves the headers of the enclosing blocks against the schema.
pub fn resolve(headers: &[String]) -> Scope {
    let Some(first) = headers.first() else { return Scope::Top };
    let keyword = first.split_whitespace().next().unwrap_or("");
    let Some(decl) = schema::declaration(keyword) else { return Scope::Unknown };
    let mut scope = Scope::Block { schema: decl.schema, kind: decl.kind };
    for header in &headers[1..] {
        let Scope::Block { schema, kind } = scope else { return Scope::Unknown };
        scope = match header.split_once('=') {
            Some((key, rhs)) => {
                let key = key.trim();
                let rhs = rhs.split_whitespace().next().unwrap_or("");
                match schema.field(key).map(|f| &f.ty) {
                    Some(ty) => ty_scope(ty, rhs, kind),
                    None => Scope::Unknown,
                }
            }
            None => {
                let mut words = header.split_whitespace();
                let kw = words.next().unwrap_or("");
                let label = words.next().unwrap_or("");
                if let Some(child) = schema.child(kw) {
                    let s =
                        child.variants.iter().find(|v| v.kind == label).map_or(child.schema, |v| v.schema);
                    Scope::Block { schema: s, kind }
                } else if let Some(f) = schema.field(kw) {
                    ty_scope(&f.ty, "", kind)
                } else {
                    Scope::Unknown
                }
            }
        };
    }
    scope
}

fn ty_scope(ty: &'static Ty, kind_name: &str, kind: DeclKind) -> Scope {
    match ty {
        Ty::Block(s) | Ty::Extends(s, _) => Scope::Block { schema: s, kind },
        Ty::Hook => Scope::Block { schema: &schema::HOOK_BLOCK, kind },
        Ty::Variant(vs) => vs
            .iter()
            .find(|v| v.kind == kind_name)
            .map_or(Scope::Unknown, |v| Scope::Block { schema: v.schema, kind }),
        Ty::Map(t) => Scope::Map(t),
        _ => Scope::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headers_across_inline_blocks_and_lists() {
        let text = "app a {\n  source = codecommit { repository = \"x{\", branch = \"m\" }\n  deploy = ec2 {\n    files = [\"a\" -> \"b\",\n  ";
        let ctx = scan(text, text.len());
        assert_eq!(ctx.headers, ["app a", "deploy = ec2"]);
        assert!(ctx.in_list);
        assert!(ctx.entry.starts_with("files = ["));
        assert!(
            matches!(resolve(&ctx.headers), Scope::Block { schema, .. } if schema.field("port").is_some())
        );
    }

    #[test]
    fn strings_and_comments_are_text() {
        let text = "env x { # a comment {";
        assert!(scan(text, text.len()).in_text);
        let text = "env x { tags { a = \"b";
        assert!(scan(text, text.len()).in_text);
    }

    #[test]
    fn block_keys_include_entries_after_the_cursor() {
        let text = "env x {\n  network {\n    \n    cidr = 10.0.0.0/16, nat = single\n  }\n}\n";
        let at = text.find("    \n").unwrap_or(0) + 4;
        let ctx = scan(text, at);
        assert_eq!(ctx.block_keys, ["cidr", "nat"]);
        assert_eq!(ctx.entry, "");
    }
}
