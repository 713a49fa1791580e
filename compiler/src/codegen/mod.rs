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

/// What [`generate_with_stacks`] makes of each stack: the resource types to keep, and the
/// function that turns a stack into what the caller keeps.
pub type EachStack<'a, T> = Option<(Keep, &'a (dyn Fn(Stack) -> T + Sync))>;

/// Generates every file of a program and, with `each`, what `each` makes of every stack they
/// deploy, by stack name: the stack as [`stacks`](crate::review::stack::stacks) reads it back
/// from the files, with what `keep` keeps of its resources, made from the templates while
/// they are in memory and dropped at once (what `pf build` and `pf cost` price, without parsing
/// the templates again or holding them all).
pub fn generate_with_stacks<T: Send>(
    program: &Program,
    options: &Options,
    each: EachStack<'_, T>,
) -> (Vec<OutputFile>, Vec<T>) {
    crate::ir::index::scope(program, || {
        let (mut files, stacks) = templates(program, options, each, true);
        files.extend(bootstrap::generate(program, options));
        files.extend(buildspec::generate(program));
        files.extend(parallel::map(&program.apps, |app| targets::files(program, app)).into_iter().flatten());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        (files, stacks)
    })
}

/// What `each` makes of every stack, as [`generate_with_stacks`] gives it, without a file: the
/// templates are built but not serialized, and nothing else is generated (the language
/// server's estimate).
pub fn stacks<T: Send>(program: &Program, keep: Keep, each: &(dyn Fn(Stack) -> T + Sync)) -> Vec<T> {
    crate::ir::index::scope(program, || templates(program, &Options::default(), Some((keep, each)), false).1)
}

/// The pipeline and infrastructure files (with `files`) and what `each` makes of their stacks,
/// sorted by stack name.
fn templates<T: Send>(
    program: &Program,
    options: &Options,
    each: EachStack<'_, T>,
    files: bool,
) -> (Vec<OutputFile>, Vec<T>) {
    let (mut out, mut stacks) = pipeline::generate_with(program, options, each, files);
    let (infra, envs) = infra::generate_with(program, options, each, files);
    out.extend(infra);
    stacks.extend(envs);
    stacks.sort_by(|a, b| a.0.cmp(&b.0));
    (out, stacks.into_iter().map(|(_, t)| t).collect())
}
