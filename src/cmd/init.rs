//! `pf init`: write a starter `pipeline.pf` (an app, `test` and `prod`, and a pipeline with an
//! approval before prod), commented to teach the language. Never overwrites a file.

use super::{EXIT_OK, EXIT_USAGE};
use pf_compiler::init::{starter, validate_name, Preset, Target};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `pf init`.
#[derive(clap::Args)]
pub struct Args {
    /// The folder to write `pipeline.pf` into (created if missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The app's name: 1 to 32 lowercase letters, digits and `-`, starting with a letter.
    #[arg(long, value_name = "APP")]
    name: String,
    /// The build preset (`std.build.<preset>`); default `go`, and `docker` for `--target ecs`.
    #[arg(long, value_enum)]
    preset: Option<PresetArg>,
    /// Where the app runs: `ec2` (instances, CodeDeploy), `ecs` (Fargate, built by `docker`) or
    /// `lambda` (a function; the go, node and python presets).
    #[arg(long, value_enum, default_value = "ec2")]
    target: TargetArg,
}

/// The deploy targets on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum TargetArg {
    Ec2,
    Ecs,
    Lambda,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Target {
        match t {
            TargetArg::Ec2 => Target::Ec2,
            TargetArg::Ecs => Target::Ecs,
            TargetArg::Lambda => Target::Lambda,
        }
    }
}

/// The build presets on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum PresetArg {
    Go,
    Node,
    Python,
    Java,
    Dotnet,
    Docker,
}

impl From<PresetArg> for Preset {
    fn from(p: PresetArg) -> Preset {
        match p {
            PresetArg::Go => Preset::Go,
            PresetArg::Node => Preset::Node,
            PresetArg::Python => Preset::Python,
            PresetArg::Java => Preset::Java,
            PresetArg::Dotnet => Preset::Dotnet,
            PresetArg::Docker => Preset::Docker,
        }
    }
}

/// Runs `pf init`.
pub fn run(args: Args) -> u8 {
    if let Err(e) = validate_name(&args.name) {
        eprintln!("error: invalid app name: {e}");
        eprintln!("  app names become AWS resource names: 1 to 32 lowercase letters, digits and `-`, starting with a letter");
        return EXIT_USAGE;
    }
    let path = args.dir.join("pipeline.pf");
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        eprintln!("error: cannot create {}: {e}", args.dir.display());
        return EXIT_USAGE;
    }
    let target = Target::from(args.target);
    let preset = match (args.preset.map(Preset::from), target.preset()) {
        (Some(p), Some(only)) if p != only => {
            eprintln!(
                "error: `--target {}` builds with the `{}` preset, not `{}`",
                target.name(),
                only.name(),
                p.name()
            );
            eprintln!("  drop `--preset`, or write `--preset {}`", only.name());
            return EXIT_USAGE;
        }
        (Some(p), _) => p,
        (None, only) => only.unwrap_or(Preset::Go),
    };
    let Some(text) = starter(&args.name, preset, target) else {
        let names: Vec<&str> = target.presets().iter().map(|p| p.name()).collect();
        eprintln!("error: no {} starter for the {} preset", target.name(), preset.name());
        eprintln!(
            "  a function's code is the build's artifact zip as it is: use --preset {}",
            names.join(", --preset ")
        );
        return EXIT_USAGE;
    };
    // `create_new` fails if the file exists: an existing pipeline.pf is never touched.
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    let written = file.and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            eprintln!("error: {} already exists; pf init never overwrites it", path.display());
            eprintln!("  choose another folder: `pf init DIR --name {}`", args.name);
        } else {
            eprintln!("error: cannot write {}: {e}", path.display());
        }
        return EXIT_USAGE;
    }
    let shown = path.display();
    let out = args.dir.join("pf-out");
    let out = out.display();
    let name = &args.name;
    println!("wrote {shown}: app `{name}`, environments `test` and `prod`, pipeline `{name}`");
    println!();
    println!("next steps:");
    println!("  pf check {shown}            # every problem, with a code (`pf explain CODE`)");
    println!("  pf build {shown}            # the CloudFormation, buildspec and appspec files, in {out}");
    println!("  pf graph {shown}            # the pipeline as a Mermaid diagram");
    println!("  commit {shown} and {out}, then deploy the pipeline stack once:");
    println!("  aws cloudformation deploy --template-file {out}/{name}/pipeline-{name}.template.yml \\");
    println!("      --stack-name {name}-pipeline --capabilities CAPABILITY_NAMED_IAM");
    EXIT_OK
}
