//! The tower-lsp [`LanguageServer`]: capabilities, document sync, and dispatch of each request
//! to its handler in [`crate::handlers`] on an immutable snapshot, inside `catch_unwind`.

use crate::convert::Encoding;
use crate::handlers;
use crate::state::{Publish, Snapshot, State};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

/// The server: one mutable state behind a mutex (never held across `.await`) and the latest
/// snapshot for requests.
pub struct Backend {
    client: Client,
    state: Mutex<State>,
    snapshot: Mutex<Arc<Snapshot>>,
    shutdown: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Backend {
    /// A server talking to `client`; `shutdown` is set when the client asks for shutdown.
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Backend {
        Backend {
            client,
            state: Mutex::new(State::default()),
            snapshot: Mutex::new(Arc::new(Snapshot::default())),
            shutdown,
        }
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        lock(&self.snapshot).clone()
    }

    /// Mutates the state synchronously, installs the new snapshot, sends the diagnostics, and
    /// only then frees what the new analyses replaced (off the latency path).
    async fn mutate(&self, f: impl FnOnce(&mut State) -> Publish) {
        let (publish, retired, old) = {
            let mut state = lock(&self.state);
            let publish = catch_unwind(AssertUnwindSafe(|| f(&mut state))).unwrap_or_default();
            let old = std::mem::replace(&mut *lock(&self.snapshot), state.snapshot());
            (publish, state.take_retired(), old)
        };
        for (uri, version, diagnostics) in publish {
            self.client.publish_diagnostics(uri, diagnostics, version).await;
        }
        crate::state::free_on_analysis_thread((old, retired));
    }

    /// Runs a read handler on the current snapshot; a panic becomes an internal error.
    fn read<T>(&self, name: &str, f: impl FnOnce(&Snapshot) -> T) -> Result<T> {
        let snap = self.snapshot();
        catch_unwind(AssertUnwindSafe(|| f(&snap))).map_err(|_| {
            let mut e = Error::internal_error();
            e.message = format!("pf-lsp: the {name} handler failed on this document").into();
            e
        })
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
        document_range_formatting_provider: None,
        declaration_provider: None,
        type_definition_provider: None,
        implementation_provider: None,
        signature_help_provider: None,
        document_highlight_provider: None,
        code_lens_provider: None,
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
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first().map(|f| f.uri.clone()))
            .or_else(|| {
                #[allow(deprecated)]
                params.root_uri.clone()
            })
            .and_then(|u| u.to_file_path().ok())
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        {
            let mut state = lock(&self.state);
            *state = State::new(encoding);
            state.root = root;
            state.snippets = params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false);
            *lock(&self.snapshot) = state.snapshot();
        }
        Ok(InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "pf-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
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

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.read("hover", |s| handlers::hover::hover(s, params))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.read("completion", |s| handlers::completion::completion(s, params))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.read("definition", |s| handlers::definition::definition(s, params))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.read("references", |s| handlers::references::references(s, params))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.read("prepareRename", |s| handlers::rename::prepare(s, params))?.map_err(Error::invalid_params)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.read("rename", |s| handlers::rename::rename(s, params))?.map_err(Error::invalid_params)
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.read("documentSymbol", |s| handlers::symbols::document(s, params))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        self.read("workspaceSymbol", |s| handlers::symbols::workspace(s, params))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.read("codeAction", |s| handlers::code_action::code_action(s, params))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.read("semanticTokens", |s| handlers::semantic_tokens::full(s, params))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.read("inlayHint", |s| handlers::inlay_hints::inlay_hints(s, params))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.read("foldingRange", |s| handlers::folding::folding(s, params))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.read("formatting", |s| handlers::formatting::formatting(s, params))
    }
}
