//! `pf lsp` as a real process on stdio: initialize, open a document, get its diagnostics,
//! survive a malformed message, and exit 0 after shutdown (1 without it).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Proc {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Proc {
    fn start() -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pf"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pf lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Proc { child, stdin, stdout }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn recv(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).expect("read") > 0, "pf lsp closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                len = n.parse().expect("length");
            }
        }
        let mut body = vec![0; len];
        self.stdout.read_exact(&mut body).expect("body");
        serde_json::from_slice(&body).expect("json")
    }

    fn recv_until(&mut self, f: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self.recv();
            if f(&m) {
                return m;
            }
        }
    }
}

#[test]
fn pf_lsp_serves_stdio_and_exits_cleanly() {
    let mut p = Proc::start();
    p.send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }));
    let init = p.recv_until(|m| m["id"] == 1);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    p.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    let uri = "file:///pf-e2e/app.pf";
    p.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
        "uri": uri, "languageId": "pf", "version": 1, "text": "env dev {\n  network { cidr = 10.0.0.0/16, nat = singel }\n}\n" } } }));
    let diags = p.recv_until(|m| m["method"] == "textDocument/publishDiagnostics");
    let list = diags["params"]["diagnostics"].as_array().expect("a list").clone();
    let first = list.iter().find(|d| d["severity"] == 1).expect("an error");
    assert_eq!(first["code"], "PF2003");
    assert_eq!(first["message"], "`singel` is not one of none, single, per_az\nhelp: did you mean `single`?");

    p.send_raw(b"Content-Length: 6\r\n\r\n{oops}");
    let err = p.recv();
    assert_eq!(err["error"]["code"], -32700);

    p.send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }));
    assert_eq!(p.recv_until(|m| m["id"] == 2)["result"], Value::Null);
    p.send(json!({ "jsonrpc": "2.0", "method": "exit" }));
    let status = p.child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut p = Proc::start();
    p.send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }));
    p.recv_until(|m| m["id"] == 1);
    p.send(json!({ "jsonrpc": "2.0", "method": "exit" }));
    assert_eq!(p.child.wait().expect("exits").code(), Some(1));
}
