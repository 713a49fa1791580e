//! A fast pre-scan of the raw text, before pest sees it.
//!
//! It finds what a PEG parser reports badly or not at all: brackets nested deeper than
//! [`MAX_NESTING`] (which would drive the recursive parser into a stack overflow), brackets never
//! closed or closing nothing, and strings not closed on their line. It also collects comments.

use crate::ast::Comment;
use crate::source::{FileId, Span};

/// The deepest nesting of `{`, `[` and `(` that pf parses.
pub const MAX_NESTING: usize = 64;

/// What the scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub comments: Vec<Comment>,
    /// Offset of the first bracket that goes deeper than [`MAX_NESTING`].
    pub too_deep: Option<usize>,
    /// Brackets never closed: offset and the bracket.
    pub unclosed: Vec<(usize, char)>,
    /// Closing brackets that close nothing (or the wrong kind): offset and the bracket.
    pub stray: Vec<(usize, char)>,
    /// Offsets of strings not closed on their line.
    pub unterminated: Vec<usize>,
}

/// Scans `text` of file `file`.
pub fn scan(file: FileId, text: &str) -> Scan {
    let mut out = Scan::default();
    let bytes = text.as_bytes();
    let mut stack: Vec<(usize, char)> = Vec::new();
    // How many of each kind (`{`, `[`, `(`) are open: a closer of a kind with none open is stray
    // at once, without searching the stack (which made `{` x 50,000 then `]` x 50,000 quadratic).
    let mut open_count = [0usize; 3];
    let slot = |c: char| match c {
        '{' => 0,
        '[' => 1,
        _ => 2,
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let end = line_end(bytes, i);
                out.comments.push(Comment { span: Span::new(file, i, end), text: text[i..end].to_string() });
                i = end;
                continue;
            }
            b'"' => {
                i = skip_string(bytes, i, &mut out.unterminated);
                continue;
            }
            c @ (b'{' | b'[' | b'(') => {
                stack.push((i, c as char));
                open_count[slot(c as char)] += 1;
                if stack.len() > MAX_NESTING && out.too_deep.is_none() {
                    out.too_deep = Some(i);
                }
            }
            c @ (b'}' | b']' | b')') => {
                let open = match c {
                    b'}' => '{',
                    b']' => '[',
                    _ => '(',
                };
                // A closer that matches a bracket deeper in the stack closes it; the brackets
                // above it were never closed.
                let found = if open_count[slot(open)] == 0 {
                    None
                } else {
                    stack.iter().rposition(|&(_, o)| o == open)
                };
                match found {
                    Some(at) => {
                        for &(_, o) in &stack[at..] {
                            open_count[slot(o)] -= 1;
                        }
                        out.unclosed.extend(stack.drain(at..).skip(1));
                    }
                    None => out.stray.push((i, c as char)),
                }
            }
            _ => {
                // Most bytes are none of the above: skip them in a tight loop.
                i += 1;
                while i < bytes.len() && !SPECIAL[bytes[i] as usize] {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    out.unclosed.extend(stack);
    out.unclosed.sort();
    out
}

/// The bytes the scan acts on: comment and string starts, and brackets.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let special = b"#\"{[()]}";
    while k < special.len() {
        t[special[k] as usize] = true;
        k += 1;
    }
    t
};

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |p| from + p)
}

/// Skips a string starting at `start` (a `"`); returns the offset after it.
fn skip_string(bytes: &[u8], start: usize, unterminated: &mut Vec<usize>) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return i + 1,
            b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' && bytes[i + 1] != b'\r' => i += 2,
            b'\n' | b'\r' => break,
            _ => i += 1,
        }
    }
    unterminated.push(start);
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unclosed_and_stray_brackets() {
        let s = scan(FileId(0), "app a {\n  x = [1, 2\n}\n)");
        assert_eq!(s.unclosed, vec![(14, '[')]);
        assert_eq!(s.stray, vec![(22, ')')]);
    }

    #[test]
    fn ignores_brackets_in_strings_and_comments() {
        let s = scan(FileId(0), "a = \"{[(\" # }\nb = 1");
        assert!(s.unclosed.is_empty() && s.stray.is_empty());
        assert_eq!(s.comments.len(), 1);
        assert_eq!(s.comments[0].text, "# }");
    }

    #[test]
    fn reports_depth_and_unterminated_strings() {
        let deep = "[".repeat(MAX_NESTING + 1);
        assert_eq!(scan(FileId(0), &deep).too_deep, Some(MAX_NESTING));
        assert_eq!(scan(FileId(0), "a = \"abc\nb = 1").unterminated, vec![4]);
    }
}
