//! Validators of the strings AWS validates, one per kind of value, each with its source.
//!
//! A validator takes the written text and returns `Ok` or an [`Invalid`]: what is wrong, how to
//! write it, and (where one exists) the nearest valid value. [`FIELD_FORMATS`] says which field
//! of which block holds which kind; the value checker runs them on every field as written
//! (`value::check_body`), once per declaration, so an inherited mistake is reported once, at its
//! source. A new field that holds one of these kinds needs only a row in that table; a validator
//! that needs more context (an engine's versions) is called by the lowering that has it.

pub mod arn;
pub mod git;
pub mod names;
pub mod schedule;
pub mod versions;

use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::schema::{self as tables, Schema};
use crate::source::Span;

/// Why a value is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// Whether the value is a name that breaks AWS's naming rules (PF3001) rather than a value
    /// not of its kind (PF2001).
    pub is_name: bool,
    pub message: String,
    pub help: String,
    /// The nearest valid value, when there is one.
    pub fix: Option<String>,
}

impl Invalid {
    /// A value that is not of the kind its field takes (PF2001).
    pub fn format(message: impl Into<String>, help: impl Into<String>, fix: Option<String>) -> Invalid {
        Invalid { is_name: false, message: message.into(), help: help.into(), fix }
    }

    /// A name that breaks AWS's naming rules (PF3001).
    pub fn name(message: impl Into<String>, help: impl Into<String>, fix: Option<String>) -> Invalid {
        Invalid { is_name: true, message: message.into(), help: help.into(), fix }
    }

    /// The diagnostic on the string literal at `span`; the fix replaces the whole literal.
    pub fn diagnostic(self, span: Span) -> Diagnostic {
        let code = if self.is_name { codes::PF3001 } else { codes::PF2001 };
        let mut d =
            Diagnostic::new(code, span, self.message).with_label("invalid value").with_help(self.help);
        if let Some(fix) = self.fix {
            d = d.with_fix(format!("write `{fix}`"), span, format!("\"{fix}\""), Applicability::Unsafe);
        }
        d
    }
}

/// The kinds of strings pf validates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An EventBridge schedule expression: `cron(...)` or `rate(...)`.
    Schedule,
    /// A CodePipeline deployment window: a Quartz cron expression (`* * 9-16 ? * MON-THU *`).
    DeploymentWindow,
    /// A deployment window's time zone (`Europe/Berlin`, `UTC+05:30`, `EST`).
    TimeZone,
    /// A git branch name (`git check-ref-format --branch`).
    GitBranch,
    /// A branch or tag pattern of a trigger filter (a branch name with glob characters).
    GitPattern,
    /// An http(s) URL.
    Url,
    /// A Route 53 hosted zone: a domain name.
    DomainName,
    /// A record name in a zone: DNS labels, or empty for the apex.
    RecordName,
    /// An IAM name (user, group): letters, digits and `+=,.@_-`, 1 to 128.
    IamName,
    /// A Lambda function name or ARN.
    LambdaFunction,
    /// A Linux user name (`useradd`, CodeDeploy's `runas`).
    LinuxUser,
    /// An ARN of `service` whose resource starts with `resource`.
    Arn { service: &'static str, resource: &'static str },
}

/// Which field of which block holds which kind of string.
pub static FIELD_FORMATS: &[(&Schema, &str, Format)] = &[
    (&tables::SCHEDULE, "cron", Format::Schedule),
    (&tables::GATE, "window", Format::DeploymentWindow),
    (&tables::GATE, "time_zone", Format::TimeZone),
    (&tables::CODECOMMIT, "branch", Format::GitBranch),
    (&tables::GITHUB, "branch", Format::GitBranch),
    (&tables::PUSH, "branches", Format::GitPattern),
    (&tables::PUSH, "tags", Format::GitPattern),
    (&tables::APPROVE, "link", Format::Url),
    (&tables::APPROVE, "group", Format::IamName),
    (&tables::DEPLOY_ACTION, "reviewers", Format::IamName),
    (&tables::DNS, "zone", Format::DomainName),
    (&tables::DNS, "name", Format::RecordName),
    (&tables::DNS, "certificate", Format::Arn { service: "acm", resource: "certificate/" }),
    (&tables::INVOKE, "function", Format::LambdaFunction),
    (&tables::EC2, "user", Format::LinuxUser),
    (&tables::HOOK_BLOCK, "runas", Format::LinuxUser),
];

/// The fields whose value becomes a value of a CodePipeline action's configuration
/// (`CustomData`, `ExternalEntityLink`, `UserParameters`).
pub static ACTION_CONFIG_FIELDS: &[(&Schema, &str)] =
    &[(&tables::APPROVE, "message"), (&tables::APPROVE, "link"), (&tables::INVOKE, "params")];

/// The length of an action configuration value: 1 to 1000 characters (Unicode scalar values),
/// docs/aws-facts.md D1.7 and the CodePipeline API's `ActionConfigurationValue` (botocore 1.35.99,
/// `codepipeline/2015-07-09/service-2.json`: `"min": 1, "max": 1000`).
pub const ACTION_CONFIG_LENGTH: std::ops::RangeInclusive<usize> = 1..=1000;

/// PF3050: the value of the field `name` of `schema`, when it becomes an action configuration
/// value, is empty or longer than CodePipeline takes.
pub fn action_config(schema: &Schema, name: &str, text: &str, span: Span) -> Option<Diagnostic> {
    if !ACTION_CONFIG_FIELDS.iter().any(|(s, n)| std::ptr::eq(*s, schema) && *n == name) {
        return None;
    }
    let len = text.chars().count();
    let (min, max) = (*ACTION_CONFIG_LENGTH.start(), *ACTION_CONFIG_LENGTH.end());
    if ACTION_CONFIG_LENGTH.contains(&len) {
        return None;
    }
    let (message, help) = if len < min {
        (
            format!("`{name}` is empty"),
            format!("CodePipeline rejects an empty value: remove `{name}` or write one"),
        )
    } else {
        (
            format!("`{name}` is {len} characters long"),
            format!(
                "shorten it to at most {max} characters ({} too many); put the details behind a link",
                len - max
            ),
        )
    };
    Some(
        Diagnostic::new(codes::PF3050, span, message)
            .with_label(format!("CodePipeline takes {min} to {max} characters"))
            .with_help(help),
    )
}

/// The runtime names of CodeBuild's `runtime-versions` (CodeBuild User Guide, "Runtime
/// versions", Ubuntu and Amazon Linux 2 platform runtimes); an unknown one fails the build's
/// install phase.
pub static CODEBUILD_RUNTIMES: &[&str] =
    &["android", "dotnet", "golang", "java", "nodejs", "php", "python", "ruby"];

/// What the runtimes are often called instead, and their CodeBuild name.
static RUNTIME_ALIASES: &[(&str, &str)] = &[
    ("node", "nodejs"),
    ("node.js", "nodejs"),
    ("go", "golang"),
    ("python3", "python"),
    ("dotnetcore", "dotnet"),
    (".net", "dotnet"),
    ("corretto", "java"),
    ("jdk", "java"),
];

/// The block fields whose keys are CodeBuild runtime names: which field of which block.
pub static RUNTIME_FIELDS: &[(&Schema, &str)] = &[(&tables::BUILD, "runtimes"), (&tables::TEST, "runtimes")];

/// PF2003: `key`, a key of the field `name` of `schema`, is not a CodeBuild runtime; the nearest
/// name (or the usual one for a common alias: `node` is `nodejs`) is the fix.
pub fn runtime_name(schema: &Schema, name: &str, key: &str, span: Span) -> Option<Diagnostic> {
    if !RUNTIME_FIELDS.iter().any(|(s, n)| std::ptr::eq(*s, schema) && *n == name) {
        return None;
    }
    let names = CODEBUILD_RUNTIMES;
    if names.contains(&key) {
        return None;
    }
    let lower = key.to_ascii_lowercase();
    let meant = RUNTIME_ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map(|(_, n)| *n)
        .filter(|n| names.contains(n))
        .or_else(|| crate::check::suggest::did_you_mean(key, names.iter().copied()));
    let d = Diagnostic::new(codes::PF2003, span, format!("`{key}` is not a CodeBuild runtime"))
        .with_label("unknown runtime");
    Some(match meant {
        Some(m) => d
            .with_help(format!("CodeBuild calls it `{m}` (runtimes: {})", names.join(", ")))
            .with_fix(format!("replace with `{m}`"), span, m.to_string(), Applicability::Safe),
        None => d.with_help(format!("CodeBuild's runtimes are {}", names.join(", "))),
    })
}

/// The kind of string the field `name` of `schema` holds, if pf validates it.
pub fn format_of(schema: &Schema, name: &str) -> Option<Format> {
    FIELD_FORMATS.iter().find(|(s, n, _)| std::ptr::eq(*s, schema) && *n == name).map(|(_, _, f)| *f)
}

/// Checks `text` as a value of kind `format`.
pub fn check(format: Format, text: &str) -> Result<(), Invalid> {
    match format {
        Format::Schedule => schedule::check(text),
        Format::DeploymentWindow => schedule::window(text),
        Format::TimeZone => schedule::time_zone(text),
        Format::GitBranch => git::branch(text, false),
        Format::GitPattern => git::branch(text, true),
        Format::Url => names::url(text),
        Format::DomainName => names::domain(text, false),
        Format::RecordName => names::domain(text, true),
        Format::IamName => names::iam(text),
        Format::LambdaFunction => names::lambda_function(text),
        Format::LinuxUser => names::linux_user(text),
        Format::Arn { service, resource } => arn::check(text, &[service], resource),
    }
}
