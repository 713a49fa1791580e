//! Thousands of random edits to `examples/webshop.pf` (a deterministic LCG: insert bytes and
//! snippets, delete ranges, always on char boundaries), each followed by a request at a random
//! position. The server must answer every request and never die.
#![allow(clippy::unwrap_used)]

mod common;

use common::{uri, webshop, Client};
use pf_compiler::testgen::Lcg;
use serde_json::json;

const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "=",
    ",",
    "\n",
    ":",
    "# c",
    "env x : prod {",
    "deploy ",
    "stage s { build }",
    "cidr = 10.0.0.0/8",
    "3d",
    "20GB",
    "60%",
    "cpu(",
    "secret(\"a\")",
    "😀",
    "é",
    "\\",
    "${app}",
    "use ",
    "app",
    "pipeline p {",
    "network {",
    "->",
    "\r\n",
    "\t",
    "0",
    "-",
    ".",
    "(",
    ")",
];

/// A char boundary at or before `i`, not between the `\r` and `\n` of one line end (not a
/// position in LSP).
fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) || (text[..i].ends_with('\r') && text[i..].starts_with('\n')) {
        i -= 1;
    }
    i
}

/// LSP position (UTF-16) of a byte offset; lines end at `\n`, `\r\n` or a lone `\r`.
fn position(text: &str, offset: usize) -> serde_json::Value {
    let before = &text[..offset];
    let line = before.matches('\n').count() + before.matches('\r').count() - before.matches("\r\n").count();
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    json!({ "line": line, "character": before[start..].encode_utf16().count() })
}

#[test]
fn thousands_of_random_edits_never_kill_the_server() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("fuzz.pf");
        let mut text = webshop();
        c.open(&u, &text).await;
        let mut rng = Lcg(0x5eed);
        let methods = [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/documentSymbol",
            "textDocument/semanticTokens/full",
            "textDocument/definition",
            "textDocument/inlayHint",
            "textDocument/foldingRange",
            "textDocument/references",
            "textDocument/prepareRename",
        ];
        let edits = 2000;
        for version in 2..edits + 2 {
            if text.len() > 20_000 || rng.below(200) == 0 {
                // Start again now and then, so the text stays program-like.
                let end = position(&text, text.len());
                text = webshop();
                c.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": end }, "text": text }] })).await;
                continue;
            }
            let a = floor(&text, rng.below(text.len() + 1));
            let (start, end, insert) = match rng.below(4) {
                0 => {
                    let b = floor(&text, a + rng.below(40));
                    (a, b, String::new())
                }
                1 => (a, a, SNIPPETS[rng.below(SNIPPETS.len())].to_string()),
                2 => (a, a, ((rng.below(95) + 32) as u8 as char).to_string()),
                _ => {
                    let b = floor(&text, a + rng.below(8));
                    (a, b, SNIPPETS[rng.below(SNIPPETS.len())].to_string())
                }
            };
            let range = json!({ "start": position(&text, start), "end": position(&text, end) });
            text.replace_range(start..end, &insert);
            c.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "range": range, "text": insert }] })).await;
            let method = methods[rng.below(methods.len())];
            let at = position(&text, floor(&text, rng.below(text.len() + 1)));
            let params = match method {
                "textDocument/documentSymbol"
                | "textDocument/semanticTokens/full"
                | "textDocument/foldingRange" => json!({ "textDocument": { "uri": u } }),
                "textDocument/inlayHint" => {
                    json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 0, "character": 0 }, "end": at } })
                }
                "textDocument/references" => {
                    json!({ "textDocument": { "uri": u }, "position": at, "context": { "includeDeclaration": true } })
                }
                _ => json!({ "textDocument": { "uri": u }, "position": at }),
            };
            let r = c.request_raw(method, params).await;
            assert!(
                r.get("error").is_none(),
                "{method} after edit {version} failed: {r}\n--- text ---\n{text}"
            );
            c.notifications.clear();
        }
        // The server's text is the client's text: its diagnostics match a fresh analysis.
        c.notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri("fresh.pf"), "languageId": "pf", "version": 1, "text": text } })).await;
        let fresh = c.diagnostics(&uri("fresh.pf")).await;
        let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await;
        let fresh_symbols = c
            .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri("fresh.pf") } }))
            .await;
        assert_eq!(symbols, fresh_symbols, "incremental edits gave the same text as the client's");
        let _ = fresh;
        assert!(c.shutdown().await);
    });
}
