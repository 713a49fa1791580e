//! The Mermaid and DOT pictures of every example's pipelines, as snapshots: they are claims
//! about each pipeline's shape (which actions run side by side, in which order, what they
//! target). Both formats are also checked for structure: ids declared before use, braces
//! balanced.

use pf_compiler::driver::{analyze, Loader, Root};
use pf_compiler::graph;
use pf_compiler::ir::Program;
use std::collections::BTreeSet;

struct Disk;

impl Loader for Disk {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| e.to_string())
    }
}

const EXAMPLES: [&str; 5] = ["webshop", "go-service", "two-approvers", "gitops", "showcase"];

fn program(example: &str) -> Program {
    let path = format!("{}/../examples/{example}.pf", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    let a = analyze(vec![Root { name: path, bytes }], &Disk);
    assert!(!a.has_errors(), "{example} has errors: {:?}", a.diagnostics);
    a.checked.program
}

/// Ids of Mermaid nodes and subgraphs declared in `text`, checking every edge's ends are.
fn check_mermaid(text: &str) {
    assert!(text.starts_with("flowchart LR\n"));
    let mut declared = BTreeSet::new();
    let mut depth = 0i32;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph ") {
            depth += 1;
            declared.insert(rest.split('[').next().unwrap().to_string());
        } else if line == "end" {
            depth -= 1;
            assert!(depth >= 0, "unbalanced `end`");
        } else if let Some((a, b)) = line.split_once(" --> ") {
            assert!(declared.contains(a), "edge from undeclared `{a}`");
            assert!(declared.contains(b), "edge to undeclared `{b}`");
        } else if line.starts_with('s') && line.contains(['[', '{', '(', '>']) {
            let id: String = line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            assert!(declared.insert(id.clone()), "`{id}` declared twice");
        }
    }
    assert_eq!(depth, 0, "unbalanced subgraphs");
    for id in &declared {
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "unsanitized id `{id}`");
    }
}

/// Braces balanced (outside strings), every edge's nodes and clusters declared.
fn check_dot(text: &str) {
    assert!(text.starts_with("digraph "));
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => in_string = true,
            (false, _, '{') => depth += 1,
            (false, _, '}') => {
                depth -= 1;
                assert!(depth >= 0, "unbalanced braces");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced braces");
    let mut nodes = BTreeSet::new();
    let mut clusters = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph ") {
            clusters.insert(rest.trim_end_matches(" {").to_string());
        } else if !line.contains("->") && line.contains(" [label=") {
            nodes.insert(line.split(' ').next().unwrap().to_string());
        }
    }
    for line in text.lines().map(str::trim).filter(|l| l.contains(" -> ")) {
        let (a, rest) = line.split_once(" -> ").unwrap();
        let b = rest.split([' ', ';']).next().unwrap();
        assert!(nodes.contains(a), "edge from undeclared `{a}`");
        assert!(nodes.contains(b), "edge to undeclared `{b}`");
        for attr in ["ltail=", "lhead="] {
            if let Some(i) = line.find(attr) {
                let c: String = line[i + attr.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(clusters.contains(&c), "edge clips at undeclared cluster `{c}`");
            }
        }
    }
}

#[test]
fn mermaid_of_every_example() {
    for example in EXAMPLES {
        let p = program(example);
        for pipeline in &p.pipelines {
            let text = graph::mermaid(pipeline, &p);
            check_mermaid(&text);
            insta::assert_snapshot!(format!("mermaid_{example}_{}", pipeline.name), text);
        }
    }
}

#[test]
fn dot_of_every_example() {
    for example in EXAMPLES {
        let p = program(example);
        for pipeline in &p.pipelines {
            let text = graph::dot(pipeline, &p);
            check_dot(&text);
            insta::assert_snapshot!(format!("dot_{example}_{}", pipeline.name), text);
        }
    }
}

#[test]
fn graphs_are_deterministic() {
    let p = program("showcase");
    assert_eq!(graph::mermaid(&p.pipelines[0], &p), graph::mermaid(&p.pipelines[0], &p));
    assert_eq!(graph::dot(&p.pipelines[0], &p), graph::dot(&p.pipelines[0], &p));
}

#[test]
fn labels_are_escaped() {
    let mut p = program("showcase");
    p.pipelines[0].stages[1].name = "a \"quoted\" <stage> #1".into();
    let m = graph::mermaid(&p.pipelines[0], &p);
    check_mermaid(&m);
    assert!(m.contains("[\"a #quot;quoted#quot; #lt;stage#gt; #35;1\"]"), "{m}");
    let d = graph::dot(&p.pipelines[0], &p);
    check_dot(&d);
    assert!(d.contains("label=\"a \\\"quoted\\\" <stage> #1\";"), "{d}");
}
