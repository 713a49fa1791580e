//! Debug helper: prints the diagnostics of a file (short form).
use pf_compiler::driver::{analyze, NoFiles, Root};
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        let a = analyze(vec![Root { name: path.clone(), bytes }], &NoFiles);
        for d in &a.diagnostics {
            let f = a.sources.get(d.primary.span.file);
            let (l, c) = f.line_col(d.primary.span.start as usize);
            println!(
                "{}:{l}:{c}: {}[{}]: {} -- {} | help: {:?}",
                f.name,
                d.severity.as_str(),
                d.code.id,
                d.message,
                d.primary.message,
                d.help
            );
        }
        println!(
            "apps={} envs={} pipelines={}",
            a.checked.program.apps.len(),
            a.checked.program.envs.len(),
            a.checked.program.pipelines.len()
        );
        if std::env::var("DUMP").is_ok() {
            println!("{:#?}", a.checked.program.pipelines);
        }
    }
}
