//! Profiling helper: the language server's analysis after an edit, without the server.
//!
//! `reanalyze_big FILE.pf [reps] [full|insert]` edits one byte of FILE's line 10 (the `m` of
//! `cost_optimized` in `scripts/lsp_bench.py`'s program, so each edit leaves an unknown parent,
//! as that bench does) `reps` times, and analyses each version while the previous analysis is
//! still alive, as the server keeps it for requests: `driver::reanalyze` from it, or a fresh
//! `driver::analyze` with `full`. With `insert`, the edits insert a character there and delete
//! it again, so that every later entry moves. `PF_PAUSE_MS=100` pauses before each analysis,
//! as between keystrokes, so that it starts as the server's do, with cold caches. Prints the
//! median time of one analysis.

/// The allocator of the `pf` binary, so that the figures are those of what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pf_compiler::driver::{analyze, reanalyze, NoFiles, Root};

fn main() {
    let path = std::env::args().nth(1).expect("a .pf file");
    let reps: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(40);
    let full = std::env::args().nth(3).is_some_and(|a| a == "full");
    let insert = std::env::args().nth(3).is_some_and(|a| a == "insert");
    // PF_PAUSE_MS: a pause before each analysis, as between keystrokes (caches go cold).
    let pause: Option<u64> = std::env::var("PF_PAUSE_MS").ok().and_then(|v| v.parse().ok());
    let text = std::fs::read_to_string(&path).expect("readable file");
    let line = text.split_inclusive('\n').take(9).map(str::len).sum::<usize>();
    let at = line + text[line..].find("cost_optimized").expect("line 10 extends cost_optimized") + 13;
    let root = |t: &str| vec![Root { name: path.clone(), bytes: t.as_bytes().to_vec() }];
    let mut previous = analyze(root(&text), &NoFiles);
    let mut times = Vec::new();
    for i in 0..reps.max(1) {
        let mut edited = text.clone();
        if insert {
            // A character typed, then deleted: every entry after the edit moves.
            if i % 2 == 0 {
                edited.insert(at, '2');
            }
        } else {
            edited.replace_range(at..at + 1, if i % 2 == 0 { "2" } else { "1" });
        }
        if let Some(ms) = pause {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        let t = std::time::Instant::now();
        let next = if full {
            analyze(root(&edited), &NoFiles)
        } else {
            reanalyze(root(&edited), &NoFiles, &previous)
        };
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        // The server keeps the last analysis that parsed: this one (the edit is no syntax error).
        previous = next;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{path}: {} median {:.1} ms over {} analyses, {} diagnostics",
        if full { "analyze" } else { "reanalyze" },
        times[times.len() / 2],
        times.len(),
        previous.diagnostics.len()
    );
}
