"""The consumers a deployed stack exports (the stack output ``consumers``, ``__main__.py``): what
`lake audit --stack-outputs` knows of their config without a plan (a plan, when given, stays
authoritative): each consumer's kind, principal, declared grants and ``requireEndpoint``, a service
consumer's service, a principal's ``attach``, and an external consumer's identity policy, which its
own account attaches. The account is then read for them as against a plan (``consumers.py``).

Each grant is resolved to its zone's bucket through ``zoneBuckets``. A query grant reads the zone's
Glue database, named from the lake's namespace ``<lake>-<stack>`` (components/naming.py), which is
the zone bucket's name without ``-<zone>``: ``glue_database_name`` turns every hyphen into an
underscore, so where the namespace splits into lake and stack does not change the name. A bucket
named otherwise (a hand-written file) leaves that database unknown, and LAKE.16 with it.

Exports written before ``service`` and ``attach`` were exported lack them: a service is then
taken from the role's trust policy, as without outputs, and ``attach`` is unknown. An entry of any
other shape is refused with its key path (``SelectionError``), by `lake audit` before its first
request (lake/inputs.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from components.naming import glue_database_name
from components.settings import ACCESS_LEVELS, CONSUMER_SERVICES

from ...model import UNKNOWN, Consumer, ConsumerGrant
from .selection import SelectionError

FOUND_BY = "the stack outputs"  # what LAKE.11 says tied a consumer's untagged policy or role to the lake
KINDS = ("service", "principal", "external")
NAME = re.compile(r"[a-z0-9][a-z0-9-]*", re.ASCII)  # lake/config/schema.json: a consumer's name
IAM_PRINCIPAL = re.compile(r"arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]{1,512}", re.ASCII)


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _problem(path: str, text: str) -> SelectionError:
    return SelectionError(f"{path}: {text}")


def exported_consumers(outputs: Mapping[str, Any]) -> tuple[Consumer, ...]:
    """The consumers of ``pulumi stack output --json``, sorted by name; none without ``consumers``."""
    declared = outputs.get("consumers")
    if declared is None:
        return ()
    if not isinstance(declared, dict):
        raise _problem("consumers", f"{_shown(declared)} is not an object of consumers by name")
    zones = {zone: b["name"] if isinstance(b, dict) else str(b) for zone, b in outputs["zoneBuckets"].items()}
    return tuple(_consumer(name, declared[name], zones) for name in sorted(declared))


def _consumer(name: str, entry: Any, zones: dict[str, str]) -> Consumer:
    path = f"consumers.{name}"
    if not NAME.fullmatch(name):
        raise _problem("consumers", f"{_shown(name)} is not a consumer name (lowercase letters, digits, hyphens)")
    if not isinstance(entry, dict):
        raise _problem(path, f"{_shown(entry)} is not an object")
    kind = _field(entry, path, "kind", lambda v: _among(v, KINDS), "service, principal or external")
    principal = _field(entry, path, "principalArn", lambda v: isinstance(v, str) and IAM_PRINCIPAL.fullmatch(v),
                       "the ARN of an IAM role or user")
    identity = _field(entry, path, "identityPolicy", _is_document, "a policy document as a JSON string")
    return Consumer(
        name=name, ref=f"consumer:{name}", kind=kind, principal_arn=principal,
        grants=_grants(entry, path, zones),
        require_endpoint=_field(entry, path, "requireEndpoint", lambda v: isinstance(v, bool), "true or false"),
        policies=(json.loads(identity),) if kind == "external" else (),
        service=_service(entry, path) if kind == "service" else None,
        attach=_attach(entry, path) if kind == "principal" else kind == "service",
    )


def _field(entry: dict[str, Any], path: str, key: str, valid: Callable[[Any], Any], expected: str) -> Any:
    if key not in entry:
        raise _problem(path, f"no '{key}' ({expected})")
    if not valid(entry[key]):
        raise _problem(f"{path}.{key}", f"{_shown(entry[key])} is not {expected}")
    return entry[key]


def _among(value: Any, known: Any) -> bool:
    return isinstance(value, str) and value in known  # a list or an object is no dict key


def _is_document(value: Any) -> bool:
    try:
        return isinstance(value, str) and isinstance(json.loads(value), dict)
    except (ValueError, RecursionError):
        return False


def _service(entry: dict[str, Any], path: str) -> str | None:
    """The service principal; None when an older export does not say (the role's trust policy tells)."""
    if "service" not in entry:
        return None
    return CONSUMER_SERVICES[_field(entry, path, "service", lambda v: _among(v, CONSUMER_SERVICES),
                                    f"one of {', '.join(CONSUMER_SERVICES)}")]


def _attach(entry: dict[str, Any], path: str) -> bool | None:
    """None when an older export does not say."""
    return _field(entry, path, "attach", lambda v: isinstance(v, bool), "true or false") if "attach" in entry else None


def _grants(entry: dict[str, Any], path: str, zones: dict[str, str]) -> tuple[ConsumerGrant, ...]:
    listed = _field(entry, path, "grants", lambda v: isinstance(v, list), "a list of grants")
    return tuple(_grant(grant, f"{path}.grants[{index}]", zones) for index, grant in enumerate(listed))


def _grant(grant: Any, path: str, zones: dict[str, str]) -> ConsumerGrant:
    if not isinstance(grant, dict):
        raise _problem(path, f"{_shown(grant)} is not an object")
    known = ", ".join(map(json.dumps, zones))  # quoted: a zone name may hold a line break
    zone = _field(grant, path, "zone", lambda v: _among(v, zones), f"a zone of zoneBuckets: {known}")
    access = _field(grant, path, "access", lambda v: _among(v, ACCESS_LEVELS), f"one of {', '.join(ACCESS_LEVELS)}")
    prefixes = grant.get("prefixes", [])  # () in the model: the whole zone
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and p for p in prefixes):
        raise _problem(f"{path}.prefixes", f"{_shown(prefixes)} is not a list of key prefixes")
    return ConsumerGrant(zone, zones[zone], access, tuple(prefixes),
                         _database(zones[zone], zone) if access == "query" else None)


def _database(bucket: str, zone: str) -> Any:
    """The zone's Glue database, from its bucket's name ``<lake>-<stack>-<zone>``; else UNKNOWN."""
    namespace = bucket.removesuffix(f"-{zone}")
    lake, _, stack = namespace.rpartition("-")
    if namespace == bucket or not lake or not stack:
        return UNKNOWN
    return glue_database_name(lake, stack, zone)
