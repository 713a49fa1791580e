"""Runs cfripper's rules on every template of built projects: each pipeline template, and each
environment stack's template with the values of its template configuration (discovered from the
pipeline's CloudFormation actions, as harness.py does).

Usage: python3 ripper.py PROJECT...   Output lines: `<stack>\t<rule>\t<mode>\t<resource ids>\t<reason>`.
Exit 0 whatever it finds: the caller judges the findings.
"""

import logging
import sys

import pycfmodel
from cfripper.cli import init_cfripper
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


def main(projects):
    logging.disable(logging.CRITICAL)  # cfripper logs every unresolved intrinsic
    config, processor = init_cfripper(None, None, "123456789012", None)
    for project in projects:
        for label, path, values in targets(project):
            with open(path, encoding="utf-8") as f:
                model = pycfmodel.parse(convert_json_or_yaml_to_dict(f.read())).resolve(values)
            result = processor.process_cf_template(model, config)
            for failure in result.failures:
                ids = ",".join(sorted(failure.resource_ids or []))
                print(f"{label}\t{failure.rule}\t{failure.rule_mode}\t{ids}\t{failure.reason}")


if __name__ == "__main__":
    main(sys.argv[1:])
