#!/usr/bin/env python3
"""Measures the real `pf lsp` process on a 10,812-line program: didOpen and didChange to
publishDiagnostics, completion latency, and the server's own memory (VmRSS/VmHWM).

Usage: cargo build --release && python3 scripts/lsp_bench.py target/release/pf [PACE_MS]

PACE_MS (default 0): a pause between one change's diagnostics and the next change, as between
keystrokes; 0 sends the next change as soon as the diagnostics arrive (a measure of throughput).
CHANGES (environment, default 20): how many changes to time.
BURST (environment, default 200): then that many changes sent back to back; the time from the
last one to the diagnostics of its version, and how many versions were published.
EDIT (environment, default `replace`): `replace` changes one character of the first environment
into another, so every later entry stays in place; `insert` types a character there and deletes
it in turn, as typing does, so every later entry moves.
Wall clock on a shared VM is noisy: run it several times and give ranges.
"""
import json, subprocess, time, sys, os
n = 1800
s = "use std.build.go\nuse std.env.profiles\n\n"
s += "app shop {\n  source = codecommit { repository = \"shop\" }\n  build = go\n  deploy = ec2 { port = 8080 }\n}\n\n"
for i in range(n):
    s += "env e%d : cost_optimized {\n  network { cidr = 10.%d.%d.0/24 }\n  compute { min = 1, max = 2 }\n}\n\n" % (i, i // 256, i % 256)
s += "pipeline shop {\n  stage build { build }\n"
for i in range(n):
    s += "  stage s%d { deploy e%d }\n" % (i, i)
s += "}\n"
lines = s.count("\n")
p = subprocess.Popen([sys.argv[1], "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(obj):
    b = json.dumps(obj).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); p.stdin.flush()
def recv():
    length = 0
    while True:
        line = p.stdout.readline()
        if line in (b"\r\n", b"\n"): break
        if line.lower().startswith(b"content-length:"): length = int(line.split(b":")[1])
    return json.loads(p.stdout.read(length))
def wait(pred):
    while True:
        m = recv()
        if pred(m): return m
send({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})
wait(lambda m: m.get("id") == 1)
send({"jsonrpc":"2.0","method":"initialized","params":{}})
uri = "file:///tmp/big.pf"
t = time.time()
send({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":uri,"languageId":"pf","version":1,"text":s}}})
wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
open_ms = (time.time() - t) * 1000
insert = os.environ.get("EDIT", "replace") == "insert"
def change(v):
    """The change of version `v`: see EDIT above."""
    if insert and v % 2 == 0:
        rng, text = {"start":{"line":9,"character":18},"end":{"line":9,"character":18}}, "x"
    elif insert:
        rng, text = {"start":{"line":9,"character":18},"end":{"line":9,"character":19}}, ""
    else:
        rng, text = {"start":{"line":9,"character":18},"end":{"line":9,"character":19}}, "2" if v % 2 == 0 else "1"
    return {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":uri,"version":v},"contentChanges":[{"range":rng,"text":text}]}}
pace = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.0
times = []
for v in range(2, 2 + int(os.environ.get("CHANGES", "20"))):
    time.sleep(pace)
    t = time.time()
    # Line 9 (0-based) is `env e0 : cost_optimized {`: character 18 is the `m` of the parent name,
    # replaced by `2` and `1` in turn, so every change leaves an unknown parent (PF1006 with a
    # did-you-mean over all 1,800 environments): an error case, as while typing a name.
    send(change(v))
    wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    times.append((time.time() - t) * 1000)
burst = int(os.environ.get("BURST", "200"))
first = 2 + int(os.environ.get("CHANGES", "20"))
for v in range(first, first + burst):
    if v == first + burst - 1: t = time.time()
    send(change(v))
published = []
while True:
    m = recv()
    if m.get("method") == "textDocument/publishDiagnostics":
        published.append(m["params"].get("version"))
        if m["params"].get("version") == first + burst - 1: break
burst_ms = (time.time() - t) * 1000
t = time.time()
send({"jsonrpc":"2.0","id":7,"method":"textDocument/completion","params":{"textDocument":{"uri":uri},"position":{"line":9,"character":2}}})
wait(lambda m: m.get("id") == 7)
comp_ms = (time.time() - t) * 1000
status = open("/proc/%d/status" % p.pid).read()
rss = [l for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))]
send({"jsonrpc":"2.0","id":9,"method":"shutdown"}); wait(lambda m: m.get("id") == 9)
send({"jsonrpc":"2.0","method":"exit"})
times.sort()
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(f"{lines} lines, {'insert' if insert else 'replace'}, pace {pace * 1000:.0f} ms; didOpen->diagnostics {open_ms:.0f} ms; didChange->diagnostics median {times[len(times)//2]:.0f} ms, p90 {times[int(len(times)*0.9)]:.0f} ms, p99 {p99:.0f} ms; burst of {burst}: last edit -> its diagnostics {burst_ms:.0f} ms, {len(published)} versions published; completion {comp_ms:.1f} ms; {' '.join(rss)}")
