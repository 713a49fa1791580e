//! The image stack `<app>-image`: EC2 Image Builder bakes the app's AMI from the build's
//! artifact, once per pipeline run (docs/blue-green.md, "Baking the image").
//!
//! Every run updates the one stack with its execution id (`RunId`): the component and the
//! recipe are immutable in Image Builder, so each run's are new resources named after the run,
//! and the `AWS::ImageBuilder::Image` built from them is new too; its `ImageId` is the stack's
//! output, which the pipeline passes to every environment stack the run deploys. The image is
//! retained when the next run replaces it (an environment may still run it, or roll back to
//! it); the stack's lifecycle policy deletes images, AMIs and snapshots older than `keep`,
//! keeping the three newest. No `DistributionConfiguration`: nothing edits launch templates
//! behind the environment stacks.

use super::runtime_env;
use crate::codegen::infra::{att, r, sub};
use crate::codegen::json::json;
use crate::codegen::pipeline::sub_escape;
use crate::codegen::{naming, yaml};
use crate::ir::{App, Ec2Deploy, ImageBake, Program};
use serde_json::{Map, Value};

/// The tag that selects the app's images for the lifecycle policy.
const IMAGE_TAG: &str = "pf:image";

/// The stack's parameters the pipeline sets (`ParameterOverrides` of the image action).
pub const REVISION_KEY: &str = "RevisionKey";
pub const RUN_ID: &str = "RunId";

/// What installs the runtime-values script in the image: the script and its manifest from the
/// artifact, the app's user, and a unit that writes `/etc/pf/<app>.env` at every boot, before
/// `multi-user.target` (an app's unit orders itself `After=` it).
fn runtime_env_commands(program: &Program, app: &App, d: &Ec2Deploy) -> Vec<String> {
    if runtime_env::hook(program, app).is_none() {
        return Vec::new();
    }
    let dir = format!("/opt/pf/{}", app.name);
    let script = naming::in_repo(&program.project, &runtime_env::script_file(&app.name));
    let manifest = naming::in_repo(&program.project, &runtime_env::manifest_file(&app.name));
    let unit = runtime_unit(&app.name);
    let mut out = vec![
        format!("install -d -m 0755 {dir}"),
        format!("install -m 0755 '{script}' {dir}/runtime-env.py"),
        format!("install -m 0644 '{manifest}' {dir}/runtime.json"),
    ];
    if let Some(user) = d.user.as_deref().filter(|u| *u != "root") {
        out.push(format!("id -u {user} >/dev/null 2>&1 || useradd --system --shell /sbin/nologin {user}"));
    }
    let lines = [
        "[Unit]".to_string(),
        format!("Description=pf: the runtime values of {} ({})", app.name, runtime_env::env_file(&app.name)),
        "Wants=network-online.target".into(),
        "After=network-online.target".into(),
        "Before=multi-user.target".into(),
        "[Service]".into(),
        "Type=oneshot".into(),
        "RemainAfterExit=yes".into(),
        format!("ExecStart=/usr/bin/python3 {dir}/runtime-env.py"),
        "[Install]".into(),
        "WantedBy=multi-user.target".into(),
    ];
    out.push(format!(
        "printf '%s\\n' {} > /etc/systemd/system/{unit}",
        lines.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>().join(" ")
    ));
    out.push(format!("systemctl enable {unit}"));
    out
}

/// The systemd unit that writes the app's runtime values at boot on a baked AMI.
pub fn runtime_unit(app: &str) -> String {
    format!("pf-runtime-env-{app}.service")
}

/// The component's document: fetch the build artifact, install the app's `files` (and the
/// runtime-values script), run `steps`.
fn component_data(program: &Program, app: &App, d: &Ec2Deploy, image: &ImageBake) -> String {
    let mut commands = vec![
        "set -euo pipefail".to_string(),
        "rm -rf /tmp/pf-revision && mkdir -p /tmp/pf-revision && cd /tmp/pf-revision".to_string(),
        format!(
            "aws s3 cp \"s3://${{{}}}/${{{REVISION_KEY}}}\" revision.zip",
            naming::artifact_bucket_parameter()
        ),
        "python3 -m zipfile -e revision.zip .".to_string(),
    ];
    for (source, destination) in &d.files {
        let (source, destination) = (sub_escape(source), sub_escape(destination));
        commands.push(format!("mkdir -p \"$(dirname '{destination}')\" && cp -a '{source}' '{destination}'"));
    }
    commands.extend(runtime_env_commands(program, app, d).iter().map(|s| sub_escape(s)));
    commands.extend(image.steps.iter().map(|s| sub_escape(s)));
    commands.push("cd / && rm -rf /tmp/pf-revision".to_string());
    let doc = json!({
        "name": "install-app",
        "description": "Installs the app's files from the pipeline run's build artifact, then the program's image steps.",
        "schemaVersion": 1.0,
        "phases": [{"name": "build", "steps": [{
            "name": "InstallApp", "action": "ExecuteBash", "inputs": {"commands": commands}}]}]
    });
    yaml::to_string(&doc)
}

/// The image stack's template, or `None` when the app bakes no image.
pub fn template(program: &Program, app: &App, d: &Ec2Deploy) -> Option<Value> {
    let source = &program.project.source;
    let image = d.image.as_ref()?;
    let run_name = sub("${AWS::StackName}-${RunId}");
    let mut parameters = Map::new();
    parameters.insert(
        "BaseImage".into(),
        json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": &image.base,
               "Description": "The SSM parameter of the base AMI, read at every bake."}),
    );
    parameters.insert(
        naming::artifact_bucket_parameter().into(),
        json!({"Type": "String", "Description": "The pipeline's artifact bucket, which holds the run's build artifact (passed by the pipeline)."}),
    );
    parameters.insert(
        REVISION_KEY.into(),
        json!({"Type": "String", "Description": "The key of the run's build artifact (passed by the pipeline)."}),
    );
    parameters.insert(
        naming::artifact_key_parameter().into(),
        json!({"Type": "String", "Description": "The ARN of the KMS key of the artifact bucket (passed by the pipeline)."}),
    );
    parameters.insert(
        RUN_ID.into(),
        json!({"Type": "String", "AllowedPattern": "^[a-z0-9-]{1,64}$",
               "Description": "The pipeline execution id: names this run's component and recipe (passed by the pipeline)."}),
    );
    let mut components: Vec<Value> = image
        .components
        .iter()
        .map(|c| json!({"ComponentArn": sub(&format!("arn:${{AWS::Partition}}:imagebuilder:${{AWS::Region}}:aws:component/{c}/x.x.x"))}))
        .collect();
    components.push(json!({"ComponentArn": att("AppComponent", "Arn")}));
    let tags = json!({ IMAGE_TAG: &app.name });
    let mut resources = Map::new();
    resources.insert(
        "BuildInstanceRole".into(),
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "Description": format!("Image Builder build instances of {}: read the run's build artifact", app.name),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [
                sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"),
                sub("arn:${AWS::Partition}:iam::aws:policy/EC2InstanceProfileForImageBuilder")],
            "Policies": [{"PolicyName": "read-build-artifact", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": sub("arn:${AWS::Partition}:s3:::${ArtifactBucket}/${RevisionKey}")},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": r(naming::artifact_key_parameter())}]}}]}}),
    );
    resources.insert(
        "BuildInstanceProfile".into(),
        json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [r("BuildInstanceRole")]}}),
    );
    resources.insert(
        "BuildInfrastructure".into(),
        json!({"Type": "AWS::ImageBuilder::InfrastructureConfiguration", "Properties": {
            "Name": sub("${AWS::StackName}"),
            "Description": format!("Build instances of {}'s images", app.name),
            "InstanceProfileName": r("BuildInstanceProfile"),
            "InstanceTypes": [&image.instance],
            "InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
            "TerminateInstanceOnFailure": true,
            "Tags": &tags}}),
    );
    resources.insert(
        "AppComponent".into(),
        json!({"Type": "AWS::ImageBuilder::Component", "Properties": {
            "Name": &run_name, "Version": "1.0.0", "Platform": "Linux",
            "Description": format!("Installs {} from the pipeline run's build artifact", app.name),
            "Data": sub(&component_data(program, app, d, image)),
            "Tags": &tags}}),
    );
    resources.insert(
        "Recipe".into(),
        json!({"Type": "AWS::ImageBuilder::ImageRecipe", "Properties": {
            "Name": run_name, "Version": "1.0.0", "ParentImage": r("BaseImage"),
            "Components": components,
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                "Encrypted": true, "VolumeType": "gp3", "DeleteOnTermination": true}}],
            "AmiTags": &tags,
            "Tags": &tags}}),
    );
    resources.insert(
        "Image".into(),
        json!({"Type": "AWS::ImageBuilder::Image",
               "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
               "Properties": {
            "ImageRecipeArn": att("Recipe", "Arn"),
            "InfrastructureConfigurationArn": att("BuildInfrastructure", "Arn"),
            "EnhancedImageMetadataEnabled": true,
            "Tags": &tags}}),
    );
    resources.insert(
        "LifecycleRole".into(),
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "Description": format!("Image Builder lifecycle policy of {}'s images", app.name),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "imagebuilder.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy")]}}),
    );
    resources.insert(
        "ImageLifecycle".into(),
        json!({"Type": "AWS::ImageBuilder::LifecyclePolicy", "Properties": {
            "Name": sub("${AWS::StackName}-images"),
            "Description": format!("Deletes {}'s images, AMIs and snapshots after {} days, keeping the three newest", app.name, image.keep_days),
            "ExecutionRole": att("LifecycleRole", "Arn"),
            "ResourceType": "AMI_IMAGE",
            "PolicyDetails": [{
                "Action": {"Type": "DELETE", "IncludeResources": {"Amis": true, "Snapshots": true}},
                "Filter": {"Type": "AGE", "Value": image.keep_days, "Unit": "DAYS", "RetainAtLeast": 3}}],
            "ResourceSelection": {"TagMap": &tags},
            "Tags": tags}}),
    );
    let mut outputs = Map::new();
    outputs.insert(
        naming::IMAGE_ID_OUTPUT.into(),
        json!({"Description": "The AMI this run baked.", "Value": att("Image", "ImageId")}),
    );
    let mut doc = Map::new();
    doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    doc.insert(
        "Description".into(),
        json!(format!("The image of {} baked per pipeline run. Generated by pf from {source}.", app.name)),
    );
    // Like every role pf's stacks create, the image's roles carry the pipeline's permissions
    // boundary: the CloudFormation role may create roles only with it (docs/pipeline-stack.md).
    parameters.insert(
        naming::permissions_boundary_parameter().into(),
        json!({"Type": "String", "Description": "The ARN of the permissions boundary of every role of this stack (passed by the pipeline)."}),
    );
    for resource in resources.values_mut() {
        if resource["Type"] == "AWS::IAM::Role" {
            resource["Properties"]["PermissionsBoundary"] =
                json!({"Ref": naming::permissions_boundary_parameter()});
        }
    }
    doc.insert("Parameters".into(), Value::Object(parameters));
    doc.insert("Resources".into(), Value::Object(resources));
    doc.insert("Outputs".into(), Value::Object(outputs));
    Some(Value::Object(doc))
}
