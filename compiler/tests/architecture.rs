//! docs/architecture.md stays true: every path it names exists.

#[test]
fn every_path_in_the_architecture_document_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let mut checked = 0;
    for cell in doc.split('`').skip(1).step_by(2) {
        // Paths of the code map: `compiler/src/x.rs`, `lsp/src/`, `grammar/pf.pest`, ...
        let first = cell.split([',', ' ']).next().unwrap_or("");
        const TOP: &[&str] = &[
            "compiler/",
            "lsp/",
            "src/",
            "grammar/",
            "stdlib/",
            "examples/",
            "tests/",
            "schemas/",
            "editors/",
            "docs/",
        ];
        if TOP.iter().any(|t| first.starts_with(t)) && !first.contains('<') {
            assert!(root.join(first).exists(), "docs/architecture.md names `{first}`, which does not exist");
            checked += 1;
        }
    }
    assert!(checked > 15, "only {checked} paths recognised");
}
