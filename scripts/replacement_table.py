#!/usr/bin/env python3
"""Regenerates compiler/src/review/replacement.json: which properties replace a resource.

For every CloudFormation resource type that pf's code generators emit (the `"Type": "AWS::..."`
values under compiler/src/codegen/), it copies from the resource schemas that cfn-lint ships
(`cfnlint/data/schemas/providers/<region>.json` names each type's schema file under
`cfnlint/data/schemas/resources/`):
- `createOnlyProperties`: a change to one of these always replaces the resource;
- `conditionalCreateOnlyProperties`: a change may replace it (CloudFormation decides by the
  values, e.g. an RDS engine change).

Run from the repository root: `python3 scripts/replacement_table.py [--region us-east-1]`.
A new resource type in the codegen needs only a rerun (a test checks the table covers the
examples' templates).
"""
import argparse
import datetime
import json
import os
import re
import sys

import cfnlint

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "compiler", "src", "review", "replacement.json")
TYPE = re.compile(r'"Type"\s*:\s*"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"')


def emitted_types():
    types = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "compiler", "src", "codegen")):
        for name in files:
            if name.endswith(".rs"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    types.update(TYPE.findall(f.read()))
    return sorted(types)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    schemas = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
    with open(os.path.join(schemas, "providers", f"{args.region}.json"), encoding="utf-8") as f:
        index = json.load(f)
    with open(os.path.join(schemas, "version.json"), encoding="utf-8") as f:
        schema_date = json.load(f).get("schema_date", "")
    types = {}
    for name in emitted_types():
        if name not in index:
            sys.exit(f"error: {name} has no schema in cfn-lint's {args.region} providers")
        with open(os.path.join(schemas, "resources", f"{index[name]}.json"), encoding="utf-8") as f:
            schema = json.load(f)
        strip = lambda paths: sorted(p.removeprefix("/properties/") for p in paths)
        types[name] = {
            "always": strip(schema.get("createOnlyProperties", [])),
            "conditional": strip(schema.get("conditionalCreateOnlyProperties", [])),
        }
    table = {
        "source": f"cfn-lint {cfnlint.__version__ if hasattr(cfnlint, '__version__') else version()} "
        f"resource schemas ({args.region}, schema date {schema_date}): createOnlyProperties "
        "(always replaces) and conditionalCreateOnlyProperties (may replace)",
        "region": args.region,
        "generated": datetime.date.today().isoformat(),
        "types": types,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(table, f, indent=2, sort_keys=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(types)} resource types")


def version():
    from importlib.metadata import version as v

    return v("cfn-lint")


if __name__ == "__main__":
    main()
