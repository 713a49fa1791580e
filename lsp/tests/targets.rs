//! The deploy targets in the editor, from the schema alone (no target code in `lsp/`): the
//! server completes and explains `deploy = ecs { ... }`, its fields, the Fargate sizes of
//! `compute` and the ECS strategies.
#![allow(clippy::unwrap_used)]

mod common;

use common::{labels, pos, td, uri, Client};

const TEXT: &str = "use std.build.docker\n\napp orders {\n  source = codecommit { repository = \"orders\" }\n  build  = docker\n  deploy = ecs {\n    port = 8080\n    \n  }\n}\n\nenv staging {\n  network { cidr = 10.40.0.0/16 }\n  compute { cpu = 512,  }\n  strategy = rolling {}\n}\n";

#[test]
fn the_ecs_block_is_completed_and_explained_from_the_schema() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("orders.pf");
        c.open(&u, TEXT).await;
        c.diagnostics(&u).await;
        // Inside `deploy = ecs { ... }`: the ECS fields, not EC2's.
        let got =
            labels(&c.request("textDocument/completion", td(&u, pos(TEXT, "    \n  }\n}", 0, 4))).await);
        for field in ["secrets", "log_retention", "keep_images", "health_check"] {
            assert!(got.contains(&field.to_string()), "{field} in {got:?}");
        }
        assert!(
            !got.contains(&"files".to_string()) && !got.contains(&"hooks".to_string()),
            "EC2's fields: {got:?}"
        );
        // Inside `compute { ... }`: the Fargate sizes beside the EC2 ones.
        let got =
            labels(&c.request("textDocument/completion", td(&u, pos(TEXT, "cpu = 512, ", 0, 11))).await);
        assert!(got.contains(&"memory".to_string()), "{got:?}");
        // Hover: the target and a field, with the schema's documentation.
        let hover = c.request("textDocument/hover", td(&u, pos(TEXT, "ecs {", 0, 1))).await;
        let text = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        assert!(text.contains("Fargate"), "hover on ecs: {hover}");
        let hover = c.request("textDocument/hover", td(&u, pos(TEXT, "cpu = 512", 0, 1))).await;
        let text = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        assert!(text.contains("CPU units of a Fargate task"), "hover on cpu: {hover}");
        let hover = c.request("textDocument/hover", td(&u, pos(TEXT, "rolling", 0, 1))).await;
        let text = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        assert!(text.contains("circuit breaker"), "hover on rolling: {hover}");
        assert!(c.shutdown().await);
    });
}
