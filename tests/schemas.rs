//! The JSON schemas of `schemas/` against their rule cases.
//!
//! `schemas/tests/<schema>/accept/<rule>.yml` must validate against `schemas/<schema>.schema.json`;
//! `schemas/tests/<schema>/reject/<rule>.yml` is its near miss and must fail with exactly one
//! error, at the place its `# expect: TEXT` line names. Every rule has both cases. Validation
//! goes through `tests/tools/validate_schema.py`, as for pf's generated files
//! (`compiler/tests/codegen_env.rs`); it needs python3 with `jsonschema` and PyYAML
//! (`pip install cfn-lint pyyaml`): the test fails, never skips, without them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.yml` files of a directory, sorted by name.
fn cases(dir: &Path) -> BTreeMap<String, PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

/// Runs the validator on `files`; returns its exit status and its error lines by file.
fn validate(schema: &Path, files: &[&PathBuf]) -> (bool, BTreeMap<PathBuf, Vec<String>>) {
    let out = Command::new("python3")
        .arg(root().join("tests/tools/validate_schema.py"))
        .arg(schema)
        .args(files)
        .output()
        .expect("python3 is needed: install python3, then pip install cfn-lint pyyaml");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.trim().is_empty() || out.status.success(), "the validator failed to run:\n{stderr}");
    let mut errors: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let file = files
            .iter()
            .find(|f| line.starts_with(&format!("{}: ", f.display())))
            .unwrap_or_else(|| panic!("an error line names no case: {line}"));
        errors.entry((*file).clone()).or_default().push(line.to_string());
    }
    (out.status.success(), errors)
}

fn expectation(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{} has no `# expect: ` line", file.display()));
    line.trim().to_string()
}

#[test]
fn every_schema_accepts_its_accepted_cases_and_rejects_each_near_miss_once() {
    let tests = root().join("schemas/tests");
    let mut schemas = 0;
    let mut rules = 0;
    for entry in std::fs::read_dir(&tests).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let schema = root().join(format!("schemas/{name}.schema.json"));
        assert!(schema.exists(), "schemas/tests/{name} has no schemas/{name}.schema.json");
        let accept = cases(&dir.join("accept"));
        let reject = cases(&dir.join("reject"));
        assert_eq!(
            accept.keys().collect::<Vec<_>>(),
            reject.keys().collect::<Vec<_>>(),
            "{name}: every rule needs an accepted and a rejected case of the same name"
        );

        let (ok, errors) = validate(&schema, &accept.values().collect::<Vec<_>>());
        assert!(ok && errors.is_empty(), "{name}: accepted cases fail:\n{errors:#?}");

        let (ok, errors) = validate(&schema, &reject.values().collect::<Vec<_>>());
        assert!(!ok, "{name}: the rejected cases pass");
        for (rule, file) in &reject {
            let found = errors.get(file).map(Vec::as_slice).unwrap_or_default();
            let expected = expectation(file);
            assert!(found.len() == 1, "{name}/{rule}: one mistake, one error; got {found:#?}");
            assert!(found[0].contains(&expected), "{name}/{rule}: expected `{expected}` in {}", found[0]);
        }
        schemas += 1;
        rules += accept.len();
    }
    assert_eq!(schemas, 4, "buildspec, appspec, appspec-ecs and appspec-lambda");
    assert!(rules >= 60, "only {rules} rules");
}

#[test]
fn every_schema_is_listed_in_the_readme_and_the_editor_docs() {
    let readme = std::fs::read_to_string(root().join("schemas/README.md")).unwrap();
    let editors = std::fs::read_to_string(root().join("docs/editors.md")).unwrap();
    for entry in std::fs::read_dir(root().join("schemas")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".schema.json") {
            assert!(readme.contains(&format!("`{name}`")), "schemas/README.md does not list {name}");
            assert!(editors.contains(&name), "docs/editors.md does not map file names to {name}");
        }
    }
}
