"""The plan as a Terraform plan JSON document (`lake plan --format terraform-plan`).

Scanners that read Terraform plans (checkov, trivy, KICS...) cannot read a Pulumi program; they
can read what `terraform show -json <planfile>` writes (format 1.2,
https://developer.hashicorp.com/terraform/internals/json-format). This module writes the plan
document of docs/plan-format.md in that format: every cloud resource as a Terraform resource to
create (names and shapes from lake/plan/terraform_names.py), in one flat root module, with a
``configuration`` whose expressions reference the resources an input uses, so that a scanner's
graph checks join a bucket to its split settings. Components and the stack have no Terraform
counterpart and are left out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .terraform_names import PROVIDER_NAME, terraform_type, terraform_values

FORMAT_VERSION = "1.2"
# The Terraform release whose `terraform show -json` output (format 1.2) this document imitates.
TERRAFORM_VERSION = "1.9.8"
# The provider's schema versions are not installed here; no scanner reads them.
SCHEMA_VERSION = 0
# The attributes an input may take from another resource, named after its address in a reference
# (`aws_s3_bucket.raw-bucket.id`): those that identify it.
_IDENTIFIER_SUFFIXES = ("arn", "id", "name", "url", "bucket")
_INVALID = re.compile(r"[^A-Za-z0-9_-]")


def terraform_plan(document: dict[str, Any]) -> dict[str, Any]:
    """The Terraform plan document of a plan document (lake/plan/render.py's plan_document)."""
    resources = [r for r in document["resources"] if r["custom"]]
    addresses = resource_addresses(resources)
    values = {r["urn"]: terraform_values(r["type"], r["inputs"], r["computed"]) for r in resources}
    ordered = sorted(resources, key=lambda r: addresses[r["urn"]])
    environment = document["environment"]
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": [
            {**_identity(r, addresses), "schema_version": SCHEMA_VERSION, "values": values[r["urn"]],
             "sensitive_values": {}} for r in ordered]}},
        "resource_changes": [{**_identity(r, addresses), "change": _change(values[r["urn"]])} for r in ordered],
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER_NAME, "expressions": {
                "region": {"constant_value": environment["region"]},
                "allowed_account_ids": {"constant_value": [environment["accountId"]]},
            }}},
            "root_module": {"resources": [_configuration(r, addresses, values) for r in ordered]},
        },
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def render_terraform_plan(document: dict[str, Any]) -> str:
    return json.dumps(terraform_plan(document), indent=2) + "\n"


def resource_addresses(resources: list[dict[str, Any]]) -> dict[str, str]:
    """URN -> `<terraform type>.<name>`: the logical name made a Terraform identifier (letters,
    digits, `_`, `-`; not starting with a digit or `-`), and made unique within its type, in URN
    order, by a `-2`, `-3`... suffix (Pulumi names are unique per parent, Terraform's per module)."""
    taken: set[str] = set()
    addresses = {}
    for resource in sorted(resources, key=lambda r: r["urn"]):
        kind, name = terraform_type(resource["type"]), _identifier(resource["name"])
        address, count = f"{kind}.{name}", 1
        while address in taken:
            count += 1
            address = f"{kind}.{name}-{count}"
        taken.add(address)
        addresses[resource["urn"]] = address
    return addresses


def _identifier(name: str) -> str:
    cleaned = _INVALID.sub("_", name)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def _identity(resource: dict[str, Any], addresses: dict[str, str]) -> dict[str, Any]:
    address = addresses[resource["urn"]]
    kind, name = address.split(".", 1)
    return {"address": address, "mode": "managed", "type": kind, "name": name, "provider_name": PROVIDER_NAME}


def _change(values: dict[str, Any]) -> dict[str, Any]:
    """Every resource is created. The mock engine knows every value, so nothing is unknown."""
    return {"actions": ["create"], "before": None, "after": values, "after_unknown": {},
            "before_sensitive": False, "after_sensitive": {}}


def _configuration(resource: dict[str, Any], addresses: dict[str, str], values: dict[str, dict]) -> dict[str, Any]:
    address = addresses[resource["urn"]]
    kind, name = address.split(".", 1)
    entry = {"address": address, "mode": "managed", "type": kind, "name": name, "provider_config_key": "aws",
             "expressions": _expressions(resource, addresses, values), "schema_version": SCHEMA_VERSION}
    explicit = _explicit_dependencies(resource, addresses)
    return {**entry, "depends_on": explicit} if explicit else entry


def _explicit_dependencies(resource: dict[str, Any], addresses: dict[str, str]) -> list[str]:
    """What Pulumi's dependsOn adds to the inputs' own dependencies: Terraform's `depends_on`."""
    used = {urn for urns in resource["options"]["propertyDependencies"].values() for urn in urns}
    return sorted({addresses[u] for u in resource["options"]["dependsOn"] if u not in used and u in addresses})


def _expressions(resource: dict[str, Any], addresses: dict[str, str], values: dict[str, dict]) -> dict[str, Any]:
    """Per input, `references` where its value comes from another resource's attribute, else
    `constant_value`; blocks are lists of objects of expressions, as Terraform writes them."""
    expressions = {}
    dependencies = resource["options"]["propertyDependencies"]
    for key, value in resource["inputs"].items():
        targets = [(addresses[u], values[u]) for u in dependencies.get(key, []) if u in addresses]
        for name, converted in terraform_values(resource["type"], {key: value}, {}).items():
            expression = _expression(name, converted, targets)
            if targets and expression == {"constant_value": converted} and not isinstance(converted, (dict, list)):
                # it comes from those resources, but not as an attribute Terraform code would name
                expression = {"references": [address for address, _ in targets]}
            expressions[name] = expression
    return dict(sorted(expressions.items()))


def _expression(name: str, value: Any, targets: list[tuple[str, dict]]) -> Any:
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):  # blocks
        return [{k: _expression(k, v, targets) for k, v in item.items()} for item in value]
    references = _references(value, targets, ("arn", "id") if name.endswith("arn") else ("id", "arn"))
    return {"references": references} if references else {"constant_value": value}


def _references(value: Any, targets: list[tuple[str, dict]], preferred: tuple[str, str]) -> list[str]:
    """`<address>.<attribute>` then `<address>`, for each target attribute a string value (or a
    string of a list) is or contains (a policy document naming the bucket's ARN), as Terraform
    lists the references of `aws_s3_bucket.raw-bucket.id`. An attribute equal to the value wins
    over attributes found inside it; among equal ones, ``preferred`` (`policy_arn` takes `.arn`
    where an IAM policy's id is its ARN too)."""
    strings = [s for s in (value if isinstance(value, list) else [value]) if isinstance(s, str)]
    found: list[str] = []
    for text in strings:
        exact = [(address, _exact_attribute(text, attributes, preferred)) for address, attributes in targets]
        matches = [m for m in exact if m[1]] or [(a, _inner_attribute(text, attrs, preferred)) for a, attrs in targets]
        found += [part for address, attribute in matches if attribute for part in (f"{address}.{attribute}", address)]
    return list(dict.fromkeys(found))


def _candidates(attributes: dict[str, Any], preferred: tuple[str, str]) -> list[tuple[str, str]]:
    """The identifying attributes (id, ARN, names, URL...) with a value, ``preferred`` first."""
    return sorted(
        ((name, value) for name, value in attributes.items()
         if isinstance(value, str) and value and name.endswith(_IDENTIFIER_SUFFIXES)),
        key=lambda item: (preferred.index(item[0]) if item[0] in preferred else 2, item[0]),
    )


def _exact_attribute(text: str, attributes: dict[str, Any], preferred: tuple[str, str]) -> str | None:
    return next((name for name, value in _candidates(attributes, preferred) if value == text), None)


def _inner_attribute(text: str, attributes: dict[str, Any], preferred: tuple[str, str]) -> str | None:
    """The longest identifying attribute found in ``text`` as a whole word (an ARN followed by `/*`
    or a quote, not by `-dlq`: the name of another queue that starts the same)."""
    inside = [(len(value), -rank, name) for rank, (name, value) in enumerate(_candidates(attributes, preferred))
              if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text)]
    return max(inside)[2] if inside else None
