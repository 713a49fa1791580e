//! The standard library's data tables are AWS's lists: `stdlib/tables/instance_types.txt` is
//! exactly what `scripts/instance_types.py` generates from the AWS Price List data cfn-lint ships
//! (every instance type offered in some region), so a type AWS sells is never "unknown".

use std::path::Path;
use std::process::Command;

#[test]
fn the_instance_type_table_is_aws_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new("python3")
        .arg("scripts/instance_types.py")
        .arg("--check")
        .current_dir(root)
        .output()
        .expect("python3 (with cfn-lint) runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let types = pf_compiler::stdlib::instance_types();
    assert!(types.len() > 1000, "only {} instance types", types.len());
    // Types users were told were unknown, and the current generations.
    for t in ["t2.nano", "t2.micro", "m7i-flex.large", "c7g.medium", "r8g.large", "m5.metal", "a1.medium"] {
        assert!(types.contains(&t), "{t} is missing");
    }
    // Not instance types (the old table listed c5.8xlarge and c5.16xlarge), and Mac instances,
    // which need Dedicated Hosts.
    for t in ["c5.8xlarge", "c5.16xlarge", "mac1.metal", "t3.mega"] {
        assert!(!types.contains(&t), "{t} is listed");
    }
}
