//! The CloudFormation stacks a build deploys, read back from its files: each environment's stack
//! is the app's infrastructure template with the environment's configuration applied
//! (parameters substituted, conditions evaluated, `Fn::If` branches chosen, resources whose
//! condition is false left out); each pipeline template is a stack of its own.
//!
//! Generic over templates: nothing here knows which resources pf emits. What cannot be known
//! offline (pseudo parameters, `Fn::GetAtt`, `Fn::GetAZs`) is kept as written, so both sides of
//! a comparison keep it alike.

use crate::codegen::OutputFile;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// One stack: its resources by logical id, after the configuration is applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// `<app>-<env>` for an environment, `<app>/pipeline-<name>` for a pipeline.
    pub name: String,
    pub app: String,
    /// The environment, for an environment's stack.
    pub env: Option<String>,
    /// Whether the environment is protected (its configuration's `Protected` parameter).
    pub protected: bool,
    /// The region the build deploys an environment's stack to when it is not the pipeline's
    /// (the deploy action's `Region`); `None`: the pipeline's region.
    pub region: Option<String>,
    pub resources: BTreeMap<String, Resource>,
    /// A pipeline template's guard manifest (`Metadata` `pf:guard`, `review::guard`).
    pub guard: Option<super::guard::Manifest>,
}

/// A resource of a stack, with its parameters and conditions resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// The resource type, e.g. `AWS::RDS::DBInstance`.
    pub kind: String,
    pub properties: Map<String, Value>,
    pub deletion_policy: Option<String>,
    pub update_replace_policy: Option<String>,
}

/// The stacks of a build's files (paths relative to the output folder), sorted by name. Files
/// that are not templates or configurations are ignored; a template that does not parse is an
/// error (`cannot read PATH: reason`).
pub fn stacks(files: &[OutputFile]) -> Result<Vec<Stack>, String> {
    let by_path: BTreeMap<&str, &str> =
        files.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
    let mut out = Vec::new();
    for (path, contents) in &by_path {
        let Some((app, file)) = path.split_once('/') else { continue };
        let template = || parse(path, contents);
        if let Some(name) = pipeline_stack(path) {
            out.push(of_template(name, app, None, &template()?, &Value::Null, every));
        } else if template_stem(file) == Some("infra") {
            let t = template()?;
            let prefix = format!("{app}/config/");
            for (config_path, config) in by_path.range(prefix.as_str()..) {
                let Some(env) = config_path.strip_prefix(&prefix) else { break };
                let Some(env) = env.strip_suffix(".json").filter(|e| !e.contains('/')) else { continue };
                let config = parse(config_path, config)?;
                let name = format!("{app}-{env}");
                out.push(of_template(name, app, Some(env.to_string()), &t, &config, every));
            }
        }
    }
    let regions = deploy_regions(&out);
    for s in out.iter_mut().filter(|s| s.env.is_some()) {
        s.region = regions.get(&s.name).cloned();
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What [`of_template`] keeps of a resource type: `None` leaves the resources of that type out,
/// `Some(paths)` keeps the properties at these JSON pointers under `Properties` (`[""]`: all
/// of them; a `*` segment: every element of a list, each with what the rest of the path keeps
/// of it, `{}` when nothing). Only what is kept is resolved.
pub type Keep = fn(&str) -> Option<&'static [&'static str]>;

/// Every property of every resource.
pub fn every(_: &str) -> Option<&'static [&'static str]> {
    Some(&[""])
}

/// `<app>/pipeline-<name>`, the stack of the pipeline template at `path`.
pub fn pipeline_stack(path: &str) -> Option<String> {
    let (app, file) = path.split_once('/')?;
    let pipeline = template_stem(file)?.strip_prefix("pipeline-")?;
    Some(format!("{app}/pipeline-{pipeline}"))
}

/// The region of each stack a pipeline deploys to another region (its CloudFormation actions'
/// `Region`), by stack name.
fn deploy_regions(stacks: &[Stack]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let pipelines = stacks.iter().filter(|s| s.env.is_none()).flat_map(|s| s.resources.values());
    for p in pipelines.filter(|r| r.kind == "AWS::CodePipeline::Pipeline") {
        let stages = p.properties.get("Stages").and_then(Value::as_array).into_iter().flatten();
        for action in stages.filter_map(|s| s.get("Actions")?.as_array()).flatten() {
            let stack = action.pointer("/Configuration/StackName").and_then(Value::as_str);
            if let (Some(stack), Some(region)) = (stack, action.get("Region").and_then(Value::as_str)) {
                out.insert(stack.to_string(), region.to_string());
            }
        }
    }
    out
}

/// `infra` for `infra.template.yml` or `infra.template.json`.
fn template_stem(file: &str) -> Option<&str> {
    file.strip_suffix(".template.yml").or_else(|| file.strip_suffix(".template.json"))
}

/// A YAML or JSON document (YAML is a superset of JSON).
fn parse(path: &str, contents: &str) -> Result<Value, String> {
    let value: Value = serde_yaml::from_str(contents).map_err(|e| format!("cannot read {path}: {e}"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!("cannot read {path}: not a mapping"))
    }
}

/// The stack of a template with a configuration's parameter values applied (`config`: a
/// template configuration file's document, `Null` for none), with what `keep` keeps of its
/// resources (the rest is not resolved: pricing needs a few properties only). Its `region` is
/// `None`: the caller knows where it is deployed.
pub fn of_template(
    name: String,
    app: &str,
    env: Option<String>,
    template: &Value,
    config: &Value,
    keep: Keep,
) -> Stack {
    let empty = Map::new();
    let section = |key: &str| template.get(key).and_then(Value::as_object).unwrap_or(&empty);
    let values = config.get("Parameters").and_then(Value::as_object).unwrap_or(&empty);
    let r = Resolver {
        declared: section("Parameters"),
        values,
        conditions: section("Conditions"),
        memo: RefCell::new(HashMap::new()),
    };
    let protected = r.param("Protected").as_ref().and_then(Value::as_str) == Some("true");
    let mut resources = BTreeMap::new();
    for (id, decl) in section("Resources") {
        let kind = decl.get("Type").and_then(Value::as_str).unwrap_or_default();
        let Some(paths) = keep(kind) else { continue };
        let condition = decl.get("Condition").and_then(Value::as_str);
        if condition.is_some_and(|c| r.condition(c) == Some(false)) {
            continue;
        }
        let text = |key: &str| decl.get(key).and_then(Value::as_str).map(str::to_string);
        let properties = decl.get("Properties").map(|p| r.pick(p, paths)).unwrap_or_default();
        resources.insert(
            id.clone(),
            Resource {
                kind: kind.to_string(),
                properties,
                deletion_policy: text("DeletionPolicy"),
                update_replace_policy: text("UpdateReplacePolicy"),
            },
        );
    }
    let guard = super::guard::from_template(template);
    Stack { name, app: app.to_string(), env, protected, region: None, resources, guard }
}

/// The first segment of a JSON pointer and the pointer to the rest: `/a/b/c` -> (`a`, `/b/c`).
fn split(path: &str) -> (&str, &str) {
    let path = path.strip_prefix('/').unwrap_or(path);
    path.find('/').map_or((path, ""), |i| (&path[..i], &path[i..]))
}

/// A scalar as the string CloudFormation compares.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Evaluates intrinsic functions whose inputs are known.
struct Resolver<'a> {
    /// The template's `Parameters` section.
    declared: &'a Map<String, Value>,
    /// The configuration's parameter values.
    values: &'a Map<String, Value>,
    conditions: &'a Map<String, Value>,
    /// Conditions evaluated so far (`None` while one is evaluated, so a cycle is unknown).
    memo: RefCell<HashMap<String, Option<bool>>>,
}

impl Resolver<'_> {
    /// The value of a declared parameter (its configuration's, else its `Default`), a list for a
    /// list type. Looked up when referred to: a stack refers to few of its parameters.
    fn param(&self, name: &str) -> Option<Value> {
        let decl = self.declared.get(name)?;
        let value = self.values.get(name).or_else(|| decl.get("Default")).and_then(scalar)?;
        let kind = decl.get("Type").and_then(Value::as_str).unwrap_or("String");
        Some(if kind == "CommaDelimitedList" || kind.starts_with("List<") {
            Value::Array(value.split(',').map(|s| Value::String(s.trim().to_string())).collect())
        } else {
            Value::String(value)
        })
    }

    /// The properties at `paths` (see [`Keep`]) of `properties`, resolved, at the same paths.
    fn pick(&self, properties: &Value, paths: &[&str]) -> Map<String, Value> {
        match self.part(properties, paths) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }

    /// What `paths` (JSON pointers relative to `v`) keep of `v`, resolved; `None`: nothing.
    /// Only the nodes on the paths are resolved on the way down (no tree is copied whole
    /// but the ones a path ends at).
    fn part(&self, v: &Value, paths: &[&str]) -> Option<Value> {
        if paths.iter().any(|p| p.is_empty()) {
            return self.value(v);
        }
        let v = self.shallow(v)?;
        match v.as_ref() {
            Value::Array(list) if paths.iter().all(|p| split(p).0 == "*") => {
                let rests: Vec<&str> = paths.iter().map(|p| split(p).1).collect();
                let kept = list.iter().filter(|e| self.shallow(e).is_some());
                Some(Value::Array(
                    kept.map(|e| self.part(e, &rests).unwrap_or_else(|| Value::Object(Map::new()))).collect(),
                ))
            }
            Value::Object(m) => {
                let mut out = Map::new();
                for (i, p) in paths.iter().enumerate() {
                    let key = split(p).0;
                    if paths[..i].iter().any(|q| split(q).0 == key) {
                        continue;
                    }
                    let Some(child) = m.get(key) else { continue };
                    let rests: Vec<&str> =
                        paths[i..].iter().map(|q| split(q)).filter(|q| q.0 == key).map(|q| q.1).collect();
                    if let Some(x) = self.part(child, &rests) {
                        out.insert(key.to_string(), x);
                    }
                }
                Some(Value::Object(out))
            }
            _ => None,
        }
    }

    /// `v` with its own function evaluated, not its contents (`Fn::If`: the branch chosen, as
    /// written); `None` for `AWS::NoValue`.
    fn shallow<'v>(&self, v: &'v Value) -> Option<Cow<'v, Value>> {
        let Value::Object(m) = v else { return Some(Cow::Borrowed(v)) };
        let Some((key, arg)) = m.iter().next().filter(|_| m.len() == 1) else {
            return Some(Cow::Borrowed(v));
        };
        if let ("Fn::If", Value::Array(a)) = (key.as_str(), arg) {
            if let (3, Some(choice)) = (a.len(), a[0].as_str().and_then(|c| self.condition(c))) {
                return self.shallow(if choice { &a[1] } else { &a[2] });
            }
        }
        match self.function(key, arg) {
            Some(value) => value.map(Cow::Owned),
            None => Some(Cow::Borrowed(v)),
        }
    }

    /// `v` with what is known resolved; `None` for `AWS::NoValue`.
    fn value(&self, v: &Value) -> Option<Value> {
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (key, arg) = m.iter().next().expect("one entry");
                self.function(key, arg).unwrap_or_else(|| Some(self.object(m)))
            }
            Value::Object(m) => Some(self.object(m)),
            Value::Array(a) => Some(Value::Array(a.iter().filter_map(|e| self.value(e)).collect())),
            other => Some(other.clone()),
        }
    }

    fn object(&self, m: &Map<String, Value>) -> Value {
        Value::Object(m.iter().filter_map(|(k, v)| Some((k.clone(), self.value(v)?))).collect())
    }

    /// The result of the function `key` when it can be evaluated (`Some(None)`: no value).
    fn function(&self, key: &str, arg: &Value) -> Option<Option<Value>> {
        match (key, arg) {
            ("Ref", Value::String(name)) if name == "AWS::NoValue" => Some(None),
            ("Ref", Value::String(name)) => self.param(name).map(Some),
            ("Fn::If", Value::Array(a)) if a.len() == 3 => {
                let branch = if self.condition(a[0].as_str()?)? { &a[1] } else { &a[2] };
                Some(self.value(branch))
            }
            ("Fn::Select", Value::Array(a)) if a.len() == 2 => {
                let index: usize = scalar(&self.value(&a[0])?)?.parse().ok()?;
                match self.value(&a[1])? {
                    Value::Array(list) => Some(Some(list.get(index)?.clone())),
                    _ => None,
                }
            }
            ("Fn::Join", Value::Array(a)) if a.len() == 2 => {
                let sep = a[0].as_str()?;
                let Value::Array(parts) = self.value(&a[1])? else { return None };
                let parts: Option<Vec<String>> =
                    parts.iter().map(|p| p.as_str().map(str::to_string)).collect();
                Some(Some(Value::String(parts?.join(sep))))
            }
            ("Fn::Sub", Value::String(text)) => Some(Some(Value::Object(Map::from_iter([(
                key.to_string(),
                Value::String(self.substitute(text)),
            )])))),
            _ => None,
        }
    }

    /// `${Param}` replaced by the parameter's value where it is a known string.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else { break };
            let name = &rest[start + 2..start + len];
            out.push_str(&rest[..start]);
            match self.param(name) {
                Some(Value::String(value)) if !name.starts_with('!') => out.push_str(&value),
                _ => out.push_str(&rest[start..start + len + 1]),
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The value of a named condition, when it can be known offline.
    fn condition(&self, name: &str) -> Option<bool> {
        if let Some(known) = self.memo.borrow().get(name) {
            return *known;
        }
        self.memo.borrow_mut().insert(name.to_string(), None);
        let value = self.conditions.get(name).and_then(|c| self.truth(c));
        self.memo.borrow_mut().insert(name.to_string(), value);
        value
    }

    /// The value of a condition expression.
    fn truth(&self, v: &Value) -> Option<bool> {
        let m = v.as_object().filter(|m| m.len() == 1)?;
        let (key, arg) = m.iter().next()?;
        let args = || arg.as_array().map(Vec::as_slice).unwrap_or_default();
        match key.as_str() {
            "Condition" => self.condition(arg.as_str()?),
            "Fn::Equals" if args().len() == 2 => {
                let side = |v: &Value| self.value(v).as_ref().and_then(scalar);
                Some(side(&args()[0])? == side(&args()[1])?)
            }
            "Fn::Not" if args().len() == 1 => self.truth(&args()[0]).map(|b| !b),
            "Fn::And" => all(args().iter().map(|c| self.truth(c)), false),
            "Fn::Or" => all(args().iter().map(|c| self.truth(c)), true),
            _ => None,
        }
    }
}

/// `And` (`decisive` false) or `Or` (`decisive` true) of values some of which may be unknown.
fn all(values: impl Iterator<Item = Option<bool>>, decisive: bool) -> Option<bool> {
    let mut unknown = false;
    for v in values {
        match v {
            Some(b) if b == decisive => return Some(decisive),
            None => unknown = true,
            _ => {}
        }
    }
    if unknown {
        None
    } else {
        Some(!decisive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.into() }
    }

    const TEMPLATE: &str = "Parameters:\n  Size:\n    Type: String\n    Default: small\n  Cidrs:\n    Type: CommaDelimitedList\n  On:\n    Type: String\nConditions:\n  IsOn:\n    Fn::Equals: [{Ref: On}, 'true']\n  IsOff:\n    Fn::Not: [{Condition: IsOn}]\nResources:\n  A:\n    Type: AWS::X::A\n    Condition: IsOn\n    Properties:\n      Size: {Ref: Size}\n      Cidr: {Fn::Select: [1, {Ref: Cidrs}]}\n      Name: {Fn::Sub: 'app-${Size}-${AWS::Region}'}\n      Extra: {Fn::If: [IsOff, 1, {Ref: AWS::NoValue}]}\n  B:\n    Type: AWS::X::B\n    Condition: IsOff\n";

    #[test]
    fn configurations_choose_resources_and_values() {
        let files = [
            file("app/infra.template.yml", TEMPLATE),
            file(
                "app/config/on.json",
                r#"{"Parameters": {"On": "true", "Cidrs": "10.0.0.0/24,10.0.1.0/24"}}"#,
            ),
            file("app/config/off.json", r#"{"Parameters": {"On": "false", "Size": "big"}}"#),
        ];
        let stacks = stacks(&files).unwrap();
        assert_eq!(stacks.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["app-off", "app-on"]);
        let on = &stacks[1].resources;
        assert_eq!(on.keys().collect::<Vec<_>>(), ["A"]);
        let a = &on["A"].properties;
        assert_eq!(a["Size"], "small");
        assert_eq!(a["Cidr"], "10.0.1.0/24");
        assert_eq!(a["Name"]["Fn::Sub"], "app-small-${AWS::Region}");
        assert!(!a.contains_key("Extra"), "AWS::NoValue removes the property");
        assert_eq!(stacks[0].resources.keys().collect::<Vec<_>>(), ["B"]);
    }

    /// A kept path resolves only what is on it, and keeps what full resolution would: a list
    /// element that is no value is left out, a branch chosen on the way is followed.
    #[test]
    fn a_kept_path_through_lists_is_what_full_resolution_has_there() {
        let t: Value = serde_json::from_str(
            r#"{"Parameters": {"On": {"Type": "String"}}, "Conditions": {"IsOn": {"Fn::Equals": [{"Ref": "On"}, "true"]}},
            "Resources": {"P": {"Type": "AWS::X::P", "Properties": {"Stages": [
              {"Name": "a", "Actions": [{"Name": "a1", "Big": [1, 2, 3]}, {"Fn::If": ["IsOn", {"Name": "a2"}, {"Ref": "AWS::NoValue"}]}]},
              {"Fn::If": ["IsOn", {"Name": "b", "Actions": [{"Name": {"Ref": "On"}}, {"Other": 1}]}, {"Ref": "AWS::NoValue"}]}
            ]}}}}"#,
        )
        .unwrap();
        let keep: Keep = |_| Some(&["/Stages/*/Actions/*/Name"]);
        for on in ["true", "false"] {
            let config = serde_json::json!({"Parameters": {"On": on}});
            let kept = of_template("s".into(), "a", None, &t, &config, keep);
            let whole = of_template("s".into(), "a", None, &t, &config, every);
            let stages = |s: &Stack| s.resources["P"].properties["Stages"].as_array().unwrap().clone();
            let actions = |s: &Stack| -> Vec<usize> {
                stages(s).iter().map(|st| st["Actions"].as_array().unwrap().len()).collect()
            };
            assert_eq!(actions(&kept), actions(&whole), "On = {on}");
            assert_eq!(
                stages(&kept)[0]["Actions"][0],
                serde_json::json!({"Name": "a1"}),
                "only the name is kept"
            );
            if on == "true" {
                assert_eq!(actions(&kept), [2, 2]);
                assert_eq!(stages(&kept)[1]["Actions"], serde_json::json!([{"Name": "true"}, {}]));
            } else {
                assert_eq!(actions(&kept), [1]);
            }
        }
    }

    #[test]
    fn a_template_that_does_not_parse_is_an_error() {
        let e = stacks(&[file("app/pipeline-p.template.yml", "a: [")]).unwrap_err();
        assert!(e.starts_with("cannot read app/pipeline-p.template.yml"), "{e}");
    }

    #[test]
    fn a_condition_that_refers_to_itself_is_unknown() {
        let t = "Conditions:\n  C: {Fn::Not: [{Condition: C}]}\nResources:\n  R: {Type: AWS::X::R, Condition: C}\n";
        let stacks = stacks(&[file("a/pipeline-p.template.yml", t)]).unwrap();
        assert!(stacks[0].resources.contains_key("R"), "an unknown condition keeps the resource");
    }
}
