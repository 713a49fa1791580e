//! Writes a generated program of N apps with M environments each to stdout (for benchmarks):
//! `cargo run --release -p pf-compiler --example gen_program -- 1000 3 > big.pf`.
fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().unwrap_or(1));
    let apps = args.next().unwrap_or(100);
    let envs = args.next().unwrap_or(3);
    print!("{}", pf_compiler::testgen::program(apps, envs));
}
