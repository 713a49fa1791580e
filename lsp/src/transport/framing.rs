//! Reading `Content-Length` frames from a client that may send malformed ones.
//!
//! A well-framed message is a header block with a `Content-Length` and a body of exactly that
//! many bytes holding one JSON value. Anything else becomes one [`Frame::Malformed`] (answered
//! with a parse error), and reading resumes at the next header, so no later message is lost:
//!
//! - bytes before a header (stray text, the rest of a body longer than its `Content-Length`)
//!   are dropped, with an error unless they are the rest of a message already answered;
//! - a body shorter than its `Content-Length` is found when one complete JSON value ends before
//!   the declared length (the next message's header follows it), or when the client then
//!   pauses;
//! - a header block without a usable `Content-Length` is answered, and what follows it up to
//!   the next header is skipped;
//! - a header block may end with `\n\n` as well as `\r\n\r\n`.
//!
//! Waiting is never judged on a message that could still be valid: a pause only ends a body
//! that already holds a complete JSON value or cannot become one.

use serde::de::IgnoredAny;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The most a single message may be (a document of `pf_compiler::syntax::MAX_FILE_SIZE` plus JSON
/// escaping fits).
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// How long a client may pause inside a message before what it sent is judged as it is.
pub const IDLE: Duration = Duration::from_millis(500);

/// The header that gives a body's length, in lower case.
const LENGTH: &[u8] = b"content-length:";

/// One read from a framed stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// A body of the length its header gives, holding one JSON value.
    Body(Vec<u8>),
    /// Bytes that are not a well-framed message: why, and the id of the request they hold if
    /// it could be read (else null).
    Malformed { why: &'static str, id: Value },
}

/// Reads frames from `input`.
pub struct FrameReader<R> {
    input: R,
    buf: Vec<u8>,
    /// How long to wait for more bytes of an incomplete message before judging it; `None`
    /// waits for ever (the server's own output).
    idle: Option<Duration>,
    /// Bytes before the next header are the rest of a message already answered.
    resync: bool,
}

enum Fill {
    Data,
    Idle,
    End,
}

/// What the start of a byte string holds.
enum Json {
    /// One complete JSON value, ending at this offset.
    Complete(usize),
    /// The beginning of one, or only whitespace.
    Incomplete,
    /// Something no more bytes can make a JSON value.
    Invalid,
}

fn first_value(bytes: &[u8]) -> Json {
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => Json::Complete(values.byte_offset()),
        Some(Err(e)) if e.is_eof() => Json::Incomplete,
        None => Json::Incomplete,
        Some(Err(_)) => Json::Invalid,
    }
}

/// The id of the request in `body`, when it is one with a valid id.
fn id_of(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("id").cloned())
        .filter(|id| id.is_number() || id.is_string())
        .unwrap_or(Value::Null)
}

fn blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Like [`find`], ignoring ASCII case.
fn find_nocase(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// Where the first `Content-Length` header starts in `bytes`, also when `bytes` ends in the
/// middle of its name.
fn length_header(bytes: &[u8]) -> Option<usize> {
    find_nocase(bytes, LENGTH).or_else(|| {
        let tail = bytes.len().saturating_sub(LENGTH.len() - 1);
        (tail..bytes.len())
            .find(|&k| LENGTH.get(..bytes.len() - k).is_some_and(|p| p.eq_ignore_ascii_case(&bytes[k..])))
    })
}

/// Whether a line looks like a header (`Content-Type: ...`).
fn header_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&c| c == b':') else { return false };
    colon > 0 && line[..colon].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// A complete header block in the buffer.
struct Header {
    /// Bytes before it that belong to no header.
    junk: usize,
    /// The `Content-Length`, if usable.
    len: Option<usize>,
    /// Where the body starts.
    body: usize,
}

fn header(buf: &[u8]) -> Option<Header> {
    let crlf = find(buf, b"\r\n\r\n");
    // Only before the first `\r\n\r\n`: a body may be long.
    let lf = find(&buf[..crlf.unwrap_or(buf.len())], b"\n\n");
    let (end, sep) = match (lf, crlf) {
        (Some(i), _) => (i, 2),
        (None, Some(i)) => (i, 4),
        (None, None) => return None,
    };
    let block = &buf[..end];
    let Some(at) = find_nocase(block, LENGTH) else {
        return Some(Header { junk: 0, len: None, body: end + sep });
    };
    // The header starts at its line, or where `Content-Length` starts if junk precedes it on
    // that line; header lines just before it (`Content-Type`) belong to it.
    let line_start = block[..at].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    let mut start = if blank(&block[line_start..at]) { line_start } else { at };
    if start == line_start {
        while start > 0 {
            let end = start - 1; // the `\n` that ends the line before
            let prev = block[..end].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
            let line = &block[prev..end];
            if !header_line(line.strip_suffix(b"\r").unwrap_or(line)) {
                break;
            }
            start = prev;
        }
    }
    let value = &block[at + LENGTH.len()..];
    let value = &value[..value.iter().position(|&c| c == b'\n').unwrap_or(value.len())];
    let len = std::str::from_utf8(value).ok().and_then(|v| v.trim().parse::<usize>().ok());
    Some(Header { junk: start, len: len.filter(|n| *n <= MAX_MESSAGE), body: end + sep })
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader of `input`; `idle` is how long a client may pause inside a message (`None` for
    /// a trusted peer).
    pub fn new(input: R, idle: Option<Duration>) -> FrameReader<R> {
        FrameReader { input, buf: Vec::new(), idle, resync: false }
    }

    async fn fill(&mut self) -> Fill {
        let mut chunk = [0u8; 16 * 1024];
        let read = self.input.read(&mut chunk);
        // Only a message begun can be judged after a pause: an idle client with nothing sent
        // does not wake the reader.
        let n = match self.idle.filter(|_| !self.buf.is_empty()) {
            Some(idle) => match tokio::time::timeout(idle, read).await {
                Ok(r) => r,
                Err(_) => return Fill::Idle,
            },
            None => read.await,
        };
        match n {
            Ok(0) | Err(_) => Fill::End,
            Ok(n) => {
                self.buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
                Fill::Data
            }
        }
    }

    /// Drops the first `n` bytes as a malformed message; an error for it unless it is the rest
    /// of one already answered.
    fn malformed(&mut self, n: usize, why: &'static str) -> Option<Frame> {
        let bytes: Vec<u8> = self.buf.drain(..n).collect();
        if blank(&bytes) || std::mem::replace(&mut self.resync, true) {
            return None;
        }
        Some(Frame::Malformed { why, id: Value::Null })
    }

    /// A body shorter than declared: its first `end` bytes are the message.
    fn short(&mut self, end: usize) -> Frame {
        let body: Vec<u8> = self.buf.drain(..end).collect();
        self.resync = true;
        Frame::Malformed { why: "Parse error: the body is shorter than its Content-Length", id: id_of(&body) }
    }

    /// The next frame; `None` at the end of the stream.
    pub async fn next(&mut self) -> Option<Frame> {
        loop {
            let Some(h) = header(&self.buf) else {
                let idle = match self.fill().await {
                    Fill::Data => self.buf.len() > MAX_MESSAGE,
                    Fill::Idle => true,
                    Fill::End => return None,
                };
                if idle {
                    // Bytes the client sent before pausing that cannot start a header.
                    let mut junk = length_header(&self.buf).unwrap_or(self.buf.len());
                    if junk == 0 && self.buf.len() > MAX_MESSAGE {
                        junk = self.buf.len();
                    }
                    if let Some(f) = self.malformed(junk, "Parse error: not a message") {
                        return Some(f);
                    }
                }
                continue;
            };
            if h.junk > 0 {
                match self.malformed(h.junk, "Parse error: not a message") {
                    Some(f) => return Some(f),
                    None => continue,
                }
            }
            let Some(len) = h.len else {
                self.buf.drain(..h.body);
                if std::mem::replace(&mut self.resync, true) {
                    continue; // the rest of a message already answered
                }
                return Some(Frame::Malformed {
                    why: "Parse error: no valid Content-Length",
                    id: Value::Null,
                });
            };
            self.resync = false;
            self.buf.drain(..h.body);
            return self.body(len).await;
        }
    }

    async fn body(&mut self, len: usize) -> Option<Frame> {
        while self.buf.len() < len {
            match self.fill().await {
                Fill::Data => {}
                Fill::End => return None,
                Fill::Idle => match first_value(&self.buf) {
                    Json::Complete(end) => return Some(self.short(end)),
                    Json::Incomplete => {}
                    Json::Invalid => return Some(self.invalid(self.buf.len())),
                },
            }
        }
        Some(match first_value(&self.buf[..len]) {
            Json::Complete(end) if blank(&self.buf[end..len]) => Frame::Body(self.buf.drain(..len).collect()),
            // The next message's header after the value: the body was shorter than declared.
            Json::Complete(end) if length_header(&self.buf[end..len]).is_some() => self.short(end),
            Json::Complete(_) => self.invalid(len),
            Json::Incomplete => self.long(len),
            Json::Invalid => self.invalid(len),
        })
    }

    /// The first `len` bytes are the start of a JSON value: a body longer than declared if the
    /// bytes up to the next header complete it.
    fn long(&mut self, len: usize) -> Frame {
        let rest = length_header(&self.buf[len..]).map_or(self.buf.len(), |k| len + k);
        let body = &self.buf[..rest];
        if matches!(first_value(body), Json::Complete(end) if blank(&body[end..])) {
            let id = id_of(body);
            self.buf.drain(..rest);
            self.resync = true;
            return Frame::Malformed { why: "Parse error: the body is longer than its Content-Length", id };
        }
        self.invalid(len)
    }

    /// The first `len` bytes are not JSON; a header inside them (a body shorter than declared)
    /// is kept.
    fn invalid(&mut self, len: usize) -> Frame {
        let end = length_header(&self.buf[..len]).filter(|k| *k > 0).unwrap_or(len);
        self.buf.drain(..end);
        self.resync = true;
        Frame::Malformed { why: "Parse error", id: Value::Null }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::io::AsyncWriteExt;

    fn frame(body: &str, len: usize) -> Vec<u8> {
        format!("Content-Length: {len}\r\n\r\n{body}").into_bytes()
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":99,"method":"shutdown"}"#;

    /// The frames of `input` followed by a well-framed ping, read until the ping (the stream is
    /// kept open, so a reader waiting for more bytes pauses).
    fn frames(input: &[u8]) -> Vec<Frame> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let (mut client, server) = tokio::io::duplex(1 << 16);
            let mut reader = FrameReader::new(server, Some(Duration::from_millis(50)));
            let mut out = Vec::new();
            client.write_all(input).await.expect("write");
            // Let the reader judge what the client sent before the ping comes.
            loop {
                match tokio::time::timeout(Duration::from_millis(300), reader.next()).await {
                    Ok(Some(f)) => out.push(f),
                    Ok(None) => return out,
                    Err(_) => break,
                }
            }
            client.write_all(&frame(PING, PING.len())).await.expect("write");
            while let Ok(Some(f)) = tokio::time::timeout(Duration::from_secs(5), reader.next()).await {
                let done = f == Frame::Body(PING.as_bytes().to_vec());
                out.push(f);
                if done {
                    break;
                }
            }
            out
        })
    }

    fn ping() -> Frame {
        Frame::Body(PING.as_bytes().to_vec())
    }

    fn error(why: &'static str, id: Value) -> Frame {
        Frame::Malformed { why, id }
    }

    #[test]
    fn well_framed_messages_pass_also_with_lf_only_headers() {
        let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        assert_eq!(frames(&frame(body, body.len())), [Frame::Body(body.as_bytes().to_vec()), ping()]);
        let lf = format!("Content-Length: {}\n\n{body}", body.len());
        assert_eq!(frames(lf.as_bytes()), [Frame::Body(body.as_bytes().to_vec()), ping()]);
        let typed = format!(
            "Content-Type: application/vscode-jsonrpc\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(frames(typed.as_bytes()), [Frame::Body(body.as_bytes().to_vec()), ping()]);
        let two = format!("X-A: 1\r\nContent-Type: b\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        assert_eq!(frames(two.as_bytes()), [Frame::Body(body.as_bytes().to_vec()), ping()]);
        let junk = format!("junk\r\nContent-Type: b\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        let not = Frame::Malformed { why: "Parse error: not a message", id: Value::Null };
        assert_eq!(frames(junk.as_bytes()), [not, Frame::Body(body.as_bytes().to_vec()), ping()]);
    }

    #[test]
    fn a_short_body_is_answered_with_its_id_and_the_next_message_survives() {
        let body = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;
        let short = error("Parse error: the body is shorter than its Content-Length", json!(7));
        // Followed at once by the next message (which the declared length swallows).
        let mut input = frame(body, body.len() + 20);
        input.extend(frame(PING, PING.len()));
        assert_eq!(frames(&input), [short.clone(), ping(), ping()]);
        // Alone: the client waits, and gets its answer after the pause.
        assert_eq!(frames(&frame(body, body.len() + 20)), [short, ping()]);
    }

    #[test]
    fn a_long_body_is_answered_with_its_id_and_the_next_message_survives() {
        let body = r#"{"jsonrpc":"2.0","id":8,"method":"shutdown"}"#;
        let long = error("Parse error: the body is longer than its Content-Length", json!(8));
        assert_eq!(frames(&frame(body, 20)), [long, ping()]);
    }

    #[test]
    fn a_header_without_a_length_skips_its_body() {
        let input = format!("Content-Length: abc\r\n\r\n{PING}");
        let bad = error("Parse error: no valid Content-Length", Value::Null);
        assert_eq!(frames(input.as_bytes()), [bad.clone(), ping()]);
        assert_eq!(frames(b"X-Nonsense: 1\r\n\r\n"), [bad.clone(), ping()]);
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        assert_eq!(frames(huge.as_bytes()), [bad, ping()]);
    }

    #[test]
    fn junk_between_messages_is_one_error() {
        let not = error("Parse error: not a message", Value::Null);
        assert_eq!(frames(b"hello world"), [not.clone(), ping()]);
        assert_eq!(
            frames(b"hello\r\n\r\n"),
            [error("Parse error: no valid Content-Length", Value::Null), ping()]
        );
        let mut glued = b"}}".to_vec();
        glued.extend(frame(PING, PING.len()));
        assert_eq!(frames(&glued), [not, ping(), ping()]);
        assert_eq!(frames(b"\r\n"), [ping()], "whitespace is no message");
    }

    #[test]
    fn bodies_that_are_not_json_are_parse_errors() {
        let parse = error("Parse error", Value::Null);
        assert_eq!(frames(&frame("{bad}", 5)), [parse.clone(), ping()]);
        assert_eq!(frames(b"Content-Length: 10\r\n\r\n{bad}"), [parse.clone(), ping()], "short and invalid");
        assert_eq!(frames(b"Content-Length: 0\r\n\r\n"), [parse.clone(), ping()]);
        // Framing does not read inside strings: a body that is not UTF-8 there is passed on
        // (and rejected by `transport::check`).
        let mut non_utf8 = b"{\"a\":\"".to_vec();
        non_utf8.extend([0xff, 0xfe, b'"', b'}']);
        let mut input = format!("Content-Length: {}\r\n\r\n", non_utf8.len()).into_bytes();
        input.extend(&non_utf8);
        assert_eq!(frames(&input), [Frame::Body(non_utf8), ping()]);
        assert_eq!(frames(&frame("{} x", 4)), [parse.clone(), ping()], "junk after the value");
        // Short, invalid, and followed by the next message.
        let mut input = b"Content-Length: 30\r\n\r\n{bad}".to_vec();
        input.extend(frame(PING, PING.len()));
        assert_eq!(frames(&input), [parse, ping(), ping()]);
    }
}
