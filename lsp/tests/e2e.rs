//! End-to-end tests: the real server in-process, driven over JSON-RPC like an editor.
#![allow(clippy::unwrap_used)]

mod common;

use common::{labels, pos, td, uri, webshop, Client};
use serde_json::{json, Value};

#[test]
fn negotiates_the_position_encoding_and_shuts_down_cleanly() {
    common::run(async {
        let (c, init) = Client::start(true).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(init["capabilities"]["documentFormattingProvider"], true);
        assert!(c.shutdown().await, "shutdown then exit is a clean end");
        let (c, init) = Client::start(false).await;
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert!(c.shutdown().await);
    })
}

#[test]
fn diagnostics_appear_on_a_typo_offer_a_fix_and_clear_when_fixed() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        assert_eq!(c.diagnostics(&u).await, Vec::<Value>::new(), "the example is clean");

        // `health_check` -> `health_ceck` in the app's deploy block.
        let p = pos(&text, "health_check", 0, 0);
        let (l, ch) = (p["line"].as_u64().unwrap() as u32, p["character"].as_u64().unwrap() as u32);
        c.change(&u, 2, [(l, ch + 8), (l, ch + 9)], "").await;
        let diags = c.diagnostics(&u).await;
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!(d["code"], "PF1001");
        assert_eq!(d["severity"], 1);
        assert_eq!(d["message"], "unknown field `health_ceck`\nhelp: did you mean `health_check`?");
        assert_eq!(
            d["range"],
            json!({ "start": { "line": l, "character": ch }, "end": { "line": l, "character": ch + 11 } })
        );
        assert!(d.get("codeDescription").is_none(), "no invented documentation link");

        // The quick fix is a lookup of the diagnostic's data.
        let actions = c
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": u }, "range": d["range"], "context": { "diagnostics": [d] } }),
        )
        .await;
        let action = &actions[0];
        assert_eq!(action["title"], "replace with `health_check`");
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["isPreferred"], true);
        let edit = &action["edit"]["changes"][&u][0];
        assert_eq!(edit["newText"], "health_check");
        assert_eq!(edit["range"], d["range"]);

        // A client that sends no diagnostics (or drops their `data`) gets the fix at the cursor;
        // a request for other kinds than quick fixes gets none.
        let cursor = json!({ "start": d["range"]["start"], "end": d["range"]["start"] });
        let actions = c
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": u }, "range": cursor, "context": { "diagnostics": [] } }),
            )
            .await;
        assert_eq!(actions[0]["title"], "replace with `health_check`", "{actions}");
        let actions = c
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": u }, "range": d["range"],
                        "context": { "diagnostics": [d], "only": ["refactor"] } }),
            )
            .await;
        assert_eq!(actions, json!([]));

        // Applying it clears the diagnostics.
        c.change(&u, 3, [(l, ch), (l, ch + 11)], "health_check").await;
        assert_eq!(c.diagnostics(&u).await, Vec::<Value>::new());
        assert!(c.shutdown().await);
    })
}

#[test]
fn hover_shows_schema_docs_effective_configuration_and_literal_meanings() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        let hover = |v: &Value| v["contents"]["value"].as_str().unwrap_or("").to_string();

        // The parent `prod` in `env uat : prod`: prod's effective configuration.
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "env uat : prod", 0, 11))).await);
        assert!(h.contains("env prod : highly_available {"), "{h}");
        assert!(h.contains("cidr = 10.20.0.0/16"), "{h}");
        assert!(h.contains("azs = 3  # from highly_available (std/env/profiles.pf:"), "{h}");
        // `uat` itself: values inherited from prod say so, with the line.
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "env uat", 0, 5))).await);
        assert!(h.contains("cidr = 10.30.0.0/16\n"), "own value, no origin: {h}");
        let prod_line = text[..text.find("env prod").unwrap()].matches('\n').count() + 1;
        assert!(h.contains(&format!("# from prod (webshop.pf:{}", prod_line + 2)), "{h}");

        // A field name: doc, type, default.
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "backup", 0, 1))).await);
        assert!(h.contains("**backup**: duration"), "{h}");
        assert!(h.contains("Default: `7d`"), "{h}");
        // A declaration keyword and an enum field.
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "pipeline webshop", 0, 1))).await);
        assert!(h.contains("CodePipeline"), "{h}");
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "format = junit", 0, 1))).await);
        assert!(h.contains("Values: `junit`"), "{h}");

        // Literals.
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "10.10.0.0/16", 0, 3))).await);
        assert!(h.starts_with("10.10.0.0/16: 65,536 addresses, 10.10.0.0 – 10.10.255.255\n"), "{h}");
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "3d", 0, 1))).await);
        assert!(h.starts_with("3d = 72 hours = 259,200 s\n"), "{h}");
        let h = hover(&c.request("textDocument/hover", td(&u, pos(&text, "20GB", 0, 1))).await);
        assert!(h.starts_with("20GB = 20 GiB"), "{h}");
        assert!(c.shutdown().await);
    })
}

#[test]
fn completion_follows_the_context_even_in_a_broken_file() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        // Open a line inside `env test`'s network block.
        let p = pos(&text, "network { cidr = 10.10.0.0/16 }", 0, 0);
        let l = p["line"].as_u64().unwrap() as u32;
        c.change(&u, 2, [(l, 2), (l, 34)], "network {\n    cidr = 10.10.0.0/16\n    \n  }").await;
        let complete = |line: u32, ch: u32| json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": ch } });
        let got = labels(&c.request("textDocument/completion", complete(l + 2, 4)).await);
        assert!(got.contains(&"azs".to_string()) && got.contains(&"nat".to_string()), "{got:?}");
        assert!(!got.contains(&"cidr".to_string()), "cidr is set already: {got:?}");

        // After `nat = `: the enum's values.
        c.change(&u, 3, [(l + 2, 4), (l + 2, 4)], "nat = ").await;
        let got = labels(&c.request("textDocument/completion", complete(l + 2, 10)).await);
        assert_eq!(got, ["none", "single", "per_az"]);
        // Once the value is written, a space (a trigger character) offers nothing.
        c.change(&u, 4, [(l + 2, 10), (l + 2, 10)], "single ").await;
        let got = labels(&c.request("textDocument/completion", complete(l + 2, 17)).await);
        assert!(got.is_empty(), "the value is written: {got:?}");
        c.change(&u, 5, [(l + 2, 10), (l + 2, 17)], "").await;

        // Break the file (an unclosed brace at the end) and complete in a pipeline stage.
        let end = text.lines().count() as u32 + 3;
        c.change(&u, 6, [(end, 0), (end, 0)], "pipeline other {\n  stage s {\n    deploy ").await;
        let diags = c.diagnostics(&u).await;
        assert!(diags.iter().any(|d| d["code"] == "PF0007"), "{diags:?}");
        let got = labels(&c.request("textDocument/completion", complete(end + 2, 11)).await);
        assert_eq!(got, ["test", "prod", "uat"], "deploy takes an environment (profiles are not deployable)");
        c.change(&u, 7, [(end + 2, 11), (end + 2, 11)], "test ").await;
        let got = labels(&c.request("textDocument/completion", complete(end + 2, 16)).await);
        assert!(got.is_empty(), "the environment is written: {got:?}");
        c.change(&u, 8, [(end + 2, 11), (end + 2, 16)], "").await;
        c.change(&u, 9, [(end + 2, 4), (end + 2, 11)], "").await;
        let got = labels(&c.request("textDocument/completion", complete(end + 2, 4)).await);
        assert!(got.contains(&"deploy".to_string()) && got.contains(&"approve".to_string()), "{got:?}");

        // Top level, `use`, env parents, build presets.
        let n = end + 4;
        c.change(&u, 10, [(end + 2, 4), (end + 2, 4)], "\n}\n}\nuse ").await;
        let got = labels(&c.request("textDocument/completion", complete(n + 1, 4)).await);
        assert!(got.contains(&"std.build.node".to_string()), "{got:?}");
        // A partly typed module path is replaced whole (editors may break words at dots).
        c.change(&u, 11, [(n + 1, 4), (n + 1, 4)], "std.b").await;
        let items = c.request("textDocument/completion", complete(n + 1, 9)).await;
        let node =
            items.as_array().unwrap().iter().find(|i| i["label"] == "std.build.node").cloned().unwrap();
        assert_eq!(
            node["textEdit"],
            json!({ "range": { "start": { "line": n + 1, "character": 4 }, "end": { "line": n + 1, "character": 9 } },
                    "newText": "std.build.node" })
        );
        c.change(&u, 12, [(n + 1, 4), (n + 1, 9)], "").await;
        c.change(&u, 13, [(n + 1, 0), (n + 1, 4)], "env staging : ").await;
        let got = labels(&c.request("textDocument/completion", complete(n + 1, 14)).await);
        assert!(got.contains(&"prod".to_string()) && got.contains(&"cost_optimized".to_string()), "{got:?}");
        c.change(&u, 14, [(n + 1, 0), (n + 1, 14)], "env uat : ").await;
        let got = labels(&c.request("textDocument/completion", complete(n + 1, 10)).await);
        assert!(
            got.contains(&"prod".to_string()) && !got.contains(&"uat".to_string()),
            "never itself: {got:?}"
        );
        c.change(&u, 15, [(n + 1, 0), (n + 1, 10)], "env staging : ").await;
        c.change(&u, 16, [(n + 1, 0), (n + 1, 14)], "").await;
        let got = labels(&c.request("textDocument/completion", complete(n + 1, 0)).await);
        assert!(
            ["app", "env", "pipeline", "project", "use"].iter().all(|k| got.contains(&k.to_string())),
            "{got:?}"
        );
        // A standard preset not imported brings its `use`, placed before the first `use` line.
        let build = pos(&text, "build = go {", 0, 8);
        let at =
            complete(build["line"].as_u64().unwrap() as u32, build["character"].as_u64().unwrap() as u32);
        let items = c.request("textDocument/completion", at).await;
        let item =
            |name: &str| items.as_array().unwrap().iter().find(|i| i["label"] == name).cloned().unwrap();
        let first_use = pos(&text, "use std.build.go", 0, 0);
        assert_eq!(
            item("node")["additionalTextEdits"],
            json!([{ "range": { "start": first_use, "end": first_use }, "newText": "use std.build.node\n" }])
        );
        assert!(item("go").get("additionalTextEdits").is_none(), "go is imported already");
        assert!(c.shutdown().await);
    })
}

#[test]
fn definition_references_and_rename() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() as u64;

        let def = c.request("textDocument/definition", td(&u, pos(&text, "deploy prod", 0, 8))).await;
        assert_eq!(def["uri"], u);
        assert_eq!(def["range"]["start"]["line"], line_of("env prod"));
        assert_eq!(def["range"]["start"]["character"], 4);
        let def =
            c.request("textDocument/definition", td(&u, pos(&text, "on_alarms = [errors]", 0, 14))).await;
        assert_eq!(def["range"]["start"]["line"], line_of("alarm errors"));
        let def = c.request("textDocument/definition", td(&u, pos(&text, "build = go", 0, 9))).await;
        let target = def["uri"].as_str().unwrap();
        assert!(target.starts_with("file://") && target.ends_with("std/build/go.pf"), "{def}");
        let path = url_path(target);
        assert!(std::fs::read_to_string(path).unwrap().contains("build go {"));
        let def = c.request("textDocument/definition", td(&u, pos(&text, "pipeline webshop", 0, 10))).await;
        assert_eq!(
            def["range"]["start"]["line"],
            line_of("app webshop"),
            "a pipeline ships the app with its name"
        );

        let refs = c
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": u }, "position": pos(&text, "env prod", 0, 5), "context": { "includeDeclaration": true } }),
        )
        .await;
        let lines: Vec<u64> =
            refs.as_array().unwrap().iter().map(|r| r["range"]["start"]["line"].as_u64().unwrap()).collect();
        assert_eq!(lines, [line_of("env prod"), line_of("env uat : prod"), line_of("deploy prod")]);

        let prep = c.request("textDocument/prepareRename", td(&u, pos(&text, "deploy prod", 0, 8))).await;
        assert_eq!(prep["placeholder"], "prod");
        let edit = c
        .request("textDocument/rename", json!({ "textDocument": { "uri": u }, "position": pos(&text, "env prod", 0, 5), "newName": "production" }))
        .await;
        let edits = edit["changes"][&u].as_array().unwrap();
        assert_eq!(edits.len(), 3);
        assert!(edits.iter().all(|e| e["newText"] == "production"));
        let bad = c
        .request_raw("textDocument/rename", json!({ "textDocument": { "uri": u }, "position": pos(&text, "env prod", 0, 5), "newName": "no good" }))
        .await;
        assert!(bad.get("error").is_some(), "{bad}");
        // Profiles of the standard library cannot be renamed.
        let prep = c.request("textDocument/prepareRename", td(&u, pos(&text, "cost_optimized", 0, 2))).await;
        assert_eq!(prep, Value::Null);
        // A stage renames alone.
        let edit = c
        .request("textDocument/rename", json!({ "textDocument": { "uri": u }, "position": pos(&text, "stage release", 0, 7), "newName": "go-live" }))
        .await;
        assert_eq!(edit["changes"][&u].as_array().unwrap().len(), 1);
        assert!(c.shutdown().await);
    })
}

fn url_path(uri: &str) -> String {
    uri.strip_prefix("file://").unwrap().replace("%20", " ")
}

#[test]
fn symbols_tokens_hints_and_folding() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        let doc = json!({ "textDocument": { "uri": u } });

        let symbols = c.request("textDocument/documentSymbol", doc.clone()).await;
        let names: Vec<&str> =
            symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["std.build.go", "std.env.profiles", "project", "webshop", "test", "prod", "uat", "webshop"]
        );
        let pipeline = symbols.as_array().unwrap().last().unwrap();
        let stages: Vec<&str> =
            pipeline["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(stages.contains(&"stage release"), "{stages:?}");
        let release =
            pipeline["children"].as_array().unwrap().iter().find(|s| s["name"] == "stage release").unwrap();
        assert_eq!(release["children"][0]["name"], "approve product-owner");

        let ws = c.request("workspace/symbol", json!({ "query": "prd" })).await;
        let names: Vec<&str> = ws.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["prod"]);

        let tokens = c.request("textDocument/semanticTokens/full", doc.clone()).await;
        let data: Vec<u64> = tokens["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(data.len() % 5, 0);
        let first = text.lines().next().unwrap().encode_utf16().count() as u64;
        assert_eq!(&data[..5], &[0, 0, first, 7, 0], "the first token is the comment on line 0");
        // Decode and find `env` (keyword) followed by `prod` (namespace).
        let (mut line, mut ch) = (0u64, 0u64);
        let mut decoded = Vec::new();
        for t in data.chunks(5) {
            if t[0] > 0 {
                ch = 0;
            }
            line += t[0];
            ch += t[1];
            let l = text.lines().nth(line as usize).unwrap();
            decoded.push((l.get(ch as usize..(ch + t[2]) as usize).unwrap_or("?").to_string(), t[3]));
        }
        let at = decoded.iter().position(|(s, _)| s == "prod").unwrap();
        assert_eq!(decoded[at - 1], ("env".to_string(), 0));
        assert_eq!(decoded[at].1, 1);
        assert!(decoded.contains(&("10.20.0.0/16".to_string(), 5)));
        assert!(decoded.contains(&("per_az".to_string(), 6)) || decoded.contains(&("junit".to_string(), 6)));
        assert!(decoded.contains(&("param".to_string(), 8)));

        let hints = c
        .request("textDocument/inlayHint", json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } } }))
        .await;
        let labels: Vec<&str> =
            hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
        assert!(
            labels
                .iter()
                .any(|l| l.starts_with("→ ") && l.contains("infra-prod") && l.contains("deploy-prod #")),
            "{labels:?}"
        );
        assert!(labels.iter().any(|l| l.contains("inherited")), "{labels:?}");

        let folds = c.request("textDocument/foldingRange", doc).await;
        let app_line = text[..text.find("app webshop").unwrap()].matches('\n').count() as u64;
        assert!(folds.as_array().unwrap().iter().any(|f| f["startLine"] == app_line), "{folds}");
        assert!(folds.as_array().unwrap().iter().any(|f| f["kind"] == "comment" && f["startLine"] == 0));
        assert!(c.shutdown().await);
    })
}

#[test]
fn multibyte_text_in_utf16_and_utf8() {
    common::run(async {
        for utf8 in [false, true] {
            let (mut c, _) = Client::start(utf8).await;
            let u = uri("emoji.pf");
            let text = "# 🚀 déploiement\nenv prod { network { cidr = 10.0.0.0/16 } } # 😀 ok\n";
            c.open(&u, text).await;
            // Insert `, azs = 2` after the cidr: the column differs between encodings on line 0 only,
            // so edit line 0's end too (after the emoji).
            let line0_end =
                if utf8 { "# 🚀 déploiement".len() } else { "# 🚀 déploiement".encode_utf16().count() }
                    as u32;
            c.change(&u, 2, [(0, line0_end), (0, line0_end)], " ✓").await;
            c.diagnostics(&u).await;
            let col = if utf8 { "env prod { network { cidr = 10.0.0.0/16".len() } else { 39 } as u32;
            c.change(&u, 3, [(1, col), (1, col)], ", azs = 9").await;
            let diags: Vec<Value> =
                c.diagnostics(&u).await.into_iter().filter(|d| d["severity"] == 1).collect();
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(diags[0]["code"], "PF2002", "azs = 9 is out of range");
            assert_eq!(diags[0]["range"]["start"], json!({ "line": 1, "character": col + 8 }));
            // Hover on `azs` after the edit.
            let h = c
                .request(
                    "textDocument/hover",
                    json!({ "textDocument": { "uri": u }, "position": { "line": 1, "character": col + 3 } }),
                )
                .await;
            assert!(h["contents"]["value"].as_str().unwrap().contains("**azs**"), "{h}");
            // A position past the end of a line with an emoji clamps; nothing crashes.
            let h = c
                .request_raw(
                    "textDocument/hover",
                    json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 999 } }),
                )
                .await;
            assert!(h.get("error").is_none());
            assert!(c.shutdown().await);
        }
    })
}

#[test]
fn editing_a_used_file_refreshes_the_user() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let [a, b] = common::temp_uris("used", ["main.pf", "common.pf"]);
        let errors = |d: Vec<Value>| -> Vec<Value> { d.into_iter().filter(|d| d["severity"] == 1).collect() };
        c.open(&b, "profile base {\n  network { azs = 2 }\n}\n").await;
        assert_eq!(errors(c.diagnostics(&b).await), Vec::<Value>::new());
        c.open(&a, "use \"./common.pf\"\nenv dev : base {\n  network { cidr = 10.0.0.0/16 }\n}\n").await;
        assert_eq!(errors(c.diagnostics(&a).await), Vec::<Value>::new());
        // Rename the profile in the used file: main.pf now refers to nothing.
        c.change(&b, 2, [(0, 8), (0, 12)], "basis").await;
        let diags = errors(c.diagnostics(&a).await);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0]["code"], "PF1006");
        // Definition from main.pf into common.pf.
        let def = c
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": a }, "position": { "line": 0, "character": 6 } }),
            )
            .await;
        assert_eq!(def["uri"], b);
        assert!(c.shutdown().await);
    })
}

/// A library file deployed by an open program is not "never deployed" (PF4006) because its own
/// analysis, as a root, sees no pipeline.
#[test]
fn a_library_deployed_by_an_open_program_is_not_never_deployed() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let [lib, main] = common::temp_uris("lib", ["lib.pf", "main.pf"]);
        let codes = |d: Vec<Value>| -> Vec<String> {
            d.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
        };
        c.open(&lib, "env shared {\n  network { cidr = 10.0.0.0/16 }\n}\n").await;
        assert_eq!(codes(c.diagnostics(&lib).await), ["PF4006"], "alone, the library's env is unused");
        let program = "use std.build.go\nuse \"./lib.pf\"\napp shop {\n  source = codecommit { repository = \"shop\" }\n  build = go\n  deploy = ec2 { port = 8080 }\n}\npipeline shop {\n  stage build { build }\n  stage a { deploy shared }\n}\n";
        c.open(&main, program).await;
        assert_eq!(codes(c.diagnostics(&main).await), Vec::<String>::new());
        assert_eq!(codes(c.diagnostics(&lib).await), Vec::<String>::new(), "main.pf deploys it");
        assert!(c.shutdown().await);
    })
}

#[test]
fn malformed_messages_get_error_responses_not_an_exit() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        c.send_raw(b"Content-Length: 5\r\n\r\n{bad}").await;
        let m = c.recv().await;
        assert_eq!(m["error"]["code"], -32700);
        assert_eq!(m["id"], Value::Null);
        c.send_raw(b"Content-Length: 5\r\n\r\n[1,2]").await;
        assert_eq!(c.recv().await["error"]["code"], -32600);
        c.send_raw(b"X-Nonsense: 1\r\n\r\n").await;
        assert_eq!(c.recv().await["error"]["code"], -32700);
        // Unknown methods and bad params are answered too.
        let r = c.request_raw("pf/unknown", json!({})).await;
        assert_eq!(r["error"]["code"], -32601);
        let r = c.request_raw("textDocument/hover", json!({ "nonsense": true })).await;
        assert_eq!(r["error"]["code"], -32602);
        // A request on a document that is not open answers null.
        let r =
            c.request("textDocument/hover", td(&uri("nope.pf"), json!({ "line": 0, "character": 0 }))).await;
        assert_eq!(r, Value::Null);
        assert!(c.shutdown().await, "the server is still serving");
    })
}

#[test]
fn formatting_uses_pf_fmt_and_leaves_broken_documents_alone() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("messy.pf");
        let messy = "env   test   {\n network {cidr=10.1.0.0/16}\n}\n";
        c.open(&u, messy).await;
        let edits = c
            .request(
                "textDocument/formatting",
                json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
            )
            .await;
        let expected = pf_compiler::fmt::format(messy).unwrap();
        assert_eq!(edits[0]["newText"], expected.as_str(), "the same text as `pf fmt`");
        assert_eq!(edits[0]["range"]["start"], json!({"line": 0, "character": 0}));
        assert_eq!(edits[0]["range"]["end"], json!({"line": 3, "character": 0}));

        let b = uri("broken.pf");
        c.open(&b, "env test {\n  network {\n").await;
        let none = c
            .request(
                "textDocument/formatting",
                json!({"textDocument": {"uri": b}, "options": {"tabSize": 2, "insertSpaces": true}}),
            )
            .await;
        assert!(none.is_null(), "a document with syntax errors is not formatted: {none}");
        assert!(c.shutdown().await);
    })
}

#[test]
fn definition_references_and_rename_stay_in_the_documents_program() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        // The same program in two unrelated projects.
        let (a, b) = ("file:///projA/w.pf".to_string(), "file:///projB/w.pf".to_string());
        c.open(&a, &text).await;
        c.diagnostics(&a).await;
        c.open(&b, &text).await;
        c.diagnostics(&b).await;
        let edit = c
            .request(
                "textDocument/rename",
                json!({ "textDocument": { "uri": a }, "position": pos(&text, "env test", 0, 5), "newName": "staging" }),
            )
            .await;
        let changed: Vec<&String> = edit["changes"].as_object().unwrap().keys().collect();
        assert_eq!(changed, [&a], "only projA's file is edited: {edit}");
        let refs = c
            .request(
                "textDocument/references",
                json!({ "textDocument": { "uri": b }, "position": pos(&text, "env prod", 0, 5), "context": { "includeDeclaration": true } }),
            )
            .await;
        assert!(refs.as_array().unwrap().iter().all(|r| r["uri"] == b), "{refs}");
        let def = c.request("textDocument/definition", td(&b, pos(&text, "deploy prod", 0, 8))).await;
        assert_eq!(def["uri"], b, "one definition, in its own file: {def}");

        // A third file deploys an environment it does not declare: no jump into projA.
        let other = "file:///projC/x.pf".to_string();
        let third = "pipeline p {\n  stage build { build }\n  stage s { deploy prod }\n}\n";
        c.open(&other, third).await;
        c.diagnostics(&other).await;
        let def = c.request("textDocument/definition", td(&other, pos(third, "prod", 0, 1))).await;
        assert_eq!(def, Value::Null);

        // A library file used by an open main file: its references include the main file's.
        let [main, lib] = common::temp_uris("prog", ["main.pf", "common.pf"]);
        let lib_text = "profile base {\n  network { azs = 2 }\n}\n";
        c.open(&lib, lib_text).await;
        c.diagnostics(&lib).await;
        c.open(&main, "use \"./common.pf\"\nenv dev : base {\n  network { cidr = 10.0.0.0/16 }\n}\n").await;
        c.diagnostics(&main).await;
        let refs = c
            .request(
                "textDocument/references",
                json!({ "textDocument": { "uri": lib }, "position": pos(lib_text, "base", 0, 1), "context": { "includeDeclaration": true } }),
            )
            .await;
        let uris: Vec<&str> = refs.as_array().unwrap().iter().map(|r| r["uri"].as_str().unwrap()).collect();
        assert_eq!(uris, [lib.as_str(), main.as_str()], "{refs}");
        assert!(c.shutdown().await);
    })
}

#[test]
fn rename_refuses_names_that_change_the_programs_meaning() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let rename = |at: &str, new: &str| json!({ "textDocument": { "uri": u }, "position": pos(&text, at, 0, 5), "newName": new });
        let error = |r: &Value| r["error"]["message"].as_str().unwrap_or("").to_string();
        // A name already declared in the namespace.
        let r = c.request_raw("textDocument/rename", rename("env test", "uat")).await;
        assert!(error(&r).contains("`uat` is already declared"), "{r}");
        let r = c.request_raw("textDocument/rename", rename("e test { deploy test }", "uat")).await;
        assert!(error(&r).contains("`uat` is already declared"), "{r}");
        // A name the checker rejects for AWS (PF3001).
        let r = c.request_raw("textDocument/rename", rename("env test", "Ab9")).await;
        assert!(
            error(&r).contains("must start with a lowercase letter") && error(&r).contains("PF3001"),
            "{r}"
        );
        // A pipeline that ships the app of its name: refused in prepareRename and rename.
        let prep =
            c.request_raw("textDocument/prepareRename", td(&u, pos(&text, "pipeline webshop", 0, 10))).await;
        assert!(error(&prep).contains("app = webshop"), "{prep}");
        let r = c.request_raw("textDocument/rename", rename("line webshop", "shop")).await;
        assert!(error(&r).contains("app = webshop"), "{r}");
        // Still allowed: a fresh valid name, and prod to another protected name.
        let ok = c.request("textDocument/rename", rename("env test", "staging")).await;
        assert_eq!(ok["changes"][&u].as_array().unwrap().len(), 2, "{ok}");
        // webshop's prod is protected by its profile (`highly_available`), whatever its name.
        c.request("textDocument/rename", rename("env prod", "live")).await;

        // An environment protected by its name, renamed to an unprotected name.
        let d = uri("default.pf");
        let t = "env prod { }\n";
        c.open(&d, t).await;
        c.diagnostics(&d).await;
        let at = |u: &str, t: &str, needle: &str, new: &str| json!({ "textDocument": { "uri": u }, "position": pos(t, needle, 0, 5), "newName": new });
        let r = c.request_raw("textDocument/rename", at(&d, t, "env prod", "live")).await;
        let e = error(&r);
        assert!(e.contains("lose its protection") && e.contains("add `protected = true`"), "{r}");
        c.request("textDocument/rename", at(&d, t, "env prod", "production")).await;

        // Protected names from the project (instead of prod and production); an explicit
        // `protected = true` keeps protection.
        let v = uri("protected.pf");
        let t = "project { protected = [\"live\", \"silver\", \"ruby\"] }\nenv live { protected = true }\nenv gold { }\nenv silver { }\nenv prod { }\n";
        c.open(&v, t).await;
        c.diagnostics(&v).await;
        c.request("textDocument/rename", at(&v, t, "env live", "other")).await;
        c.request("textDocument/rename", at(&v, t, "env gold", "ruby")).await;
        c.request("textDocument/rename", at(&v, t, "env prod", "cobalt")).await;
        let r = c.request_raw("textDocument/rename", at(&v, t, "env silver", "bronze")).await;
        assert!(error(&r).contains("lose its protection"), "{r}");
        assert!(c.shutdown().await);
    })
}

#[test]
fn opening_a_missing_used_file_refreshes_its_user() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let [m, late] = common::temp_uris("late", ["m.pf", "late.pf"]);
        let main = "use std.build.go\nuse \"./late.pf\"\napp shop {\n  source = codecommit { repository = \"shop\" }\n  build = go\n  deploy = ec2 { port = 8080 }\n}\npipeline shop {\n  stage build { build }\n  stage a { deploy shared }\n}\n";
        let codes = |d: Vec<Value>| -> Vec<String> {
            d.iter()
                .filter(|d| d["severity"] == 1)
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        };
        c.open(&m, main).await;
        let before = codes(c.diagnostics(&m).await);
        assert!(before.contains(&"PF1009".to_string()), "late.pf is not on disk: {before:?}");
        c.open(
            &late,
            "use std.env.profiles\nenv shared : cost_optimized { network { cidr = 10.5.0.0/16 } }\n",
        )
        .await;
        c.diagnostics(&late).await;
        let after = codes(c.diagnostics(&m).await);
        assert_eq!(after, Vec::<String>::new(), "m.pf is re-analysed with the open late.pf");
        assert!(c.shutdown().await);
    })
}

#[test]
fn shutdown_and_exit_with_null_params_end_cleanly() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
        c.send_raw(frame(r#"{"jsonrpc":"2.0","id":99,"method":"shutdown","params":null}"#).as_bytes()).await;
        let r = c.recv().await;
        assert_eq!(r, json!({ "jsonrpc": "2.0", "id": 99, "result": null }), "{r}");
        c.send_raw(frame(r#"{"jsonrpc":"2.0","method":"exit","params":null}"#).as_bytes()).await;
        let clean = tokio::time::timeout(std::time::Duration::from_secs(5), c.server).await.unwrap().unwrap();
        assert!(clean, "exit after an accepted shutdown is a clean end");
        // Without params, as before.
        let (c, _) = Client::start(false).await;
        assert!(c.shutdown().await);
    })
}

#[test]
fn completion_sends_snippets_only_to_clients_that_take_them() {
    common::run(async {
        let text = "pipeline p {\n  stage s {  }\n}\n";
        let at = pos(text, "{  }", 0, 2);
        let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
        let stage_block = |v: &Value| -> Value {
            items(v)
                .into_iter()
                .find(|i| i["label"] == "deploy")
                .unwrap_or_else(|| panic!("deploy offered: {v}"))
        };
        for (caps, snippets) in [
            (Value::Null, false),
            (json!({ "completion": { "completionItem": { "snippetSupport": false } } }), false),
            (json!({ "completion": { "completionItem": { "snippetSupport": true } } }), true),
        ] {
            let (mut c, _) = Client::start_with(false, caps.clone()).await;
            let u = uri("snip.pf");
            c.open(&u, text).await;
            c.diagnostics(&u).await;
            let r = c.request("textDocument/completion", td(&u, at.clone())).await;
            let formats: Vec<i64> = items(&r).iter().filter_map(|i| i["insertTextFormat"].as_i64()).collect();
            assert!(!formats.is_empty(), "{r}");
            if snippets {
                assert!(formats.contains(&2), "{caps}: {r}");
            } else {
                assert!(formats.iter().all(|f| *f == 1), "{caps}: {r}");
                assert!(
                    items(&r).iter().all(|i| !i["insertText"].as_str().unwrap_or("").contains('$')),
                    "{r}"
                );
            }
            let deploy = stage_block(&r);
            let expected = if snippets { "deploy ${1:name}" } else { "deploy name" };
            assert_eq!(deploy["insertText"], expected, "{caps}");
            assert!(c.shutdown().await);
        }
    })
}

#[test]
fn editors_doc_says_what_formatting_the_server_advertises() {
    common::run(async {
        let (c, init) = Client::start(false).await;
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/editors.md")).unwrap();
        let section = doc.split("## Formatting").nth(1).expect("a Formatting section");
        let section = section.split("\n## ").next().unwrap_or(section);
        assert_eq!(init["capabilities"]["documentFormattingProvider"], true);
        assert!(section.contains("advertises `documentFormattingProvider`"), "{section}");
        assert!(!section.contains("not advertised"), "{section}");
        assert_eq!(init["capabilities"]["documentRangeFormattingProvider"], true);
        assert!(section.contains("advertises\n`documentRangeFormattingProvider`"), "{section}");
        assert!(c.shutdown().await);
    })
}

#[test]
fn document_symbols_come_in_source_order() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await;
        let names = |list: &Value| -> Vec<String> {
            list.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
        };
        let prod = symbols.as_array().unwrap().iter().find(|s| s["name"] == "prod").unwrap();
        // `database = postgres { ... }` (a typed block value) is written before `dns`.
        assert_eq!(
            names(&prod["children"]),
            ["network", "database", "dns", "alarm errors", "rollback", "runtime"]
        );
        // Every list of siblings, at every depth, is in the order of the text.
        fn check(list: &Value) {
            let starts: Vec<(u64, u64)> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let p = &s["range"]["start"];
                    (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap())
                })
                .collect();
            assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?} in {list}");
            for s in list.as_array().unwrap() {
                if s.get("children").is_some_and(|c| !c.is_null()) {
                    check(&s["children"]);
                }
            }
        }
        check(&symbols);
        assert!(c.shutdown().await);
    })
}

#[test]
fn use_completion_leaves_out_modules_already_imported() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = format!("{}use ", webshop());
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        let end = pos(&text, "use ", text.matches("use ").count() - 1, 4);
        let got = labels(&c.request("textDocument/completion", td(&u, end)).await);
        assert!(got.contains(&"std.build.node".to_string()), "{got:?}");
        assert!(!got.contains(&"std.build.go".to_string()), "imported already: {got:?}");
        assert!(!got.contains(&"std.env.profiles".to_string()), "imported already: {got:?}");
        // The `use` being typed does not count as an import of what it names so far.
        let only = uri("only.pf");
        c.open(&only, "use std.build.go").await;
        let got = labels(
            &c.request("textDocument/completion", td(&only, pos("use std.build.go", "go", 0, 2))).await,
        );
        assert!(got.contains(&"std.build.go".to_string()), "{got:?}");
        assert!(c.shutdown().await);
    })
}

#[test]
fn hover_on_values_and_labels_says_what_they_are() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let text = webshop();
        let u = uri("webshop.pf");
        c.open(&u, &text).await;
        let mut hover = async |needle: &str, delta: usize| -> String {
            let r = c.request("textDocument/hover", td(&u, pos(&text, needle, 0, delta))).await;
            r["contents"]["value"].as_str().unwrap_or("").to_string()
        };
        // Plain values: the documentation of their field (type, doc, default).
        let h = hover("8080", 1).await;
        assert!(h.starts_with("**port**: integer 1 to 65535 (required)"), "{h}");
        assert!(h.contains("The port the app listens on"), "{h}");
        let h = hover("create = true", 10).await;
        assert!(h.contains("**create**: true or false") && h.contains("Default: `false`"), "{h}");
        assert!(!h.contains("(the value written here)"), "true is not the default: {h}");
        let h = hover("\"pf-out\"", 2).await;
        assert!(h.contains("Default: `\"pf-out\"` (the value written here)"), "{h}");
        // A value inside a list, a pair, a call and a map is its field's too.
        assert!(hover("\"report.xml\"", 2).await.starts_with("**files**: list of string"));
        assert!(hover("\"/opt/webshop\"", 2).await.starts_with("**files**:"));
        assert!(hover("\"/webshop/certificate-arn\"", 2).await.starts_with("**certificate**:"));
        assert!(hover("\"webshop\" }", 2).await.starts_with("**tags**:"));
        let h = hover("tags { project", 8).await;
        assert!(
            h.starts_with("**project**: a key of `tags`\n\n---\n\n**tags**: block of names to string"),
            "{h}"
        );
        assert!(hover("param(", 1).await.starts_with("**certificate**:"));
        // Literals with arithmetic: the meaning first, then the field.
        let h = hover("2m", 1).await;
        assert!(h.starts_with("2m = 120 s\n\n---\n\n**timeout**: duration"), "{h}");
        let h = hover("10.20.0.0/16", 1).await;
        assert!(h.starts_with("10.20.0.0/16: 65,536 addresses") && h.contains("**cidr**: CIDR"), "{h}");
        // Enum values: the value, then the field, whose type lists the allowed names once (the
        // schema has no doc per value).
        let h = hover("format = junit", 10).await;
        assert!(h.starts_with("**junit**\n\n---\n\n**format**: one of junit, cucumber"), "{h}");
        assert_eq!(h.matches("cucumber").count(), 1, "{h}");
        assert!(h.contains("**format**:") && h.contains("Default: `junit` (the value written here)"), "{h}");
        let h = hover("target_5xx", 1).await;
        assert!(h.contains("**metric**:"), "{h}");
        // Labels that name nothing else say whose name they are.
        let h = hover("product-owner", 1).await;
        assert!(
            h.starts_with("**approve product-owner**: the name of this `approve`, in stage `release` of pipeline `webshop`"),
            "{h}"
        );
        assert!(h.contains("A manual approval"), "{h}");
        let h = hover("report unit", 8).await;
        assert!(h.starts_with("**report unit**: the name of this `report`, in app `webshop`"), "{h}");
        // Stage and alarm names: what they are, with the block's doc.
        let h = hover("stage build", 7).await;
        assert!(h.starts_with("**stage build** of pipeline `webshop`") && h.contains("A stage:"), "{h}");
        let h = hover("alarm errors", 7).await;
        assert!(
            h.starts_with("**alarm errors** declared in `prod`") && h.contains("CloudWatch alarm"),
            "{h}"
        );

        // A variant written as a plain value: what the kind means, then its field.
        let e = uri("strategy.pf");
        let t = "use std.env.profiles\nenv e : highly_available {\n  network { cidr = 10.0.0.0/16 }\n  strategy = in_place { batch = all_at_once }\n}\n";
        c.open(&e, t).await;
        let r = c.request("textDocument/hover", td(&e, pos(t, "in_place", 0, 1))).await;
        let h = r["contents"]["value"].as_str().unwrap_or("");
        assert!(h.starts_with("**in_place**\n\nCodeDeploy replaces the app"), "{h}");
        // The default depends on the app's target, so the hover names both and marks neither.
        assert!(h.contains("**strategy**:") && h.contains("Default: `in_place (ec2), rolling (ecs)`"), "{h}");
        let r = c.request("textDocument/hover", td(&e, pos(t, "all_at_once", 0, 1))).await;
        let h = r["contents"]["value"].as_str().unwrap_or("");
        assert!(
            h.starts_with("**all_at_once**\n\n---\n\n**batch**: one of all_at_once, half_at_a_time"),
            "{h}"
        );
        assert!(h.contains("**batch**:") && h.contains("How many instances are updated at once."), "{h}");
        assert!(c.shutdown().await);
    })
}
