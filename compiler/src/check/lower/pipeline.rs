//! Pipelines: stages and actions with resolved run orders and artifact flow.
//!
//! A generated `Source` stage comes first. In a stage, actions run one after the other; the
//! actions of a `parallel { ... }` block share a run order. `deploy ENV` expands to the
//! environment's infrastructure action(s) and the CodeDeploy action; in a protected environment
//! infrastructure changes go through a change set reviewed by an approval.

use super::*;
use crate::check::resolve::{unknown_reference, Decl};
use crate::check::target_fields::{too_fine, EC2_MIN_LINEAR_PERCENT};
use crate::check::value::{ChildNode, Named};
use crate::diagnostic::codes;
use crate::ir::{
    Action, ActionKind, Approval, ExecutionMode, InfraMode, Pipeline, PipelineType, ReleaseKind, ReleaseStep,
    Stage, Strategy, TestJob, Trigger,
};
use crate::schema::{self, DeclKind};

/// Artifact names.
pub const SOURCE_ARTIFACT: &str = "Source";
pub const BUILD_ARTIFACT: &str = "Build";

struct Lowering<'a> {
    ctx: &'a mut Ctx,
    decls: &'a Decls,
    index: &'a Index<'a>,
    prov: &'a mut Provenance,
    pipeline: String,
    app: String,
    stage: String,
    /// `pipeline.P.stage.S.action`: the provenance path of the current stage's actions.
    action_path: String,
    built: bool,
    /// Environments deployed so far, in order.
    deployed: Vec<String>,
    /// Approvals so far: (stage, action, group, span).
    approvals: Vec<(String, String, String, Span)>,
    /// The notify list of the latest approval (change-set reviews go to the same people).
    last_notify: Vec<String>,
    /// Whether a line of an earlier stage did not parse: it may be the approval (no PF4002 then).
    saw_broken: bool,
    /// Whether the pipeline has an `approve` action anywhere (for PF4002's wording).
    approves_later: bool,
    pipeline_type: PipelineType,
    execution_mode: ExecutionMode,
    /// The pipeline's `type` and `execution` fields (or its name), for stage conditions' labels.
    type_span: Span,
    execution_span: Span,
}

pub fn lower(
    ctx: &mut Ctx,
    decls: &Decls,
    index: &Index,
    d: &Decl,
    prov: &mut Provenance,
) -> Option<Pipeline> {
    let mark = ctx.diagnostics.len();
    let o = d.flat();
    let app_name = match o.get("app") {
        Some(Item { val: Val::Ref(a), span }) => Named { name: a.clone(), span: *span },
        _ => d.name.clone(),
    };
    let Some(app_decl) = decls.find(&[DeclKind::App], &app_name.name) else {
        let mut diag =
            unknown_reference(&app_name, "app", &["app"], decls.apps.iter().map(|a| a.name.name.as_str()));
        if o.get("app").is_none() {
            diag = diag.with_note("a pipeline builds the app named like it unless it says `app = NAME`");
        }
        ctx.push(diag);
        return None;
    };
    let pipeline_type = if enum_of(o, "type") == Some("v1") { PipelineType::V1 } else { PipelineType::V2 };
    let execution_mode = match enum_of(o, "execution") {
        Some("queued") => ExecutionMode::Queued,
        Some("parallel") => ExecutionMode::Parallel,
        _ => ExecutionMode::Superseded,
    };
    if pipeline_type == PipelineType::V1 && execution_mode != ExecutionMode::Superseded {
        ctx.push(
            Diagnostic::new(
                codes::PF3008,
                span_of(o, "execution", d.name.span),
                "queued and parallel execution need a v2 pipeline",
            )
            .with_label("needs type = v2")
            .with_secondary(span_of(o, "type", d.name.span), "v1 pipeline")
            .with_help("remove `type = v1` (v2 is the default)"),
        );
    }
    let self_update = bool_of(o, "self_update");
    if pipeline_type == PipelineType::V1 && self_update == Some(true) {
        ctx.push(
            Diagnostic::new(
                codes::PF3008,
                span_of(o, "self_update", d.name.span),
                "the self-update guard needs a v2 pipeline",
            )
            .with_label("needs type = v2")
            .with_secondary(span_of(o, "type", d.name.span), "v1 pipeline")
            .with_help("remove `type = v1` (v2 is the default): the guard skips its approval with a stage condition, which only V2 pipelines have; or remove `self_update = true`"),
        );
    }
    let self_update = pipeline_type == PipelineType::V2 && self_update != Some(false);
    let triggers = triggers(
        ctx,
        o,
        pipeline_type,
        index.apps.get(app_name.name.as_str()).map(|a| &a.source),
        d.name.span,
    );
    let mut l = Lowering {
        ctx,
        decls,
        index,
        prov,
        pipeline: d.name.name.clone(),
        app: app_decl.name.name.clone(),
        stage: String::new(),
        action_path: String::new(),
        built: false,
        deployed: Vec::new(),
        approvals: Vec::new(),
        last_notify: Vec::new(),
        saw_broken: false,
        pipeline_type,
        execution_mode,
        type_span: span_of(o, "type", d.name.span),
        execution_span: span_of(o, "execution", d.name.span),
        approves_later: o.children.iter().filter(|s| s.keyword == "stage").any(|s| {
            s.obj.children.iter().any(|a| {
                a.keyword == "approve"
                    || (a.keyword == "parallel" && a.obj.children.iter().any(|p| p.keyword == "approve"))
            })
        }),
    };
    let mut stages = vec![Stage {
        gate: None,
        rollback_on_failure: false,
        name: "Source".into(),
        actions: vec![Action {
            name: "Source".into(),
            run_order: 1,
            inputs: vec![],
            outputs: vec![SOURCE_ARTIFACT.into()],
            kind: ActionKind::Source,
        }],
    }];
    // Stage names by lower case: CodePipeline compares them ignoring case.
    let mut seen: FxHashMap<String, Span> = crate::hash::map_with_capacity(o.children.len() + 1);
    seen.insert("source".to_string(), d.name.span);
    // About three actions per stage: sized once, not rehashed as it grows.
    l.prov.actions.reserve(o.children.len() * 3);
    for child in o.children.iter().filter(|c| c.keyword == "stage") {
        let Some(label) = &child.label else { continue };
        if let Some(first) = seen.get(&label.name.to_ascii_lowercase()) {
            l.ctx.push(
                Diagnostic::new(
                    codes::PF4008,
                    label.span,
                    format!("the stage `{}` is declared twice", label.name),
                )
                .with_label("second stage of that name")
                .with_secondary(*first, "first here")
                .with_help(
                    "give the stages different names: they are unique in a pipeline, ignoring case (`Source` is taken by the generated source stage)",
                ),
            );
            continue;
        }
        seen.insert(label.name.to_ascii_lowercase(), label.span);
        l.saw_broken |= child.obj.broken;
        if label.name.len() > 100 {
            l.ctx.push(
                Diagnostic::new(
                    codes::PF3001,
                    label.span,
                    "this stage name is longer than CodePipeline allows",
                )
                .with_label(format!("{} characters", label.name.len()))
                .with_help("CodePipeline stage names are 1 to 100 letters, digits, `.`, `@`, `_` and `-`"),
            );
        }
        l.stage = label.name.clone();
        l.action_path = format!("pipeline.{}.stage.{}.action", l.pipeline, l.stage);
        if let Some(stage) = l.stage(child, label) {
            stages.push(stage);
        }
    }
    // A stage whose actions are all in error is not empty: its errors are reported already.
    if !o.children.iter().any(|c| c.keyword == "stage") {
        l.ctx.push(
            Diagnostic::new(
                codes::PF4007,
                d.name.span,
                format!("the pipeline `{}` has no stage", d.name.name),
            )
            .with_label("no stage")
            .with_help("add at least `stage build { build }`"),
        );
    }
    if let Some(n) = obj_of(o, "notify") {
        check_emails(l.ctx, n, "failure", "a failure notification");
    }
    let notify_failure = obj_of(o, "notify").map(|n| strs_of(n, "failure")).unwrap_or_default();
    if errors_since(l.ctx, mark) {
        return None;
    }
    Some(Pipeline {
        name: d.name.name.clone(),
        app: app_decl.name.name.clone(),
        pipeline_type,
        execution_mode,
        triggers,
        notify_failure,
        stages,
        self_update,
    })
}

fn triggers(
    ctx: &mut Ctx,
    o: &Obj,
    ty: PipelineType,
    source: Option<&crate::ir::Source>,
    at: Span,
) -> Vec<Trigger> {
    let mut out = Vec::new();
    for c in o.children.iter().filter(|c| c.keyword == "trigger") {
        let Some(kind) = &c.label else { continue };
        match kind.name.as_str() {
            "push" => {
                let tags = strs_of(&c.obj, "tags");
                let paths = strs_of(&c.obj, "paths");
                let branches = strs_of(&c.obj, "branches");
                if !push_filter_holds(ctx, &c.obj, c.span) {
                    continue;
                }
                for (name, list) in [("tags", &tags), ("paths", &paths)] {
                    if list.is_empty() {
                        continue;
                    }
                    let span = span_of(&c.obj, name, c.span);
                    let github = matches!(source, Some(crate::ir::Source::GitHub { .. }));
                    if ty == PipelineType::V1 || !github {
                        ctx.push(
                            Diagnostic::new(codes::PF3008, span, format!("`{name}` filters need a v2 pipeline with a GitHub source"))
                                .with_label("filter not available")
                                .with_help("CodePipeline's trigger filters work only on v2 pipelines with a GitHub source (a CodeStar connection)"),
                        );
                    }
                    if list.len() > 8 {
                        ctx.push(
                            Diagnostic::new(
                                codes::PF3009,
                                span,
                                format!("{} `{name}` patterns; CodePipeline allows 1 to 8", list.len()),
                            )
                            .with_label("too many patterns"),
                        );
                    }
                }
                // Without a connection, CodePipeline starts on the source's own branch only
                // (CodeCommit through EventBridge; S3 has no branches): other branches, or
                // patterns, would not start it, or would start a run of the source branch.
                let follows = source.and_then(crate::ir::Source::branch);
                let connected = matches!(source, Some(crate::ir::Source::GitHub { .. }));
                if !connected && branches.iter().any(|b| Some(b.as_str()) != follows) {
                    let help = match follows {
                        Some(b) => format!("this source starts the pipeline on its branch `{b}` only: remove `branches`, or use a GitHub source on a v2 pipeline to filter branches"),
                        None => "an S3 source has no branches: remove `branches`".to_string(),
                    };
                    ctx.push(
                        Diagnostic::new(
                            codes::PF3008,
                            span_of(&c.obj, "branches", c.span),
                            "`branches` filters need a v2 pipeline with a GitHub source",
                        )
                        .with_label("filter not available")
                        .with_help(help),
                    );
                }
                out.push(Trigger::Push { branches, tags, paths });
            }
            "schedule" => {
                // The expression itself is checked as written (`validate::schedule`).
                if let Some(expr) = str_of(&c.obj, "cron") {
                    out.push(Trigger::Schedule { expression: expr });
                } else {
                    require(ctx, &c.obj, &schema::SCHEDULE, c.span);
                }
            }
            "manual" => out.push(Trigger::Manual),
            _ => {}
        }
    }
    let github = matches!(source, Some(crate::ir::Source::GitHub { .. }));
    let pushes: Vec<&ChildNode> = o
        .children
        .iter()
        .filter(|c| c.keyword == "trigger" && c.label.as_ref().is_some_and(|l| l.name == "push"))
        .collect();
    if github && ty == PipelineType::V2 && pushes.len() > MAX_PUSH_FILTERS {
        let fourth = &pushes[MAX_PUSH_FILTERS];
        ctx.push(
            Diagnostic::new(
                codes::PF3037,
                fourth.span,
                format!(
                    "{} push triggers; CodePipeline filters pushes with at most {MAX_PUSH_FILTERS}",
                    pushes.len()
                ),
            )
            .with_label("one push trigger too many")
            .with_secondary(pushes[0].span, "first push trigger")
            .with_help(
                "merge push triggers of the same kind: the patterns of one trigger are alternatives too",
            ),
        );
    }
    if out.is_empty() && !o.children.iter().any(|c| c.keyword == "trigger") {
        let _ = at;
        out.push(Trigger::Push { branches: Vec::new(), tags: Vec::new(), paths: Vec::new() });
    }
    out
}

/// Push filters one trigger configuration holds (CodePipeline API, `GitConfiguration.push`).
const MAX_PUSH_FILTERS: usize = 3;

/// Whether one `trigger push` is a filter CodePipeline has: no empty list (it would match no
/// push; PF4015), and tags alone or branches with optional paths (PF3036). Reports what is not.
fn push_filter_holds(ctx: &mut Ctx, push: &Obj, at: Span) -> bool {
    let mut ok = true;
    for name in ["branches", "tags", "paths"] {
        if let Some(Item { val: Val::List(items), span }) = push.get(name) {
            if items.is_empty() {
                ctx.push(
                    Diagnostic::new(codes::PF4015, *span, format!("`{name} = []` matches no push, so this trigger never starts the pipeline"))
                        .with_label("empty list")
                        .with_help(format!("remove `{name}` (a push to the source branch starts the pipeline), list what should start it, or write `trigger manual` if no push should")),
                );
                ok = false;
            }
        }
    }
    if push.get("tags").is_some() {
        for other in ["branches", "paths"] {
            if push.get(other).is_some() {
                ctx.push(
                    Diagnostic::new(codes::PF3036, span_of(push, other, at), format!("CodePipeline cannot filter a tag push by {other}"))
                        .with_label(format!("`{other}` with `tags`"))
                        .with_secondary(span_of(push, "tags", at), "tags")
                        .with_help("a push filter is tags, branches, or branches and paths, and all its parts must hold: write one trigger for the tags and another for the branches and paths, e.g. `trigger push { tags = [\"v*\"] }` and `trigger push { branches = [\"main\"], paths = [\"src/**\"] }`"),
                );
                ok = false;
            }
        }
    }
    ok
}

impl Lowering<'_> {
    fn stage(&mut self, child: &ChildNode, label: &Named) -> Option<Stage> {
        // `biuld`, reported with `build` suggested, stands for the build: later deploys are not
        // also reported as deploying nothing built.
        if child.obj.meant.contains(&"build") {
            self.built = true;
        }
        let conditions = super::gates::Context {
            pipeline_type: self.pipeline_type,
            execution_mode: self.execution_mode,
            type_span: self.type_span,
            execution_span: self.execution_span,
            deployed: &self.deployed,
            index: self.index,
        };
        let (gate, rollback_on_failure) = super::gates::lower(self.ctx, &conditions, &child.obj);
        let mut actions: Vec<Action> = Vec::new();
        let mut next = 1u32;
        let mut names: Vec<(String, Span)> = Vec::new();
        for a in &child.obj.children {
            if a.keyword == "parallel" {
                let start = next;
                let mut end = start;
                for p in &a.obj.children {
                    let produced = self.action(p, start, &mut names);
                    end = end.max(produced.iter().map(|x| x.run_order).max().unwrap_or(start));
                    actions.extend(produced);
                }
                next = end + 1;
            } else {
                let produced = self.action(a, next, &mut names);
                next = produced.iter().map(|x| x.run_order).max().map_or(next, |m| m + 1);
                actions.extend(produced);
            }
        }
        // Actions written but all in error leave the stage empty too: their errors say why.
        let written: usize = child
            .obj
            .children
            .iter()
            .map(|a| if a.keyword == "parallel" { a.obj.children.len() } else { 1 })
            .sum();
        // Actions in error (`biuld`, rejected before lowering) leave the stage empty too; their
        // errors are the finding.
        let in_error = || {
            self.ctx.diagnostics.iter().any(|d| {
                d.is_error()
                    && d.primary.span.file == child.span.file
                    && child.span.contains(d.primary.span.start as usize)
            })
        };
        // A line of the stage that did not parse may be its action: its syntax error is the finding.
        if actions.is_empty() && (written > 0 || child.obj.broken || in_error()) {
            return None;
        }
        if actions.is_empty() {
            self.ctx.push(
                Diagnostic::new(
                    codes::PF4007,
                    label.span,
                    format!("the stage `{}` has no action", label.name),
                )
                .with_label("empty stage")
                .with_help("add an action (build, test, deploy, approve, invoke) or remove the stage"),
            );
            return None;
        }
        if actions.len() > 50 {
            self.ctx.push(
                Diagnostic::new(
                    codes::PF3003,
                    label.span,
                    format!(
                        "the stage `{}` has {} actions; CodePipeline allows 50",
                        label.name,
                        actions.len()
                    ),
                )
                .with_label("too many actions"),
            );
        }
        self.check_run_orders(&actions, &names);
        Some(Stage { name: label.name.clone(), actions, gate, rollback_on_failure })
    }

    /// An approval never shares a run order with a deploy of the same stage.
    fn check_run_orders(&mut self, actions: &[Action], names: &[(String, Span)]) {
        let span = |n: &str| names.iter().find(|(x, _)| x == n).map(|(_, s)| *s);
        for a in actions.iter().filter(|a| matches!(a.kind, ActionKind::Approve(_))) {
            for d in actions.iter().filter(|d| d.run_order == a.run_order) {
                if let ActionKind::DeployInfra { env, .. } | ActionKind::DeployApp { env } = &d.kind {
                    if let (Some(sa), Some(sd)) = (span(&a.name), span(&d.name)) {
                        self.ctx.push(
                            Diagnostic::new(
                                codes::PF4001,
                                sa,
                                format!(
                                    "the approval `{}` runs at the same time as the deploy to `{env}`",
                                    a.name
                                ),
                            )
                            .with_label("same run order")
                            .with_secondary(sd, "this deploy does not wait for it")
                            .with_help(
                                "move the approval before the `parallel` block, so the deploy waits for it",
                            ),
                        );
                    }
                    break;
                }
            }
        }
    }

    fn name_action(&mut self, name: String, span: Span, names: &mut Vec<(String, Span)>) -> Option<String> {
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            self.ctx.push(
                Diagnostic::new(
                    codes::PF4008,
                    span,
                    format!("two actions of the stage `{}` are named `{name}`", self.stage),
                )
                .with_label("second action of that name")
                .with_secondary(*first, "first here")
                .with_help("give the actions different names"),
            );
            return None;
        }
        if name.is_empty()
            || name.len() > 100
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
        {
            self.ctx.push(
                Diagnostic::new(
                    codes::PF3001,
                    span,
                    format!("`{name}` is not a valid CodePipeline action name"),
                )
                .with_label("invalid name")
                .with_help("use 1 to 100 letters, digits, `.`, `@`, `_` and `-`"),
            );
        }
        names.push((name.clone(), span));
        Some(name)
    }

    fn action(&mut self, a: &ChildNode, run_order: u32, names: &mut Vec<(String, Span)>) -> Vec<Action> {
        let label = a.label.as_ref().map(|l| l.name.clone()).unwrap_or_default();
        let at = a.label.as_ref().map_or(a.span, |l| l.span);
        let mut one = |l: &mut Self,
                       name: String,
                       run_order: u32,
                       inputs: Vec<String>,
                       outputs: Vec<String>,
                       kind: ActionKind| {
            let name = l.name_action(name, at, names)?;
            l.prov.insert(&l.action_path, &name, a.span);
            Some(Action { name, run_order, inputs, outputs, kind })
        };
        match a.keyword {
            "build" => {
                if self.built {
                    self.ctx.push(
                        Diagnostic::new(codes::PF4004, a.span, "the app is built twice in this pipeline")
                            .with_label("second build")
                            .with_help("build once; later stages reuse the build's artifact"),
                    );
                    return Vec::new();
                }
                self.built = true;
                let mut out: Vec<Action> = one(
                    self,
                    "build".into(),
                    run_order,
                    vec![SOURCE_ARTIFACT.into()],
                    vec![BUILD_ARTIFACT.into()],
                    ActionKind::Build,
                )
                .into_iter()
                .collect();
                // One image per run, right after the build, from its artifact.
                let bakes = self
                    .index
                    .apps
                    .get(self.app.as_str())
                    .is_some_and(|app| app.deploy.baked_image().is_some());
                if bakes && !out.is_empty() {
                    out.extend(one(
                        self,
                        crate::codegen::naming::IMAGE_ACTION.into(),
                        run_order + 1,
                        vec![BUILD_ARTIFACT.into()],
                        vec![],
                        ActionKind::BakeImage,
                    ));
                }
                out
            }
            "test" => {
                require(self.ctx, &a.obj, &schema::TEST, at);
                let input =
                    if enum_of(&a.obj, "input") == Some("build") { BUILD_ARTIFACT } else { SOURCE_ARTIFACT };
                if input == BUILD_ARTIFACT && !self.built {
                    self.ctx.push(
                        self.not_built(span_of(&a.obj, "input", at), "this test runs on the build's output"),
                    );
                }
                let mut build = super::app::build(self.ctx, &a.obj);
                build.test = strs_of(&a.obj, "commands");
                let app_build = self.index.apps.get(self.app.as_str()).map(|x| &x.build);
                if a.obj.get("image").is_none() {
                    if let Some(b) = app_build {
                        build.image = b.image.clone();
                        build.arm = b.arm;
                    }
                }
                if a.obj.get("compute").is_none() {
                    if let Some(b) = app_build {
                        build.compute = b.compute;
                    }
                }
                let env = self.last_deployed();
                let job = TestJob { name: label.clone(), build, env };
                one(self, label, run_order, vec![input.into()], vec![], ActionKind::Test(Box::new(job)))
                    .into_iter()
                    .collect()
            }
            "approve" => {
                check_emails(self.ctx, &a.obj, "notify", "an approval request");
                if a.obj.get("notify").is_none() && !a.obj.broken {
                    self.ctx.push(
                        Diagnostic::new(codes::PF4009, at, format!("the approval `{label}` notifies nobody"))
                            .with_label("no `notify`")
                            .with_help("add `notify = [\"approvers@example.com\"]`: otherwise the run waits, unseen, until the approval times out"),
                    );
                }
                let group = str_of(&a.obj, "group").unwrap_or_else(|| label.clone());
                let deployed = self.last_deployed();
                if deployed.is_none() {
                    self.no_env_yet(&a.obj, at);
                }
                let vars = [
                    ("app", self.app.as_str()),
                    ("env", deployed.as_deref().unwrap_or("${env}")),
                    ("pipeline", self.pipeline.as_str()),
                    ("stage", self.stage.as_str()),
                ];
                let approval = Approval {
                    group: group.clone(),
                    notify: strs_of(&a.obj, "notify"),
                    message: str_of(&a.obj, "message").map(|m| subst(&m, &vars)),
                    link: str_of(&a.obj, "link").map(|m| subst(&m, &vars)),
                    timeout_minutes: (secs_of(&a.obj, "timeout").unwrap_or(7 * 86_400) / 60) as u32,
                };
                let mut out: Vec<Action> =
                    one(self, label.clone(), run_order, vec![], vec![], ActionKind::Approve(approval))
                        .into_iter()
                        .collect();
                if bool_of(&a.obj, "distinct") == Some(true) {
                    let others: Vec<_> = self.approvals.iter().filter(|x| x.2 != group).cloned().collect();
                    if others.is_empty() {
                        self.ctx.push(
                            Diagnostic::new(codes::PF4003, span_of(&a.obj, "distinct", at), "a distinct approval needs an earlier approval by another group")
                                .with_label("nothing to be distinct from")
                                .with_help("add an earlier `approve` action with a different `group`, or remove `distinct`"),
                        );
                    } else {
                        let mut list: Vec<(String, String)> =
                            self.approvals.iter().map(|x| (x.0.clone(), x.1.clone())).collect();
                        list.push((self.stage.clone(), label.clone()));
                        let check = ActionKind::CheckDistinctApprovers { approvals: list };
                        out.extend(one(
                            self,
                            format!("{label}-distinct"),
                            run_order + 1,
                            vec![],
                            vec![],
                            check,
                        ));
                    }
                }
                self.last_notify = strs_of(&a.obj, "notify");
                self.approvals.push((self.stage.clone(), label, group, at));
                out
            }
            "invoke" => {
                require(self.ctx, &a.obj, &schema::INVOKE, at);
                let function = str_of(&a.obj, "function").unwrap_or_default();
                one(
                    self,
                    label,
                    run_order,
                    vec![],
                    vec![],
                    ActionKind::Invoke { function, params: str_of(&a.obj, "params") },
                )
                .into_iter()
                .collect()
            }
            // `deploy` without a name is reported as such (PF1007), not also as naming nothing.
            "deploy" if a.label.is_none() => Vec::new(),
            "deploy" => self.deploy(a, &label, at, run_order, names),
            _ => Vec::new(),
        }
    }

    fn not_built(&self, span: Span, what: &str) -> Diagnostic {
        Diagnostic::new(codes::PF4004, span, format!("{what}, but no earlier action builds the app"))
            .with_label(format!("needs the `{BUILD_ARTIFACT}` artifact"))
            .with_help("add `stage build { build }` before this stage")
    }

    /// The environment deployed most recently in the pipeline so far.
    /// Reports `${env}` in an approval's message or link when no environment is deployed before
    /// the approval (`${env}` is the last one deployed before it).
    fn no_env_yet(&mut self, approval: &Obj, at: Span) {
        for name in ["message", "link"] {
            let Some(Val::Str(text)) = approval.get(name).map(|i| &i.val) else { continue };
            if text.contains("${env}") {
                self.ctx.push(
                    Diagnostic::new(
                        codes::PF2004,
                        span_of(approval, name, at),
                        "`${env}` has no value here: no environment is deployed before this approval",
                    )
                    .with_label("nothing deployed yet")
                    .with_help("`${env}` is the last environment deployed before the approval; name the environment instead"),
                );
            }
        }
    }

    fn last_deployed(&self) -> Option<String> {
        self.deployed.last().cloned()
    }

    fn deploy(
        &mut self,
        a: &ChildNode,
        env: &str,
        at: Span,
        run_order: u32,
        names: &mut Vec<(String, Span)>,
    ) -> Vec<Action> {
        let Some(env_decl) = self.decls.find(&[DeclKind::Env], env) else {
            let named = Named { name: env.to_string(), span: at };
            let mut d = unknown_reference(
                &named,
                "environment",
                &["env"],
                self.decls.of(DeclKind::Env).into_iter().map(|d| d.name.name.as_str()),
            );
            if self.decls.find(&[DeclKind::Profile], env).is_some() {
                d = d.with_note(format!("`{env}` is a profile: declare an environment that extends it, e.g. `env {env}_env : {env} {{ ... }}`"));
            }
            self.ctx.push(d);
            return Vec::new();
        };
        if !self.built {
            self.ctx.push(self.not_built(a.span, "a deploy installs the build's output"));
            return Vec::new();
        }
        // A second `deploy test` in a stage would collide on every generated action name: one
        // finding, about the deploy, not one per generated name with advice to rename them.
        let generated_for_env = |n: &str| {
            ["deploy-", "infra-", "changes-", "plan-", "finish-"]
                .iter()
                .any(|p| n.strip_prefix(p) == Some(env))
        };
        if let Some((_, first)) = names.iter().find(|(n, _)| generated_for_env(n)) {
            self.ctx.push(
                Diagnostic::new(
                    codes::PF4008,
                    at,
                    format!("`{env}` is deployed twice in the stage `{}`", self.stage),
                )
                .with_label("second deploy")
                .with_secondary(*first, "first here")
                .with_help(
                    "deploy an environment once per stage: remove one, or deploy it again in a later stage",
                ),
            );
            return Vec::new();
        }
        let protected = self.index.envs.get(env).map(|e| e.protected);
        if protected == Some(true) && self.approvals.is_empty() && !self.saw_broken {
            let d = if self.approves_later {
                Diagnostic::new(codes::PF4002, at, format!("`{env}` is protected, but its deploy runs before any approval"))
                    .with_help("move the `approve` action to a stage before this deploy: an approval guards only the actions after it")
            } else {
                Diagnostic::new(codes::PF4002, at, format!("`{env}` is protected, but nothing in the pipeline approves its deploy"))
                    .with_help("add an `approve` action before this deploy, e.g. `stage approve { approve release { notify = [\"owner@example.com\"] } }`")
            };
            self.ctx.push(
                d.with_label("deploy without approval")
                    .with_secondary(env_decl.name.span, "protected environment"),
            );
        }
        self.deployed.push(env.to_string());
        let strategy = self.index.envs.get(env).map_or(Strategy::OneAtATime, |e| e.strategy);
        let mut infra = bool_of(&a.obj, "infra").unwrap_or(true);
        if !infra && strategy.kind() != ReleaseKind::InPlace {
            self.ctx.push(
                Diagnostic::new(codes::PF5053, span_of(&a.obj, "infra", at), format!("`{env}` releases {} through its stack, so its deploy cannot skip the stack update", strategy.kind().name()))
                    .with_label("infra = false")
                    .with_help("a rolling or blue/green release is a stack update with the new AMI: remove `infra = false`"),
            );
            infra = true;
        }
        let review = bool_of(&a.obj, "review").unwrap_or(protected == Some(true));
        if let Some(field) = ["reviewers", "review_notify"].into_iter().find(|f| a.obj.get(f).is_some()) {
            if !(infra && review) {
                let why = if infra {
                    "its infrastructure changes are not reviewed"
                } else {
                    "it does not deploy the infrastructure"
                };
                self.ctx.push(
                    Diagnostic::new(codes::PF4016, span_of(&a.obj, field, at), format!("`{field}` has no review to apply to: {why}"))
                        .with_label("no change-set review")
                        .with_help(if infra {
                            "add `review = true` (a change set and its approval before the stack changes), or remove the reviewers"
                        } else {
                            "remove `infra = false`, or remove the reviewers"
                        }),
                );
            }
        }
        check_emails(self.ctx, &a.obj, "review_notify", "a change-set review");
        let mut out = Vec::new();
        let mut order = run_order;
        let build = vec![BUILD_ARTIFACT.to_string()];
        let mut push = |l: &mut Self, name: String, order: u32, inputs: Vec<String>, kind: ActionKind| {
            if let Some(name) = l.name_action(name, at, names) {
                l.prov.insert(&l.action_path, &name, a.span);
                out.push(Action { name, run_order: order, inputs, outputs: vec![], kind });
            }
        };
        // ECS and Lambda shift their own traffic inside the stack update: no colours to plan.
        let released_by_stack =
            self.index.apps.get(self.app.as_str()).is_some_and(|a| a.deploy.released_by_stack());
        if strategy.kind() == ReleaseKind::BlueGreen && !released_by_stack {
            // Which colour is live, read from the stack before it changes.
            push(
                self,
                format!("plan-{env}"),
                order,
                build.clone(),
                ActionKind::Release { env: env.into(), step: ReleaseStep::Plan },
            );
            order += 1;
        }
        if infra && review {
            push(
                self,
                format!("changes-{env}"),
                order,
                build.clone(),
                ActionKind::DeployInfra { env: env.into(), mode: InfraMode::CreateChangeSet },
            );
            // The program's reviewers, by default the group that approved the release (and the
            // people it notified): docs/language.md, "Who reviews a change set".
            let group = str_of(&a.obj, "reviewers").unwrap_or_else(|| {
                self.approvals.last().map_or_else(|| format!("{env}-changes"), |a| a.2.clone())
            });
            let notify = if a.obj.get("review_notify").is_some() {
                strs_of(&a.obj, "review_notify")
            } else {
                self.last_notify.clone()
            };
            let approval = Approval {
                group,
                notify,
                message: Some(format!("Review the infrastructure change set pf-{env} of the stack {}-{env} before it is executed.", self.app)),
                link: None,
                timeout_minutes: 7 * 24 * 60,
            };
            push(self, format!("review-{env}"), order + 1, vec![], ActionKind::Approve(approval));
            push(
                self,
                format!("infra-{env}"),
                order + 2,
                vec![],
                ActionKind::DeployInfra { env: env.into(), mode: InfraMode::ExecuteChangeSet },
            );
            order += 3;
        } else if infra {
            push(
                self,
                format!("infra-{env}"),
                order,
                build.clone(),
                ActionKind::DeployInfra { env: env.into(), mode: InfraMode::CreateUpdate },
            );
            order += 1;
        }
        // ECS and Lambda are released by the infrastructure update itself (the image or code is a
        // stack parameter, and ECS shifts traffic itself; docs/targets.md): a separate release
        // only without `infra`.
        let by_stack = self.index.apps.get(self.app.as_str()).is_some_and(|a| a.deploy.released_by_stack());
        match strategy {
            _ if by_stack => {
                if !infra {
                    push(
                        self,
                        format!("deploy-{env}"),
                        order,
                        build,
                        ActionKind::DeployApp { env: env.into() },
                    );
                }
            }
            Strategy::Rolling(_) => {} // the infra action's stack update is the release
            // A step too small for a stage is reported once for the environment, not as the
            // stage's action count too (`check::target_fields`, PF3030).
            Strategy::BlueGreen(bg) if too_fine(bg.shift, EC2_MIN_LINEAR_PERCENT) => {}
            Strategy::BlueGreen(bg) => {
                let mut step = |l: &mut Self, name: String, order: u32, step: ReleaseStep| {
                    push(l, name, order, build.clone(), ActionKind::Release { env: env.into(), step });
                };
                step(self, format!("ready-{env}"), order, ReleaseStep::Wait { seconds: 0 });
                order += 1;
                for (weight, wait) in bg.shift.steps() {
                    step(self, format!("shift-{env}-{weight}"), order, ReleaseStep::Shift { weight });
                    order += 1;
                    let seconds = if weight == 100 { bg.bake_seconds } else { wait };
                    let name =
                        if weight == 100 { format!("bake-{env}") } else { format!("wait-{env}-{weight}") };
                    step(self, name, order, ReleaseStep::Wait { seconds });
                    order += 1;
                }
                step(self, format!("finish-{env}"), order, ReleaseStep::Finish);
            }
            _ => push(self, format!("deploy-{env}"), order, build, ActionKind::DeployApp { env: env.into() }),
        }
        out
    }
}
