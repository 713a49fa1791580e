//! The server's state: open documents, their analyses, and the immutable [`Snapshot`] that read
//! requests work on.
//!
//! Notifications (`didOpen`, `didChange`, `didClose`, `didChangeWatchedFiles`) mutate one
//! [`State`] synchronously and in order, and only mark documents for analysis; the analysis
//! thread ([`crate::worker`]) takes the latest text of each marked document, installs its
//! analysis and a new `Arc<Snapshot>`, and sends diagnostics once nothing waits (so the versions
//! of a burst of edits that arrive during an analysis are never analysed). Requests clone the
//! `Arc` and never see a half-applied edit.

use crate::convert::{self, Encoding, Files, LineIndex};
use pf_compiler::cost::Estimate;
use pf_compiler::diagnostic::codes;
use pf_compiler::driver::{self, Analysis, Loader, Root};
use pf_compiler::source::FileId;
use pf_compiler::stdlib;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tower_lsp::lsp_types::{self as lsp, TextDocumentContentChangeEvent, Url};

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: Url,
    /// The name the compiler knows the file by: its path, or the URI for non-file URIs.
    pub name: String,
    /// Shared with the jobs and analyses of this version: an edit makes a new one.
    pub text: Arc<str>,
    pub version: i32,
}

/// One analysis of an open document (the document is the program's root, `FileId(0)`).
#[derive(Debug)]
pub struct DocAnalysis {
    pub uri: Url,
    pub version: i32,
    /// The text analysed (the document's, shared).
    pub text: Arc<str>,
    pub index: LineIndex,
    pub analysis: Analysis,
    /// The URI of each file of the analysis (`None` for files without one).
    pub uris: Vec<Option<Url>>,
    /// Whether the root file parsed without syntax errors.
    pub parsed: bool,
    /// The monthly estimate of the program, made with the analysis on the analysis thread
    /// (`handlers::code_lens::estimate`: code lenses, hover).
    pub cost: Option<Estimate>,
}

impl DocAnalysis {
    /// The URI of a file of the analysis.
    pub fn uri_of(&self, file: FileId) -> Option<&Url> {
        self.uris.get(file.0 as usize).and_then(Option::as_ref)
    }

    /// The file id of a URI inside this analysis.
    pub fn file_of(&self, uri: &Url) -> Option<FileId> {
        self.uris.iter().position(|u| u.as_ref() == Some(uri)).map(|i| FileId(i as u32))
    }

    /// The URI of a file, materialising standard-library files under the temp dir on demand
    /// (for go to definition into `std.build.go`).
    pub fn location_uri(&self, file: FileId) -> Option<Url> {
        if let Some(uri) = self.uri_of(file) {
            return Some(uri.clone());
        }
        let name = &self.analysis.sources.get(file).name;
        stdlib_uri(name)
    }
}

/// The state of each open document as requests see it.
#[derive(Clone, Debug)]
pub struct DocView {
    /// The last analysis of the document.
    pub current: Arc<DocAnalysis>,
    /// The last analysis whose text parsed without syntax errors (or `current`).
    pub good: Arc<DocAnalysis>,
    /// The last version the analysis thread handled (that of `current`, unless analysing a
    /// later one panicked).
    pub version: i32,
}

/// An immutable view of every open document, shared by read requests.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub encoding: Encoding,
    /// The workspace folder, to show file names relative to it.
    pub root: Option<String>,
    /// Every workspace folder, for workspace symbols.
    pub folders: Vec<PathBuf>,
    /// Whether the client takes snippets in completion items (`completionItem.snippetSupport`).
    pub snippets: bool,
    pub docs: BTreeMap<Url, DocView>,
    /// The latest version of every open document (analysed or not).
    pub versions: BTreeMap<Url, i32>,
}

impl Snapshot {
    /// The view of a document.
    pub fn doc(&self, uri: &Url) -> Option<&DocView> {
        self.docs.get(uri)
    }
}

/// Diagnostics to publish: URI, document version (when open) and the list.
pub type Publish = Vec<(Url, Option<i32>, Vec<lsp::Diagnostic>)>;

/// The mutable state, owned by the server behind one mutex.
#[derive(Default)]
pub struct State {
    pub encoding: Encoding,
    pub root: Option<String>,
    pub folders: Vec<PathBuf>,
    pub snippets: bool,
    /// The open documents, at their latest version.
    docs: BTreeMap<Url, Document>,
    views: BTreeMap<Url, DocView>,
    published: BTreeMap<Url, Vec<lsp::Diagnostic>>,
    /// Views replaced by newer analyses, to be freed after the diagnostics are sent.
    retired: Vec<DocView>,
    /// Open documents whose latest text is not analysed yet, in the order to analyse them.
    dirty: Vec<Url>,
    /// Documents analysed (or closed) since diagnostics were last sent: their lists are sent
    /// even when unchanged.
    analysed: BTreeSet<Url>,
    /// Whether a closed document's diagnostics are still to be cleared.
    publish_due: bool,
    /// The document being analysed and the flag that cancels its analysis.
    running: Option<(Url, Arc<AtomicBool>)>,
}

/// What one analysis needs, taken from the state so that it runs without the lock (the texts
/// are shared, not copied).
pub struct Job {
    pub doc: Document,
    pub docs: BTreeMap<Url, Document>,
    pub previous: Option<Arc<DocAnalysis>>,
    /// Set when a newer version of the document (or of a file its program uses) arrives or it is
    /// closed: the analysis then stops at its next phase.
    pub cancel: Arc<AtomicBool>,
}

impl Job {
    /// Runs the analysis; `None` if it was cancelled.
    pub fn run(&self) -> Option<DocAnalysis> {
        let cancelled = || self.cancel.load(Ordering::Relaxed);
        analyze_doc(&self.doc, &self.docs, self.previous.as_deref(), &cancelled)
    }
}

/// Answers `use "./file.pf"` from open documents first, then the disk.
struct DocLoader<'a> {
    docs: &'a BTreeMap<Url, Document>,
}

impl Loader for DocLoader<'_> {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        if let Some(doc) = self.docs.values().find(|d| d.name == path) {
            return Ok(doc.text.as_bytes().to_vec());
        }
        std::fs::read(path).map_err(|e| e.to_string())
    }
}

/// The compiler's name for a document: its path, or the URI itself.
pub fn name_of(uri: &Url) -> String {
    match uri.to_file_path() {
        Ok(p) => p.to_string_lossy().replace('\\', "/"),
        Err(()) => uri.to_string(),
    }
}

/// The URI of a compiler file name (not for standard-library files).
pub fn uri_of_name(name: &str) -> Option<Url> {
    if Path::new(name).is_absolute() {
        return Url::from_file_path(name).ok();
    }
    if name.contains(':') {
        return Url::parse(name).ok();
    }
    None
}

/// Where standard-library files are written for go to definition.
pub fn stdlib_dir() -> PathBuf {
    std::env::temp_dir().join(format!("pf-lsp-stdlib-{}", env!("CARGO_PKG_VERSION")))
}

/// The URI of a standard-library file (`std/build/go.pf`), written under the temp dir once.
pub fn stdlib_uri(name: &str) -> Option<Url> {
    static WRITTEN: OnceLock<bool> = OnceLock::new();
    stdlib::MODULES.iter().find(|(m, _)| stdlib::file_name(m) == name)?;
    let ok = *WRITTEN.get_or_init(|| {
        stdlib::MODULES.iter().all(|(m, t)| {
            let path = stdlib_dir().join(stdlib::file_name(m));
            path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_ok())
                && (std::fs::read_to_string(&path).is_ok_and(|old| old == *t)
                    || std::fs::write(&path, t).is_ok())
        })
    });
    if !ok {
        return None;
    }
    Url::from_file_path(stdlib_dir().join(name)).ok()
}

/// Analyses one document as the root of its program; `previous`, an earlier analysis of it,
/// lets the parser reuse what the edits since did not touch. Stops between two phases, with
/// `None`, once `cancelled` says so.
pub fn analyze_doc(
    doc: &Document,
    docs: &BTreeMap<Url, Document>,
    previous: Option<&DocAnalysis>,
    cancelled: &dyn Fn() -> bool,
) -> Option<DocAnalysis> {
    let root = vec![Root { name: doc.name.clone(), bytes: doc.text.as_bytes().to_vec() }];
    let loader = DocLoader { docs };
    let analysis = driver::analyze_until(root, &loader, previous.map(|p| &p.analysis), cancelled)?;
    let uris = analysis
        .sources
        .iter()
        .map(|(id, f)| if id == FileId(0) { Some(doc.uri.clone()) } else { uri_of_name(&f.name) })
        .collect();
    let parsed = !analysis
        .diagnostics
        .iter()
        .any(|d| d.primary.span.file == FileId(0) && d.code.id.starts_with("PF0") && d.code.id != "PF0002");
    Some(DocAnalysis {
        uri: doc.uri.clone(),
        version: doc.version,
        index: LineIndex::of_source(&doc.text, analysis.sources.get(FileId(0))),
        text: doc.text.clone(),
        uris,
        parsed,
        cost: crate::handlers::code_lens::estimate(&analysis),
        analysis,
    })
}

impl State {
    /// A state for a client with the negotiated encoding.
    pub fn new(encoding: Encoding) -> State {
        State { encoding, ..State::default() }
    }

    /// Takes the views replaced since the last call. Freeing a large analysis takes milliseconds
    /// and, done while the next one is built, slows it (both use the same allocator): the
    /// analysis thread frees them after it has sent the diagnostics.
    pub fn take_retired(&mut self) -> Vec<DocView> {
        std::mem::take(&mut self.retired)
    }

    /// The snapshot of the current state.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            encoding: self.encoding,
            root: self.root.clone(),
            folders: self.folders.clone(),
            snippets: self.snippets,
            docs: self.views.clone(),
            versions: self.docs.iter().map(|(u, d)| (u.clone(), d.version)).collect(),
        })
    }

    /// The text and version of an open document.
    pub fn latest(&self, uri: &Url) -> Option<(&Arc<str>, i32)> {
        self.docs.get(uri).map(|d| (&d.text, d.version))
    }

    /// Whether a document waits for its analysis.
    pub fn is_dirty(&self, uri: &Url) -> bool {
        self.dirty.contains(uri)
    }

    /// Marks documents for analysis, in order, once each; an analysis of one of them in flight
    /// is of a stale text, and is cancelled.
    fn mark(&mut self, uris: impl IntoIterator<Item = Url>) {
        for uri in uris {
            self.cancel(&uri);
            if self.docs.contains_key(&uri) && !self.dirty.contains(&uri) {
                self.dirty.push(uri);
            }
        }
    }

    /// Cancels the analysis of `uri` in flight, if any.
    fn cancel(&self, uri: &Url) {
        if let Some((running, flag)) = &self.running {
            if running == uri {
                flag.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The open documents whose last analysis includes the file `name` (other than itself).
    fn users_of(&self, name: &str) -> Vec<Url> {
        self.views
            .iter()
            .filter(|(u, v)| {
                self.docs.get(*u).is_none_or(|d| d.name != name)
                    && v.current.analysis.sources.find(name).is_some()
            })
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// The open documents with a `use` that could not be loaded (PF1009).
    fn waiting(&self) -> Vec<Url> {
        self.views
            .iter()
            .filter(|(_, v)| v.current.analysis.diagnostics.iter().any(|d| d.code == codes::PF1009))
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// Opens (or replaces) a document. Open documents with a `use` that could not be loaded
    /// (PF1009) are re-analysed too: the new document may be the file they wait for.
    pub fn open(&mut self, uri: Url, text: String, version: i32) {
        let name = name_of(&uri);
        let text = text.into();
        self.docs.insert(uri.clone(), Document { uri: uri.clone(), name: name.clone(), text, version });
        let (users, waiting) = (self.users_of(&name), self.waiting());
        self.mark([uri]);
        self.mark(users.into_iter().chain(waiting));
    }

    /// Applies content changes in order (a change without a range replaces the text) and marks
    /// the document and the open documents whose program includes it for analysis.
    pub fn change(&mut self, uri: &Url, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        let enc = self.encoding;
        let Some(doc) = self.docs.get_mut(uri) else { return };
        let mut text = String::from(&*doc.text);
        for change in changes {
            apply_change(&mut text, change, enc);
        }
        doc.text = text.into();
        doc.version = version;
        let name = doc.name.clone();
        let users = self.users_of(&name);
        self.mark([uri.clone()]);
        self.mark(users);
    }

    /// Closes a document; its diagnostics are cleared unless another document's program uses it.
    pub fn close(&mut self, uri: &Url) {
        let Some(doc) = self.docs.remove(uri) else { return };
        self.cancel(uri);
        self.dirty.retain(|u| u != uri);
        if let Some(old) = self.views.remove(uri) {
            self.retired.push(old);
        }
        let users = self.users_of(&doc.name);
        self.mark(users);
        // Its (now empty) list is sent even if it was empty before.
        self.analysed.insert(uri.clone());
    }

    /// Files changed on disk (`workspace/didChangeWatchedFiles`): the open documents whose
    /// program includes one of them, and those waiting for a file that could not be loaded, are
    /// re-analysed. An open document's own text wins over the disk, so its change is ignored.
    pub fn files_changed(&mut self, names: &[String]) {
        let mut marked = Vec::new();
        for name in names {
            if self.docs.values().any(|d| &d.name == name) {
                continue;
            }
            marked.extend(self.users_of(name));
        }
        if !marked.is_empty() || !names.is_empty() {
            marked.extend(self.waiting());
        }
        self.mark(marked);
    }

    /// The next document to analyse, with what the analysis needs: its latest text, the open
    /// documents (for its `use`s) and its last analysis that parsed.
    pub fn next_job(&mut self) -> Option<Job> {
        if self.dirty.is_empty() {
            return None;
        }
        let uri = self.dirty.remove(0);
        let doc = self.docs.get(&uri)?.clone();
        let docs = self.docs.clone();
        // The last analysis that parsed is the one with entries to reuse.
        let previous = self.views.get(&uri).map(|v| v.good.clone());
        let cancel = Arc::new(AtomicBool::new(false));
        self.running = Some((uri, cancel.clone()));
        Some(Job { doc, docs, previous, cancel })
    }

    /// The analysis of `uri` was cancelled: nothing is installed, and the document is analysed
    /// again at its latest text (it was marked when its analysis was cancelled).
    pub fn cancelled(&mut self, uri: &Url) {
        self.finished(uri);
    }

    /// The analysis in flight, if of `uri`, is over.
    fn finished(&mut self, uri: &Url) {
        if self.running.as_ref().is_some_and(|(u, _)| u == uri) {
            self.running = None;
        }
    }

    /// Installs the analysis of `version` of `uri` (`None`: it panicked, and the previous
    /// analysis stays), unless the document was closed meanwhile.
    pub fn install(&mut self, uri: &Url, version: i32, analysis: Option<DocAnalysis>) {
        self.finished(uri);
        if !self.docs.contains_key(uri) {
            return;
        }
        self.analysed.insert(uri.clone());
        let Some(current) = analysis else {
            if let Some(v) = self.views.get_mut(uri) {
                v.version = version;
            }
            return;
        };
        let current = Arc::new(current);
        let good = match (current.parsed, self.views.get(uri)) {
            (false, Some(old)) if old.good.parsed => old.good.clone(),
            _ => current.clone(),
        };
        if let Some(old) = self.views.insert(uri.clone(), DocView { current, good, version }) {
            self.retired.push(old);
        }
    }

    /// Asks the analysis thread for a round even if nothing is to be analysed (a new snapshot,
    /// and diagnostics if any changed).
    pub fn touch(&mut self) {
        self.publish_due = true;
    }

    /// Whether diagnostics are due: nothing waits for analysis, and something was analysed or
    /// closed (or [`State::touch`]ed) since they were last sent.
    pub fn publish_due(&self) -> bool {
        self.dirty.is_empty() && (self.publish_due || !self.analysed.is_empty())
    }

    /// The diagnostics to send now (see [`State::publish_due`]).
    pub fn take_publish(&mut self) -> Publish {
        self.publish_due = false;
        let changed = std::mem::take(&mut self.analysed);
        self.publish(&changed)
    }

    /// The diagnostics of every file of every open program, by URI; only lists that changed
    /// (and always the lists of the documents in `changed`).
    fn publish(&mut self, changed: &BTreeSet<Url>) -> Publish {
        let enc = self.encoding;
        let mut all: BTreeMap<Url, Vec<lsp::Diagnostic>> = BTreeMap::new();
        // What each list holds already: a set, not a scan of the list, which made publishing
        // 60,000 diagnostics take 14 s.
        // (`lsp::Range` is not `Hash`: its four numbers are the key.)
        let mut seen: HashSet<(Url, [u32; 4], Option<String>, String)> = HashSet::new();
        // Open documents that another open program uses: libraries, whose declarations that
        // program deploys, so "never deployed" (PF4006) from their own analysis is false.
        let used: HashSet<&Url> = self
            .views
            .values()
            .flat_map(|v| v.current.uris.iter().skip(1).flatten())
            .filter(|u| self.views.contains_key(*u))
            .collect();
        for view in self.views.values() {
            let da = &view.current;
            let mut files = Files::of_doc(da, enc);
            let uri_of = |f: FileId| da.uri_of(f).cloned();
            let library = used.contains(&da.uri);
            for d in &da.analysis.diagnostics {
                let Some(uri) = da.uri_of(d.primary.span.file) else { continue };
                if library && d.code == pf_compiler::diagnostic::codes::PF4006 {
                    continue;
                }
                // An open document's own analysis speaks for it; other programs add only
                // findings it does not have.
                let ld = convert::diagnostic(d, &mut files, &uri_of);
                let (s, e) = (ld.range.start, ld.range.end);
                let code = ld.code.as_ref().map(|c| match c {
                    lsp::NumberOrString::Number(n) => n.to_string(),
                    lsp::NumberOrString::String(s) => s.clone(),
                });
                let key = (uri.clone(), [s.line, s.character, e.line, e.character], code, ld.message.clone());
                if seen.insert(key) {
                    all.entry(uri.clone()).or_default().push(ld);
                }
            }
        }
        for uri in self.views.keys() {
            all.entry(uri.clone()).or_default();
        }
        let mut out = Vec::new();
        let urls: BTreeSet<Url> = all.keys().chain(self.published.keys()).cloned().collect();
        for uri in urls {
            let new = all.remove(&uri).unwrap_or_default();
            let old = self.published.get(&uri);
            if old != Some(&new) || changed.contains(&uri) {
                let version = self.docs.get(&uri).map(|d| d.version);
                out.push((uri.clone(), version, new.clone()));
            }
            if new.is_empty() && !self.docs.contains_key(&uri) {
                self.published.remove(&uri);
            } else {
                self.published.insert(uri, new);
            }
        }
        out
    }
}

/// Applies one content change to `text`; ranges are in `enc`.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent, enc: Encoding) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let start = convert::offset_of(text, range.start, enc);
            let end = convert::offset_of(text, range.end, enc).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::lsp_types::{Position, Range};

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range { start: Position::new(l1, c1), end: Position::new(l2, c2) }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_with_utf16_ranges() {
        let mut text = String::from("# 😀 é\nenv prod {\n}\n");
        // `#`, space, the emoji (2 UTF-16 units), space: character 5 is `é`.
        apply_change(&mut text, change(0, 5, 0, 6, "e"), Encoding::Utf16);
        assert_eq!(text, "# 😀 e\nenv prod {\n}\n");
        apply_change(&mut text, change(1, 4, 1, 8, "uat"), Encoding::Utf16);
        apply_change(&mut text, change(1, 9, 2, 0, "\n  protected = true\n"), Encoding::Utf16);
        assert_eq!(text, "# 😀 e\nenv uat {\n  protected = true\n}\n");
    }

    #[test]
    fn a_newer_version_cancels_the_analysis_in_flight_and_is_analysed_next() {
        let mut state = State::new(Encoding::Utf16);
        let (a, b) =
            (Url::parse("file:///tmp/a.pf").expect("a URI"), Url::parse("file:///tmp/b.pf").expect("a URI"));
        state.open(a.clone(), "app a {\n}\n".into(), 1);
        state.open(b.clone(), "app b {\n}\n".into(), 1);
        let job = state.next_job().expect("a is marked");
        assert_eq!(job.doc.uri, a);
        // The job shares the document's text, it does not copy it.
        assert!(Arc::ptr_eq(&job.doc.text, state.latest(&a).expect("open").0));
        // An edit of another document leaves it alone.
        state.change(&b, 2, vec![change(0, 4, 0, 5, "c")]);
        assert!(!job.cancel.load(Ordering::Relaxed));
        state.change(&a, 2, vec![change(0, 4, 0, 5, "x")]);
        assert!(job.cancel.load(Ordering::Relaxed));
        assert!(job.run().is_none(), "a cancelled analysis gives up");
        state.cancelled(&a);
        // b, then a again at its latest text, which runs to the end.
        let next = state.next_job().expect("b is marked");
        assert_eq!(next.doc.uri, b);
        let again = state.next_job().expect("a is marked again");
        assert_eq!((again.doc.uri.clone(), again.doc.version), (a.clone(), 2));
        let analysis = again.run().expect("not cancelled");
        assert_eq!(&*analysis.text, "app x {\n}\n");
    }

    #[test]
    fn closing_a_document_cancels_its_analysis() {
        let mut state = State::new(Encoding::Utf16);
        let a = Url::parse("file:///tmp/a.pf").expect("a URI");
        state.open(a.clone(), "app a {\n}\n".into(), 1);
        let job = state.next_job().expect("a is marked");
        state.close(&a);
        assert!(job.run().is_none());
        assert!(state.next_job().is_none());
    }

    #[test]
    fn incremental_changes_with_utf8_ranges() {
        let mut text = String::from("a😀b\n");
        // Byte 4 is after the emoji in UTF-8 columns (1 + 4 = 5).
        apply_change(&mut text, change(0, 5, 0, 6, "c"), Encoding::Utf8);
        assert_eq!(text, "a😀c\n");
        apply_change(&mut text, change(0, 0, 0, 5, ""), Encoding::Utf8);
        assert_eq!(text, "c\n");
    }
}
