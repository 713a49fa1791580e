//! Every missing-field finding (PF1003) keeps the fix that adds its field, also when findings
//! before it were dropped as the same finding reported again (an environment that inherits
//! another's mistakes, `check::lower`'s `report_once`).

use pf_compiler::driver::{analyze, NoFiles, Root};

/// `b` inherits `a`'s capacity mistake and its alarm without a metric (both reported once, on
/// `a`), then declares an alarm of its own without a threshold.
const PROGRAM: &str = r#"use std.build.go

app shop {
  source = codecommit { repository = "shop" }
  build = go
  deploy = ec2 { port = 8080 }
}

env a {
  network { cidr = 10.0.0.0/16 }
  compute { min = 3, max = 2 }
  alarm slow { threshold = 5 }
}

env b : a {
  alarm fast { metric = cpu }
}

pipeline shop {
  stage build { build }
  stage a { deploy a }
  stage b { deploy b }
}
"#;

#[test]
fn missing_fields_keep_their_fixes_after_repeated_findings_are_dropped() {
    let analysis =
        analyze(vec![Root { name: "app.pf".into(), bytes: PROGRAM.as_bytes().to_vec() }], &NoFiles);
    let missing: Vec<_> = analysis.diagnostics.iter().filter(|d| d.code.id == "PF1003").collect();
    assert_eq!(missing.len(), 2, "{:#?}", analysis.diagnostics);
    for d in missing {
        let field = d.message.split('`').nth(1).expect("the message names the field");
        let fix = d.fix.as_ref().unwrap_or_else(|| panic!("no fix for {}", d.message));
        assert!(fix.edits.iter().any(|e| e.replacement.contains(&format!("{field} ="))), "{fix:?}");
    }
}
