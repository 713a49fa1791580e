//! End to end: every example builds with `pf build`, its output passes cfn-lint with zero
//! findings and checkov with zero unexplained findings, is deterministic, `--check` accepts it,
//! and a failing build leaves earlier output untouched. The full output is snapshotted.

use std::path::{Path, PathBuf};
use std::process::Command;

fn pf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pf"))
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pf"))
        .collect();
    v.sort();
    assert!(v.len() >= 5, "the five scenarios are examples");
    v
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn build(example: &Path, out: &Path) {
    let o = pf().arg("build").arg(example).arg("-o").arg(out).output().unwrap();
    assert!(
        o.status.success(),
        "pf build {} failed:\n{}",
        example.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Builds every example into a fresh temporary folder.
fn build_all() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in examples() {
        build(&e, dir.path());
    }
    dir
}

fn templates(dir: &Path) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|p| p.to_string_lossy().ends_with(".template.yml")).collect()
}

#[test]
fn examples_check_without_diagnostics() {
    for e in examples() {
        let o = pf().arg("check").arg(&e).output().unwrap();
        assert!(o.status.success(), "{}:\n{}", e.display(), String::from_utf8_lossy(&o.stderr));
        let short = pf().args(["check", "--format", "short"]).arg(&e).output().unwrap();
        assert!(String::from_utf8_lossy(&short.stdout).trim().is_empty(), "{} has diagnostics", e.display());
    }
}

#[test]
fn templates_pass_cfn_lint() {
    let dir = build_all();
    let t = templates(dir.path());
    assert!(t.len() >= 5);
    let o = Command::new("cfn-lint").args(&t).output().expect("cfn-lint is needed: pip install cfn-lint");
    let report = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success() && report.trim().is_empty(), "cfn-lint findings:\n{report}");
}

#[test]
fn templates_pass_checkov_or_explain_why() {
    let dir = build_all();
    let o = Command::new("checkov")
        .args(["-d"])
        .arg(dir.path())
        .args(["--framework", "cloudformation", "-o", "json", "--compact"])
        .output()
        .expect("checkov is needed: pip install checkov");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("checkov output: {e}\n{stdout}"));
    let reports = if json.is_array() { json.as_array().unwrap().clone() } else { vec![json] };
    let mut passed = 0;
    for r in &reports {
        let results = &r["results"];
        let failed = results["failed_checks"].as_array().cloned().unwrap_or_default();
        let failures: Vec<String> = failed
            .iter()
            .map(|c| format!("{} {} in {}", c["check_id"], c["resource"], c["file_path"]))
            .collect();
        assert!(failures.is_empty(), "unexplained checkov findings:\n{}", failures.join("\n"));
        for s in results["skipped_checks"].as_array().cloned().unwrap_or_default() {
            let why = s["check_result"]["suppress_comment"].as_str().unwrap_or("");
            assert!(
                why.trim().len() > 20,
                "checkov skip without a real reason: {} {}",
                s["check_id"],
                s["resource"]
            );
        }
        assert_eq!(r["summary"]["parsing_errors"], 0, "checkov could not parse a template");
        passed += r["summary"]["passed"].as_u64().unwrap_or(0);
    }
    assert!(passed > 100, "checkov scanned the templates ({passed} passed checks)");
}

#[test]
fn build_is_deterministic_and_check_accepts_it() {
    let a = build_all();
    let b = build_all();
    let fa = files_under(a.path());
    let fb = files_under(b.path());
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.strip_prefix(a.path()).unwrap(), y.strip_prefix(b.path()).unwrap());
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs between builds",
            x.display()
        );
    }
    for e in examples() {
        let o = pf().args(["build", "--check"]).arg(&e).arg("-o").arg(a.path()).output().unwrap();
        assert!(o.status.success(), "--check after build: {}", String::from_utf8_lossy(&o.stdout));
    }
    // A stale file is reported, and --check writes nothing.
    let victim = &fa[0];
    std::fs::write(victim, "edited by hand\n").unwrap();
    let mut stale_seen = false;
    for e in examples() {
        let o = pf().args(["build", "--check"]).arg(&e).arg("-o").arg(a.path()).output().unwrap();
        if !o.status.success() {
            assert_eq!(o.status.code(), Some(1));
            assert!(
                String::from_utf8_lossy(&o.stdout).contains(&*victim.file_name().unwrap().to_string_lossy())
            );
            stale_seen = true;
        }
    }
    assert!(stale_seen, "--check reports the edited file");
    assert_eq!(std::fs::read_to_string(victim).unwrap(), "edited by hand\n");
}

#[test]
fn failed_build_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    build(Path::new("examples/webshop.pf"), dir.path());
    let before: Vec<(PathBuf, Vec<u8>)> =
        files_under(dir.path()).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    let broken = dir.path().join("broken.pf");
    let text = std::fs::read_to_string("examples/webshop.pf")
        .unwrap()
        .replace("port         = 8080", "port = 80800");
    assert!(text.contains("80800"));
    std::fs::write(&broken, text).unwrap();
    let o = pf().arg("build").arg(&broken).arg("-o").arg(dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PF2002"));
    let after: Vec<(PathBuf, Vec<u8>)> = files_under(dir.path())
        .into_iter()
        .filter(|p| p != &broken)
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    assert!(before == after, "a failed build changed the output folder");
}

/// Writing is all or nothing across programs and folders: when one app folder cannot be
/// written, a changed file of another is not replaced either, and no temporary file or folder is
/// left (`src/cmd/build/write.rs`). A build that succeeds leaves none either.
#[test]
fn failed_write_changes_nothing_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(Path::new("examples/webshop.pf"), &out);
    let temporary = |out: &Path| -> Vec<PathBuf> {
        files_under(out).into_iter().filter(|p| p.to_string_lossy().contains(".pf-")).collect()
    };
    assert_eq!(temporary(&out), Vec::<PathBuf>::new(), "a new app folder is moved into place whole");
    let edited = out.join("webshop/buildspec.yml");
    std::fs::write(&edited, "edited by hand\n").unwrap();
    // The other program's app folder is taken by a file, so its files cannot be written.
    std::fs::write(out.join("billing"), "in the way\n").unwrap();
    let o = pf()
        .args(["build", "examples/webshop.pf", "examples/two-approvers.pf", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was changed"));
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), "edited by hand\n");
    assert_eq!(temporary(&out), Vec::<PathBuf>::new());
    // Once the way is clear, both folders are written, and nothing temporary stays.
    std::fs::remove_file(out.join("billing")).unwrap();
    let o = pf()
        .args(["build", "examples/webshop.pf", "examples/two-approvers.pf", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(std::fs::read_to_string(&edited).unwrap(), "edited by hand\n");
    assert!(out.join("billing/buildspec.yml").is_file());
    assert_eq!(temporary(&out), Vec::<PathBuf>::new());
}

#[test]
fn a_file_two_programs_generate_is_an_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(Path::new("examples/go-service.pf"), &out);
    let before: Vec<(PathBuf, Vec<u8>)> =
        files_under(&out).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    // webshop's files are staged as they are generated, then the second copy collides.
    let o =
        pf().args(["build", "examples/webshop.pf", "examples/webshop.pf", "-o"]).arg(&out).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("two programs generate").count(), 1, "one diagnostic: {err}");
    assert!(
        err.contains("build them into different folders") && err.contains("nothing was changed"),
        "{err}"
    );
    let after: Vec<(PathBuf, Vec<u8>)> =
        files_under(&out).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    assert_eq!(after, before, "earlier output untouched, nothing staged left behind");
    assert!(!out.join("webshop").exists());
}

#[test]
fn output_snapshots() {
    for e in examples() {
        let dir = tempfile::tempdir().unwrap();
        build(&e, dir.path());
        let mut all = String::new();
        for f in files_under(dir.path()) {
            let rel = f.strip_prefix(dir.path()).unwrap().to_string_lossy().replace('\\', "/");
            all.push_str(&format!("//// {rel}\n{}\n", std::fs::read_to_string(&f).unwrap()));
        }
        let name = e.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(format!("example_{name}"), all);
    }
}

/// Every AWS service whose resources an environment stack creates is in the pipeline's
/// CloudFormation execution role (its `create`-type actions), or deploying it would fail.
#[test]
fn the_execution_role_covers_every_service_of_the_environment_stacks() {
    let dir = build_all();
    for app_dir in std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()) {
        let read = |name: &str| -> Option<serde_json::Value> {
            let text = std::fs::read_to_string(app_dir.join(name)).ok()?;
            Some(serde_yaml::from_str(&text).unwrap())
        };
        let Some(infra) = read("infra.template.yml") else { continue };
        let pipeline_file = std::fs::read_dir(&app_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .find(|n| n.starts_with("pipeline-"))
            .unwrap();
        let pipeline = read(&pipeline_file).unwrap();
        let role = &pipeline["Resources"]["CloudFormationRole"];
        let actions: Vec<String> = role["Properties"]["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap().clone())
            .filter(|s| s["Effect"] == "Allow")
            .flat_map(|s| match &s["Action"] {
                serde_json::Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                other => vec![other.as_str().unwrap().to_string()],
            })
            .collect();
        for (id, r) in infra["Resources"].as_object().unwrap() {
            let ty = r["Type"].as_str().unwrap();
            let service = match ty.split("::").nth(1).unwrap() {
                "ElasticLoadBalancingV2" => "elasticloadbalancing".to_string(),
                "ApplicationAutoScaling" => "application-autoscaling".to_string(),
                other => other.to_ascii_lowercase(),
            };
            let creates = actions.iter().any(|a| {
                a.starts_with(&format!("{service}:"))
                    && ["Create", "Put", "Change", "Allocate", "Run"]
                        .iter()
                        .any(|v| a.contains(&format!(":{v}")))
            });
            assert!(
                creates,
                "{}: {id} ({ty}) needs {service} create permissions in the execution role",
                app_dir.display()
            );
        }
    }
}

/// The permissions boundary covers every action the environment stacks give their roles in
/// their own policies (inline, and `AWS::IAM::Policy`): otherwise IAM would silently deny it.
#[test]
fn the_boundary_covers_every_action_of_the_environment_roles() {
    let dir = build_all();
    let actions = |doc: &serde_json::Value| -> Vec<String> {
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Effect"] == "Allow")
            .flat_map(|s| match &s["Action"] {
                serde_json::Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                other => vec![other.as_str().unwrap().to_string()],
            })
            .collect()
    };
    let mut checked = 0;
    for app_dir in std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()) {
        let read = |name: &str| -> Option<serde_json::Value> {
            let text = std::fs::read_to_string(app_dir.join(name)).ok()?;
            Some(serde_yaml::from_str(&text).unwrap())
        };
        let Some(infra) = read("infra.template.yml") else { continue };
        let pipeline_file = std::fs::read_dir(&app_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .find(|n| n.starts_with("pipeline-"))
            .unwrap();
        let pipeline = read(&pipeline_file).unwrap();
        let boundary =
            actions(&pipeline["Resources"]["EnvironmentRoleBoundary"]["Properties"]["PolicyDocument"]);
        for (id, r) in infra["Resources"].as_object().unwrap() {
            let docs: Vec<&serde_json::Value> = match r["Type"].as_str().unwrap() {
                // A policy under a condition (`Fn::If`: an ECS environment's secrets) counts too.
                "AWS::IAM::Role" => r["Properties"]["Policies"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .flat_map(|p| match p["Fn::If"].as_array() {
                                Some(branches) => branches[1..].iter().collect::<Vec<_>>(),
                                None => vec![p],
                            })
                            .filter(|p| p["PolicyDocument"].is_object())
                            .map(|p| &p["PolicyDocument"])
                            .collect()
                    })
                    .unwrap_or_default(),
                "AWS::IAM::Policy" => vec![&r["Properties"]["PolicyDocument"]],
                _ => continue,
            };
            for doc in docs {
                for a in actions(doc) {
                    assert!(
                        boundary.contains(&a),
                        "{}: {id} is given {a}, outside the boundary",
                        app_dir.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10, "the examples' roles have policies ({checked} actions)");
}

/// Silencing an error that pf may silence (an unapproved protected deploy, an instance type its
/// tables do not know) builds every file, as without it; silencing any other error is refused
/// (PF9004) and the build writes nothing. A suppressed error once made `pf build` drop the
/// environment's templates, or the whole pipeline, and exit 0.
#[test]
fn silenced_errors_build_every_file_or_are_refused() {
    let reference = tempfile::tempdir().unwrap();
    build(Path::new("examples/webshop.pf"), reference.path());
    let names = |dir: &Path| -> Vec<PathBuf> {
        files_under(dir).into_iter().filter_map(|p| p.strip_prefix(dir).ok().map(Path::to_path_buf)).collect()
    };
    let original = std::fs::read_to_string("examples/webshop.pf").unwrap();
    let silenced = original
        .replace(
            "  compute { min = 1, max = 2, desired = 1 }",
            "  # pf:allow PF5008: a type newer than pf's table\n  compute { min = 1, max = 2, desired = 1, instance = \"c9x.mega\" }",
        )
        .replace("  stage prod { deploy prod }\n", "")
        .replace(
            "  stage release {",
            "  # pf:allow PF4002: approved outside the pipeline\n  stage prod { deploy prod }\n  stage release {",
        );
    assert!(silenced.contains("instance = \"c9x.mega\"") && silenced.contains("allow PF4002"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("silenced.pf");
    std::fs::write(&file, &silenced).unwrap();
    let check = pf().arg("check").arg(&file).output().unwrap();
    let shown = String::from_utf8_lossy(&check.stderr).to_string() + &String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "the silenced program checks: {shown}");
    let out = dir.path().join("out");
    build(&file, &out);
    assert_eq!(names(&out), names(reference.path()), "the same files as the unsilenced example");

    let refused = original
        .replace("    port         = 8080", "    # pf:allow PF2001: a string port\n    port = \"8080\"");
    assert!(refused != original);
    std::fs::write(&file, refused).unwrap();
    let o = pf().arg("build").arg(&file).arg("-o").arg(dir.path().join("refused")).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let shown = String::from_utf8_lossy(&o.stderr);
    assert!(shown.contains("PF9004") && shown.contains("PF2001"), "{shown}");
    assert!(!dir.path().join("refused").exists(), "a refused build writes nothing");
}

/// Rebuilding after an environment is removed removes its configuration too (JSON carries no
/// header, so it was once left behind while `--check` called the folder up to date).
#[test]
fn a_removed_environment_leaves_no_configuration_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(Path::new("examples/webshop.pf"), &out);
    let uat = files_under(&out).into_iter().find(|p| p.ends_with("config/uat.json"));
    assert!(uat.is_some(), "the example has a uat environment");
    let without_uat =
        std::fs::read_to_string("examples/webshop.pf").unwrap().replace("  stage uat { deploy uat }\n", "");
    let file = dir.path().join("no-uat.pf");
    std::fs::write(&file, without_uat).unwrap();
    let o = pf().arg("build").arg(&file).arg("-o").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let left: Vec<PathBuf> =
        files_under(&out).into_iter().filter(|p| p.ends_with("config/uat.json")).collect();
    assert!(left.is_empty(), "uat's configuration is removed: {left:?}");
    let check = pf().args(["build", "--check"]).arg(&file).arg("-o").arg(&out).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

/// What is deployed is what was built (issue 17): in every example's output, each file the
/// appspec installs (`files.source`), each hook script it runs and each template and
/// configuration the pipeline's CloudFormation actions read from the build artifact (and the
/// files their parameter overrides read with `Fn::GetParam`: an ECS app's image tag) is matched
/// by the app buildspec's `artifacts.files`, the only files the build artifact holds. An ECS
/// app and a Lambda function have no appspec.
#[test]
fn every_deployed_file_is_in_the_build_artifact() {
    use pf_compiler::glob;
    let dir = build_all();
    let mut checked = 0;
    for app_dir in std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()) {
        let read = |name: &str| -> serde_json::Value {
            let text = std::fs::read_to_string(app_dir.join(name)).unwrap();
            serde_yaml::from_str(&text).unwrap()
        };
        let app = app_dir.file_name().unwrap().to_string_lossy().to_string();
        let buildspec = read("buildspec.yml");
        let globs: Vec<&str> =
            buildspec["artifacts"]["files"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
        let mut folders = Vec::new();
        let mut files = Vec::new();
        if app_dir.join("appspec.yml").exists() {
            let appspec = read("appspec.yml");
            for f in appspec["files"].as_array().into_iter().flatten() {
                folders.push(f["source"].as_str().unwrap().to_string());
            }
            for hooks in appspec["hooks"].as_object().unwrap().values() {
                files.extend(
                    hooks.as_array().unwrap().iter().map(|h| h["location"].as_str().unwrap().to_string()),
                );
            }
        }
        for pipeline in std::fs::read_dir(&app_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("pipeline-"))
        {
            let text = std::fs::read_to_string(app_dir.join(&pipeline)).unwrap();
            for line in text.lines().map(str::trim) {
                for key in ["TemplatePath: ", "TemplateConfiguration: "] {
                    if let Some(path) = line.strip_prefix(key).and_then(|v| v.strip_prefix("Build::")) {
                        files.push(path.to_string());
                    }
                }
                // `{"Fn::GetParam": ["Build", "<file>", "<key>"]}` inside ParameterOverrides.
                for (i, _) in line.match_indices("Fn::GetParam\": [\"Build\", \"") {
                    let rest = &line[i + "Fn::GetParam\": [\"Build\", \"".len()..];
                    files.push(rest[..rest.find('"').unwrap()].to_string());
                }
            }
        }
        assert!(
            files.iter().any(|f| f.ends_with("infra.template.yml")),
            "{app}: no template read from the build"
        );
        for f in &files {
            assert!(
                globs.iter().any(|g| glob::matches(g, f)),
                "{app}: `{f}` is not in the build artifact {globs:?}"
            );
        }
        for s in &folders {
            assert!(
                globs.iter().any(|g| glob::covers(g, s)),
                "{app}: `{s}` is not in the build artifact {globs:?}"
            );
        }
        checked += files.len() + folders.len();
    }
    assert!(checked > 20, "only {checked} deployed files were checked");
}
