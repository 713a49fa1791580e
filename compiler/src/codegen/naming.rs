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

/// The CloudWatch alarm `alarm` of an environment stack: `<app>-<env>-<alarm>` (the EC2
/// target names it so; a release gate reads it by this name).
pub fn alarm_name(app: &str, env: &str, alarm: &str) -> String {
    format!("{}-{alarm}", deployment_group(app, env))
}

/// The CloudFormation stack of an environment by names: `<app>-<env>` (same as [`env_stack`]).
pub fn env_stack_name(app: &str, env: &str) -> String {
    format!("{app}-{env}")
}

/// The image stack of an app (`<app>-image`), updated by every pipeline run with the run's AMI.
pub fn image_stack_name(app: &str) -> String {
    format!("{app}-image")
}

/// The image stack's template: `<app>/image.template.<ext>`.
pub fn image_template_file(app: &str, ext: &str) -> String {
    format!("{}/image.template.{ext}", app_dir(app))
}

/// The pipeline action baking the app's image after its build, and its variable namespace.
pub const IMAGE_ACTION: &str = "image";

/// The image stack's output the environment stacks' `ImageId` reads (through the pipeline).
pub const IMAGE_ID_OUTPUT: &str = "ImageId";

/// The prefix of the names of the IAM roles and instance profiles an environment stack creates:
/// `<app>-<env>-`. CloudFormation's generated names start with the stack name, so unnamed roles
/// match; named ones must use this prefix. The pipeline's CloudFormation execution role may
/// manage only these.
pub fn env_role_prefix(app: &str, env: &str) -> String {
    format!("{}-", env_stack_name(app, env))
}

/// The environment stack's parameter that receives the pipeline's artifact bucket name.
pub fn artifact_bucket_parameter() -> &'static str {
    PASSED_BY_PIPELINE[0]
}

/// The environment stack's parameter that receives the ARN of the artifact bucket's KMS key.
pub fn artifact_key_parameter() -> &'static str {
    PASSED_BY_PIPELINE[1]
}

/// The environment stack's parameter that receives the ARN of the permissions boundary that every
/// role of the stack carries (the pipeline stack's `EnvironmentRoleBoundary`).
pub fn permissions_boundary_parameter() -> &'static str {
    PASSED_BY_PIPELINE[2]
}

/// The environment stack's parameters that the pipeline's CloudFormation actions pass as
/// parameter overrides (not in the template configuration): the artifact bucket and key, the
/// permissions boundary of the stack's roles, and
/// the release parameters of the targets released by the stack (`targets::release_overrides`);
/// EC2: `ImageId` only when the app bakes an image (the image action's output), `LiveImageId`
/// only when one of its environments releases blue/green.
pub const PASSED_BY_PIPELINE: &[&str] = &[
    "ArtifactBucket",
    "ArtifactKeyArn",
    "PermissionsBoundaryArn",
    IMAGE_REPOSITORY_PARAMETER,
    IMAGE_TAG_PARAMETER,
    "ImageId",
    "LiveImageId",
    LAMBDA_CODE_KEY_PARAMETER,
];

/// Lambda: the environment stack's parameter with the object key of the function's code (the
/// build artifact's zip in the artifact bucket).
pub const LAMBDA_CODE_KEY_PARAMETER: &str = "CodeKey";

/// ECS: the environment stack's parameter naming the pipeline's ECR repository.
pub const IMAGE_REPOSITORY_PARAMETER: &str = "ImageRepository";

/// ECS: the environment stack's parameter with the tag of the image to run (the commit's).
pub const IMAGE_TAG_PARAMETER: &str = "ImageTag";

/// ECS: the file the app's build writes into its artifact, `{"tag": "<image tag>"}`, that the
/// pipeline's CloudFormation actions read the image tag from.
pub const IMAGE_FILE: &str = "pf-image.json";

/// The environment stack's output with the app's URL (read by test actions as `APP_URL`).
pub fn env_url_output() -> &'static str {
    "Url"
}

/// The CodePipeline variable namespace of the action that deploys an environment's stack.
pub fn infra_namespace(env: &str) -> String {
    format!("infra-{env}")
}

/// The CodeBuild report group of a report: `<app>-<report>`. The buildspec names its reports
/// with it, so CodeBuild uses the group the pipeline stack created.
pub fn report_group(app: &str, report: &str) -> String {
    format!("{app}-{report}")
}

/// The CodePipeline pipeline's name: `<app>-<pipeline>`.
pub fn pipeline_name(pipeline: &Pipeline) -> String {
    format!("{}-{}", pipeline.app, pipeline.name)
}

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

/// The environment template's parameter naming the CodeDeploy application.
pub const INFRA_CODEDEPLOY_APPLICATION_PARAMETER: &str = "CodeDeployApplication";

/// `id` or `id:json-key` (a `secret("...")` reference; `id` may be a secret's ARN) as the body
/// of a Secrets Manager dynamic reference, `{{resolve:secretsmanager:<body>}}`: a JSON key goes
/// after `SecretString`. The one place this is written, for every secret a template resolves
/// (database password, certificate, GitHub connection).
pub fn secret_reference(id: &str) -> String {
    match secret_parts(id) {
        (secret, Some(key)) => format!("{secret}:SecretString:{key}"),
        (secret, None) => secret.to_string(),
    }
}

/// `id` or `id:json-key` (a `secret("...")` reference; `id` may be a secret's ARN) split into the
/// secret and its JSON key.
pub fn secret_parts(id: &str) -> (&str, Option<&str>) {
    // An ARN has seven `:`-separated parts (`arn:aws:secretsmanager:region:account:secret:name`).
    let split =
        if id.starts_with("arn:") { id.match_indices(':').nth(6) } else { id.match_indices(':').next() };
    match split {
        Some((i, _)) => (&id[..i], Some(&id[i + 1..])),
        None => (id, None),
    }
}

/// The ARN of an SSM parameter by name (`/a/b` or `a/b`), in this stack's region and account.
pub fn parameter_arn(name: &str) -> serde_json::Value {
    let name = name.trim_start_matches('/');
    crate::codegen::json::json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{name}") })
}

/// The ARN (pattern) of the secret of a `secret("id[:json-key]")` reference: a full ARN as
/// written, a name with the six characters Secrets Manager appends.
pub fn secret_arn(id: &str) -> serde_json::Value {
    let (secret, _) = secret_parts(id);
    if secret.starts_with("arn:") {
        crate::codegen::json::json!(secret)
    } else {
        crate::codegen::json::json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{secret}-??????") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_alphanumeric_camel_case() {
        assert_eq!(logical_id(&["webshop", "unit-test"]), "WebshopUnitTest");
        assert_eq!(logical_id(&["prod", "db_main"]), "ProdDbMain");
    }

    #[test]
    fn secrets_become_dynamic_reference_bodies() {
        assert_eq!(secret_reference("webshop/api:key"), "webshop/api:SecretString:key");
        assert_eq!(secret_reference("webshop/prod/db"), "webshop/prod/db");
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webshop/api-AbCdEf";
        assert_eq!(secret_reference(arn), arn);
        assert_eq!(secret_reference(&format!("{arn}:key")), format!("{arn}:SecretString:key"));
    }
}
