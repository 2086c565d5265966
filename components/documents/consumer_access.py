"""The documents that give a consumer (``datalake:consumers``) exactly its declared access.

Each access level of a grant (``prefixes`` () = the whole zone) becomes these statements:

- read: locate the bucket (s3:GetBucketLocation), list it (s3:ListBucket; with prefixes only
  under them, ``StringLike s3:prefix``), get the current objects under the prefixes
  (s3:GetObject), and decrypt them through S3;
- write: put objects under the prefixes, multipart uploads included (CreateMultipartUpload,
  UploadPart and CompleteMultipartUpload are s3:PutObject; abort and list parts have their own
  actions), and the key's data keys through S3 (an upload in parts needs kms:Decrypt too);
- delete: s3:DeleteObject under the prefixes. Versioned buckets keep the data as a noncurrent
  version: s3:DeleteObjectVersion, which destroys it, is never granted, nor any policy or bucket
  administration;
- query: Athena on the lake's workgroup, the Glue tables of the zone's database, the zone's data
  read only through Athena (``aws:CalledVia``), the workgroup's results prefix, and the key through
  S3 and through Glue (the Data Catalog is encrypted with it).

Grants with the same conditions merge into one statement across zones and prefixes. With
``require_endpoint`` every direct S3 statement on a zone bucket also needs the lake's endpoint
(``aws:SourceVpce``). Not the KMS, Athena and Glue statements (those calls do not go through the
endpoint), nor what Athena does for the consumer: reading the zone through Athena and writing the
results, which Athena does from its own network with the consumer's credentials.

Sids name what a statement allows (``ReadObjects``, ``ListCuratedPrefixes``): the access matrix and
the findings name statements by them. Zone and consumer names enter Sids through ``sid_word``,
which never gives two names the same word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..settings import GrantSettings
from .arns import regional_service
from .crawler_role import catalog_arns
from .grants import objects_under
from .statements import PolicyDocument, Statement, policy_document, service_may_assume

LOCATE_ACTION = "s3:GetBucketLocation"
LIST_ACTION = "s3:ListBucket"
READ_ACTION = "s3:GetObject"
# CreateMultipartUpload, UploadPart and CompleteMultipartUpload are authorised as s3:PutObject.
WRITE_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")
DELETE_ACTION = "s3:DeleteObject"
QUERY_ACTIONS = (
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetWorkGroup",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
)
CATALOG_READ_ACTIONS = (
    "glue:BatchGetPartition",
    "glue:GetDatabase",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
    "glue:GetTables",
)
# Athena writes the results and the consumer reads them back (GetQueryResults, or the console).
RESULTS_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject")
ATHENA_SERVICE = "athena.amazonaws.com"
DECRYPT = "kms:Decrypt"
GENERATE_DATA_KEY = "kms:GenerateDataKey"

# Access levels that use the key through S3: to decrypt, and to generate data keys.
_DECRYPTING = frozenset({"read", "write", "query"})
_GENERATING = frozenset({"write", "query"})

_DECODABLE = re.compile(r"[a-z0-9]+(-[a-z][a-z0-9]*)*")


@dataclass(frozen=True)
class LakeTarget:
    """What a consumer's documents name, resolved (plain strings: call inside an ``apply``)."""

    partition: str
    region: str
    account_id: str  # the lake's account
    key_arn: str
    zone_buckets: Mapping[str, str]  # zone -> bucket ARN
    databases: Mapping[str, str]  # zone -> Glue database name
    workgroup: str  # the Athena workgroup's name
    results_bucket_arn: str
    results_prefix: str  # "results/": where the workgroup writes query results
    endpoint_id: str | None = None  # the lake's S3 endpoint (``requireEndpoint``)


# --- Names


def sid_word(name: str) -> str:
    """A zone or consumer name as letters and digits for a Sid, different for different names.

    CamelCase (``bi-analysts`` -> ``BiAnalysts``) when every "-" is followed by a letter: then the
    word reads back into the name (an inner capital is "-" and its letter), and it starts with a
    capital or a digit. Any other name (``tier-2``, ``raw_data``) is spelled "x", then the name
    with "-" as "D" and "_" as "U": it starts with a lowercase letter, so it is no CamelCase word,
    and it too reads back (its only capitals are D and U).
    """
    if _DECODABLE.fullmatch(name):
        return "".join(part[:1].upper() + part[1:] for part in name.split("-"))
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise ValueError(f"a zone or consumer name holds a-z, 0-9, '-' and '_' only, got {name!r}")
    return "x" + name.replace("-", "D").replace("_", "U")


# --- Scopes: where a grant applies


@dataclass(frozen=True)
class _Scope:
    """One access level on one zone bucket: the whole bucket (``prefixes`` ()) or some prefixes."""

    zone: str
    bucket_arn: str
    prefixes: tuple[str, ...]

    @property
    def objects(self) -> list[str]:
        return [objects_under(self.bucket_arn, p) for p in self.prefixes or ("",)]


def _merge(grants: Iterable[GrantSettings]) -> dict[str, tuple[str, ...]]:
    """zone -> prefixes of the grants given (of one access level); a whole-zone grant wins."""
    merged: dict[str, tuple[str, ...]] = {}
    for grant in grants:
        whole = not grant.prefixes or merged.get(grant.zone) == ()
        merged[grant.zone] = () if whole else tuple(sorted({*merged.get(grant.zone, ()), *grant.prefixes}))
    return merged


def _scopes(grants: Sequence[GrantSettings], access: str, buckets: Mapping[str, str]) -> list[_Scope]:
    """The scopes of ``access`` among ``grants``, by zone name."""
    for grant in grants:
        if grant.zone not in buckets:
            raise ValueError(f"grant on zone {grant.zone!r}: the lake has no such zone")
    merged = _merge(g for g in grants if g.access == access)
    return [_Scope(zone, buckets[zone], merged[zone]) for zone in sorted(merged)]


# --- S3 statements


def _statement(sid: str, actions: Sequence[str], resources: Sequence[str], condition: dict | None = None) -> Statement:
    """One Allow; a single action or resource is written as a string, several as a sorted list."""
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions[0] if len(actions) == 1 else sorted(actions),
        "Resource": resources[0] if len(resources) == 1 else sorted(resources),
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _with(condition: dict, extra: dict) -> dict:
    """Both conditions, keys of the same operator merged."""
    merged = {op: dict(keys) for op, keys in condition.items()}
    for op, keys in extra.items():
        merged.setdefault(op, {}).update(keys)
    return merged


def _prefix_condition(prefixes: tuple[str, ...]) -> dict:
    """``*`` also matches the empty string: a listing of the prefix itself passes."""
    return {"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}}


def _listing(scopes: list[_Scope], stem: str, condition: dict) -> list[Statement]:
    """s3:ListBucket: whole zones in one statement (``<stem>Zones``), each prefixed zone in its own
    (``<stem><Zone>Prefixes``: its prefix condition applies to every resource of the statement)."""
    whole = [s.bucket_arn for s in scopes if not s.prefixes]
    statements = [_statement(f"{stem}Zones", [LIST_ACTION], whole, condition)] if whole else []
    statements += [
        _statement(f"{stem}{sid_word(s.zone)}Prefixes", [LIST_ACTION], [s.bucket_arn],
                   _with(condition, _prefix_condition(s.prefixes)))
        for s in scopes if s.prefixes
    ]
    return statements


def _objects(sid: str, actions: Sequence[str], scopes: list[_Scope], condition: dict) -> list[Statement]:
    resources = [arn for s in scopes for arn in s.objects]
    return [_statement(sid, actions, resources, condition)] if resources else []


def _direct_s3(grants: Sequence[GrantSettings], buckets: Mapping[str, str], condition: dict) -> list[Statement]:
    """The S3 statements of the read, write and delete grants, each with ``condition``."""
    reads, writes, deletes = (_scopes(grants, access, buckets) for access in ("read", "write", "delete"))
    located = sorted({s.bucket_arn for s in reads + writes})
    return [
        *([_statement("LocateBuckets", [LOCATE_ACTION], located, condition)] if located else []),
        *_listing(reads, "List", condition),
        *_objects("ReadObjects", [READ_ACTION], reads, condition),
        *_objects("WriteObjects", WRITE_ACTIONS, writes, condition),
        *_objects("DeleteObjects", [DELETE_ACTION], deletes, condition),
    ]


# --- Query statements


def _query(grants: Sequence[GrantSettings], lake: LakeTarget) -> list[Statement]:
    """Athena on the workgroup, the zones' tables, their data through Athena only, and the results."""
    scopes = _scopes(grants, "query", lake.zone_buckets)
    if not scopes:
        return []
    for scope in scopes:
        if scope.zone not in lake.databases:
            raise ValueError(f"query grant on zone {scope.zone!r}: the lake has no Glue database for it")
    through_athena = {"ForAnyValue:StringEquals": {"aws:CalledVia": ATHENA_SERVICE}}
    results = lake.results_bucket_arn
    return [
        _statement("QueryWorkgroup", QUERY_ACTIONS, [_workgroup_arn(lake)]),
        _statement("ReadCatalog", CATALOG_READ_ACTIONS, _catalog(lake, [s.zone for s in scopes])),
        _statement("AthenaLocateBuckets", [LOCATE_ACTION], [s.bucket_arn for s in scopes], through_athena),
        *_listing(scopes, "AthenaList", through_athena),
        *_objects("AthenaReadObjects", [READ_ACTION], scopes, through_athena),
        _statement("LocateQueryResults", [LOCATE_ACTION], [results]),
        _statement("ListQueryResults", [LIST_ACTION], [results], _prefix_condition((lake.results_prefix,))),
        _statement("UseQueryResults", RESULTS_ACTIONS, [objects_under(results, lake.results_prefix)]),
    ]


def _workgroup_arn(lake: LakeTarget) -> str:
    return f"arn:{lake.partition}:athena:{lake.region}:{lake.account_id}:workgroup/{lake.workgroup}"


def _catalog(lake: LakeTarget, zones: list[str]) -> list[str]:
    arns = (catalog_arns(lake.partition, lake.region, lake.account_id, lake.databases[z]) for z in zones)
    return sorted({arn for group in arns for arn in group})


# --- KMS statements


def _key_use(sid: str, actions: Sequence[str], lake: LakeTarget, service: str, caller_account: str) -> Statement:
    condition = {"StringEquals": {
        "kms:CallerAccount": caller_account,
        "kms:ViaService": regional_service(service, lake.region),
    }}
    return _statement(sid, actions, [lake.key_arn], condition)


def _kms(grants: Sequence[GrantSettings], lake: LakeTarget, caller_account: str) -> list[Statement]:
    levels = {g.access for g in grants}
    actions = [action for action, users in ((DECRYPT, _DECRYPTING), (GENERATE_DATA_KEY, _GENERATING))
               if levels & users]
    statements = [_key_use("UseKeyThroughS3", actions, lake, "s3", caller_account)] if actions else []
    if "query" in levels:
        statements.append(_key_use("DecryptCatalogThroughGlue", [DECRYPT], lake, "glue", caller_account))
    return statements


# --- The documents


def _check_access(grants: Sequence[GrantSettings], allowed: Sequence[str]) -> None:
    for grant in grants:
        if grant.access not in allowed:
            raise ValueError(f"grant on zone {grant.zone!r}: access {grant.access!r} is not one of {list(allowed)}")


def consumer_identity_policy(
    grants: Sequence[GrantSettings], lake: LakeTarget, *, caller_account: str, require_endpoint: bool
) -> PolicyDocument:
    """The identity policy of one consumer: every grant with its KMS half (through S3 only,
    ``kms:CallerAccount`` = ``caller_account``, the consumer's own account)."""
    _check_access(grants, ("read", "write", "delete", "query"))
    if require_endpoint and not lake.endpoint_id:
        raise ValueError("require_endpoint needs the lake's endpoint id")
    endpoint = {"StringEquals": {"aws:SourceVpce": lake.endpoint_id}} if require_endpoint else {}
    return policy_document([
        *_direct_s3(grants, lake.zone_buckets, endpoint),
        *_query(grants, lake),
        *_kms(grants, lake, caller_account),
    ])


def service_trust_policy(service_principal: str, account_id: str) -> PolicyDocument:
    """Trust policy of a role the lake creates for a service consumer: that service only, for
    the lake's account (``aws:SourceAccount``: the confused-deputy protection)."""
    return policy_document([service_may_assume("AllowServiceToAssumeRole", service_principal, account_id)])


# Sid endings of a consumer's bucket statements, by the identity statement they copy. No ending is
# the end of another, so "Consumer" + word + ending is unique across consumers and statements.
_BUCKET_SIDS = {"LocateBuckets": "Locate", "ListZones": "List", "ReadObjects": "Read", "WriteObjects": "Write",
                "DeleteObjects": "Delete"}


def consumer_bucket_statements(
    consumer: str, principal_arn: str, bucket_arn: str, grants: Sequence[GrantSettings]
) -> list[Statement]:
    """Bucket policy statements granting an external consumer's role its grants on one bucket
    (``grants`` are the consumer's grants on this bucket's zone).

    The identity policy's statements for this bucket, with the role as Principal: cross-account,
    both sides must allow. Never the endpoint condition: other accounts cannot use the lake's
    endpoint."""
    _check_access(grants, ("read", "write", "delete"))
    zones = {g.zone for g in grants}
    if len(zones) > 1:
        raise ValueError(f"grants of one bucket are on one zone, got {sorted(zones)}")
    statements = _direct_s3(grants, dict.fromkeys(zones, bucket_arn), {})
    prefix = f"Consumer{sid_word(consumer)}"
    return [
        {"Sid": prefix + _bucket_sid(s["Sid"]), "Effect": "Allow", "Principal": {"AWS": principal_arn},
         **{k: v for k, v in s.items() if k not in ("Sid", "Effect")}}
        for s in statements
    ]


def _bucket_sid(identity_sid: str) -> str:
    """One bucket: at most one listing statement, whether on the whole zone or on prefixes."""
    return "List" if identity_sid.startswith("List") else _BUCKET_SIDS[identity_sid]


def external_key_grants(consumers: Mapping[str, Sequence[GrantSettings]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(roles that decrypt through S3, roles that also generate data keys through S3) among the
    external consumers' role ARNs -> their grants."""
    decrypt = sorted(arn for arn, grants in consumers.items() if any(g.access in _DECRYPTING for g in grants))
    data_key = sorted(arn for arn, grants in consumers.items() if any(g.access == "write" for g in grants))
    return tuple(decrypt), tuple(data_key)
