//! The starter program written by `pf init`: an app, `test` and `prod` environments and a
//! pipeline with build, test, an approval and prod, commented to teach the language.
//!
//! Every starter checks with no diagnostics at all and builds as written; the tests run the
//! checker on each preset.

/// The standard build presets (`use std.build.<preset>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Go,
    Node,
    Python,
    Java,
    Dotnet,
    Docker,
}

impl Preset {
    /// Every preset, in the order they are documented.
    pub const ALL: [Preset; 6] =
        [Preset::Go, Preset::Node, Preset::Python, Preset::Java, Preset::Dotnet, Preset::Docker];

    /// The preset's name in the standard library (`std.build.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::Go => "go",
            Preset::Node => "node",
            Preset::Python => "python",
            Preset::Java => "java",
            Preset::Dotnet => "dotnet",
            Preset::Docker => "docker",
        }
    }

    /// The preset named `name`.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The deploy targets a starter can use (`deploy = <target> { ... }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `deploy = ec2 { ... }`: an Auto Scaling group released by CodeDeploy.
    Ec2,
    /// `deploy = ecs { ... }`: Fargate tasks, the image built by the `docker` preset.
    Ecs,
    /// `deploy = lambda { ... }`: a function behind the load balancer (the go, node and python
    /// presets: their build output is a function's zip as it is).
    Lambda,
}

impl Target {
    /// Every target, in the order they are documented.
    pub const ALL: [Target; 3] = [Target::Ec2, Target::Ecs, Target::Lambda];

    /// The target's keyword.
    pub fn name(self) -> &'static str {
        match self {
            Target::Ec2 => "ec2",
            Target::Ecs => "ecs",
            Target::Lambda => "lambda",
        }
    }

    /// The target named `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The only preset the target builds with, if it has one (ECS: `docker`, the image).
    pub fn preset(self) -> Option<Preset> {
        match self {
            Target::Ecs => Some(Preset::Docker),
            Target::Ec2 | Target::Lambda => None,
        }
    }

    /// The presets a starter of this target exists for.
    pub fn presets(self) -> &'static [Preset] {
        match self {
            Target::Ec2 => &Preset::ALL,
            Target::Ecs => &[Preset::Docker],
            Target::Lambda => &[Preset::Go, Preset::Node, Preset::Python],
        }
    }
}

/// Whether `name` can name an app, environment or pipeline: the checker's rule (PF3001),
/// [`crate::check::aws_name`]. `Err` says what is wrong.
pub fn validate_name(name: &str) -> Result<(), String> {
    crate::check::aws_name(name)
}

/// The preset-specific parts of the app: the `build = ...` value, the files installed, the port.
struct Parts {
    build: String,
    files: String,
    port: u16,
}

fn parts(name: &str, preset: Preset) -> Parts {
    match preset {
        Preset::Go => Parts {
            build: format!(
                "go {{\n    # Fields written here override the preset's; the others are inherited.\n    build = [\"go build -o dist/{name} ./cmd/{name}\"]\n  }}"
            ),
            files: format!("[\"dist/{name}\" -> \"/opt/{name}/{name}\"]"),
            port: 8080,
        },
        Preset::Node => Parts {
            build: "node {\n    # Fields written here override the preset's; the others are inherited.\n    build = [\"npm run build\"]\n  }"
                .into(),
            files: format!("[\"dist\" -> \"/opt/{name}/dist\", \"package.json\" -> \"/opt/{name}/package.json\"]"),
            port: 3000,
        },
        Preset::Python => Parts {
            build: "python {\n    # Fields written here override the preset's; the others are inherited.\n    runtimes { python = \"3.12\" }\n  }"
                .into(),
            files: format!("[\"/\" -> \"/opt/{name}\"]"),
            port: 8000,
        },
        Preset::Java => Parts {
            build: "java {\n    # Fields written here override the preset's; the others are inherited.\n    compute = medium\n  }"
                .into(),
            files: format!("[\"target\" -> \"/opt/{name}\"]"),
            port: 8080,
        },
        Preset::Dotnet => Parts {
            build: "dotnet {\n    # Fields written here override the preset's; the others are inherited.\n    compute = medium\n  }"
                .into(),
            files: format!("[\"dist\" -> \"/opt/{name}\"]"),
            port: 5000,
        },
        Preset::Docker => Parts {
            build: format!(
                "docker {{\n    # Fields written here override the preset's; the others are inherited.\n    # Push the image to a registry (e.g. ECR) in `post_build`; scripts/start.sh runs it.\n    build = [\"docker build -t {name}:latest .\"]\n  }}"
            ),
            files: format!("[\"scripts\" -> \"/opt/{name}/scripts\"]"),
            port: 8080,
        },
    }
}

/// The text of the starter program for an app named `name` (see [`validate_name`]) on
/// `target`, built with `preset` (for ECS, [`Target::preset`]); `None` when the target has no
/// starter for `preset` ([`Target::presets`]: a Lambda function's code is its build's zip).
pub fn starter(name: &str, preset: Preset, target: Target) -> Option<String> {
    let preset = target.preset().unwrap_or(preset);
    if !target.presets().contains(&preset) {
        return None;
    }
    let text = match target {
        Target::Lambda => lambda_template(name, preset)?,
        _ => template(name, preset, target),
    };
    // The starter is written in the canonical layout, so `pf fmt --check` accepts it as is.
    Some(crate::fmt::format(&text).unwrap_or(text))
}

/// The Lambda function of a preset: its build, runtime and handler.
fn lambda_parts(name: &str, preset: Preset) -> Option<(String, &'static str, &'static str)> {
    Some(match preset {
        Preset::Go => (
            format!("go {{\n    # Lambda runs the `bootstrap` executable at the zip's root (runtime provided.al2023).\n    build     = [\"CGO_ENABLED=0 GOOS=linux go build -tags lambda.norpc -o bootstrap ./cmd/{name}\"]\n    artifacts = [\"bootstrap\"]\n  }}"),
            "provided.al2023",
            "bootstrap",
        ),
        Preset::Node => ("node".into(), "nodejs22.x", "index.handler"),
        Preset::Python => (
            "python {\n    # The dependencies go into the artifact beside the handler: the zip is the code.\n    build = [\"pip install -r requirements.txt --target .\"]\n  }".into(),
            "python3.12",
            "app.handler",
        ),
        Preset::Java | Preset::Dotnet | Preset::Docker => return None,
    })
}

fn lambda_template(name: &str, preset: Preset) -> Option<String> {
    let (build, runtime, handler) = lambda_parts(name, preset)?;
    let p = preset.name();
    Some(format!(
        r#"# {name}: built, tested and deployed to AWS Lambda by Pipeline Factory (pf).
#
#   pf check pipeline.pf            # every problem, with a code; `pf explain CODE` explains it
#   pf build pipeline.pf            # the CloudFormation and buildspec files, in pf-out/
#
# The language reference: docs/language.md in the pf repository (`pf explain` for any code).

use std.build.{p}

# An app: where its code lives, how it is built, how it runs as a Lambda function.
app {name} {{
  source = codecommit {{ repository = "{name}", branch = "main" }}

  # The build's artifact zip is the function's code.
  build = {build}

  # Each release publishes a version of the function; CodeDeploy shifts the environment's
  # alias to it during the stack update (at once, or gradually with an environment's
  # `strategy = blue_green {{ shift = canary }}`). The environment's load balancer forwards to the alias; a
  # function URL instead: `url {{ auth = iam }}`.
  deploy = lambda {{
    runtime       = "{runtime}"
    handler       = "{handler}"
    memory        = 512MB
    timeout       = 10s
    load_balancer = true
    health_check  = "/health"          # must answer 200
  }}
}}

env test {{
  network {{ cidr = 10.10.0.0/16, nat = single }}
}}

# `prod` is protected (its name is in `project.protected`): it must be approved before it is
# deployed, and infrastructure changes go through a reviewed change set. Its traffic moves to
# a release 10% first, the rest 10 minutes later, rolled back if the function fails.
env prod {{
  network  {{ cidr = 10.20.0.0/16, azs = 3, nat = per_az }}
  dns      {{ zone = "example.com", name = "{name}", certificate = param("/{name}/certificate-arn") }}
  strategy = blue_green {{ shift = canary, percent = 10%, wait = 10m }}
  alarm failing {{ metric = errors, threshold = 5 }}
  rollback {{ on_alarms = [failing] }}
}}

pipeline {name} {{
  stage build {{ build }}
  stage test {{
    deploy test                       # the test stack with the new code (CloudFormation)
    test smoke {{ commands = ["curl -fsS \"$APP_URL/health\""] }}   # gets the env's URL as APP_URL
  }}
  stage approve {{
    approve release {{
      notify  = ["release@example.com"]
      message = "Deploy ${{app}} to production?"
    }}
  }}
  stage prod {{ deploy prod }}
}}
"#
    ))
}

/// The target-specific parts of the starter: what runs the app, and how a deploy releases it.
struct Runs {
    what: &'static str,
    deploy: String,
    release: &'static str,
}

fn runs(name: &str, preset: Preset, target: Target) -> Runs {
    let Parts { files, port, .. } = parts(name, preset);
    match target {
        // A Lambda starter is written whole by `lambda_template`.
        Target::Ec2 | Target::Lambda => Runs {
            what: "how it runs on EC2",
            deploy: format!(
                r#"  # The app runs on EC2 instances in an Auto Scaling group behind a load balancer; CodeDeploy
  # installs `files` and runs the hooks. The hook scripts live in scripts/, which the preset's
  # `artifacts` include.
  deploy = ec2 {{
    port         = {port}
    health_check = "/health"          # must answer 200, or the instance is replaced
    files        = {files}
    hooks {{
      application_stop  = "scripts/stop.sh"
      application_start = "scripts/start.sh"
      validate_service  {{ script = "scripts/validate.sh", timeout = 2m }}
    }}
  }}"#
            ),
            release: "the test stack (CloudFormation), then the app (CodeDeploy)",
        },
        Target::Ecs => Runs {
            what: "how it runs on ECS Fargate",
            deploy: format!(
                r#"  # The app runs as Fargate tasks of an ECS service behind a load balancer. The build's image
  # (`app:latest`) is pushed to the pipeline's ECR repository, tagged with the commit; the
  # environment stack runs it. Sizes are the environments' `compute {{ cpu, memory }}`.
  deploy = ecs {{
    port          = {port}
    health_check  = "/health"         # must answer 200, or the task is replaced
    log_retention = 30d
    # Container secrets, by reference only: `secrets {{ API_KEY = secret("{name}/api:key") }}`.
  }}"#
            ),
            release: "the test stack (CloudFormation), which releases the image",
        },
    }
}

fn template(name: &str, preset: Preset, target: Target) -> String {
    let Parts { build, .. } = parts(name, preset);
    let Runs { what, deploy, release } = runs(name, preset, target);
    let p = preset.name();
    format!(
        r#"# {name}: built, tested and deployed to AWS by Pipeline Factory (pf).
#
#   pf check pipeline.pf            # every problem, with a code; `pf explain CODE` explains it
#   pf build pipeline.pf            # the CloudFormation, buildspec and appspec files, in pf-out/
#   pf graph pipeline.pf            # the pipeline as a Mermaid diagram
#
# The language reference: docs/language.md in the pf repository (`pf explain` for any code).

# `use` imports a standard-library module: the `{p}` build preset, and the environment
# profiles `cost_optimized` and `highly_available`.
use std.build.{p}
use std.env.profiles

# An app: where its code lives, how it is built, {what}.
app {name} {{
  # A CodeCommit repository; the pipeline follows its `main` branch. (GitHub: `github {{ ... }}`.)
  source = codecommit {{ repository = "{name}", branch = "main" }}

  # `build = {p} {{ ... }}` extends the `{p}` preset: CodeBuild runs its install, test and build
  # commands, then hands the files matched by its `artifacts` globs to the deploy stages.
  build = {build}

{deploy}
}}

# Environments. `env test : cost_optimized` extends a profile: every field written here
# replaces the profile's, nested blocks merge field by field. Each environment has its own VPC
# (distinct CIDR blocks).
env test : cost_optimized {{
  network {{ cidr = 10.10.0.0/16 }}
}}

# `prod` is protected (its name is in `project.protected`): it must be approved before it is
# deployed, infrastructure changes go through a reviewed change set, and its data is kept.
env prod : highly_available {{
  network {{ cidr = 10.20.0.0/16 }}
  # HTTPS: the certificate's ARN is read from Parameter Store, never written here.
  dns     {{ zone = "example.com", name = "{name}", certificate = param("/{name}/certificate-arn") }}
}}

# A UAT made in one declaration: PROD with its own network and fewer instances. Add it, and a
# `stage uat {{ deploy uat }}` before the approval:
#
#   env uat : prod {{
#     protected = false
#     network {{ cidr = 10.30.0.0/16 }}
#     compute {{ min = 1, max = 2, desired = 1 }}
#     dns     {{ name = "{name}-uat" }}
#   }}

# The pipeline (it ships the app of the same name). A Source stage comes first by itself; the
# actions of a stage run one after the other, those inside `parallel {{ ... }}` side by side.
pipeline {name} {{
  stage build {{ build }}
  stage test {{
    deploy test                       # {release}
    test smoke {{ commands = ["curl -fsS \"$APP_URL/health\""] }}   # gets the env's URL as APP_URL
  }}
  stage approve {{
    # Only the `release` group may approve; `notify` e-mails the request through SNS.
    approve release {{
      notify  = ["release@example.com"]
      message = "Deploy ${{app}} to production?"
    }}
  }}
  stage prod {{ deploy prod }}
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{analyze, NoFiles, Root};

    fn diagnostics(text: &str) -> Vec<String> {
        let a = analyze(vec![Root { name: "pipeline.pf".into(), bytes: text.as_bytes().to_vec() }], &NoFiles);
        a.diagnostics
            .iter()
            .map(|d| {
                let f = a.sources.get(d.primary.span.file);
                let (line, col) = f.line_col(d.primary.span.start as usize);
                format!("{}:{line}:{col}: {}[{}]: {}", f.name, d.severity.as_str(), d.code.id, d.message)
            })
            .collect()
    }

    #[test]
    fn every_preset_and_target_checks_without_any_diagnostic() {
        for target in Target::ALL {
            for preset in Preset::ALL {
                for name in ["webshop", "a", "my-app-2", "abcdefghijklmnopqrstuvwxyz012345"] {
                    let Some(text) = starter(name, preset, target) else { continue };
                    let d = diagnostics(&text);
                    assert!(
                        d.is_empty(),
                        "target {}, preset {}, name {name}:\n{}\n\n{text}",
                        target.name(),
                        preset.name(),
                        d.join("\n")
                    );
                }
            }
        }
    }

    #[test]
    fn the_ecs_starter_is_an_ecs_app_built_by_docker() {
        let text = starter("shop", Preset::Go, Target::Ecs).unwrap();
        assert!(text.contains("use std.build.docker"), "{text}");
        let a = analyze(vec![Root { name: "pipeline.pf".into(), bytes: text.into_bytes() }], &NoFiles);
        let app = &a.checked.program.apps[0];
        assert!(matches!(app.deploy, crate::ir::Deploy::Ecs(_)), "{:?}", app.deploy);
        assert!(app.build.privileged);
    }

    #[test]
    fn targets_round_trip_their_names() {
        for t in Target::ALL {
            assert_eq!(Target::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn the_starter_has_the_promised_shape() {
        let text = starter("shop", Preset::Node, Target::Ec2).unwrap();
        let a = analyze(vec![Root { name: "pipeline.pf".into(), bytes: text.into_bytes() }], &NoFiles);
        let p = &a.checked.program;
        assert_eq!(p.apps.len(), 1);
        let envs: Vec<&str> = p.envs.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(envs, ["test", "prod"]);
        assert!(p.env("prod").unwrap().protected);
        let stages: Vec<&str> = p.pipelines[0].stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(stages, ["Source", "build", "test", "approve", "prod"]);
    }

    #[test]
    fn names_are_validated() {
        for ok in ["a", "web-shop", "app2", "abcdefghijklmnopqrstuvwxyz012345"] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Web", "2app", "-app", "app-", "my_app", "a b", "abcdefghijklmnopqrstuvwxyz0123456"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_lambda_starter_checks_without_any_diagnostic_and_deploys_a_function() {
        for preset in Preset::ALL {
            let Some(text) = starter("shop", preset, Target::Lambda) else {
                assert!(!Target::Lambda.presets().contains(&preset), "{}", preset.name());
                continue;
            };
            let d = diagnostics(&text);
            assert!(d.is_empty(), "preset {}:\n{}\n\n{text}", preset.name(), d.join("\n"));
            let a = analyze(
                vec![Root { name: "pipeline.pf".into(), bytes: text.clone().into_bytes() }],
                &NoFiles,
            );
            assert!(matches!(a.checked.program.apps[0].deploy, crate::ir::Deploy::Lambda(_)), "{text}");
            assert_eq!(crate::fmt::format(&text).as_deref(), Ok(text.as_str()), "{}", preset.name());
        }
        assert_eq!(Target::Lambda.presets().len(), 3);
    }

    #[test]
    fn presets_round_trip_their_names() {
        for p in Preset::ALL {
            assert_eq!(Preset::from_name(p.name()), Some(p));
        }
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    #[test]
    fn starters_are_in_the_canonical_layout() {
        for preset in [Preset::Go, Preset::Node, Preset::Python, Preset::Java, Preset::Dotnet, Preset::Docker]
        {
            for target in Target::ALL {
                let Some(text) = starter("shop", preset, target) else { continue };
                assert_eq!(crate::fmt::format(&text).as_deref(), Ok(text.as_str()), "{}", preset.name());
            }
        }
    }
}
