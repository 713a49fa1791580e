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
    // The `{ ... }` pairs as matched, for blaming the right brace afterwards.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
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
                        if open == '{' {
                            pairs.push((stack[at].0, i));
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
    if (out.unclosed.len() == 1 || out.stray.len() == 1) && out.too_deep.is_none() {
        reblame(text, &pairs, &mut out);
    }
    out
}

/// The indentation (in bytes) of the line holding `at`, and whether `at` is the first thing
/// on it.
fn indent(bytes: &[u8], at: usize) -> (usize, bool) {
    let start = bytes[..at].iter().rposition(|&b| b == b'\n' || b == b'\r').map_or(0, |p| p + 1);
    let width = bytes[start..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    (width, start + width == at)
}

/// Blames the brace really missing or extra, as rustc does, when one `{` is never closed or one
/// `}` closes nothing. The bracket counts find the outermost block unclosed (its `}` closed an
/// inner block instead) or the last `}` stray (an extra one earlier closed an outer block): a
/// pair whose `}` is indented differently from its `{`'s line shows where the mistake is. The
/// new blame is kept only if the brackets match without the blamed one.
fn reblame(text: &str, pairs: &[(usize, usize)], out: &mut Scan) {
    let bytes = text.as_bytes();
    let mismatched = |&&(o, c): &&(usize, usize)| {
        let (oi, _) = indent(bytes, o);
        let (ci, first) = indent(bytes, c);
        (oi, ci, first)
    };
    // The new (unclosed, stray) brackets.
    type Brackets = Vec<(usize, char)>;
    let mut blame: Option<(Brackets, Brackets)> = None;
    if let ([(u, '{')], []) = (out.unclosed.as_slice(), out.stray.as_slice()) {
        // The first block after it closed by a `}` on its own line, dedented from the `{`.
        if let Some(&(o, _)) = pairs.iter().filter(|p| p.0 > *u).find(|p| {
            let (oi, ci, first) = mismatched(p);
            first && ci < oi
        }) {
            blame = Some((vec![(o, '{')], Vec::new()));
        }
    }
    if let ([], [(s, '}')]) = (out.unclosed.as_slice(), out.stray.as_slice()) {
        // The last `}` before it that follows something on its line and is indented deeper
        // than the `{` it closed: an extra brace typed at the end of a line.
        if let Some(&(_, c)) = pairs.iter().filter(|p| p.1 < *s).rev().find(|p| {
            let (oi, ci, first) = mismatched(p);
            !first && ci > oi
        }) {
            blame = Some((Vec::new(), vec![(c, '}')]));
        }
    }
    let Some((unclosed, stray)) = blame else { return };
    let mut blanked = bytes.to_vec();
    for &(at, _) in unclosed.iter().chain(&stray) {
        blanked[at] = b' ';
    }
    let Ok(blanked) = String::from_utf8(blanked) else { return };
    let again = scan(FileId(0), &blanked);
    if again.unclosed.is_empty() && again.stray.is_empty() {
        out.unclosed = unclosed;
        out.stray = stray;
    }
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
    fn blames_the_brace_the_indentation_says_is_missing_or_extra() {
        let missing = "env a {\n  network { cidr = 1\n  compute { min = 1 }\n}\n\nenv b {\n  x = 1\n}\n";
        assert_eq!(scan(FileId(0), missing).unclosed, vec![(18, '{')]);
        let extra = "pipeline p {\n  stage b { build }}\n  stage t { x }\n}\n";
        assert_eq!(scan(FileId(0), extra).stray, vec![(32, '}')]);
        // Without an indentation that says otherwise, the counts decide.
        assert_eq!(scan(FileId(0), "app a {\n  b { }\n").unclosed, vec![(6, '{')]);
    }

    #[test]
    fn reports_depth_and_unterminated_strings() {
        let deep = "[".repeat(MAX_NESTING + 1);
        assert_eq!(scan(FileId(0), &deep).too_deep, Some(MAX_NESTING));
        assert_eq!(scan(FileId(0), "a = \"abc\nb = 1").unterminated, vec![4]);
    }
}
