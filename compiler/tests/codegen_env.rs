//! Environment code generation: infrastructure templates (cfn-lint, checkov), template
//! configurations, buildspecs and appspecs (JSON schemas), artifact coverage, determinism and
//! snapshots.
//!
//! cfn-lint, checkov, python3 with `jsonschema` and PyYAML must be installed
//! (`pip install cfn-lint checkov pyyaml`): the tests fail, never skip, without them.

use pf_compiler::codegen::{self, buildspec, fixture, naming, CfnFormat, Options, OutputFile};
use pf_compiler::ir::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const VALIDATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/tools/validate_schema.py");
const BUILDSPEC_SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/buildspec.schema.json");
const APPSPEC_SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/appspec.schema.json");

// ---------------------------------------------------------------------------------------------
// Programs

fn envs_mut(p: &mut Program) -> &mut Vec<Env> {
    &mut p.envs
}

/// The fixture and variants covering the template's other branches.
fn variants() -> Vec<(&'static str, Program)> {
    let base = fixture::sample_program();

    let mut no_db = base.clone();
    for e in envs_mut(&mut no_db) {
        e.database = None;
        e.cache = None;
    }

    let mut single_az = base.clone();
    for e in envs_mut(&mut single_az) {
        // As the checker lowers `azs = 1`: a second subnet of each kind for the load balancer.
        e.network.azs = 1;
        e.network.public_subnets.truncate(2);
        e.network.private_subnets.truncate(2);
        e.network.nat = Nat::Single;
        e.alarms.clear();
        e.rollback.on_alarms.clear();
    }

    let mut nat_none = base.clone();
    for e in envs_mut(&mut nat_none) {
        e.network.nat = Nat::None;
        e.dns = None;
    }

    let mut custom = base.clone();
    for e in envs_mut(&mut custom) {
        e.strategy = match e.name.as_str() {
            "test" => Strategy::MinHealthyPercent(50),
            "uat" => Strategy::MinHealthyHosts(1),
            _ => Strategy::HalfAtATime,
        };
        if let Some(db) = &mut e.database {
            db.password = Some(Text::Param(format!("/webshop/{}/db-password", e.name)));
        }
        if let Some(dns) = &mut e.dns {
            dns.certificate = Some(Text::Param("/webshop/certificate-arn".into()));
        }
        e.compute.scale_on = Scaling::None;
        e.alarms.push(Alarm {
            name: "slow".into(),
            metric: Metric::Latency,
            threshold: 2,
            period_seconds: 60,
            evaluation_periods: 3,
        });
        e.alarms.push(Alarm {
            name: "cpu".into(),
            metric: Metric::Cpu,
            threshold: 90,
            period_seconds: 300,
            evaluation_periods: 2,
        });
    }

    // Every environment custom: no `DeploymentConfig` parameter, an unconditional configuration.
    let mut all_custom = base.clone();
    for e in envs_mut(&mut all_custom) {
        e.strategy = match e.name.as_str() {
            "test" => Strategy::MinHealthyPercent(0),
            "uat" => Strategy::MinHealthyHosts(2),
            _ => Strategy::MinHealthyPercent(50),
        };
    }

    let mut arm = base.clone();
    for e in envs_mut(&mut arm) {
        e.compute.arm = true;
        e.compute.instance = "t4g.small".into();
        if let Some(db) = &mut e.database {
            db.engine = Engine::Mysql;
            db.version = "8.0".into();
        }
        e.alarms.push(Alarm {
            name: "unhealthy".into(),
            metric: Metric::UnhealthyHosts,
            threshold: 0,
            period_seconds: 60,
            evaluation_periods: 1,
        });
        e.alarms.push(Alarm {
            name: "elb".into(),
            metric: Metric::Elb5xx,
            threshold: 5,
            period_seconds: 60,
            evaluation_periods: 1,
        });
    }

    vec![
        ("fixture", base),
        ("no-database", no_db),
        ("single-az", single_az),
        ("nat-none", nat_none),
        ("custom-strategies", custom),
        ("all-custom-strategies", all_custom),
        ("arm", arm),
    ]
}

fn generate(p: &Program) -> Vec<OutputFile> {
    codegen::generate(p, &Default::default())
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file {path}")).contents
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pf-codegen-env-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, files: &[OutputFile]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|f| {
            let p = dir.join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &f.contents).unwrap();
            p
        })
        .collect()
}

/// Writes every variant under `<dir>/<variant>/`.
fn write_variants(dir: &Path) -> Vec<PathBuf> {
    variants().iter().flat_map(|(name, p)| write(&dir.join(name), &generate(p))).collect()
}

fn run(cmd: &mut Command, install: &str) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {:?} ({e}): {install}", cmd.get_program()))
}

fn yaml(s: &str) -> Value {
    serde_yaml::from_str(s).expect("valid YAML")
}

// ---------------------------------------------------------------------------------------------
// External validators

#[test]
fn templates_pass_cfn_lint() {
    let dir = out_dir("cfn-lint");
    let mut templates: Vec<PathBuf> = write_variants(&dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("infra.template.yml"))
        .collect();
    assert_eq!(templates.len(), variants().len());
    // The JSON serialization too.
    let json = codegen::generate(&fixture::sample_program(), &Options { cfn_format: CfnFormat::Json });
    let json_files = write(&dir.join("json"), &json);
    templates.extend(json_files.into_iter().filter(|p| p.to_string_lossy().ends_with("infra.template.json")));
    assert_eq!(templates.len(), variants().len() + 1);
    for t in &templates {
        // D4: a template body passed inline is limited to 51,200 bytes, through S3 to 1 MB. An
        // environment template is only ever deployed by the pipeline's CloudFormation actions,
        // which read it from the build artifact in S3: 1 MB is its limit (the permissions
        // boundary and the instance refresh put the arm variant's YAML just over 51,200).
        let size = std::fs::metadata(t).unwrap().len();
        let limit = 1_000_000;
        assert!(size <= limit, "{} is {size} bytes", t.display());
    }
    let out = run(Command::new("cfn-lint").args(&templates), "pip install cfn-lint");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint findings:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// One checkov run over every variant. Without `--quiet`: quiet JSON lists failed checks only,
/// and the skipped ones are needed to check that each suppression gives a reason.
#[test]
fn templates_pass_checkov() {
    let dir = out_dir("checkov");
    write_variants(&dir);
    let out = run(
        Command::new("checkov").arg("-d").arg(&dir).args([
            "--framework",
            "cloudformation",
            "-o",
            "json",
            "--skip-download",
        ]),
        "pip install checkov",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("checkov output is not JSON ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let reports = match report {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut failures = Vec::new();
    let mut skipped = 0;
    for r in &reports {
        assert_eq!(r["check_type"], "cloudformation");
        assert_eq!(r["summary"]["parsing_errors"], 0, "checkov could not parse a template");
        for c in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            failures
                .push(format!("{} {} {} {}", c["check_id"], c["check_name"], c["file_path"], c["resource"]));
        }
        for c in r["results"]["skipped_checks"].as_array().into_iter().flatten() {
            skipped += 1;
            let comment = c["check_result"]["suppress_comment"].as_str().unwrap_or_default();
            assert!(
                comment.trim().len() > 20,
                "suppression of {} on {} has no reason",
                c["check_id"],
                c["resource"]
            );
        }
        assert!(r["summary"]["passed"].as_u64().unwrap_or(0) > 0, "checkov checked nothing");
    }
    assert!(failures.is_empty(), "checkov failed checks:\n{}", failures.join("\n"));
    assert!(skipped > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn validate(schema: &str, files: &[PathBuf]) -> (bool, String) {
    let out = run(
        Command::new("python3").arg(VALIDATE).arg(schema).args(files),
        "install python3, then pip install cfn-lint pyyaml",
    );
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn buildspecs_and_appspecs_match_the_schemas() {
    let dir = out_dir("schemas");
    let files = write_variants(&dir);
    let named = |f: &dyn Fn(&str) -> bool| -> Vec<PathBuf> {
        files.iter().filter(|p| f(&p.file_name().unwrap().to_string_lossy())).cloned().collect()
    };
    let buildspecs = named(&|n| n.starts_with("buildspec") && n.ends_with(".yml"));
    let appspecs = named(&|n| n == "appspec.yml");
    assert!(buildspecs.len() >= 3 * variants().len());
    assert_eq!(appspecs.len(), variants().len());
    let (ok, text) = validate(BUILDSPEC_SCHEMA, &buildspecs);
    assert!(ok, "buildspec schema errors:\n{text}");
    let (ok, text) = validate(APPSPEC_SCHEMA, &appspecs);
    assert!(ok, "appspec schema errors:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

// The schemas' own accepted and rejected cases are in `schemas/tests/`, run by `tests/schemas.rs`.

// ---------------------------------------------------------------------------------------------
// Configurations

#[test]
fn configs_match_template_parameters_and_hold_no_secrets() {
    for (name, program) in variants() {
        let files = generate(&program);
        let template = yaml(file(&files, &naming::infra_template_file("webshop", "yml")));
        let params = template["Parameters"].as_object().expect("parameters");
        for env in ["test", "uat", "prod"] {
            let config: Value = serde_json::from_str(file(&files, &naming::config_file("webshop", env)))
                .expect("JSON config");
            let set = config["Parameters"].as_object().expect("config parameters");
            for (k, v) in set {
                let def =
                    params.get(k).unwrap_or_else(|| panic!("{name}/{env}: {k} is not a template parameter"));
                let v = v.as_str().unwrap_or_else(|| panic!("{name}/{env}: {k} is not a string"));
                if let Some(allowed) = def["AllowedValues"].as_array() {
                    let allowed: Vec<String> = allowed
                        .iter()
                        .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                        .collect();
                    assert!(allowed.iter().any(|a| a == v), "{name}/{env}: {k}={v} not in {allowed:?}");
                }
                assert!(!v.contains("{{resolve"), "{name}/{env}: {k} holds a dynamic reference");
                let lower = k.to_lowercase();
                if ["password", "secret", "token"].iter().any(|s| lower.contains(s)) {
                    assert!(
                        k.ends_with("Source") || k.ends_with("Reference"),
                        "{name}/{env}: {k} looks like a secret value"
                    );
                }
            }
            for (k, def) in params {
                if def.get("Default").is_none() && !naming::PASSED_BY_PIPELINE.contains(&k.as_str()) {
                    assert!(set.contains_key(k), "{name}/{env}: required parameter {k} is not set");
                }
            }
            for tag in config["Tags"].as_object().expect("tags").values() {
                assert!(tag.is_string());
            }
            assert!(config["StackPolicy"]["Statement"].is_array());
        }
        for p in [naming::artifact_bucket_parameter(), naming::artifact_key_parameter()] {
            assert!(params.contains_key(p), "{name}: the template lacks {p}");
        }
    }
}

#[test]
fn every_role_carries_the_permissions_boundary() {
    for (name, p) in variants() {
        for f in generate(&p).iter().filter(|f| f.path.ends_with("infra.template.yml")) {
            let t = yaml(&f.contents);
            let param = naming::permissions_boundary_parameter();
            assert_eq!(t["Parameters"][param]["Type"], "String", "{name}");
            assert!(
                t["Parameters"][param]["Default"].is_null(),
                "{name}: passed by the pipeline, no default"
            );
            let roles: Vec<(&String, &Value)> = t["Resources"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
                .collect();
            assert!(!roles.is_empty(), "{name}");
            for (id, role) in roles {
                assert_eq!(
                    role["Properties"]["PermissionsBoundary"],
                    serde_json::json!({"Ref": param}),
                    "{name}/{id}"
                );
            }
        }
    }
}

#[test]
fn protected_envs_deny_replacing_data_stores() {
    let files = generate(&fixture::sample_program());
    let prod: Value = serde_json::from_str(file(&files, "webshop/config/prod.json")).unwrap();
    let deny = &prod["StackPolicy"]["Statement"][1];
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(
        deny["Resource"],
        serde_json::json!(["LogicalResourceId/Database", "LogicalResourceId/Cache"])
    );
    let test: Value = serde_json::from_str(file(&files, "webshop/config/test.json")).unwrap();
    assert_eq!(test["StackPolicy"]["Statement"].as_array().unwrap().len(), 1);
}

#[test]
fn apps_without_deployments_get_no_infrastructure() {
    let mut p = fixture::sample_program();
    p.pipelines.clear();
    let files = generate(&p);
    assert!(files.iter().all(|f| !f.path.contains("infra.template") && !f.path.contains("/config/")));
    assert!(files.iter().any(|f| f.path == "webshop/buildspec.yml"));
}

// ---------------------------------------------------------------------------------------------
// Subnets: checked programs, from source

/// Reads nothing: the programs below use only the standard library.
struct NoFiles;

impl pf_compiler::driver::Loader for NoFiles {
    fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("no file {path}"))
    }
}

/// A program whose app deploys `envs` (`(name, network block body)`), built from source.
fn build_source(envs: &[(&str, &str)]) -> Vec<OutputFile> {
    let envs: Vec<(&str, String)> =
        envs.iter().map(|(name, network)| (*name, format!("network {{ {network} }}"))).collect();
    let analysis = analyze_source(&envs);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    generate(&analysis.checked.program)
}

/// Analyzes a program whose app deploys `envs` (`(name, env body)`), from source.
fn analyze_source<S: AsRef<str>>(envs: &[(&str, S)]) -> pf_compiler::driver::Analysis {
    let mut text = String::from(
        "use std.build.go\n\napp shop {\n  source = codecommit { repository = \"shop\" }\n  build  = go\n  deploy = ec2 { port = 8080 }\n}\n\n",
    );
    for (name, body) in envs {
        text.push_str(&format!("env {name} {{\n  {}\n}}\n\n", body.as_ref()));
    }
    text.push_str("pipeline shop {\n  stage build { build }\n");
    for (name, _) in envs {
        text.push_str(&format!("  stage {name} {{ deploy {name} }}\n"));
    }
    text.push_str("}\n");
    let root = pf_compiler::driver::Root { name: "source.pf".into(), bytes: text.into_bytes() };
    pf_compiler::driver::analyze(vec![root], &NoFiles)
}

/// Runs cfn-lint on the app's template: no findings.
fn assert_cfn_lint_clean(case: &str, files: &[OutputFile]) {
    let dir = out_dir(&format!("lint-{case}"));
    let templates: Vec<PathBuf> = write(&dir, files)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("infra.template.yml"))
        .collect();
    assert_eq!(templates.len(), 1, "{case}");
    let out = run(Command::new("cfn-lint").args(&templates), "pip install cfn-lint");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "{case}: cfn-lint findings:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether every environment uses a custom deployment configuration, none does or some do, the
/// template has no unreachable branch (cfn-lint W1028 on a `DeploymentConfig` allowing `custom`
/// only) and each configuration sets the parameters the template declares.
#[test]
fn deployment_strategies_pass_cfn_lint() {
    let percent = "strategy = in_place { min_healthy = 50% }";
    let zero = "strategy = in_place { min_healthy = 0 }";
    let count = "strategy = in_place { min_healthy = 2 }";
    let predefined = "strategy = in_place { batch = all_at_once }";
    let network = |n: u8| format!("network {{ cidr = 10.{n}.0.0/16 }}");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("all-custom-percent", vec![percent]),
        ("all-custom-zero", vec![zero]),
        ("all-custom-count", vec![count]),
        ("all-custom-mixed", vec![percent, count, zero]),
        ("none-custom", vec![predefined]),
        ("mix", vec![percent, predefined, count]),
    ];
    for (case, strategies) in cases {
        let names = ["a", "b", "c"];
        let envs: Vec<(&str, String)> = strategies
            .iter()
            .enumerate()
            .map(|(i, s)| (names[i], format!("{}, {s}", network(i as u8 + 1))))
            .collect();
        let analysis = analyze_source(&envs);
        assert!(!analysis.has_errors(), "{case}: {:?}", analysis.diagnostics);
        let files = generate(&analysis.checked.program);
        assert_cfn_lint_clean(case, &files);
        let template = yaml(file(&files, "shop/infra.template.yml"));
        let params = template["Parameters"].as_object().unwrap();
        for (name, _) in &envs {
            let config: Value =
                serde_json::from_str(file(&files, &naming::config_file("shop", name))).unwrap();
            let set = config["Parameters"].as_object().unwrap();
            for k in set.keys() {
                assert!(params.contains_key(k), "{case}/{name}: {k} is not a template parameter");
            }
        }
    }
}

/// `database.backup`: the checker's range is the template's `DbBackupRetentionDays` range, the
/// default is in it, and what the checker rejects (0d: pf keeps RDS automated backups on) never
/// reaches a template; what it accepts passes cfn-lint.
#[test]
fn database_backup_retention_agrees_with_the_template() {
    let field = pf_compiler::schema::DATABASE.field("backup").unwrap();
    let pf_compiler::schema::Ty::Duration { min, max } = field.ty else { panic!("backup is a duration") };
    let analysis = analyze_source(&[("a", "network { cidr = 10.1.0.0/16 }, database = postgres {}")]);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let files = generate(&analysis.checked.program);
    let template = yaml(file(&files, "shop/infra.template.yml"));
    let param = &template["Parameters"]["DbBackupRetentionDays"];
    assert_eq!(param["MinValue"].as_u64().unwrap() * 86_400, min);
    assert_eq!(param["MaxValue"].as_u64().unwrap() * 86_400, max);
    assert_eq!(field.default, Some("7d"));
    assert_eq!(param["Default"], 7);
    for (backup, ok) in
        [("0d", false), ("0s", false), ("12h", false), ("1d", true), ("35d", true), ("36d", false)]
    {
        let body = format!("network {{ cidr = 10.1.0.0/16 }}, database = postgres {{ backup = {backup} }}");
        let analysis = analyze_source(&[("a", body)]);
        if !ok {
            assert!(
                analysis.diagnostics.iter().any(|d| d.code == pf_compiler::diagnostic::codes::PF2002),
                "backup = {backup} is accepted: {:?}",
                analysis.diagnostics
            );
            continue;
        }
        assert!(!analysis.has_errors(), "backup = {backup}: {:?}", analysis.diagnostics);
        let files = generate(&analysis.checked.program);
        assert_cfn_lint_clean(&format!("backup-{backup}"), &files);
        let config: Value = serde_json::from_str(file(&files, &naming::config_file("shop", "a"))).unwrap();
        assert_eq!(config["Parameters"]["DbBackupRetentionDays"], backup.trim_end_matches('d'));
    }
}

/// `a.b.c.d/p` from a configuration.
fn parse_cidr(s: &str) -> pf_compiler::ast::Cidr {
    let (addr, prefix) = s.split_once('/').unwrap_or_else(|| panic!("`{s}` is not a CIDR block"));
    let octets: Vec<u32> = addr.split('.').map(|o| o.parse().unwrap()).collect();
    assert_eq!(octets.len(), 4, "`{s}`");
    pf_compiler::ast::Cidr {
        addr: octets.iter().fold(0, |a, o| (a << 8) | o),
        prefix: prefix.parse().unwrap(),
    }
}

/// Every subnet the template creates for an environment (`AzCount`, `HasAz<i>`) selects an
/// existing entry of its configuration's subnet lists, and the lists fit the VPC.
fn assert_subnets_consistent(case: &str, files: &[OutputFile], envs: &[&str]) {
    let template = yaml(file(files, "shop/infra.template.yml"));
    let resources = template["Resources"].as_object().unwrap();
    for env in envs {
        let config: Value = serde_json::from_str(file(files, &naming::config_file("shop", env))).unwrap();
        let params = &config["Parameters"];
        let azs: usize = params["AzCount"].as_str().unwrap().parse().unwrap();
        let vpc = parse_cidr(params["VpcCidr"].as_str().unwrap());
        let mut all = Vec::new();
        for kind in ["Public", "Private"] {
            let list: Vec<pf_compiler::ast::Cidr> = params[format!("{kind}SubnetCidrs").as_str()]
                .as_str()
                .unwrap()
                .split(',')
                .map(parse_cidr)
                .collect();
            assert_eq!(list.len(), azs.max(2), "{case}/{env}: {kind}SubnetCidrs {list:?} for {azs} AZs");
            let mut created = 0;
            for (id, r) in resources {
                if r["Type"] != "AWS::EC2::Subnet" || !id.starts_with(kind) {
                    continue;
                }
                let exists = match r["Condition"].as_str() {
                    None => true,
                    Some(c) => azs >= c.strip_prefix("HasAz").unwrap().parse::<usize>().unwrap(),
                };
                if !exists {
                    continue;
                }
                created += 1;
                let select = &r["Properties"]["CidrBlock"]["Fn::Select"];
                assert_eq!(select[1]["Ref"], format!("{kind}SubnetCidrs"), "{case}: {id}");
                let index = select[0].as_u64().unwrap() as usize;
                assert!(index < list.len(), "{case}/{env}: {id} selects entry {index} of {list:?}");
            }
            assert_eq!(created, list.len(), "{case}/{env}: {kind} subnets created");
            all.extend(list);
        }
        for (i, c) in all.iter().enumerate() {
            assert!(vpc.contains(*c), "{case}/{env}: {c} is outside {vpc}");
            assert!(all[..i].iter().all(|o| !o.overlaps(*c)), "{case}/{env}: {c} overlaps {all:?}");
        }
    }
}

#[test]
fn every_az_count_gets_the_subnets_its_template_selects() {
    let cases: Vec<(String, Vec<(&str, String)>)> = vec![
        ("default-1".into(), vec![("dev", "cidr = 10.0.0.0/16, azs = 1".into())]),
        ("default-1-small".into(), vec![("dev", "cidr = 10.0.0.0/20, azs = 1".into())]),
        ("default-2".into(), vec![("dev", "cidr = 10.0.0.0/16, azs = 2".into())]),
        ("default-3".into(), vec![("dev", "cidr = 10.0.0.0/16, azs = 3".into())]),
        (
            "explicit-1".into(),
            vec![("dev", "cidr = 10.0.0.0/16, azs = 1, public = [10.0.0.0/24], private = [10.0.1.0/24]".into())],
        ),
        (
            "explicit-1-two".into(),
            vec![(
                "dev",
                "cidr = 10.0.0.0/16, azs = 1, public = [10.0.0.0/24, 10.0.1.0/24], private = [10.0.2.0/24, 10.0.3.0/24]"
                    .into(),
            )],
        ),
        (
            "explicit-2".into(),
            vec![(
                "dev",
                "cidr = 10.0.0.0/16, azs = 2, public = [10.0.0.0/24, 10.0.1.0/24], private = [10.0.2.0/24, 10.0.3.0/24]"
                    .into(),
            )],
        ),
        (
            "explicit-3".into(),
            vec![(
                "dev",
                "cidr = 10.0.0.0/16, azs = 3, public = [10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24], private = [10.0.3.0/24, 10.0.4.0/24, 10.0.5.0/24]"
                    .into(),
            )],
        ),
        (
            "mixed-1-2-3".into(),
            vec![
                ("one", "cidr = 10.1.0.0/16, azs = 1".into()),
                ("two", "cidr = 10.2.0.0/16, azs = 2".into()),
                ("three", "cidr = 10.3.0.0/16, azs = 3".into()),
            ],
        ),
    ];
    let dir = out_dir("subnets");
    let mut templates = Vec::new();
    for (case, envs) in &cases {
        let envs: Vec<(&str, &str)> = envs.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let files = build_source(&envs);
        let names: Vec<&str> = envs.iter().map(|e| e.0).collect();
        assert_subnets_consistent(case, &files, &names);
        let written = write(&dir.join(case), &files);
        templates.extend(written.into_iter().filter(|p| p.to_string_lossy().ends_with("infra.template.yml")));
    }
    let out = run(Command::new("cfn-lint").args(&templates), "pip install cfn-lint");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint findings:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Template contents

#[test]
fn template_has_the_documented_shape() {
    let files = generate(&fixture::sample_program());
    let t = yaml(file(&files, "webshop/infra.template.yml"));
    let res = t["Resources"].as_object().unwrap();
    let types: Vec<&str> = res.values().map(|r| r["Type"].as_str().unwrap()).collect();
    assert!(!types.contains(&"AWS::AutoScaling::LaunchConfiguration"));
    let lt = &res["LaunchTemplate"]["Properties"]["LaunchTemplateData"];
    assert_eq!(lt["MetadataOptions"]["HttpTokens"], "required");
    assert_eq!(lt["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], true);
    assert_eq!(lt["NetworkInterfaces"][0]["AssociatePublicIpAddress"], false);
    let user_data = lt["UserData"]["Fn::Base64"]["Fn::Sub"].as_str().unwrap();
    assert!(user_data.contains(
        "https://aws-codedeploy-${AWS::Region}.s3.${AWS::Region}.${AWS::URLSuffix}/latest/install"
    ));
    assert_eq!(res["AutoScalingGroup"]["Properties"]["HealthCheckType"], "ELB");
    let dg = &res["DeploymentGroup"]["Properties"];
    assert_eq!(dg["DeploymentGroupName"]["Fn::Sub"], naming::deployment_group("webshop", "${EnvName}"));
    assert_eq!(dg["DeploymentStyle"]["DeploymentType"], "IN_PLACE");
    assert_eq!(res["Database"]["DeletionPolicy"], "Snapshot");
    assert_eq!(res["Database"]["Properties"]["StorageEncrypted"], true);
    assert_eq!(res["HttpsListener"]["Properties"]["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    assert!(t["Outputs"][naming::env_url_output()].is_object());
    // Every security group rule says why it exists; no SSH.
    let text = serde_json::to_string(&t).unwrap();
    assert!(!text.contains("\"FromPort\":22"));
    for r in res.values() {
        let p = &r["Properties"];
        for rule in p["SecurityGroupIngress"]
            .as_array()
            .into_iter()
            .chain(p["SecurityGroupEgress"].as_array())
            .flatten()
        {
            assert!(rule["Description"].is_string(), "{rule}");
        }
        if r["Type"] == "AWS::EC2::SecurityGroupIngress" {
            assert!(p["Description"].is_string());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Artifacts

#[test]
fn app_artifacts_cover_every_referenced_path() {
    for (name, program) in variants() {
        let app = &program.apps[0];
        let spec = yaml(
            &buildspec::generate(&program)
                .into_iter()
                .find(|f| f.path == "webshop/buildspec.yml")
                .unwrap()
                .contents,
        );
        let globs: Vec<String> = spec["artifacts"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_string())
            .collect();
        assert_eq!(globs, buildspec::app_artifacts(&program, app));
        let mut needed = vec![
            "appspec.yml".to_string(),
            naming::in_repo(&program.project, &naming::infra_template_file(&app.name, "yml")),
        ];
        for env in &program.envs {
            needed.push(naming::in_repo(&program.project, &naming::config_file(&app.name, &env.name)));
        }
        let pf_compiler::ir::Deploy::Ec2(deploy) = &app.deploy else {
            panic!("the examples here are EC2 apps")
        };
        needed.extend(deploy.hooks.iter().map(|h| h.script.clone()));
        needed.extend(deploy.files.iter().map(|(src, _)| src.clone()));
        for path in needed {
            assert!(
                globs.iter().any(|g| pf_compiler::glob::matches(g, &path)),
                "{name}: {path} is not in the app's artifacts {globs:?}"
            );
        }
        // The appspec is copied to the revision root from where it is generated.
        let post = spec["phases"]["post_build"]["commands"].as_array().unwrap();
        let copy =
            format!("cp {} appspec.yml", naming::in_repo(&program.project, &naming::appspec_file(&app.name)));
        // (followed by `&& chmod +x` of the runtime-values hook when the app has one).
        assert!(post.iter().any(|c| c.as_str().is_some_and(|c| c.starts_with(&copy))), "{post:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism and snapshots

#[test]
fn generation_is_deterministic() {
    for (_, p) in variants() {
        assert_eq!(generate(&p), generate(&p));
    }
}

#[test]
fn snapshots() {
    let files = generate(&fixture::sample_program());
    insta::assert_snapshot!("infra_template", file(&files, "webshop/infra.template.yml"));
    insta::assert_snapshot!("prod_config", file(&files, "webshop/config/prod.json"));
    insta::assert_snapshot!("buildspec", file(&files, "webshop/buildspec.yml"));
    insta::assert_snapshot!("test_buildspec", file(&files, "webshop/buildspec-unit.yml"));
    insta::assert_snapshot!("appspec", file(&files, "webshop/appspec.yml"));
}
