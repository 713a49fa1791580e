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
    match value {
        Value::Object(m) if !m.is_empty() => mapping(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => sequence(&mut out, a, 0),
        other => {
            scalar(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
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
    if s.contains('\n') && !s.contains('\r') && !s.starts_with([' ', '\n']) && !has_control(s) {
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
    if !has_control(s) && !s.contains('\n') {
        out.push('\'');
        for (i, part) in s.split('\'').enumerate() {
            if i > 0 {
                out.push_str("''");
            }
            out.push_str(part);
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

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

/// Words that YAML 1.1 or 1.2 read as something other than a string.
const RESERVED: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
    "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<", "=",
];

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    // Every reserved word is at most 5 bytes long.
    if s.len() <= 5 && RESERVED.contains(&s) || s.starts_with(['.', '+']) && s.len() > 1 {
        return false;
    }
    // Anything that starts like a number (ints, floats, octal, hex, sexagesimal, dates).
    if first.is_ascii_digit()
        || (first == '-' && s[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.'))
    {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'_'
                    | b'.'
                    | b'/'
                    | b'$'
                    | b':'
                    | b'-'
                    | b'('
                    | b')'
                    | b'{'
                    | b'}'
                    | b'@'
                    | b'+'
                    | b'='
                    | b','
                    | b'*'
            )
    }) && !s.as_bytes().windows(2).any(|w| matches!(w, [b':', b' '] | [b' ', b'#']))
        && !s.ends_with([':', ' '])
        && !s.starts_with(' ')
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
