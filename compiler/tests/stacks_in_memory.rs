//! The stacks `codegen::generate_with_stacks` gives from its in-memory templates (what `pf build`
//! and `pf cost` price) are the stacks `review::stack::stacks` reads back from the written files
//! (what `pf diff` compares), for every example in both serializations: one estimate, whichever
//! way it is reached.

use pf_compiler::codegen::{self, CfnFormat, Options};
use pf_compiler::cost;
use pf_compiler::driver::{analyze, Loader, Root};
use pf_compiler::review::stack;

struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("{path}: not available"))
    }
}

#[test]
fn in_memory_stacks_are_the_stacks_read_back_from_the_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let mut examples: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 5, "{examples:?}");
    let mut regions = 0;
    for path in examples {
        let name = format!("examples/{}", path.file_name().unwrap().to_string_lossy());
        let bytes = std::fs::read(&path).unwrap();
        let analysis = analyze(vec![Root { name: name.clone(), bytes }], &NoFiles);
        assert!(!analysis.has_errors(), "{name}: {:#?}", analysis.diagnostics);
        for cfn_format in [CfnFormat::Yaml, CfnFormat::Json] {
            let options = Options { cfn_format };
            let (files, in_memory) = codegen::generate_with_stacks(
                &analysis.checked.program,
                &options,
                Some((stack::every, &|s| s)),
            );
            assert_eq!(files, codegen::generate(&analysis.checked.program, &options), "{name}: same files");
            let read_back = stack::stacks(&files).unwrap();
            assert!(!read_back.is_empty(), "{name}");
            assert_eq!(in_memory, read_back, "{name} ({cfn_format:?})");
            regions += in_memory.iter().filter(|s| s.region.is_some()).count();
            // The estimate from the templates in memory (only what `cost::priced` keeps) is the
            // estimate of the files read back whole.
            let by_name = |mut e: cost::Estimate| {
                e.envs.sort_by(|a, b| a.name.cmp(&b.name));
                e
            };
            let (built, priced) =
                cost::generate_priced(&analysis.checked.program, &options, "us-east-1").unwrap();
            assert_eq!(built, files);
            let unserialized = cost::of_program(&analysis.checked.program, "us-east-1").unwrap();
            assert_eq!(unserialized, priced, "{name}: the estimate without files is the same");
            assert_eq!(by_name(priced), by_name(cost::of_files(&files, "us-east-1").unwrap()), "{name}");
        }
    }
    assert!(regions > 0, "an example deploys an environment to another region (enterprise)");
}

/// Only what the filter keeps is resolved and kept: the types it names, the properties at its
/// paths, at the same paths.
#[test]
fn only_what_is_kept() {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webshop.pf")).unwrap();
    let analysis = analyze(vec![Root { name: "examples/webshop.pf".into(), bytes: text }], &NoFiles);
    let keep: stack::Keep = |kind| {
        (kind == "AWS::AutoScaling::AutoScalingGroup").then_some(&["/MinSize", "/LaunchTemplate/Version"][..])
    };
    let (_, stacks) =
        codegen::generate_with_stacks(&analysis.checked.program, &Options::default(), Some((keep, &|s| s)));
    let groups: Vec<&stack::Resource> = stacks.iter().flat_map(|s| s.resources.values()).collect();
    assert!(!groups.is_empty(), "webshop has Auto Scaling groups");
    for g in groups {
        assert_eq!(g.kind, "AWS::AutoScaling::AutoScalingGroup");
        let mut keys: Vec<&String> = g.properties.keys().collect();
        keys.sort();
        assert_eq!(keys, ["LaunchTemplate", "MinSize"], "{:?}", g.properties);
        let template = g.properties["LaunchTemplate"].as_object().unwrap();
        assert_eq!(template.keys().collect::<Vec<_>>(), ["Version"], "{template:?}");
        assert!(
            g.properties["MinSize"].is_string(),
            "resolved from the configuration: {:?}",
            g.properties["MinSize"]
        );
    }
    let none: (_, Vec<()>) =
        codegen::generate_with_stacks(&analysis.checked.program, &Options::default(), None);
    assert!(none.1.is_empty());
}
