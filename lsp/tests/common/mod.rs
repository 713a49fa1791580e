//! An in-process LSP client: the real server over `tokio::io::duplex`, spoken to in JSON-RPC
//! frames like an editor would.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};

pub struct Client {
    writer: WriteHalf<DuplexStream>,
    reader: ReadHalf<DuplexStream>,
    buf: Vec<u8>,
    next_id: i64,
    pub notifications: VecDeque<Value>,
    /// The last version sent for each document.
    versions: std::collections::HashMap<String, i64>,
    pub server: tokio::task::JoinHandle<bool>,
}

/// Runs an async test body on a thread with a large stack (debug-build futures are big).
pub fn run(f: impl std::future::Future<Output = ()> + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_stack_size(16 << 20)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(f);
        })
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

pub fn uri(name: &str) -> String {
    format!("file:///pf-test/{name}")
}

impl Client {
    /// Starts a server and initializes it; `utf8` offers the UTF-8 position encoding.
    pub async fn start(utf8: bool) -> (Client, Value) {
        Client::start_with(utf8, Value::Null).await
    }

    /// Like [`Client::start`], with `textDocument` client capabilities (none when null).
    pub async fn start_with(utf8: bool, text_document: Value) -> (Client, Value) {
        Client::start_full(utf8, json!({ "textDocument": text_document }), "file:///pf-test").await
    }

    /// Like [`Client::start`], with client capabilities merged over the position encodings (a
    /// null `textDocument` is left out) and a root URI.
    pub async fn start_full(utf8: bool, extra: Value, root_uri: &str) -> (Client, Value) {
        let (client_side, server_side) = tokio::io::duplex(1 << 22);
        let (server_read, server_write) = tokio::io::split(server_side);
        let server = tokio::spawn(pf_lsp::serve(server_read, server_write));
        let (reader, writer) = tokio::io::split(client_side);
        let mut c = Client {
            writer,
            reader,
            buf: Vec::new(),
            next_id: 1,
            notifications: VecDeque::new(),
            versions: Default::default(),
            server,
        };
        let encodings = if utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
        let mut capabilities = json!({ "general": { "positionEncodings": encodings } });
        for (k, v) in extra.as_object().into_iter().flatten() {
            if !v.is_null() {
                capabilities[k] = v.clone();
            }
        }
        let init =
            c.request("initialize", json!({ "capabilities": capabilities, "rootUri": root_uri })).await;
        c.notify("initialized", json!({})).await;
        (c, init)
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    async fn send(&mut self, v: Value) {
        self.send_raw(frame(&v).as_bytes()).await;
    }

    /// The next message from the server (panics after 10 s).
    pub async fn recv(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(10), self.recv_inner()).await.expect("the server answers")
    }

    async fn recv_inner(&mut self) -> Value {
        loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let headers = String::from_utf8_lossy(&self.buf[..i]).to_string();
                let len: usize = headers
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap();
                if self.buf.len() >= i + 4 + len {
                    let body: Vec<u8> = self.buf.drain(..i + 4 + len).skip(i + 4).collect();
                    return serde_json::from_slice(&body).unwrap();
                }
            }
            let mut chunk = [0u8; 65536];
            let n = self.reader.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the server closed its output");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let mut m = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            m["params"] = params;
        }
        self.send(m).await;
    }

    /// Sends a request without waiting for its answer; returns its id (see [`Client::responses`]).
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut m = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            m["params"] = params;
        }
        self.send(m).await;
        id
    }

    /// Reads messages until every request of `ids` has an answer; returns every response read
    /// meanwhile, in arrival order (so a request answered twice shows twice). Notifications are
    /// kept in `notifications`.
    pub async fn responses(&mut self, ids: &[i64]) -> Vec<Value> {
        let mut missing: std::collections::HashSet<i64> = ids.iter().copied().collect();
        let mut out = Vec::new();
        while !missing.is_empty() {
            let m = self.recv().await;
            if m.get("method").is_some() {
                self.notifications.push_back(m);
                continue;
            }
            if let Some(id) = m["id"].as_i64() {
                missing.remove(&id);
            }
            out.push(m);
        }
        out
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        loop {
            let m = self.recv().await;
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                return m;
            }
            self.notifications.push_back(m);
        }
    }

    /// Sends a request and returns its result (panics on an error response).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let m = self.request_raw(method, params).await;
        assert!(m.get("error").is_none(), "{method} failed: {m}");
        m["result"].clone()
    }

    /// The diagnostics published for `uri` at the last version sent (earlier ones are skipped).
    pub async fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let version = self.versions.get(uri).copied();
        let wanted = |n: &Value| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == uri
                && (version.is_none() || n["params"]["version"].as_i64() == version)
        };
        self.notifications.retain(|n| {
            !(n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri) || wanted(n)
        });
        if let Some(i) = self.notifications.iter().position(wanted) {
            let n = self.notifications.remove(i).unwrap();
            return n["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
        }
        loop {
            let m = self.recv().await;
            if wanted(&m) {
                return m["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            self.notifications.push_back(m);
        }
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        self.versions.insert(uri.to_string(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "pf", "version": 1, "text": text } }),
        )
        .await;
    }

    /// Replaces `range` (line, character pairs) with `text`.
    pub async fn change(&mut self, uri: &str, version: i32, range: [(u32, u32); 2], text: &str) {
        self.versions.insert(uri.to_string(), i64::from(version));
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": {
                    "start": { "line": range[0].0, "character": range[0].1 },
                    "end": { "line": range[1].0, "character": range[1].1 } }, "text": text }]
            }),
        )
        .await;
    }

    pub async fn shutdown(self) -> bool {
        self.shutdown_keeping_notifications().await.0
    }

    /// Shuts the server down; also returns the messages nobody consumed, in arrival order (those
    /// kept before, then those read while waiting for the answer to `shutdown`).
    pub async fn shutdown_keeping_notifications(mut self) -> (bool, VecDeque<Value>) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
        let clean = tokio::time::timeout(Duration::from_secs(5), self.server).await.unwrap().unwrap();
        (clean, self.notifications)
    }
}

/// A JSON-RPC frame.
pub fn frame(v: &Value) -> String {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body)
}

/// The UTF-16 position of the `nth` occurrence of `needle` in `text`, plus `delta` chars.
pub fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("needle present");
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let ch = text[start..at].encode_utf16().count() + delta;
    json!({ "line": line, "character": ch })
}

pub fn td(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

pub fn webshop() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webshop.pf")).unwrap()
}

pub fn labels(completion: &Value) -> Vec<String> {
    let items = completion
        .as_array()
        .cloned()
        .or_else(|| completion["items"].as_array().cloned())
        .unwrap_or_default();
    items.iter().map(|i| i["label"].as_str().unwrap_or("").to_string()).collect()
}

/// `file://` URIs of `names` in a fresh folder of the temp dir named after `tag` (files on disk
/// are not created: the tests open them as documents).
pub fn temp_uris<const N: usize>(tag: &str, names: [&str; N]) -> [String; N] {
    let dir = std::env::temp_dir().join(format!("pf-lsp-e2e-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    names.map(|n| url::Url::from_file_path(dir.join(n)).unwrap().to_string())
}
