//! The image: what the app's build adds to push it (ECR login, tag with the commit, push unless
//! the tag exists, since tags are immutable, and `pf-image.json` with the tag), the pipeline
//! stack's ECR repository and the rights to push to it, and the release parameters that carry
//! the image to every CloudFormation action of the environment stacks (docs/targets.md).

use crate::codegen::json::json;
use crate::codegen::naming;
use crate::codegen::targets::{BuildExtras, PipelineExtras};
use crate::ir::EcsDeploy;
use serde_json::Value;

/// The pipeline stack's repository (logical ID).
pub const REPOSITORY: &str = "ImageRepository";

/// The image the build leaves behind (the `docker` preset tags it so).
pub const LOCAL_IMAGE: &str = "app:latest";

/// The post-build commands of the app's build: the image, tagged with the commit's first 12
/// characters, is pushed to the pipeline's repository, and its tag written to
/// [`naming::IMAGE_FILE`].
pub fn build_extras() -> BuildExtras {
    let image = "\"$IMAGE_REGISTRY/$IMAGE_REPOSITORY:$IMAGE_TAG\"";
    BuildExtras {
        post_build: vec![
            "IMAGE_TAG=\"$(echo \"$CODEBUILD_RESOLVED_SOURCE_VERSION\" | cut -c1-12)\"".into(),
            "aws ecr get-login-password | docker login --username AWS --password-stdin \"$IMAGE_REGISTRY\"".into(),
            format!(
                "if aws ecr describe-images --repository-name \"$IMAGE_REPOSITORY\" --image-ids imageTag=\"$IMAGE_TAG\" >/dev/null 2>&1; \
                 then echo \"$IMAGE_TAG is pushed already (tags are immutable)\"; \
                 else docker tag {LOCAL_IMAGE} {image} && docker push {image}; fi"
            ),
            format!("printf '{{\"tag\": \"%s\"}}' \"$IMAGE_TAG\" > {}", naming::IMAGE_FILE),
        ],
        artifacts: vec![naming::IMAGE_FILE.into()],
    }
}

/// `ImageRepository` (the repository's name) and `ImageTag` (read from the build's
/// [`naming::IMAGE_FILE`]).
pub fn release_overrides(build_artifact: &str) -> Vec<(&'static str, String)> {
    vec![
        (naming::IMAGE_REPOSITORY_PARAMETER, format!("\"${{{REPOSITORY}}}\"")),
        (
            naming::IMAGE_TAG_PARAMETER,
            format!("{{\"Fn::GetParam\": [\"{build_artifact}\", \"{}\", \"tag\"]}}", naming::IMAGE_FILE),
        ),
    ]
}

/// The lifecycle policy: keep the last `keep` images, whatever their tags.
fn lifecycle_policy(keep: u32) -> String {
    json!({"rules": [{
        "rulePriority": 1,
        "description": format!("Keep the last {keep} images"),
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
        "action": {"type": "expire"}
    }]})
    .to_string()
}

fn sub(s: &str) -> Value {
    json!({ "Fn::Sub": s })
}

/// The repository `<app>-<pipeline>` (scan on push, immutable tags, KMS, lifecycle policy),
/// the build's `IMAGE_REGISTRY` and `IMAGE_REPOSITORY`, the CodeBuild role's push rights, and
/// the CloudFormation role's rights over the ECS resources of the environment stacks.
pub fn pipeline_extras(app: &str, d: &EcsDeploy, prefix: &str, envs: &[String]) -> PipelineExtras {
    let repository = json!({
        "Type": "AWS::ECR::Repository",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "RepositoryName": prefix.to_ascii_lowercase(),
            "ImageTagMutability": "IMMUTABLE",
            "ImageScanningConfiguration": {"ScanOnPush": true},
            "EncryptionConfiguration": {"EncryptionType": "KMS"},
            "LifecyclePolicy": {"LifecyclePolicyText": lifecycle_policy(d.keep_images)}
        }
    });
    let repository_arn = json!({"Fn::GetAtt": [REPOSITORY, "Arn"]});
    let build_statements = vec![
        json!({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]}),
        json!({"Effect": "Allow", "Action": [
            "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
            "ecr:DescribeImages", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
            "Resource": [repository_arn]}),
    ];
    let arn = |service: &str, rest: &str| {
        sub(&format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{rest}"))
    };
    let mut clusters = Vec::new();
    let mut services = Vec::new();
    let mut parameters = Vec::new();
    let mut log_groups = Vec::new();
    for env in envs {
        let stack = naming::env_stack_name(app, env);
        clusters.push(arn("ecs", &format!("cluster/{stack}")));
        services.push(arn("ecs", &format!("service/{stack}/*")));
        parameters.push(arn("ssm", &format!("parameter/{}*", super::secrets::parameter_prefix(app, env))));
        log_groups.push(arn("logs", &format!("log-group:{stack}-*")));
    }
    let mut cluster_and_services = clusters.clone();
    cluster_and_services.extend(services.iter().cloned());
    let deploy_statements = vec![
        json!({"Effect": "Allow", "Action": [
            "ecs:CreateCluster", "ecs:DeleteCluster", "ecs:DescribeClusters", "ecs:PutClusterCapacityProviders",
            "ecs:UpdateCluster", "ecs:UpdateClusterSettings"], "Resource": clusters}),
        json!({"Effect": "Allow", "Action": [
            "ecs:CreateService", "ecs:DeleteService", "ecs:DescribeServices", "ecs:DescribeServiceDeployments",
            "ecs:DescribeServiceRevisions", "ecs:ListServiceDeployments", "ecs:TagResource", "ecs:UntagResource",
            "ecs:UpdateService"], "Resource": cluster_and_services}),
        // Task definitions have no resource-level permission for registering (ECS's service
        // authorization reference), and are described by family.
        json!({"Effect": "Allow", "Action": [
            "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
            "Resource": ["*"]}),
        json!({"Effect": "Allow", "Action": [
            "ssm:AddTagsToResource", "ssm:DeleteParameter", "ssm:GetParameters", "ssm:ListTagsForResource",
            "ssm:PutParameter", "ssm:RemoveTagsFromResource"], "Resource": &parameters}),
        // The log key of each environment: keys have no name to scope creation by.
        json!({"Effect": "Allow", "Action": ["kms:CreateKey"], "Resource": ["*"]}),
        json!({"Effect": "Allow", "Action": [
            "kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
            "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription"], "Resource": [arn("kms", "key/*")]}),
        json!({"Effect": "Allow", "Action": ["logs:AssociateKmsKey", "logs:DisassociateKmsKey"], "Resource": log_groups}),
        json!({"Effect": "Allow", "Action": [
            "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
            "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
            "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"],
            "Resource": ["*"]}),
    ];
    // The boundary of the environment roles: the execution role pulls the image and reads the
    // container's own secrets (runtime values and the database's are the boundary's already);
    // the shift role uses AmazonECSInfrastructureRolePolicyForLoadBalancers's listener, rule and
    // target actions.
    let mut secret_arns = Vec::new();
    let mut parameter_arns = Vec::new();
    for t in d.secrets.values() {
        match t {
            crate::ir::Text::Secret(id) => secret_arns.push(naming::secret_arn(id)),
            crate::ir::Text::Param(p) => parameter_arns.push(naming::parameter_arn(p)),
            crate::ir::Text::Plain(_) => {}
        }
    }
    let mut boundary_statements = vec![
        json!({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]}),
        json!({"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
               "Resource": [{"Fn::GetAtt": [REPOSITORY, "Arn"]}]}),
        json!({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": parameters.clone()}),
        json!({"Effect": "Allow", "Action": [
            "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:ModifyRule", "elasticloadbalancing:RegisterTargets"], "Resource": ["*"]}),
    ];
    if !secret_arns.is_empty() {
        boundary_statements.push(
            json!({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secret_arns}),
        );
    }
    if !parameter_arns.is_empty() {
        boundary_statements
            .push(json!({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": parameter_arns}));
    }
    PipelineExtras {
        resources: vec![(REPOSITORY.into(), repository)],
        boundary_statements,
        build_variables: vec![
            json!({"Name": "IMAGE_REGISTRY", "Type": "PLAINTEXT",
                   "Value": sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}")}),
            json!({"Name": "IMAGE_REPOSITORY", "Type": "PLAINTEXT", "Value": {"Ref": REPOSITORY}}),
        ],
        build_statements,
        deploy_statements,
        pass_role_to: vec!["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"],
        service_linked_roles: vec!["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_comes_from_the_build_artifact_and_the_repository_from_the_stack() {
        let o = release_overrides("BuildOutput");
        assert_eq!(o[0], ("ImageRepository", "\"${ImageRepository}\"".to_string()));
        let tag: Value = serde_json::from_str(&o[1].1).unwrap();
        assert_eq!(tag, json!({"Fn::GetParam": ["BuildOutput", "pf-image.json", "tag"]}));
    }

    #[test]
    fn the_lifecycle_policy_keeps_the_last_images() {
        let p: Value = serde_json::from_str(&lifecycle_policy(7)).unwrap();
        assert_eq!(p["rules"][0]["selection"]["countNumber"], 7);
        assert_eq!(p["rules"][0]["action"]["type"], "expire");
    }
}
