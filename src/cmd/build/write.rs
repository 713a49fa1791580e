//! Writing a build's files as they are generated: every file is written before any becomes
//! visible, and each becomes visible whole, so a reader never sees half a file and a failed
//! build changes nothing.
//!
//! - An app folder (`<out>/<app>/`) that does not exist yet is written whole under a temporary
//!   name beside it (`<out>/.<app>.pf-new/`) and renamed into place at the end: the folder
//!   appears with all its files at once, for one rename instead of one per file.
//! - A changed file in a folder that exists is written to a temporary file beside it
//!   (`.<name>.pf-tmp`) and renamed over it at the end.
//!
//! Files are staged by the generating threads as each is made ([`Stage::add`]), so a build
//! never holds its whole output in memory. Nothing is synced to the disk (as compilers do not
//! sync their output): what survives a power cut is in docs/language.md, "Output paths".

use pf_compiler::codegen::OutputFile;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What a build does with its files: write them, or only compare them with what is on disk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// A build's files, staged as they come. Dropped without [`Stage::commit`], it removes what it
/// wrote: the output is as it was (but for empty output folders created on the way).
pub struct Stage {
    mode: Mode,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every file the build produces.
    produced: HashSet<PathBuf>,
    /// Output folders created (or found) so far.
    out_dirs: BTreeSet<PathBuf>,
    /// New app folders: the folder, and the temporary folder it is written under.
    folders: BTreeMap<PathBuf, PathBuf>,
    /// App folders that exist.
    existing: BTreeSet<PathBuf>,
    /// Each changed file: its place, where it is written first, and whether it is in a new
    /// folder (moved with it).
    files: Vec<(PathBuf, PathBuf, bool)>,
    /// `--check`: the files that differ from what is on disk, and how.
    stale: Vec<(PathBuf, &'static str)>,
    /// The first error; later files are ignored.
    error: Option<String>,
    committed: bool,
}

/// What a staged file needs, decided under the lock.
enum Place {
    /// A file of a new app folder: written there, no need to compare it with what is on disk.
    NewFolder(PathBuf),
    /// A file in a folder that exists (or outside any app folder).
    Existing,
}

impl Stage {
    /// An empty stage.
    pub fn new(mode: Mode) -> Stage {
        Stage { mode, state: Mutex::new(State::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stages `file` of the output folder `out_dir` (called from any thread).
    pub fn add(&self, out_dir: &Path, file: OutputFile) {
        let path = out_dir.join(&file.path);
        let contents = file.contents;
        let place = {
            let mut st = self.lock();
            if st.error.is_some() {
                return;
            }
            if !st.produced.insert(path.clone()) {
                st.error = Some(format!(
                    "two programs generate {}; build them into different folders",
                    path.display()
                ));
                return;
            }
            if self.mode == Mode::Check {
                drop(st);
                self.compare(path, &contents);
                return;
            }
            match st.place(out_dir, &path) {
                Ok(p) => p,
                Err(e) => {
                    st.error = Some(e);
                    return;
                }
            }
        };
        let (first, in_new_folder) = match place {
            Place::NewFolder(first) => (first, true),
            Place::Existing if same_contents(&path, &contents) => return,
            Place::Existing => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                (path.with_file_name(format!(".{name}.pf-tmp")), false)
            }
        };
        // Recorded before it is written, so that a failed write is removed with the rest.
        self.lock().files.push((path.clone(), first.clone(), in_new_folder));
        let dir = first.parent().filter(|_| in_new_folder);
        let written = dir
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::File::create(&first))
            .and_then(|mut f| f.write_all(contents.as_bytes()));
        if let Err(e) = written {
            self.lock().error.get_or_insert_with(|| format!("cannot write {}: {e}", path.display()));
        }
    }

    /// `--check`: records how the file at `path` differs from `contents`, if it does.
    fn compare(&self, path: PathBuf, contents: &str) {
        let how = match std::fs::read(&path) {
            Ok(bytes) if bytes == contents.as_bytes() => return,
            Ok(_) => "differs",
            Err(_) => "missing",
        };
        self.lock().stale.push((path, how));
    }

    /// Every file staged so far.
    pub fn produced(&self) -> usize {
        self.lock().produced.len()
    }

    /// The first error of [`Stage::add`], if any.
    pub fn error(&self) -> Option<String> {
        self.lock().error.clone()
    }

    /// `--check`: the stale files, by path (`<path> (differs)`, `(missing)`, `(no longer
    /// generated)`).
    pub fn stale(&self) -> Vec<String> {
        let st = self.lock();
        let mut out: Vec<(PathBuf, &str)> = st.stale.clone();
        out.extend(leftovers(&st.produced).into_iter().map(|p| (p, "no longer generated")));
        out.sort();
        out.into_iter().map(|(p, how)| format!("{} ({how})", p.display())).collect()
    }

    /// Moves every staged folder and file into place and removes earlier output the build no
    /// longer produces; returns how many files changed. On an error nothing is changed.
    pub fn commit(&self) -> Result<usize, String> {
        let mut st = self.lock();
        if let Some(e) = &st.error {
            return Err(e.clone());
        }
        let stale = leftovers(&st.produced);
        st.rename()?;
        st.committed = true;
        for p in stale {
            let _ = std::fs::remove_file(p);
        }
        Ok(st.files.len())
    }
}

impl State {
    /// Where the file at `path` of `out_dir` is staged; creates the output folder and a new app
    /// folder's temporary folder on the way.
    fn place(&mut self, out_dir: &Path, path: &Path) -> Result<Place, String> {
        if !self.out_dirs.contains(out_dir) {
            std::fs::create_dir_all(out_dir)
                .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
            self.out_dirs.insert(out_dir.to_path_buf());
        }
        // The app folder of a file: the first folder below its output folder.
        let Some(folder) = path
            .strip_prefix(out_dir)
            .ok()
            .and_then(|rel| rel.components().next())
            .map(|first| out_dir.join(first))
            .filter(|f| f != path)
        else {
            return Ok(Place::Existing);
        };
        if self.existing.contains(&folder) {
            return Ok(Place::Existing);
        }
        let tmp = match self.folders.get(&folder) {
            Some(tmp) => tmp.clone(),
            None if folder.exists() => {
                self.existing.insert(folder);
                return Ok(Place::Existing);
            }
            None => {
                let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let tmp = folder.with_file_name(format!(".{name}.pf-new"));
                if std::fs::create_dir(&tmp).is_err() {
                    // Left by a build that was interrupted.
                    let _ = std::fs::remove_dir_all(&tmp);
                    std::fs::create_dir(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
                }
                self.folders.insert(folder.clone(), tmp.clone());
                tmp
            }
        };
        Ok(Place::NewFolder(tmp.join(path.strip_prefix(&folder).unwrap_or(path))))
    }

    /// Moves every staged folder and file into place.
    fn rename(&self) -> Result<(), String> {
        for (folder, tmp) in &self.folders {
            std::fs::rename(tmp, folder).map_err(|e| format!("cannot write {}: {e}", folder.display()))?;
        }
        for (path, first, in_new_folder) in &self.files {
            if !in_new_folder {
                std::fs::rename(first, path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
        }
        Ok(())
    }

    /// Removes what was staged and not moved into place.
    fn discard(&self) {
        // A folder already moved into place has no temporary folder any more.
        for tmp in self.folders.values() {
            let _ = std::fs::remove_dir_all(tmp);
        }
        for (_, first, in_new_folder) in &self.files {
            if !in_new_folder {
                let _ = std::fs::remove_file(first);
            }
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let st = self.lock();
        if !st.committed {
            st.discard();
        }
    }
}

/// Files in the app folders (and the folders below them) that pf generated earlier but that the
/// build no longer produces: templates and specs carry pf's header; template configurations
/// (JSON, which has no comments) are recognised by their shape.
fn leftovers(produced: &HashSet<PathBuf>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = produced.iter().filter_map(|p| p.parent().map(Path::to_path_buf)).collect();
    dirs.sort();
    dirs.dedup();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        // The entries' types come with the listing (no `stat` per file).
        let mut entries: Vec<(PathBuf, std::fs::FileType)> =
            entries.filter_map(|e| e.ok().and_then(|e| Some((e.path(), e.file_type().ok()?)))).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind) in entries {
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() && !produced.contains(&path) && generated_by_pf(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Whether the file at `path` is one pf writes.
fn generated_by_pf(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.contains("Generated by pf")
        || (path.extension().is_some_and(|e| e == "json")
            && text.trim_start().starts_with('{')
            && text.contains("\"EnvName\"")
            && text.contains("\"StackPolicy\""))
}

/// Whether the file at `path` holds exactly `contents` (its size is compared first).
fn same_contents(path: &Path, contents: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == contents.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == contents.as_bytes())
}
