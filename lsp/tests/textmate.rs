//! Keeps the TextMate grammar (`grammar/pf.tmLanguage.json`) in sync with the schema: every
//! declaration keyword, every child keyword and every field name used in `examples/*.pf` is an
//! alternative of the grammar's keyword and field patterns.
#![allow(clippy::unwrap_used)]

use pf_compiler::schema::{self, Schema, Ty};
use serde_json::Value;
use std::collections::BTreeSet;

fn grammar() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../grammar/pf.tmLanguage.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The alternatives of the first `\b(a|b|c)\b` group of a repository pattern.
fn alternatives(g: &Value, rule: &str) -> BTreeSet<String> {
    let re = g["repository"][rule]["match"].as_str().unwrap_or_else(|| panic!("rule {rule} has a match"));
    let start = re.find("\\b(").unwrap() + 3;
    let end = start + re[start..].find(")\\b").unwrap();
    re[start..end].split('|').map(str::to_string).collect()
}

fn walk(
    s: &'static Schema,
    fields: &mut BTreeSet<&'static str>,
    children: &mut BTreeSet<&'static str>,
    depth: usize,
) {
    if depth > 12 {
        return;
    }
    for f in s.fields {
        fields.insert(f.name);
        walk_ty(&f.ty, fields, children, depth);
    }
    for c in s.children {
        children.insert(c.keyword);
        walk(c.schema, fields, children, depth + 1);
        for v in c.variants {
            walk(v.schema, fields, children, depth + 1);
        }
    }
}

fn walk_ty(
    t: &'static Ty,
    fields: &mut BTreeSet<&'static str>,
    children: &mut BTreeSet<&'static str>,
    depth: usize,
) {
    match t {
        Ty::Block(s) | Ty::Extends(s, _) => walk(s, fields, children, depth + 1),
        Ty::Variant(vs) => vs.iter().for_each(|v| walk(v.schema, fields, children, depth + 1)),
        Ty::List(t) | Ty::Map(t) => walk_ty(t, fields, children, depth + 1),
        Ty::Hook => walk(&schema::HOOK_BLOCK, fields, children, depth + 1),
        _ => {}
    }
}

fn examples() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let mut all = String::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pf") {
            all.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    all
}

fn used(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        !ident(before) && !ident(after)
    })
}

#[test]
fn declaration_keywords_are_highlighted() {
    let g = grammar();
    let decls = alternatives(&g, "declaration");
    for k in schema::declaration_keywords() {
        assert!(decls.contains(k), "declaration keyword `{k}` missing from the TextMate grammar");
    }
}

#[test]
fn child_keywords_and_fields_of_the_examples_are_highlighted() {
    let g = grammar();
    let mut fields = BTreeSet::new();
    let mut children = BTreeSet::new();
    for d in schema::DECLS {
        walk(d.schema, &mut fields, &mut children, 0);
    }
    let child_rule = alternatives(&g, "child");
    for c in &children {
        assert!(child_rule.contains(*c), "child keyword `{c}` missing from the TextMate grammar");
    }
    let text = examples();
    let field_rule = alternatives(&g, "field");
    let used_fields: Vec<&&str> = fields.iter().filter(|f| used(&text, f)).collect();
    assert!(used_fields.len() > 20, "the examples use many fields");
    for f in used_fields {
        assert!(field_rule.contains(*f), "field `{f}` (used in examples/) missing from the TextMate grammar");
    }
}

#[test]
fn grammar_is_well_formed() {
    let g = grammar();
    assert_eq!(g["scopeName"], "source.pf");
    for (name, rule) in g["repository"].as_object().unwrap() {
        let has =
            rule.get("match").is_some() || rule.get("begin").is_some() || rule.get("patterns").is_some();
        assert!(has, "rule {name} matches something");
    }
    for p in g["patterns"].as_array().unwrap() {
        let include = p["include"].as_str().unwrap().trim_start_matches('#');
        assert!(g["repository"].get(include).is_some(), "include {include} exists");
    }
}

#[test]
fn the_vscode_extension_ships_the_same_grammar() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let a = std::fs::read_to_string(format!("{root}/grammar/pf.tmLanguage.json")).unwrap();
    let b = std::fs::read_to_string(format!("{root}/editors/vscode/syntaxes/pf.tmLanguage.json")).unwrap();
    assert_eq!(a, b, "run `npm run sync-grammar` in editors/vscode");
}
