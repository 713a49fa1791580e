//! The language server under abuse (issue #9): many requests in flight at once interleaved with
//! edits, lines of megabytes, hundreds of edits with documents opened and closed (its memory stays
//! bounded), and requests it does not know or cannot read. It answers every request, exactly once.
//!
//! The tests run one at a time ([`SERIAL`]): the memory test reads the RSS of the whole test
//! process (the servers run in process), which other tests' allocations would disturb, and the
//! time bounds are not meant to be shared with another test (all servers of a process analyse on
//! one shared thread anyway, so running them together saves little).
#![allow(clippy::unwrap_used)]

mod common;

use common::{uri, Client};
use pf_compiler::testgen::{program, Lcg};
use serde_json::{json, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs the tests of this file one at a time (a failed test does not stop the others).
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long one answer may take, in a debug build, on a line of megabytes.
const BOUND: Duration = Duration::from_secs(10);

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// LSP position (UTF-16) of a byte offset.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": before[start..].encode_utf16().count() })
}

/// The byte offset of the start of a random line.
fn line_start(text: &str, rng: &mut Lcg) -> usize {
    let at = floor(text, rng.below(text.len() + 1));
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The parameters of `method` at byte offset `at` of `text`.
fn params(method: &str, u: &str, text: &str, at: usize) -> Value {
    let pos = position(text, at);
    let doc = json!({ "uri": u });
    match method {
        "textDocument/documentSymbol" | "textDocument/semanticTokens/full" | "textDocument/foldingRange" => {
            json!({ "textDocument": doc })
        }
        "textDocument/formatting" => {
            json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } })
        }
        "textDocument/inlayHint" => {
            json!({ "textDocument": doc, "range": { "start": { "line": 0, "character": 0 }, "end": pos } })
        }
        "textDocument/codeAction" => {
            json!({ "textDocument": doc, "range": { "start": pos, "end": pos }, "context": { "diagnostics": [] } })
        }
        "textDocument/references" => {
            json!({ "textDocument": doc, "position": pos, "context": { "includeDeclaration": true } })
        }
        _ => json!({ "textDocument": doc, "position": pos }),
    }
}

/// What identifies a diagnostic, without the URI-bearing parts (related information, fixes).
fn essence(diagnostics: &[Value]) -> Vec<Value> {
    diagnostics.iter().map(|d| json!([d["range"], d["severity"], d["code"], d["message"]])).collect()
}

/// A full-text change (no range).
async fn replace(c: &mut Client, u: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "text": text }] }),
    )
    .await;
}

/// Requests and edits of the pipelining test: every sixth step is an edit.
const STEPS: usize = 330;

const SNIPPETS: &[&str] =
    &["{", "}", "\"", "=", "\n", "# c\n", "port = 8080\n", "😀", "é", "deploy ", "stage s { build }", "3d"];

/// 275 requests of ten kinds at random positions of a 100-app document (4,300 lines), sent
/// without waiting for any answer, interleaved with 55 edits (incremental and full, some
/// breaking the syntax) and with cancellations of earlier requests.
///
/// Checks: every request is answered exactly once; only cancelled requests may fail, and only
/// as cancelled; the diagnostics of every version are published once and in order, the last for
/// the last version, and equal a fresh analysis of the client's final text; a request sent after
/// the last edit sees that edit.
#[test]
fn pipelined_requests_interleaved_with_edits_are_each_answered_once() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("big.pf");
        let original = program(100, 3);
        let mut text = original.clone();
        c.open(&u, &text).await;
        let methods = [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/documentSymbol",
            "textDocument/semanticTokens/full",
            "textDocument/inlayHint",
            "textDocument/foldingRange",
            "textDocument/formatting",
            "textDocument/codeAction",
        ];
        let mut rng = Lcg(0xab05e);
        let mut ids: Vec<i64> = Vec::new();
        let mut cancelled: Vec<i64> = Vec::new();
        let mut version = 1i64;
        let started = Instant::now();
        for step in 0..STEPS {
            if step % 6 == 5 {
                version += 1;
                if rng.below(20) == 0 {
                    // Back to the generated program now and then, as a full-text change.
                    text = original.clone();
                    replace(&mut c, &u, version, &text).await;
                    continue;
                }
                // A comment or a field at a line start (syntax stays valid), or a snippet anywhere,
                // maybe over a few bytes (often a syntax error, the slow path).
                let (a, b, insert) = match rng.below(3) {
                    0 => (line_start(&text, &mut rng), 0, "# note\n"),
                    1 => (line_start(&text, &mut rng), 0, "port = 8080\n"),
                    _ => {
                        let a = floor(&text, rng.below(text.len() + 1));
                        (
                            a,
                            floor(&text, a + rng.below(3) * rng.below(30)),
                            SNIPPETS[rng.below(SNIPPETS.len())],
                        )
                    }
                };
                let b = b.max(a);
                let range = json!({ "start": position(&text, a), "end": position(&text, b) });
                text.replace_range(a..b, insert);
                c.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "range": range, "text": insert }] }),
                )
                .await;
                continue;
            }
            if step % 20 == 19 {
                // Cancel a recent request (answered or not: either is allowed).
                let id = ids[ids.len() - 1 - rng.below(ids.len().min(8))];
                cancelled.push(id);
                c.notify("$/cancelRequest", json!({ "id": id })).await;
            }
            let method = methods[rng.below(methods.len())];
            let at = floor(&text, rng.below(text.len() + 1));
            ids.push(c.send_request(method, params(method, &u, &text, at)).await);
        }
        // A request after the last edit must see it.
        let last_symbols =
            c.send_request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await;
        ids.push(last_symbols);

        let responses = c.responses(&ids).await;
        let elapsed = started.elapsed();
        let mut answers: std::collections::BTreeMap<i64, Vec<&Value>> = Default::default();
        for r in &responses {
            let id = r["id"].as_i64().unwrap_or_else(|| panic!("a response to no request of ours: {r}"));
            answers.entry(id).or_default().push(r);
        }
        for id in &ids {
            let n = answers.get(id).map_or(0, Vec::len);
            assert_eq!(n, 1, "request {id} has {n} answers");
        }
        assert_eq!(answers.len(), ids.len(), "answers to requests never sent");
        for r in &responses {
            if let Some(e) = r.get("error") {
                let id = r["id"].as_i64().unwrap();
                assert!(cancelled.contains(&id) && e["code"] == -32800, "request {id} failed: {e}");
            }
        }

        // The client's text, opened fresh, gives the same diagnostics and symbols.
        let fresh = uri("fresh.pf");
        c.open(&fresh, &text).await;
        let fresh_diagnostics = c.diagnostics(&fresh).await;
        let fresh_symbols =
            c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": fresh } })).await;
        let last = responses.iter().find(|r| r["id"] == last_symbols).unwrap();
        assert_eq!(last["result"], fresh_symbols, "the request after the last edit saw it");
        let (clean, rest) = c.shutdown_keeping_notifications().await;
        assert!(clean);

        let published: Vec<&Value> = rest
            .iter()
            .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == u)
            .collect();
        let versions: Vec<i64> = published.iter().map(|n| n["params"]["version"].as_i64().unwrap()).collect();
        // Versions that a later one replaced before their analysis are never analysed: the
        // published ones increase, and the last is the last sent.
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "in order, each once: {versions:?}");
        assert_eq!(versions.last(), Some(&version), "the last version is published");
        let final_diagnostics = published.last().unwrap()["params"]["diagnostics"].as_array().unwrap();
        assert_eq!(essence(final_diagnostics), essence(&fresh_diagnostics), "the final diagnostics");
        let stray: Vec<&Value> = rest.iter().filter(|n| n.get("method").is_none()).collect();
        assert!(stray.is_empty(), "responses nobody waited for: {stray:?}");
        eprintln!(
            "{} requests, {} edits, {} cancellations answered in {elapsed:?}; {} final diagnostics",
            ids.len(),
            version - 1,
            cancelled.len(),
            final_diagnostics.len()
        );
    });
}

/// A request answered within [`BOUND`] and without error (a handler's panic is an error).
async fn timed(c: &mut Client, method: &str, params: Value) -> Value {
    let t = Instant::now();
    let r = c.request_raw(method, params).await;
    let took = t.elapsed();
    assert!(took < BOUND, "{method} took {took:?}");
    assert!(r.get("error").is_none(), "{method} failed: {r}");
    r["result"].clone()
}

/// Diagnostics of the last version, published within [`BOUND`] of the notification.
async fn timed_diagnostics(c: &mut Client, u: &str, since: Instant) -> Vec<Value> {
    let d = c.diagnostics(u).await;
    let took = since.elapsed();
    assert!(took < BOUND, "diagnostics took {took:?}");
    d
}

fn at(u: &str, line: u64, character: u64) -> Value {
    json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": character } })
}

/// Hover and completion at the start, middle and end of line 0 (`len` UTF-16 units), and past
/// the end of the line and of the file, which must answer as at the end (positions clamp).
async fn probe_line(c: &mut Client, u: &str, len: u64) {
    for ch in [0, len / 3, len / 2, len] {
        timed(c, "textDocument/hover", at(u, 0, ch)).await;
        timed(c, "textDocument/completion", at(u, 0, ch)).await;
    }
    let hover_end = timed(c, "textDocument/hover", at(u, 0, len)).await;
    let completion_end = timed(c, "textDocument/completion", at(u, 0, len)).await;
    for (line, ch) in [
        (0, len + 1),
        (0, len + 1_000_000),
        (1, 0),
        (7, 3),
        (1_000_000, 0),
        (u32::MAX.into(), u32::MAX.into()),
    ] {
        let h = timed(c, "textDocument/hover", at(u, line, ch)).await;
        assert_eq!(h, hover_end, "hover at {line}:{ch} is the hover at the end");
        let k = timed(c, "textDocument/completion", at(u, line, ch)).await;
        assert_eq!(k, completion_end, "completion at {line}:{ch} is the completion at the end");
    }
}

/// The semantic tokens, decoded to absolute (line, character, length, type).
fn decode_tokens(result: &Value) -> Vec<[u64; 4]> {
    let data: Vec<u64> = result["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let (mut line, mut ch) = (0, 0);
    data.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                line += t[0];
                ch = t[1];
            } else {
                ch += t[1];
            }
            [line, ch, t[2], t[3]]
        })
        .collect()
}

/// One-line documents of megabytes, UTF-16 positions: a 5 MB string of `é😀x` (a 2-byte char, a
/// surrogate pair and ASCII), 100,000 `{` (nested past the limit of 64) and 1 MB of tags
/// (50,000 entries). Each is opened and changed; hover and completion at the start, middle and
/// end of the line and past the ends of the line and the file, semantic tokens, and diagnostics
/// each come back within 10 s, none with an error; answers past the end equal answers at the end;
/// the positions after megabytes of multi-unit characters are right to the UTF-16 unit.
///
/// Semantic tokens of the tags line are asked in a UTF-8 session: in UTF-16 they take time
/// quadratic in the line's length (see `semantic_tokens_of_a_long_line_in_utf16_are_quadratic`).
#[test]
fn lines_of_megabytes_are_answered_within_bounds() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;

        // 5 MB of string; a CIDR after it to hover.
        let u = uri("string.pf");
        let long = "é😀x".repeat(5_000_000 / "é😀x".len());
        let head = format!("env e {{ tags {{ k = \"{long}\" }}, network {{ cidr = ");
        let text = format!("{head}10.0.0.0/16, azs = 2 }} }}");
        let len = text.encode_utf16().count() as u64;
        let cidr = head.encode_utf16().count() as u64;
        let t = Instant::now();
        c.open(&u, &text).await;
        let d = timed_diagnostics(&mut c, &u, t).await;
        // `never deployed`, and the value too long for a tag, over the whole string.
        let string_start = "env e { tags { k = ".len() as u64;
        let string_len = long.encode_utf16().count() as u64 + 2;
        let codes: Vec<&Value> = d.iter().map(|d| &d["code"]).collect();
        assert_eq!(codes, ["PF4006", "PF3007"]);
        assert_eq!(
            d[1]["range"],
            json!({ "start": { "line": 0, "character": string_start }, "end": { "line": 0, "character": string_start + string_len } })
        );
        probe_line(&mut c, &u, len).await;
        let h = timed(&mut c, "textDocument/hover", at(&u, 0, cidr + 3)).await;
        assert!(h["contents"]["value"].as_str().unwrap().contains("65,536 addresses"), "{h}");
        assert_eq!(h["range"]["start"], json!({ "line": 0, "character": cidr }));
        let tokens = decode_tokens(
            &timed(&mut c, "textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await,
        );
        assert!(tokens.contains(&[0, string_start, string_len, 4]), "the string token: {tokens:?}");

        // One more `é` (1 UTF-16 unit) in the middle of the string: the CIDR moves by one.
        let mid = floor(&text, text.len() / 2);
        let mid16 = text[..mid].encode_utf16().count() as u32;
        let t = Instant::now();
        c.change(&u, 2, [(0, mid16), (0, mid16)], "é").await;
        timed_diagnostics(&mut c, &u, t).await;
        probe_line(&mut c, &u, len + 1).await;
        let h = timed(&mut c, "textDocument/hover", at(&u, 0, cidr + 1)).await;
        assert_eq!(h["range"]["start"], json!({ "line": 0, "character": cidr + 1 }), "{h}");

        // 100,000 `{`: nested too deep, once.
        let u = uri("braces.pf");
        let t = Instant::now();
        c.open(&u, &"{".repeat(100_000)).await;
        let d = timed_diagnostics(&mut c, &u, t).await;
        let codes: Vec<&Value> = d.iter().map(|d| &d["code"]).collect();
        assert_eq!(codes, ["PF0005"], "{d:?}");
        assert_eq!(d[0]["range"]["start"], json!({ "line": 0, "character": 64 }));
        probe_line(&mut c, &u, 100_000).await;
        timed(&mut c, "textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await;
        // Down to 50: each is reported as never closed.
        let t = Instant::now();
        c.change(&u, 2, [(0, 0), (0, 99_950)], "").await;
        let d = timed_diagnostics(&mut c, &u, t).await;
        assert_eq!(d.len(), 50);
        assert!(d.iter().all(|d| d["code"] == "PF0007"), "{:?}", d[0]);
        probe_line(&mut c, &u, 50).await;

        // 1 MB of tags on one line.
        let u = uri("tags.pf");
        let tags: Vec<String> = (0..50_000).map(|i| format!("k{i} = \"v{i}\"")).collect();
        let text =
            format!("env e {{ network {{ cidr = 10.0.0.0/16, azs = 2 }}, tags {{ {} }} }}", tags.join(", "));
        let t = Instant::now();
        c.open(&u, &text).await;
        let d = timed_diagnostics(&mut c, &u, t).await;
        assert!(d.iter().any(|d| d["code"] == "PF3007"), "too many tags: {d:?}");
        let len = text.len() as u64;
        probe_line(&mut c, &u, len).await;
        let t = Instant::now();
        let end = (len - 4) as u32;
        c.change(&u, 2, [(0, end), (0, end)], ", last = \"x\"").await;
        timed_diagnostics(&mut c, &u, t).await;
        probe_line(&mut c, &u, len + 12).await;
        assert!(c.shutdown().await);

        // Its semantic tokens, in UTF-8.
        let (mut c, init) = Client::start(true).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let tokens = decode_tokens(
            &timed(&mut c, "textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await,
        );
        assert!(tokens.len() > 100_000, "a key and a string per tag: {}", tokens.len());
        let last_value = text.rfind("\"v49999\"").unwrap() as u64;
        assert_eq!(tokens.last(), Some(&[0, last_value, 8, 4]), "the last string token");
        assert!(c.shutdown().await);
    });
}

/// Regression: in a UTF-16 session `semanticTokens/full` was quadratic in the length of a line
/// (`LineIndex::position` counted UTF-16 units from the line start for every token): a 75 KB line
/// of 4,000 tags (8,000 tokens) took ~14 s in a debug build. Columns now cost a binary search
/// over the text's non-ASCII chars. The sizes of these regression tests are chosen for a debug
/// build: a release build may pass them unfixed.
#[test]
fn semantic_tokens_of_a_long_line_in_utf16_are_answered_within_bounds() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("tags.pf");
        let tags: Vec<String> = (0..4_000).map(|i| format!("k{i} = \"v{i} é😀\"")).collect();
        let text =
            format!("env e {{ network {{ cidr = 10.0.0.0/16, azs = 2 }}, tags {{ {} }} }}", tags.join(", "));
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let tokens = decode_tokens(
            &timed(&mut c, "textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await,
        );
        assert!(tokens.len() > 8_000);
        assert!(c.shutdown().await);
    });
}

/// Regression: publishing diagnostics was quadratic in their number (`State::publish` compared
/// each with the whole list so far): 60,000 lines of `]` (60,000 PF0007) kept `didOpen` busy
/// ~14 s in a debug build; the analysis itself takes ~0.1 s.
#[test]
fn many_diagnostics_are_published_within_bounds() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("stray.pf");
        let t = Instant::now();
        c.open(&u, &"]\n".repeat(60_000)).await;
        let d = timed_diagnostics(&mut c, &u, t).await;
        assert_eq!(d.len(), 60_000);
        timed(&mut c, "textDocument/hover", at(&u, 0, 0)).await;
        assert!(c.shutdown().await);
    });
}

/// Regression: the bracket pre-scan (`syntax::scan`) was quadratic when closers match nothing in
/// a deep stack (each stray `]` searched the whole stack of `{`): 50,000 `{` then 50,000 `]` on
/// one line kept the server busy ~23 s in a debug build before it answered anything.
#[test]
fn deep_brackets_then_stray_closers_are_answered_within_bounds() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("brackets.pf");
        let t = Instant::now();
        c.open(&u, &format!("{}{}", "{".repeat(50_000), "]".repeat(50_000))).await;
        let d = timed_diagnostics(&mut c, &u, t).await;
        assert_eq!(d[0]["code"], "PF0005");
        timed(&mut c, "textDocument/hover", at(&u, 0, 70_000)).await;
        assert!(c.shutdown().await);
    });
}

/// The resident set of this process (server included) in MiB, on Linux.
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// Edits `u` (at `version`): an even step inserts a line at a random line start (a comment, a
/// field, or a `{` that breaks the syntax), the next odd step removes it, so the text stays the
/// size of the original. Waits for the diagnostics of the new version.
async fn edit(
    c: &mut Client,
    u: &str,
    text: &mut String,
    version: i32,
    inserted: &mut Option<usize>,
    rng: &mut Lcg,
) {
    let (start, end, insert) = match inserted.take() {
        Some(at) => {
            let end = at + text[at..].find('\n').unwrap() + 1;
            (at, end, "")
        }
        None => {
            let at = line_start(text, rng);
            *inserted = Some(at);
            (at, at, if rng.below(10) == 0 { "{\n" } else { ["# note\n", "port = 8080\n"][rng.below(2)] })
        }
    };
    let pos = |o: usize| {
        let p = position(text, o);
        (p["line"].as_u64().unwrap() as u32, p["character"].as_u64().unwrap() as u32)
    };
    c.change(u, version, [pos(start), pos(end)], insert).await;
    text.replace_range(start..end, insert);
    c.diagnostics(u).await;
}

/// Waits for the empty diagnostics list published for `u` when it is closed (no version).
async fn closed_diagnostics(c: &mut Client, u: &str) -> Vec<Value> {
    let wanted = |n: &Value| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["uri"] == u
            && n["params"]["version"].is_null()
    };
    let m = match c.notifications.iter().position(wanted) {
        Some(i) => c.notifications.remove(i).unwrap(),
        None => loop {
            let m = c.recv().await;
            if wanted(&m) {
                break m;
            }
            c.notifications.push_back(m);
        },
    };
    m["params"]["diagnostics"].as_array().cloned().unwrap()
}

/// 500 edits of a 100-app document (4,300 lines, 140 KB), each followed by its diagnostics (one
/// in ten inserted lines breaks the syntax, so the last good analysis is kept as well), with five
/// kinds of requests every 50 edits and the document closed and reopened every 50: the process's
/// RSS grows by less than 64 MiB over the last 450 edits (the first 50 are a warm-up: the
/// allocator's arenas, the analysis thread, the standard library). Closing every document
/// publishes an empty diagnostics list for each, and requests on closed documents answer null.
///
/// The bound: one more open copy of this document costs ~6.4 MiB of RSS (measured with 10 copies
/// when the test runs alone, printed; less after other tests left freed memory to reuse), so a server keeping every analysis would grow by ~3 GiB here,
/// and one keeping every text by ~70 MiB. Observed growth: 5-9 MiB (freed analyses are reused by
/// the next ones), so 64 MiB leaves a margin of 7x against allocator noise and still fails on
/// either leak.
#[test]
fn memory_stays_bounded_over_hundreds_of_edits() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("mem.pf");
        let original = program(100, 3);
        let mut text = original.clone();
        let mut rng = Lcg(0x3e3);
        let mut inserted = None;
        let mut version = 1;
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let mut before = None;
        let started = Instant::now();
        for n in 1..=500 {
            if n == 51 {
                before = rss_mib();
            }
            version += 1;
            edit(&mut c, &u, &mut text, version, &mut inserted, &mut rng).await;
            if n % 50 == 25 {
                let at = floor(&text, rng.below(text.len()));
                for method in [
                    "textDocument/semanticTokens/full",
                    "textDocument/documentSymbol",
                    "textDocument/hover",
                    "textDocument/inlayHint",
                    "textDocument/formatting",
                ] {
                    let r = c.request_raw(method, params(method, &u, &text, at)).await;
                    assert!(r.get("error").is_none(), "{r}");
                }
            }
            if n % 50 == 0 {
                c.notify("textDocument/didClose", json!({ "textDocument": { "uri": u } })).await;
                assert_eq!(closed_diagnostics(&mut c, &u).await, Vec::<Value>::new());
                c.open(&u, &text).await;
                version = 1;
                c.diagnostics(&u).await;
            }
        }
        let after = rss_mib();
        let edits_took = started.elapsed();

        // What one analysis of this document holds: 10 more copies open.
        let copies: Vec<String> = (0..10).map(|i| uri(&format!("copy{i}.pf"))).collect();
        for cu in &copies {
            c.open(cu, &original).await;
            c.diagnostics(cu).await;
        }
        let with_copies = rss_mib();

        // Closing everything clears every list, and the documents are gone.
        for cu in copies.iter().chain([&u]) {
            c.notify("textDocument/didClose", json!({ "textDocument": { "uri": cu } })).await;
            assert_eq!(closed_diagnostics(&mut c, cu).await, Vec::<Value>::new(), "{cu}");
            let r = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": cu } })).await;
            assert!(r.is_null(), "{cu} is closed: {r}");
            let r = c.request("textDocument/hover", at(cu, 3, 2)).await;
            assert!(r.is_null(), "{cu} is closed: {r}");
        }
        assert!(c.shutdown().await);

        if let (Some(before), Some(after), Some(with_copies)) = (before, after, with_copies) {
            let per_copy = (with_copies - after) / 10.0;
            eprintln!(
                "RSS {before:.1} MiB after 50 edits, {after:.1} MiB after 450 more ({edits_took:?}); \
                 one more open copy: {per_copy:.1} MiB"
            );
            assert!(after - before < 64.0, "RSS grew from {before:.1} to {after:.1} MiB over 450 edits");
        }
    });
}

/// Requests the server cannot serve get the JSON-RPC error for it, and the session goes on: an
/// unknown method (-32601), unreadable parameters (-32602), a string id, notifications it does
/// not know or about documents never opened, a change past the end of a document, a body that is
/// not JSON (-32700). After all of it, the document's analysis is the client's text's.
#[test]
fn requests_it_cannot_serve_get_errors_and_the_session_goes_on() {
    let _serial = serial();
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("p.pf");
        let text = "env e { network { cidr = 10.0.0.0/16, azs = 2 } }\n";
        c.open(&u, text).await;
        c.diagnostics(&u).await;

        let r = c.request_raw("textDocument/unheardOf", json!({ "textDocument": { "uri": u } })).await;
        assert_eq!(r["error"]["code"], -32601, "{r}");
        let r = c.request_raw("pf/whatever", Value::Null).await;
        assert_eq!(r["error"]["code"], -32601, "{r}");
        for bad in [
            json!({ "textDocument": { "uri": u } }),
            json!({ "textDocument": { "uri": 7 }, "position": { "line": 0, "character": 0 } }),
            json!({ "textDocument": { "uri": u }, "position": { "line": -1, "character": 0 } }),
            json!([1, 2, 3]),
            json!("hover"),
        ] {
            let r = c.request_raw("textDocument/hover", bad.clone()).await;
            assert_eq!(r["error"]["code"], -32602, "{bad} -> {r}");
        }
        let r = c.request_raw("textDocument/semanticTokens/full", json!({})).await;
        assert_eq!(r["error"]["code"], -32602, "{r}");

        // A string id is answered with the same id.
        let body =
            json!({ "jsonrpc": "2.0", "id": "abc", "method": "textDocument/hover", "params": at(&u, 0, 2) })
                .to_string();
        c.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
        // Not JSON: a parse error with a null id.
        c.send_raw(b"Content-Length: 5\r\n\r\n{oops").await;
        let mut seen = Vec::new();
        while seen.len() < 2 {
            let m = c.recv().await;
            if m.get("method").is_none() {
                seen.push(m);
            }
        }
        seen.sort_by_key(|m| m["id"].is_null());
        assert_eq!(seen[0]["id"], "abc");
        assert!(seen[0]["result"]["contents"]["value"].as_str().unwrap().contains("env"), "{}", seen[0]);
        assert_eq!(seen[1]["error"]["code"], -32700, "{}", seen[1]);

        // Notifications it does not know, or about documents never opened, are ignored.
        c.notify("pf/unknownNotification", json!({ "x": 1 })).await;
        c.notify("$/setTrace", json!({ "value": "verbose" })).await;
        let never = uri("never.pf");
        c.notify("textDocument/didChange", json!({ "textDocument": { "uri": never, "version": 9 }, "contentChanges": [{ "text": "env x {" }] })).await;
        c.notify("textDocument/didClose", json!({ "textDocument": { "uri": never } })).await;
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": u }, "contentChanges": "not a list" }),
        )
        .await;
        let r = c.request("textDocument/hover", at(&never, 0, 0)).await;
        assert!(r.is_null(), "{r}");

        // A change past the end of the document appends (positions clamp to the end).
        c.change(&u, 2, [(40, 7), (99, 0)], "app").await;
        let d = c.diagnostics(&u).await;
        let mut client_text = text.to_string();
        client_text.push_str("app");
        let fresh = uri("fresh.pf");
        c.open(&fresh, &client_text).await;
        assert_eq!(essence(&d), essence(&c.diagnostics(&fresh).await));
        assert!(!d.is_empty(), "a bare `app` is an error");
        let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await;
        let fresh_symbols =
            c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": fresh } })).await;
        assert_eq!(symbols, fresh_symbols);
        assert!(c.shutdown().await);
    });
}
