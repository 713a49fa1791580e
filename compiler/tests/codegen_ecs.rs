//! The ECS Fargate target's code generation: the environment template of each release strategy
//! (cfn-lint, checkov, snapshots), its configurations, the docker build's buildspec (the
//! buildspec schema), and what the template promises: secrets by reference only, least
//! privilege, the release's parameters, the strategies' properties.
//!
//! cfn-lint, checkov and python3 with `jsonschema` and PyYAML must be installed: the tests fail,
//! never skip, without them.

use pf_compiler::codegen::{self, fixture, infra, naming, OutputFile};
use pf_compiler::ir::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const VALIDATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/tools/validate_schema.py");
const BUILDSPEC_SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/buildspec.schema.json");

/// The ECS fixture (rolling, blue/green, canary) and variants: every environment on one
/// strategy (rolling, blue/green, linear), no scaling, arm64, passwords and certificates from
/// references, the `cpu` alarm.
fn variants() -> Vec<(&'static str, Program)> {
    let base = fixture::sample_ecs_program();
    let one = |strategy: Strategy| {
        let mut p = base.clone();
        for e in &mut p.envs {
            e.strategy = strategy;
        }
        p
    };
    let mut rolling = one(Strategy::Rolling(Rolling { min_healthy: 100, ..Strategy::OneAtATime.refresh() }));
    for e in &mut rolling.envs {
        e.compute.scale_on = Scaling::None;
        e.alarms.clear();
        e.rollback.on_alarms.clear();
        e.database = None;
        e.cache = None;
    }
    rolling.apps[0].runtime.clear();
    if let Deploy::Ecs(d) = &mut rolling.apps[0].deploy {
        d.secrets.clear();
    }
    let blue_green = one(Strategy::BlueGreen(BlueGreen { shift: Shift::AllAtOnce, bake_seconds: 30 * 60 }));
    let mut linear = one(Strategy::BlueGreen(BlueGreen {
        shift: Shift::Linear { percent: 25, wait_seconds: 120 },
        bake_seconds: 300,
    }));
    linear.apps[0].build.arm = true;
    for e in &mut linear.envs {
        if let Some(db) = &mut e.database {
            db.password = Some(Text::Secret(format!("webshop/{}/db:password", e.name)));
        }
        if let Some(dns) = &mut e.dns {
            dns.certificate = Some(Text::Secret("webshop/certificate:arn".into()));
        }
        e.compute.scale_on = Scaling::Requests(500);
        e.alarms.push(Alarm {
            name: "cpu".into(),
            metric: Metric::Cpu,
            threshold: 90,
            period_seconds: 300,
            evaluation_periods: 2,
        });
        e.alarms.push(Alarm {
            name: "unhealthy".into(),
            metric: Metric::UnhealthyHosts,
            threshold: 0,
            period_seconds: 60,
            evaluation_periods: 1,
        });
    }
    vec![("ecs", base), ("ecs-rolling", rolling), ("ecs-blue-green", blue_green), ("ecs-linear", linear)]
}

fn generate(p: &Program) -> Vec<OutputFile> {
    codegen::generate(p, &Default::default())
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file {path}")).contents
}

fn template(p: &Program) -> Value {
    let ctx = infra::Ctx::new(p, &p.apps[0]).expect("deployed");
    infra::template(&ctx)
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pf-codegen-ecs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_variants(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (name, p) in variants() {
        for f in generate(&p) {
            let path = dir.join(name).join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &f.contents).unwrap();
            out.push(path);
        }
    }
    out
}

fn run(cmd: &mut Command, install: &str) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {:?} ({e}): {install}", cmd.get_program()))
}

fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    t["Resources"].get(id).unwrap_or_else(|| panic!("no resource {id}"))
}

#[test]
fn templates_pass_cfn_lint() {
    let dir = out_dir("cfn-lint");
    let templates: Vec<PathBuf> =
        write_variants(&dir).into_iter().filter(|p| p.to_string_lossy().ends_with(".template.yml")).collect();
    assert_eq!(templates.len(), 2 * variants().len());
    let out = run(Command::new("cfn-lint").args(&templates), "pip install cfn-lint");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint findings:\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

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
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("checkov output ({e}):\n{stdout}"));
    let reports = match report {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut failures = Vec::new();
    for r in &reports {
        assert_eq!(r["summary"]["parsing_errors"], 0);
        for c in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            failures.push(format!("{} {} {}", c["check_id"], c["file_path"], c["resource"]));
        }
        for c in r["results"]["skipped_checks"].as_array().into_iter().flatten() {
            let comment = c["check_result"]["suppress_comment"].as_str().unwrap_or_default();
            assert!(
                comment.trim().len() > 20,
                "suppression of {} on {} has no reason",
                c["check_id"],
                c["resource"]
            );
        }
        assert!(r["summary"]["passed"].as_u64().unwrap_or(0) > 50, "checkov checked nothing");
    }
    assert!(failures.is_empty(), "checkov failed checks:\n{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_docker_buildspec_matches_the_schema_and_pushes_the_image() {
    let dir = out_dir("schemas");
    let buildspecs: Vec<PathBuf> = write_variants(&dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("buildspec"))
        .collect();
    assert!(buildspecs.len() >= variants().len());
    let out = run(
        Command::new("python3").arg(VALIDATE).arg(BUILDSPEC_SCHEMA).args(&buildspecs),
        "pip install jsonschema pyyaml",
    );
    assert!(
        out.status.success(),
        "buildspec schema errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let files = generate(&fixture::sample_ecs_program());
    let spec: Value = serde_yaml::from_str(file(&files, "webshop/buildspec.yml")).unwrap();
    let post: Vec<&str> = spec["phases"]["post_build"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        post.iter().any(|c| c.contains("docker push \"$IMAGE_REGISTRY/$IMAGE_REPOSITORY:$IMAGE_TAG\"")),
        "{post:?}"
    );
    assert!(post.last().unwrap().ends_with(&format!("> {}", naming::IMAGE_FILE)), "{post:?}");
    assert!(spec["artifacts"]["files"].as_array().unwrap().contains(&Value::from(naming::IMAGE_FILE)));
    // ECS ships no appspec.
    assert!(!files.iter().any(|f| f.path.ends_with("appspec.yml")));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every parameter without a default is set by each configuration or passed by the pipeline,
/// every configured value is declared, and no configuration holds a secret.
#[test]
fn configurations_fit_the_template() {
    for (name, p) in variants() {
        let t = template(&p);
        let ctx = infra::Ctx::new(&p, &p.apps[0]).unwrap();
        for env in &ctx.envs {
            let v = infra::values(&ctx, env);
            assert_eq!(infra::unset_parameters(&t, &v), Vec::<String>::new(), "{name}/{}", env.name);
            assert_eq!(infra::undeclared_values(&t, &v), Vec::<String>::new(), "{name}/{}", env.name);
            for (k, value) in &v {
                assert!(!value.contains("{{resolve"), "{name}/{}: {k}", env.name);
            }
        }
        // The release parameters come from the pipeline; the EC2 ones are not declared.
        for p in [naming::IMAGE_REPOSITORY_PARAMETER, naming::IMAGE_TAG_PARAMETER] {
            assert!(
                t["Parameters"][p].is_object() && t["Parameters"][p].get("Default").is_none(),
                "{name}: {p}"
            );
        }
        for p in [
            "ArtifactBucket",
            "ArtifactKeyArn",
            naming::INFRA_CODEDEPLOY_APPLICATION_PARAMETER,
            "InstanceType",
        ] {
            assert!(t["Parameters"].get(p).is_none(), "{name}: {p}");
        }
    }
}

/// The container's secrets are references (ARNs, never values), one list per environment; the
/// execution role reads exactly what they name; the task runs without public IPs, read-only.
#[test]
fn the_task_reads_its_secrets_by_reference_only() {
    let p = fixture::sample_ecs_program();
    let t = template(&p);
    let task = &resource(&t, "TaskDefinition")["Properties"];
    assert_eq!(task["RequiresCompatibilities"], serde_json::json!(["FARGATE"]));
    assert_eq!(task["NetworkMode"], "awsvpc");
    let container = &task["ContainerDefinitions"][0];
    assert_eq!(container["ReadonlyRootFilesystem"], true);
    assert!(container.get("Environment").is_none(), "no plain environment values");
    // Fn::If [EcsInTest, [...], Fn::If [EcsInUat, [...], Fn::If [EcsInProd, [...], NoValue]]]
    let mut lists = Vec::new();
    let mut node = &container["Secrets"];
    while let Some(branches) = node["Fn::If"].as_array() {
        lists.push((branches[0].as_str().unwrap().to_string(), branches[1].clone()));
        node = &branches[2];
    }
    let conditions: Vec<&str> = lists.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(conditions, ["EcsInTest", "EcsInUat", "EcsInProd"]);
    for (cond, list) in &lists {
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|s| s["Name"].as_str().unwrap()).collect();
        assert!(names.contains(&"API_TOKEN"), "{cond}: {names:?}");
        for s in list.as_array().unwrap() {
            let from = serde_json::to_string(&s["ValueFrom"]).unwrap();
            assert!(
                from.contains("arn:${AWS::Partition}:ssm:")
                    || from.contains(":secretsmanager:")
                    || from.contains("MasterUserSecret"),
                "{cond}: {} reads {from}",
                s["Name"]
            );
        }
    }
    let prod = &lists[2].1;
    let host =
        prod.as_array().unwrap().iter().find(|s| s["Name"] == "DATABASE_HOST").expect("prod has a database");
    assert!(host["ValueFrom"]["Fn::Sub"]
        .as_str()
        .unwrap()
        .ends_with("parameter/pf/webshop/prod/DATABASE_HOST"));
    let param = resource(&t, "RuntimeProdDATABASEHOST");
    assert_eq!(
        param["Properties"]["Value"],
        serde_json::json!({"Fn::GetAtt": ["Database", "Endpoint.Address"]})
    );
    assert_eq!(param["Condition"], "EcsInProd");
    let service = &resource(&t, "Service")["Properties"];
    assert_eq!(service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"], "DISABLED");
    assert_eq!(resource(&t, "TargetGroup")["Properties"]["TargetType"], "ip");
    // The execution role: ECR login (no resource-level permission), the one repository, the one
    // log group, and per environment the parameters and secrets of its list.
    let policies = resource(&t, "ExecutionRole")["Properties"]["Policies"].as_array().unwrap();
    let base = &policies[0]["PolicyDocument"]["Statement"];
    let star: Vec<&Value> = base.as_array().unwrap().iter().filter(|s| s["Resource"] == "*").collect();
    assert_eq!(star.len(), 1);
    assert_eq!(star[0]["Action"], "ecr:GetAuthorizationToken");
    let text = serde_json::to_string(&policies[1..]).unwrap();
    assert!(text.contains("secret:webshop/api-??????"), "{text}");
    assert!(!text.contains("\"*\""), "{text}");
    // The task role has the app's `allow` permissions only.
    let task_role = &resource(&t, "TaskRole")["Properties"];
    let granted = serde_json::to_string(&task_role["Policies"]).unwrap();
    for perm in &p.apps[0].permissions {
        for a in &perm.actions {
            assert!(granted.contains(a.as_str()), "{a}");
        }
    }
}

/// Each strategy's deployment configuration, as ECS's `AWS::ECS::Service` schema names it.
#[test]
fn strategies_configure_the_service_deployment() {
    let by_name: std::collections::BTreeMap<&str, Program> = variants().into_iter().collect();
    let config = |name: &str| {
        resource(&template(&by_name[name]), "Service")["Properties"]["DeploymentConfiguration"].clone()
    };

    let rolling = config("ecs-rolling");
    assert_eq!(rolling["Strategy"], "ROLLING");
    assert_eq!(rolling["DeploymentCircuitBreaker"]["Enable"], true);
    assert!(rolling.get("BakeTimeInMinutes").is_none() && rolling.get("Alarms").is_none());
    let t = template(&by_name["ecs-rolling"]);
    assert!(
        t["Resources"].get("AlternateTargetGroup").is_none() && t["Resources"].get("TestListener").is_none()
    );
    assert_eq!(resource(&t, "Service")["DependsOn"], serde_json::json!(["ProductionListenerRule"]));
    assert_eq!(
        resource(&t, "Service")["Properties"]["DesiredCount"],
        serde_json::json!({"Ref": "DesiredCapacity"})
    );

    let bg = config("ecs-blue-green");
    assert_eq!(bg["Strategy"], "BLUE_GREEN");
    assert_eq!(bg["BakeTimeInMinutes"], serde_json::json!({"Ref": "BakeTime"}));
    assert!(bg.get("DeploymentCircuitBreaker").is_none(), "the circuit breaker is for ROLLING only");
    assert!(bg["Alarms"]["Fn::If"][1]["Rollback"] == true);
    let t = template(&by_name["ecs-blue-green"]);
    let lb = &resource(&t, "Service")["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"];
    assert_eq!(lb["AlternateTargetGroupArn"], serde_json::json!({"Ref": "AlternateTargetGroup"}));
    assert_eq!(lb["TestListenerRule"], serde_json::json!({"Ref": "TestListenerRule"}));
    let test_ingress = &resource(&t, "LoadBalancerTestIngress")["Properties"];
    assert_eq!(
        test_ingress["CidrIp"],
        serde_json::json!({"Ref": "VpcCidr"}),
        "the test listener is for the VPC only"
    );
    let weights =
        &resource(&t, "ProductionListenerRule")["Properties"]["Actions"][0]["ForwardConfig"]["TargetGroups"];
    assert_eq!(weights[0]["Weight"], 100);
    assert_eq!(weights[1]["Weight"], 0);
    let ctx = infra::Ctx::new(&by_name["ecs-blue-green"], &by_name["ecs-blue-green"].apps[0]).unwrap();
    let v = infra::values(&ctx, ctx.envs[0]);
    assert!(v.contains(&("BakeTime".into(), "30".into())), "{v:?}");

    let linear = config("ecs-linear");
    assert_eq!(linear["Strategy"], "LINEAR");
    assert_eq!(linear["LinearConfiguration"]["StepPercent"], serde_json::json!({"Ref": "LinearPercent"}));
    let p = &by_name["ecs-linear"];
    let ctx = infra::Ctx::new(p, &p.apps[0]).unwrap();
    let v = infra::values(&ctx, ctx.envs[0]);
    assert!(
        v.contains(&("LinearPercent".into(), "25".into()))
            && v.contains(&("LinearInterval".into(), "2".into())),
        "{v:?}"
    );
    let t = template(p);
    assert_eq!(resource(&t, "TaskDefinition")["Properties"]["RuntimePlatform"]["CpuArchitecture"], "ARM64");
    let cpu = &resource(&t, "AlarmCpu")["Properties"];
    assert_eq!(cpu["Namespace"], "AWS/ECS");

    // Mixed: each environment picks its strategy; canary's configuration only under IsCanary.
    let mixed = config("ecs");
    assert_eq!(mixed["Strategy"], serde_json::json!({"Ref": "DeploymentStrategy"}));
    assert_eq!(mixed["CanaryConfiguration"]["Fn::If"][0], "IsCanary");
    let p = &by_name["ecs"];
    let ctx = infra::Ctx::new(p, &p.apps[0]).unwrap();
    let strategy = |env: &Env| {
        infra::values(&ctx, env).into_iter().find(|(k, _)| k == "DeploymentStrategy").map(|(_, v)| v).unwrap()
    };
    let all: Vec<String> = ctx.envs.iter().map(|e| strategy(e)).collect();
    assert_eq!(all, ["ROLLING", "BLUE_GREEN", "CANARY"]);
}

#[test]
fn snapshots() {
    for (name, p) in variants() {
        let files = generate(&p);
        insta::assert_snapshot!(format!("{name}_infra_template"), file(&files, "webshop/infra.template.yml"));
    }
    let files = generate(&fixture::sample_ecs_program());
    insta::assert_snapshot!("ecs_prod_config", file(&files, "webshop/config/prod.json"));
    insta::assert_snapshot!("ecs_buildspec", file(&files, "webshop/buildspec.yml"));
}

/// The pipeline lowering of an ECS app: a deploy with infrastructure is one CloudFormation
/// update (no `deploy-ENV`); with `infra = false`, `deploy-ENV` is that update, with the release
/// parameters, and nothing of CodeDeploy.
#[test]
fn an_ecs_deploy_is_one_stack_update_with_or_without_infra() {
    let text = "use std.build.docker\n\napp orders {\n  source = codecommit { repository = \"orders\" }\n  build  = docker\n  deploy = ecs { port = 8080 }\n}\n\nenv staging {\n  network { cidr = 10.40.0.0/16 }\n}\n\nenv qa {\n  network { cidr = 10.41.0.0/16 }\n}\n\npipeline orders {\n  stage build { build }\n  stage staging { deploy staging }\n  stage qa { deploy qa { infra = false } }\n}\n";
    let a = pf_compiler::driver::analyze(
        vec![pf_compiler::driver::Root { name: "orders.pf".into(), bytes: text.as_bytes().to_vec() }],
        &pf_compiler::driver::NoFiles,
    );
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
    let p = &a.checked.program;
    let names: Vec<Vec<&str>> =
        p.pipelines[0].stages.iter().map(|s| s.actions.iter().map(|a| a.name.as_str()).collect()).collect();
    assert_eq!(names, [vec!["Source"], vec!["build"], vec!["infra-staging"], vec!["deploy-qa"]]);
    let t =
        pf_compiler::codegen::pipeline::template(p, &p.pipelines[0], pf_compiler::codegen::CfnFormat::Yaml)
            .unwrap();
    let stages = t["Resources"]["Pipeline"]["Properties"]["Stages"].as_array().unwrap();
    let qa = &stages.iter().find(|s| s["Name"] == "qa").expect("stage qa")["Actions"][0];
    assert_eq!(qa["ActionTypeId"]["Provider"], "CloudFormation");
    assert_eq!(qa["Configuration"]["ActionMode"], "CREATE_UPDATE");
    assert_eq!(qa["Configuration"]["StackName"], "orders-qa");
    let overrides = qa["Configuration"]["ParameterOverrides"]["Fn::Sub"].as_str().unwrap();
    assert!(
        overrides.contains("\"ImageTag\": {\"Fn::GetParam\": [\"Build\", \"pf-image.json\", \"tag\"]}"),
        "{overrides}"
    );
}
