//! The EC2 delivery of runtime values, run for real: the generated `runtime-env.py` of the webshop
//! example, with a stand-in `aws` command on the PATH, writes every value of its deployment
//! group, resolved, into the environment file, readable by its owner only.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// A stand-in for the AWS CLI: answers the calls the script makes from fixed values.
const FAKE_AWS: &str = r#"#!/usr/bin/env python3
import json, sys
args = sys.argv[1:]
if "describe-stacks" in args:
    assert args[args.index("--stack-name") + 1] == "webshop-prod", args
    print(json.dumps([{"OutputKey": "DatabaseEndpoint", "OutputValue": "db.internal"},
                      {"OutputKey": "DatabaseSecretArn", "OutputValue": "arn:aws:secretsmanager:eu-west-1:1:secret:rds-x"}]))
elif "get-secret-value" in args:
    sid = args[args.index("--secret-id") + 1]
    print({"webshop/payments": json.dumps({"api-key": "pay-$ecret\"1"}),
           "arn:aws:secretsmanager:eu-west-1:1:secret:rds-x": json.dumps({"username": "app", "password": "pw`x"})}[sid])
elif "get-parameter" in args:
    assert args[args.index("--name") + 1] == "/webshop/prod/feature-flags", args
    print("checkout-v2")
else:
    sys.exit("unexpected call: %s" % args)
"#;

#[test]
fn the_hook_writes_every_value_resolved_into_a_private_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["build", "examples/webshop.pf", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = out.join("webshop");
    // Point the manifest at a scratch file owned by whoever runs the test.
    let env_file = tmp.path().join("etc/webshop.env");
    let manifest = std::fs::read_to_string(dir.join("runtime.json")).unwrap();
    assert!(manifest.contains("\"file\": \"/etc/pf/webshop.env\""), "{manifest}");
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let manifest = manifest
        .replace("/etc/pf/webshop.env", env_file.to_str().unwrap())
        .replace("\"owner\": \"webshop\"", &format!("\"owner\": \"{}\"", user.trim()));
    std::fs::write(dir.join("runtime.json"), manifest).unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("aws"), FAKE_AWS).unwrap();
    std::fs::set_permissions(bin.join("aws"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());

    // The interpreter itself, not a version manager's shim (which puts its own `aws` first).
    let python = Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output().unwrap();
    let python = String::from_utf8(python.stdout).unwrap().trim().to_string();
    let run = Command::new(&python)
        .arg(dir.join("runtime-env.py"))
        .env("PATH", path)
        .env("AWS_REGION", "eu-west-1")
        .env("DEPLOYMENT_GROUP_NAME", "webshop-prod")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let written = std::fs::read_to_string(&env_file).unwrap();
    let expected = [
        r#"DATABASE_ENGINE="postgres""#,
        r#"DATABASE_HOST="db.internal""#,
        r#"DATABASE_NAME="app""#,
        r#"DATABASE_PASSWORD="pw\`x""#,
        r#"DATABASE_PORT="5432""#,
        r#"DATABASE_USER="app""#,
        r#"FEATURE_FLAGS="checkout-v2""#,
        r#"LOG_LEVEL="warning""#,
        r#"PAYMENTS_API_KEY="pay-\$ecret\"1""#,
    ];
    assert_eq!(written.lines().collect::<Vec<_>>(), expected);
    let mode = std::fs::metadata(&env_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // What sh reads back is the value itself.
    let sourced = Command::new("sh")
        .arg("-c")
        .arg(format!("set -a; . {}; printf %s \"$PAYMENTS_API_KEY|$DATABASE_PASSWORD\"", env_file.display()))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&sourced.stdout), "pay-$ecret\"1|pw`x");

    // Without CodeDeploy (at boot, on a baked AMI) the group is the user data's marker line.
    std::fs::remove_file(&env_file).unwrap();
    let at_boot = Command::new(&python)
        .arg("-c")
        .arg(
            "import importlib.util, sys\n\
             spec = importlib.util.spec_from_file_location('runtime_env', sys.argv[1])\n\
             m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n\
             m.imds = lambda path: '#!/bin/bash\\n# pf:deployment-group=webshop-prod\\nset -e\\n' if path == 'user-data' else sys.exit('imds ' + path)\n\
             m.main()",
        )
        .arg(dir.join("runtime-env.py"))
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("AWS_REGION", "eu-west-1")
        .env_remove("DEPLOYMENT_GROUP_NAME")
        .output()
        .unwrap();
    assert!(at_boot.status.success(), "{}", String::from_utf8_lossy(&at_boot.stderr));
    assert_eq!(std::fs::read_to_string(&env_file).unwrap().lines().collect::<Vec<_>>(), expected);

    // A deployment group the manifest does not know fails the hook, so the deployment fails.
    let unknown = Command::new(&python)
        .arg(dir.join("runtime-env.py"))
        .env("AWS_REGION", "eu-west-1")
        .env("DEPLOYMENT_GROUP_NAME", "webshop-staging")
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(Path::new(&env_file).exists());
}
