"""pf: the self-update guard of a pipeline (docs/self-update.md).

Compares the guard manifest of the deployed pipeline stack (PF_STACK, read with
`get-template-summary`) with the committed template's (PF_TEMPLATE, in the source artifact)
and prints two lines: GUARD (`none` or the finding codes) and CHANGE (one paragraph).
`compare` and `variables` follow compiler/src/review/guard.rs rule for rule and sentence for
sentence; a test runs both on the same manifests. Any error fails the job: never update by
accident.
"""
import json
import os
import subprocess
import sys

KEY = "pf:guard"
BOUNDARY = "PipelineRoleBoundary"
CHANGE_MAX = 480


def compare(old, new):
    """What `new` weakens of `old`: a list of (code, sentence)."""
    out = []
    for before in [e for e in old["envs"] if e["protected"]]:
        env = before["env"]
        after = next((e for e in new["envs"] if e["env"] == env), None)
        if after is None:
            continue
        if not after["protected"]:
            out.append(("protection-removed", "environment %s is no longer protected" % env))
        for a in before["approvals"]:
            b = next((b for b in after["approvals"] if b["action"] == a["action"]), None)
            if b is not None and b["group"] != a["group"]:
                out.append(("approval-group-changed", "approval %s before %s is now given by %s instead of %s"
                            % (a["action"], env, b["group"], a["group"])))
            elif b is None and a["action"] in new["approvals"]:
                out.append(("approval-moved", "approval %s now runs after the deploy of %s" % (a["action"], env)))
            elif b is None:
                out.append(("approval-removed", "approval %s (%s) before %s is removed" % (a["action"], a["group"], env)))
        for check in before["distinct"]:
            if not any(all(a in c for a in check) for c in after["distinct"]):
                out.append(("distinct-approvers-removed", "the check that %s are distinct people before %s is removed"
                            % (" and ".join(check), env)))
    for account in [a for a in new["accounts"] if a not in old["accounts"]]:
        out.append(("account-added", "the pipeline now deploys to account %s" % account))
    before, after = old.get("permissions", {}), new.get("permissions", {})
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    if BOUNDARY in changed:
        out.append(("boundary-changed",
                    "the permissions boundary %s changes, which only an administrator deploys" % BOUNDARY))
    others = [k for k in changed if k != BOUNDARY]
    if others:
        out.append(("permissions-changed", "the permissions of %s change" % ", ".join(others)))
    return out


def variables(pipeline, findings):
    """(GUARD, CHANGE) for the findings of `pipeline`."""
    if not findings:
        return "none", ("No change to the approvals, distinct-approver checks, target accounts or permissions of %s." % pipeline)
    codes = []
    for code, _ in findings:
        if code not in codes:
            codes.append(code)
    change = "%s: %s." % (pipeline, "; ".join(m for _, m in findings))
    if len(change) > CHANGE_MAX:
        change = change[:CHANGE_MAX - 3] + "..."
    return ",".join(codes), change


def from_metadata(metadata):
    """The manifest in a template's Metadata (a dict), or None."""
    text = (metadata or {}).get(KEY)
    return json.loads(text) if isinstance(text, str) else None


def from_text(path, text):
    """The manifest of a committed template: JSON, or pf's YAML (one quoted scalar line)."""
    if path.endswith(".json"):
        return from_metadata(json.loads(text).get("Metadata"))
    for line in text.splitlines():
        key, sep, value = line.strip().partition(": ")
        if line.startswith("  ") and not line.startswith("   ") and sep and key.strip("'\"") == KEY:
            if value.startswith("'") and value.endswith("'"):
                return json.loads(value[1:-1].replace("''", "'"))
            return json.loads(json.loads(value))
    return None


def guard(old, new, pipeline):
    """(GUARD, CHANGE) of the deployed manifest `old` and the committed `new` (either None)."""
    missing = [side for side, m in (("deployed", old), ("committed", new)) if m is None]
    if missing:
        return "manifest-missing", ("%s: the %s template has no guard manifest (pf:guard); "
                                    "an approval stands in for the comparison." % (pipeline, " and ".join(missing)))
    return variables(pipeline, compare(old, new))


def main():
    stack, template, pipeline = os.environ["PF_STACK"], os.environ["PF_TEMPLATE"], os.environ["PF_PIPELINE"]
    summary = json.loads(subprocess.run(
        ["aws", "cloudformation", "get-template-summary", "--stack-name", stack, "--output", "json"],
        check=True, capture_output=True, text=True).stdout)
    old = from_metadata(json.loads(summary.get("Metadata") or "{}"))
    with open(template, encoding="utf-8") as f:
        new = from_text(template, f.read())
    value, change = guard(old, new, pipeline)
    if "boundary-changed" in value.split(","):
        sys.exit("%s\nThe self-update may not change the boundary that caps it: an administrator "
                 "deploys the pipeline stack by hand (docs/self-update.md)." % change)
    if value != "none" and os.environ.get("PF_APPROVERS") == "none":
        sys.exit("%s\nThe pipeline has no approver group to approve it: deploy the stack by hand." % change)
    print(value)
    print(change.replace("\n", " "))


if __name__ == "__main__":
    main()
