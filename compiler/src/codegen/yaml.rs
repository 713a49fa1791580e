//! A small YAML emitter for generated documents (block style, two-space indentation).
//!
//! serde_yaml writes YAML 1.2, whose plain scalars `yes`, `on`, `off` or `2012-10-17` mean
//! booleans and dates to the YAML 1.1 parsers that read buildspecs and appspecs (CodeBuild, the
//! CodeDeploy agent). This emitter writes a string plain only when every YAML parser reads it as
//! that same string; otherwise it quotes it. Multi-line strings are block literals.

use serde_json::{Map, Value};

/// `value` as a YAML document.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// Appends `value` as a YAML document to `out`.
pub fn write(out: &mut String, value: &Value) {
    match value {
        Value::Object(m) if !m.is_empty() => mapping(out, m, 0),
        Value::Array(a) if !a.is_empty() => sequence(out, a, 0),
        other => {
            scalar(out, other, 0);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

fn mapping(out: &mut String, m: &Map<String, Value>, level: usize) {
    for (k, v) in m {
        indent(out, level);
        string(out, k, level);
        out.push(':');
        value_after_key(out, v, level);
    }
}

fn sequence(out: &mut String, a: &[Value], level: usize) {
    for v in a {
        indent(out, level);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first entry shares the dash's line; the others align with it.
                let mut first = true;
                for (k, val) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    string(out, k, level + 2);
                    out.push(':');
                    value_after_key(out, val, level + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(out, inner, level + 2);
            }
            other => {
                out.push(' ');
                scalar(out, other, level + 2);
                out.push('\n');
            }
        }
    }
}

fn value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            mapping(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            sequence(out, a, level + 2);
        }
        other => {
            out.push(' ');
            scalar(out, other, level + 2);
            out.push('\n');
        }
    }
}

fn scalar(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            use std::fmt::Write;
            let _ = write!(out, "{n}");
        }
        Value::String(s) => string(out, s, level),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string scalar: plain when unambiguous, a block literal when multi-line, else quoted.
fn string(out: &mut String, s: &str, level: usize) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
    let shape = Shape::of(s);
    if shape.newline && !shape.control && !s.starts_with([' ', '\n']) {
        out.push('|');
        if !s.ends_with('\n') {
            out.push('-');
        }
        for line in s.trim_end_matches('\n').split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(out, level);
                out.push_str(line);
            }
        }
        return;
    }
    if !shape.control && !shape.newline {
        out.push('\'');
        if shape.quote {
            for (i, part) in s.split('\'').enumerate() {
                if i > 0 {
                    out.push_str("''");
                }
                out.push_str(part);
            }
        } else {
            out.push_str(s);
        }
        out.push('\'');
        return;
    }
    // Double quotes with escapes for the rest.
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What decides how a string that cannot be plain is written, found in one pass over its
/// bytes (instead of one search per question).
#[derive(Default)]
struct Shape {
    /// It holds a line feed.
    newline: bool,
    /// It holds a control character other than a line feed (`char::is_control`: U+0000 to
    /// U+001F and U+007F to U+009F; a carriage return is one).
    control: bool,
    /// It holds a single quote.
    quote: bool,
}

impl Shape {
    fn of(s: &str) -> Shape {
        let b = s.as_bytes();
        let mut shape = Shape::default();
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'\n' => shape.newline = true,
                b'\'' => shape.quote = true,
                0..=0x1f | 0x7f => shape.control = true,
                // U+0080 to U+009F in UTF-8.
                0xc2 if b.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) => shape.control = true,
                _ => {}
            }
        }
        shape
    }
}

/// Words that YAML 1.1 or 1.2 read as something other than a string (the list [`is_reserved`]
/// matches, kept for its test).
#[cfg(test)]
const RESERVED: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
    "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<", "=",
];

/// Whether YAML 1.1 or 1.2 reads `s` as something other than a string: a `match`, which
/// compares by length and bytes, where a search of a list called `memcmp` once per word.
fn is_reserved(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "null"
            | "Null"
            | "NULL"
            | "~"
            | "<<"
            | "="
    )
}

/// Bytes a plain scalar may hold anywhere (ASCII letters, digits and ` _./$:-(){}@+=,*`).
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric()
            || matches!(b, b' ' | b'_' | b'.' | b'/' | b'$' | b':' | b'-')
            || matches!(b, b'(' | b')' | b'{' | b'}' | b'@' | b'+' | b'=' | b',' | b'*');
        c += 1;
    }
    t
};

/// Whether `s` can be written as a plain scalar that every YAML parser reads as this string.
fn is_plain_safe(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else { return false };
    // Every reserved word is at most 5 bytes long.
    if b.len() <= 5 && is_reserved(s) || matches!(first, b'.' | b'+') && b.len() > 1 {
        return false;
    }
    // Anything that starts like a number (ints, floats, octal, hex, sexagesimal, dates), an
    // indicator, or a space.
    if first.is_ascii_digit()
        || first == b'-' && b.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b'.')
        || matches!(
            first,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b' '
        )
        || matches!(last, b':' | b' ')
    {
        return false;
    }
    // Only plain bytes, and no `: ` (a key), in one pass that keeps the byte before. ` #` (a
    // comment) cannot occur: `#` is not a plain byte.
    let mut before = 0;
    for &c in b {
        if !PLAIN[c as usize] || c == b' ' && before == b':' {
            return false;
        }
        before = c;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "yes",
            "on",
            "off",
            "No",
            "2012-10-17",
            "1.22",
            "0.0",
            "-1",
            ".5",
            "null",
            "a: b",
            "x #y",
            "'q'",
            "",
            " lead",
        ] {
            assert!(!is_plain_safe(s), "{s} must be quoted");
        }
        for s in
            ["webshop", "arn:${AWS::Partition}:s3:::x/*", "Fn::Sub", "a b", "CodeDeployDefault.OneAtATime"]
        {
            assert!(is_plain_safe(s), "{s} can be plain");
        }
    }

    /// The table-driven check accepts exactly what the first, character-by-character version
    /// did (kept here as the reference), on random strings of the characters that matter.
    #[test]
    fn plain_check_equals_the_reference() {
        fn reference(s: &str) -> bool {
            let Some(first) = s.chars().next() else { return false };
            if s.len() <= 5 && RESERVED.contains(&s) || s.starts_with(['.', '+']) && s.len() > 1 {
                return false;
            }
            if first.is_ascii_digit()
                || (first == '-' && s[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.'))
                || "-?:,[]{}#&*!|>'\"%@`".contains(first)
            {
                return false;
            }
            s.bytes().all(|b| b.is_ascii_alphanumeric() || b" _./$:-(){}@+=,*".contains(&b))
                && !s.as_bytes().windows(2).any(|w| matches!(w, [b':', b' '] | [b' ', b'#']))
                && !s.ends_with([':', ' '])
                && !s.starts_with(' ')
        }
        let alphabet: Vec<char> = "aZ09 :#-.+_/$(){}@=,*?[]&!|>'\"%`~\n\té".chars().collect();
        let mut rng = crate::testgen::Lcg(7);
        let mut plain = 0;
        for _ in 0..200_000 {
            let len = rng.below(7);
            let s: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            assert_eq!(is_plain_safe(&s), reference(&s), "{s:?}");
            plain += usize::from(reference(&s));
        }
        for s in RESERVED {
            assert_eq!(is_plain_safe(s), reference(s), "{s:?}");
        }
        assert!(plain > 1000, "both kinds were tried ({plain} plain)");
    }

    /// The one-pass shape says what the searches it replaced said.
    #[test]
    fn shape_equals_the_searches() {
        let mut chars: Vec<char> = (0u32..0x300).filter_map(char::from_u32).collect();
        chars.extend(['\u{2028}', '\u{feff}', '\u{1f600}']);
        let mut rng = crate::testgen::Lcg(11);
        for i in 0..50_000 {
            let s: String = if i < chars.len() {
                chars[i].to_string()
            } else {
                (0..rng.below(6)).map(|_| chars[rng.below(chars.len())]).collect()
            };
            let shape = Shape::of(&s);
            assert_eq!(shape.newline, s.contains('\n'), "{s:?}");
            assert_eq!(shape.control, s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
            assert_eq!(shape.quote, s.contains('\''), "{s:?}");
        }
    }

    #[test]
    fn round_trips_through_a_parser() {
        let v = json!({
            "version": 0.2,
            "env": {"variables": {"FLAG": "on", "DATE": "2012-10-17", "Q": "it's", "E": ""}},
            "list": ["yes", 1, true, null, {"a": [1, 2], "b": {"c": "d"}}, [], {}],
            "code": "import x\n\ndef f():\n    return 1\n",
            "tail": "no newline\nat end",
            "ctl": "tab\there"
        });
        let text = to_string(&v);
        let back: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(back, v, "\n{text}");
        assert!(text.contains("FLAG: 'on'"));
        assert!(text.contains("DATE: '2012-10-17'"));
    }
}
