//! `pf graph`: formats, pipeline selection, errors, and the graphs in `examples/README.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLES: [&str; 7] =
    ["webshop", "go-service", "orders-ecs", "two-approvers", "gitops", "showcase", "thumbnails-lambda"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pf(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pf")).args(args).current_dir(dir).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn examples_readme_shows_every_examples_current_graph() {
    let readme = std::fs::read_to_string(root().join("examples/README.md")).unwrap();
    for example in EXAMPLES {
        let out = pf(&["graph", &format!("examples/{example}.pf")], &root());
        assert_eq!(out.status.code(), Some(0), "{example}: {}", text(&out.stderr));
        let block = format!("```mermaid\n{}```\n", text(&out.stdout));
        assert!(
            readme.contains(&block),
            "examples/README.md does not show the current graph of examples/{example}.pf.\n\
             Replace the ```mermaid block of its section with the output of\n  \
             cargo run -- graph examples/{example}.pf\n\
             (and read the new picture: it is a claim about the pipeline's shape). The current graph:\n{block}"
        );
    }
}

#[test]
fn dot_format_and_pipeline_selection() {
    let out =
        pf(&["graph", "examples/two-approvers.pf", "--format", "dot", "--pipeline", "billing"], &root());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(dot.starts_with("digraph \"billing\" {"), "{dot}");
    assert!(dot.contains("approve qc (group qc)") && dot.contains("shape=hexagon"), "{dot}");
    assert!(dot.contains("pmo-distinct: distinct approvers of qc, pmo"), "{dot}");
}

#[test]
fn unknown_pipeline_is_a_usage_error() {
    let out = pf(&["graph", "examples/webshop.pf", "--pipeline", "nope"], &root());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no pipeline `nope`") && stderr.contains("webshop"), "{stderr}");
}

#[test]
fn missing_file_is_an_io_error() {
    let out = pf(&["graph", "does-not-exist.pf"], &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read does-not-exist.pf"));
}

#[test]
fn programs_with_errors_print_their_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("bad.pf"),
        "app web {\n  source = codecommit { repository = \"web\" }\n}\npipeline web {\n  stage a { deploy nowhere }\n}\n",
    )
    .unwrap();
    let out = pf(&["graph", "bad.pf"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.lines().any(|l| l.starts_with("bad.pf:") && l.contains(": error[PF")), "{stderr}");
}

#[test]
fn several_pipelines_are_printed_in_turn() {
    let tmp = tempfile::tempdir().unwrap();
    let mut program = std::fs::read_to_string(root().join("examples/gitops.pf")).unwrap();
    program.push_str("\npipeline hotfix {\n  app = ledger\n  trigger manual\n  stage build { build }\n  stage live { deploy live }\n}\n");
    std::fs::write(tmp.path().join("two.pf"), program).unwrap();
    let out = pf(&["graph", "two.pf"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("flowchart LR").count(), 2, "{stdout}");
    assert!(stdout.contains("%% pipeline ledger") && stdout.contains("%% pipeline hotfix"), "{stdout}");
    let only = pf(&["graph", "two.pf", "-p", "hotfix"], tmp.path());
    assert_eq!(text(&only.stdout).matches("flowchart LR").count(), 1);
}
