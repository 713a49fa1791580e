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

#[test]
fn the_webshop_test_environment_costs_what_the_table_says() {
    let table = price_table();
    let p = &table["regions"]["us-east-1"];
    let hours = table["hours_per_month"].as_f64().unwrap();
    let f = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("no price: {v}"));
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
    let (min, max) = (hours * (fixed + instance), hours * (fixed + 2.0 * instance));

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
