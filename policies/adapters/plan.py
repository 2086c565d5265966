"""The lake model of an offline plan (the document of docs/plan-format.md)."""

from __future__ import annotations

from typing import Any

from ..model import Lake
from .resources import LakeContext, ResourceRecord, build_lake


def record_of(resource: dict[str, Any]) -> ResourceRecord:
    options = resource["options"]
    bucket_deps = options["propertyDependencies"].get("bucket") or [None]
    return ResourceRecord(
        type=resource["type"],
        urn=resource["urn"],
        name=resource["name"],
        props={**resource["inputs"], **resource["computed"]},
        protect=options["protect"],
        retain_on_delete=options["retainOnDelete"],
        bucket_urn=bucket_deps[0],
    )


def lake_from_plan(document: dict[str, Any]) -> Lake:
    environment, settings = document["environment"], document["settings"]
    context = LakeContext(
        source="plan",
        account_id=environment["accountId"],
        region=environment["region"],
        partition=environment["partition"],
        production=bool(settings["production"]),
        administrators=tuple(settings["administrators"]),
        deployer=settings.get("deployer"),
    )
    return build_lake((record_of(r) for r in document["resources"] if r["custom"]), context)
