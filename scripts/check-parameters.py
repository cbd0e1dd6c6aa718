"""Checks a deploy/deploy.sh parameters file the way `sam deploy` will read it: each line becomes the word
deploy.sh passes after --parameter-overrides, parsed by SAM CLI's own parser (CfnParameterOverridesType), so a
value SAM would refuse, cut short or misread fails here rather than at the first deploy. Every key must be a
parameter of template.yaml or template-migrate.yaml, each at most once; every parameter without a Default
must be given; an empty value only where the Default is "".

Run with the Python that has aws-sam-cli: `python scripts/check-parameters.py deploy/parameters.example`.
"""
import sys
from pathlib import Path

import click
from samcli.cli.types import CfnParameterOverridesType
from samcli.yamlhelper import yaml_parse

TEMPLATES = ["template.yaml", "template-migrate.yaml"]


def words(path):
    """The words deploy.sh puts after --parameter-overrides (keep in step with its reading loop)."""
    found = []
    for line in Path(path).read_text(encoding="utf-8").split("\n"):
        line = line.lstrip(" \t\n\v\f\r")
        if line == "" or line.startswith("#"):
            continue
        if "=" in line and line.partition("=")[2] == "":
            line += '""'
        found.append(line)
    return found


def check(path):
    errors, given, parser = [], {}, CfnParameterOverridesType()
    for word in words(path):
        key, _, raw = word.partition("=")
        meant = {key: "" if raw == '""' else raw}
        try:
            read = parser.convert((word,), None, None)
        except click.BadParameter as error:
            errors.append(f"{word!r}: SAM CLI refuses it: {error.message.split('. It must')[0]}")
            continue
        if read != meant:
            errors.append(f"{word!r}: SAM CLI reads {read}, not {meant}")
            continue
        if key in given:
            errors.append(f"{key}: given twice")
        given.update(read)
    if not given and not errors:
        errors.append("no Key=Value line")
    known = set()
    for template in TEMPLATES:
        parameters = yaml_parse(Path(template).read_text(encoding="utf-8")).get("Parameters") or {}
        known |= parameters.keys()
        for name, spec in parameters.items():
            if "Default" not in spec and name not in given:
                errors.append(f"{template}: {name} has no Default and is not given")
            if given.get(name) == "" and str(spec.get("Default")) != "":
                errors.append(f'{template}: {name} is empty but its Default is not ""')
    errors += [f"{key}: not a parameter of {' or '.join(TEMPLATES)}" for key in given if key not in known]
    for error in errors:
        print(f"{path}: {error}", file=sys.stderr)
    print(f"{path}: {'FAILED' if errors else 'ok'} ({len(given)} parameters, read by SAM CLI's parser)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else "deploy/parameters.example"))
