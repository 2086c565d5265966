"""What a consumer's grants declare it may do, request by request.

Two rules ask: LAKE.16 (``access/consumers.py``), which proves that exactly these requests are
allowed, and LAKE.10, which judges a consumer role's reach against them (``purposes.py``). The
access levels are those ``components/documents/consumer_access.py`` builds:

- read: get the objects of its places, list them (``s3:prefix`` in a place), locate the bucket;
- write: put objects there, with the multipart actions a large upload needs; locate the bucket;
- delete: ``s3:DeleteObject`` there (a delete marker on a versioned bucket), nothing else;
- query: the zone's objects only through Athena (get, list, locate), plus the workgroup's results
  place, read and written directly ("results" below).

``requireEndpoint`` binds the direct requests to the zone buckets to the lake's endpoint; the
results place stays reachable from anywhere, since Athena writes there from its own network
(``unbound``).

KMS: decrypting through S3 for every level that reads or writes objects, generating data keys
through S3 for writers and queries, decrypting through Glue (the encrypted Data Catalog) for queries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .model import Consumer, ConsumerGrant, Lake, is_unknown

RESULTS = "results"  # the workgroup's results place of a consumer with a query grant
WRITE_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")
# Object actions each level allows on its places, called directly, then through Athena.
DIRECT_OBJECT = {"read": ("s3:GetObject",), "write": WRITE_ACTIONS, "delete": ("s3:DeleteObject",),
                 RESULTS: ("s3:GetObject", *WRITE_ACTIONS)}
THROUGH_ATHENA_OBJECT = {"query": ("s3:GetObject",)}
DIRECT_LISTS, THROUGH_ATHENA_LISTS = ("read", RESULTS), ("query",)
DIRECT_LOCATES, THROUGH_ATHENA_LOCATES = ("read", "write", RESULTS), ("query",)
KMS_THROUGH_S3 = {"read": ("kms:Decrypt",), "write": ("kms:Decrypt", "kms:GenerateDataKey"),
                  "query": ("kms:Decrypt", "kms:GenerateDataKey")}


@dataclass(frozen=True)
class Place:
    """Where one access level applies: a bucket, all of it or the keys under some prefixes."""

    access: str  # an access level, or RESULTS
    bucket: str
    prefixes: tuple[str, ...] = ()  # (): the whole bucket

    def covers(self, bucket: str, key: str | None) -> bool:
        """``key``: an object key or an ``s3:prefix``; None (a listing without ``s3:prefix``) is
        covered only by a whole-bucket place."""
        if bucket != self.bucket:
            return False
        return not self.prefixes or (key is not None and any(key.startswith(p) for p in self.prefixes))

    def describe(self) -> str:
        return ", ".join(f"{self.access} s3://{self.bucket}/{p}" for p in self.prefixes or ("*",))


@dataclass(frozen=True)
class Declared:
    """A consumer's declared access: its grants' places, and its query results' places."""

    places: tuple[Place, ...]

    @staticmethod
    def of(grants: tuple[ConsumerGrant, ...], results: tuple[tuple[str, str], ...]) -> Declared:
        """``results``: (bucket, prefix) of each workgroup's results, a place only with a query grant."""
        places = tuple(Place(g.access, g.bucket, g.prefixes) for g in grants)
        if any(g.access == "query" for g in grants):
            places += tuple(Place(RESULTS, bucket, (prefix,) if prefix else ()) for bucket, prefix in results)
        return Declared(places)

    def _any(self, levels: Collection[str], bucket: str, key: str | None) -> bool:
        return any(p.access in levels and p.covers(bucket, key) for p in self.places)

    def object_action(self, action: str, bucket: str, key: str, through_athena: bool = False) -> bool:
        table = THROUGH_ATHENA_OBJECT if through_athena else DIRECT_OBJECT
        return self._any({level for level, actions in table.items() if action in actions}, bucket, key)

    def lists(self, bucket: str, prefix: str | None, through_athena: bool = False) -> bool:
        return self._any(THROUGH_ATHENA_LISTS if through_athena else DIRECT_LISTS, bucket, prefix)

    def locates(self, bucket: str, through_athena: bool = False) -> bool:
        levels = THROUGH_ATHENA_LOCATES if through_athena else DIRECT_LOCATES
        return any(p.access in levels and p.bucket == bucket for p in self.places)

    def uses_key(self, action: str, via: str | None) -> bool:
        """``via``: "s3", "glue", or None for a direct call (never declared)."""
        if via == "glue":
            return action == "kms:Decrypt" and self.queries
        return via == "s3" and any(action in KMS_THROUGH_S3.get(p.access, ()) for p in self.places)

    @property
    def unbound(self) -> Declared:
        """What ``requireEndpoint`` leaves reachable from outside the endpoint: the results places."""
        return Declared(tuple(p for p in self.places if p.access == RESULTS))

    @property
    def queries(self) -> bool:
        return any(p.access == "query" for p in self.places)

    def prefixes_in(self, bucket: str) -> tuple[str, ...]:
        """The distinct prefixes of its places in ``bucket``, sorted; ``("",)``: the whole bucket."""
        found = {prefix for p in self.places if p.bucket == bucket for prefix in p.prefixes or ("",)}
        return ("",) if "" in found else tuple(sorted(found))

    @property
    def buckets(self) -> set[str]:
        """The buckets its places name: no request to any other bucket is declared."""
        return {p.bucket for p in self.places}

    @property
    def targets(self) -> tuple[tuple[str, str], ...]:
        """(bucket, prefix) of every place, "" for a whole bucket: where its requests go."""
        return tuple((bucket, prefix) for bucket in sorted(self.buckets) for prefix in self.prefixes_in(bucket))

    def describe(self) -> str:
        """``read s3://b/*, write s3://c/features/``."""
        return ", ".join(p.describe() for p in self.places)


def results_places(model: Lake) -> tuple[tuple[str, str], ...] | None:
    """(bucket, prefix) where each lake workgroup writes query results; None while one is unknown."""
    places = []
    for workgroup in model.workgroups:
        location = workgroup.output_location
        if is_unknown(location):
            return None
        if isinstance(location, str) and location.startswith("s3://"):
            bucket, _, prefix = location.removeprefix("s3://").partition("/")
            places.append((bucket, prefix))
    return tuple(places)


def declared_of(consumer: Consumer, model: Lake) -> Declared | str:
    """The consumer's declared access, or why it cannot be known."""
    grants = consumer.grants
    if is_unknown(grants):
        return f"the grants of consumer {consumer.name} cannot be known (lake audit --against-plan or --stack-outputs knows them)"
    grants = tuple(grants or ())
    results = results_places(model)
    if results is None and any(g.access == "query" for g in grants):
        return "where the lake's workgroup writes query results cannot be known before deployment"
    return Declared.of(grants, results or ())
