"""Runs cfripper's rules on CloudFormation templates and prints one finding a line.

Usage: python3 ripper.py TEMPLATE...   Output lines: `<template>\t<rule>\t<mode>\t<resource ids>\t<reason>`.
Exit 0 whatever it finds: the Rust test (tests/deploy.rs) judges the findings.
"""

import logging
import sys

import pycfmodel
from cfripper.cli import init_cfripper
from cfripper.config.pluggy.utils import get_all_rules  # noqa: F401  (loads the rule plugins)
from cfripper.model.utils import convert_json_or_yaml_to_dict


def main(paths):
    logging.disable(logging.CRITICAL)  # cfripper logs every unresolved intrinsic
    config, processor = init_cfripper(None, None, "123456789012", None)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            model = pycfmodel.parse(convert_json_or_yaml_to_dict(f.read())).resolve()
        result = processor.process_cf_template(model, config)
        for failure in result.failures:
            ids = ",".join(sorted(failure.resource_ids or []))
            print(f"{path}\t{failure.rule}\t{failure.rule_mode}\t{ids}\t{failure.reason}")


if __name__ == "__main__":
    main(sys.argv[1:])
