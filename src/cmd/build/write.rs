//! Writing a build's files: every file is written before any becomes visible, and each becomes
//! visible whole, so a reader never sees half a file and a failed write changes nothing.
//!
//! - An app folder (`<out>/<app>/`) that does not exist yet is written whole under a temporary
//!   name beside it (`<out>/.<app>.pf-new/`) and renamed into place at the end: the folder
//!   appears with all its files at once, for one rename instead of one per file.
//! - A changed file in a folder that exists is written to a temporary file beside it
//!   (`.<name>.pf-tmp`) and renamed over it at the end.
//!
//! Nothing is synced to the disk (as compilers do not sync their output): what survives a power
//! cut is in docs/language.md, "Output paths".

use pf_compiler::codegen::parallel;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file to write: where, and what.
pub type Planned<'a> = (PathBuf, &'a str);

/// Writes every file of `files` whose contents differ from what is on disk, then removes
/// `stale` (earlier output no longer produced); returns how many files changed. On an error
/// every temporary file and folder is removed and the output is as it was (but for empty
/// folders created on the way).
pub fn write(out_dirs: &BTreeSet<&Path>, files: &[Planned], stale: &[PathBuf]) -> Result<usize, String> {
    for dir in out_dirs {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let plan = Plan::new(out_dirs, files);
    let result = plan.stage().and_then(|()| plan.commit());
    if result.is_err() {
        plan.discard();
    }
    result?;
    for p in stale {
        let _ = std::fs::remove_file(p);
    }
    Ok(plan.files.len())
}

/// The changed files, and where each is written first.
struct Plan<'a> {
    /// New app folders: the folder, and the temporary folder it is written under.
    folders: Vec<(PathBuf, PathBuf)>,
    /// Each changed file: its place, where it is written first, its contents, and whether it is
    /// in a new folder (moved with it).
    files: Vec<(PathBuf, PathBuf, &'a str, bool)>,
}

impl<'a> Plan<'a> {
    fn new(out_dirs: &BTreeSet<&Path>, files: &[Planned<'a>]) -> Plan<'a> {
        // The app folder of a file: the first folder below its output folder.
        let app_folder = |path: &Path| {
            let dir = out_dirs.iter().filter(|d| path.starts_with(d)).max_by_key(|d| d.as_os_str().len())?;
            let first = path.strip_prefix(dir).ok()?.components().next()?;
            let folder = dir.join(first);
            (folder != path).then_some(folder)
        };
        let mut new_folders: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        let mut existing: BTreeSet<PathBuf> = BTreeSet::new();
        let mut planned = Vec::new();
        for (path, contents) in files {
            let folder = app_folder(path);
            let staged = match &folder {
                Some(f) if new_folders.contains_key(f) => Some(f.clone()),
                Some(f) if !existing.contains(f) && !f.exists() => {
                    let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    new_folders.insert(f.clone(), f.with_file_name(format!(".{name}.pf-new")));
                    Some(f.clone())
                }
                Some(f) => {
                    existing.insert(f.clone());
                    None
                }
                None => None,
            };
            let first = match &staged {
                // A file of a new folder: no need to compare it with what is on disk.
                Some(f) => new_folders[f].join(path.strip_prefix(f).unwrap_or(path)),
                None if same_contents(path, contents) => continue,
                None => {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    path.with_file_name(format!(".{name}.pf-tmp"))
                }
            };
            planned.push((path.clone(), first, *contents, staged.is_some()));
        }
        Plan { folders: new_folders.into_iter().collect(), files: planned }
    }

    /// Writes every file to its temporary place, on every core.
    fn stage(&self) -> Result<(), String> {
        for (_, tmp) in &self.folders {
            if std::fs::create_dir(tmp).is_err() {
                // Left by a build that was interrupted.
                let _ = std::fs::remove_dir_all(tmp);
                std::fs::create_dir(tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
            }
        }
        let dirs: BTreeSet<&Path> = self.files.iter().filter_map(|(_, first, ..)| first.parent()).collect();
        for dir in dirs {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let written = parallel::map(&self.files, |(path, first, contents, _)| {
            std::fs::File::create(first)
                .and_then(|mut f| f.write_all(contents.as_bytes()))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        });
        written.into_iter().collect()
    }

    /// Moves every staged folder and file into place.
    fn commit(&self) -> Result<(), String> {
        for (folder, tmp) in &self.folders {
            std::fs::rename(tmp, folder).map_err(|e| format!("cannot write {}: {e}", folder.display()))?;
        }
        for (path, first, _, in_new_folder) in &self.files {
            if !in_new_folder {
                std::fs::rename(first, path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
        }
        Ok(())
    }

    /// Removes what [`Plan::stage`] wrote.
    fn discard(&self) {
        for (_, tmp) in &self.folders {
            let _ = std::fs::remove_dir_all(tmp);
        }
        for (_, first, _, in_new_folder) in &self.files {
            if !in_new_folder {
                let _ = std::fs::remove_file(first);
            }
        }
    }
}

/// Whether the file at `path` holds exactly `contents` (its size is compared first).
fn same_contents(path: &Path, contents: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == contents.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == contents.as_bytes())
}
