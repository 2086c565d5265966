"""What no document the builders make may hold, checked over all of them (``tests.iam.generated``
calls every builder with each option on and off)."""

import pytest

from tests.iam.generated import builder_policies

BUILT = {p.name: p.document for p in builder_policies()}
# The only statements allowed what these checks refuse elsewhere, each with its reason.
ROOT_DELEGATION = "EnableIamPolicies"  # kms:* to the account root: IAM then delegates use of the key
ENDPOINT_FILTER = "AllowLakeAccountToListedBuckets"  # s3:* through the endpoint, on listed buckets only


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def allows(name: str) -> list[dict]:
    return [s for s in BUILT[name]["Statement"] if s["Effect"] == "Allow"]


def to_anyone(s: dict) -> bool:
    principal = s.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS", [])))


@pytest.mark.parametrize("name", BUILT)
def test_no_allow_to_anyone_without_a_condition(name):
    assert [s["Sid"] for s in allows(name) if to_anyone(s) and not s.get("Condition")] == []


@pytest.mark.parametrize("name", BUILT)
def test_no_kms_star_but_the_root_delegation(name):
    assert [s["Sid"] for s in allows(name) if "kms:*" in as_list(s["Action"]) and s["Sid"] != ROOT_DELEGATION] == []


@pytest.mark.parametrize("name", BUILT)
def test_no_service_wildcard_in_allows_but_the_endpoint_filter(name):
    wild = [s["Sid"] for s in allows(name) if any(a == "*" or a.endswith(":*") for a in as_list(s["Action"]))]
    assert [sid for sid in wild if sid not in (ROOT_DELEGATION, ENDPOINT_FILTER)] == []


@pytest.mark.parametrize("name", BUILT)
def test_no_allow_of_data_on_every_resource(name):
    """``*`` on S3, SQS or CloudWatch Logs would reach data beyond the lake's."""
    data = ("s3:", "sqs:", "logs:")
    assert [s["Sid"] for s in allows(name)
            if "*" in as_list(s.get("Resource", [])) and any(a.startswith(data) for a in as_list(s["Action"]))] == []
