//! `pf cost` against arithmetic done here, from the bundled price table and what the example
//! declares, not from pf's own lines.

use serde_json::Value;
use std::process::Command;

fn price_table() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/compiler/src/cost/prices.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn cost_json(program: &str) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["cost", "--format", "json", program])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("no price: {v}"))
}

fn env<'a>(estimate: &'a Value, name: &str) -> &'a Value {
    estimate["envs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// examples/webshop.pf's `test` at its minimum and maximum, from the table.
fn webshop_test() -> (f64, f64) {
    let table = price_table();
    let p = &table["regions"]["us-east-1"];
    let hours = table["hours_per_month"].as_f64().unwrap();
    // examples/webshop.pf's `test`: the cost_optimized profile (t3.micro, 1 to 2 instances, two
    // AZs, a single NAT gateway with its Elastic IP), a single-AZ PostgreSQL db.t4g.micro, and
    // one application load balancer with a public IPv4 address in each of its two subnets.
    // Storage (gp3) has no price in the table, so it stays out of the total.
    let fixed = f(&p["rds_instance_hour"]["postgres"]["db.t4g.micro"])
        + f(&p["load_balancer_hour"]["application"])
        + 2.0 * f(&p["public_ipv4_hour"])
        + f(&p["nat_gateway_hour"])
        + f(&p["public_ipv4_hour"]);
    let instance = f(&p["ec2_instance_hour"]["t3.micro"]);
    (hours * (fixed + instance), hours * (fixed + 2.0 * instance))
}

#[test]
fn the_webshop_test_environment_costs_what_the_table_says() {
    let (min, max) = webshop_test();
    let estimate = cost_json("examples/webshop.pf");
    let envs = estimate["envs"].as_array().unwrap();
    let test = envs.iter().find(|e| e["name"] == "test").unwrap();
    let got = (f(&test["monthly"]["min"]), f(&test["monthly"]["max"]));
    assert!(
        (got.0 - min).abs() < 0.01 && (got.1 - max).abs() < 0.01,
        "pf says {got:?}, the table {min:.2}-{max:.2}"
    );
    assert_eq!(test["unpriced"], 2, "the two gp3 volumes have no price: {test}");

    // prod is highly available (three NAT gateways, more addresses): it costs more than test.
    let prod = envs.iter().find(|e| e["name"] == "prod").unwrap();
    assert!(f(&prod["monthly"]["min"]) > got.1, "{prod}");
}

/// An ECS service on Fargate is priced per task, at the service's minimum and maximum task count:
/// orders-ecs's `production` runs 3 to 9 tasks of 1 vCPU and 2 GB (x86), and nothing else in it
/// changes with its size.
/// The entries of an environment's `list` (`lines` or `usage`) whose item starts with `prefix`.
fn items<'a>(env: &'a Value, list: &str, prefix: &str) -> Vec<&'a Value> {
    env[list].as_array().unwrap().iter().filter(|l| l["item"].as_str().unwrap().starts_with(prefix)).collect()
}

#[test]
fn fargate_tasks_are_priced_at_the_minimum_and_maximum_count() {
    let table = price_table();
    let p = &table["regions"]["us-east-1"];
    let hours = f(&table["hours_per_month"]);
    let task = hours * (f(&p["fargate_vcpu_hour"]["X86_64"]) + 2.0 * f(&p["fargate_gb_hour"]["X86_64"]));
    let production = env(&cost_json("examples/orders-ecs.pf"), "production").clone();
    let fargate = items(&production, "lines", "Fargate");
    assert_eq!(fargate.len(), 2, "vCPU and memory: {production}");
    let sum = |k: &str| fargate.iter().map(|l| f(&l["monthly"][k])).sum::<f64>();
    assert!((sum("min") - 3.0 * task).abs() < 0.02 && (sum("max") - 9.0 * task).abs() < 0.02, "{fargate:?}");
    let spread = f(&production["monthly"]["max"]) - f(&production["monthly"]["min"]);
    assert!((spread - 6.0 * task).abs() < 0.02, "only the tasks scale: {spread} vs {}", 6.0 * task);
}

/// A Lambda function is usage-based: its GB-second and request prices are shown apart, with
/// the function's architecture and memory, and the environment's total leaves it out.
#[test]
fn lambda_is_usage_based_with_its_architecture_and_memory() {
    let table = price_table();
    let usage = &table["regions"]["us-east-1"]["usage"];
    let production = env(&cost_json("examples/thumbnails-lambda.pf"), "production").clone();
    let lambda = items(&production, "usage", "Lambda");
    assert_eq!(lambda.len(), 1, "{production}");
    assert_eq!(f(&lambda[0]["unit_price"]), f(&usage["lambda_gb_second"]["arm64"]));
    assert!(lambda[0]["item"].as_str().unwrap().contains("arm64, 1024 MB"), "{}", lambda[0]);
    // 1,000,000 requests x 0.1 s x 1 GB, plus the requests' own price.
    let million = 1e5 * f(&usage["lambda_gb_second"]["arm64"]) + f(&usage["lambda_request_million"]);
    let expected = format!("a million requests of 100 ms each cost ${million:.2}");
    assert!(lambda[0]["assumption"].as_str().unwrap().contains(&expected), "{} / {expected}", lambda[0]);
    let lines = production["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| !l["item"].as_str().unwrap().contains("Lambda")), "{lines:?}");
}

/// Each environment is priced in its own region: enterprise's prod is in eu-west-1, which the
/// table does not price, so it says so and adds nothing, while test and uat (the pipeline's
/// us-east-1) are priced.
#[test]
fn each_environment_is_priced_in_its_own_region() {
    let estimate = cost_json("examples/enterprise.pf");
    let (test, prod) = (env(&estimate, "test"), env(&estimate, "prod"));
    assert_eq!((&test["region"], &test["prices_known"]), (&Value::from("us-east-1"), &Value::from(true)));
    assert!(f(&test["monthly"]["min"]) > 0.0, "{test}");
    assert_eq!((&prod["region"], &prod["prices_known"]), (&Value::from("eu-west-1"), &Value::from(false)));
    assert_eq!(f(&prod["monthly"]["max"]), 0.0, "{prod}");
    let lines = prod["lines"].as_array().unwrap();
    assert!(!lines.is_empty() && lines.iter().all(|l| l["unit_price"].is_null()), "{prod}");
    let human = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["cost", "examples/enterprise.pf"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(
        human.contains("env prod (eu-west-1): no prices known for eu-west-1 (the table has us-east-1)"),
        "{human}"
    );
}

/// A region name pf does not know is a usage error; the output says why.
#[test]
fn an_unknown_region_is_a_usage_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["cost", "--region", "us-east1", "examples/webshop.pf"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`us-east1` is not a region pf knows"), "{err}");
}

/// `pf build`'s summary line gives each environment's monthly figure, the table's arithmetic.
#[test]
fn the_build_summary_line_has_the_estimate() {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pf"))
        .args(["build", "examples/webshop.pf", "examples/enterprise.pf", "-o"])
        .arg(out.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8(o.stderr).unwrap();
    let (min, max) = webshop_test();
    let money = |x: f64| format!("${x:.2}");
    let test = format!("(test {}-{}, ", money(min), money(max));
    assert!(err.contains("; monthly estimate $") && err.contains(&test), "{err} / {test}");
    assert!(err.contains("prod: no prices for eu-west-1"), "{err}");
    assert!(o.stdout.is_empty(), "stdout stays empty: {}", String::from_utf8_lossy(&o.stdout));
}

/// A program of more apps than `pf build` prices builds as ever, and its summary line says why
/// there is no figure and where to get one.
#[test]
fn a_build_of_many_apps_is_not_priced() {
    let apps = pf_compiler::cost::BUILD_PRICES_APPS + 1;
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("many.pf");
    std::fs::write(&program, pf_compiler::testgen::program(apps, 1)).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pf"))
        .arg("build")
        .arg(&program)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(o.status.success(), "{err}");
    let expected = format!("; no monthly estimate ({apps} apps: a build prices at most {} apps", apps - 1);
    assert!(err.contains("wrote ") && err.contains(&expected), "{err}");
    assert!(!err.contains("monthly estimate $"), "{err}");
}
