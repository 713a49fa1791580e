"""Emulated deployments (moto, in process): every pipeline of a built project, then every stack
its CloudFormation actions deploy, exactly as the actions say; then the same from a variant build
(updates).

Usage: python3 harness.py BASE VARIANT
  BASE, VARIANT: folders holding one built project per example (`NAME/` with the program and its
  committed output), the variant a changed program of the same name.

A pipeline that deploys to other accounts or regions is preceded by what an administrator
deploys once (docs/runbook-accounts.md): each `bootstrap-<account>.template.yml` in its account
(reached by assuming a role there, as AWS does) and each `support-<region>.template.yml`, whose
key ARN becomes the pipeline's parameter. Each action then acts in the account of the role it
assumes (which must exist there and trust the pipeline's role) and in its region.

Before each call it checks what CloudFormation checks and moto does not (stacks.py): parameters
declared, given, within their constraints; references to declared names; capabilities. What a
template references from outside (SSM parameters, secrets, hosted zones) is created first.
Resource types moto does not model are listed and never counted as deployed.

Output: one `example:` block per example, then `deployed N examples, N failed`. Exit 1 on any failure.
"""

import io
import json
import re
import zipfile
import zlib
import logging
import sys
import traceback
import warnings
from pathlib import Path

import boto3
from moto import mock_aws
from moto.cloudformation.models import cloudformation_backends
from moto.cloudformation.parsing import NULL_MODELS, clean_json, get_model_map
from moto.core import DEFAULT_ACCOUNT_ID

import stacks

REGION = "us-east-1"
logging.getLogger("moto").setLevel(logging.ERROR)  # it warns once per unmodelled resource
warnings.filterwarnings("ignore", module="moto")


class Failed(Exception):
    pass


def not_modelled(types):
    """Resource types moto accepts but does not create."""
    model = get_model_map()
    return sorted({t for t in types if t in NULL_MODELS or (t not in model and not t.startswith("Custom::"))})


# Attributes CloudFormation documents that moto 5.2.6 does not return ("does not support attribute
# type ... in Fn::GetAtt"): (resource type, attribute) -> a stand-in of the value's shape.
UNSUPPORTED_ATTRIBUTES = {
    ("AWS::RDS::DBInstance", "MasterUserSecret.SecretArn"):
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:pf-harness-db-AbCdEf",
    ("AWS::RDS::DBInstance", "DbiResourceId"): "db-PFHARNESS",
}


# What moto takes only in part (the harness simplifies it; not verified).
PARTLY_MODELLED = set()


def for_moto(template, values):
    """The template as moto can take it, its meaning unchanged for these parameter values. Works
    around moto 5.2's differences from CloudFormation (stacks.py has checked what they hide):
    - `Ref: AWS::NoValue` in a list stays a null in moto: every Fn::If is resolved here and
      NoValue removed (stacks.live);
    - an attribute of a resource moto does not model fails the stack: it becomes a placeholder
      string, and outputs reading one are dropped;
    - a Number parameter's Ref is an int in moto, a string in CloudFormation (so `Fn::Equals`
      with '2' is false in moto): declared String here;
    - a resource whose condition is false is still updated by moto (and fails): left out;
    - tags on an AWS::KMS::Key fail (moto reads TagKey/TagValue): dropped;
    - moto does not model Lambda aliases: a `Ref` to one (a permission or a target on it) is
      the function it belongs to;
    - a listener's weighted `ForwardConfig` fails (moto reads `TargetGroupArn` only): the first
      target group is kept, the weights are not verified (PARTLY_MODELLED);
    - attributes CloudFormation documents but moto does not return (UNSUPPORTED_ATTRIBUTES, e.g.
      an RDS instance's `MasterUserSecret.SecretArn`) become placeholder strings, as above."""
    resources = template.get("Resources") or {}
    unmodelled = {n for n, r in resources.items() if not_modelled([r["Type"]])}

    def stand_in(name, attribute):
        """What replaces the attribute, or None where moto gives it."""
        kind = (resources.get(name) or {}).get("Type")
        if (kind, attribute) in UNSUPPORTED_ATTRIBUTES:
            return UNSUPPORTED_ATTRIBUTES[(kind, attribute)]
        return f"pf-harness-{name}-{attribute}" if name in unmodelled else None

    def placeholder(node):
        if isinstance(node, list):
            return [placeholder(x) for x in node]
        if isinstance(node, dict):
            alias = resources.get(node.get("Ref")) if set(node) == {"Ref"} else None
            if alias and alias["Type"] == "AWS::Lambda::Alias" and node["Ref"] in unmodelled:
                return placeholder(alias["Properties"]["FunctionName"])
            if set(node) == {"Fn::GetAtt"} and stand_in(*node["Fn::GetAtt"][:2]):
                return stand_in(*node["Fn::GetAtt"][:2])
            if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
                text = re.sub(
                    r"\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}",
                    lambda m: stand_in(m[1], m[2]) or m[0],
                    node["Fn::Sub"],
                )
                return {"Fn::Sub": text}
            return {k: placeholder(v) for k, v in node.items()}
        return node

    out = json.loads(json.dumps(template))
    # Resources whose condition is false are left out: moto 5.2 "updates" such a resource when
    # its properties change, and fails (it never created it).
    out["Resources"] = {n: placeholder(r) for n, r in stacks.live(template, values)}
    for p in (out.get("Parameters") or {}).values():
        if p.get("Type") == "Number":
            p["Type"] = "String"
        elif p.get("Type") == "List<Number>":
            p["Type"] = "CommaDelimitedList"
    for r in out["Resources"].values():
        if r.get("Type") == "AWS::KMS::Key":
            (r.get("Properties") or {}).pop("Tags", None)
        if r.get("Type") == "AWS::ElasticLoadBalancingV2::Listener":
            for a in (r.get("Properties") or {}).get("DefaultActions") or []:
                groups = (a.pop("ForwardConfig", None) or {}).get("TargetGroups")
                if groups:  # moto reads only TargetGroupArn: the weights are not verified
                    a["TargetGroupArn"] = groups[0]["TargetGroupArn"]
                    PARTLY_MODELLED.add("AWS::ElasticLoadBalancingV2::Listener ForwardConfig (weights)")
    outputs = {}
    for name, o in (template.get("Outputs") or {}).items():
        text = json.dumps(o.get("Value"))
        if any(re.search(rf'"Fn::GetAtt": \["{n}"|\$\{{{n}\.', text) for n in unmodelled):
            continue
        outputs[name] = placeholder(o)
    out["Outputs"] = outputs
    return out


class Report:
    """What the example's deployments did, over every account and region."""

    def __init__(self):
        self.created = []
        self.updated = []
        self.unchanged = []
        self.administered = []  # bootstrap and support stacks: deployed once by an administrator
        self.unmodelled = set()
        self.externals = []
        self.accounts = {}  # (account id, region) -> Account: every one reached


class Account:
    """One emulated account in one region: clients and what has been deployed in it. The
    pipeline's account is moto's default; another is reached as AWS is, by assuming a role in it
    (moto makes the credentials act in the role's account)."""

    def __init__(self, report, account_id=DEFAULT_ACCOUNT_ID, region=REGION):
        self.account_id = account_id
        self.region = region
        session = boto3.Session(region_name=region)
        if account_id != DEFAULT_ACCOUNT_ID:
            creds = boto3.client("sts", region_name=region).assume_role(
                RoleArn=f"arn:aws:iam::{account_id}:role/pf-harness-administrator", RoleSessionName="pf-harness"
            )["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=region,
            )
        for service in ("cloudformation", "ssm", "secretsmanager", "route53", "acm", "iam", "s3", "ec2"):
            setattr(self, {"cloudformation": "cfn", "secretsmanager": "secrets"}.get(service, service), session.client(service))
        self.report = report
        report.accounts[(account_id, region)] = self
        self.pending = {}  # stack -> what it was before its change set
        self.sent = {}  # stack -> (template body, parameters) of its last change
        self.templates = {}  # stack -> the template file of its last change
        self.runs = 0  # pipeline runs so far

    def elsewhere(self, account_id, region):
        """The account and region a cross-account or cross-region action acts in."""
        key = (account_id or self.account_id, region or self.region)
        return self.report.accounts.get(key) or Account(self.report, *key)

    def label(self, stack):
        """A stack's (or an external's) name in the report, with its account and region when not
        the pipeline's."""
        if (self.account_id, self.region) == (DEFAULT_ACCOUNT_ID, REGION):
            return stack
        return f"{stack}@{self.account_id}/{self.region}"

    def run_image(self):
        """The AMI this run baked: one of moto's AMIs, another each run."""
        images = sorted(i["ImageId"] for i in self.ec2.describe_images(Owners=["amazon"])["Images"])
        return images[self.runs % len(images)]

    # -- what templates reference from outside ----------------------------------------------

    def ssm_exists(self, name):
        try:
            self.ssm.get_parameter(Name=name)
            return True
        except self.ssm.exceptions.ParameterNotFound:
            return False

    def provide_externals(self, template, values):
        """Creates the SSM parameters, secrets and hosted zones the stack reads."""
        for name, p in (template.get("Parameters") or {}).items():
            t = p.get("Type", "")
            if t.startswith("AWS::SSM::Parameter::Value<") and name in values and not values[name].startswith("/aws/"):
                self.put_ssm(values[name], "String")
        for _, res in stacks.live(template, values):
            for service, ref in stacks.dynamic_references(res, values):
                if "${" in ref:
                    raise Failed(f"dynamic reference {{{{resolve:{service}:{ref}}}}} names an unknown parameter")
                if service in ("ssm", "ssm-secure"):
                    self.put_ssm(ref.split(":")[0], "SecureString" if service == "ssm-secure" else "String")
                elif service == "secretsmanager":
                    self.put_secret(ref)
            if res["Type"] == "AWS::Route53::RecordSet":
                zone = res["Properties"].get("HostedZoneName")
                if isinstance(zone, dict) and "Ref" in zone:
                    zone = values[zone["Ref"]]
                if isinstance(zone, str):
                    self.put_zone(zone)

    def put_ssm(self, name, kind):
        if self.ssm_exists(name):
            return
        value = "pf-harness-value"
        if "certificate" in name:
            value = self.acm.request_certificate(DomainName="example.com")["CertificateArn"]
        if "connection" in name:
            value = f"arn:aws:codeconnections:{self.region}:{self.account_id}:connection/pf-harness"
        if "account" in name:  # a target account's id (param("/org/accounts/..."))
            value = f"3{zlib.crc32(name.encode()):011d}"  # the same in every region
        self.ssm.put_parameter(Name=name, Value=value, Type=kind)
        self.report.externals.append(self.label(f"ssm {name}"))

    def put_secret(self, ref):
        secret_id, _, rest = ref.partition(":")
        key = rest.split(":")[1] if rest.startswith("SecretString:") and len(rest.split(":")) > 1 else None
        try:
            self.secrets.describe_secret(SecretId=secret_id)
            return
        except self.secrets.exceptions.ResourceNotFoundException:
            pass
        body = json.dumps({key: "pf-harness-secret"}) if key else "pf-harness-secret"
        self.secrets.create_secret(Name=secret_id, SecretString=body)
        self.report.externals.append(self.label(f"secret {secret_id}"))

    def put_zone(self, zone):
        zone = zone.rstrip(".") + "."
        zones = self.route53.list_hosted_zones()["HostedZones"]
        if not any(z["Name"] == zone for z in zones):
            self.route53.create_hosted_zone(Name=zone, CallerReference=zone)
            self.report.externals.append(self.label(f"hosted zone {zone}"))

    def check_externals(self, template, values):
        """What CloudFormation resolves before it creates anything must exist."""
        errors = []
        for name, p in (template.get("Parameters") or {}).items():
            if p.get("Type", "").startswith("AWS::SSM::Parameter::Value<") and not self.ssm_exists(values[name]):
                errors.append(f"parameter {name}: SSM parameter {values[name]} does not exist")
        for _, res in stacks.live(template, values):
            for service, ref in stacks.dynamic_references(res, values):
                if service.startswith("ssm") and not self.ssm_exists(ref.split(":")[0]):
                    errors.append(f"{{{{resolve:{service}:{ref}}}}}: no such parameter")
        return errors

    # -- stacks -------------------------------------------------------------------------------

    def put_code(self, label, given):
        """A Lambda function's code: the object the build artifact's `ObjectKey` names (see
        `overrides`), put in the artifact bucket as CodePipeline's build would have."""
        if "CodeKey" not in given:
            return
        if "ArtifactBucket" not in given:
            raise Failed(f"{label}: CodeKey is passed without ArtifactBucket")
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("app.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
        self.s3.put_object(Bucket=given["ArtifactBucket"], Key=given["CodeKey"], Body=code.getvalue())

    def moto_stack(self, name):
        backend = cloudformation_backends[self.account_id][self.region]
        for s in backend.stacks.values():
            if s.name == name and s.status != "DELETE_COMPLETE":
                return s
        raise Failed(f"stack {name} does not exist")

    def exists(self, name):
        try:
            self.moto_stack(name)
            return True
        except Failed:
            return False

    def prepare(self, label, template_path, given, capabilities):
        """Reads and checks a template before a call; returns (body, values)."""
        template = stacks.load_template(template_path)
        errors, values = stacks.check_parameters(template, given)
        errors += stacks.check_references(template)
        missing_caps = stacks.required_capabilities(template) - set(capabilities)
        if missing_caps:
            errors.append(f"capabilities {sorted(missing_caps)} are required and not given")
        if not errors:
            self.provide_externals(template, values)
            errors += self.check_externals(template, values)
        if errors:
            raise Failed(f"{label}: CloudFormation would reject it:\n    " + "\n    ".join(errors))
        kept = not_modelled(r["Type"] for _, r in stacks.live(template, values))
        self.report.unmodelled.update(kept)
        return json.dumps(self.resolve_dynamic(for_moto(template, values), values)), values

    def resolve_dynamic(self, node, values):
        """Dynamic references replaced by their values, as CloudFormation does (moto does not)."""
        if isinstance(node, list):
            return [self.resolve_dynamic(x, values) for x in node]
        if isinstance(node, dict):
            if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str) and "{{resolve:" in node["Fn::Sub"]:
                return self.resolve_dynamic(stacks.substitute(node["Fn::Sub"], values), values)
            return {k: self.resolve_dynamic(v, values) for k, v in node.items()}
        if isinstance(node, str) and "{{resolve:" in node:
            return re.sub(r"\{\{resolve:([a-z-]+):([^}]+)\}\}", lambda m: self.dynamic_value(m[1], m[2]), node)
        return node

    def dynamic_value(self, service, ref):
        if service in ("ssm", "ssm-secure"):
            return self.ssm.get_parameter(Name=ref.split(":")[0], WithDecryption=True)["Parameter"]["Value"]
        secret_id, _, rest = ref.partition(":")
        value = self.secrets.get_secret_value(SecretId=secret_id)["SecretString"]
        parts = rest.split(":")
        return json.loads(value)[parts[1]] if len(parts) > 1 and parts[1] else value

    def deploy(self, label, stack, template_path, given, capabilities, change_set=None, administered=False, **extra):
        """Creates or updates a stack (directly, or through a change set left to execute)."""
        body, values = self.prepare(label, template_path, given, capabilities)
        params = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in given.items()]
        existed = self.exists(stack)
        before = self.sent.get(stack)
        self.sent[stack] = (body, given)
        args = dict(StackName=stack, TemplateBody=body, Parameters=params, Capabilities=capabilities, **extra)
        if change_set:
            self.cfn.create_change_set(ChangeSetName=change_set, ChangeSetType="UPDATE" if existed else "CREATE", **args)
            described = self.cfn.describe_change_set(StackName=stack, ChangeSetName=change_set)
            status = described["Status"]
            if status != "CREATE_COMPLETE":
                reason = described.get("StatusReason", "")
                raise Failed(f"{label}: change set {change_set} is {status} ({reason})")
            self.pending[stack] = before
            return
        if existed and administered and before == self.sent[stack]:
            return  # unchanged: an administrator has nothing to apply
        if existed:
            self.cfn.update_stack(**args)
        else:
            self.cfn.create_stack(**args)
        self.settle(label, stack, existed, before, administered)

    def execute(self, label, stack, change_set):
        existed = self.moto_stack(stack).status != "REVIEW_IN_PROGRESS"
        before = self.pending.pop(stack)
        self.cfn.execute_change_set(StackName=stack, ChangeSetName=change_set)
        self.settle(label, stack, existed, before)

    def settle(self, label, stack, existed, before, administered=False):
        s = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        want = "UPDATE_COMPLETE" if existed else "CREATE_COMPLETE"
        if s["StackStatus"] != want:
            raise Failed(f"{label}: stack {stack} is {s['StackStatus']} ({s.get('StackStatusReason', '')})")
        changed = self.sent[stack] != before
        stack = self.label(stack)
        if administered:
            if stack not in self.report.administered:
                self.report.administered.append(stack)
        elif not existed:
            self.report.created.append(stack)
        elif changed:
            if stack not in self.report.updated:  # a blue/green release updates its stack several times
                self.report.updated.append(stack)
        elif stack not in self.report.unchanged + self.report.updated:
            self.report.unchanged.append(stack)


# What the app's build writes into its artifact and CodePipeline reads with `Fn::GetParam`: the
# build is not emulated, so a stand-in of its shape (docs/targets.md: ECS's image tag).
BUILD_WRITES = {"pf-image.json": {"tag": "0123456789ab"}}


def pipeline_function(value, project, label):
    """A parameter override's value: a string, or a CodePipeline function evaluated as
    CodePipeline does (`Fn::GetParam`: a key of a JSON file of an input artifact)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::GetParam"}:
        _artifact, file, key = value["Fn::GetParam"]
        path = project / file
        data = json.loads(path.read_text()) if path.is_file() else BUILD_WRITES.get(file)
        if data is None or key not in data:
            raise Failed(f"{label}: Fn::GetParam reads {file}:{key}, which the build does not write")
        return str(data[key])
    raise Failed(f"{label}: the harness does not know the parameter override {value!r}")


def plan(account, action, variables):
    """What the release job's plan step exports (release_job.sh): the live colour and its AMI,
    read from the environment stack's parameters (blue and the run's AMI before the first)."""
    params = {}
    if account.exists(action.stack):
        for p in account.cfn.describe_stacks(StackName=action.stack)["Stacks"][0].get("Parameters", []):
            params[p["ParameterKey"]] = p["ParameterValue"]
    live = params.get("LiveColour") if params.get("LiveColour") in ("blue", "green") else "blue"
    image = params.get("LiveImageId", "")
    if not image.startswith("ami-"):
        image = substitute_variables(action.variables["PF_IMAGE"], variables, action)
    ns = action.namespace
    variables[f"{ns}.LIVE_COLOUR"] = live
    variables[f"{ns}.NEW_COLOUR"] = "green" if live == "blue" else "blue"
    variables[f"{ns}.LIVE_IMAGE"] = image


def substitute_variables(text, variables, action):
    """`#{namespace.name}` replaced by the run's variables, as CodePipeline does."""

    def value(m):
        if m[1] not in variables:
            raise Failed(f"{action!r}: the variable #{{{m[1]}}} is not set by an earlier action")
        return variables[m[1]]

    return re.sub(r"#\{([^}]+)\}", value, text)


def overrides(config, variables, action):
    """An action's parameter overrides, with CodePipeline's functions and variables resolved."""
    given = json.loads(config.get("ParameterOverrides") or "{}")
    out = {}
    for k, v in given.items():
        if isinstance(v, dict) and set(v) == {"Fn::GetArtifactAtt"}:
            v = {"BucketName": "pf-harness-artifacts", "ObjectKey": "pf-harness/Build/artifact.zip"}[v["Fn::GetArtifactAtt"][1]]
        out[k] = substitute_variables(v, variables, action) if isinstance(v, str) else v
    return out


def record_outputs(account, action, template_path, variables):
    """A namespaced CloudFormation action's outputs become the run's variables. An output moto
    cannot give (it reads a resource moto does not model, such as Image Builder's image) gets a
    stand-in: for `ImageId`, an AMI that exists in the emulated account, one per run."""
    if not action.namespace:
        return
    got = {o["OutputKey"]: o["OutputValue"] for o in account.cfn.describe_stacks(StackName=action.stack)["Stacks"][0].get("Outputs", [])}
    for name in (stacks.load_template(template_path).get("Outputs") or {}):
        if name not in got and name == "ImageId":
            got[name] = account.run_image()
    for k, v in got.items():
        variables[f"{action.namespace}.{k}"] = v


def param_account(account, declared, name):
    """The id a `param(...)` account's SSM-typed pipeline parameter resolves to (created first)."""
    account.put_ssm(declared[name]["Default"], "String")
    return account.ssm.get_parameter(Name=declared[name]["Default"])["Parameter"]["Value"]


def role_account(account, declared, role_arn):
    """The account of an action's role, from its `Fn::Sub` ARN (a literal id or a parameter)."""
    text = role_arn["Fn::Sub"] if isinstance(role_arn, dict) else role_arn
    field = text.replace("${AWS::Partition}", "aws").split(":")[4]
    return param_account(account, declared, field[2:-1]) if field.startswith("${") else field


def administer(account, template_path):
    """What an administrator deploys once before the pipeline (docs/runbook-accounts.md), from
    the app folder of the pipeline template: each target account's bootstrap, in the region its
    actions name, trusting this account; then each extra region's support stack in this account.
    Returns the pipeline stack's parameters that name the support stacks' outputs."""
    folder = template_path.parent
    app = folder.name
    pipeline = stacks.load_template(template_path)
    declared = pipeline.get("Parameters") or {}
    caps = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
    regions = {}  # target account -> the regions its actions act in
    for a in stacks.cloudformation_actions(pipeline):
        if a.role_arn:
            regions.setdefault(role_account(account, declared, a.role_arn), set()).add(a.region or account.region)
    for path in sorted(folder.glob("bootstrap-*.template.yml")):
        key = path.name.removeprefix("bootstrap-").split(".")[0]
        named = [n for n, p in declared.items() if p.get("Default", "").strip("/").replace("/", "-") == key]
        target = key if key.isdigit() else param_account(account, declared, named[0]) if named else None
        if len(regions.get(target, ())) != 1:
            raise Failed(f"{path.name}: the pipeline's actions in {key} act in {sorted(regions.get(target, ()))}, not one region")
        there = account.elsewhere(target, next(iter(regions[target])))
        there.deploy(f"bootstrap {path.name}", f"{app}-pf-bootstrap", path, {"PipelineAccount": account.account_id}, caps, administered=True)
    missing = set(regions) - {a for (a, _) in account.report.accounts} - {account.account_id}
    if missing:
        raise Failed(f"{app}: no bootstrap template for the target accounts {sorted(missing)}")
    given = {}
    for path in sorted(folder.glob("support-*.template.yml")):
        region = path.name.removeprefix("support-").split(".")[0]
        there = account.elsewhere(account.account_id, region)
        there.deploy(f"support {path.name}", f"{app}-pf-support", path, {}, caps, administered=True)
        outputs = there.cfn.describe_stacks(StackName=f"{app}-pf-support")["Stacks"][0]["Outputs"]
        parameter = "ArtifactKey" + "".join(w.capitalize() for w in region.split("-"))
        if parameter not in declared:
            raise Failed(f"{path.name}: the pipeline template does not declare {parameter}")
        given[parameter] = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "ArtifactKeyArn")
    return given


def acting_account(account, action, resources, label):
    """Where an action acts: the pipeline's account and region, or the account of the role it
    assumes (which must exist there and trust the pipeline's role) and its region."""
    if not action.role_arn:
        return account.elsewhere(None, action.region)
    arn = clean_json(action.role_arn, resources)
    target, role = arn.split(":")[4], arn.rsplit("/", 1)[-1]
    there = account.elsewhere(target, action.region)
    try:
        trust = there.iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    except there.iam.exceptions.NoSuchEntityException:
        raise Failed(f"{label}: the role {arn} does not exist in {target} (its bootstrap creates it)")
    trust = json.loads(trust) if isinstance(trust, str) else trust
    trusted = [st for st in trust["Statement"] if account.account_id in json.dumps(st.get("Principal"))]
    if not trusted:
        raise Failed(f"{label}: {arn} does not trust the pipeline account {account.account_id}")
    named = [
        v
        for st in trusted
        for test in (st.get("Condition") or {}).values()
        for v in (lambda x: x if isinstance(x, list) else [x])(test.get("aws:PrincipalArn", []))
    ]
    for a in named:  # the pipeline's roles the trust names must exist
        try:
            account.iam.get_role(RoleName=a.rsplit("/", 1)[-1])
        except account.iam.exceptions.NoSuchEntityException:
            raise Failed(f"{label}: {arn} trusts {a}, which the pipeline stack does not create")
    return there


def self_update(action):
    """Whether the action is the pipeline's update of its own stack."""
    return action.config.get("StackName") == {"Ref": "AWS::StackName"}


def run_self_update(account, project, stack, action, given, resources, label):
    """The self-update: the pipeline's own stack, from the committed template in the source
    artifact, with the stack's current parameter values, as its self-update role (which the stack
    created and which only CloudFormation may assume)."""
    config = clean_json(action.config, resources)
    template = stacks.artifact_path(project, action.config["TemplatePath"])
    if not action.config["TemplatePath"].startswith("Source::") or not template.is_file():
        raise Failed(f"{label}: {action.config['TemplatePath']} is not the committed template")
    role = config["RoleArn"].rsplit("/", 1)[-1]
    trust = account.iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if trust["Statement"][0]["Principal"] != {"Service": "cloudformation.amazonaws.com"}:
        raise Failed(f"{label}: the self-update role is not CloudFormation's: {trust}")
    overrides = json.loads(action.config.get("ParameterOverrides", {}).get("Fn::Sub", "{}"))
    params = stacks.load_template(template).get("Parameters", {})
    required = sorted(k for k, p in params.items() if "Default" not in p)
    if sorted(overrides) != required:
        raise Failed(f"{label}: passes {sorted(overrides)}, the stack needs {required}")
    if any(v != "${%s}" % k for k, v in overrides.items()):
        raise Failed(f"{label}: the parameters keep their current values: {overrides}")
    caps = [c for c in config["Capabilities"].split(",") if c]
    account.deploy(label, stack, template, given, caps, RoleARN=config["RoleArn"])


def run_pipeline(account, project, template_path):
    """Deploys a pipeline stack (after what an administrator deploys once), then runs its
    CloudFormation actions (and blue/green plan steps) in order, one run, each in the account and
    region it acts in: the variables of earlier actions reach later ones."""
    pipeline = stacks.load_template(template_path)
    name = template_path.name.removeprefix("pipeline-").split(".")[0]
    stack = f"{name}-pipeline"
    caps = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
    given = administer(account, template_path)
    actions = stacks.cloudformation_actions(pipeline)
    # A self-updating pipeline, once deployed, updates its own stack from the commit (its second
    # stage); only the first deploy is an administrator's.
    if not (any(self_update(a) for a in actions) and account.exists(stack)):
        account.deploy(f"pipeline stack {stack}", stack, template_path, given, caps)
    resources = account.moto_stack(stack).resource_map
    account.runs += 1
    variables = {"codepipeline.PipelineExecutionId": f"0000000{account.runs}-aaaa-4bbb-8ccc-dddddddddddd"}
    for action in actions:
        label = f"{stack}: action {action!r}"
        if self_update(action):
            run_self_update(account, project, stack, action, given, resources, label)
            resources = account.moto_stack(stack).resource_map
            continue
        if action.mode == "PLAN":
            plan(account, action, variables)
            continue
        there = acting_account(account, action, resources, label)
        config = clean_json(action.config, resources)
        if action.mode == "CHANGE_SET_EXECUTE":
            there.execute(label, action.stack, config["ChangeSetName"])
            if action.namespace:
                record_outputs(there, action, there.templates[action.stack], variables)
            continue
        if action.mode not in ("CREATE_UPDATE", "CHANGE_SET_REPLACE", "REPLACE_ON_FAILURE"):
            raise Failed(f"{label}: the harness does not know the action mode {action.mode}")
        tc = stacks.template_configuration(project, action)
        given = dict(tc.get("Parameters", {}))
        given.update({k: pipeline_function(v, project, label) for k, v in overrides(config, variables, action).items()})
        there.put_code(label, given)
        extra = {"RoleARN": config["RoleArn"]} if config.get("RoleArn") else {}
        if extra:
            role = extra["RoleARN"].rsplit("/", 1)[-1]
            there.iam.get_role(RoleName=role)  # the pipeline stack or the account's bootstrap created it
        if tc.get("Tags"):
            extra["Tags"] = [{"Key": k, "Value": v} for k, v in tc["Tags"].items()]
        if tc.get("StackPolicy") and action.mode != "CHANGE_SET_REPLACE":
            extra["StackPolicyBody"] = json.dumps(tc["StackPolicy"])
        caps = [c for c in (config.get("Capabilities") or "").split(",") if c]
        template = stacks.artifact_path(project, action.config["TemplatePath"])
        if not template.is_file():
            raise Failed(f"{label}: {action.config['TemplatePath']} is not in the build artifact")
        change_set = config.get("ChangeSetName") if action.mode == "CHANGE_SET_REPLACE" else None
        there.deploy(label, action.stack, template, given, caps, change_set=change_set, **extra)
        there.templates[action.stack] = template
        if change_set is None:
            record_outputs(there, action, template, variables)


def run_example(base, variant):
    """Creates everything from the base build, then updates it from the variant build."""
    with mock_aws():
        account = Account(Report())
        for phase_root in (base, variant):
            templates = stacks.pipeline_templates(phase_root)
            if not templates:
                raise Failed(f"{phase_root}: no pipeline template")
            for t in templates:
                run_pipeline(account, phase_root, t)
        return account


def main(base_root, variant_root):
    passed = failed = 0
    for base in sorted(p for p in Path(base_root).iterdir() if p.is_dir()):
        print(f"example: {base.name}")
        try:
            a = run_example(base, Path(variant_root) / base.name)
            print(f"  created: {', '.join(a.report.created)}")
            print(f"  updated: {', '.join(a.report.updated)}")
            print(f"  unchanged by the variant: {', '.join(a.report.unchanged) or '-'}")
            print(f"  administered once (bootstrap, support): {', '.join(a.report.administered) or '-'}")
            print(f"  created first (outside the stacks): {', '.join(a.report.externals) or '-'}")
            print(f"  not modelled by moto (not verified): {', '.join(sorted(a.report.unmodelled | PARTLY_MODELLED)) or '-'}")
            PARTLY_MODELLED.clear()
            passed += 1
        except Failed as e:
            print(f"  FAILED: {e}")
            failed += 1
        except Exception:  # moto or boto3 rejected a call: that is a failure of the example
            print("  FAILED:\n" + "".join("    " + l for l in traceback.format_exc().splitlines(True)))
            failed += 1
    print(f"deployed {passed} examples, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
