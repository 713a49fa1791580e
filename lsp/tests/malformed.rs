//! Malformed JSON-RPC input, over the real server: each gets its error response (JSON-RPC 2.0:
//! `-32700` for what is not a well-framed JSON value, `-32600` for JSON that is not a request),
//! and the session goes on: the next request is answered.
#![allow(clippy::unwrap_used)]

mod common;

use common::{td, uri, Client};
use serde_json::{json, Value};

fn frame(body: &[u8], len: usize) -> Vec<u8> {
    let mut out = format!("Content-Length: {len}\r\n\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn framed(body: &str) -> Vec<u8> {
    frame(body.as_bytes(), body.len())
}

/// Sends `raw`, expects one error response with `code` and `id`, then a request that is
/// answered.
async fn answered(c: &mut Client, what: &str, raw: &[u8], code: i64, id: Value) {
    c.send_raw(raw).await;
    let m = loop {
        let m = c.recv().await;
        if m.get("method").is_none() {
            break m;
        }
    };
    assert_eq!(m["error"]["code"], code, "{what}: {m}");
    assert_eq!(m["id"], id, "{what}: {m}");
    assert_eq!(m["jsonrpc"], "2.0", "{what}: {m}");
    let r =
        c.request_raw("textDocument/hover", td(&uri("nope.pf"), json!({ "line": 0, "character": 0 }))).await;
    assert_eq!(r["result"], Value::Null, "{what}: the next request is answered: {r}");
}

#[test]
fn each_malformed_message_is_answered_and_the_session_goes_on() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let null = Value::Null;
        // JSON that is not a request object.
        for body in ["42", "\"x\"", "null", "true", "[]", "{}"] {
            answered(&mut c, body, &framed(body), -32600, null.clone()).await;
        }
        let batch = r#"[{"jsonrpc":"2.0","id":5,"method":"shutdown"}]"#;
        answered(&mut c, "a batch", &framed(batch), -32600, null.clone()).await;
        // Objects that are not JSON-RPC 2.0 requests: the id is kept when it is readable.
        let no_version = r#"{"id":10,"method":"shutdown"}"#;
        answered(&mut c, "no jsonrpc", &framed(no_version), -32600, json!(10)).await;
        let old = r#"{"jsonrpc":"1.0","id":11,"method":"shutdown"}"#;
        answered(&mut c, "jsonrpc 1.0", &framed(old), -32600, json!(11)).await;
        answered(&mut c, "id, no method", &framed(r#"{"jsonrpc":"2.0","id":12}"#), -32600, json!(12)).await;
        let object_id = r#"{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}"#;
        answered(&mut c, "an object id", &framed(object_id), -32600, null.clone()).await;
        // Not JSON.
        answered(&mut c, "not JSON", &framed("{bad}"), -32700, null.clone()).await;
        answered(&mut c, "an empty body", &framed(""), -32700, null.clone()).await;
        let mut non_utf8 = br#"{"jsonrpc":"2.0","id":13,"method":""#.to_vec();
        non_utf8.extend([0xff, 0xfe, b'"', b'}']);
        answered(&mut c, "a body not in UTF-8", &frame(&non_utf8, non_utf8.len()), -32700, null.clone())
            .await;
        // Bodies whose length is not their Content-Length: answered with their id, and the
        // message after them is not lost.
        let shutdown = r#"{"jsonrpc":"2.0","id":14,"method":"shutdown"}"#;
        let short = frame(shutdown.as_bytes(), shutdown.len() + 25);
        answered(&mut c, "a short body, alone", &short, -32700, json!(14)).await;
        let long = frame(shutdown.as_bytes(), shutdown.len() - 10);
        answered(&mut c, "a long body", &long, -32700, json!(14)).await;
        // Headers without a usable Content-Length: the body after them is skipped.
        let bad_length = [b"Content-Length: abc\r\n\r\n".as_slice(), shutdown.as_bytes()].concat();
        answered(&mut c, "a bad Content-Length", &bad_length, -32700, null.clone()).await;
        answered(&mut c, "no header", b"X-Nonsense: 1\r\n\r\n", -32700, null.clone()).await;
        answered(&mut c, "stray text", b"hello world", -32700, null.clone()).await;
        // A header block ending in `\n\n` is read like one ending in `\r\n\r\n`.
        let lf = format!("Content-Length: {}\n\n{}", no_version.len(), no_version);
        answered(&mut c, "LF headers", lf.as_bytes(), -32600, json!(10)).await;
        // After all of it, the session is intact: shutdown answers and exit is clean.
        assert!(c.shutdown().await, "the server is still serving");
    })
}

#[test]
fn a_short_body_followed_by_the_next_request_loses_neither() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let shutdown = r#"{"jsonrpc":"2.0","id":70,"method":"shutdown"}"#;
        let hover = json!({ "jsonrpc": "2.0", "id": 71, "method": "textDocument/hover",
            "params": td(&uri("nope.pf"), json!({ "line": 0, "character": 0 })) })
        .to_string();
        let mut raw = frame(shutdown.as_bytes(), shutdown.len() + 30);
        raw.extend(framed(&hover));
        c.send_raw(&raw).await;
        let replies = c.responses(&[70, 71]).await;
        assert_eq!(replies.len(), 2, "{replies:?}");
        assert_eq!(replies[0]["id"], 70);
        assert_eq!(replies[0]["error"]["code"], -32700, "the misframed shutdown is not run");
        assert_eq!(replies[1]["id"], 71);
        assert_eq!(replies[1]["result"], Value::Null);
        assert!(c.shutdown().await);
    })
}
