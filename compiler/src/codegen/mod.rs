//! Code generation: checked IR to files. Never fails on a checked IR.
//!
//! Output layout (a contract): for each app, `<app>/` holds
//! - `pipeline-<pipeline>.template.yml`: the pipeline stack, deployed once by hand;
//! - `bootstrap-<account>.template.yml` and `support-<region>.template.yml`: deployed once by
//!   an administrator in each target account and each extra region (`bootstrap`), when the
//!   program deploys to other accounts;
//! - `infra.template.yml`: the infrastructure of the app's environments, one template;
//! - `config/<env>.json`: the template configuration of each environment;
//! - `buildspec.yml` and `buildspec-<test>.yml`: CodeBuild jobs;
//! - the deploy target's own files (`targets::files`; EC2: `appspec.yml`, the CodeDeploy
//!   revision's specification, and for an app
//!   with runtime values `runtime.json` and `runtime-env.py`, which write them on the instances at
//!   deploy time).
//!
//! Names shared between the files live in [`naming`].

pub mod bootstrap;
pub mod buildspec;
pub mod cfn;
pub mod config;
#[doc(hidden)]
pub mod fixture;
pub mod infra;
pub(crate) mod json;
pub mod naming;
pub mod parallel;
pub mod pipeline;
pub mod targets;
pub mod yaml;

use crate::ir::Program;
use crate::review::stack::{Keep, Stack};

/// The serialization of CloudFormation templates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CfnFormat {
    #[default]
    Yaml,
    Json,
}

/// Options of code generation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub cfn_format: CfnFormat,
}

/// A generated file: its path relative to the output folder, and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: String,
}

/// Generates every file of a program, sorted by path.
///
/// Lookups by name are indexed meanwhile (`ir::index`).
pub fn generate(program: &Program, options: &Options) -> Vec<OutputFile> {
    generate_with_stacks::<()>(program, options, None).0
}

/// Where generated files go as they are made, from every generating thread, in no fixed order
/// ([`stream_with_stacks`]).
pub type Sink<'a> = &'a (dyn Fn(OutputFile) + Sync);

/// The files that `generate` sends to its sink, sorted by path.
pub(crate) fn collect(generate: impl FnOnce(Sink<'_>)) -> Vec<OutputFile> {
    let files = std::sync::Mutex::new(Vec::new());
    generate(&|f| files.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(f));
    let mut files = files.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// What [`generate_with_stacks`] makes of each stack: the resource types to keep, and the
/// function that turns a stack into what the caller keeps.
pub type EachStack<'a, T> = Option<(Keep, &'a (dyn Fn(Stack) -> T + Sync))>;

/// Generates every file of a program, sorted by path, and, with `each`, what `each` makes of
/// every stack they deploy, by stack name: the stack as [`stacks`](crate::review::stack::stacks)
/// reads it back from the files, with what `keep` keeps of its resources, made from the
/// templates while they are in memory and dropped at once (what `pf build` and `pf cost`
/// price, without parsing the templates again or holding them all).
pub fn generate_with_stacks<T: Send>(
    program: &Program,
    options: &Options,
    each: EachStack<'_, T>,
) -> (Vec<OutputFile>, Vec<T>) {
    let mut stacks = Vec::new();
    let files = collect(|sink| stacks = stream_with_stacks(program, options, each, sink));
    (files, stacks)
}

/// [`generate_with_stacks`], but each file goes to `sink` as soon as it is made, so that no
/// caller needs to hold them all (`pf build` writes them as they come).
pub fn stream_with_stacks<T: Send>(
    program: &Program,
    options: &Options,
    each: EachStack<'_, T>,
    sink: Sink<'_>,
) -> Vec<T> {
    crate::ir::index::scope(program, || {
        let stacks = templates(program, options, each, Some(sink));
        bootstrap::generate(program, options).into_iter().for_each(sink);
        buildspec::generate(program).into_iter().for_each(sink);
        parallel::map(&program.apps, |app| targets::files(program, app).into_iter().for_each(sink));
        stacks
    })
}

/// What `each` makes of every stack, as [`generate_with_stacks`] gives it, without a file: the
/// templates are built but not serialized, and nothing else is generated (the language
/// server's estimate).
pub fn stacks<T: Send>(program: &Program, keep: Keep, each: &(dyn Fn(Stack) -> T + Sync)) -> Vec<T> {
    crate::ir::index::scope(program, || templates(program, &Options::default(), Some((keep, each)), None))
}

/// Sends the pipeline and infrastructure files to `files` (none without it) and returns what
/// `each` makes of their stacks, sorted by stack name.
fn templates<T: Send>(
    program: &Program,
    options: &Options,
    each: EachStack<'_, T>,
    files: Option<Sink<'_>>,
) -> Vec<T> {
    let mut stacks = pipeline::generate_with(program, options, each, files);
    stacks.extend(infra::generate_with(program, options, each, files));
    stacks.sort_by(|a, b| a.0.cmp(&b.0));
    stacks.into_iter().map(|(_, t)| t).collect()
}
