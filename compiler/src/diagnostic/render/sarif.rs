//! The `sarif` format: SARIF 2.1.0, as GitHub code scanning and other CI tools read it.
//!
//! One run whose `tool.driver` lists a rule for every code that appears (with the code's doc
//! page as its help), and one result per diagnostic. Columns count Unicode code points
//! (`columnKind: unicodeCodePoints`). Suppressed diagnostics carry an `inSource` suppression
//! with its justification.

use super::locate;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The SARIF schema this output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the SARIF log (pretty-printed, with a final newline).
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = serde_json::to_string_pretty(&log(diagnostics, sources)).unwrap_or_default();
    out.push('\n');
    out
}

/// The SARIF log as a value.
pub fn log(diagnostics: &[Diagnostic], sources: &SourceMap) -> Value {
    let codes: BTreeMap<&str, Code> = diagnostics.iter().map(|d| (d.code.id, d.code)).collect();
    let index: BTreeMap<&str, usize> = codes.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules = codes.values().map(|c| rule(*c)).collect::<Vec<_>>();
    let results = diagnostics
        .iter()
        .map(|d| result(d, index.get(d.code.id).copied().unwrap_or(0), sources))
        .collect::<Vec<_>>();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pf",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.id,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": code.summary},
        "help": {"text": code.doc, "markdown": code.doc},
        "defaultConfiguration": {"level": level(code.severity)},
    })
}

fn result(d: &Diagnostic, rule_index: usize, sources: &SourceMap) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": d.code.id,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": {"text": text},
        "locations": [location(d.primary.span, &d.primary.message, sources)],
    });
    if !d.secondary.is_empty() {
        result["relatedLocations"] = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = location(l.span, &l.message, sources);
                loc["id"] = json!(i);
                loc
            })
            .collect();
    }
    if let Some(s) = &d.suppression {
        result["suppressions"] = json!([{"kind": "inSource", "justification": s.justification}]);
    }
    result
}

fn location(span: Span, message: &str, sources: &SourceMap) -> Value {
    let loc = locate(sources, span);
    let mut value = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&loc.file)},
            "region": {
                "startLine": loc.line,
                "startColumn": loc.column,
                "endLine": loc.end_line,
                "endColumn": loc.end_column,
            }
        }
    });
    if !message.is_empty() {
        value["message"] = json!({"text": message});
    }
    value
}

/// A relative URI reference for a file path: forward slashes, leading `./` dropped, and
/// characters outside the URI's unreserved set percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn sarif_shape() {
        let (d, sources) = sample();
        let v: serde_json::Value = serde_json::from_str(&super::render(&d, &sources)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["id"], "PF0001");
        assert!(rules[0]["help"]["markdown"].as_str().unwrap().starts_with("# PF0001"));
        let r = &run["results"][0];
        assert_eq!(r["level"], "error");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "dir/a%2C%20b.pf");
        assert_eq!(loc["region"]["startLine"], 2);
        assert_eq!(loc["region"]["startColumn"], 10);
        assert_eq!(run["results"][1]["suppressions"][0]["kind"], "inSource");
        assert_eq!(run["results"][1]["ruleIndex"], 1);
    }

    #[test]
    fn uris() {
        assert_eq!(super::uri("./a\\b c.pf"), "a/b%20c.pf");
    }
}
