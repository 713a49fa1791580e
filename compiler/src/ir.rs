//! The checked IR: a plain data model of a program, the only input of code generation.
//!
//! Every name is resolved, every value typed and converted to the unit AWS wants, defaults are
//! applied and inheritance is flattened. There are no spans here: where an environment's or an
//! app's value came from is looked up in the declarations (`Decls::value_span`), where a
//! generated pipeline action came from in a [`Provenance`] table beside the IR. Code generation never fails on a checked IR:
//! every rule that could fail is a check.

use crate::ast::Cidr;
use crate::source::Span;
use std::collections::BTreeMap;

pub mod index;

/// A whole checked program.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    pub project: Project,
    pub apps: Vec<App>,
    /// Deployable environments (profiles are flattened into them and not listed).
    pub envs: Vec<Env>,
    pub pipelines: Vec<Pipeline>,
}

impl Program {
    /// The app with this name (in constant time during code generation: [`index`]).
    pub fn app(&self, name: &str) -> Option<&App> {
        match index::app(self, name) {
            Some(at) => at.map(|i| &self.apps[i]),
            None => self.apps.iter().find(|a| a.name == name),
        }
    }

    /// The environment with this name (in constant time during code generation: [`index`]).
    pub fn env(&self, name: &str) -> Option<&Env> {
        match index::env(self, name) {
            Some(at) => at.map(|i| &self.envs[i]),
            None => self.envs.iter().find(|e| e.name == name),
        }
    }
}

/// Project-wide settings (the `project` block).
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// The folder, relative to the repository root, where `pf build` output is committed and
    /// from which the pipeline reads templates and configurations. Default `pf-out`.
    pub output: String,
    /// Tags applied to every stack.
    pub tags: BTreeMap<String, String>,
    /// The program's root file, for "generated from" headers: its path relative to the
    /// repository root (the command line sets it; see docs/language.md, "Output paths"), by
    /// default its name in the source map.
    pub source: String,
    /// The pipeline's own account and region (`project { account, region }`), the default of
    /// every environment's.
    pub placement: Placement,
}

impl Default for Project {
    fn default() -> Project {
        Project {
            output: "pf-out".into(),
            tags: BTreeMap::new(),
            source: String::new(),
            placement: Placement::default(),
        }
    }
}

/// Where a stack is deployed. `None` is the pipeline's own account or region (the one its stack
/// is deployed in, `AWS::AccountId` / `AWS::Region`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// A 12-digit account id, or `param(...)`: the id stored in Parameter Store.
    pub account: Option<Text>,
    /// A region name from the checker's region table.
    pub region: Option<String>,
}

/// A string that may be a plain value or a reference resolved by AWS at deploy time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Text {
    Plain(String),
    /// `param("/name")`: an SSM Parameter Store parameter.
    Param(String),
    /// `secret("id")` or `secret("id:json-key")`: a Secrets Manager secret.
    Secret(String),
}

/// An application: where its code lives, how it is built and how it is deployed.
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub name: String,
    pub source: Source,
    pub build: Build,
    pub deploy: Deploy,
    pub tags: BTreeMap<String, String>,
    /// Runtime values of every environment (`runtime { ... }`); an environment's own override
    /// them by name (see [`runtime_values`]).
    pub runtime: BTreeMap<String, Text>,
    /// Extra permissions of the running app (`allow NAME { ... }`), checked free of wildcards.
    pub permissions: Vec<Permission>,
}

/// An extra permission of the running app: `allow NAME { actions, resources }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Permission {
    pub name: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

/// A value handed to the running app: one the program wrote, or one of the environment's
/// database or cache that only exists once the stack does. Target-neutral: each deploy target
/// delivers these its own way (EC2: an environment file written at deploy time).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuntimeValue {
    Text(Text),
    /// The database's address.
    DatabaseHost,
    /// The database master user's password: the RDS-managed secret's, or the program's
    /// `password` reference.
    DatabasePassword,
    /// The cache's primary endpoint address.
    CacheHost,
}

/// The names pf hands over itself (a program cannot declare them): `DATABASE_*` when the
/// environment has a database, `CACHE_*` when it has a cache.
pub const HANDED_OVER: &[&str] = &[
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_NAME",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
    "DATABASE_ENGINE",
    "CACHE_HOST",
    "CACHE_PORT",
];

/// Every runtime value of `app` in `env`, by name: the app's, overridden by the environment's,
/// and those of its database and cache (see [`HANDED_OVER`]).
pub fn runtime_values(app: &App, env: &Env) -> BTreeMap<String, RuntimeValue> {
    let mut out: BTreeMap<String, RuntimeValue> = app
        .runtime
        .iter()
        .chain(&env.runtime)
        .map(|(k, v)| (k.clone(), RuntimeValue::Text(v.clone())))
        .collect();
    let plain = |s: String| RuntimeValue::Text(Text::Plain(s));
    if let Some(db) = &env.database {
        out.insert("DATABASE_HOST".into(), RuntimeValue::DatabaseHost);
        out.insert("DATABASE_PORT".into(), plain(db.engine.port().to_string()));
        out.insert("DATABASE_NAME".into(), plain(db.name.clone()));
        out.insert("DATABASE_USER".into(), plain(db.username.clone()));
        out.insert("DATABASE_PASSWORD".into(), RuntimeValue::DatabasePassword);
        out.insert("DATABASE_ENGINE".into(), plain(db.engine.aws_name().into()));
    }
    if env.cache.is_some() {
        out.insert("CACHE_HOST".into(), RuntimeValue::CacheHost);
        out.insert("CACHE_PORT".into(), plain("6379".into()));
    }
    out
}

/// Where an app's code comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A CodeCommit repository, created by the pipeline stack when `create` is true.
    CodeCommit { repository: String, branch: String, create: bool },
    /// A GitHub (or other CodeStar-connected) repository: `owner/name`.
    GitHub { connection: Text, repository: String, branch: String },
    /// A zip object in S3.
    S3 { bucket: String, key: String },
}

impl Source {
    /// The branch the pipeline follows (S3 has none).
    pub fn branch(&self) -> Option<&str> {
        match self {
            Source::CodeCommit { branch, .. } | Source::GitHub { branch, .. } => Some(branch),
            Source::S3 { .. } => None,
        }
    }
}

/// CodeBuild compute sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputeType {
    Small,
    Medium,
    Large,
    XLarge,
    X2Large,
}

impl ComputeType {
    /// CodeBuild's name, e.g. `BUILD_GENERAL1_SMALL`.
    pub fn aws_name(self) -> &'static str {
        match self {
            ComputeType::Small => "BUILD_GENERAL1_SMALL",
            ComputeType::Medium => "BUILD_GENERAL1_MEDIUM",
            ComputeType::Large => "BUILD_GENERAL1_LARGE",
            ComputeType::XLarge => "BUILD_GENERAL1_XLARGE",
            ComputeType::X2Large => "BUILD_GENERAL1_2XLARGE",
        }
    }
}

/// A CodeBuild job: the app's build, or a test action's job.
#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    /// The CodeBuild image, e.g. `aws/codebuild/amazonlinux2-x86_64-standard:5.0`.
    pub image: String,
    pub compute: ComputeType,
    /// `LINUX_CONTAINER` or `ARM_CONTAINER`, derived from the image.
    pub arm: bool,
    pub timeout_minutes: u32,
    pub privileged: bool,
    /// `runtime-versions` of the install phase, e.g. `golang -> 1.22`.
    pub runtimes: BTreeMap<String, String>,
    pub install: Vec<String>,
    pub pre_build: Vec<String>,
    /// Test commands; they run first in the build phase.
    pub test: Vec<String>,
    pub build: Vec<String>,
    pub post_build: Vec<String>,
    /// Artifact globs (relative to the source root).
    pub artifacts: Vec<String>,
    pub cache: Vec<String>,
    /// Environment variables: plain, Parameter Store or Secrets Manager.
    pub variables: BTreeMap<String, Text>,
    /// Variables exported to the pipeline.
    pub exported: Vec<String>,
    pub reports: Vec<Report>,
}

/// Test report formats of CodeBuild.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    JUnitXml,
    CucumberJson,
    NUnitXml,
    NUnit3Xml,
    TestNgXml,
    VisualStudioTrx,
    CloverXml,
    CoberturaXml,
    JaCoCoXml,
    SimpleCov,
}

impl ReportFormat {
    /// The buildspec's `file-format` value.
    pub fn aws_name(self) -> &'static str {
        match self {
            ReportFormat::JUnitXml => "JUNITXML",
            ReportFormat::CucumberJson => "CUCUMBERJSON",
            ReportFormat::NUnitXml => "NUNITXML",
            ReportFormat::NUnit3Xml => "NUNIT3XML",
            ReportFormat::TestNgXml => "TESTNGXML",
            ReportFormat::VisualStudioTrx => "VISUALSTUDIOTRX",
            ReportFormat::CloverXml => "CLOVERXML",
            ReportFormat::CoberturaXml => "COBERTURAXML",
            ReportFormat::JaCoCoXml => "JACOCOXML",
            ReportFormat::SimpleCov => "SIMPLECOV",
        }
    }

    /// Whether this is a code-coverage format (its report group type is `CODE_COVERAGE`).
    pub fn is_coverage(self) -> bool {
        matches!(
            self,
            ReportFormat::CloverXml
                | ReportFormat::CoberturaXml
                | ReportFormat::JaCoCoXml
                | ReportFormat::SimpleCov
        )
    }
}

/// A test report of a build.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub name: String,
    pub files: Vec<String>,
    pub base_directory: Option<String>,
    pub format: ReportFormat,
}

/// How an app is deployed: one variant per deploy target (`codegen/targets/<target>/`).
#[derive(Clone, Debug, PartialEq)]
pub enum Deploy {
    /// `deploy = ec2 {...}`: EC2 instances in an Auto Scaling group, released by CodeDeploy.
    Ec2(Ec2Deploy),
    /// `deploy = ecs {...}`: a container on ECS Fargate, released by an update of the
    /// environment stack with the image tag as a parameter (docs/targets.md).
    Ecs(EcsDeploy),
    /// `deploy = lambda {...}`: a Lambda function whose alias CodeDeploy shifts to each release.
    Lambda(LambdaDeploy),
}

impl Deploy {
    /// The target's keyword in `deploy = <target> { ... }`.
    pub fn target(&self) -> &'static str {
        match self {
            Deploy::Ec2(_) => "ec2",
            Deploy::Ecs(_) => "ecs",
            Deploy::Lambda(_) => "lambda",
        }
    }

    /// Whether a new version is released by updating the environment stack with release
    /// parameters (every target but EC2): the pipeline then has no separate `DeployApp` action
    /// after an infrastructure update (docs/targets.md).
    pub fn released_by_stack(&self) -> bool {
        !matches!(self, Deploy::Ec2(_))
    }

    /// The AMI the pipeline bakes per run (EC2 apps with `image { ... }`).
    pub fn baked_image(&self) -> Option<&ImageBake> {
        match self {
            Deploy::Ec2(d) => d.image.as_ref(),
            _ => None,
        }
    }
}

/// A container on ECS Fargate behind the environment's load balancer.
#[derive(Clone, Debug, PartialEq)]
pub struct EcsDeploy {
    /// The port the container listens on.
    pub port: u16,
    pub health_check: HealthCheck,
    /// Container secrets by reference only (never `Text::Plain`, a check): name to an SSM
    /// parameter or a Secrets Manager secret, resolved by ECS when a task starts.
    pub secrets: BTreeMap<String, Text>,
    /// Days CloudWatch Logs keeps the container's logs (a period `RetentionInDays` accepts).
    pub log_retention_days: u32,
    /// Images the pipeline's repository keeps (its lifecycle policy expires older ones).
    pub keep_images: u32,
}

/// A deploy to a Lambda function; the build's artifact zip is its code.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaDeploy {
    /// A runtime of `stdlib::LAMBDA_RUNTIMES`, e.g. `python3.13`.
    pub runtime: String,
    pub handler: String,
    pub memory_mib: u32,
    pub timeout_seconds: u32,
    /// arm64 (Graviton) rather than x86_64.
    pub arm: bool,
    pub reserved_concurrency: Option<u32>,
    pub entry: LambdaEntry,
}

/// How requests reach a Lambda function.
#[derive(Clone, Debug, PartialEq)]
pub enum LambdaEntry {
    /// A function URL on the alias; `iam`: callers sign their requests (`AWS_IAM`), else public.
    Url { iam: bool },
    /// A `lambda` target group of the environment's load balancer, health-checked when a path
    /// is given.
    LoadBalancer { health_check: Option<HealthCheck> },
}

/// A deploy to EC2 instances in an Auto Scaling group through CodeDeploy.
#[derive(Clone, Debug, PartialEq)]
pub struct Ec2Deploy {
    /// The port the app listens on.
    pub port: u16,
    pub health_check: HealthCheck,
    /// `source -> destination` file copies of the appspec.
    pub files: Vec<(String, String)>,
    /// Lifecycle hooks in CodeDeploy's order.
    pub hooks: Vec<Hook>,
    /// The OS user the app runs as (the default `runas` of hooks).
    pub user: Option<String>,
    /// `image { ... }`: the app ships as an AMI baked once per pipeline run.
    pub image: Option<ImageBake>,
}

/// The SSM public parameter of the latest Amazon Linux 2023 AMI: the instances' AMI when the
/// app bakes none, and the default base of a baked one.
pub fn al2023_parameter(arm: bool) -> &'static str {
    if arm {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    } else {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    }
}

/// An AMI baked by EC2 Image Builder from the build's artifact, once per pipeline run
/// (`codegen/targets/ec2/image.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct ImageBake {
    /// The SSM parameter holding the base AMI: a public one (`/aws/service/...`) or the program's.
    pub base: String,
    /// Shell commands run on the build instance after the app's files are installed.
    pub steps: Vec<String>,
    /// AWS-managed Image Builder components run before the app's, by name.
    pub components: Vec<String>,
    /// The build instance type.
    pub instance: String,
    /// Whether the build instance (and so the AMI) is arm64.
    pub arm: bool,
    /// Days an image is kept after it was built (the lifecycle policy; the newest few stay).
    pub keep_days: u32,
}

/// The load balancer's health check of the app.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthCheck {
    pub path: String,
    pub interval_seconds: u32,
    pub healthy_threshold: u32,
}

/// CodeDeploy lifecycle events that can run scripts (EC2/on-premises), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HookEvent {
    ApplicationStop,
    BeforeInstall,
    AfterInstall,
    ApplicationStart,
    ValidateService,
    BeforeBlockTraffic,
    AfterBlockTraffic,
    BeforeAllowTraffic,
    AfterAllowTraffic,
}

impl HookEvent {
    /// The appspec's name, e.g. `AfterInstall`.
    pub fn aws_name(self) -> &'static str {
        match self {
            HookEvent::ApplicationStop => "ApplicationStop",
            HookEvent::BeforeInstall => "BeforeInstall",
            HookEvent::AfterInstall => "AfterInstall",
            HookEvent::ApplicationStart => "ApplicationStart",
            HookEvent::ValidateService => "ValidateService",
            HookEvent::BeforeBlockTraffic => "BeforeBlockTraffic",
            HookEvent::AfterBlockTraffic => "AfterBlockTraffic",
            HookEvent::BeforeAllowTraffic => "BeforeAllowTraffic",
            HookEvent::AfterAllowTraffic => "AfterAllowTraffic",
        }
    }
}

/// A script run at a lifecycle event.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    pub event: HookEvent,
    /// Path of the script relative to the bundle root.
    pub script: String,
    pub timeout_seconds: u32,
    pub runas: Option<String>,
}

/// NAT gateways of a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    /// No NAT: private subnets have no route to the internet.
    None,
    /// One NAT gateway shared by all AZs (cheap, one AZ is a single point of failure).
    Single,
    /// One NAT gateway per AZ (highly available).
    PerAz,
}

/// An environment's network.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub cidr: Cidr,
    /// Number of availability zones, 1 to 6 (public and private subnet in each).
    pub azs: u8,
    pub nat: Nat,
    /// One public subnet per AZ slot, inside `cidr`: `max(azs, 2)` of them. The load balancer
    /// and the subnet groups need two AZs, so a single-AZ network has a second subnet where no
    /// instance runs.
    pub public_subnets: Vec<Cidr>,
    /// One private subnet per AZ slot, inside `cidr`: `max(azs, 2)` of them, as `public_subnets`.
    pub private_subnets: Vec<Cidr>,
}

/// What the Auto Scaling group scales on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// Target tracking on average CPU utilisation, percent.
    Cpu(u32),
    /// Target tracking on ALB requests per target.
    Requests(u32),
    /// No scaling policy.
    None,
}

/// What runs an environment's app: EC2 instances (`instance`, `volume_gib`) or Fargate tasks
/// (`cpu`, `memory_mib`); the count and scaling mean the same for both.
#[derive(Clone, Debug, PartialEq)]
pub struct Compute {
    pub instance: String,
    /// CPU units of a Fargate task.
    pub cpu: u32,
    /// Memory of a Fargate task, MiB: a size Fargate allows with `cpu` (a check).
    pub memory_mib: u32,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub scale_on: Scaling,
    pub volume_gib: u32,
    /// Whether the instance type is Graviton (arm64), which picks the AMI.
    pub arm: bool,
}

/// Database engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
    MariaDb,
}

impl Engine {
    /// RDS's engine name.
    pub fn aws_name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::MariaDb => "mariadb",
        }
    }

    /// The default port.
    pub fn port(self) -> u16 {
        match self {
            Engine::Postgres => 5432,
            Engine::Mysql | Engine::MariaDb => 3306,
        }
    }
}

/// An RDS database instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    pub engine: Engine,
    pub version: String,
    pub class: String,
    pub storage_gib: u32,
    pub multi_az: bool,
    pub backup_days: u32,
    pub username: String,
    /// `None`: RDS manages the master password in Secrets Manager.
    pub password: Option<Text>,
    pub name: String,
}

/// An ElastiCache Redis replication group.
#[derive(Clone, Debug, PartialEq)]
pub struct Cache {
    pub node: String,
    pub nodes: u32,
    pub version: String,
}

/// A DNS record for the load balancer.
#[derive(Clone, Debug, PartialEq)]
pub struct Dns {
    /// The hosted zone, without the trailing dot (`example.com`).
    pub zone: String,
    /// The record name inside the zone (`www`); empty for the apex.
    pub name: String,
    /// An ACM certificate ARN; when set the ALB serves HTTPS and redirects HTTP.
    pub certificate: Option<Text>,
}

impl Dns {
    /// The fully qualified name, without trailing dot.
    pub fn fqdn(&self) -> String {
        if self.name.is_empty() {
            self.zone.clone()
        } else {
            format!("{}.{}", self.name, self.zone)
        }
    }
}

/// How a new version reaches an environment (see docs/blue-green.md): CodeDeploy in place
/// (the first five), an instance refresh of the one fleet, or a second fleet and a weight shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    AllAtOnce,
    HalfAtATime,
    OneAtATime,
    /// A custom minimum of healthy hosts, in percent of the fleet.
    MinHealthyPercent(u32),
    /// A custom minimum of healthy hosts, as a count.
    MinHealthyHosts(u32),
    /// The baked AMI pinned in the launch template, rolled out by an instance refresh.
    Rolling(Rolling),
    /// Two fleets behind weighted target groups; the stack update shifts the weights.
    BlueGreen(BlueGreen),
}

/// The three ways a strategy releases, one per `strategy = KIND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReleaseKind {
    InPlace,
    Rolling,
    BlueGreen,
}

impl ReleaseKind {
    /// The name in `.pf` and in the environment stack's `Release` parameter.
    pub fn name(self) -> &'static str {
        match self {
            ReleaseKind::InPlace => "in_place",
            ReleaseKind::Rolling => "rolling",
            ReleaseKind::BlueGreen => "blue_green",
        }
    }
}

impl Strategy {
    /// CodeDeploy's predefined configuration name, or `None` for a custom one.
    pub fn predefined(self) -> Option<&'static str> {
        match self {
            Strategy::AllAtOnce => Some("CodeDeployDefault.AllAtOnce"),
            Strategy::HalfAtATime => Some("CodeDeployDefault.HalfAtATime"),
            Strategy::OneAtATime => Some("CodeDeployDefault.OneAtATime"),
            _ => None,
        }
    }

    /// How this strategy releases.
    pub fn kind(self) -> ReleaseKind {
        match self {
            Strategy::Rolling(_) => ReleaseKind::Rolling,
            Strategy::BlueGreen(_) => ReleaseKind::BlueGreen,
            _ => ReleaseKind::InPlace,
        }
    }

    /// The instance refresh that replaces instances whose launch template changed. In place it
    /// launches before terminating and keeps the whole fleet serving.
    pub fn refresh(self) -> Rolling {
        match self {
            Strategy::Rolling(r) => r,
            _ => Rolling {
                min_healthy: 100,
                max_healthy: 200,
                warmup_seconds: 300,
                checkpoint: None,
                checkpoint_wait_seconds: 0,
                bake_seconds: 0,
                skip_matching: true,
            },
        }
    }
}

/// `strategy = rolling { ... }`: `UpdatePolicy.AutoScalingInstanceRefresh` preferences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rolling {
    /// Percent of the desired capacity kept in service (0-100).
    pub min_healthy: u32,
    /// Percent of the desired capacity the group may grow to (100-200).
    pub max_healthy: u32,
    pub warmup_seconds: u32,
    /// A checkpoint: the refresh pauses after this percent of instances (1-99).
    pub checkpoint: Option<u32>,
    pub checkpoint_wait_seconds: u32,
    /// How long the refresh watches the alarms after the last instance (0-172,800 s).
    pub bake_seconds: u32,
    /// Instances already on the launch template's version are not replaced.
    pub skip_matching: bool,
}

/// `strategy = blue_green { ... }`: how traffic moves to the new colour, and the bake time
/// before the old colour scales to zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlueGreen {
    pub shift: Shift,
    pub bake_seconds: u32,
}

/// How traffic shifts from the live colour to the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    AllAtOnce,
    /// `percent` first, then the rest after `wait_seconds`.
    Canary {
        percent: u32,
        wait_seconds: u32,
    },
    /// `percent` more every `wait_seconds`, up to 100.
    Linear {
        percent: u32,
        wait_seconds: u32,
    },
}

impl Shift {
    /// The new colour's weights in order, each with the wait after it; the last is 100 (its
    /// wait is the bake time, not part of the shift).
    pub fn steps(self) -> Vec<(u32, u32)> {
        match self {
            Shift::AllAtOnce => vec![(100, 0)],
            Shift::Canary { percent, wait_seconds } => vec![(percent, wait_seconds), (100, 0)],
            Shift::Linear { percent, wait_seconds } => {
                let mut out: Vec<(u32, u32)> = (1..)
                    .map(|i| i * percent.max(1))
                    .take_while(|w| *w < 100)
                    .map(|w| (w, wait_seconds))
                    .collect();
                out.push((100, 0));
                out
            }
        }
    }
}

/// CloudWatch metrics an alarm can watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// HTTP 5xx responses from the targets (ALB `HTTPCode_Target_5XX_Count`, sum).
    Target5xx,
    /// HTTP 5xx responses from the load balancer itself (`HTTPCode_ELB_5XX_Count`, sum).
    Elb5xx,
    /// Target response time in seconds (`TargetResponseTime`, average).
    Latency,
    /// Average CPU of the Auto Scaling group (`CPUUtilization`, average).
    Cpu,
    /// Unhealthy targets (`UnHealthyHostCount`, maximum).
    UnhealthyHosts,
    /// Failed invocations of a Lambda function's alias (`AWS/Lambda` `Errors`, sum).
    Errors,
}

/// A CloudWatch alarm of an environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub metric: Metric,
    pub threshold: i64,
    pub period_seconds: u32,
    pub evaluation_periods: u32,
}

/// Automatic rollback of deployments.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollback {
    pub on_failure: bool,
    /// Names of the environment's alarms that roll back a deployment.
    pub on_alarms: Vec<String>,
}

/// A deployable environment, inheritance flattened.
#[derive(Clone, Debug, PartialEq)]
pub struct Env {
    pub name: String,
    /// Protected environments need an approval before they are deployed, keep their data
    /// (deletion protection, snapshot on delete, a stack policy) and review change sets.
    pub protected: bool,
    pub network: Network,
    pub compute: Compute,
    pub database: Option<Database>,
    pub cache: Option<Cache>,
    pub dns: Option<Dns>,
    pub strategy: Strategy,
    pub rollback: Rollback,
    pub alarms: Vec<Alarm>,
    pub tags: BTreeMap<String, String>,
    /// The app's runtime values in this environment (`runtime { ... }`), over the app's own.
    pub runtime: BTreeMap<String, Text>,
    /// The account and region of the environment's stack (its own, or the project's).
    pub placement: Placement,
}

/// CodePipeline's pipeline types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineType {
    V1,
    V2,
}

/// CodePipeline's execution modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecutionMode {
    Superseded,
    Queued,
    Parallel,
}

/// What starts a pipeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    /// A push to the source's branch; on V2 with GitHub, optional branch, tag and path filters.
    Push { branches: Vec<String>, tags: Vec<String>, paths: Vec<String> },
    /// An EventBridge schedule expression, e.g. `cron(0 3 * * ? *)`.
    Schedule { expression: String },
    /// Only by hand (or by an API call).
    Manual,
}

/// A pipeline: the app it ships, its triggers and its stages.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub name: String,
    /// The app this pipeline builds and deploys.
    pub app: String,
    pub pipeline_type: PipelineType,
    pub execution_mode: ExecutionMode,
    pub triggers: Vec<Trigger>,
    /// E-mail addresses told when a run fails.
    pub notify_failure: Vec<String>,
    /// Stages in order; the first is always the generated `Source` stage.
    pub stages: Vec<Stage>,
    /// Whether the pipeline updates its own stack, under the guard, right after `Source`
    /// (`self_update`; v2 only; `codegen/pipeline/self_update.rs`).
    pub self_update: bool,
}

/// A stage and its actions.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: String,
    pub actions: Vec<Action>,
    /// What must hold before the stage starts (`gate { ... }`; V2 only).
    pub gate: Option<Gate>,
    /// Whether a failed stage rolls back to the last run that succeeded in it (V2 only).
    pub rollback_on_failure: bool,
}

/// A stage's entry condition: every alarm quiet, and the time inside the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    /// `(environment, alarm)`: alarms of environments deployed by earlier stages.
    pub alarms: Vec<(String, String)>,
    pub window: Option<Window>,
}

/// A deployment window: a Quartz cron expression of the times a deploy may start.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub cron: String,
    /// `None`: UTC.
    pub time_zone: Option<String>,
}

/// An action: its unique name in the stage, run order, artifacts and kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub name: String,
    /// 1-based; equal run orders run in parallel.
    pub run_order: u32,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub kind: ActionKind,
}

/// What an action does.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// Fetches the app's source (the generated first stage).
    Source,
    /// Runs the app's build (`buildspec.yml`).
    Build,
    /// Runs a test job (`buildspec-<name>.yml`).
    Test(Box<TestJob>),
    /// Waits for a person of `group` to approve.
    Approve(Approval),
    /// Fails the run when one person gave two of the listed approvals (stage/action names).
    CheckDistinctApprovers { approvals: Vec<(String, String)> },
    /// Deploys the environment's infrastructure stack.
    DeployInfra { env: String, mode: InfraMode },
    /// Deploys the app with CodeDeploy to the environment's deployment group.
    DeployApp { env: String },
    /// Bakes the app's AMI from the build's artifact (the image stack `<app>-image`).
    BakeImage,
    /// A step of a blue/green release to the environment (docs/blue-green.md).
    Release { env: String, step: ReleaseStep },
    /// Invokes a Lambda function.
    Invoke { function: String, params: Option<String> },
}

/// The steps of a blue/green release after the environment's infra action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseStep {
    /// Reads which colour is live from the stack (before the infra action).
    Plan,
    /// Waits until the new colour is healthy, then `seconds` watching the rollback alarms; an
    /// alarm shifts the traffic back (a stack update) and fails the run.
    Wait { seconds: u32 },
    /// Updates the stack with the new colour at `weight` percent of the traffic.
    Shift { weight: u32 },
    /// Makes the new colour the live one and scales the old one to zero.
    Finish,
}

/// How a CloudFormation action changes the environment stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfraMode {
    /// Create or update the stack directly.
    CreateUpdate,
    /// Create a change set for review.
    CreateChangeSet,
    /// Execute the reviewed change set.
    ExecuteChangeSet,
}

/// A test action's CodeBuild job.
#[derive(Clone, Debug, PartialEq)]
pub struct TestJob {
    pub name: String,
    pub build: Build,
    /// The environment it runs against, if it follows a deploy (its URL is given as `APP_URL`).
    pub env: Option<String>,
}

/// A manual approval.
#[derive(Clone, Debug, PartialEq)]
pub struct Approval {
    /// The approver group: only its IAM policy allows approving this action.
    pub group: String,
    pub notify: Vec<String>,
    pub message: Option<String>,
    pub link: Option<String>,
    pub timeout_minutes: u32,
}

/// Where each pipeline action of the IR came from: `pipeline.P.stage.S.action.A` to the span of
/// the action that produced it (one `deploy` may produce several actions). The spans of other
/// effective values are looked up lazily in the declarations (`Decls::value_span`). Looked up,
/// never iterated: a hash map (a B-tree compared the long shared prefixes of these keys a dozen
/// times per insert, 4% of checking a 1,800-stage pipeline).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provenance {
    pub actions: crate::hash::FxHashMap<String, Span>,
}

impl Provenance {
    /// Records where the action `name` under `path` (`pipeline.P.stage.S.action`) came from.
    pub fn insert(&mut self, path: &str, name: &str, span: Span) {
        let mut key = String::with_capacity(path.len() + 1 + name.len());
        key.push_str(path);
        key.push('.');
        key.push_str(name);
        self.actions.insert(key, span);
    }
}
