//! Where a program's generated files live: the one definition used both to write them and to
//! name them inside the generated files (see `docs/language.md`, "Output paths").
//!
//! - The **repository root** is the nearest folder, from the program's own folder upwards, that
//!   holds a `.git` (a folder, or a file in a git worktree); without one, the program's folder.
//! - The program is named, in every generated file, by its path relative to that root (forward
//!   slashes), so the bytes do not depend on the working directory or on how the path was typed.
//! - The output folder is the project's `output`, relative to the root: the pipeline reads the
//!   templates and configurations from `<output>/` in the source artifact.
//! - `-o DIR` inside a repository (one with `.git`) is the output folder of this build: the files
//!   are written there and name it, relative to the root, wherever they point the pipeline at
//!   generated files, so what is written is always what the pipeline reads. Outside the
//!   repository, or for a program in no repository yet, it writes a copy of exactly what would be
//!   committed without `-o` (previews, tests).

use std::path::{Component, Path, PathBuf};

/// The resolved paths of one program.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    /// The program's path relative to the repository root, with forward slashes.
    pub program: String,
    /// The folder the files are written to.
    pub out_dir: PathBuf,
    /// The output folder, relative to the repository root, that the generated files name: the
    /// project's `output`, or `-o DIR` when that is inside the repository.
    pub output: String,
}

/// The layout of the program at `file`, whose project's `output` is `output`, written to `out`
/// when given; or the message to print when `out` is the repository root itself.
pub fn layout(file: &Path, output: &str, out: Option<&Path>) -> Result<Layout, String> {
    let program = absolute(file);
    let git = git_root(&program);
    let root = git.clone().unwrap_or_else(|| program.parent().unwrap_or(Path::new("/")).to_path_buf());
    let relative = program.strip_prefix(&root).unwrap_or(&program);
    let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    let (out_dir, output) = match out {
        None => (root.join(output), output.to_string()),
        Some(o) => {
            let o = absolute(o);
            match git.as_ref().and_then(|g| o.strip_prefix(g).ok()) {
                Some(inside) if inside.as_os_str().is_empty() => {
                    return Err(format!(
                        "-o {} is the repository root: generated files need a folder of their own (drop -o to write `{output}`)",
                        o.display()
                    ))
                }
                Some(inside) => {
                    let inside = inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
                    let inside = inside.join("/");
                    (o, inside)
                }
                None => (o, output.to_string()),
            }
        }
    };
    Ok(Layout { program: name, out_dir, output })
}

/// The nearest folder from `program`'s folder upwards that holds `.git`.
fn git_root(program: &Path) -> Option<PathBuf> {
    let folder = program.parent()?;
    folder.ancestors().find(|dir| dir.join(".git").exists()).map(Path::to_path_buf)
}

/// `path` made absolute against the working directory, through symbolic links where it exists,
/// with `.` and `..` removed.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let joined = std::env::current_dir().unwrap_or_default().join(path);
    // The part that exists, resolved; the rest (a folder not created yet) appended as written.
    let mut base = joined.clone();
    let mut rest = Vec::new();
    while let Some(name) = base.file_name().map(|n| n.to_os_string()) {
        if let Ok(real) = std::fs::canonicalize(&base) {
            base = real;
            break;
        }
        rest.push(name);
        base.pop();
    }
    let mut out = PathBuf::new();
    for c in base.components().chain(rest.iter().rev().map(|n| Component::Normal(n))) {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_git_folder_else_the_programs_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(repo.join("svc/api")).unwrap();
        std::fs::write(repo.join("svc/api/app.pf"), "").unwrap();
        let alone = layout(&repo.join("svc/api/app.pf"), "pf-out", None).unwrap();
        assert_eq!(
            alone,
            Layout {
                program: "app.pf".into(),
                out_dir: repo.join("svc/api/pf-out"),
                output: "pf-out".into()
            }
        );
        // Without a repository, -o is where the files go.
        assert!(layout(&repo.join("svc/api/app.pf"), "pf-out", Some(&repo.join("svc/api/out"))).is_ok());
        std::fs::write(repo.join(".git"), "gitdir: elsewhere").unwrap();
        let l = layout(&repo.join("svc/api/app.pf"), "pf-out", None).unwrap();
        assert_eq!(l.program, "svc/api/app.pf");
        assert_eq!(l.out_dir, repo.join("pf-out"));
    }

    #[test]
    fn out_inside_the_repository_is_the_output_the_files_name() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = std::fs::canonicalize(tmp.path()).unwrap().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let file = repo.join("app.pf");
        std::fs::write(&file, "").unwrap();
        let other = layout(&file, "pf-out", Some(&repo.join("build/out"))).unwrap();
        assert_eq!((other.out_dir, other.output.as_str()), (repo.join("build/out"), "build/out"));
        let same = layout(&file, "pf-out", Some(&repo.join("sub/../pf-out"))).unwrap();
        assert_eq!((same.out_dir, same.output.as_str()), (repo.join("pf-out"), "pf-out"));
        let err = layout(&file, "pf-out", Some(&repo)).unwrap_err();
        assert!(err.contains("is the repository root"), "{err}");
        // Outside the repository: a copy of what would be committed, naming the project's output.
        let outside = layout(&file, "pf-out", Some(&tmp.path().join("preview"))).unwrap();
        assert!(!outside.out_dir.starts_with(&repo));
        assert_eq!(outside.output, "pf-out");
    }
}
