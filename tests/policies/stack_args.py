"""Hand-built policy-pack arguments, as the Pulumi engine would pass them to a stack policy.

Built from a recorded offline plan (so they match what the program declares), with a hook to
replace property values by pulumi_policy's unknown sentinels, as during a first preview.
"""

from __future__ import annotations

import copy
from typing import Any

from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, StackValidationArgs


def _options(protect: bool) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def stack_args(document: dict[str, Any], edit=None) -> StackValidationArgs:
    """StackValidationArgs of the plan's cloud resources; ``edit(urn, props)`` may change props."""
    resources: dict[str, PolicyResource] = {}
    custom = [r for r in document["resources"] if r["custom"]]
    for r in custom:
        props = copy.deepcopy({**r["inputs"], **r["computed"]})
        if edit is not None:
            edit(r, props)
        resources[r["urn"]] = PolicyResource(
            r["type"], props, r["urn"], r["name"], _options(r["options"]["protect"]), None, None, [], {}
        )
    for r in custom:
        deps = r["options"]["propertyDependencies"]
        resources[r["urn"]].property_dependencies = {
            key: [resources[u] for u in urns if u in resources] for key, urns in deps.items()
        }
    return StackValidationArgs(list(resources.values()))
