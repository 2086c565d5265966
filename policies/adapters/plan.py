"""The lake model of an offline plan (the document of docs/plan-format.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model import Lake
from .consumers import external_principals, plan_consumers
from .resources import LakeContext, ResourceRecord, build_lake


def record_of(resource: dict[str, Any]) -> ResourceRecord:
    options = resource["options"]
    return ResourceRecord(
        type=resource["type"],
        urn=resource["urn"],
        name=resource["name"],
        props={**resource["inputs"], **resource["computed"]},
        protect=options["protect"],
        retain_on_delete=options["retainOnDelete"],
        dependencies={prop: urns[0] for prop, urns in options["propertyDependencies"].items() if urns},
    )


def planned_allowlist(document: dict[str, Any]) -> tuple[str, ...]:
    """The buckets outside the lake that the stack's network settings let through the endpoint."""
    return tuple(document["settings"]["network"]["allowed_buckets"])


def config_named_principals(settings: dict[str, Any]) -> tuple[str, ...]:
    """The principals the stack config names explicitly: its administrators and its deployer.

    A principal of another account among them is the config's decision (`lake plan` warns about
    it), so LAKE.12 does not report it; any other foreign principal in a lake policy it does."""
    deployer = settings.get("deployer")
    return tuple(dict.fromkeys((*settings["administrators"], *((deployer,) if deployer else ()))))


def lake_from_plan(document: dict[str, Any]) -> Lake:
    environment, settings = document["environment"], document["settings"]
    context = LakeContext(
        source="plan",
        account_id=environment["accountId"],
        region=environment["region"],
        partition=environment["partition"],
        production=bool(settings["production"]),
        # No explicit setting: the perimeter is on in production (settings.perimeter_enabled).
        perimeter=bool(settings["production"] if settings.get("perimeter") is None else settings["perimeter"]),
        administrators=tuple(settings["administrators"]),
        deployer=settings.get("deployer"),
        allowed_buckets=planned_allowlist(document),
    )
    records = [record_of(r) for r in document["resources"] if r["custom"]]
    model = build_lake(records, context)
    consumers = plan_consumers(document, records, bool(context.perimeter))
    # External consumers' roles are named by the config too: the bucket and key policies grant them.
    return replace(model, consumers=consumers,
                   trusted_principals=(*config_named_principals(settings), *external_principals(consumers)))
