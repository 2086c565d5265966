"""The policy gate judges a request signed by an assumed role as AWS does: the role's identity
policies with the bucket policy (an implicit deny refuses too), and the lake key's policy on the
KMS call S3 makes for an SSE-KMS read or write. moto's default credentials keep the gate's
bucket-policy-only behaviour (tests/live/test_gate.py).

The dev plan is applied once per module to a gated backend; the consumer roles are created in
moto's IAM with the lake's own consumer policies (consumer_identity_policy), and assumed through
moto's STS.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from components.settings import GrantSettings
from lake.sandbox.apply import apply_plan
from lake.sandbox.callers import access_key_id, role_policies
from lake.sandbox.serve import gated_servers
from lake.sandbox.server import client
from tests.live.consumer_roles import assumed_session, create_consumer, identity_policy, s3_of
from tests.live.support import reset
from tests.live.test_gate import Lake

CURATED = "mlteam-dev-curated"
PROCESSED = "mlteam-dev-processed"
SHARED = "shared/a.txt"  # in CURATED, written by moto's user before the roles exist
SESSION = "arn:aws:sts::123456789012:assumed-role/mlteam-dev-consumer-{}/{}"
MiB = 1024 * 1024
# Not "training": the dev plan applied here creates that consumer's role and policy itself.
TUNING = (GrantSettings("curated", "read"), GrantSettings("processed", "write", ("features/",)))


def as_role(lake: Lake, session: Any, secure: bool = True) -> Any:
    """An S3 client signed with an assumed role's credentials (``lake.s3()``: moto's user's)."""
    url = lake.servers.https_url if secure else lake.servers.http_url
    return s3_of(session, url, str(lake.servers.ca_bundle))


@pytest.fixture(scope="module")
def lake(document: dict[str, Any]) -> Iterator[Lake]:
    with gated_servers() as servers:
        reset(servers.http_url)  # moto's backends are process-wide
        applied = apply_plan(document, servers.https_url, verify=servers.ca_bundle)
        made = Lake(servers, applied.substitutions[document["outputs"]["keyArn"]])
        made.s3().put_object(Bucket=CURATED, Key=SHARED, Body=b"shared", **made.sse())
        yield made


def only_generate_data_key(key_arn: str) -> dict[str, Any]:
    """Write on processed, but the key statement lacks kms:Decrypt (which multipart parts need)."""
    policy = identity_policy((GrantSettings("processed", "write"),), key_arn, with_kms=False)
    policy["Statement"].append({"Sid": "GenerateOnly", "Effect": "Allow", "Action": "kms:GenerateDataKey",
                                "Resource": key_arn})
    return policy


def denies_secrets(key_arn: str) -> dict[str, Any]:
    policy = identity_policy((GrantSettings("curated", "read"),), key_arn)
    policy["Statement"].append({"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{CURATED}/secret/*"})
    return policy


@pytest.fixture(scope="module")
def sessions(lake: Lake) -> dict[str, Any]:
    """A boto3 session per consumer, with its assumed role's credentials."""
    https, ca = lake.servers.https_url, str(lake.servers.ca_bundle)
    iam, sts = client("iam", https, verify=ca), client("sts", https, verify=ca)
    policies = {
        "reader": (identity_policy((GrantSettings("curated", "read"),), lake.key_arn), False),
        "tuning": (identity_policy(TUNING, lake.key_arn), False),
        "features": (identity_policy((GrantSettings("processed", "read", ("features/",)),), lake.key_arn), False),
        "keyless": (identity_policy(TUNING, lake.key_arn, with_kms=False), True),
        "generator": (only_generate_data_key(lake.key_arn), True),
        "careful": (denies_secrets(lake.key_arn), True),
    }
    arns = {name: create_consumer(iam, name, policy, inline) for name, (policy, inline) in policies.items()}
    return {name: assumed_session(sts, arn, name) for name, arn in arns.items()}


@pytest.fixture(scope="module")
def roles(lake: Lake, sessions: dict[str, Any]) -> dict[str, Any]:
    """An S3 client per consumer, over https."""
    return {name: as_role(lake, session) for name, session in sessions.items()}


def refusal(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"].get("Message", "")


def no_grant(consumer: str, action: str, resource: str) -> tuple[int, str, str]:
    return (403, "AccessDenied", f"User: {SESSION.format(consumer, consumer)} is not authorized to perform: "
                                 f"{action} on resource: {resource} because no identity-based policy allows the "
                                 f"{action} action")


# --- what the role's policies grant ----------------------------------------------------------


def test_a_reader_reads_and_lists_its_zone(lake: Lake, roles: dict[str, Any]):
    s3 = roles["reader"]
    assert s3.get_object(Bucket=CURATED, Key=SHARED)["Body"].read() == b"shared"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=CURATED, Prefix="shared/")["Contents"]] == [SHARED]


def test_a_readers_write_is_refused_because_no_identity_policy_allows_it(lake: Lake, roles: dict[str, Any]):
    put = lambda: roles["reader"].put_object(Bucket=CURATED, Key="x.parquet", Body=b"x", **lake.sse())  # noqa: E731
    assert refusal(put) == no_grant("reader", "s3:PutObject", f'"arn:aws:s3:::{CURATED}/x.parquet"')
    assert refusal(lambda: lake.s3().head_object(Bucket=CURATED, Key="x.parquet"))[:2] == (404, "404")


def test_a_reader_of_other_zones_is_refused(roles: dict[str, Any]):
    assert refusal(lambda: roles["reader"].list_objects_v2(Bucket=PROCESSED)) == no_grant(
        "reader", "s3:ListBucket", f'"arn:aws:s3:::{PROCESSED}"')


def test_a_writer_uploads_in_parts_under_its_prefix_with_the_lake_key(lake: Lake, roles: dict[str, Any]):
    s3, key = roles["tuning"], "features/week1.bin"
    upload = s3.create_multipart_upload(Bucket=PROCESSED, Key=key, **lake.sse())["UploadId"]
    parts = [s3.upload_part(Bucket=PROCESSED, Key=key, UploadId=upload, PartNumber=n, Body=body)["ETag"]
             for n, body in enumerate((b"a" * (5 * MiB), b"tail"), start=1)]
    s3.complete_multipart_upload(Bucket=PROCESSED, Key=key, UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(parts, start=1)]})
    head = lake.s3().head_object(Bucket=PROCESSED, Key=key)  # the writer may not read processed
    assert (head["ContentLength"], head["SSEKMSKeyId"]) == (5 * MiB + 4, lake.key_arn)
    assert refusal(lambda: s3.get_object(Bucket=PROCESSED, Key=key)) == no_grant(
        "tuning", "s3:GetObject", f'"arn:aws:s3:::{PROCESSED}/{key}"')


def test_a_writer_outside_its_prefix_is_refused(lake: Lake, roles: dict[str, Any]):
    put = lambda: roles["tuning"].put_object(Bucket=PROCESSED, Key="raw/a.bin", Body=b"a", **lake.sse())  # noqa: E731
    assert refusal(put) == no_grant("tuning", "s3:PutObject", f'"arn:aws:s3:::{PROCESSED}/raw/a.bin"')


def test_a_listing_scoped_by_prefix_needs_the_prefix(lake: Lake, roles: dict[str, Any]):
    lake.s3().put_object(Bucket=PROCESSED, Key="features/listed.bin", Body=b"l", **lake.sse())
    s3 = roles["features"]
    listed = s3.list_objects_v2(Bucket=PROCESSED, Prefix="features/listed")
    assert [o["Key"] for o in listed["Contents"]] == ["features/listed.bin"]
    assert refusal(lambda: s3.list_objects_v2(Bucket=PROCESSED)) == no_grant(
        "features", "s3:ListBucket", f'"arn:aws:s3:::{PROCESSED}"')
    assert refusal(lambda: s3.list_objects_v2(Bucket=PROCESSED, Prefix="raw/")) == no_grant(
        "features", "s3:ListBucket", f'"arn:aws:s3:::{PROCESSED}"')


def test_an_explicit_deny_in_the_role_policy_is_named_as_identity_based(roles: dict[str, Any], lake: Lake):
    lake.s3().put_object(Bucket=CURATED, Key="secret/a.txt", Body=b"s", **lake.sse())
    assert refusal(lambda: roles["careful"].get_object(Bucket=CURATED, Key="secret/a.txt")) == (
        403, "AccessDenied", f"User: {SESSION.format('careful', 'careful')} is not authorized to perform: "
                             f"s3:GetObject on resource: \"arn:aws:s3:::{CURATED}/secret/a.txt\" with an explicit "
                             "deny in an identity-based policy")
    assert roles["careful"].get_object(Bucket=CURATED, Key=SHARED)["Body"].read() == b"shared"


def test_the_bucket_policy_still_denies_a_role_over_plain_http(lake: Lake, sessions: dict[str, Any],
                                                               caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="lake.sandbox.gate")
    s3 = as_role(lake, sessions["reader"], secure=False)
    assert refusal(lambda: s3.get_object(Bucket=CURATED, Key=SHARED)) == (
        403, "AccessDenied", f"User: {SESSION.format('reader', 'reader')} is not authorized to perform: "
                             f"s3:GetObject on resource: \"arn:aws:s3:::{CURATED}/{SHARED}\" with an explicit deny "
                             "in a resource-based policy")
    assert "explicitly denied by DenyInsecureTransport of bucket policy" in caplog.records[-1].getMessage()


# --- the lake key's side ---------------------------------------------------------------------


def test_without_the_key_statement_reads_and_writes_are_refused_by_kms(lake: Lake, roles: dict[str, Any]):
    s3 = roles["keyless"]
    assert s3.head_object(Bucket=CURATED, Key=SHARED)["ContentLength"] == 6  # HEAD reads no data: no KMS call
    assert refusal(lambda: s3.get_object(Bucket=CURATED, Key=SHARED)) == no_grant(
        "keyless", "kms:Decrypt", lake.key_arn)
    put = lambda: s3.put_object(Bucket=PROCESSED, Key="features/k.bin", Body=b"k", **lake.sse())  # noqa: E731
    assert refusal(put) == no_grant("keyless", "kms:GenerateDataKey", lake.key_arn)
    # No SSE header: the bucket's default encryption is the lake key, so KMS is asked all the same.
    bare = lambda: s3.put_object(Bucket=PROCESSED, Key="features/k.bin", Body=b"k")  # noqa: E731
    assert refusal(bare) == no_grant("keyless", "kms:GenerateDataKey", lake.key_arn)
    create = lambda: s3.create_multipart_upload(Bucket=PROCESSED, Key="features/k.bin", **lake.sse())  # noqa: E731
    assert refusal(create) == no_grant("keyless", "kms:GenerateDataKey", lake.key_arn)


def test_upload_parts_need_kms_decrypt(lake: Lake, roles: dict[str, Any]):
    s3 = roles["generator"]
    upload = s3.create_multipart_upload(Bucket=PROCESSED, Key="g.bin", **lake.sse())["UploadId"]
    part = lambda: s3.upload_part(Bucket=PROCESSED, Key="g.bin", UploadId=upload, PartNumber=1, Body=b"g")  # noqa: E731
    assert refusal(part) == no_grant("generator", "kms:Decrypt", lake.key_arn)
    s3.put_object(Bucket=PROCESSED, Key="g1.bin", Body=b"g", **lake.sse())  # a single PUT needs no Decrypt


# --- moto's default credentials, and sessions of roles moto does not have ----------------------


def test_default_credentials_keep_the_bucket_policy_only_behaviour(lake: Lake, roles: dict[str, Any]):
    # moto's user has no identity policy the gate could read: an implicit deny passes, as before.
    lake.s3().put_object(Bucket=CURATED, Key="default/a.txt", Body=b"d")
    assert lake.s3().get_object(Bucket=CURATED, Key="default/a.txt")["Body"].read() == b"d"
    assert refusal(lambda: lake.s3(secure=False).get_object(Bucket=CURATED, Key=SHARED))[:2] == (403, "AccessDenied")


def test_a_session_of_a_role_that_does_not_exist_may_do_nothing(lake: Lake):
    https, ca = lake.servers.https_url, str(lake.servers.ca_bundle)
    ghost = "arn:aws:iam::123456789012:role/mlteam-dev-consumer-ghost"
    s3 = s3_of(assumed_session(client("sts", https, verify=ca), ghost, "ghost"), https, ca)
    assert refusal(lambda: s3.get_object(Bucket=CURATED, Key=SHARED)) == no_grant(
        "ghost", "s3:GetObject", f'"arn:aws:s3:::{CURATED}/{SHARED}"')


# --- the access key of a request ---------------------------------------------------------------


@pytest.mark.parametrize(("authorization", "query", "expected"), [
    ("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
     "", "ASIAEXAMPLE"),
    ("", "X-Amz-Credential=ASIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0", "ASIAEXAMPLE"),
    ("AWS ASIAEXAMPLE:c2lnbmF0dXJl", "", "ASIAEXAMPLE"),
    ("", "AWSAccessKeyId=ASIAEXAMPLE&Signature=0&Expires=1", "ASIAEXAMPLE"),
    ("", "", None),
])
def test_the_access_key_is_read_from_any_signature(authorization: str, query: str, expected: str | None):
    assert access_key_id(authorization, urllib.parse.parse_qs(query, keep_blank_values=True)) == expected


def test_the_consumer_policies_are_read_from_moto(lake: Lake, roles: dict[str, Any]):
    inline = role_policies("arn:aws:iam::123456789012:role/mlteam-dev-consumer-keyless")
    assert [p.name for p in inline] == ["inline policy mlteam-dev-consumer-keyless of mlteam-dev-consumer-keyless"]
    managed = role_policies("arn:aws:iam::123456789012:role/mlteam-dev-consumer-reader")
    reader = identity_policy((GrantSettings("curated", "read"),), lake.key_arn)
    assert [(p.name, p.document) for p in managed] == [("managed policy mlteam-dev-consumer-reader", reader)]
    assert role_policies("arn:aws:iam::123456789012:role/nobody") == ()
