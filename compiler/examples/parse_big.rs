//! Profiling helper: parses a generated 1000-app program 5 times.

/// The allocator of the `pf` binary, so that the figures are those of what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let text = pf_compiler::testgen::program(1000, 3);
    let t = std::time::Instant::now();
    for _ in 0..5 {
        std::hint::black_box(pf_compiler::syntax::parse(pf_compiler::source::FileId(0), &text));
    }
    let secs = t.elapsed().as_secs_f64() / 5.0;
    println!("{} bytes, {:.1} ms, {:.1} MB/s", text.len(), secs * 1000.0, text.len() as f64 / secs / 1e6);
}
