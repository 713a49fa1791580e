//! Values that print on one line whatever the layout: strings, numbers, names.

use crate::ast::{BlockLabel, StringLit, StringPart};

/// A string literal with its escapes re-applied.
pub(super) fn string(s: &StringLit) -> String {
    let mut out = String::from("\"");
    for part in &s.parts {
        match part {
            StringPart::Text(text) => escape(text, &mut out),
            StringPart::Interp(path) => {
                out.push_str("${");
                out.push_str(&path.text);
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

/// Appends `text` escaped for a string literal; `$` is escaped only before `{`.
fn escape(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
}

/// A block label: a bare name or a string.
pub(super) fn label(label: &BlockLabel) -> String {
    match label {
        BlockLabel::Name(path) => path.text.clone(),
        BlockLabel::String(s) => string(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Path;
    use crate::source::{FileId, Span};

    fn lit(parts: Vec<StringPart>) -> StringLit {
        StringLit { parts, span: Span::new(FileId(0), 0, 0) }
    }

    #[test]
    fn escapes_only_what_is_needed() {
        let s = lit(vec![StringPart::Text("a\"b\\c\n\t\r $x ${y} é".into())]);
        assert_eq!(string(&s), r#""a\"b\\c\n\t\r $x \${y} é""#);
    }

    #[test]
    fn dollar_before_an_interpolation_stays_bare() {
        let path = Path { text: "app.name".into(), span: Span::new(FileId(0), 0, 0) };
        let s = lit(vec![StringPart::Text("$".into()), StringPart::Interp(path)]);
        assert_eq!(string(&s), r#""$${app.name}""#);
    }
}
