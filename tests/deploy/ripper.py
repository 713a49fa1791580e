"""Runs cfripper's rules on every template of built projects: each pipeline template, and each
environment stack's template with the values of its template configuration (discovered from the
pipeline's CloudFormation actions, as harness.py does).

Usage: python3 ripper.py PROJECT...   Output lines: `<stack>\t<rule>\t<mode>\t<resource ids>\t<reason>`.
Exit 0 whatever it finds: the caller judges the findings.

PrivilegeEscalationRule flags `iam:PutRolePolicy`/`iam:AttachRolePolicy` whatever their
conditions; its documentation says that templates which need them belong on an allowlist. The one
filter here (`BOUNDED`) is that allowlist, and it is earned: a role is listed only when this
script has checked, in the template, that every statement allowing one of those actions carries
an `iam:PermissionsBoundary` condition (so each role it creates or changes keeps the boundary).
Findings it accepts are printed with the mode `RuleMode.ALLOWED`.

A self-updating pipeline adds two earned entries (docs/self-update.md):
- `GRANTS_NOTHING`: a managed policy attached to no role, group or user and named only as the
  `PermissionsBoundary` of roles grants nothing (a boundary only caps), so its wildcard and
  escalation actions are accepted.
- A statement of `bounded_roles` may also write the stack's own managed policies
  (`policy/${AWS::StackName}-*`, `POLICY_WRITES` only) when the role is itself bounded and
  denies those writes on its boundary: the self-update role, whose policy changes the guard
  holds for the production approvers.
"""

import logging
import sys

import pycfmodel
from cfripper.cli import init_cfripper
from cfripper.config.filter import Filter
from cfripper.model.enums import RuleMode
from cfripper.rules.privilege_escalation import PrivilegeEscalationRule
from cfripper.config.pluggy.utils import get_all_rules  # noqa: F401  (loads the rule plugins)
from cfripper.model.utils import convert_json_or_yaml_to_dict

import stacks


def targets(project):
    """(label, template path, parameter values) of every stack of the project."""
    for pipeline in stacks.pipeline_templates(project):
        yield pipeline.name, pipeline, {}
        for action in stacks.cloudformation_actions(stacks.load_template(pipeline)):
            if "TemplatePath" in action.config:
                values = stacks.template_configuration(project, action).get("Parameters", {})
                yield action.stack, stacks.artifact_path(project, action.config["TemplatePath"]), values


BOUNDED = Filter(
    reason="every statement allowing it requires the permissions boundary (iam:PermissionsBoundary) "
    "or writes only the stack's own managed policies, never the role's boundary",
    rule_mode=RuleMode.ALLOWED,
    eval={"in": [{"ref": "logical_id"}, {"ref": "extras.bounded"}]},
    rules={"PrivilegeEscalationRule"},
)


GRANTS_NOTHING = Filter(
    reason="a permissions boundary attached to no principal grants nothing",
    rule_mode=RuleMode.ALLOWED,
    eval={"in": [{"ref": "logical_id"}, {"ref": "extras.boundaries"}]},
    rules={"PrivilegeEscalationRule", "IAMRoleWildcardActionOnPolicyRule"},
)

POLICY_WRITES = {"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"}
OWN_POLICIES = "policy/${AWS::StackName}-"


def references(value):
    """Every `Ref` target in a template value."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            yield value["Ref"]
        for v in value.values():
            yield from references(v)
    elif isinstance(value, list):
        for v in value:
            yield from references(v)


def boundaries(template):
    """Managed policies attached to no principal and referenced only as a role's boundary."""
    resources = template.get("Resources", {})
    out = []
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource.get("Type") != "AWS::IAM::ManagedPolicy" or any(props.get(k) for k in ("Roles", "Groups", "Users")):
            continue
        uses = [
            (other_id, key)
            for other_id, other in resources.items()
            for key, value in other.get("Properties", {}).items()
            if logical_id in references(value)
        ]
        if uses and all(resources[o].get("Type") == "AWS::IAM::Role" and k == "PermissionsBoundary" for o, k in uses):
            out.append(logical_id)
    return out


def sub_text(value):
    return value.get("Fn::Sub", "") if isinstance(value, dict) else str(value)


def own_policy_writes(statement, role):
    """A statement writing only the stack's own managed policies, of a bounded role that denies
    those writes on its boundary."""
    resources = statement.get("Resource", [])
    resources = resources if isinstance(resources, list) else [resources]
    boundary = role.get("PermissionsBoundary")
    denied = [
        sub_text(r)
        for p in role.get("Policies", [])
        for s in p.get("PolicyDocument", {}).get("Statement", [])
        if s.get("Effect") == "Deny" and POLICY_WRITES <= actions_of(s)
        for r in (s.get("Resource") if isinstance(s.get("Resource"), list) else [s.get("Resource")])
    ]
    return (
        actions_of(statement) & set(PrivilegeEscalationRule.DANGEROUS_ACTIONS) <= POLICY_WRITES
        and all(OWN_POLICIES in sub_text(r) for r in resources)
        and isinstance(boundary, dict)
        and any(d.endswith("${AWS::StackName}-" + boundary.get("Ref", "")) for d in denied)
    )


def actions_of(statement):
    actions = statement.get("Action", [])
    return set([actions] if isinstance(actions, str) else actions)


def bounded_roles(template):
    """Roles whose every Allow statement with an escalation action requires a permissions boundary."""
    dangerous = set(PrivilegeEscalationRule.DANGEROUS_ACTIONS)
    out = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::IAM::Role":
            continue
        statements = [
            s
            for p in resource.get("Properties", {}).get("Policies", [])
            for s in p.get("PolicyDocument", {}).get("Statement", [])
            if s.get("Effect") == "Allow" and actions_of(s) & dangerous
        ]
        props = resource.get("Properties", {})
        if statements and all(
            "iam:PermissionsBoundary" in s.get("Condition", {}).get("StringEquals", {}) or own_policy_writes(s, props)
            for s in statements
        ):
            out.append(logical_id)
    return out


def resolve_conditions(template, values):
    """The template with every `Fn::If` replaced by its branch under the stack's parameter values
    (pycfmodel cannot parse some properties while they hold an `Fn::If`, e.g. a listener's
    `DefaultActions`). A condition that cannot be evaluated is left as written."""
    params = {k: str(v.get("Default")) for k, v in template.get("Parameters", {}).items() if "Default" in v}
    params.update({k: str(v) for k, v in values.items()})
    conditions = template.get("Conditions", {})

    def value(x):
        if isinstance(x, dict) and set(x) == {"Ref"}:
            return params.get(x["Ref"])
        return x if isinstance(x, str) else None

    def truth(c, seen=()):
        if isinstance(c, dict) and len(c) == 1:
            (fn, args), = c.items()
            if fn == "Condition" and isinstance(args, str) and args in conditions and args not in seen:
                return truth(conditions[args], seen + (args,))
            if fn == "Fn::Equals":
                a, b = (value(v) for v in args)
                return None if a is None or b is None else a == b
            if fn == "Fn::Not":
                t = truth(args[0], seen)
                return None if t is None else not t
            if fn in ("Fn::And", "Fn::Or"):
                ts = [truth(a, seen) for a in args]
                if None in ts:
                    return None
                return all(ts) if fn == "Fn::And" else any(ts)
        return None

    def walk(x):
        if isinstance(x, dict):
            if set(x) == {"Fn::If"} and isinstance(x["Fn::If"], list) and len(x["Fn::If"]) == 3:
                name, yes, no = x["Fn::If"]
                t = truth({"Condition": name})
                if t is not None:
                    branch = walk(yes if t else no)
                    # A number written in a branch is a string to CloudFormation (and pycfmodel).
                    return str(branch) if isinstance(branch, int) and not isinstance(branch, bool) else branch
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    out = dict(template)
    kept = {
        k: r for k, r in template.get("Resources", {}).items() if truth({"Condition": r.get("Condition")}) is not False
    }
    out["Resources"] = walk(kept)
    return out


def main(projects):
    logging.disable(logging.CRITICAL)  # cfripper logs every unresolved intrinsic
    config, processor = init_cfripper(None, None, "123456789012", None)
    config.add_filters([BOUNDED, GRANTS_NOTHING])
    for project in projects:
        for label, path, values in targets(project):
            with open(path, encoding="utf-8") as f:
                template = convert_json_or_yaml_to_dict(f.read())
            model = pycfmodel.parse(resolve_conditions(template, values)).resolve(values)
            bounded, caps = bounded_roles(template), boundaries(template)
            result = processor.process_cf_template(model, config, {"bounded": bounded, "boundaries": caps})
            for role in bounded:
                print(f"{label}\tPrivilegeEscalationRule\t{RuleMode.ALLOWED}\t{role}\t{BOUNDED.reason}")
            for policy in caps:
                print(f"{label}\tPrivilegeEscalationRule\t{RuleMode.ALLOWED}\t{policy}\t{GRANTS_NOTHING.reason}")
            for failure in result.failures:
                ids = ",".join(sorted(failure.resource_ids or []))
                print(f"{label}\t{failure.rule}\t{failure.rule_mode}\t{ids}\t{failure.reason}")


if __name__ == "__main__":
    main(sys.argv[1:])
