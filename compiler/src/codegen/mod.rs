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
    crate::ir::index::scope(program, || {
        let mut files: Vec<OutputFile> = Vec::new();
        files.extend(pipeline::generate(program, options));
        files.extend(bootstrap::generate(program, options));
        files.extend(infra::generate(program, options));
        files.extend(buildspec::generate(program));
        files.extend(parallel::map(&program.apps, |app| targets::files(program, app)).into_iter().flatten());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    })
}
