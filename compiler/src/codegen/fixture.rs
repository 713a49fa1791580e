//! A hand-built checked program for code generator tests, independent of the checker.
//! It exercises every IR feature: three environments (one protected with a database, DNS,
//! HTTPS and alarms), parallel tests, two distinct approvals, an invoke action.

use crate::ast::Cidr;
use crate::ir::*;
use std::collections::BTreeMap;

fn cidr(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Cidr {
    Cidr { addr: u32::from_be_bytes([a, b, c, d]), prefix }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The build of the sample app.
pub fn sample_build() -> Build {
    Build {
        image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0".into(),
        compute: ComputeType::Small,
        arm: false,
        timeout_minutes: 30,
        privileged: false,
        runtimes: BTreeMap::from([("golang".to_string(), "1.22".to_string())]),
        install: vec![],
        pre_build: strings(&["go mod download"]),
        test: strings(&["go vet ./...", "go test ./... -coverprofile=cover.out"]),
        build: strings(&["go build -o dist/server ./cmd/server"]),
        post_build: vec![],
        artifacts: strings(&["dist/**/*", "scripts/**/*"]),
        cache: strings(&["/root/go/pkg/mod/**/*"]),
        variables: BTreeMap::from([
            ("GOFLAGS".to_string(), Text::Plain("-mod=readonly".into())),
            ("API_KEY".to_string(), Text::Secret("webshop/api:key".into())),
            ("FEATURE_FLAGS".to_string(), Text::Param("/webshop/flags".into())),
        ]),
        exported: strings(&["GOFLAGS"]),
        reports: vec![Report {
            name: "unit".into(),
            files: strings(&["report.xml"]),
            base_directory: Some("reports".into()),
            format: ReportFormat::JUnitXml,
        }],
    }
}

fn network(b: u8, azs: u8, nat: Nat) -> Network {
    Network {
        cidr: cidr(10, b, 0, 0, 16),
        azs,
        nat,
        public_subnets: (0..azs.max(2)).map(|i| cidr(10, b, i, 0, 24)).collect(),
        private_subnets: (0..azs.max(2)).map(|i| cidr(10, b, 128 + i, 0, 24)).collect(),
    }
}

/// A small, cheap environment.
pub fn sample_test_env() -> Env {
    Env {
        name: "test".into(),
        protected: false,
        network: network(10, 2, Nat::Single),
        compute: Compute {
            cpu: 256,
            memory_mib: 512,
            instance: "t3.micro".into(),
            min: 1,
            max: 2,
            desired: 1,
            scale_on: Scaling::Cpu(70),
            volume_gib: 20,
            arm: false,
        },
        database: Some(Database {
            engine: Engine::Postgres,
            version: "16".into(),
            class: "db.t4g.micro".into(),
            storage_gib: 20,
            multi_az: false,
            backup_days: 1,
            username: "app".into(),
            password: None,
            name: "webshop".into(),
        }),
        cache: None,
        dns: None,
        strategy: Strategy::AllAtOnce,
        rollback: Rollback { on_failure: true, on_alarms: vec![] },
        alarms: vec![],
        tags: BTreeMap::new(),
        runtime: BTreeMap::new(),
        placement: Placement::default(),
    }
}

/// A highly available, protected environment.
pub fn sample_prod_env() -> Env {
    Env {
        name: "prod".into(),
        protected: true,
        network: network(20, 3, Nat::PerAz),
        compute: Compute {
            cpu: 256,
            memory_mib: 512,
            instance: "t3.large".into(),
            min: 2,
            max: 12,
            desired: 3,
            scale_on: Scaling::Requests(1000),
            volume_gib: 30,
            arm: false,
        },
        database: Some(Database {
            engine: Engine::Postgres,
            version: "16".into(),
            class: "db.m6g.large".into(),
            storage_gib: 100,
            multi_az: true,
            backup_days: 14,
            username: "app".into(),
            password: Some(Text::Secret("webshop/prod/db".into())),
            name: "webshop".into(),
        }),
        cache: Some(Cache { node: "cache.t4g.small".into(), nodes: 2, version: "7.1".into() }),
        dns: Some(Dns {
            zone: "example.com".into(),
            name: "www".into(),
            certificate: Some(Text::Plain(
                "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555".into(),
            )),
        }),
        strategy: Strategy::OneAtATime,
        rollback: Rollback { on_failure: true, on_alarms: strings(&["errors"]) },
        alarms: vec![Alarm {
            name: "errors".into(),
            metric: Metric::Target5xx,
            threshold: 10,
            period_seconds: 60,
            evaluation_periods: 2,
        }],
        tags: BTreeMap::from([("cost-center".to_string(), "web".to_string())]),
        runtime: BTreeMap::new(),
        placement: Placement::default(),
    }
}

fn action(name: &str, run_order: u32, inputs: &[&str], outputs: &[&str], kind: ActionKind) -> Action {
    Action { name: name.into(), run_order, inputs: strings(inputs), outputs: strings(outputs), kind }
}

/// The sample program: app `webshop`, envs `test`, `uat` (a copy of prod, smaller) and `prod`.
pub fn sample_program() -> Program {
    let mut uat = sample_prod_env();
    uat.name = "uat".into();
    uat.protected = false;
    uat.network = network(30, 3, Nat::PerAz);
    uat.compute.min = 1;
    uat.compute.max = 2;
    uat.compute.desired = 1;
    uat.dns = None;
    let test_job = |name: &str, cmd: &str| TestJob {
        name: name.into(),
        build: Build {
            test: strings(&[cmd]),
            build: vec![],
            artifacts: vec![],
            reports: vec![],
            exported: vec![],
            variables: BTreeMap::new(),
            ..sample_build()
        },
        env: Some("test".into()),
    };
    let approval = |group: &str| Approval {
        group: group.into(),
        notify: strings(&[&format!("{group}@example.com")]),
        message: Some(format!("{group}: please review the release")),
        link: Some("https://example.com/releases".into()),
        timeout_minutes: 3 * 24 * 60,
    };
    Program {
        project: Project {
            output: "pf-out".into(),
            tags: BTreeMap::from([("project".to_string(), "webshop".to_string())]),
            source: "webshop.pf".into(),
            placement: Placement::default(),
        },
        apps: vec![App {
            name: "webshop".into(),
            source: Source::CodeCommit { repository: "webshop".into(), branch: "main".into(), create: true },
            build: sample_build(),
            deploy: Deploy::Ec2(Ec2Deploy {
                port: 8080,
                health_check: HealthCheck {
                    path: "/healthz".into(),
                    interval_seconds: 15,
                    healthy_threshold: 2,
                },
                files: vec![("dist/server".into(), "/opt/webshop".into())],
                hooks: vec![
                    Hook {
                        event: HookEvent::AfterInstall,
                        script: "scripts/install.sh".into(),
                        timeout_seconds: 300,
                        runas: Some("root".into()),
                    },
                    Hook {
                        event: HookEvent::ApplicationStart,
                        script: "scripts/start.sh".into(),
                        timeout_seconds: 120,
                        runas: Some("root".into()),
                    },
                    Hook {
                        event: HookEvent::ValidateService,
                        script: "scripts/health.sh".into(),
                        timeout_seconds: 120,
                        runas: None,
                    },
                ],
                user: Some("webshop".into()),
                image: None,
            }),
            tags: BTreeMap::new(),
            runtime: BTreeMap::new(),
            permissions: Vec::new(),
        }],
        envs: vec![sample_test_env(), uat, sample_prod_env()],
        pipelines: vec![Pipeline {
            name: "release".into(),
            app: "webshop".into(),
            pipeline_type: PipelineType::V2,
            execution_mode: ExecutionMode::Queued,
            triggers: vec![Trigger::Push { branches: strings(&["main"]), tags: vec![], paths: vec![] }],
            notify_failure: strings(&["team@example.com"]),
            self_update: true,
            stages: vec![
                Stage {
                    name: "Source".into(),
                    gate: None,
                    rollback_on_failure: false,
                    actions: vec![action("Source", 1, &[], &["Source"], ActionKind::Source)],
                },
                Stage {
                    name: "build".into(),
                    gate: None,
                    rollback_on_failure: false,
                    actions: vec![action("build", 1, &["Source"], &["Build"], ActionKind::Build)],
                },
                Stage {
                    name: "test".into(),
                    gate: None,
                    rollback_on_failure: false,
                    actions: vec![
                        action(
                            "infra-test",
                            1,
                            &["Build"],
                            &[],
                            ActionKind::DeployInfra { env: "test".into(), mode: InfraMode::CreateUpdate },
                        ),
                        action(
                            "deploy-test",
                            2,
                            &["Build"],
                            &[],
                            ActionKind::DeployApp { env: "test".into() },
                        ),
                        action(
                            "unit",
                            3,
                            &["Build"],
                            &[],
                            ActionKind::Test(Box::new(test_job("unit", "make it"))),
                        ),
                        action(
                            "load",
                            3,
                            &["Build"],
                            &[],
                            ActionKind::Test(Box::new(test_job("load", "k6 run load.js"))),
                        ),
                        action(
                            "smoke",
                            4,
                            &[],
                            &[],
                            ActionKind::Invoke {
                                function: "webshop-smoke".into(),
                                params: Some("test".into()),
                            },
                        ),
                    ],
                },
                Stage {
                    name: "uat".into(),
                    gate: None,
                    rollback_on_failure: false,
                    actions: vec![
                        action(
                            "infra-uat",
                            1,
                            &["Build"],
                            &[],
                            ActionKind::DeployInfra { env: "uat".into(), mode: InfraMode::CreateUpdate },
                        ),
                        action("deploy-uat", 2, &["Build"], &[], ActionKind::DeployApp { env: "uat".into() }),
                    ],
                },
                Stage {
                    name: "approve".into(),
                    gate: None,
                    rollback_on_failure: false,
                    actions: vec![
                        action("qc", 1, &[], &[], ActionKind::Approve(approval("qc"))),
                        action("pmo", 2, &[], &[], ActionKind::Approve(approval("pmo"))),
                        action(
                            "distinct-approvers",
                            3,
                            &[],
                            &[],
                            ActionKind::CheckDistinctApprovers {
                                approvals: vec![
                                    ("approve".into(), "qc".into()),
                                    ("approve".into(), "pmo".into()),
                                ],
                            },
                        ),
                    ],
                },
                Stage {
                    name: "prod".into(),
                    gate: None,
                    rollback_on_failure: false,
                    actions: vec![
                        action(
                            "changes-prod",
                            1,
                            &["Build"],
                            &[],
                            ActionKind::DeployInfra { env: "prod".into(), mode: InfraMode::CreateChangeSet },
                        ),
                        action("review-prod", 2, &[], &[], ActionKind::Approve(approval("pmo"))),
                        action(
                            "infra-prod",
                            3,
                            &[],
                            &[],
                            ActionKind::DeployInfra { env: "prod".into(), mode: InfraMode::ExecuteChangeSet },
                        ),
                        action(
                            "deploy-prod",
                            4,
                            &["Build"],
                            &[],
                            ActionKind::DeployApp { env: "prod".into() },
                        ),
                    ],
                },
            ],
        }],
    }
}

/// The sample program with its app on ECS Fargate: the test environment rolls, uat and prod
/// release blue/green and canary; the tasks are sized for Fargate; the release actions stay in
/// the pipeline (as with `infra = false`: each is an update of the environment stack).
pub fn sample_ecs_program() -> Program {
    let mut p = sample_program();
    let app = &mut p.apps[0];
    app.deploy = Deploy::Ecs(EcsDeploy {
        port: 8080,
        health_check: HealthCheck { path: "/healthz".into(), interval_seconds: 15, healthy_threshold: 2 },
        secrets: BTreeMap::from([("API_TOKEN".to_string(), Text::Secret("webshop/api:token".into()))]),
        log_retention_days: 90,
        keep_images: 50,
    });
    app.build.privileged = true;
    app.build.build = strings(&["docker build -t app:latest ."]);
    for env in &mut p.envs {
        env.compute.cpu = 512;
        env.compute.memory_mib = 1024;
        env.strategy = match env.name.as_str() {
            "test" => Strategy::Rolling(Rolling { min_healthy: 50, ..Strategy::OneAtATime.refresh() }),
            "prod" => Strategy::BlueGreen(BlueGreen {
                shift: Shift::Canary { percent: 10, wait_seconds: 300 },
                bake_seconds: 900,
            }),
            _ => Strategy::BlueGreen(BlueGreen { shift: Shift::AllAtOnce, bake_seconds: 600 }),
        };
    }
    p
}
