"""The lake model of an offline plan (the document of docs/plan-format.md)."""

from __future__ import annotations

from typing import Any

from ..model import Lake
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
    )
    return build_lake((record_of(r) for r in document["resources"] if r["custom"]), context)
