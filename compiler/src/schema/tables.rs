//! The language's declarations, blocks and fields.

use super::types::*;
use crate::stdlib;

const DAY: u64 = 86_400;
const STR: Ty = Ty::Str;
const STRS: Ty = Ty::List(&STR);
const TAGS: Ty = Ty::Map(&STR);

macro_rules! field {
    ($name:literal, $ty:expr, required, $doc:literal) => {
        Field { name: $name, ty: $ty, required: true, default: None, doc: $doc, table: None }
    };
    ($name:literal, $ty:expr, $default:literal, $doc:literal, table = $table:expr) => {
        Field {
            name: $name,
            ty: $ty,
            required: false,
            default: Some($default),
            doc: $doc,
            table: Some($table),
        }
    };
    ($name:literal, $ty:expr, $default:literal, $doc:literal) => {
        Field { name: $name, ty: $ty, required: false, default: Some($default), doc: $doc, table: None }
    };
    ($name:literal, $ty:expr, $doc:literal) => {
        Field { name: $name, ty: $ty, required: false, default: None, doc: $doc, table: None }
    };
}

/// Top-level declarations.
pub static DECLS: &[Decl] = &[
    Decl {
        keyword: "use",
        kind: DeclKind::Use,
        parents: &[],
        schema: &EMPTY,
        doc: "Imports a standard-library module (`use std.build.go`) or another file of the project \
              (`use \"./common.pf\"`). Its declarations become visible to the whole program.",
    },
    Decl {
        keyword: "project",
        kind: DeclKind::Project,
        parents: &[],
        schema: &PROJECT,
        doc: "Project-wide settings: where generated files are committed, which environments are \
              protected, tags on every stack, and the severity of diagnostics.",
    },
    Decl {
        keyword: "app",
        kind: DeclKind::App,
        parents: &[],
        schema: &APP,
        doc: "An application: where its code lives (`source`), how it is built (`build`) and how \
              it is deployed to EC2 instances (`deploy`).",
    },
    Decl {
        keyword: "build",
        kind: DeclKind::Build,
        parents: &[DeclKind::Build],
        schema: &BUILD,
        doc: "A named, reusable build (a preset): an app extends it with `build = NAME { ... }`. \
              The standard library has presets for Go, Node.js, Python, Java, .NET and Docker.",
    },
    Decl {
        keyword: "profile",
        kind: DeclKind::Profile,
        parents: &[DeclKind::Profile],
        schema: &ENV,
        doc: "A reusable environment profile (e.g. `cost_optimized`, `highly_available`): \
              environments extend it with `env NAME : PROFILE { ... }`. A profile is never deployed.",
    },
    Decl {
        keyword: "env",
        kind: DeclKind::Env,
        parents: &[DeclKind::Env, DeclKind::Profile],
        schema: &ENV,
        doc: "An environment: its network, instances, database, cache, DNS and deployment strategy. \
              `env uat : prod { ... }` is PROD with the fields written here overridden (field by \
              field; nested blocks merge, lists replace).",
    },
    Decl {
        keyword: "pipeline",
        kind: DeclKind::Pipeline,
        parents: &[],
        schema: &PIPELINE,
        doc: "A CodePipeline pipeline that builds one app and deploys it through its stages. A \
              `Source` stage is generated first from the app's `source`.",
    },
];

pub static EMPTY: Schema = Schema { fields: &[], children: &[] };

const SEVERITY: Ty = Ty::Enum(&["error", "warning", "off"]);

pub static PROJECT: Schema = Schema {
    fields: &[
        field!("output", STR, "\"pf-out\"", "The folder, relative to the repository root, where `pf build` output is committed. The pipeline reads templates and configurations from there."),
        field!("protected", STRS, "[\"prod\", \"production\"]", "Names of environments that are protected unless they say `protected = false`."),
        field!("tags", TAGS, "Tags on every stack of the project."),
        field!("severity", Ty::Map(&SEVERITY), "Severity of diagnostic codes for this project: `severity { PF4006 = off }`. Values: error, warning, off."),
        field!("account", Ty::Text, "The AWS account the pipeline is deployed in: 12 digits, or `param(\"/name\")` (the id in Parameter Store). The default of every environment's `account`. Default: the account the pipeline stack is deployed in."),
        field!("region", STR, "The AWS region the pipeline is deployed in (`eu-west-1`). The default of every environment's `region`. Default: the region the pipeline stack is deployed in."),
    ],
    children: &[],
};

// ---------------------------------------------------------------------------------------------
// Apps

pub static APP: Schema = Schema {
    fields: &[
        field!(
            "source",
            Ty::Variant(SOURCES),
            required,
            "Where the app's code lives: `codecommit { ... }`, `github { ... }` or `s3 { ... }`."
        ),
        field!(
            "build",
            Ty::Extends(&BUILD, DeclKind::Build),
            required,
            "How the app is built: a `build { ... }` block, or a preset extended with `build = go { ... }`."
        ),
        field!(
            "deploy",
            Ty::Variant(DEPLOYS),
            required,
            "How the app is deployed: `ec2 { ... }` (an Auto Scaling group through CodeDeploy), `ecs { ... }` (a Fargate service) or `lambda { ... }` (a function released by CodeDeploy traffic shifting)."
        ),
        field!("tags", TAGS, "Tags on the app's stacks."),
        field!("runtime", VARIABLES, "Values the running app reads as environment variables: strings, `param(\"/name\")` or `secret(\"id:key\")`, resolved on the instances at deploy time (see docs/environments.md). An environment's `runtime` adds to them and overrides them by name."),
    ],
    children: &[Child {
        keyword: "allow",
        label: LabelRule::Required,
        label_ref: None,
        schema: &ALLOW,
        variants: &[],
        doc: "An extra permission of the running app (its instance role): `allow uploads { actions = [\"s3:GetObject\"], resources = [\"arn:aws:s3:::uploads/*\"] }`. No wildcard actions, no `*` resource.",
    }],
};

pub static ALLOW: Schema = Schema {
    fields: &[
        field!("actions", STRS, required, "IAM actions, each `service:Action` written in full (no `*`)."),
        field!("resources", STRS, required, "ARNs of the resources; `*` may narrow a resource's path (`arn:aws:s3:::uploads/*`), never stand for a whole service, region or account."),
    ],
    children: &[],
};

pub static SOURCES: &[Variant] = &[
    Variant {
        kind: "codecommit",
        doc: "A CodeCommit repository; changes start the pipeline through EventBridge, not polling.",
        schema: &CODECOMMIT,
    },
    Variant { kind: "github", doc: "A GitHub repository through a CodeStar connection.", schema: &GITHUB },
    Variant { kind: "s3", doc: "A zip file in an S3 bucket; the bucket must have versioning and EventBridge notifications enabled (new objects start the pipeline).", schema: &S3_SOURCE },
];

pub static CODECOMMIT: Schema = Schema {
    fields: &[
        field!("repository", STR, required, "The repository name."),
        field!("branch", STR, "\"main\"", "The branch the pipeline follows."),
        field!(
            "create",
            Ty::Bool,
            "false",
            "Whether the pipeline stack creates the repository (otherwise it must exist)."
        ),
    ],
    children: &[],
};

pub static GITHUB: Schema = Schema {
    fields: &[
        field!(
            "connection",
            Ty::Text,
            required,
            "The ARN of the CodeStar connection (`arn:aws:codeconnections:...` or `arn:aws:codestar-connections:...`), or `param(\"/name\")` or `secret(\"id:key\")` holding it."
        ),
        field!("repository", STR, required, "`owner/name` of the repository."),
        field!("branch", STR, "\"main\"", "The branch the pipeline follows."),
    ],
    children: &[],
};

pub static S3_SOURCE: Schema = Schema {
    fields: &[
        field!(
            "bucket",
            STR,
            required,
            "The bucket name (versioning and EventBridge notifications must be enabled)."
        ),
        field!("key", STR, required, "The object key of the source zip."),
    ],
    children: &[],
};

pub static DEPLOYS: &[Variant] = &[
    Variant {
        kind: "ec2",
        doc: "EC2 instances in an Auto Scaling group behind a load balancer, deployed by CodeDeploy.",
        schema: &EC2,
    },
    Variant {
        kind: "ecs",
        doc: "A container on ECS Fargate behind the load balancer: the `docker` preset builds the image into the pipeline's ECR repository, and the environment stack rolls it out (docs/targets.md).",
        schema: &ECS,
    },
    Variant {
        kind: "lambda",
        doc: "A Lambda function (the build's artifact zip is its code) reached through a function URL or the environment's load balancer; each release shifts an alias to the new version with CodeDeploy.",
        schema: &LAMBDA,
    },
];

pub static ECS: Schema = Schema {
    fields: &[
        field!(
            "port",
            Ty::Int { min: 1, max: 65535 },
            required,
            "The port the container listens on; the load balancer forwards to it."
        ),
        field!("health_check", STR, "\"/\"", "The HTTP path the load balancer checks; it must answer 200."),
        field!("health_interval", Ty::Duration { min: 5, max: 300 }, "15s", "Time between health checks."),
        field!(
            "secrets",
            VARIABLES,
            "Container secrets, by reference only: `secrets { DB_PASSWORD = secret(\"orders/db:password\"), API_KEY = param(\"/orders/api-key\") }`; ECS reads them when a task starts."
        ),
        field!("keep_images", Ty::Int { min: 1, max: 1000 }, "100", "Images the pipeline's ECR repository keeps; older ones expire (a rollback needs the image it returns to)."),
        field!("log_retention", Ty::Duration { min: DAY, max: 3653 * DAY }, "30d", "How long CloudWatch Logs keeps the container's output, in whole days CloudWatch Logs offers (1d, 3d, 5d, 7d, 14d, 30d, 60d, 90d, ...)."),
    ],
    children: &[],
};

pub static LAMBDA_ARCHITECTURES: &[&str] = &["x86_64", "arm64"];

pub static LAMBDA: Schema = Schema {
    fields: &[
        Field {
            name: "runtime",
            ty: STR,
            required: true,
            default: None,
            doc: "The Lambda runtime, e.g. \"python3.13\": one of Lambda's supported, non-deprecated runtimes.",
            table: Some(&stdlib::LAMBDA_RUNTIMES),
        },
        field!("handler", STR, required, "The function's entry point in the code, e.g. \"app.handler\" (file `app.py`, function `handler`)."),
        field!("memory", Ty::Size { min: 128, max: 10240 }, "128MB", "Memory of the function (128 MB to 10240 MB); CPU grows with it."),
        field!("timeout", Ty::Duration { min: 1, max: 900 }, "3s", "How long an invocation may run (1 s to 900 s)."),
        field!("architecture", Ty::Enum(LAMBDA_ARCHITECTURES), "x86_64", "The instruction set: x86_64 or arm64 (Graviton). The build runs on a CodeBuild image of the same architecture."),
        field!("reserved_concurrency", Ty::Int { min: 1, max: 1_000_000 }, "Concurrent executions reserved for the function, which is also its maximum (Lambda keeps 100 of the account's concurrency unreserved)."),
        field!("url", Ty::Block(&LAMBDA_URL), "A function URL: `url { auth = iam }` (the default: callers sign their requests) or `url { auth = none }` (public)."),
        field!("load_balancer", Ty::Bool, "false", "Whether the environment's load balancer forwards to the function (a `lambda` target group), instead of a function URL."),
        field!("health_check", STR, "The HTTP path the load balancer checks (with `load_balancer = true` only); without it the load balancer does not check the function."),
        field!("health_interval", Ty::Duration { min: 5, max: 300 }, "35s", "Time between the load balancer's health checks."),
    ],
    children: &[],
};

pub static LAMBDA_URL: Schema = Schema {
    fields: &[field!(
        "auth",
        Ty::Enum(&["iam", "none"]),
        "iam",
        "Who may call the URL: iam (requests signed by an IAM principal allowed `lambda:InvokeFunctionUrl`) or none (anyone)."
    )],
    children: &[],
};

pub static EC2: Schema = Schema {
    fields: &[
        field!(
            "port",
            Ty::Int { min: 1, max: 65535 },
            required,
            "The port the app listens on; the load balancer forwards to it."
        ),
        field!("health_check", STR, "\"/\"", "The HTTP path the load balancer checks; it must answer 200."),
        field!("health_interval", Ty::Duration { min: 5, max: 300 }, "15s", "Time between health checks."),
        field!(
            "files",
            Ty::List(&Ty::Pair),
            "Files the revision installs: `[\"dist/server\" -> \"/opt/app/server\"]`."
        ),
        field!("user", STR, "The OS user the hooks run as, unless a hook says `runas`."),
        field!("hooks", Ty::Block(&HOOKS), "Scripts run at CodeDeploy lifecycle events."),
        field!("image", Ty::Block(&IMAGE), "Ship the app as an AMI baked by EC2 Image Builder once per pipeline run, from the build's artifact; every environment the run deploys starts from it (needed by `rolling` and `blue_green`)."),
    ],
    children: &[],
};

pub static IMAGE: Schema = Schema {
    fields: &[
        field!("base", Ty::Text, "Amazon Linux 2023 (x86_64 or arm64, as `instance`)", "The base AMI: an SSM public parameter (`\"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\"`) or `param(\"/name\")`, read at every bake."),
        field!("steps", STRS, "Shell commands run on the build instance after the app's `files` are installed, e.g. `[\"systemctl enable billing\"]`."),
        field!("components", STRS, "AWS-managed Image Builder components run first, by name, e.g. `[\"update-linux\"]`."),
        field!("instance", STR, "\"t3.medium\"", "The build instance type; its architecture is the AMI's.", table = &stdlib::INSTANCE_TYPES),
        field!("keep", Ty::Duration { min: DAY, max: 1000 * DAY }, "30d", "How long old images are kept (whole days); the three newest always stay."),
    ],
    children: &[],
};

const HOOK: Ty = Ty::Hook;

pub static HOOKS: Schema = Schema {
    fields: &[
        field!("application_stop", HOOK, "Stops the running app (runs from the previous revision)."),
        field!("before_install", HOOK, "Runs before the files are copied."),
        field!("after_install", HOOK, "Runs after the files are copied."),
        field!("application_start", HOOK, "Starts the app."),
        field!("validate_service", HOOK, "Checks the new version works; a failure fails the deployment."),
        field!("before_block_traffic", HOOK, "Runs before the instance leaves the load balancer."),
        field!("after_block_traffic", HOOK, "Runs after the instance left the load balancer."),
        field!("before_allow_traffic", HOOK, "Runs before the instance rejoins the load balancer."),
        field!("after_allow_traffic", HOOK, "Runs after the instance rejoined the load balancer."),
    ],
    children: &[],
};

/// The fields of a hook written as a block.
pub static HOOK_BLOCK: Schema = Schema {
    fields: &[
        field!("script", STR, required, "Path of the script, relative to the revision root."),
        field!(
            "timeout",
            Ty::Duration { min: 1, max: 3600 },
            "5m",
            "How long the script may run; CodeDeploy allows 3600s per lifecycle event."
        ),
        field!("runas", STR, "The OS user that runs the script."),
    ],
    children: &[],
};

// ---------------------------------------------------------------------------------------------
// Builds

pub static COMPUTE_TYPES: &[&str] = &["small", "medium", "large", "xlarge", "2xlarge"];
pub static REPORT_FORMATS: &[&str] =
    &["junit", "cucumber", "nunit", "nunit3", "testng", "trx", "clover", "cobertura", "jacoco", "simplecov"];
const VARIABLES: Ty = Ty::Map(&Ty::Text);

pub static BUILD: Schema = Schema {
    fields: &[
        field!("image", STR, "\"aws/codebuild/amazonlinux2-x86_64-standard:5.0\"", "The CodeBuild image.", table = &stdlib::CODEBUILD_IMAGES),
        field!("compute", Ty::Enum(COMPUTE_TYPES), "small", "The CodeBuild compute size (`2xlarge`, which starts with a digit, is written as a string: `compute = \"2xlarge\"`)."),
        field!(
            "timeout",
            Ty::Duration { min: 5 * 60, max: 2160 * 60 },
            "60m",
            "How long a build may run (CodeBuild: 5 minutes to 36 hours)."
        ),
        field!(
            "privileged",
            Ty::Bool,
            "false",
            "Docker-in-Docker; only for builds that build container images."
        ),
        field!("runtimes", TAGS, "Runtime versions of the install phase: `runtimes { golang = \"1.22\" }`."),
        field!("install", STRS, "Commands of the install phase."),
        field!("pre_build", STRS, "Commands of the pre_build phase."),
        field!("test", STRS, "Test commands; they run first in the build phase."),
        field!("build", STRS, "Build commands, after the tests in the build phase."),
        field!("post_build", STRS, "Commands of the post_build phase."),
        field!("artifacts", STRS, "Globs of the files the build hands to the deploy stages."),
        field!("cache", STRS, "Paths CodeBuild caches between builds."),
        field!(
            "variables",
            VARIABLES,
            "Environment variables: strings, `param(\"/name\")` or `secret(\"id:key\")`."
        ),
        field!("exported", STRS, "Variables exported to the pipeline."),
    ],
    children: &[Child {
        keyword: "report",
        label: LabelRule::Required,
        label_ref: None,
        schema: &REPORT,
        variants: &[],
        doc: "A test or coverage report: `report unit { files = [\"report.xml\"], format = junit }`.",
    }],
};

pub static REPORT: Schema = Schema {
    fields: &[
        field!("files", STRS, required, "Globs of the report files."),
        field!("base_directory", STR, "The folder the globs are relative to."),
        field!("format", Ty::Enum(REPORT_FORMATS), "junit", "The report format."),
        field!(
            "remove",
            Ty::Bool,
            "false",
            "`report NAME { remove = true }` removes the report NAME inherited from a preset."
        ),
    ],
    children: &[],
};

// ---------------------------------------------------------------------------------------------
// Environments

pub static ENV: Schema = Schema {
    fields: &[
        field!("protected", Ty::Bool, "Protected environments need an approval before they are deployed, review change sets, and keep their data. Default: true for names listed in `project.protected` (prod, production)."),
        field!("network", Ty::Block(&NETWORK), required, "The environment's VPC."),
        field!("compute", Ty::Block(&COMPUTE), "What runs the app: the Auto Scaling group's instances (`ec2` apps) or the service's Fargate tasks (`ecs` apps)."),
        field!("database", Ty::Variant(DATABASES), "An RDS database: `postgres { ... }`, `mysql { ... }` or `mariadb { ... }`."),
        field!("cache", Ty::Variant(CACHES), "An ElastiCache cache: `redis { ... }`."),
        field!("dns", Ty::Block(&DNS), "A Route53 record for the load balancer, and HTTPS with a certificate."),
        field!("strategy", Ty::Variant(STRATEGIES), "in_place (ec2), rolling (ecs)", "How a new version reaches the environment: `in_place { batch = one_at_a_time }` (EC2: CodeDeploy), `rolling { ... }` (EC2: an instance refresh to the baked AMI; ECS: the service's rolling update) or `blue_green { ... }` (a second fleet or task set and a traffic shift)."),
        field!("rollback", Ty::Block(&ROLLBACK), "Automatic rollback of failed deployments."),
        field!("tags", TAGS, "Tags on the environment's stack."),
        field!("runtime", VARIABLES, "Runtime values of the app in this environment: they add to the app's `runtime` and override it by name."),
        field!("account", Ty::Text, "The AWS account the environment's stack is deployed in: 12 digits, or `param(\"/name\")`. Default: the project's `account`."),
        field!("region", STR, "The AWS region the environment's stack is deployed in (`eu-west-1`); its `network.azs` must not exceed the region's AZs. Default: the project's `region`."),
    ],
    children: &[Child {
        keyword: "alarm",
        label: LabelRule::Required,
        label_ref: None,
        schema: &ALARM,
        variants: &[],
        doc: "A CloudWatch alarm; `rollback { on_alarms = [NAME] }` rolls deployments back on it.",
    }],
};

pub static NETWORK: Schema = Schema {
    fields: &[
        field!("cidr", Ty::Cidr, required, "The VPC's CIDR block, /16 to /28."),
        field!("azs", Ty::Int { min: 1, max: 6 }, "2", "Availability zones the instances run in, each with a public and a private subnet. With 1, the network still has a second public and private subnet in another AZ: a load balancer needs two."),
        field!("nat", Ty::Enum(&["none", "single", "per_az"]), "single", "NAT gateways: none (no outbound internet from private subnets), single (cheap) or per_az (highly available)."),
        field!("public", Ty::List(&Ty::Cidr), "Public subnets, one per AZ (with `azs = 1`, one or two: pf adds the second in the first free block of `cidr`); by default carved from `cidr`, at least two."),
        field!("private", Ty::List(&Ty::Cidr), "Private subnets, one per AZ (with `azs = 1`, one or two, as `public`); by default carved from `cidr`, at least two."),
    ],
    children: &[],
};

pub static COMPUTE: Schema = Schema {
    fields: &[
        field!(
            "instance",
            STR,
            "\"t3.micro\"",
            "The EC2 instance type (`ec2` apps).",
            table = &stdlib::INSTANCE_TYPES
        ),
        field!(
            "cpu",
            Ty::Int { min: 256, max: 16384 },
            "256",
            "CPU units of a Fargate task (`ecs` apps): 256, 512, 1024, 2048, 4096, 8192 or 16384."
        ),
        field!(
            "memory",
            Ty::Size { min: 512, max: 120 * 1024 },
            "512MB",
            "Memory of a Fargate task (`ecs` apps): a size Fargate allows with `cpu` (`pf explain PF2050`)."
        ),
        field!("min", Ty::Int { min: 0, max: 1000 }, "1", "Minimum number of instances or tasks."),
        field!(
            "max",
            Ty::Int { min: 1, max: 1000 },
            "the larger of min and 1",
            "Maximum number of instances or tasks."
        ),
        field!("desired", Ty::Int { min: 0, max: 1000 }, "min", "Instances or tasks at creation."),
        field!(
            "scale_on",
            Ty::Scaling,
            "cpu(70%)",
            "Target tracking: `cpu(60%)`, `requests(1000)` per target, or `none`."
        ),
        field!(
            "volume",
            Ty::Size { min: 8 * 1024, max: 16 * 1024 * 1024 },
            "20GB",
            "Root volume size (encrypted gp3; `ec2` apps)."
        ),
    ],
    children: &[],
};

pub static DATABASES: &[Variant] = &[
    Variant { kind: "postgres", doc: "RDS for PostgreSQL.", schema: &DATABASE },
    Variant { kind: "mysql", doc: "RDS for MySQL.", schema: &DATABASE },
    Variant { kind: "mariadb", doc: "RDS for MariaDB.", schema: &DATABASE },
];

pub static DATABASE: Schema = Schema {
    fields: &[
        field!("version", STR, "the engine's current major version", "The engine version."),
        field!("class", STR, "\"db.t4g.micro\"", "The DB instance class.", table = &stdlib::DB_CLASSES),
        field!("storage", Ty::Size { min: 20 * 1024, max: 64 * 1024 * 1024 }, "20GB", "Allocated storage (encrypted)."),
        field!("multi_az", Ty::Bool, "false", "A standby in a second AZ (needs `network.azs >= 2`)."),
        field!("backup", Ty::Duration { min: DAY, max: 35 * DAY }, "7d", "How long automated backups are kept, in whole days (1d to 35d: pf does not turn RDS automated backups off)."),
        field!("username", STR, "\"app\"", "The master user name."),
        field!("password", Ty::Text, "Only `secret(\"id\")` or `param(\"/name\")`; without it RDS manages the password in Secrets Manager."),
        field!("name", STR, "\"app\"", "The initial database name."),
    ],
    children: &[],
};

pub static CACHES: &[Variant] = &[Variant {
    kind: "redis",
    doc: "ElastiCache for Redis, encrypted at rest and in transit.",
    schema: &REDIS,
}];

pub static REDIS: Schema = Schema {
    fields: &[
        field!("node", STR, "\"cache.t4g.micro\"", "The cache node type.", table = &stdlib::CACHE_NODES),
        field!("nodes", Ty::Int { min: 1, max: 6 }, "1", "Number of nodes (a primary and replicas)."),
        field!("version", STR, "\"7.1\"", "The Redis engine version."),
    ],
    children: &[],
};

pub static DNS: Schema = Schema {
    fields: &[
        field!("zone", STR, required, "The Route53 hosted zone, e.g. \"example.com\"."),
        field!("name", STR, "\"\" (the zone apex)", "The record name in the zone, e.g. \"www\"."),
        field!(
            "certificate",
            Ty::Text,
            "An ACM certificate ARN: the load balancer then serves HTTPS and redirects HTTP."
        ),
    ],
    children: &[],
};

pub static BATCHES: &[&str] = &["all_at_once", "half_at_a_time", "one_at_a_time"];

pub static STRATEGIES: &[Variant] = &[
    Variant { kind: "in_place", doc: "CodeDeploy replaces the app on the running instances, a batch at a time.", schema: &IN_PLACE },
    Variant {
        kind: "rolling",
        doc: "EC2: the baked AMI pinned in the launch template, rolled out by the Auto Scaling group's instance refresh; a failure or a rollback alarm rolls the stack back (needs the app's `image`). ECS (its default): tasks replaced a few at a time, the deployment circuit breaker rolling back a release whose tasks do not become healthy; of the fields below ECS uses `min_healthy`.",
        schema: &ROLLING,
    },
    Variant {
        kind: "blue_green",
        doc: "A second fleet and a traffic shift, owned by the stack. EC2: two Auto Scaling groups behind weighted target groups, the new colour started from the baked AMI, weights shifted in stack updates, the old colour scaled to zero after the bake time (needs the app's `image`; docs/blue-green.md). ECS: the service's own BLUE_GREEN (`shift = all_at_once`), CANARY or LINEAR deployment through a second target group and a test listener, `wait` rounded up to whole minutes.",
        schema: &BLUE_GREEN,
    },
];

pub static IN_PLACE: Schema = Schema {
    fields: &[
        field!("batch", Ty::Enum(BATCHES), "one_at_a_time", "How many instances are updated at once."),
        field!(
            "min_healthy",
            Ty::CountOrPercent,
            "A custom minimum of healthy instances during the deployment: a count (2) or a percentage (75%)."
        ),
    ],
    children: &[],
};

pub static ROLLING: Schema = Schema {
    fields: &[
        field!("min_healthy", Ty::Percent { min: 0, max: 100 }, "100%", "Percent of the desired capacity kept in service during the refresh."),
        field!("max_healthy", Ty::Percent { min: 100, max: 200 }, "150%", "Percent of the desired capacity the group may grow to (above 100%, new instances launch before old ones stop); at most 100 points above `min_healthy`."),
        field!("warmup", Ty::Duration { min: 0, max: DAY }, "5m", "Time a new instance gets before it counts as healthy."),
        field!("checkpoint", Ty::Percent { min: 1, max: 99 }, "Pause when this percent of the instances is replaced, for `checkpoint_wait`."),
        field!("checkpoint_wait", Ty::Duration { min: 0, max: 2 * DAY }, "10m", "How long the refresh pauses at the checkpoint."),
        field!("bake", Ty::Duration { min: 0, max: 2 * DAY }, "5m", "How long the rollback alarms are watched after the last instance; an alarm rolls the stack back."),
        field!("skip_matching", Ty::Bool, "true", "Keep instances already on the new launch template version."),
    ],
    children: &[],
};

pub static SHIFTS: &[&str] = &["all_at_once", "canary", "linear"];

pub static BLUE_GREEN: Schema = Schema {
    fields: &[
        field!("shift", Ty::Enum(SHIFTS), "all_at_once", "How traffic moves to the new colour: all_at_once, canary (`percent`, then the rest after `wait`) or linear (`percent` more every `wait`)."),
        field!("percent", Ty::Percent { min: 1, max: 99 }, "10%", "The canary's share, or each linear step (EC2: at least 10%, a step is two pipeline actions; ECS: at least 3%; Lambda: any)."),
        field!("wait", Ty::Duration { min: 0, max: DAY }, "10m", "The wait after each shift, watching the rollback alarms (an alarm shifts the traffic back)."),
        field!("bake", Ty::Duration { min: 0, max: DAY }, "30m", "How long the new colour serves everything, alarms watched, before the old colour scales to zero."),
    ],
    children: &[],
};

pub static ROLLBACK: Schema = Schema {
    fields: &[
        field!("on_failure", Ty::Bool, "true", "Roll back when a deployment fails."),
        field!(
            "on_alarms",
            Ty::List(&Ty::Ref(RefKind::Alarm)),
            "Alarms of this environment that stop and roll back a deployment."
        ),
    ],
    children: &[],
};

pub static METRICS: &[&str] = &["target_5xx", "elb_5xx", "latency", "cpu", "unhealthy_hosts", "errors"];

pub static ALARM: Schema = Schema {
    fields: &[
        field!(
            "metric",
            Ty::Enum(METRICS),
            required,
            "What is watched: target_5xx, elb_5xx, latency (seconds), cpu (percent), unhealthy_hosts, or a Lambda function's errors (invocations that failed)."
        ),
        field!(
            "threshold",
            Ty::Int { min: 0, max: 1_000_000 },
            required,
            "The alarm fires when the metric is above this."
        ),
        field!("period", Ty::Duration { min: 10, max: DAY }, "1m", "The period of each evaluation."),
        field!(
            "periods",
            Ty::Int { min: 1, max: 100 },
            "2",
            "How many periods in a row the threshold must be crossed."
        ),
        field!("remove", Ty::Bool, "false", "`alarm NAME { remove = true }` removes the alarm NAME inherited from a parent environment or profile."),
    ],
    children: &[],
};

// ---------------------------------------------------------------------------------------------
// Pipelines

pub static PIPELINE: Schema = Schema {
    fields: &[
        field!("app", Ty::Ref(RefKind::App), "the app named like the pipeline", "The app the pipeline builds and deploys."),
        field!("type", Ty::Enum(&["v1", "v2"]), "v2", "The CodePipeline type; triggers with filters need v2."),
        field!("execution", Ty::Enum(&["superseded", "queued", "parallel"]), "superseded", "How runs are ordered (queued and parallel need v2)."),
        field!("notify", Ty::Block(&NOTIFY), "E-mail notifications of pipeline events."),
        field!("self_update", Ty::Bool, "true on v2 pipelines", "Whether the pipeline updates its own stack from the committed template right after `Source`; a change that weakens an approval or a distinct-approvers check before a protected environment, or adds a target account, first waits for the groups approving production (docs/self-update.md). Needs v2."),
    ],
    children: &[
        Child {
            keyword: "trigger",
            label: LabelRule::Required,
            label_ref: None,
            schema: &EMPTY,
            variants: TRIGGERS,
            doc: "What starts the pipeline: `trigger push { ... }`, `trigger schedule { cron = \"...\" }` or `trigger manual`. Default: a push to the source branch.",
        },
        Child {
            keyword: "stage",
            label: LabelRule::Required,
            label_ref: None,
            schema: &STAGE,
            variants: &[],
            doc: "A stage: its actions run one after the other, or side by side inside `parallel { ... }`.",
        },
    ],
};

pub static NOTIFY: Schema =
    Schema { fields: &[field!("failure", STRS, "E-mail addresses told when a run fails.")], children: &[] };

pub static TRIGGERS: &[Variant] = &[
    Variant {
        kind: "push",
        doc: "A push to the source branch, or one filter (v2 with GitHub): the listed tags, or the listed branches with optional paths. Several push triggers are alternatives.",
        schema: &PUSH,
    },
    Variant { kind: "schedule", doc: "A schedule (EventBridge).", schema: &SCHEDULE },
    Variant { kind: "manual", doc: "Only by hand, or by an API call.", schema: &EMPTY },
];

pub static PUSH: Schema = Schema {
    fields: &[
        field!("branches", STRS, "the source branch", "Branches (patterns) whose pushes start the pipeline."),
        field!("tags", STRS, "Git tag patterns (v2, GitHub) that start the pipeline; 1 to 8. Not with `branches` or `paths`: write another `trigger push`."),
        field!(
            "paths",
            STRS,
            "File path patterns (v2, GitHub): only pushes that change them start the pipeline; 1 to 8."
        ),
    ],
    children: &[],
};

pub static SCHEDULE: Schema = Schema {
    fields: &[field!(
        "cron",
        STR,
        required,
        "An EventBridge schedule expression: `cron(0 3 * * ? *)` or `rate(1 day)`."
    )],
    children: &[],
};

/// The actions a stage may hold; `parallel` holds the same but itself.
pub static ACTIONS: &[Child] =
    &[ACTION_BUILD, ACTION_TEST, ACTION_DEPLOY, ACTION_APPROVE, ACTION_INVOKE, ACTION_PARALLEL];
pub static PARALLEL_ACTIONS: &[Child] =
    &[ACTION_BUILD, ACTION_TEST, ACTION_DEPLOY, ACTION_APPROVE, ACTION_INVOKE];

pub static STAGE: Schema = Schema {
    fields: &[
        field!("gate", Ty::Block(&GATE), "Checks before the stage starts (CodePipeline V2 entry conditions): alarms that must be quiet and a window deploys may start in. A run that fails them fails the stage."),
        field!(
            "on_failure",
            Ty::Enum(&["fail", "rollback"]),
            "fail",
            "What a failed stage does: `fail` stops the run; `rollback` (V2, not with `execution = parallel`) runs the stage again with the last run that succeeded in it."
        ),
    ],
    children: ACTIONS,
};

/// A stage's entry conditions (`gate { ... }`): one CodePipeline condition whose rules must
/// all pass.
pub static GATE: Schema = Schema {
    fields: &[
        field!("alarms", STRS, "Alarms of environments deployed in earlier stages, as `\"ENV.ALARM\"`: the stage does not start while one is in ALARM."),
        field!("window", STR, "When deploys may start: a cron expression `seconds minutes hours day-of-month month day-of-week [year]`, e.g. `\"* * 9-16 ? * MON-THU *\"`. A run waits for the window."),
        field!("time_zone", STR, "\"UTC\"", "The window's time zone: `Region/City` (`Europe/Berlin`), `UTC` with an optional offset, or an abbreviation."),
    ],
    children: &[],
};
pub static PARALLEL: Schema = Schema { fields: &[], children: PARALLEL_ACTIONS };

const ACTION_BUILD: Child = Child {
    keyword: "build",
    label: LabelRule::None,
    label_ref: None,
    schema: &EMPTY,
    variants: &[],
    doc:
        "Builds the pipeline's app with its `build` (CodeBuild). Its output artifact is what deploys install.",
};
const ACTION_TEST: Child = Child {
    keyword: "test",
    label: LabelRule::Required,
    label_ref: None,
    schema: &TEST,
    variants: &[],
    doc: "A CodeBuild test job: `test unit { commands = [\"make test\"] }`. After a deploy it gets the environment's URL as `APP_URL`.",
};
const ACTION_DEPLOY: Child = Child {
    keyword: "deploy",
    label: LabelRule::Required,
    label_ref: Some(RefKind::Env),
    schema: &DEPLOY_ACTION,
    variants: &[],
    doc: "Deploys the app to an environment: first its infrastructure stack (CloudFormation), then the app (CodeDeploy).",
};
const ACTION_APPROVE: Child = Child {
    keyword: "approve",
    label: LabelRule::Required,
    label_ref: None,
    schema: &APPROVE,
    variants: &[],
    doc: "A manual approval by a group of approvers, with notification, message, link and timeout.",
};
const ACTION_INVOKE: Child = Child {
    keyword: "invoke",
    label: LabelRule::Required,
    label_ref: None,
    schema: &INVOKE,
    variants: &[],
    doc: "Invokes a Lambda function.",
};
const ACTION_PARALLEL: Child = Child {
    keyword: "parallel",
    label: LabelRule::None,
    label_ref: None,
    schema: &PARALLEL,
    variants: &[],
    doc: "Actions that run side by side (one run order).",
};

pub static TEST: Schema = Schema {
    fields: &[
        field!("commands", STRS, required, "The test commands."),
        field!("image", STR, "the app build's image", "The CodeBuild image.", table = &stdlib::CODEBUILD_IMAGES),
        field!("compute", Ty::Enum(COMPUTE_TYPES), "the app build's compute", "The CodeBuild compute size (`2xlarge`, which starts with a digit, is written as a string: `compute = \"2xlarge\"`)."),
        field!(
            "timeout",
            Ty::Duration { min: 5 * 60, max: 2160 * 60 },
            "60m",
            "How long the job may run (5 minutes to 36 hours)."
        ),
        field!("install", STRS, "Commands of the install phase."),
        field!("runtimes", TAGS, "Runtime versions of the install phase."),
        field!("variables", VARIABLES, "Environment variables: strings, `param(...)` or `secret(...)`."),
        field!(
            "input",
            Ty::Enum(&["source", "build"]),
            "source",
            "Which artifact the job runs on: the source, or the build's output."
        ),
    ],
    children: &[Child {
        keyword: "report",
        label: LabelRule::Required,
        label_ref: None,
        schema: &REPORT,
        variants: &[],
        doc: "A test or coverage report.",
    }],
};

pub static DEPLOY_ACTION: Schema = Schema {
    fields: &[
        field!("infra", Ty::Bool, "true", "Whether the environment's infrastructure stack is deployed before the app."),
        field!("review", Ty::Bool, "true in protected environments", "Whether infrastructure changes go through a change set and an approval before they are executed."),
        field!("reviewers", STR, "the group of the latest approval before the deploy (`ENV-changes` when there is none)", "The approver group that reviews the change set: only its IAM policy may approve `review-ENV`."),
        field!("review_notify", STRS, "the latest approval's `notify`", "E-mail addresses asked to review the change set (through SNS)."),
    ],
    children: &[],
};

pub static APPROVE: Schema = Schema {
    fields: &[
        field!("group", STR, "the approval's name", "The approver group: only its IAM policy may approve this action."),
        field!("notify", STRS, "E-mail addresses asked for approval (through SNS)."),
        field!("message", STR, "A message for the approvers."),
        field!("link", STR, "A URL the approvers should look at."),
        field!("timeout", Ty::Duration { min: 5 * 60, max: 60 * DAY }, "7d", "How long the approval waits (CodePipeline: 5 minutes to 60 days)."),
        field!("distinct", Ty::Bool, "false", "The approver must be a different person from every earlier approval of the run; pf adds a check that fails the run otherwise."),
    ],
    children: &[],
};

pub static INVOKE: Schema = Schema {
    fields: &[
        field!("function", STR, required, "The Lambda function name."),
        field!("params", STR, "User parameters passed to the function."),
    ],
    children: &[],
};
