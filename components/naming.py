"""Bucket names of the lake and the S3 naming rules they must follow.

Names are derived, never random: ``<lake>-<stack>-<zone>`` and ``<lake>-<stack>-logs``, so that
the policies (which must name the buckets before they exist) and the people reading a bill agree.
"""

from __future__ import annotations

import re

LOGS_SUFFIX = "logs"
QUERY_RESULTS_SUFFIX = "query-results"
# Zone names that would collide with the lake's own buckets.
RESERVED_ZONE_NAMES = (LOGS_SUFFIX, QUERY_RESULTS_SUFFIX)

# General purpose bucket naming rules:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
# Matched whole (fullmatch: "$" would let a final line break through); ASCII digits only.
_ALLOWED = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_IP_ADDRESS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def zone_bucket_name(lake: str, stack: str, zone: str) -> str:
    return f"{lake}-{stack}-{zone}"


def logs_bucket_name(lake: str, stack: str) -> str:
    return f"{lake}-{stack}-{LOGS_SUFFIX}"


def query_results_bucket_name(lake: str, stack: str) -> str:
    return f"{lake}-{stack}-{QUERY_RESULTS_SUFFIX}"


def glue_database_name(lake: str, stack: str, zone: str) -> str:
    """Glue names allow lowercase letters, digits and underscores: hyphens become underscores."""
    return f"{lake}_{stack}_{zone}".replace("-", "_")


def crawler_role_name(lake: str, stack: str, dataset: str) -> str:
    """IAM role names are at most 64 characters; the config layer checks the derived name."""
    return f"{lake}-{stack}-crawler-{dataset}"


def consumer_role_name(lake: str, stack: str, consumer: str) -> str:
    """The role the lake creates for a ``service`` consumer (IAM: at most 64 characters)."""
    return f"{lake}-{stack}-consumer-{consumer}"


def consumer_policy_name(lake: str, stack: str, consumer: str) -> str:
    """The customer managed policy holding a consumer's grants (IAM: at most 128 characters)."""
    return f"{lake}-{stack}-consumer-{consumer}"


def event_queue_name(lake: str, stack: str, dataset: str) -> str:
    return f"{lake}-{stack}-{dataset}-events"


def bucket_name_problems(name: str) -> list[str]:
    """Why ``name`` is not a valid S3 general purpose bucket name (empty list: it is valid).

    Dots are refused although S3 allows them: a dotted name breaks TLS certificate matching for
    virtual-hosted-style requests, and the lake denies every non-TLS request.
    """
    problems = []
    if not 3 <= len(name) <= 63:
        problems.append(f"bucket name {name!r} is {len(name)} characters long; S3 allows 3 to 63")
    if not _ALLOWED.fullmatch(name):
        problems.append(
            f"bucket name {name!r} may only contain lowercase letters, digits and hyphens, "
            "and must begin and end with a letter or digit"
        )
    if "." in name:
        problems.append(f"bucket name {name!r} contains a dot, which breaks TLS for virtual-hosted requests")
    if _IP_ADDRESS.fullmatch(name):
        problems.append(f"bucket name {name!r} is formatted as an IP address")
    problems += [
        f"bucket name {name!r} starts with the reserved prefix '{p}'"
        for p in RESERVED_BUCKET_PREFIXES
        if name.startswith(p)
    ]
    problems += [
        f"bucket name {name!r} ends with the reserved suffix '{s}'"
        for s in RESERVED_BUCKET_SUFFIXES
        if name.endswith(s)
    ]
    return problems
