"""What a pipeline deploys, read from its generated template, and what CloudFormation checks
before it creates a stack (and moto does not).

Shared by `harness.py` (emulated deployments) and `ripper.py` (cfripper). Nothing here knows
pf's templates: stacks are discovered from the pipeline template's CloudFormation actions.
"""

import json
import re
from pathlib import Path

import yaml

PSEUDO = {
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}


def load_template(path):
    """A template as data. pf writes the long form of intrinsics (`Fn::Sub:`), so plain YAML
    reads it; a short-form tag (`!Ref`) fails here loudly."""
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)


def pipeline_templates(project):
    """Every pipeline template under a built project folder."""
    return sorted(Path(project).rglob("pipeline-*.template.yml")) + sorted(
        Path(project).rglob("pipeline-*.template.json")
    )


class Action:
    """One CloudFormation action of a pipeline, in execution order."""

    def __init__(self, stage, name, config, run_order, namespace=None, plan=False, role_arn=None, region=None):
        self.stage = stage
        self.role_arn = role_arn  # the role the pipeline assumes for it (another account's deploy role)
        self.region = region  # another region than the pipeline's
        self.name = name
        self.config = config
        self.run_order = run_order
        self.namespace = namespace
        self.plan = plan

    @property
    def mode(self):
        return "PLAN" if self.plan else self.config.get("ActionMode")

    @property
    def variables(self):
        """A CodeBuild action's environment variables, by name."""
        return {v["name"]: v["value"] for v in json.loads(self.config.get("EnvironmentVariables") or "[]")}

    @property
    def stack(self):
        return self.variables["PF_STACK"] if self.plan else self.config["StackName"]

    def __repr__(self):
        return f"{self.stage}/{self.name} ({self.mode} {self.stack})"


def is_release_plan(action):
    """A blue/green release's plan step (pf's release job with PF_STEP=plan): it reads the live
    colour from the environment stack and exports it for the stack updates that follow."""
    env = json.loads((action.get("Configuration") or {}).get("EnvironmentVariables") or "[]")
    return action["ActionTypeId"]["Provider"] == "CodeBuild" and {"name": "PF_STEP", "value": "plan", "type": "PLAINTEXT"} in env


def cloudformation_actions(pipeline_template):
    """The CloudFormation actions (and blue/green plan steps) of every pipeline in the template, stage by stage, in run
    order (CodePipeline runs a stage's actions by ascending RunOrder)."""
    out = []
    for res in pipeline_template.get("Resources", {}).values():
        if res.get("Type") != "AWS::CodePipeline::Pipeline":
            continue
        for stage in res["Properties"]["Stages"]:
            actions = [
                a
                for a in stage["Actions"]
                if (a["ActionTypeId"]["Category"] == "Deploy" and a["ActionTypeId"]["Provider"] == "CloudFormation")
                or is_release_plan(a)
            ]
            actions.sort(key=lambda a: a.get("RunOrder", 1))
            for a in actions:
                out.append(
                    Action(
                        stage["Name"], a["Name"], a["Configuration"], a.get("RunOrder", 1),
                        a.get("Namespace"), is_release_plan(a), a.get("RoleArn"), a.get("Region"),
                    )
                )
    return out


def artifact_path(project, artifact_ref):
    """`Build::pf-out/app/infra.template.yml` → the file in the build artifact. The build
    artifact holds the source checkout and what the build added; pf's output is committed in the
    checkout, so the path is relative to the project's root."""
    _, _, rel = artifact_ref.partition("::")
    return Path(project) / rel


def template_configuration(project, action):
    """The action's template configuration file (Parameters, Tags, StackPolicy), or {}."""
    ref = action.config.get("TemplateConfiguration")
    if not ref:
        return {}
    return json.loads(artifact_path(project, ref).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# What CloudFormation validates before it creates or updates a stack.


def check_parameters(template, given):
    """Errors CloudFormation reports for these parameter values: undeclared, missing, or
    outside the declared constraints. Returns (errors, effective values)."""
    declared = template.get("Parameters", {}) or {}
    errors = []
    for name in given:
        if name not in declared:
            errors.append(f"parameter {name} is given but not declared in the template")
    values = {}
    for name, p in declared.items():
        if name in given:
            value = str(given[name])
        elif "Default" in p:
            value = str(p["Default"])
        else:
            errors.append(f"parameter {name} has no default and is not given")
            continue
        values[name] = value
        errors += [f"parameter {name}={value!r}: {e}" for e in _violations(p, value)]
    return errors, values


def _violations(p, value):
    typ = p.get("Type", "String")
    items = [v.strip() for v in value.split(",")] if typ.startswith("List<") or typ == "CommaDelimitedList" else [value]
    numeric = typ in ("Number", "List<Number>")
    for item in items:
        if typ == "AWS::EC2::Image::Id" and re.fullmatch(r"ami-([0-9a-f]{8}|[0-9a-f]{17})", item) is None:
            yield "not an AMI id"
            continue
        if numeric:
            try:
                float(item)
            except ValueError:
                yield f"not a number ({typ})"
                continue
        if "AllowedValues" in p:
            allowed = [str(a) for a in p["AllowedValues"]]
            ok = item in allowed or (numeric and any(_num(a) == float(item) for a in allowed))
            if not ok:
                yield f"not one of AllowedValues {allowed}"
        if "AllowedPattern" in p and re.fullmatch(p["AllowedPattern"], item) is None:
            yield f"does not match AllowedPattern {p['AllowedPattern']}"
        if "MinLength" in p and len(item) < int(p["MinLength"]):
            yield f"shorter than MinLength {p['MinLength']}"
        if "MaxLength" in p and len(item) > int(p["MaxLength"]):
            yield f"longer than MaxLength {p['MaxLength']}"
        if numeric and "MinValue" in p and float(item) < float(p["MinValue"]):
            yield f"below MinValue {p['MinValue']}"
        if numeric and "MaxValue" in p and float(item) > float(p["MaxValue"]):
            yield f"above MaxValue {p['MaxValue']}"


def _num(s):
    try:
        return float(s)
    except ValueError:
        return None


def check_references(template):
    """Ref, Fn::GetAtt, Fn::Sub, DependsOn and conditions that name nothing declared."""
    params = set((template.get("Parameters") or {}).keys())
    resources = set((template.get("Resources") or {}).keys())
    conditions = set((template.get("Conditions") or {}).keys())
    names = params | resources | PSEUDO
    errors = []

    def walk(node, where, local=frozenset()):
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, where, local)
        elif isinstance(node, dict):
            for k, v in node.items():
                if k == "Ref":
                    if v not in names | local:
                        errors.append(f"{where}: Ref to undeclared {v}")
                elif k == "Fn::GetAtt":
                    target = v[0] if isinstance(v, list) else str(v).split(".")[0]
                    if target not in resources:
                        errors.append(f"{where}: Fn::GetAtt of undeclared resource {target}")
                elif k == "Fn::Sub":
                    text, variables = (v, {}) if isinstance(v, str) else (v[0], v[1])
                    walk(variables, where, local)
                    for var in re.findall(r"\$\{([^!][^}]*)\}", text):
                        base = var.split(".")[0]
                        if var in variables or var in PSEUDO:
                            continue
                        if "." in var and base in resources:
                            continue
                        if var not in names | set(variables):
                            errors.append(f"{where}: Fn::Sub names undeclared ${{{var}}}")
                elif k in ("Condition",) and isinstance(v, str):
                    if v not in conditions:
                        errors.append(f"{where}: undeclared condition {v}")
                elif k == "Fn::If":
                    if v[0] not in conditions:
                        errors.append(f"{where}: Fn::If on undeclared condition {v[0]}")
                    walk(v[1:], where, local)
                else:
                    walk(v, where, local)

    for section in ("Conditions", "Outputs"):
        for name, body in (template.get(section) or {}).items():
            walk(body, f"{section}.{name}")
    for name, res in (template.get("Resources") or {}).items():
        depends = res.get("DependsOn", [])
        for d in [depends] if isinstance(depends, str) else depends:
            if d not in resources:
                errors.append(f"Resources.{name}: DependsOn undeclared {d}")
        walk(res, f"Resources.{name}")
    return errors


def required_capabilities(template):
    """The capabilities CloudFormation demands of this template."""
    caps = set()
    for res in (template.get("Resources") or {}).values():
        t = res.get("Type", "")
        if t.startswith("AWS::IAM::"):
            caps.add("CAPABILITY_IAM")
            props = res.get("Properties") or {}
            if any(k in props for k in ("RoleName", "ManagedPolicyName", "InstanceProfileName", "UserName", "GroupName")):
                caps.add("CAPABILITY_NAMED_IAM")
    if template.get("Transform"):
        caps.add("CAPABILITY_AUTO_EXPAND")
    return caps


# ---------------------------------------------------------------------------------------------
# Evaluating a template for given parameter values: conditions, and the resources they keep.


def evaluate_conditions(template, values):
    """Every condition's value for these parameter values."""
    conds = template.get("Conditions") or {}
    memo = {}

    def value(node):
        if isinstance(node, dict) and len(node) == 1:
            (k, v), = node.items()
            if k == "Ref":
                return values.get(v, v)
            if k == "Condition":
                return cond(v)
            if k == "Fn::Equals":
                return str(value(v[0])) == str(value(v[1]))
            if k == "Fn::Not":
                return not value(v[0])
            if k == "Fn::And":
                return all(value(x) for x in v)
            if k == "Fn::Or":
                return any(value(x) for x in v)
            if k == "Fn::Select":
                return value(v[1])[int(value(v[0]))] if isinstance(value(v[1]), list) else value(v[1])
            if k == "Fn::Join":
                return v[0].join(str(value(x)) for x in v[1])
        return node

    def cond(name):
        if name not in memo:
            memo[name] = bool(value(conds[name]))
        return memo[name]

    return {name: cond(name) for name in conds}


NO_VALUE = {"Ref": "AWS::NoValue"}


def live(template, values, keep_all=False):
    """The resources the stack has for these values: (logical id, resource) whose condition holds
    (every one with `keep_all`), with every Fn::If resolved and AWS::NoValue removed, as
    CloudFormation does."""
    conditions = evaluate_conditions(template, values)

    def resolve(node):
        if isinstance(node, list):
            return [x for x in (resolve(x) for x in node) if x != NO_VALUE]
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                c, yes, no = node["Fn::If"]
                return resolve(yes if conditions[c] else no)
            return {k: v for k, v in ((k, resolve(v)) for k, v in node.items()) if v != NO_VALUE}
        return node

    out = []
    for name, res in (template.get("Resources") or {}).items():
        c = res.get("Condition")
        if keep_all or c is None or conditions[c]:
            out.append((name, resolve(res)))
    return out


def substitute(text, values):
    """`${Param}` of a Fn::Sub string replaced by the parameter's value."""
    return re.sub(r"\$\{([^!.}]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def dynamic_references(node, values):
    """Every `{{resolve:service:name...}}` in the node, as (service, reference), parameters of
    Fn::Sub strings substituted."""
    found = []

    def walk(n):
        if isinstance(n, str):
            found.extend(re.findall(r"\{\{resolve:([a-z-]+):([^}]+)\}\}", substitute(n, values)))
        elif isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            for x in n.values():
                walk(x)

    walk(node)
    return found
