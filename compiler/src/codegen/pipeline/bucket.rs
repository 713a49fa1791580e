//! The artifact bucket and its customer managed KMS key.
//!
//! The key encrypts the bucket, the CodeBuild projects and their logs, the Lambda logs and the
//! SNS topics. Its policy names the account root and the service principals that act without
//! a role of this stack (CloudWatch Logs, EventBridge): no wildcard principal.

use super::{arn, get_att, ids, sub, Ctx};
use crate::codegen::json::json;
use serde_json::Value;

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

/// The key policy statement that delegates the key to the account's IAM policies.
pub(crate) fn administration_statement() -> Value {
    json!({
        "Sid": "AccountAdministration",
        "Effect": "Allow",
        "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
        "Action": ROOT_KEY_ACTIONS,
        "Resource": "*"
    })
}

/// A customer managed artifact key (retained, rotated) with the policy `statements`.
pub(crate) fn key_resource(description: String, statements: Vec<Value>) -> Value {
    json!({
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": description,
            "EnableKeyRotation": true,
            "KeyPolicy": { "Version": "2012-10-17", "Statement": statements }
        }
    })
}

/// An artifact bucket encrypted with the key `key_id` (retained, versioned, private, expiring).
pub(crate) fn bucket_resource(key_id: &str) -> Value {
    json!({
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
                        "KMSMasterKeyID": get_att(key_id, "Arn")
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
    })
}

/// The policy of the bucket `bucket_id`: TLS only, then `extra` statements.
pub(crate) fn bucket_policy(bucket_id: &str, extra: Vec<Value>) -> Value {
    let mut statements = vec![json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": { "AWS": "*" },
        "Action": "s3:*",
        "Resource": [get_att(bucket_id, "Arn"), sub(&format!("${{{bucket_id}.Arn}}/*"))],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    })];
    statements.extend(extra);
    json!({
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": { "Ref": bucket_id },
            "PolicyDocument": { "Version": "2012-10-17", "Statement": statements }
        }
    })
}

pub(super) fn add(ctx: &mut Ctx) {
    let prefix = ctx.prefix();
    let mut statements = vec![
        administration_statement(),
        json!({
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
        }),
        json!({
            "Sid": "EventBridgeToEncryptedTopics",
            "Effect": "Allow",
            "Principal": { "Service": "events.amazonaws.com" },
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } }
        }),
    ];
    statements.extend(super::accounts::key_statements(ctx, None));
    let key = key_resource(format!("pf: artifacts, logs and notifications of pipeline {prefix}"), statements);
    ctx.add(ids::KEY, ctx.tagged(key));
    ctx.add(ids::BUCKET, ctx.tagged(bucket_resource(ids::KEY)));
    let (bucket, objects) = (get_att(ids::BUCKET, "Arn"), sub(&format!("${{{}.Arn}}/*", ids::BUCKET)));
    let extra = super::accounts::bucket_statements(ctx, None, &bucket, &objects);
    ctx.add("ArtifactBucketPolicy", bucket_policy(ids::BUCKET, extra));

    ctx.output("ArtifactBucketName", "The artifact bucket", json!({ "Ref": ids::BUCKET }));
    ctx.output("ArtifactKeyArn", "The KMS key of artifacts, logs and topics", get_att(ids::KEY, "Arn"));
}
