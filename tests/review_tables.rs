//! The review's bundled tables cover what pf generates: every resource type in every example's
//! templates has a row in the replacement table (`pf diff` would otherwise say "replacement
//! unknown" for it).

use pf_compiler::review::replacement;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Every resource type in the templates of every example.
fn emitted_types() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut types = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let program = entry.unwrap().path();
        if program.extension().and_then(|e| e.to_str()) != Some("pf") {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_pf"))
            .arg("build")
            .arg(&program)
            .arg("-o")
            .arg(out.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}: {}", program.display(), String::from_utf8_lossy(&o.stderr));
        let mut dirs = vec![out.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.to_string_lossy().ends_with(".template.yml") {
                    let t: serde_yaml::Value =
                        serde_yaml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                    for r in t["Resources"].as_mapping().unwrap().values() {
                        types.insert(r["Type"].as_str().unwrap().to_string());
                    }
                }
            }
        }
    }
    types
}

#[test]
fn the_replacement_table_covers_every_resource_type_the_examples_emit() {
    let types = emitted_types();
    assert!(types.len() > 20, "the examples emit many resource types: {types:?}");
    let missing: Vec<&String> = types.iter().filter(|t| !replacement::knows(t)).collect();
    assert!(
        missing.is_empty(),
        "no row in compiler/src/review/replacement.json (run scripts/replacement_table.py): {missing:?}"
    );
}
