//! The `json` format: one stable document, version 1, described in `docs/diagnostics.md`.
//!
//! ```text
//! {"version": 1,
//!  "diagnostics": [{code, severity, message, file, line, column, end_line, end_column, offset,
//!                   end_offset, labels: [...], notes, help, fix, suppressed, justification}],
//!  "summary": {"errors": N, "warnings": N, "suppressed": N}}
//! ```
//!
//! Suppressed diagnostics are included with `"suppressed": true`.

use super::{locate, Location, Summary};
use crate::diagnostic::{Applicability, Diagnostic, Label};
use crate::source::SourceMap;
use serde_json::{json, Map, Value};

/// The version of the document shape; bumped only on incompatible changes.
pub const VERSION: u32 = 1;

/// Renders the JSON document (pretty-printed, with a final newline).
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = serde_json::to_string_pretty(&document(diagnostics, sources)).unwrap_or_default();
    out.push('\n');
    out
}

/// The JSON document as a value.
pub fn document(diagnostics: &[Diagnostic], sources: &SourceMap) -> Value {
    let summary = Summary::of(diagnostics);
    json!({
        "version": VERSION,
        "diagnostics": diagnostics.iter().map(|d| diagnostic(d, sources)).collect::<Vec<_>>(),
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "suppressed": summary.suppressed,
        },
    })
}

/// One diagnostic as a JSON object.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) -> Value {
    let mut obj = Map::new();
    obj.insert("code".into(), json!(d.code.id));
    obj.insert("severity".into(), json!(d.severity.as_str()));
    obj.insert("message".into(), json!(d.message));
    position(&mut obj, &locate(sources, d.primary.span), true);
    let labels = std::iter::once((&d.primary, true))
        .chain(d.secondary.iter().map(|l| (l, false)))
        .map(|(l, primary)| label(l, primary, sources))
        .collect::<Vec<_>>();
    obj.insert("labels".into(), Value::Array(labels));
    obj.insert("notes".into(), json!(d.notes));
    obj.insert("help".into(), json!(d.help));
    let fix = d.fix.as_ref().map(|fix| {
        let edits = fix
            .edits
            .iter()
            .map(|e| {
                let mut edit = Map::new();
                position(&mut edit, &locate(sources, e.span), true);
                edit.insert("replacement".into(), json!(e.replacement));
                Value::Object(edit)
            })
            .collect::<Vec<_>>();
        let applicability = match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        };
        json!({"title": fix.title, "applicability": applicability, "edits": edits})
    });
    obj.insert("fix".into(), fix.unwrap_or(Value::Null));
    obj.insert("suppressed".into(), json!(d.suppression.is_some()));
    obj.insert("justification".into(), json!(d.suppression.as_ref().map(|s| &s.justification)));
    Value::Object(obj)
}

fn label(l: &Label, primary: bool, sources: &SourceMap) -> Value {
    let mut obj = Map::new();
    position(&mut obj, &locate(sources, l.span), false);
    obj.insert("message".into(), json!(l.message));
    obj.insert("primary".into(), json!(primary));
    Value::Object(obj)
}

/// Inserts `file`, `line`, `column`, `end_line`, `end_column` and, if `offsets`, the byte
/// offsets.
fn position(obj: &mut Map<String, Value>, loc: &Location, offsets: bool) {
    obj.insert("file".into(), json!(loc.file));
    obj.insert("line".into(), json!(loc.line));
    obj.insert("column".into(), json!(loc.column));
    obj.insert("end_line".into(), json!(loc.end_line));
    obj.insert("end_column".into(), json!(loc.end_column));
    if offsets {
        obj.insert("offset".into(), json!(loc.offset));
        obj.insert("end_offset".into(), json!(loc.end_offset));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn documented_shape() {
        let (d, sources) = sample();
        let v: serde_json::Value = serde_json::from_str(&super::render(&d, &sources)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["summary"], serde_json::json!({"errors": 1, "warnings": 0, "suppressed": 1}));
        let first = &v["diagnostics"][0];
        let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "code",
                "severity",
                "message",
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
                "offset",
                "end_offset",
                "labels",
                "notes",
                "help",
                "fix",
                "suppressed",
                "justification"
            ]
        );
        assert_eq!(first["labels"][0]["primary"], true);
        assert_eq!(first["labels"][1]["message"], "in this app");
        assert_eq!(first["fix"]["edits"][0]["replacement"], "80");
        assert_eq!(first["fix"]["applicability"], "safe");
        assert_eq!(v["diagnostics"][1]["suppressed"], true);
        assert_eq!(v["diagnostics"][1]["justification"], "ok");
        assert_eq!(v["diagnostics"][1]["fix"], serde_json::Value::Null);
    }
}
