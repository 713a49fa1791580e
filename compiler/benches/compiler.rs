//! Benchmarks: parse, check (analyze), format and build (code generation in memory).
//! Run with `cargo bench -p pf-compiler --bench compiler`; figures go to BENCHMARKS.md.

/// The allocator of the `pf` binary, so that the figures are those of what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pf_compiler::codegen::{generate, Options};
use pf_compiler::driver::{analyze, Loader, NoFiles, Root};
use pf_compiler::source::FileId;
use pf_compiler::syntax::parse;
use pf_compiler::testgen::program;
use std::hint::black_box;

struct Disk;
impl Loader for Disk {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| e.to_string())
    }
}

fn root(name: &str, text: &str) -> Vec<Root> {
    vec![Root { name: name.into(), bytes: text.as_bytes().to_vec() }]
}

fn bench_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for apps in [10, 100, 1000] {
        let text = program(apps, 3);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{apps}-apps-{}KB", text.len() / 1024)),
            &text,
            |b, t| b.iter(|| parse(FileId(0), black_box(t))),
        );
    }
    g.finish();
}

fn bench_check(c: &mut Criterion) {
    let mut g = c.benchmark_group("check");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webshop.pf");
    let text = std::fs::read_to_string(example).expect("example");
    g.bench_function("example-webshop", |b| b.iter(|| analyze(root(example, black_box(&text)), &Disk)));
    for apps in [1, 10, 100, 1000] {
        let text = program(apps, 3);
        g.bench_with_input(BenchmarkId::new("apps", apps), &text, |b, t| {
            b.iter(|| analyze(root("gen.pf", black_box(t)), &NoFiles))
        });
    }
    g.finish();
}

fn bench_format(c: &mut Criterion) {
    let mut g = c.benchmark_group("format");
    for apps in [10, 100] {
        let text = program(apps, 3);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("apps", apps), &text, |b, t| {
            b.iter(|| pf_compiler::fmt::format(black_box(t)))
        });
    }
    g.finish();
}

fn bench_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(10);
    for apps in [1, 10, 100, 1000] {
        let text = program(apps, 3);
        let a = analyze(root("gen.pf", &text), &NoFiles);
        let p = a.checked.program;
        g.bench_with_input(BenchmarkId::new("generate-apps", apps), &p, |b, p| {
            b.iter(|| generate(black_box(p), &Options::default()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_parse, bench_check, bench_format, bench_build);
criterion_main!(benches);
