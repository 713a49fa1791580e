//! Profiling helper: checks a program `reps` times (default 1) and prints the median time.
//!
//! `check_big [N]` checks a generated program of N apps (default 1000) with 3 envs each;
//! `check_big FILE.pf [reps]` checks a file (for `perf record`, give many reps).

/// The allocator of the `pf` binary, so that the figures are those of what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "1000".into());
    let reps: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let (name, text) = match arg.parse::<usize>() {
        Ok(n) => (format!("{n} apps"), pf_compiler::testgen::program(n, 3)),
        Err(_) => (arg.clone(), std::fs::read_to_string(&arg).expect("readable file")),
    };
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..reps.max(1) {
        let t = std::time::Instant::now();
        let a = pf_compiler::driver::analyze(
            vec![pf_compiler::driver::Root { name: "gen.pf".into(), bytes: text.clone().into_bytes() }],
            &pf_compiler::driver::NoFiles,
        );
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        count = a.diagnostics.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: median {:.1} ms over {} runs, {count} diagnostics",
        times[times.len() / 2],
        times.len()
    );
}
