//! Profiling helper: checks a generated program of N apps (default 1000) with 3 envs each.
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let text = pf_compiler::testgen::program(n, 3);
    let t = std::time::Instant::now();
    let a = pf_compiler::driver::analyze(
        vec![pf_compiler::driver::Root { name: "gen.pf".into(), bytes: text.into_bytes() }],
        &pf_compiler::driver::NoFiles,
    );
    println!("{n} apps: {:.1} ms, {} diagnostics", t.elapsed().as_secs_f64() * 1000.0, a.diagnostics.len());
}
