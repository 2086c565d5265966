"""Which consumer is calling, and do its declared grants cover what the lake refused?

The stack outputs carry ``consumers`` (written by ``__main__.py`` from ``datalake:consumers``):
each consumer's principal ARN and grants (zone, access level, prefixes). When the lake refuses a
request, the data client asks STS who it is (once per client); when that is a consumer whose
grants do not cover the operation on this zone and key, the hint names the missing grant and
where to declare it. When they do cover it, the denial has another cause, and the bucket policy
is replayed as for anyone (``diagnose.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The data client's S3 actions -> the access level that grants them (components/documents/consumer_access.py).
# A listing's prefix is not known here: any read grant on the zone covers ListBucket.
LEVEL_OF_ACTION = {
    "s3:GetObject": "read",
    "s3:GetObjectVersion": "read",
    "s3:ListBucket": "read",
    "s3:PutObject": "write",
    "s3:DeleteObject": "delete",
}


@dataclass(frozen=True)
class Grant:
    zone: str
    access: str  # read, write, delete, query
    prefixes: tuple[str, ...] = ()  # () = the whole zone

    def covers(self, zone: str, access: str, key: str | None) -> bool:
        if (self.zone, self.access) != (zone, access):
            return False
        return key is None or not self.prefixes or key.startswith(self.prefixes)

    def __str__(self) -> str:
        where = f" under {', '.join(self.prefixes)}" if self.prefixes else ""
        return f"{self.access} on {self.zone}{where}"


@dataclass(frozen=True)
class Consumer:
    name: str
    principal_arn: str
    grants: tuple[Grant, ...]

    def listed_grants(self) -> str:
        return "; ".join(map(str, self.grants)) or "none"

    def missing_grant(self, zone: str, action: str, key: str | None) -> str | None:
        """The hint when its grants do not cover ``action`` on ``key`` in ``zone``; None when they do."""
        level = LEVEL_OF_ACTION.get(action)
        theirs = f"(its grants: {self.listed_grants()})"
        if level is None:
            return (f"consumer '{self.name}' cannot be granted {action}: no consumer access level includes it "
                    f"{theirs}; ask the lake's administrators")
        if any(grant.covers(zone, level, key) for grant in self.grants):
            return None
        partial = [g for g in self.grants if (g.zone, g.access) == (zone, level)]
        if partial:
            prefixes = ", ".join(p for g in partial for p in g.prefixes)
            return (f"consumer '{self.name}' has a {level} grant on zone '{zone}' only under {prefixes}, not on "
                    f"{key} {theirs}: add a prefix of it to that grant's prefixes in datalake:consumers")
        return (f"consumer '{self.name}' has no {level} grant on zone '{zone}' {theirs}: add "
                f"{{zone: {zone}, access: {level}}} to its grants in datalake:consumers")


def _grants(entries: Any) -> tuple[Grant, ...]:
    listed = entries if isinstance(entries, list) else []
    return tuple(Grant(str(g["zone"]), str(g["access"]), tuple(g.get("prefixes") or ()))
                 for g in listed if isinstance(g, Mapping) and "zone" in g and "access" in g)


def consumers_of(outputs: Mapping[str, Any]) -> tuple[Consumer, ...]:
    """The consumers of stack outputs (``consumers: {name: {principalArn, grants, ...}}``); none
    when the stack declares none (or predates them). They serve only hints, so an entry of another
    shape (a hand-written file) is left out rather than stopping the client."""
    declared = outputs.get("consumers")
    if not isinstance(declared, Mapping):
        return ()
    return tuple(Consumer(str(name), entry["principalArn"], _grants(entry.get("grants")))
                 for name, entry in sorted(declared.items())
                 if isinstance(entry, Mapping) and isinstance(entry.get("principalArn"), str))


@dataclass(frozen=True)
class ZoneConsumers:
    """The consumers declared for the lake, seen from one zone's bucket."""

    zone: str
    consumers: tuple[Consumer, ...]

    def hint(self, caller_arn: str | None, action: str, key: str | None) -> str | None:
        """The missing grant of the consumer ``caller_arn`` is (its role ARN for a session); None when
        the caller is no consumer, or its grants cover the request."""
        consumer = next((c for c in self.consumers if caller_arn and c.principal_arn == caller_arn), None)
        return None if consumer is None else consumer.missing_grant(self.zone, action, key)
