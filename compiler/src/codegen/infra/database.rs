//! The RDS database instance of the environments that declare one (condition `HasDatabase`):
//! subnet group in the private subnets, security group open to the app only, encrypted storage,
//! backups, snapshot on delete and replace, and a master password that is never in plain text
//! (RDS-managed in Secrets Manager, or a dynamic reference to Secrets Manager / SSM SecureString).

use super::network::all_subnets;
use super::{att, bool_param, bool_str, checkov_skip, equals, iff, no_value, r, resolved_text, sub};
use super::{text_params, text_values, Ctx, Template, Values};
use crate::codegen::json::json;
use crate::ir::Env;

/// The logical ID of the database (the stack policy of protected environments names it).
pub const DATABASE: &str = "Database";

/// Whether any environment of the app has a database.
pub fn any(ctx: &Ctx) -> bool {
    ctx.any(|e| e.database.is_some())
}

pub fn add(ctx: &Ctx, t: &mut Template) {
    if !any(ctx) {
        return;
    }
    let first = ctx.envs.iter().find_map(|e| e.database.as_ref()).expect("a database");
    t.param("HasDatabase", bool_param("Whether the environment has an RDS database."));
    t.param(
        "DbEngine",
        json!({"Type": "String", "AllowedValues": ["postgres", "mysql", "mariadb"], "Default": first.engine.aws_name(),
               "Description": "The database engine."}),
    );
    t.param(
        "DbEngineVersion",
        json!({"Type": "String", "Default": &first.version, "Description": "The engine version."}),
    );
    t.param(
        "DbPort",
        json!({"Type": "Number", "Default": first.engine.port(), "Description": "The engine's port."}),
    );
    t.param(
        "DbInstanceClass",
        json!({"Type": "String", "Default": &first.class, "Description": "The instance class."}),
    );
    t.param("DbAllocatedStorage", json!({"Type": "Number", "Default": first.storage_gib, "MinValue": 20, "Description": "Storage, GiB (gp3, encrypted)."}));
    t.param("DbMultiAz", json!({"Type": "String", "AllowedValues": ["true", "false"], "Default": "false", "Description": "A standby in another AZ."}));
    t.param("DbBackupRetentionDays", json!({"Type": "Number", "Default": first.backup_days, "MinValue": 1, "MaxValue": 35, "Description": "Automated backup retention, days."}));
    t.param(
        "DbUsername",
        json!({"Type": "String", "Default": &first.username, "Description": "The master user name."}),
    );
    t.param(
        "DbName",
        json!({"Type": "String", "Default": &first.name, "Description": "The initial database."}),
    );
    text_params(
        t,
        "DbPassword",
        "DbPasswordReference",
        "the master password",
        &["managed", "ssm-secure", "secretsmanager"],
        Some("managed"),
    );
    t.condition("HasDatabase", equals("HasDatabase", "true"));
    t.condition("DbIsPostgres", equals("DbEngine", "postgres"));
    t.condition("DbPasswordManaged", equals("DbPasswordSource", "managed"));
    t.condition("DbPasswordFromSsm", equals("DbPasswordSource", "ssm-secure"));

    t.resource(
        "DatabaseSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup", "Condition": "HasDatabase", "Properties": {
            "GroupDescription": "Database: the engine port from the app instances only",
            "VpcId": r("Vpc"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": r("DbPort"), "ToPort": r("DbPort"),
                "SourceSecurityGroupId": r("AppSecurityGroup"), "Description": "The engine's port from the app"}],
            "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32",
                "Description": "No outbound traffic (placeholder rule replacing the default allow-all)"}],
            "Tags": ctx.name_tags("db")}}),
    );
    t.resource(
        "DatabaseSubnetGroup",
        json!({"Type": "AWS::RDS::DBSubnetGroup", "Condition": "HasDatabase", "Properties": {
            "DBSubnetGroupDescription": format!("Private subnets of the {} database", ctx.app.name),
            "SubnetIds": all_subnets(ctx, "PrivateSubnet"),
            "Tags": ctx.name_tags("db")}}),
    );
    t.resource(
        "DatabaseMonitoringRole",
        json!({"Type": "AWS::IAM::Role", "Condition": "HasDatabase", "Properties": {
            "Description": "RDS enhanced monitoring",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")],
            "Tags": ctx.name_tags("db-monitoring")}}),
    );
    t.resource(
        DATABASE,
        json!({"Type": "AWS::RDS::DBInstance", "Condition": "HasDatabase",
               "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot",
               "Metadata": checkov_skip(&[
                   ("CKV_AWS_157", "Multi-AZ is a per-environment parameter (DbMultiAz): on in production, off in cheap test environments by the team's choice.")]),
               "Properties": {
            "Engine": r("DbEngine"), "EngineVersion": r("DbEngineVersion"),
            "DBInstanceClass": r("DbInstanceClass"),
            "AllocatedStorage": r("DbAllocatedStorage"), "StorageType": "gp3", "StorageEncrypted": true,
            "MultiAZ": r("DbMultiAz"),
            "BackupRetentionPeriod": r("DbBackupRetentionDays"),
            "DeletionProtection": r("Protected"),
            "DBName": r("DbName"), "Port": r("DbPort"),
            "MasterUsername": r("DbUsername"),
            "ManageMasterUserPassword": iff("DbPasswordManaged", json!(true), no_value()),
            "MasterUserPassword": iff("DbPasswordManaged", no_value(),
                resolved_text("DbPasswordReference", "ssm-secure", "DbPasswordFromSsm", None, no_value())),
            "DBSubnetGroupName": r("DatabaseSubnetGroup"),
            "VPCSecurityGroups": [r("DatabaseSecurityGroup")],
            "PubliclyAccessible": false, "CopyTagsToSnapshot": true, "AutoMinorVersionUpgrade": true,
            "EnableIAMDatabaseAuthentication": true,
            "MonitoringInterval": 60, "MonitoringRoleArn": att("DatabaseMonitoringRole", "Arn"),
            "EnableCloudwatchLogsExports": iff("DbIsPostgres", json!(["postgresql", "upgrade"]), json!(["error", "general", "slowquery"])),
            "Tags": ctx.name_tags("db")}}),
    );
    t.output(
        "DatabaseEndpoint",
        json!({"Condition": "HasDatabase", "Description": "The database's address.",
               "Value": att(DATABASE, "Endpoint.Address")}),
    );
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    if !any(ctx) {
        return;
    }
    v.push(("HasDatabase".into(), bool_str(env.database.is_some())));
    let Some(db) = &env.database else { return };
    v.push(("DbEngine".into(), db.engine.aws_name().into()));
    v.push(("DbEngineVersion".into(), db.version.clone()));
    v.push(("DbPort".into(), db.engine.port().to_string()));
    v.push(("DbInstanceClass".into(), db.class.clone()));
    v.push(("DbAllocatedStorage".into(), db.storage_gib.to_string()));
    v.push(("DbMultiAz".into(), bool_str(db.multi_az)));
    v.push(("DbBackupRetentionDays".into(), db.backup_days.to_string()));
    v.push(("DbUsername".into(), db.username.clone()));
    v.push(("DbName".into(), db.name.clone()));
    // A plain password never reaches a file: RDS manages it instead (the checker warns).
    let password = db.password.as_ref().filter(|p| !matches!(p, crate::ir::Text::Plain(_)));
    if password.is_none() {
        v.push(("DbPasswordSource".into(), "managed".into()));
        v.push(("DbPasswordReference".into(), String::new()));
    } else {
        text_values(v, "DbPassword", "DbPasswordReference", password, "managed");
    }
}
