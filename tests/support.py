"""Test helpers that read like the CDK's assertions: find, count and match recorded resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lake.plan.mocks import DEFAULT_ACCOUNT_ID, MockEnvironment
from lake.plan.recorder import RecordedResource

REPO = Path(__file__).resolve().parent.parent
ENV = MockEnvironment(account_id=DEFAULT_ACCOUNT_ID, region="us-east-1")
ACCOUNT = DEFAULT_ACCOUNT_ID
KEY_TYPE = "aws:kms/key:Key"
BUCKET_TYPE = "aws:s3/bucket:Bucket"
POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy"


def s3_type(name: str) -> str:
    """``BucketVersioning`` -> ``aws:s3/bucketVersioning:BucketVersioning``."""
    return f"aws:s3/{name[0].lower()}{name[1:]}:{name}"


def is_subset(expected: Any, actual: Any) -> bool:
    """True when every key of ``expected`` (recursively) is in ``actual`` with the same value."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and is_subset(v, actual[k]) for k, v in expected.items())
    return expected == actual


class Resources:
    def __init__(self, resources: list[RecordedResource]):
        self.all = resources

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.all if r.type == type_]

    def count(self, type_: str) -> int:
        return len(self.of_type(type_))

    def one(self, type_: str, name: str) -> RecordedResource:
        matches = [r for r in self.of_type(type_) if r.name == name]
        assert len(matches) == 1, f"expected one {type_} named {name}, found {len(matches)}"
        return matches[0]

    def has_resource(self, type_: str, props: dict[str, Any]) -> bool:
        return any(is_subset(props, r.inputs) for r in self.of_type(type_))

    def by_urn(self, urn: str) -> RecordedResource:
        return next(r for r in self.all if r.urn == urn)

    def policy_of(self, type_: str, name: str, field: str = "policy") -> dict[str, Any]:
        return json.loads(self.one(type_, name).inputs[field])


def record_component(declare: Callable[[], Any], stack: str = "test"):
    """Declare one component in a fresh mock runtime; return its Resources and the Recording."""
    from lake.plan.runner import record

    recording = record(declare, project="datalake", stack=stack, config={}, env=ENV)
    return Resources(recording.resources), recording


def statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    matches = [s for s in document["Statement"] if s["Sid"] == sid]
    assert len(matches) == 1, f"expected one statement {sid}"
    return matches[0]
