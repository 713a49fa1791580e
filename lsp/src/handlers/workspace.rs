//! The `.pf` files of the workspace folders that are not open, for workspace symbols: found by
//! a walk of the folders on each request, parsed once per change of their size or modification
//! time (or a `workspace/didChangeWatchedFiles` naming them), their top-level declarations kept.

use crate::convert::{Encoding, LineIndex};
use pf_compiler::ast::Entry;
use pf_compiler::schema::{self, DeclKind};
use pf_compiler::source::FileId;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;
use tower_lsp::lsp_types::{Range, Url};

/// Folders not walked: hidden ones, build outputs, dependencies.
const SKIPPED: &[&str] = &["target", "node_modules"];
/// At most this many files are indexed (a workspace folder may be a home directory).
const MAX_FILES: usize = 5000;
/// Folders deeper than this are not walked.
const MAX_DEPTH: usize = 16;

/// A top-level declaration of a file on disk.
#[derive(Clone, Debug)]
pub struct DiskDecl {
    pub kind: DeclKind,
    pub name: String,
    pub uri: Url,
    pub range: Range,
}

#[derive(Debug)]
struct Indexed {
    stamp: (Option<SystemTime>, u64),
    decls: Vec<DiskDecl>,
}

/// The index of files on disk, by path.
#[derive(Debug, Default)]
pub struct Index {
    files: Mutex<BTreeMap<PathBuf, Indexed>>,
}

impl Index {
    /// Drops what is known of the files `names` (compiler names: paths).
    pub fn forget(&self, names: &[String]) {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        for n in names {
            files.remove(Path::new(n));
        }
    }

    /// The declarations of every `.pf` file under `folders` whose compiler name `skip` does not
    /// take (open documents speak for themselves).
    pub fn decls(&self, folders: &[PathBuf], enc: Encoding, skip: &dyn Fn(&str) -> bool) -> Vec<DiskDecl> {
        let mut paths = Vec::new();
        for folder in folders {
            walk(folder, 0, &mut paths);
        }
        paths.sort();
        paths.dedup();
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.retain(|p, _| paths.binary_search(p).is_ok());
        let mut out = Vec::new();
        for path in paths {
            let name = path.to_string_lossy().replace('\\', "/");
            if skip(&name) {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            let stamp = (meta.modified().ok(), meta.len());
            let fresh = files.get(&path).is_some_and(|e| e.stamp == stamp);
            if !fresh {
                let decls = read(&path, enc).unwrap_or_default();
                files.insert(path.clone(), Indexed { stamp, decls });
            }
            if let Some(e) = files.get(&path) {
                out.extend(e.decls.iter().cloned());
            }
        }
        out
    }
}

/// Collects the `.pf` files under `dir`.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH || out.len() >= MAX_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED.contains(&name.as_ref()) {
                walk(&e.path(), depth + 1, out);
            }
        } else if kind.is_file() && name.ends_with(".pf") && out.len() < MAX_FILES {
            out.push(e.path());
        }
    }
}

/// The top-level declarations of one file (nothing if it cannot be read or is too large).
fn read(path: &Path, enc: Encoding) -> Option<Vec<DiskDecl>> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() > pf_compiler::syntax::MAX_FILE_SIZE {
        return None;
    }
    let text = String::from_utf8(bytes).ok()?;
    let uri = Url::from_file_path(path).ok()?;
    let parsed = pf_compiler::syntax::parse(FileId(0), &text);
    let index = LineIndex::new(&text);
    let decls = parsed
        .file
        .entries
        .iter()
        .filter_map(|e| {
            let Entry::Block(b) = &**e else { return None };
            let decl = schema::declaration(&b.keyword.name)?;
            let label = b.labels.first()?;
            (decl.kind != DeclKind::Use).then(|| DiskDecl {
                kind: decl.kind,
                name: label.text().to_string(),
                uri: uri.clone(),
                range: index.range(&text, label.span().start as usize, label.span().end as usize, enc),
            })
        })
        .collect();
    Some(decls)
}
