//! A review as text: human (a terminal), markdown (a pull-request comment) or JSON (versioned:
//! `"version": 1`).

use super::diff::{Action, ResourceChange, StackDiff, StackStatus};
use super::replacement::{self, Replacement};
use super::{CostDelta, Review};
use crate::cost::render::{money, range};
use serde_json::{json, Value};
use std::fmt::Write;

/// The longest value shown in text before it is cut (JSON has every value whole).
const SHOWN: usize = 120;

/// Counts: `2 stacks change: 3 resources added, 1 replaced; 2 findings`.
pub fn headline(r: &Review) -> String {
    if r.is_empty() {
        return "no changes".into();
    }
    let count = |a: Action| r.stacks.iter().flat_map(|s| &s.resources).filter(|c| c.action == a).count();
    let parts: Vec<String> = [Action::Add, Action::Remove, Action::Modify, Action::Replace]
        .into_iter()
        .filter(|a| count(*a) > 0)
        .map(|a| format!("{} {}", count(a), past(a)))
        .collect();
    let stacks = plural(r.stacks.len(), "stack changes", "stacks change");
    let resources = if parts.is_empty() {
        "no resource changes".to_string()
    } else {
        format!("resources {}", parts.join(", "))
    };
    let findings = plural(r.findings.len(), "finding", "findings");
    format!("{stacks} ({resources}); {findings}; {}", plural(r.files.len(), "file differs", "files differ"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn past(a: Action) -> &'static str {
    match a {
        Action::Add => "added",
        Action::Remove => "removed",
        Action::Modify => "modified",
        Action::Replace => "replaced",
    }
}

/// `+`, `-`, `~`, `-/+`.
fn sign(a: Action) -> &'static str {
    match a {
        Action::Add => "+",
        Action::Remove => "-",
        Action::Modify => "~",
        Action::Replace => "-/+",
    }
}

fn action_text(c: &ResourceChange) -> String {
    match (c.action, c.replacement) {
        (Action::Replace, Replacement::Conditional) => "replace (conditional: may be replaced)".into(),
        (Action::Modify, Replacement::Unknown) => {
            "modify (replacement unknown: no table row for the type)".into()
        }
        (a, _) => a.as_str().into(),
    }
}

fn shown(v: &Option<Value>) -> String {
    let Some(v) = v else { return "(none)".into() };
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if text.chars().count() > SHOWN {
        format!("{}...", text.chars().take(SHOWN).collect::<String>())
    } else {
        text
    }
}

fn stack_title(s: &StackDiff) -> String {
    let status = match s.status {
        StackStatus::Added => " (new stack)",
        StackStatus::Removed => " (stack removed)",
        StackStatus::Changed => "",
    };
    let protected = if s.protected { " (protected)" } else { "" };
    format!("{}{status}{protected}", s.name)
}

/// The property lines of a resource change, each prefixed by `indent`.
fn property_lines(c: &ResourceChange, indent: &str, out: &mut String) {
    for p in &c.properties {
        let note = match p.replacement {
            Replacement::Always => "  [replaces]",
            Replacement::Conditional => "  [may replace]",
            _ => "",
        };
        match &p.cause {
            Some(cause) => {
                let _ = writeln!(out, "{indent}{}: changes because {cause}{note}", p.property);
            }
            None => {
                for (i, l) in p.leaves.iter().enumerate() {
                    let tail = if i == 0 { note } else { "" };
                    let _ = writeln!(
                        out,
                        "{indent}{}: {} -> {}{tail}",
                        l.path,
                        shown(&l.before),
                        shown(&l.after)
                    );
                }
            }
        }
    }
}

fn cost_line(d: &CostDelta) -> String {
    let text = |g: &Option<crate::cost::Group>| {
        g.as_ref().map(|g| range(g.total())).unwrap_or_else(|| "none".into())
    };
    let change = match (&d.before, &d.after) {
        (Some(b), Some(a)) => {
            let (x, y) = (a.total().0 - b.total().0, a.total().1 - b.total().1);
            let signed = |v: f64| if v >= 0.0 { format!("+{}", money(v)) } else { money(v) };
            let delta =
                if money(x) == money(y) { signed(x) } else { format!("{} to {}", signed(x), signed(y)) };
            let unpriced = a.unpriced() as i64 - b.unpriced() as i64;
            let extra = if unpriced != 0 {
                format!(", {unpriced:+} items with no price known")
            } else {
                String::new()
            };
            format!(" ({delta}{extra})")
        }
        _ => String::new(),
    };
    format!("{}: {} -> {}{change}", d.name, text(&d.before), text(&d.after))
}

/// For a terminal.
pub fn human(r: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "pf diff: {}", headline(r));
    if !r.findings.is_empty() {
        out.push('\n');
        for f in &r.findings {
            let _ = writeln!(out, "! {} [{}] {}", f.kind.as_str(), f.stack, f.message);
        }
    }
    for s in &r.stacks {
        let _ = writeln!(out, "\n{}", stack_title(s));
        for c in &s.resources {
            let _ = writeln!(out, "  {:<3} {} ({}): {}", sign(c.action), c.id, c.kind, action_text(c));
            property_lines(c, "        ", &mut out);
        }
    }
    if !r.cost.is_empty() {
        let _ = writeln!(out, "\nMonthly estimate ({}, on demand, known prices):", r.region);
        for d in &r.cost {
            let _ = writeln!(out, "  {}", cost_line(d));
        }
    }
    if !r.files.is_empty() {
        let _ = writeln!(out, "\nFiles:");
        for f in &r.files {
            let _ = writeln!(out, "  {} {}", f.change, f.path);
        }
    }
    out
}

/// For a pull-request comment.
pub fn markdown(r: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### pf diff: {}\n", headline(r));
    if !r.findings.is_empty() {
        for f in &r.findings {
            let _ = writeln!(out, "- **{}** `{}`: {}", f.kind.as_str(), f.stack, f.message);
        }
        out.push('\n');
    }
    for s in &r.stacks {
        let _ = writeln!(out, "<details><summary><code>{}</code></summary>\n", stack_title(s));
        let _ = writeln!(out, "| | resource | type | action |\n|---|---|---|---|");
        for c in &s.resources {
            let _ =
                writeln!(out, "| `{}` | `{}` | `{}` | {} |", sign(c.action), c.id, c.kind, action_text(c));
        }
        let changed: Vec<&ResourceChange> = s.resources.iter().filter(|c| !c.properties.is_empty()).collect();
        if !changed.is_empty() {
            out.push_str("\n```\n");
            for c in changed {
                let _ = writeln!(out, "{} {}", sign(c.action), c.id);
                property_lines(c, "    ", &mut out);
            }
            out.push_str("```\n");
        }
        out.push_str("\n</details>\n\n");
    }
    if !r.cost.is_empty() {
        let _ = writeln!(out, "Monthly estimate ({}, on demand, known prices):\n", r.region);
        for d in &r.cost {
            let _ = writeln!(out, "- {}", cost_line(d));
        }
        out.push('\n');
    }
    if !r.files.is_empty() {
        let files: Vec<String> = r.files.iter().map(|f| format!("`{}` ({})", f.path, f.change)).collect();
        let _ = writeln!(out, "Files: {}\n", files.join(", "));
    }
    let _ = writeln!(out, "<sub>Replacements from {}.</sub>", replacement::source());
    out
}

/// Versioned JSON.
pub fn json(r: &Review) -> String {
    let total = |g: &Option<crate::cost::Group>| g.as_ref().map(crate::cost::render::group_json);
    let doc = json!({
        "version": 1,
        "changed": !r.is_empty(),
        "summary": headline(r),
        "findings": r.findings.iter().map(|f| json!({
            "kind": f.kind.as_str(), "stack": f.stack, "resource": f.resource, "message": f.message,
        })).collect::<Vec<_>>(),
        "stacks": r.stacks.iter().map(|s| json!({
            "name": s.name, "app": s.app, "env": s.env, "protected": s.protected,
            "status": match s.status { StackStatus::Added => "added", StackStatus::Removed => "removed", StackStatus::Changed => "changed" },
            "resources": s.resources.iter().map(|c| json!({
                "id": c.id, "type": c.kind, "action": c.action.as_str(), "replacement": c.replacement.as_str(),
                "deletion_policy": c.deletion_policy, "update_replace_policy": c.update_replace_policy,
                "properties": c.properties.iter().map(|p| json!({
                    "property": p.property, "replacement": p.replacement.as_str(), "cause": p.cause,
                    "changes": p.leaves.iter().map(|l| json!({"path": l.path, "before": l.before, "after": l.after})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "cost": {
            "region": r.region,
            "changes": r.cost.iter().map(|d| json!({"name": d.name, "before": total(&d.before), "after": total(&d.after)})).collect::<Vec<_>>(),
        },
        "files": r.files.iter().map(|f| json!({"path": f.path, "change": f.change})).collect::<Vec<_>>(),
        "replacement_table": replacement::source(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
