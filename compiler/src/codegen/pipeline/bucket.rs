//! The artifact bucket and its customer managed KMS key.
//!
//! The key encrypts the bucket, the CodeBuild projects and their logs, the Lambda logs and the
//! SNS topics. Its policy names the account root and the service principals that act without
//! a role of this stack (CloudWatch Logs, EventBridge): no wildcard principal.

use super::{arn, get_att, ids, sub, Ctx};
use serde_json::json;

/// Key administration and use actions granted to the account root (IAM policies delegate them).
const ROOT_KEY_ACTIONS: &[&str] = &[
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
];

pub(super) fn add(ctx: &mut Ctx) {
    let prefix = ctx.prefix();
    let mut key = json!({
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": format!("pf: artifacts, logs and notifications of pipeline {prefix}"),
            "EnableKeyRotation": true,
            "KeyPolicy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountAdministration",
                        "Effect": "Allow",
                        "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
                        "Action": ROOT_KEY_ACTIONS,
                        "Resource": "*"
                    },
                    {
                        "Sid": "CloudWatchLogsOfThisPipeline",
                        "Effect": "Allow",
                        "Principal": { "Service": sub("logs.${AWS::Region}.amazonaws.com") },
                        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                        "Resource": "*",
                        "Condition": {
                            "ArnLike": {
                                "kms:EncryptionContext:aws:logs:arn": [
                                    arn("logs", &format!("log-group:/aws/codebuild/{prefix}-*")),
                                    arn("logs", &format!("log-group:/aws/lambda/{prefix}-*"))
                                ]
                            }
                        }
                    },
                    {
                        "Sid": "EventBridgeToEncryptedTopics",
                        "Effect": "Allow",
                        "Principal": { "Service": "events.amazonaws.com" },
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                        "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } }
                    }
                ]
            }
        }
    });
    if let Some(list) = key["Properties"]["KeyPolicy"]["Statement"].as_array_mut() {
        list.extend(super::accounts::key_statements(ctx, None));
    }
    ctx.add(ids::KEY, ctx.tagged(key));

    let bucket = json!({
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Metadata": super::checkov_skip(&[(
            "CKV_AWS_18",
            "Access logging is not enabled: the bucket only holds pipeline artifacts written and \
             read by this stack's roles, every access is already recorded by CloudTrail, and a \
             log bucket per pipeline would itself need a log bucket."
        )]),
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": get_att(ids::KEY, "Arn")
                    },
                    "BucketKeyEnabled": true
                }]
            },
            "VersioningConfiguration": { "Status": "Enabled" },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": true,
                "BlockPublicPolicy": true,
                "IgnorePublicAcls": true,
                "RestrictPublicBuckets": true
            },
            "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
            "LifecycleConfiguration": {
                "Rules": [{
                    "Id": "expire-old-artifacts",
                    "Status": "Enabled",
                    "ExpirationInDays": 90,
                    "NoncurrentVersionExpiration": { "NoncurrentDays": 30 },
                    "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 }
                }]
            }
        }
    });
    ctx.add(ids::BUCKET, ctx.tagged(bucket));

    let mut policy = json!({
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": { "Ref": ids::BUCKET },
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": { "AWS": "*" },
                    "Action": "s3:*",
                    "Resource": [
                        get_att(ids::BUCKET, "Arn"),
                        sub(&format!("${{{}.Arn}}/*", ids::BUCKET))
                    ],
                    "Condition": { "Bool": { "aws:SecureTransport": "false" } }
                }]
            }
        }
    });
    if let Some(list) = policy["Properties"]["PolicyDocument"]["Statement"].as_array_mut() {
        let (bucket, objects) = (get_att(ids::BUCKET, "Arn"), sub(&format!("${{{}.Arn}}/*", ids::BUCKET)));
        list.extend(super::accounts::bucket_statements(ctx, None, &bucket, &objects));
    }
    ctx.add("ArtifactBucketPolicy", policy);

    ctx.output("ArtifactBucketName", "The artifact bucket", json!({ "Ref": ids::BUCKET }));
    ctx.output("ArtifactKeyArn", "The KMS key of artifacts, logs and topics", get_att(ids::KEY, "Arn"));
}
