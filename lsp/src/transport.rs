//! The framing guard between the client and tower-lsp.
//!
//! tower-lsp 0.20 stops serving at the first message it cannot decode (its framed reader ends
//! after a decoder error). This layer reads `Content-Length` frames itself ([`framing`]: it
//! finds the next message again after a malformed one), passes well-formed JSON-RPC messages
//! on, and answers the others with a JSON-RPC error: `-32700` (parse error) for bytes that are
//! not a well-framed JSON value, `-32600` (invalid request) for JSON that is not a JSON-RPC 2.0
//! message (a batch too: LSP has none). The error carries the message's id when it could be
//! read (a request whose body did not match its `Content-Length`, a request without a method),
//! else `null`. A bad message never ends the session.

mod framing;

use framing::{Frame, FrameReader, IDLE};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error(code: i64, message: &str, id: Value) -> Vec<u8> {
    let v = json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id });
    frame(v.to_string().as_bytes())
}

/// Whether a message is the `exit` notification.
fn is_exit(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .is_ok_and(|v| v.get("method").and_then(Value::as_str) == Some("exit") && v.get("id").is_none())
}

/// Methods without params. Some clients send them with `"params": null`, which tower-lsp rejects
/// (`-32602` for `shutdown`, so that `exit` then ends with status 1).
const NO_PARAMS: &[&str] = &["shutdown", "exit"];

/// The body with a null `params` removed from a message of a method without params; any other
/// body as it is.
fn normalize(body: Vec<u8>) -> Vec<u8> {
    let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body) else { return body };
    let no_params = m.get("method").and_then(Value::as_str).is_some_and(|name| NO_PARAMS.contains(&name));
    if !(no_params && m.get("params") == Some(&Value::Null)) {
        return body;
    }
    m.remove("params");
    serde_json::to_vec(&Value::Object(m)).unwrap_or(body)
}

/// Why a body is not a message tower-lsp accepts, as the error response to send.
fn check(body: &[u8]) -> Option<Vec<u8>> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Some(error(-32700, "Parse error", Value::Null)),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let ok_id = matches!(id, Value::Null | Value::Number(_) | Value::String(_));
    let is_message = value.get("jsonrpc").and_then(Value::as_str) == Some("2.0")
        && ok_id
        && (value.get("method").is_some_and(Value::is_string)
            || value.get("result").is_some()
            || value.get("error").is_some())
        && (serde_json::from_value::<tower_lsp::jsonrpc::Request>(value.clone()).is_ok()
            || serde_json::from_value::<tower_lsp::jsonrpc::Response>(value.clone()).is_ok());
    if is_message {
        None
    } else {
        Some(error(-32600, "Invalid request", if ok_id { id } else { Value::Null }))
    }
}

/// Serves `service_io` (the tower-lsp side) over `input`/`output` (the client side), guarding
/// the framing. Returns when the client's input ends or the server side closes.
pub async fn guard<I, O, SR, SW>(input: I, mut output: O, mut to_server: SW, from_server: SR)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
    SR: AsyncRead + Unpin,
    SW: AsyncWrite + Unpin,
{
    let (inject, mut injected) = mpsc::unbounded_channel::<Vec<u8>>();
    let forward = inject.clone();
    let read_client = async move {
        let mut reader = FrameReader::new(input, Some(IDLE));
        while let Some(f) = reader.next().await {
            let reply = match f {
                Frame::Malformed { why, id } => Some(error(-32700, why, id)),
                Frame::Body(body) => {
                    let body = normalize(body);
                    match check(&body) {
                        Some(reply) => Some(reply),
                        None => {
                            if to_server.write_all(&frame(&body)).await.is_err() {
                                break;
                            }
                            if is_exit(&body) {
                                // tower-lsp only notices `exit` at the next message: end the input.
                                break;
                            }
                            None
                        }
                    }
                }
            };
            if let Some(reply) = reply {
                let _ = inject.send(reply);
            }
        }
        let _ = to_server.shutdown().await;
    };
    let from_server_frames = async move {
        let mut reader = FrameReader::new(from_server, None);
        while let Some(f) = reader.next().await {
            if let Frame::Body(body) = f {
                if forward.send(frame(&body)).is_err() {
                    break;
                }
            }
        }
    };
    let write_client = async move {
        while let Some(bytes) = injected.recv().await {
            if output.write_all(&bytes).await.is_err() {
                break;
            }
            let _ = output.flush().await;
        }
    };
    tokio::select! {
        _ = async { tokio::join!(read_client, write_client) } => {}
        _ = from_server_frames => {}
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn classifies_messages() {
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#).is_none());
        assert!(check(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_none());
        let bad = String::from_utf8(check(b"{bad").unwrap_or_default()).unwrap_or_default();
        assert!(bad.contains("-32700"), "{bad}");
        let invalid = String::from_utf8(check(br#"[1,2]"#).unwrap_or_default()).unwrap_or_default();
        assert!(invalid.contains("-32600"), "{invalid}");
        let non_utf8 = String::from_utf8(
            check(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}").unwrap_or_default(),
        )
        .unwrap_or_default();
        assert!(non_utf8.contains("-32700"), "{non_utf8}");
        let no_method =
            String::from_utf8(check(br#"{"jsonrpc":"2.0","id":7}"#).unwrap_or_default()).unwrap_or_default();
        assert!(no_method.contains("\"id\":7"), "{no_method}");
    }

    #[test]
    fn drops_a_null_params_of_methods_without_params() {
        let shutdown =
            super::normalize(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#.to_vec());
        assert_eq!(String::from_utf8_lossy(&shutdown), r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        let hover = br#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":null}"#.to_vec();
        assert_eq!(super::normalize(hover.clone()), hover, "other methods are left as they are");
    }
}
