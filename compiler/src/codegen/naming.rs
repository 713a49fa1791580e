//! Names and paths shared by the generated files. One place, so the pipeline stack, the
//! environment stacks, the buildspec and the appspec always agree.
//!
//! Every AWS name is derived from the app (and environment) so two apps in one account never
//! collide.

use crate::ir::{App, Env, Pipeline, Project};

/// `<app>/`: the folder of an app's generated files, relative to the output folder.
pub fn app_dir(app: &str) -> String {
    app.to_string()
}

/// File name of a pipeline's template.
pub fn pipeline_template_file(pipeline: &Pipeline, ext: &str) -> String {
    format!("{}/pipeline-{}.template.{ext}", app_dir(&pipeline.app), pipeline.name)
}

/// File name of an app's infrastructure template.
pub fn infra_template_file(app: &str, ext: &str) -> String {
    format!("{}/infra.template.{ext}", app_dir(app))
}

/// File name of an environment's template configuration.
pub fn config_file(app: &str, env: &str) -> String {
    format!("{}/config/{env}.json", app_dir(app))
}

/// File name of the app's build buildspec.
pub fn buildspec_file(app: &str) -> String {
    format!("{}/buildspec.yml", app_dir(app))
}

/// File name of a test action's buildspec.
pub fn test_buildspec_file(app: &str, test: &str) -> String {
    format!("{}/buildspec-{test}.yml", app_dir(app))
}

/// File name of the app's appspec.
pub fn appspec_file(app: &str) -> String {
    format!("{}/appspec.yml", app_dir(app))
}

/// Path of a generated file inside the source repository (and so inside the source and build
/// artifacts): the project's output folder joined with the file name.
pub fn in_repo(project: &Project, file: &str) -> String {
    format!("{}/{file}", project.output.trim_end_matches('/'))
}

/// The CloudFormation stack of an environment: `<app>-<env>`.
pub fn env_stack(app: &App, env: &Env) -> String {
    format!("{}-{}", app.name, env.name)
}

/// The CodeDeploy application of an app.
pub fn codedeploy_application(app: &str) -> String {
    app.to_string()
}

/// The CodeDeploy deployment group of an app in an environment.
pub fn deployment_group(app: &str, env: &str) -> String {
    format!("{app}-{env}")
}

/// A CodeBuild report group of an app: `<app>-<report>` (the buildspec's `reports` key and the
/// pipeline stack's `AWS::CodeBuild::ReportGroup` name).
pub fn report_group(app: &str, report: &str) -> String {
    format!("{app}-{report}")
}

/// The output of an environment stack with the app's URL (`http(s)://host`), read by the
/// pipeline's test actions.
pub const INFRA_URL_OUTPUT: &str = "Url";

/// The two parameters of the environment template that the pipeline passes as
/// `ParameterOverrides` (the artifact bucket and its KMS key); every other parameter is set by
/// the environment's configuration file.
pub const INFRA_PIPELINE_PARAMETERS: [&str; 2] = ["ArtifactBucket", "ArtifactKeyArn"];

/// The environment template's parameter naming the CodeDeploy application.
pub const INFRA_CODEDEPLOY_APPLICATION_PARAMETER: &str = "CodeDeployApplication";

/// A CloudFormation logical ID from parts: each part's alphanumerics, capitalised
/// (`["webshop", "unit-test"]` gives `WebshopUnitTest`).
pub fn logical_id(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        for word in part.split(|c: char| !c.is_ascii_alphanumeric()) {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_alphanumeric_camel_case() {
        assert_eq!(logical_id(&["webshop", "unit-test"]), "WebshopUnitTest");
        assert_eq!(logical_id(&["prod", "db_main"]), "ProdDbMain");
    }
}
