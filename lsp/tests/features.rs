//! The features of issue 23 over the real server: value completion from the schema's tables,
//! watched files, workspace symbols from disk, selection ranges, document highlight, range
//! formatting, recovery after an unclosed block, lone CR line ends, and a burst of edits.
#![allow(clippy::unwrap_used)]

mod common;

use common::{labels, pos, td, uri, Client};
use serde_json::{json, Value};

const APP: &str = "use std.build.go\nuse std.env.profiles\n\napp shop {\n  source = codecommit { repository = \"shop\" }\n  build = go\n  deploy = ec2 { port = 8080 }\n}\n\n";

fn items(completion: &Value) -> Vec<Value> {
    completion.as_array().cloned().or_else(|| completion["items"].as_array().cloned()).unwrap_or_default()
}

#[test]
fn values_of_the_schemas_tables_are_completed_with_documentation() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("values.pf");
        let text = format!(
            "{APP}env e : cost_optimized {{\n  network {{ cidr = 10.0.0.0/16 }}\n  compute {{ instance = \n  }}\n  database = postgres {{ class = \"db.t4g.\" }}\n  cache = redis {{ node =  }}\n}}\n"
        );
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        // After `instance = `: EC2 instance types, inserted as strings, documented.
        let r = c.request("textDocument/completion", td(&u, pos(&text, "instance = ", 0, 11))).await;
        let got = items(&r);
        let micro = got.iter().find(|i| i["label"] == "t3.micro").expect("t3.micro offered");
        assert_eq!(micro["insertText"], "\"t3.micro\"");
        let doc = micro["documentation"]["value"].as_str().unwrap();
        assert!(doc.contains("(the default)") && doc.contains("EC2 instance type"), "{doc}");
        assert!(doc.contains("Source: cfn-lint"), "the table's source: {doc}");
        assert_eq!(got.len(), pf_compiler::stdlib::instance_types().len());
        assert!(!labels(&r).iter().any(|l| l.starts_with("db.")), "only instance types");
        // Inside a string: database classes, replacing what was typed after the quote.
        let r = c.request("textDocument/completion", td(&u, pos(&text, "db.t4g.\"", 0, 7))).await;
        let got = items(&r);
        let class = got.iter().find(|i| i["label"] == "db.t4g.micro").expect("db.t4g.micro offered");
        assert_eq!(class["textEdit"]["newText"], "db.t4g.micro");
        let start = &class["textEdit"]["range"]["start"];
        assert_eq!(start, &pos(&text, "db.t4g.\"", 0, 0), "the typed text is replaced");
        // Cache nodes.
        let r = c.request("textDocument/completion", td(&u, pos(&text, "node =  ", 0, 7))).await;
        assert!(labels(&r).contains(&"cache.t4g.micro".to_string()), "{:?}", labels(&r));
        assert!(c.shutdown().await);
    });
}

#[test]
fn every_field_linked_to_a_table_is_completed_without_code_in_the_server() {
    // Driven by the schema: each field with a table, in some block that has it, offers it.
    use pf_compiler::schema::{self, Schema};
    fn with_tables(s: &'static Schema, out: &mut Vec<&'static schema::Field>, depth: usize) {
        if depth > 6 {
            return;
        }
        out.extend(s.fields.iter().filter(|f| f.table.is_some()));
        for c in s.children {
            with_tables(c.schema, out, depth + 1);
        }
        for f in s.fields {
            match &f.ty {
                schema::Ty::Block(b) | schema::Ty::Extends(b, _) => with_tables(b, out, depth + 1),
                schema::Ty::Variant(vs) => vs.iter().for_each(|v| with_tables(v.schema, out, depth + 1)),
                _ => {}
            }
        }
    }
    let mut fields = Vec::new();
    for d in schema::DECLS {
        with_tables(d.schema, &mut fields, 0);
    }
    let names: std::collections::BTreeSet<&str> = fields.iter().map(|f| f.name).collect();
    for name in ["instance", "class", "node", "image"] {
        assert!(names.contains(name), "{name} has a table: {names:?}");
    }
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("image.pf");
        let text = format!("{APP}env e : cost_optimized {{\n  network {{ cidr = 10.0.0.0/16 }}\n}}\nbuild b {{\n  image = \n}}\n");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let r = c.request("textDocument/completion", td(&u, pos(&text, "image = ", 0, 8))).await;
        let expected: Vec<String> =
            pf_compiler::stdlib::codebuild_images().iter().map(|s| s.to_string()).collect();
        assert_eq!(labels(&r), expected);
        assert!(c.shutdown().await);
    });
}

#[test]
fn presets_and_profiles_carry_their_modules_documentation() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("presets.pf");
        let text = "env e : \n";
        c.open(&u, text).await;
        c.diagnostics(&u).await;
        let r = c.request("textDocument/completion", td(&u, json!({ "line": 0, "character": 8 }))).await;
        let got = items(&r);
        let ha = got.iter().find(|i| i["label"] == "highly_available").expect("a standard profile");
        assert!(ha["documentation"]["value"].as_str().unwrap().starts_with("std.env.profiles"), "{ha}");
        assert_eq!(ha["additionalTextEdits"][0]["newText"], "use std.env.profiles\n");
        assert!(c.shutdown().await);
    });
}

/// A fresh folder under the temp dir.
fn folder(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pf-lsp-features-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn file_uri(p: &std::path::Path) -> String {
    url::Url::from_file_path(p).unwrap().to_string()
}

#[test]
fn a_used_file_changing_on_disk_re_checks_the_documents_that_use_it() {
    let dir = folder("watch");
    let lib = dir.join("lib.pf");
    std::fs::write(&lib, "env base {\n  network { cidr = 10.0.0.0/16 }\n}\n").unwrap();
    let main = dir.join("main.pf");
    let text = format!("{APP}use \"./lib.pf\"\n\nenv prod : base {{\n}}\n\npipeline shop {{\n  stage build {{ build }}\n  stage p {{ deploy prod }}\n}}\n");
    common::run(async move {
        let caps = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
        let (mut c, _) = Client::start_full(false, caps, &file_uri(&dir)).await;
        // The server registers a watcher for `.pf` files.
        let reg = loop {
            let m = c.recv().await;
            if m["method"] == "client/registerCapability" {
                break m;
            }
            c.notifications.push_back(m);
        };
        let r = &reg["params"]["registrations"][0];
        assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
        assert_eq!(r["registerOptions"]["watchers"][0]["globPattern"], "**/*.pf");
        c.send_raw(common::frame(&json!({ "jsonrpc": "2.0", "id": reg["id"], "result": null })).as_bytes())
            .await;

        let u = file_uri(&main);
        c.open(&u, &text).await;
        let first = c.diagnostics(&u).await;
        assert!(!first.iter().any(|d| d["code"] == "PF1006"), "base is known: {first:?}");
        // `base` is renamed on disk: `prod`'s parent is unknown now.
        std::fs::write(&lib, "env basis {\n  network { cidr = 10.0.0.0/16 }\n}\n").unwrap();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&lib), "type": 2 }] }),
        )
        .await;
        let after = c.diagnostics(&u).await;
        assert!(after.iter().any(|d| d["code"] == "PF1006"), "re-checked: {after:?}");
        // A change to a file nobody uses re-checks nothing (lists of `lib.pf` were sent before
        // `main.pf`'s, so they are all read by now).
        c.notifications.clear();
        std::fs::write(dir.join("other.pf"), "env x {}\n").unwrap();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&dir.join("other.pf")), "type": 1 }] }),
        )
        .await;
        let (clean, rest) = c.shutdown_keeping_notifications().await;
        assert!(clean);
        let republished = rest.iter().filter(|n| n["method"] == "textDocument/publishDiagnostics").count();
        assert_eq!(republished, 0, "{rest:?}");
    });
}

#[test]
fn workspace_symbols_cover_files_on_disk_that_are_not_open() {
    let dir = folder("symbols");
    std::fs::create_dir_all(dir.join("envs")).unwrap();
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    std::fs::write(dir.join("envs/staging.pf"), "env staging_eu {\n  network { cidr = 10.0.0.0/16 }\n}\n")
        .unwrap();
    std::fs::write(dir.join(".hidden/x.pf"), "env staging_hidden {}\n").unwrap();
    let open = dir.join("open.pf");
    common::run(async move {
        let (mut c, _) = Client::start_full(false, Value::Null, &file_uri(&dir)).await;
        let u = file_uri(&open);
        c.open(&u, "env staging_us {\n  network { cidr = 10.1.0.0/16 }\n}\n").await;
        c.diagnostics(&u).await;
        let r = c.request("workspace/symbol", json!({ "query": "staging" })).await;
        let mut names: Vec<(String, String)> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (s["name"].as_str().unwrap().to_string(), s["location"]["uri"].as_str().unwrap().to_string())
            })
            .collect();
        names.sort();
        let disk = file_uri(&dir.join("envs/staging.pf"));
        assert_eq!(names, [("staging_eu".to_string(), disk.clone()), ("staging_us".to_string(), u.clone())]);
        let eu = r.as_array().unwrap().iter().find(|s| s["name"] == "staging_eu").unwrap();
        assert_eq!(eu["location"]["range"]["start"], json!({ "line": 0, "character": 4 }));
        // A file changed on disk is read again.
        std::fs::write(dir.join("envs/staging.pf"), "# moved\nenv staging_eu2 {\n}\n").unwrap();
        c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": disk, "type": 2 }] })).await;
        let r = c.request("workspace/symbol", json!({ "query": "staging_eu" })).await;
        let names: Vec<&str> = r.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["staging_eu2"]);
        assert!(c.shutdown().await);
    });
}

#[test]
fn selection_ranges_grow_from_the_value_to_the_file() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("sel.pf");
        let text = format!("{APP}env e : cost_optimized {{\n  network {{ cidr = 10.0.0.0/16 }}\n}}\n");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let at = pos(&text, "10.0.0.0/16", 0, 3);
        let r = c
            .request(
                "textDocument/selectionRange",
                json!({ "textDocument": { "uri": u }, "positions": [at] }),
            )
            .await;
        let mut chain = Vec::new();
        let mut node = &r[0];
        while !node.is_null() {
            chain.push(node["range"].clone());
            node = &node["parent"];
        }
        let slice = |range: &Value| {
            let offset = |p: &Value| {
                let line = p["line"].as_u64().unwrap() as usize;
                let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
                start + p["character"].as_u64().unwrap() as usize
            };
            text[offset(&range["start"])..offset(&range["end"])].to_string()
        };
        let texts: Vec<String> = chain.iter().map(slice).collect();
        assert_eq!(texts[0], "10.0.0.0/16");
        assert_eq!(texts[1], "cidr = 10.0.0.0/16");
        assert_eq!(texts[2], "{ cidr = 10.0.0.0/16 }");
        assert_eq!(texts[3], "network { cidr = 10.0.0.0/16 }");
        assert!(texts[texts.len() - 2].starts_with("env e : cost_optimized {"), "{texts:?}");
        assert_eq!(texts.last().unwrap(), &text, "the whole file last");
        for w in texts.windows(2) {
            assert!(w[1].contains(w[0].as_str()) && w[1].len() > w[0].len(), "each contains the last: {w:?}");
        }
        assert!(c.shutdown().await);
    });
}

#[test]
fn document_highlight_marks_the_definition_and_the_references() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("hl.pf");
        let text = format!("{APP}env test : cost_optimized {{\n  network {{ cidr = 10.0.0.0/16 }}\n}}\n\npipeline shop {{\n  stage build {{ build }}\n  stage t {{ deploy test }}\n}}\n");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let r = c.request("textDocument/documentHighlight", td(&u, pos(&text, "deploy test", 0, 8))).await;
        let got: Vec<(Value, i64)> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["range"]["start"].clone(), h["kind"].as_i64().unwrap()))
            .collect();
        assert_eq!(got, [(pos(&text, "test :", 0, 0), 3), (pos(&text, "deploy test", 0, 7), 2)]);
        // Nothing to highlight on a field name.
        let r = c.request("textDocument/documentHighlight", td(&u, pos(&text, "cidr", 0, 1))).await;
        assert!(r.is_null() || r.as_array().is_some_and(Vec::is_empty), "{r}");
        assert!(c.shutdown().await);
    });
}

#[test]
fn range_formatting_touches_only_the_entries_in_the_range() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("rf.pf");
        let text =
            "env a {\nnetwork {   cidr = 10.0.0.0/16 }\n}\n\nenv b {\nnetwork {   cidr = 10.1.0.0/16 }\n}\n";
        c.open(&u, text).await;
        c.diagnostics(&u).await;
        let range = json!({ "start": { "line": 5, "character": 0 }, "end": { "line": 5, "character": 3 } });
        let r = c
            .request(
                "textDocument/rangeFormatting",
                json!({ "textDocument": { "uri": u }, "range": range, "options": { "tabSize": 2, "insertSpaces": true } }),
            )
            .await;
        let edits = r.as_array().unwrap();
        assert_eq!(edits.len(), 1, "{r}");
        assert_eq!(edits[0]["range"]["start"], json!({ "line": 4, "character": 0 }));
        assert_eq!(edits[0]["range"]["end"], json!({ "line": 6, "character": 1 }));
        assert_eq!(edits[0]["newText"], "env b {\n  network { cidr = 10.1.0.0/16 }\n}");
        assert!(c.shutdown().await);
    });
}

#[test]
fn completion_and_symbols_work_after_an_unclosed_block() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("unclosed.pf");
        let text =
            format!("{APP}env a : cost_optimized {{\n  network {{\n\nenv b : cost_optimized {{\n  \n}}\n");
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let got = labels(&c.request("textDocument/completion", td(&u, pos(&text, "{\n  \n}", 0, 4))).await);
        assert!(
            got.contains(&"compute".to_string()) && got.contains(&"network".to_string()),
            "env fields: {got:?}"
        );
        let r = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await;
        let names: Vec<&str> = r.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"shop") && names.contains(&"b"), "{names:?}");
        assert!(c.shutdown().await);
    });
}

#[test]
fn a_lone_carriage_return_ends_a_line() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("cr.pf");
        let text = "env a {\r  network { cidr = 10.0.0.0/16 }\r  bogus = 1\r}\r";
        c.open(&u, text).await;
        let d = c.diagnostics(&u).await;
        let unknown = d
            .iter()
            .find(|d| d["message"].as_str().unwrap_or("").contains("bogus"))
            .expect("bogus is unknown");
        assert_eq!(unknown["range"]["start"], json!({ "line": 2, "character": 2 }));
        let r = c.request("textDocument/hover", td(&u, json!({ "line": 1, "character": 4 }))).await;
        assert!(r["contents"]["value"].as_str().unwrap().contains("network"), "{r}");
        assert!(c.shutdown().await);
    });
}

#[test]
fn a_burst_of_edits_is_analysed_at_its_end_and_reads_do_not_wait() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("burst.pf");
        let mut text = pf_compiler::testgen::program(150, 3);
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        let edits = 60;
        for v in 2..edits + 2 {
            // Lines typed at the top, one character at a time.
            c.change(&u, v, [(0, 0), (0, 0)], "#").await;
            text.insert(0, '#');
        }
        // A hover far below the change: answered from the last analysis, moved into the
        // latest text, before the burst's diagnostics.
        let at = pos(&text, "env ", 200, 1);
        let hover = c.send_request("textDocument/hover", td(&u, at.clone())).await;
        let answer = loop {
            let m = c.recv().await;
            if m["id"] == hover {
                break m;
            }
            assert!(
                m["method"] != "textDocument/publishDiagnostics" || m["params"]["version"] != edits + 1,
                "the hover waited for the last analysis"
            );
            c.notifications.push_back(m);
        };
        c.diagnostics(&u).await;
        let published: Vec<i64> = c
            .notifications
            .iter()
            .filter(|n| n["method"] == "textDocument/publishDiagnostics")
            .map(|n| n["params"]["version"].as_i64().unwrap())
            .collect();
        assert!(published.len() < (edits / 2) as usize, "versions analysed in the burst: {published:?}");
        // The same hover once everything is analysed gives the same answer.
        let again = c.request("textDocument/hover", td(&u, at)).await;
        assert_eq!(answer["result"], again, "the moved answer equals the fresh one");
        assert!(!again.is_null());
        assert!(c.shutdown().await);
    });
}

/// What `pf cost` says of a program, computed by the compiler on its own.
fn estimate_of(name: &str, text: &str) -> pf_compiler::cost::Estimate {
    use pf_compiler::driver::{self, NoFiles, Root};
    let a = driver::analyze(vec![Root { name: name.into(), bytes: text.as_bytes().to_vec() }], &NoFiles);
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    pf_compiler::cost::of_program(&a.checked.program, pf_compiler::cost::DEFAULT_REGION).unwrap()
}

/// The code lenses of a document: each lens's start and title.
async fn lenses(c: &mut Client, u: &str) -> Vec<(Value, String)> {
    let r = c.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } })).await;
    r.as_array()
        .unwrap()
        .iter()
        .map(|l| (l["range"]["start"].clone(), l["command"]["title"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn code_lenses_and_hover_show_each_environments_monthly_cost() {
    use pf_compiler::cost::render;
    common::run(async {
        let (mut c, init) = Client::start(false).await;
        assert!(init["capabilities"]["codeLensProvider"].is_object(), "{init}");
        let u = uri("cost.pf");
        // A local profile: it is not an environment, so it gets no lens.
        let text = format!("{}\nprofile tiny : cost_optimized {{}}\n", common::webshop());
        c.open(&u, &text).await;
        let errors = c.diagnostics(&u).await.into_iter().filter(|d| d["severity"] == 1).count();
        assert_eq!(errors, 0);
        let e = estimate_of("cost.pf", &text);
        let group = |env: &str| e.envs.iter().find(|g| g.name == env).unwrap();

        // Hover over an environment's name, before any lens was asked for: the estimate is
        // made with the analysis, with its range, region and the table's date.
        let h = c.request("textDocument/hover", td(&u, pos(&text, "env prod", 0, 5))).await;
        let hover = h["contents"]["value"].as_str().unwrap();
        let prod = group("prod");
        let line = format!(
            "**Monthly estimate** ≈ {} (on demand, us-east-1, prices of {})",
            render::summary(prod),
            e.date
        );
        assert!(hover.ends_with(&line), "{hover}\n--- expected the end: {line}");
        assert!(line.contains(&format!("≈ {} a month", render::range(prod.total()))), "{line}");

        // A lens above each environment: the cost module's figure for it.
        let got = lenses(&mut c, &u).await;
        let want: Vec<(Value, String)> = ["test", "prod", "uat"]
            .iter()
            .map(|env| {
                let g = group(env);
                let unpriced = match g.unpriced() {
                    0 => String::new(),
                    1 => " + 1 item with no price known".into(),
                    n => format!(" + {n} items with no price known"),
                };
                let title = format!("{} / month{unpriced}", render::range(g.total()));
                (pos(&text, &format!("env {env} "), 0, 4), title)
            })
            .collect();
        assert_eq!(got, want);
        assert_ne!(got[0].1, got[1].1, "test and prod differ in size, so in cost");

        // With an error the IR is incomplete: no figure rather than a wrong one.
        let at = text.find("env prod").unwrap();
        let line = text[..at].matches('\n').count() as u32;
        c.change(&u, 2, [(line + 1, 0), (line + 1, 0)], "  bogus_field = 1\n").await;
        let errors = c.diagnostics(&u).await.into_iter().filter(|d| d["severity"] == 1).count();
        assert!(errors > 0);
        assert_eq!(lenses(&mut c, &u).await, Vec::<(Value, String)>::new());
        let h = c.request("textDocument/hover", td(&u, pos(&text, "env prod", 0, 5))).await;
        assert!(!h["contents"]["value"].as_str().unwrap().contains("Monthly estimate"), "{h}");
        assert!(c.shutdown().await);
    });
}

/// An environment in a region the price table does not have says so: no `$0.00`.
#[test]
fn an_environment_in_a_region_without_prices_says_so() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("enterprise.pf");
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/enterprise.pf"))
            .unwrap();
        c.open(&u, &text).await;
        let errors = c.diagnostics(&u).await.into_iter().filter(|d| d["severity"] == 1).count();
        assert_eq!(errors, 0);
        let e = estimate_of("enterprise.pf", &text);
        let prod = e.envs.iter().find(|g| g.name == "prod").unwrap();
        assert_eq!((prod.region.as_str(), prod.has_prices()), ("eu-west-1", false));

        let got = lenses(&mut c, &u).await;
        let prod_lens = got.iter().find(|(at, _)| *at == pos(&text, "env prod ", 0, 4)).unwrap();
        assert_eq!(prod_lens.1, "no prices for eu-west-1");
        let test_lens = got.iter().find(|(at, _)| *at == pos(&text, "env test ", 0, 4)).unwrap();
        assert!(test_lens.1.starts_with('$') && test_lens.1.contains(" / month"), "{got:?}");

        let h = c.request("textDocument/hover", td(&u, pos(&text, "env prod", 0, 5))).await;
        let hover = h["contents"]["value"].as_str().unwrap();
        assert!(
            hover.contains("**Monthly estimate** ≈ no prices known for eu-west-1 (the table has us-east-1)"),
            "{hover}"
        );
        assert!(!hover.contains("$0.00"), "{hover}");
        assert!(c.shutdown().await);
    });
}

/// Past `PRICED_STACKS` stacks the server makes no estimate while editing (it would build every
/// template on each analysis): each environment's lens says so.
#[test]
fn a_program_of_many_stacks_is_not_priced_while_editing() {
    use pf_lsp::handlers::code_lens::PRICED_STACKS;
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        // Each app of the generated program: an environment stack and a pipeline stack.
        for (apps, priced) in [(PRICED_STACKS / 2, true), (PRICED_STACKS / 2 + 1, false)] {
            let u = uri(&format!("many-{apps}.pf"));
            let text = pf_compiler::testgen::program(apps, 1);
            c.open(&u, &text).await;
            let errors = c.diagnostics(&u).await.into_iter().filter(|d| d["severity"] == 1).count();
            assert_eq!(errors, 0);
            let got = lenses(&mut c, &u).await;
            assert_eq!(got.len(), apps, "one lens an environment");
            let says = |(_, t): &(Value, String)| {
                t.starts_with(&format!("no monthly estimate while editing more than {PRICED_STACKS} stacks"))
            };
            let money = |(_, t): &(Value, String)| t.starts_with('$') && t.contains(" / month");
            match priced {
                true => assert!(got.iter().all(money), "{apps} apps: {got:?}"),
                false => assert!(got.iter().all(says), "{apps} apps: {got:?}"),
            }
        }
        assert!(c.shutdown().await);
    });
}

/// The Lambda target's block is known to the server through the schema only: its fields are
/// completed inside `deploy = lambda { ... }`, its runtime from Lambda's table, and hover shows
/// a field's documentation.
#[test]
fn the_lambda_block_is_completed_and_hovered_from_the_schema() {
    common::run(async {
        let (mut c, _) = Client::start(false).await;
        let u = uri("lambda.pf");
        let text = "use std.build.python\n\napp thumbs {\n  source = codecommit { repository = \"thumbs\" }\n  build = python\n  deploy = lambda {\n    runtime = \n    handler = \"app.handler\"\n    reserved_concurrency = 5\n    \n  }\n}\n".to_string();
        c.open(&u, &text).await;
        c.diagnostics(&u).await;
        // On the empty line of the block: the lambda block's fields, not EC2's.
        let r = c.request("textDocument/completion", td(&u, pos(&text, "    \n  }", 0, 4))).await;
        let got = labels(&r);
        // Every field of the schema's block but those already written.
        let written = ["runtime", "handler", "reserved_concurrency"];
        let expected: Vec<String> = pf_compiler::schema::LAMBDA
            .fields
            .iter()
            .filter(|f| !written.contains(&f.name))
            .map(|f| f.name.to_string())
            .collect();
        assert_eq!(got, expected);
        assert!(got.contains(&"memory".to_string()) && !got.contains(&"hooks".to_string()), "{got:?}");
        // After `runtime = `: Lambda's supported runtimes, in the table's order.
        let r = c.request("textDocument/completion", td(&u, pos(&text, "runtime = ", 0, 10))).await;
        let runtimes: Vec<String> =
            pf_compiler::stdlib::lambda_runtimes().iter().map(|s| s.to_string()).collect();
        assert_eq!(labels(&r), runtimes);
        assert!(!labels(&r).contains(&"python3.9".to_string()), "deprecated runtimes are not offered");
        // Hover over a field: its schema documentation.
        let h = c.request("textDocument/hover", td(&u, pos(&text, "reserved_concurrency", 0, 3))).await;
        let doc = h["contents"]["value"].as_str().unwrap_or("").to_string();
        assert!(doc.contains("Concurrent executions reserved for the function"), "{doc}");
        assert!(c.shutdown().await);
    });
}
