//! Output paths: the generated files are written to, and name, the project's `output` folder
//! relative to the repository root, and name the program by its repository-relative path, so
//! the bytes do not depend on the working directory or on how the path was typed.

use std::path::Path;
use std::process::{Command, Output};

fn pf(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pf")).args(args).current_dir(cwd).output().unwrap()
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A repository with the webshop example in `services/web/`.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    std::fs::create_dir_all(tmp.path().join("services/web")).unwrap();
    std::fs::copy("examples/webshop.pf", tmp.path().join("services/web/webshop.pf")).unwrap();
    tmp
}

#[test]
fn a_program_in_a_subfolder_writes_to_the_root_output_and_names_itself_from_the_root() {
    let repo = repository();
    let root = repo.path();
    let from_root = pf(&["build", "services/web/webshop.pf"], root);
    assert!(from_root.status.success(), "{}", String::from_utf8_lossy(&from_root.stderr));
    assert!(!root.join("services/web/pf-out").exists(), "output is relative to the root");
    let first = files(&root.join("pf-out"));
    assert!(!first.is_empty());
    let template = &first.iter().find(|(n, _)| n.ends_with("pipeline-webshop.template.yml")).unwrap().1;
    assert!(template.contains("from services/web/webshop.pf."), "{template}");
    assert!(template.contains("pf-out/webshop/buildspec.yml"), "{template}");

    // From the subfolder, with `..` in the typed path: the same bytes.
    std::fs::remove_dir_all(root.join("pf-out")).unwrap();
    let sub = root.join("services/web");
    let from_sub = pf(&["build", "../web/./webshop.pf"], &sub);
    assert!(from_sub.status.success(), "{}", String::from_utf8_lossy(&from_sub.stderr));
    assert_eq!(files(&root.join("pf-out")), first);

    // `--check` is satisfied whichever way the path is typed.
    let abs = sub.join("webshop.pf");
    let check = pf(&["build", "--check", abs.to_str().unwrap()], Path::new("/"));
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn out_inside_the_repository_is_where_the_pipeline_reads() {
    let repo = repository();
    let o = pf(&["build", "services/web/webshop.pf", "-o", "out"], repo.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = files(&repo.path().join("out"));
    let (_, template) = out.iter().find(|(n, _)| n.ends_with("pipeline-webshop.template.yml")).unwrap();
    assert!(template.contains("out/webshop/buildspec.yml"), "{template}");
    assert!(!template.contains("pf-out/"), "every path names the -o folder:\n{template}");
    let check = pf(&["build", "--check", "services/web/webshop.pf", "-o", "out"], repo.path());
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));

    // The output folder itself, or a folder outside the repository, is fine; the bytes agree.
    let same = pf(&["build", "services/web/webshop.pf", "-o", "pf-out"], repo.path());
    assert!(same.status.success(), "{}", String::from_utf8_lossy(&same.stderr));
    let preview = tempfile::tempdir().unwrap();
    let copy = pf(&["build", "services/web/webshop.pf", "-o", preview.path().to_str().unwrap()], repo.path());
    assert!(copy.status.success(), "{}", String::from_utf8_lossy(&copy.stderr));
    assert_eq!(files(preview.path()), files(&repo.path().join("pf-out")));
}
