//! Latency and memory on a 10,000-line program, in release mode:
//!
//! ```text
//! cargo test -p pf-lsp --release --test bench -- --ignored --nocapture
//! ```
//!
//! Prints the time from `didChange` to `publishDiagnostics`, the completion latency and the
//! resident memory (figures recorded in `BENCHMARKS.md`).
#![allow(clippy::unwrap_used)]

mod common;

use common::{labels, uri, Client};
use serde_json::json;
use std::time::{Duration, Instant};

/// A program of about 10,000 lines: an app, 1,800 environments and a pipeline deploying each.
pub fn big_program() -> String {
    let mut s = String::from("use std.build.go\nuse std.env.profiles\n\n");
    s.push_str("app shop {\n  source = codecommit { repository = \"shop\" }\n  build = go\n  deploy = ec2 { port = 8080 }\n}\n\n");
    let n = 1800;
    for i in 0..n {
        s.push_str(&format!(
            "env e{i} : cost_optimized {{\n  network {{ cidr = 10.{}.{}.0/24 }}\n  compute {{ min = 1, max = 2 }}\n}}\n\n",
            i / 256,
            i % 256
        ));
    }
    s.push_str("pipeline shop {\n  stage build { build }\n");
    for i in 0..n {
        s.push_str(&format!("  stage s{i} {{ deploy e{i} }}\n"));
    }
    s.push_str("}\n");
    s
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(v[v.len() / 2]),
        ms(v[v.len() * 9 / 10]),
        ms(v[v.len() - 1])
    )
}

#[test]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
fn latency_on_a_10000_line_file() {
    common::run(async {
        let text = big_program();
        let lines = text.lines().count();
        let (mut c, _) = Client::start(false).await;
        let u = uri("big.pf");
        let t = Instant::now();
        c.open(&u, &text).await;
        let diags = c.diagnostics(&u).await;
        let open = t.elapsed();
        let errors = diags.iter().filter(|d| d["severity"] == 1).count();

        // Edit inside an environment near the end (toggle `max = 2` / `max = 3`).
        let line = lines as u32 - 1800 - 8;
        let mut change = Vec::new();
        for v in 0..30 {
            let t = Instant::now();
            let (l, text) = (line - 1, if v % 2 == 0 { "3" } else { "2" });
            let target = text.to_string();
            c.change(&u, v + 2, [(l, 29), (l, 30)], &target).await;
            c.diagnostics(&u).await;
            change.push(t.elapsed());
        }
        let mut completion = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let r = c
                .request("textDocument/completion", json!({ "textDocument": { "uri": u }, "position": { "line": line - 1, "character": 12 } }))
                .await;
            completion.push(t.elapsed());
            assert!(!labels(&r).is_empty());
        }
        let mut hover = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            c.request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": u }, "position": { "line": line - 2, "character": 5 } }),
            )
            .await;
            hover.push(t.elapsed());
        }
        let mut tokens = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await;
            tokens.push(t.elapsed());
        }
        println!("file: {lines} lines, {} bytes, {errors} errors", text.len());
        println!("didOpen -> publishDiagnostics: {:.1} ms", open.as_secs_f64() * 1000.0);
        println!("didChange -> publishDiagnostics: {}", stats(change));
        println!("completion: {}", stats(completion));
        println!("hover: {}", stats(hover));
        println!("semanticTokens/full: {}", stats(tokens));
        println!("RSS (client and server in one process): {:.0} MiB", rss_mib());
        assert!(c.shutdown().await);
    });
}

#[test]
#[ignore = "a benchmark: run in release with --ignored --nocapture"]
fn compiler_share_of_the_latency() {
    let text = big_program();
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let a = pf_compiler::driver::analyze(
            vec![pf_compiler::driver::Root { name: "big.pf".into(), bytes: text.as_bytes().to_vec() }],
            &pf_compiler::driver::NoFiles,
        );
        times.push(t.elapsed());
        n = a.diagnostics.len();
    }
    let t = Instant::now();
    let _ = pf_compiler::syntax::parse(pf_compiler::source::FileId(0), &text);
    println!("parse alone: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    println!("driver::analyze (parse + check), {n} diagnostics: {}", stats(times));
}
