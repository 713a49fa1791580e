//! Pictures of a pipeline: Mermaid (`flowchart LR`, renders on GitHub) and Graphviz DOT.
//!
//! Both show the same shape, read from the checked IR: stages left to right; inside each stage
//! its actions grouped by run order (actions sharing a run order side by side in a group of
//! their own), an arrow from each run-order group to the next and from each stage to the next.
//! Approvals are hexagons labelled with their approver group, the distinct-approvers check a
//! diamond, deploys are labelled with the environment they target. Output is deterministic.

use crate::ir::{Action, ActionKind, InfraMode, Pipeline, Program, ReleaseStep, Source, Stage};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How an action is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Source,
    Job,
    Approve,
    Check,
    Infra,
    Deploy,
    Invoke,
}

impl Shape {
    fn class(self) -> &'static str {
        match self {
            Shape::Source => "source",
            Shape::Job => "job",
            Shape::Approve => "approve",
            Shape::Check => "check",
            Shape::Infra => "infra",
            Shape::Deploy => "deploy",
            Shape::Invoke => "invoke",
        }
    }
}

/// The text and shape of an action's node.
fn describe(action: &Action, pipeline: &Pipeline, program: &Program) -> (String, Shape) {
    let name = &action.name;
    match &action.kind {
        ActionKind::Source => {
            let what = match program.app(&pipeline.app).map(|a| &a.source) {
                Some(Source::CodeCommit { repository, branch, .. }) => {
                    format!("CodeCommit {repository} ({branch})")
                }
                Some(Source::GitHub { repository, branch, .. }) => format!("GitHub {repository} ({branch})"),
                Some(Source::S3 { bucket, key }) => format!("S3 {bucket}/{key}"),
                None => "the app's source".into(),
            };
            (format!("{name}: {what}"), Shape::Source)
        }
        ActionKind::Build => (format!("{name} (CodeBuild)"), Shape::Job),
        ActionKind::Test(job) => match &job.env {
            Some(env) => (format!("test {name} → env {env}"), Shape::Job),
            None => (format!("test {name}"), Shape::Job),
        },
        ActionKind::Approve(a) => (format!("approve {name} (group {})", a.group), Shape::Approve),
        ActionKind::CheckDistinctApprovers { approvals } => {
            let names: Vec<&str> = approvals.iter().map(|(_, a)| a.as_str()).collect();
            (format!("{name}: distinct approvers of {}", names.join(", ")), Shape::Check)
        }
        ActionKind::DeployInfra { env, mode } => {
            let how = match mode {
                InfraMode::CreateUpdate => "",
                InfraMode::CreateChangeSet => " (change set)",
                InfraMode::ExecuteChangeSet => " (execute change set)",
            };
            (format!("{name} → env {env}{how}"), Shape::Infra)
        }
        ActionKind::DeployApp { env } => (format!("{name} → env {env}"), Shape::Deploy),
        ActionKind::BakeImage => (format!("{name}: bake the AMI (Image Builder)"), Shape::Infra),
        ActionKind::Release { env, step } => {
            let what = match step {
                ReleaseStep::Plan => "live colour".to_string(),
                ReleaseStep::Wait { seconds: 0 } => "new colour healthy".to_string(),
                ReleaseStep::Wait { seconds } => format!("new colour healthy, then {seconds}s of alarms"),
                ReleaseStep::Shift { weight } => format!("{weight}% to the new colour"),
                ReleaseStep::Finish => "old colour to zero".to_string(),
            };
            (format!("{name} → env {env}: {what}"), Shape::Deploy)
        }
        ActionKind::Invoke { function, .. } => (format!("invoke {name} → Lambda {function}"), Shape::Invoke),
    }
}

/// A stage's actions grouped by run order, in run order; actions keep their IR order.
fn groups(stage: &Stage) -> Vec<(u32, Vec<(usize, &Action)>)> {
    let mut by_order: BTreeMap<u32, Vec<(usize, &Action)>> = BTreeMap::new();
    for (i, a) in stage.actions.iter().enumerate() {
        by_order.entry(a.run_order).or_default().push((i, a));
    }
    by_order.into_iter().collect()
}

/// `name` with every character other than ASCII letters and digits replaced by `_`.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn stage_id(si: usize, stage: &Stage) -> String {
    format!("s{si}_{}", sanitize(&stage.name))
}

fn action_id(si: usize, ai: usize, action: &Action) -> String {
    format!("s{si}a{ai}_{}", sanitize(&action.name))
}

fn group_id(si: usize, order: u32) -> String {
    format!("s{si}r{order}")
}

/// A Mermaid label: quoted, with characters Mermaid would interpret written as entities.
fn mermaid_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Mermaid flowchart of `pipeline`.
pub fn mermaid(pipeline: &Pipeline, program: &Program) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "flowchart LR");
    let _ = writeln!(out, "  %% pipeline {}: app {}", pipeline.name, pipeline.app);
    let mut classes: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut edges: Vec<(String, String)> = Vec::new();
    for (si, stage) in pipeline.stages.iter().enumerate() {
        let sid = stage_id(si, stage);
        let _ = writeln!(out, "  subgraph {sid}[{}]", mermaid_text(&stage.name));
        let _ = writeln!(out, "    direction LR");
        let mut ends: Vec<String> = Vec::new();
        for (order, actions) in groups(stage) {
            let parallel = actions.len() > 1;
            let indent = if parallel { "      " } else { "    " };
            if parallel {
                let gid = group_id(si, order);
                let _ = writeln!(out, "    subgraph {gid}[{}]", mermaid_text(&format!("run order {order}")));
                let _ = writeln!(out, "      direction TB");
                ends.push(gid);
            }
            for (ai, action) in &actions {
                let id = action_id(si, *ai, action);
                let (text, shape) = describe(action, pipeline, program);
                let t = mermaid_text(&text);
                let node = match shape {
                    Shape::Source => format!("{id}([{t}])"),
                    Shape::Job => format!("{id}[{t}]"),
                    Shape::Approve => format!("{id}{{{{{t}}}}}"),
                    Shape::Check => format!("{id}{{{t}}}"),
                    Shape::Infra => format!("{id}[/{t}/]"),
                    Shape::Deploy => format!("{id}[[{t}]]"),
                    Shape::Invoke => format!("{id}>{t}]"),
                };
                let _ = writeln!(out, "{indent}{node}");
                classes.entry(shape.class()).or_default().push(id.clone());
                if !parallel {
                    ends.push(id);
                }
            }
            if parallel {
                let _ = writeln!(out, "    end");
            }
        }
        for pair in ends.windows(2) {
            let _ = writeln!(out, "    {} --> {}", pair[0], pair[1]);
        }
        let _ = writeln!(out, "  end");
        if si > 0 {
            edges.push((stage_id(si - 1, &pipeline.stages[si - 1]), sid));
        }
    }
    for (a, b) in &edges {
        let _ = writeln!(out, "  {a} --> {b}");
    }
    for (class, style) in [
        ("source", "fill:#e8f0fe,stroke:#4a6fa5"),
        ("job", "fill:#f5f5f5,stroke:#555"),
        ("approve", "fill:#fff3cd,stroke:#b58900,stroke-width:2px"),
        ("check", "fill:#fde2e1,stroke:#c0392b"),
        ("infra", "fill:#e6f4ea,stroke:#2e7d32"),
        ("deploy", "fill:#d4edda,stroke:#2e7d32,stroke-width:2px"),
        ("invoke", "fill:#ede7f6,stroke:#5e35b1"),
    ] {
        if let Some(ids) = classes.get(class) {
            let _ = writeln!(out, "  classDef {class} {style}");
            let _ = writeln!(out, "  class {} {class}", ids.join(","));
        }
    }
    out
}

/// A DOT string literal.
fn dot_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One end of an arrow in DOT: a node, and the cluster the arrow should clip at, if any.
struct DotEnd {
    node: String,
    cluster: Option<String>,
}

/// The Graphviz DOT graph of `pipeline`.
pub fn dot(pipeline: &Pipeline, program: &Program) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", dot_text(&pipeline.name));
    let _ = writeln!(out, "  // pipeline {}: app {}", pipeline.name, pipeline.app);
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  compound=true;");
    let _ = writeln!(out, "  newrank=true;");
    let _ = writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", fontname=\"Helvetica\"];"
    );
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\"];");
    // First and last run-order groups of each stage, for the arrows between stages.
    let mut stage_ends: Vec<(DotEnd, DotEnd)> = Vec::new();
    let mut edges: Vec<(DotEnd, DotEnd)> = Vec::new();
    for (si, stage) in pipeline.stages.iter().enumerate() {
        let cluster = format!("cluster_{}", stage_id(si, stage));
        let _ = writeln!(out, "  subgraph {cluster} {{");
        let _ = writeln!(out, "    label={};", dot_text(&stage.name));
        let _ = writeln!(out, "    style=rounded;");
        let mut ends: Vec<(DotEnd, DotEnd)> = Vec::new();
        for (order, actions) in groups(stage) {
            let parallel = actions.len() > 1;
            let indent = if parallel { "      " } else { "    " };
            let gcluster = format!("cluster_{}", group_id(si, order));
            if parallel {
                let _ = writeln!(out, "    subgraph {gcluster} {{");
                let _ = writeln!(out, "      label={};", dot_text(&format!("run order {order}")));
                let _ = writeln!(out, "      style=dashed;");
            }
            for (ai, action) in &actions {
                let id = action_id(si, *ai, action);
                let (text, shape) = describe(action, pipeline, program);
                let attrs = match shape {
                    Shape::Source => "shape=cylinder, fillcolor=\"#e8f0fe\"",
                    Shape::Job => "shape=box",
                    Shape::Approve => "shape=hexagon, fillcolor=\"#fff3cd\", penwidth=2",
                    Shape::Check => "shape=diamond, fillcolor=\"#fde2e1\"",
                    Shape::Infra => "shape=parallelogram, fillcolor=\"#e6f4ea\"",
                    Shape::Deploy => "shape=box3d, fillcolor=\"#d4edda\"",
                    Shape::Invoke => "shape=cds, fillcolor=\"#ede7f6\"",
                };
                let _ = writeln!(out, "{indent}{id} [label={}, {attrs}];", dot_text(&text));
            }
            if parallel {
                // Same rank: stacked, side by side in time.
                let ids: Vec<String> = actions.iter().map(|(ai, a)| action_id(si, *ai, a)).collect();
                let _ = writeln!(out, "      {{ rank=same; {}; }}", ids.join("; "));
                let _ = writeln!(out, "    }}");
            }
            let first = action_id(si, actions[0].0, actions[0].1);
            let cluster = parallel.then(|| gcluster.clone());
            ends.push((
                DotEnd { node: first.clone(), cluster: cluster.clone() },
                DotEnd { node: first, cluster },
            ));
        }
        let _ = writeln!(out, "  }}");
        let stage_first =
            ends.first().map(|(f, _)| DotEnd { node: f.node.clone(), cluster: Some(cluster.clone()) });
        let stage_last =
            ends.last().map(|(_, l)| DotEnd { node: l.node.clone(), cluster: Some(cluster.clone()) });
        let mut prev: Option<DotEnd> = None;
        for (first, last) in ends {
            if let Some(p) = prev.take() {
                edges.push((p, first));
            }
            prev = Some(last);
        }
        if let (Some(f), Some(l)) = (stage_first, stage_last) {
            stage_ends.push((f, l));
        }
    }
    for pair in stage_ends.windows(2) {
        let from = DotEnd { node: pair[0].1.node.clone(), cluster: pair[0].1.cluster.clone() };
        let to = DotEnd { node: pair[1].0.node.clone(), cluster: pair[1].0.cluster.clone() };
        edges.push((from, to));
    }
    for (from, to) in &edges {
        let mut attrs: Vec<String> = Vec::new();
        if let Some(c) = &from.cluster {
            attrs.push(format!("ltail={c}"));
        }
        if let Some(c) = &to.cluster {
            attrs.push(format!("lhead={c}"));
        }
        if attrs.is_empty() {
            let _ = writeln!(out, "  {} -> {};", from.node, to.node);
        } else {
            let _ = writeln!(out, "  {} -> {} [{}];", from.node, to.node, attrs.join(", "));
        }
    }
    let _ = writeln!(out, "}}");
    out
}
