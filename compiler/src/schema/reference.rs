//! The field reference of `docs/language.md`, generated from the schema so the two never drift
//! (a test compares them).

use super::types::*;
use super::DECLS;
use std::fmt::Write;

/// Markdown tables of every declaration, block and field.
pub fn markdown() -> String {
    let mut out = String::new();
    let mut seen: Vec<*const Schema> = Vec::new();
    for d in DECLS {
        let parents = if d.parents.is_empty() {
            String::new()
        } else {
            format!(
                " (may extend: {})",
                d.parents.iter().map(|p| format!("`{}`", p.keyword())).collect::<Vec<_>>().join(", ")
            )
        };
        let _ = writeln!(out, "### `{}`{parents}\n\n{}\n", d.keyword, d.doc);
        schema(&mut out, d.keyword, d.schema, &mut seen);
    }
    out
}

fn schema(out: &mut String, path: &str, s: &'static Schema, seen: &mut Vec<*const Schema>) {
    if s.fields.is_empty() && s.children.is_empty() {
        return;
    }
    if seen.contains(&(s as *const Schema)) {
        let _ = writeln!(out, "`{path}`: as above.\n");
        return;
    }
    seen.push(s as *const Schema);
    if !s.fields.is_empty() {
        let _ = writeln!(out, "| `{path}` field | type | default | |\n|---|---|---|---|");
        for f in s.fields {
            let default = match (f.required, f.default) {
                (true, _) => "**required**".to_string(),
                (false, Some(d)) => format!("`{d}`"),
                (false, None) => "—".to_string(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {default} | {} |",
                f.name,
                f.ty.describe().replace('|', "\\|"),
                f.doc.replace('|', "\\|")
            );
        }
        let _ = writeln!(out);
    }
    for c in s.children {
        let label = match c.label {
            LabelRule::None => String::new(),
            _ => " NAME".to_string(),
        };
        let _ = writeln!(out, "`{path}` › `{}{label} {{ ... }}`: {}\n", c.keyword, c.doc);
        for v in c.variants {
            let _ = writeln!(out, "- `{} {} {{ ... }}`: {}", c.keyword, v.kind, v.doc);
        }
        if !c.variants.is_empty() {
            let _ = writeln!(out);
        }
        for v in c.variants {
            schema(out, &format!("{}.{} {}", path, c.keyword, v.kind), v.schema, seen);
        }
        schema(out, &format!("{path}.{}", c.keyword), c.schema, seen);
    }
    for f in s.fields {
        match &f.ty {
            Ty::Block(b) | Ty::Extends(b, _) => schema(out, &format!("{path}.{}", f.name), b, seen),
            Ty::Variant(vs) => {
                for v in *vs {
                    let _ = writeln!(out, "`{path}.{} = {} {{ ... }}`: {}\n", f.name, v.kind, v.doc);
                    schema(out, &format!("{path}.{} = {}", f.name, v.kind), v.schema, seen);
                }
            }
            Ty::Hook => schema(out, &format!("{path}.{} {{ ... }}", f.name), &super::HOOK_BLOCK, seen),
            _ => {}
        }
    }
}
