//! The tower-lsp [`LanguageServer`]: capabilities, document sync, and dispatch of each request
//! to its handler in [`crate::handlers`] on an immutable snapshot, inside `catch_unwind`.

use crate::convert::{Encoding, LineIndex};
use crate::handlers;
use crate::shift::Shift;
use crate::state::{Publish, Snapshot};
use crate::worker::Shared;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

/// The server: the shared state, analysed on the analysis thread ([`crate::worker`]), whose
/// snapshots requests read.
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    /// Whether the analysis thread runs (if it could not be started, notifications analyse
    /// on the spot).
    threaded: bool,
    shutdown: Arc<AtomicBool>,
    /// Whether the client registers file watchers dynamically (set by `initialize`).
    watch_files: AtomicBool,
    workspace: handlers::workspace::Index,
}

/// How long a request waits at most for the analysis of the latest text.
const WAIT: Duration = Duration::from_secs(10);

fn internal(name: &str) -> Error {
    let mut e = Error::internal_error();
    e.message = format!("pf-lsp: the {name} handler failed on this document").into();
    e
}

impl Backend {
    /// A server talking to `client`; `shutdown` is set when the client asks for shutdown. Call
    /// from inside a tokio runtime (the analysis thread sends diagnostics through it).
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Backend {
        let shared = Shared::new();
        let threaded = tokio::runtime::Handle::try_current().is_ok_and(|handle| {
            let client = client.clone();
            shared.spawn(move |publish| handle.block_on(send(&client, publish)))
        });
        Backend {
            client,
            shared,
            threaded,
            shutdown,
            watch_files: AtomicBool::new(false),
            workspace: handlers::workspace::Index::default(),
        }
    }

    /// Mutates the state; the analysis thread does the rest.
    async fn mutate(&self, f: impl FnOnce(&mut crate::state::State)) {
        self.shared.mutate(|s| catch_unwind(AssertUnwindSafe(|| f(s))).unwrap_or(()));
        if !self.threaded {
            let published = std::sync::Mutex::new(Vec::new());
            self.shared.drain(&|p| published.lock().unwrap_or_else(|e| e.into_inner()).push(p));
            for p in published.into_inner().unwrap_or_default() {
                send(&self.client, p).await;
            }
        }
    }

    /// Runs a handler on the latest snapshot, whatever it holds; a panic becomes an internal
    /// error.
    fn read<T>(&self, name: &str, f: impl FnOnce(&Snapshot) -> T) -> Result<T> {
        let snap = self.shared.snapshot();
        catch_unwind(AssertUnwindSafe(|| f(&snap))).map_err(|_| internal(name))
    }

    /// Runs a handler once the latest version of `uri` is analysed (for requests that need the
    /// new text: edits, whole-document answers).
    async fn read_latest<T>(&self, name: &str, uri: &Url, f: impl FnOnce(&Snapshot) -> T) -> Result<T> {
        let snap = self.latest(uri).await;
        catch_unwind(AssertUnwindSafe(|| f(&snap))).map_err(|_| internal(name))
    }

    /// The first snapshot with the latest version of `uri` analysed (or without `uri`, closed
    /// meanwhile); after [`WAIT`], the latest snapshot.
    async fn latest(&self, uri: &Url) -> Arc<Snapshot> {
        let (version, mut rx) = {
            let state = self.shared.state();
            (state.latest(uri).map(|(_, v)| v), self.shared.subscribe())
        };
        let Some(version) = version else { return self.shared.snapshot() };
        let wait = async {
            let mut first = true;
            loop {
                {
                    let s = rx.borrow_and_update();
                    let done = s.doc(uri).is_some_and(|v| v.version >= version);
                    if done || (!first && !s.versions.contains_key(uri)) {
                        return s.clone();
                    }
                }
                first = false;
                if rx.changed().await.is_err() {
                    return self.shared.snapshot();
                }
            }
        };
        tokio::time::timeout(WAIT, wait).await.unwrap_or_else(|_| self.shared.snapshot())
    }

    /// Runs a handler about a position of `uri` without waiting for the analysis of its latest
    /// text when the position is outside what changed since the last one: the position is moved
    /// into the analysed text, and the ranges of `uri` in the answer back into the latest text.
    /// A position inside the change needs the new text, and waits for its analysis.
    async fn read_at<T: Serialize + DeserializeOwned>(
        &self,
        name: &str,
        uri: &Url,
        pos: Position,
        f: impl FnOnce(&Snapshot, Position) -> T,
    ) -> Result<T> {
        let latest = self.shared.state().latest(uri).map(|(t, _)| t.clone());
        let snap = self.shared.snapshot();
        let moved = match (latest, snap.doc(uri)) {
            (Some(text), Some(view)) => {
                let old = &view.current;
                let shift = Shift::between(&old.text, &text);
                if shift.is_empty() {
                    None
                } else {
                    let index = LineIndex::new(&text);
                    let at = shift.to_old(index.offset(&text, pos, snap.encoding));
                    match at {
                        Some(at) => {
                            Some((old.index.position(&old.text, at, snap.encoding), shift, text, index))
                        }
                        None => return self.read_latest(name, uri, |s| f(s, pos)).await,
                    }
                }
            }
            (Some(_), None) => return self.read_latest(name, uri, |s| f(s, pos)).await,
            (None, _) => None,
        };
        let Some((old_pos, shift, text, index)) = moved else {
            return catch_unwind(AssertUnwindSafe(|| f(&snap, pos))).map_err(|_| internal(name));
        };
        let answer = catch_unwind(AssertUnwindSafe(|| f(&snap, old_pos))).map_err(|_| internal(name))?;
        let Some(view) = snap.doc(uri) else { return Ok(answer) };
        let old = &view.current;
        let enc = snap.encoding;
        let to_new =
            |p: Position| index.position(&text, shift.to_new(old.index.offset(&old.text, p, enc)), enc);
        let mut value = serde_json::to_value(&answer).map_err(|_| internal(name))?;
        move_ranges(&mut value, uri.as_str(), true, &to_new);
        serde_json::from_value(value).map_err(|_| internal(name))
    }
}

/// Sends diagnostics to the client, in order.
async fn send(client: &Client, publish: Publish) {
    for (uri, version, diagnostics) in publish {
        client.publish_diagnostics(uri, diagnostics, version).await;
    }
}

/// Moves every range of the document `uri` in a JSON answer with `f`. A range belongs to the
/// document of the nearest enclosing `uri`/`targetUri`/`textDocument.uri`, or key of a
/// `changes` map, and to the request's document (`mine`) when there is none.
fn move_ranges(v: &mut Value, uri: &str, mine: bool, f: &dyn Fn(Position) -> Position) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| move_ranges(i, uri, mine, f)),
        Value::Object(o) => {
            let owner = o
                .get("uri")
                .or_else(|| o.get("targetUri"))
                .or_else(|| o.get("textDocument").and_then(|t| t.get("uri")))
                .and_then(Value::as_str);
            let mine = owner.map_or(mine, |u| u == uri);
            if o.len() == 2 && o.contains_key("start") && o.contains_key("end") {
                if let (true, Ok(range)) = (mine, serde_json::from_value::<Range>(v.clone())) {
                    let moved = Range { start: f(range.start), end: f(range.end) };
                    *v = serde_json::to_value(moved).unwrap_or(Value::Null);
                }
                return;
            }
            for (key, child) in o.iter_mut() {
                if key == "changes" {
                    if let Value::Object(by_uri) = child {
                        for (u, edits) in by_uri.iter_mut() {
                            move_ranges(edits, uri, u == uri, f);
                        }
                    }
                } else {
                    move_ranges(child, uri, mine, f);
                }
            }
        }
        _ => {}
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.shared.stop();
    }
}

/// The semantic token types, in legend order.
pub const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::TYPE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
];

/// The capabilities the server declares (every one explicitly).
pub fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            will_save: None,
            will_save_wait_until: None,
            save: None,
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into(), "=".into(), ":".into(), ".".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend { token_types: TOKEN_TYPES.to_vec(), token_modifiers: vec![] },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        // The same formatter as `pf fmt` (handlers/formatting.rs); docs/editors.md says so.
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        declaration_provider: None,
        type_definition_provider: None,
        implementation_provider: None,
        signature_help_provider: None,
        document_highlight_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        document_link_provider: None,
        color_provider: None,
        execute_command_provider: None,
        ..ServerCapabilities::default()
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref());
        let encoding = Encoding::negotiate(offered);
        #[allow(deprecated)]
        let root_uri = params.root_uri.clone();
        let folder_uris: Vec<Url> = match &params.workspace_folders {
            Some(f) if !f.is_empty() => f.iter().map(|f| f.uri.clone()).collect(),
            _ => root_uri.into_iter().collect(),
        };
        let folders: Vec<std::path::PathBuf> =
            folder_uris.iter().filter_map(|u| u.to_file_path().ok()).collect();
        let root = folders.first().map(|p| p.to_string_lossy().replace('\\', "/"));
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.watch_files.store(watch, Ordering::SeqCst);
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        self.mutate(|state| {
            *state = crate::state::State::new(encoding);
            state.root = root;
            state.folders = folders;
            state.snippets = snippets;
            state.touch();
        })
        .await;
        Ok(InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "pf-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.watch_files.load(Ordering::SeqCst) {
            return;
        }
        // `.pf` files anywhere in the workspace: a `use`d file changing on disk re-checks the
        // open documents that use it. Registered from its own task: the client's answer is
        // not waited for here.
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.pf".into()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "pf-watch-pf-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            let _ = client.register_capability(vec![registration]).await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.mutate(|s| s.open(doc.uri, doc.text, doc.version)).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let doc = params.text_document;
        self.mutate(|s| s.change(&doc.uri, doc.version, params.content_changes)).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.mutate(|s| s.close(&params.text_document.uri)).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let names: Vec<String> = params.changes.iter().map(|c| crate::state::name_of(&c.uri)).collect();
        self.workspace.forget(&names);
        self.mutate(|s| s.files_changed(&names)).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params.clone();
        self.read_at("hover", &p.text_document.uri, p.position, |s, pos| {
            let mut params = params;
            params.text_document_position_params.position = pos;
            handlers::hover::hover(s, params)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        // The context is read from the text being typed: the latest one.
        let uri = params.text_document_position.text_document.uri.clone();
        self.read_latest("completion", &uri, |s| handlers::completion::completion(s, params)).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params.clone();
        self.read_at("definition", &p.text_document.uri, p.position, |s, pos| {
            let mut params = params;
            params.text_document_position_params.position = pos;
            handlers::definition::definition(s, params)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position.clone();
        self.read_at("references", &p.text_document.uri, p.position, |s, pos| {
            let mut params = params;
            params.text_document_position.position = pos;
            handlers::references::references(s, params)
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params.clone();
        self.read_at("documentHighlight", &p.text_document.uri, p.position, |s, pos| {
            let mut params = params;
            params.text_document_position_params.position = pos;
            handlers::highlight::highlight(s, params)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("prepareRename", &uri, |s| handlers::rename::prepare(s, params))
            .await?
            .map_err(Error::invalid_params)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.read_latest("rename", &uri, |s| handlers::rename::rename(s, params))
            .await?
            .map_err(Error::invalid_params)
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("documentSymbol", &uri, |s| handlers::symbols::document(s, params)).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        self.read("workspaceSymbol", |s| handlers::symbols::workspace(s, &self.workspace, params))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("codeAction", &uri, |s| handlers::code_action::code_action(s, params)).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("semanticTokens", &uri, |s| handlers::semantic_tokens::full(s, params)).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("codeLens", &uri, |s| handlers::code_lens::code_lens(s, params)).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("inlayHint", &uri, |s| handlers::inlay_hints::inlay_hints(s, params)).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("foldingRange", &uri, |s| handlers::folding::folding(s, params)).await
    }

    async fn selection_range(&self, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("selectionRange", &uri, |s| handlers::selection::selection_ranges(s, params)).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("formatting", &uri, |s| handlers::formatting::formatting(s, params)).await
    }

    async fn range_formatting(&self, params: DocumentRangeFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri.clone();
        self.read_latest("rangeFormatting", &uri, |s| handlers::formatting::range_formatting(s, params)).await
    }
}
