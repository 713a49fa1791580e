//! The registry of diagnostic codes: `PF` and four digits, grouped by phase.
//!
//! - `PF0xxx` reading and syntax
//! - `PF1xxx` structure and names: blocks, fields, references, modules, inheritance
//! - `PF2xxx` types and values
//! - `PF3xxx` AWS limits and naming rules
//! - `PF4xxx` pipeline semantics: stages, actions, approvals, artifacts
//! - `PF5xxx` environments: network, compute, database, deployment
//! - `PF6xxx` security
//! - `PF9xxx` project configuration and suppressions
//!
//! Every code has a page `docs/errors/PFxxxx.md` (What / Why / Example / Fix) that `pf explain`
//! prints; a test enforces it. Codes are never reused or renumbered.

use super::Severity;
use serde::{Serialize, Serializer};

/// A diagnostic code with its registry entry.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// `PF0001`.
    pub id: &'static str,
    /// A short kebab-case name, e.g. `unknown-field`.
    pub name: &'static str,
    /// The severity unless the project configures another.
    pub severity: Severity,
    /// One line saying what the code means.
    pub summary: &'static str,
    /// The long explanation (Markdown), printed by `pf explain`.
    pub doc: &'static str,
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.id == other.id
    }
}

impl Eq for Code {}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

macro_rules! codes {
    ($( $id:ident $name:literal $sev:ident $summary:literal; )*) => {
        $(
            #[doc = $summary]
            pub const $id: Code = Code {
                id: stringify!($id),
                name: $name,
                severity: Severity::$sev,
                summary: $summary,
                doc: include_str!(concat!("../../../docs/errors/", stringify!($id), ".md")),
            };
        )*
        /// Every code, in order.
        pub const ALL: &[Code] = &[$($id),*];
    };
}

codes! {
    PF0001 "invalid-syntax" Error "A line is not a valid entry";
    PF0002 "empty-program" Error "A file declares nothing";
    PF0003 "invalid-utf8" Error "A file is not valid UTF-8";
    PF0004 "file-too-large" Error "A file is larger than pf reads";
    PF0005 "nesting-too-deep" Error "Brackets are nested deeper than pf allows";
    PF0006 "binary-file" Error "A file contains NUL bytes: it is not text";
    PF0007 "unbalanced-delimiter" Error "A bracket is never closed, or closes nothing";
    PF0008 "invalid-escape" Error "A string contains an unknown escape sequence";
    PF0009 "number-out-of-range" Error "A number is too large";
    PF0010 "unterminated-string" Error "A string is not closed on its line";
    PF0011 "invalid-cidr" Error "A CIDR block is malformed";
    PF0012 "non-ascii-identifier" Error "A name outside a string has a letter that is not ASCII";
    PF1001 "unknown-field" Error "A field or block is not known in this place";
    PF1002 "duplicate-field" Error "A field is set twice in one block";
    PF1003 "missing-field" Error "A required field is missing";
    PF1004 "unknown-declaration" Error "A top-level entry is not a declaration";
    PF1005 "duplicate-declaration" Error "Two declarations of one kind share a name";
    PF1006 "unknown-reference" Error "A name refers to nothing declared";
    PF1007 "invalid-label" Error "A block's name is missing, extra or not allowed";
    PF1008 "inheritance-cycle" Error "Declarations extend each other in a cycle";
    PF1009 "module-not-found" Error "A `use` names a module or file that does not exist";
    PF1010 "import-cycle" Error "Files `use` each other in a cycle";
    PF1011 "invalid-parent" Error "A declaration extends something it cannot extend";
    PF1012 "wrong-form" Error "A field is written as a block, or a block as a field";
    PF1025 "lambda-entry-point" Error "A Lambda function has no entry point, or two: a function URL and the load balancer";
    PF2001 "type-mismatch" Error "A value has the wrong type";
    PF2002 "out-of-range" Error "A value is outside its allowed range";
    PF2003 "unknown-value" Error "A name is not one of the allowed values";
    PF2004 "unknown-variable" Error "A string interpolates an unknown variable";
    PF2005 "invalid-call" Error "A function is unknown or has wrong arguments";
    PF2040 "invalid-runtime-name" Error "A runtime value's name is not an environment variable name, or is one pf sets itself";
    PF2070 "invalid-account-id" Error "An AWS account id is not 12 digits or `param(...)`";
    PF2071 "unknown-region" Error "A region is not one pf knows";
    PF2050 "fargate-task-size" Error "A Fargate task's CPU and memory are not a size Fargate runs";
    PF2051 "plain-container-secret" Error "A container secret is a plain value, not a reference";
    PF2052 "invalid-log-retention" Error "A log retention is not a period CloudWatch Logs offers";
    PF2055 "traffic-shift-interval" Error "A Lambda function's canary or linear interval is not a whole number of minutes";
    PF2065 "nothing-to-remove" Error "A `remove = true` names nothing inherited";
    PF2066 "architecture-mismatch" Error "The build's architecture is not the instances'";
    PF2060 "invalid-base-image" Error "An image's base is not an SSM parameter of an AMI";
    PF2061 "invalid-image-component" Error "An Image Builder component is not named as AWS names its managed components";
    PF3001 "invalid-name" Error "A name breaks AWS's naming rules";
    PF3003 "pipeline-too-large" Error "A pipeline exceeds CodePipeline's stage or action counts";
    PF3004 "reserved-variable" Error "A build variable uses CodeBuild's reserved prefix";
    PF3005 "invalid-bucket-name" Error "An S3 bucket name breaks S3's naming rules";
    PF3006 "too-many-reports" Error "A build has more than 5 report groups";
    PF3007 "invalid-tags" Error "Tags break AWS's tagging rules";
    PF3008 "needs-v2" Error "A feature needs a V2 pipeline (and a connection source)";
    PF3009 "too-many-patterns" Error "A trigger filter has more than 8 patterns";
    PF3040 "more-azs-than-region" Error "An environment's network uses more AZs than its region has";
    PF3050 "action-config-length" Error "A value of a pipeline action's configuration (approval message or link, invoke parameters) is empty or too long";
    PF3025 "unknown-lambda-runtime" Error "A Lambda runtime is unknown or deprecated";
    PF3035 "too-many-gate-rules" Error "A stage's gate has more than the 5 rules a CodePipeline condition holds";
    PF3036 "invalid-push-filter" Error "A push trigger combines tags with branches or paths, which CodePipeline cannot filter together";
    PF3037 "too-many-push-filters" Error "A pipeline has more than the 3 filtered push triggers CodePipeline allows";
    PF3030 "too-many-shifts" Error "A linear blue/green shift of an EC2 app takes more steps than a stage holds";
    PF3051 "ecs-linear-step" Error "A linear blue/green shift of an ECS service moves less than ECS's 3% a step";
    PF4001 "approval-in-parallel" Error "An approval runs at the same time as the deploy it should guard";
    PF4002 "unapproved-protected-deploy" Error "A protected environment is deployed without an earlier approval";
    PF4003 "distinct-without-peer" Error "A distinct approval has no earlier approval by another group";
    PF4004 "artifact-not-produced" Error "An action consumes an artifact no earlier action produces";
    PF4005 "hook-not-in-artifacts" Error "A hook script is not part of the build's artifacts";
    PF4006 "unused-declaration" Warning "An environment or app is declared but never deployed";
    PF4007 "empty-stage" Error "A pipeline or stage has nothing to do";
    PF4008 "duplicate-action" Error "Two stages or two actions of a stage share a name";
    PF4009 "approval-notifies-nobody" Warning "An approval notifies nobody, so it waits until it times out";
    PF4050 "deploy-file-not-in-artifacts" Error "A file the deploy installs is not part of the build's artifacts";
    PF4010 "unknown-gate-alarm" Error "A gate names an alarm that its environment does not declare";
    PF4011 "gate-alarm-not-deployed" Error "A gate waits on an alarm of an environment no earlier stage deploys";
    PF4012 "rollback-in-parallel-mode" Error "Stage rollback in a pipeline whose runs execute in parallel";
    PF4013 "empty-gate" Error "A gate checks nothing";
    PF4014 "time-zone-without-window" Error "A gate has a time zone but no window";
    PF4015 "empty-trigger-filter" Error "A push trigger lists no branch, tag or path";
    PF4016 "reviewers-without-review" Error "A deploy names change-set reviewers but reviews no change set";
    PF5001 "invalid-capacity" Error "Capacity is not min <= desired <= max";
    PF5002 "multi-az-single-az" Error "A multi-AZ database in a one-AZ network";
    PF5003 "invalid-subnets" Error "Subnets do not fit the VPC, overlap, or do not match the AZs";
    PF5004 "invalid-vpc-cidr" Error "A VPC CIDR block is misaligned or of a size AWS rejects";
    PF5005 "overlapping-networks" Warning "Two environments' networks overlap";
    PF5006 "blue-green-ec2" Error "Blue/green to EC2 without a baked image (CodeDeploy's copy of the Auto Scaling group) is not supported";
    PF5008 "unknown-instance-type" Error "An EC2 instance type is not known";
    PF5009 "unknown-database-class" Error "An RDS class or ElastiCache node type is not known";
    PF5010 "invalid-deploy-path" Error "A health-check path, install destination or output folder is malformed";
    PF5011 "unknown-engine-version" Error "A database or cache engine version is not one AWS creates";
    PF5012 "protected-may-scale-to-zero" Warning "A protected environment may run no instance at all";
    PF5020 "runtime-without-nat" Error "An environment that gets runtime values has no NAT gateway";
    PF5070 "remote-environment-unsupported" Error "An environment is deployed in another account or region in a way pf does not generate yet";
    PF5030 "field-not-for-target" Error "An environment field has no meaning for the deploy target of an app deployed there";
    PF5031 "ecs-without-nat" Error "An ECS app is deployed to an environment without a NAT gateway";
    PF5032 "ecs-build-without-docker" Error "An ECS app's build cannot build its image (not privileged)";
    PF5040 "needs-load-balancer" Error "A field needs the load balancer, which a Lambda function served by its URL does not have";
    PF5041 "metric-not-for-target" Error "An alarm watches a metric the app's deploy target does not have";
    PF5042 "build-architecture-mismatch" Error "A Lambda function's build image is of the other architecture and has no counterpart";
    PF5043 "secure-string-for-lambda" Error "A Lambda function would get a value from a SecureString parameter, which CloudFormation cannot resolve into it";
    PF5080 "public-vpc-cidr" Warning "A VPC takes its addresses from a public (not RFC 1918) range";
    PF5050 "rolling-without-image" Error "A rolling release of an app that bakes no image";
    PF5051 "image-architecture-mismatch" Error "An environment's instances cannot boot the app's image (arm64 and x86_64)";
    PF5052 "refresh-healthy-range" Error "An instance refresh's max_healthy is more than 100 points above min_healthy";
    PF5053 "release-without-infra" Error "A rolling or blue/green environment is deployed with `infra = false`";
    PF6001 "plain-text-secret" Error "A secret is written in plain text";
    PF6002 "protected-without-https" Warning "A protected environment serves plain HTTP";
    PF6010 "broad-permission" Error "An extra permission of the app has a wildcard action or resource";
    PF6040 "protected-shares-account" Warning "A protected environment shares an AWS account with an unprotected one";
    PF9001 "suppression-without-reason" Error "A suppression comment gives no reason";
    PF9002 "unused-suppression" Warning "A suppression comment silences nothing";
    PF9003 "unknown-code" Error "A suppression or severity names an unknown code";
    PF9004 "unsilenceable-error" Error "A suppression or severity silences an error pf cannot build past";
}

/// The errors a project may silence (`# pf:allow`, `project.severity`): each judges a value pf
/// still generates faithfully, by a policy (an unapproved protected deploy) or by a table that may
/// lag AWS (instance and database types, engine versions). Any other error means the output
/// would be wrong or missing, so silencing it is itself an error (PF9004). Every warning may be
/// silenced.
pub const SILENCEABLE_ERRORS: &[Code] = &[PF3025, PF4002, PF5008, PF5009, PF5011];

/// Whether findings of `code` may be silenced or lowered below an error.
pub fn silenceable(code: Code) -> bool {
    code.severity != crate::diagnostic::Severity::Error || SILENCEABLE_ERRORS.contains(&code)
}

/// The code with this id (`PF0001`), if it exists.
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}
