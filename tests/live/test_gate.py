"""The policy gate: moto behind it enforces the lake's bucket policies on data requests as S3 does.

The dev plan is applied once per module to a gated backend served over https and plain http;
tests that need another policy make their own bucket, so none disturbs the plan's.
"""

from __future__ import annotations

import json
import logging
import ssl
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.perimeter import Perimeter
from lake.sandbox.apply import apply_plan
from lake.sandbox.gate import (
    CALLER,
    Access,
    deleted_objects,
    is_s3_request,
    requested_accesses,
    transport_keys,
    without_moto_policy_check,
)
from lake.sandbox.serve import GatedServers, gated_servers
from lake.sandbox.server import MotoServer, client
from lake.sandbox.tls import client_context, self_signed_certificate, server_context
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Policy, Request
from tests.live.support import reset

RAW = "mlteam-dev-raw"
OTHER_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
DENIED = (403, "AccessDenied")
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "k" * 32}
# moto's own check, taken before any test of this module can switch it off.
MOTO_GET_PERMISSION = FakeBucket.__dict__["get_permission"]


@dataclass(frozen=True)
class Lake:
    servers: GatedServers
    key_arn: str

    def s3(self, secure: bool = True) -> Any:
        url = self.servers.https_url if secure else self.servers.http_url
        return client("s3", url, verify=self.servers.ca_bundle)

    def sse(self, key_arn: str | None = None) -> dict[str, str]:
        """The headers a lake client sends: aws:kms with the lake key's ARN."""
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn or self.key_arn}

    def bucket(self, name: str, **policy: Any) -> str:
        """A new bucket with the secure policy (``secure_bucket_policy`` options in ``policy``)."""
        s3 = self.s3()
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(
            secure_bucket_policy(f"arn:aws:s3:::{name}", self.key_arn, **policy)))
        return name


@pytest.fixture(scope="module")
def servers() -> Iterator[GatedServers]:
    with gated_servers() as running:
        yield running


@pytest.fixture(scope="module")
def lake(document: dict[str, Any], servers: GatedServers) -> Lake:
    reset(servers.http_url)  # moto's backends are process-wide; the http server shares them
    applied = apply_plan(document, servers.https_url, verify=servers.ca_bundle)
    return Lake(servers, applied.substitutions[document["outputs"]["keyArn"]])


@pytest.fixture
def gate_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The gate's log: the statements behind each denial, which the client is not told."""
    caplog.set_level(logging.INFO, logger="lake.sandbox.gate")
    return caplog


def denied_by(log: pytest.LogCaptureFixture) -> list[str]:
    """The Sids that decided the last denial the gate logged."""
    reason = [r.getMessage() for r in log.records if r.name == "lake.sandbox.gate"][-1]
    return [ref.split(" of ")[0] for ref in reason.split("explicitly denied by ", 1)[1].split(", ")]


def refusal(call: Callable[[], Any]) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["ResponseMetadata"]["HTTPStatusCode"], raised.value.response["Error"]["Code"]


def multipart(s3: Any, bucket: str, key: str, parts: list[bytes], **sse: str) -> dict[str, Any]:
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **sse)["UploadId"]
    done = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=n,
                                                     Body=body)["ETag"]}
            for n, body in enumerate(parts, start=1)]
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})


# --- over https, on a dev zone bucket ---------------------------------------------------------


def test_put_with_the_lake_key_then_get_returns_the_bytes(lake: Lake):
    s3 = lake.s3()
    put = s3.put_object(Bucket=RAW, Key="https/kms.txt", Body=b"kms", **lake.sse())
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", lake.key_arn)
    assert s3.get_object(Bucket=RAW, Key="https/kms.txt")["Body"].read() == b"kms"


def test_put_without_an_encryption_header_is_allowed_in_dev(lake: Lake):
    s3 = lake.s3()
    s3.put_object(Bucket=RAW, Key="https/default.txt", Body=b"default")
    assert s3.head_object(Bucket=RAW, Key="https/default.txt")["ContentLength"] == len(b"default")


@pytest.mark.parametrize(("headers", "statement"), [
    pytest.param({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": OTHER_KEY_ARN}, "DenyOtherKmsKey",
                 id="another-kms-key"),
    pytest.param({"ServerSideEncryption": "aws:kms"}, "DenyKmsHeaderWithoutKey", id="kms-without-key"),
    pytest.param({"ServerSideEncryption": "AES256"}, "DenyNonKmsEncryptionHeader", id="sse-s3"),
    pytest.param(SSE_C, "DenySseC", id="sse-c"),
])
def test_a_put_with_the_wrong_encryption_is_denied(lake: Lake, gate_log: pytest.LogCaptureFixture,
                                                   headers: dict[str, str], statement: str):
    s3 = lake.s3()
    assert refusal(lambda: s3.put_object(Bucket=RAW, Key="https/wrong.txt", Body=b"x", **headers)) == DENIED
    assert denied_by(gate_log) == [statement]
    assert refusal(lambda: s3.head_object(Bucket=RAW, Key="https/wrong.txt")) == (404, "404")


def test_a_multipart_upload_with_the_lake_key_completes(lake: Lake):
    s3 = lake.s3()
    parts = [b"a" * (5 * 1024 * 1024), b"tail"]
    multipart(s3, RAW, "https/multipart.bin", parts, **lake.sse())
    body = s3.get_object(Bucket=RAW, Key="https/multipart.bin")["Body"].read()
    assert body == b"".join(parts)


def test_list_objects_is_allowed_over_https(lake: Lake):
    s3 = lake.s3()
    s3.put_object(Bucket=RAW, Key="listed/a.txt", Body=b"a", **lake.sse())
    listed = s3.list_objects_v2(Bucket=RAW, Prefix="listed/")
    assert [o["Key"] for o in listed["Contents"]] == ["listed/a.txt"]


def test_delete_objects_and_copy_are_allowed_over_https(lake: Lake):
    s3 = lake.s3()
    s3.put_object(Bucket=RAW, Key="copy/source.txt", Body=b"c", **lake.sse())
    s3.copy_object(Bucket=RAW, Key="copy/target.txt", CopySource={"Bucket": RAW, "Key": "copy/source.txt"},
                   **lake.sse())
    deleted = s3.delete_objects(Bucket=RAW, Delete={"Objects": [{"Key": "copy/source.txt"},
                                                                {"Key": "copy/target.txt"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["copy/source.txt", "copy/target.txt"]
    assert "Contents" not in s3.list_objects_v2(Bucket=RAW, Prefix="copy/")


def presigned_get(lake: Lake, key: str, secure: bool, signature_version: str) -> str:
    """A presigned GetObject URL; boto3 signs it with S3's signature version 2 unless told s3v4."""
    s3 = boto3.client("s3", endpoint_url=lake.servers.https_url if secure else lake.servers.http_url,
                      region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing",
                      config=Config(signature_version=signature_version, s3={"addressing_style": "path"}))
    return s3.generate_presigned_url("get_object", Params={"Bucket": RAW, "Key": key}, ExpiresIn=60)


@pytest.mark.parametrize("signature_version", ["s3", "s3v4"])
def test_a_presigned_get_works_over_https_and_is_denied_over_http(lake: Lake, signature_version: str):
    lake.s3().put_object(Bucket=RAW, Key="presigned/a.txt", Body=b"presigned", **lake.sse())
    url = presigned_get(lake, "presigned/a.txt", True, signature_version)
    with urllib.request.urlopen(url, context=client_context(lake.servers.ca_bundle), timeout=10) as response:
        assert (response.status, response.read()) == (200, b"presigned")
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(presigned_get(lake, "presigned/a.txt", False, signature_version), timeout=10)
    assert answered.value.code == 403


# --- over plain http: the same backend, DenyInsecureTransport ----------------------------------


@pytest.mark.parametrize("call", [
    pytest.param(lambda s3: s3.get_object(Bucket=RAW, Key="https/kms.txt"), id="GetObject"),
    pytest.param(lambda s3: s3.put_object(Bucket=RAW, Key="http/a.txt", Body=b"x" * 70_000), id="PutObject"),
    pytest.param(lambda s3: s3.list_objects_v2(Bucket=RAW), id="ListObjectsV2"),
    pytest.param(lambda s3: s3.delete_objects(Bucket=RAW, Delete={"Objects": [{"Key": "https/kms.txt"}]}),
                 id="DeleteObjects"),
])
def test_data_requests_over_http_are_denied(lake: Lake, gate_log: pytest.LogCaptureFixture,
                                            call: Callable[[Any], Any]):
    assert refusal(lambda: call(lake.s3(secure=False))) == DENIED
    assert denied_by(gate_log) == ["DenyInsecureTransport"]


def test_a_head_over_http_is_denied_without_a_body(lake: Lake):
    # S3 answers a HEAD with no body: botocore can only report the status.
    assert refusal(lambda: lake.s3(secure=False).head_object(Bucket=RAW, Key="https/kms.txt")) == (403, "403")


def test_bucket_configuration_over_http_passes_the_gate(lake: Lake):
    # Ungated by design (apply_plan, audits); real S3 would deny it under DenyInsecureTransport.
    policy = json.loads(lake.s3(secure=False).get_bucket_policy(Bucket=RAW)["Policy"])
    assert "DenyInsecureTransport" in [s["Sid"] for s in policy["Statement"]]


def test_a_denial_is_shaped_like_s3s_and_names_no_statement(lake: Lake):
    s3 = lake.s3(secure=False)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=RAW, Key="https/kms.txt")
    assert raised.value.response["Error"] == {
        "Code": "AccessDenied",
        "Message": f"User: {CALLER.arn} is not authorized to perform: s3:GetObject on resource: "
                   f"\"arn:aws:s3:::{RAW}/https/kms.txt\" with an explicit deny in a resource-based policy"}
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(presigned_get(lake, "https/kms.txt", False, "s3v4"), timeout=10)
    body = answered.value.read()
    error = ElementTree.fromstring(body)
    assert (answered.value.code, answered.value.headers["Content-Type"]) == (403, "application/xml")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Error>')
    assert [child.tag for child in error] == ["Code", "Message", "RequestId"]
    assert b"Deny" not in body.replace(b"explicit deny", b"")  # no Sid (DenyInsecureTransport...)


# --- other policies ----------------------------------------------------------------------------


def test_strict_mode_denies_a_put_without_header_and_multipart_parts_inherit_the_upload(
        lake: Lake, gate_log: pytest.LogCaptureFixture):
    bucket = lake.bucket("gate-strict", require_sse_header=True)
    s3 = lake.s3()
    assert refusal(lambda: s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")) == DENIED
    assert denied_by(gate_log) == ["DenyMissingEncryptionHeader"]
    assert refusal(lambda: s3.create_multipart_upload(Bucket=bucket, Key="m.bin")) == DENIED
    # UploadPart and Complete carry no SSE header: S3 judges them by the upload's.
    multipart(s3, bucket, "m.bin", [b"part"], **lake.sse())
    assert s3.get_object(Bucket=bucket, Key="m.bin")["Body"].read() == b"part"


def test_an_upload_part_is_judged_by_its_upload_not_its_own_headers(lake: Lake):
    bucket = lake.bucket("gate-inherit")
    s3 = lake.s3()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m.bin")["UploadId"]  # no header: allowed in dev
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        secure_bucket_policy(f"arn:aws:s3:::{bucket}", lake.key_arn, require_sse_header=True)))
    assert refusal(lambda: s3.upload_part(Bucket=bucket, Key="m.bin", UploadId=upload, PartNumber=1,
                                          Body=b"part")) == DENIED


def test_a_perimeter_denies_data_but_not_policy_management(lake: Lake, gate_log: pytest.LogCaptureFixture):
    bucket = lake.bucket("gate-perimeter")
    s3 = lake.s3()
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a", **lake.sse())
    fence = Perimeter(("vpce-0123456789abcdef0",), ("arn:aws:iam::123456789012:role/LakeAdmin",))
    policy = json.dumps(secure_bucket_policy(f"arn:aws:s3:::{bucket}", lake.key_arn, perimeter=fence))
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert refusal(lambda: s3.get_object(Bucket=bucket, Key="a.txt")) == DENIED
    assert denied_by(gate_log) == ["DenyOutsideLakeEndpoint"]
    assert refusal(lambda: s3.put_object(Bucket=bucket, Key="b.txt", Body=b"b", **lake.sse())) == DENIED
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    # A copy out of the perimeter needs s3:GetObject on the source, which it denies.
    with pytest.raises(ClientError) as raised:
        s3.copy_object(Bucket=RAW, Key="copy/out.txt", CopySource={"Bucket": bucket, "Key": "a.txt"}, **lake.sse())
    assert f's3:GetObject on resource: "arn:aws:s3:::{bucket}/a.txt"' in raised.value.response["Error"]["Message"]


def test_a_perimeter_lets_its_exempt_principal_through(lake: Lake):
    bucket = lake.bucket("gate-exempt", perimeter=Perimeter(("vpce-0123456789abcdef0",), (CALLER.arn,)))
    s3 = lake.s3()
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a", **lake.sse())
    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"a"


def test_an_outdated_tls_version_is_denied_by_its_statement():
    # The server refuses TLS < 1.2 at the handshake; the policy would too, with this context.
    arn = "arn:aws:s3:::gate-tls"
    policy = Policy("bucket policy", secure_bucket_policy(arn, None))
    decision = evaluate(Request(CALLER, "s3:GetObject", f"{arn}/a", transport_keys("https", "TLSv1.1")),
                        (), policy, "123456789012")
    assert (decision.decision, [r.sid for r in decision.deciding]) == ("explicit_deny", ["DenyOutdatedTls"])
    assert transport_keys("https", "TLSv1.3") == {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
    assert transport_keys("http", None) == {"aws:SecureTransport": "false"}


# --- what a request asks for -------------------------------------------------------------------


def accesses(method: str, path: str, query: str = "", headers: dict[str, str] | None = None,
             body: bytes = b"") -> list[tuple[str, str]]:
    parsed = urllib.parse.parse_qs(query, keep_blank_values=True)
    bucket, _, key = path.lstrip("/").partition("/")
    found = requested_accesses(method, bucket, key or None, parsed, headers or {}, lambda: body)
    return [(a.action, a.resource()) for a in found]


OBJECT = "arn:aws:s3:::b/k"
BUCKET = "arn:aws:s3:::b"


@pytest.mark.parametrize(("method", "path", "query", "expected"), [
    ("GET", "/b/k", "", [("s3:GetObject", OBJECT)]),
    ("GET", "/b/k", "x-id=GetObject", [("s3:GetObject", OBJECT)]),
    ("GET", "/b/k", "X-Amz-Credential=t%2F2024%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=s",
     [("s3:GetObject", OBJECT)]),
    ("HEAD", "/b/k", "versionId=v1", [("s3:GetObjectVersion", OBJECT)]),
    ("GET", "/b/k", "tagging", [("s3:GetObjectTagging", OBJECT)]),
    ("PUT", "/b/k", "", [("s3:PutObject", OBJECT)]),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", [("s3:PutObject", OBJECT)]),
    ("POST", "/b/k", "uploads", [("s3:PutObject", OBJECT)]),
    ("POST", "/b/k", "uploadId=u", [("s3:PutObject", OBJECT)]),
    ("GET", "/b/k", "uploadId=u", [("s3:ListMultipartUploadParts", OBJECT)]),
    ("DELETE", "/b/k", "", [("s3:DeleteObject", OBJECT)]),
    ("DELETE", "/b/k", "versionId=v1", [("s3:DeleteObjectVersion", OBJECT)]),
    ("DELETE", "/b/k", "uploadId=u", [("s3:AbortMultipartUpload", OBJECT)]),
    ("GET", "/b", "list-type=2&prefix=a%2F", [("s3:ListBucket", BUCKET)]),
    ("HEAD", "/b", "", [("s3:ListBucket", BUCKET)]),
    ("GET", "/b", "versions", [("s3:ListBucketVersions", BUCKET)]),
    ("GET", "/b", "uploads", [("s3:ListBucketMultipartUploads", BUCKET)]),
    # Passed through: configuration, unmapped sub-resources, the account's bucket list.
    ("GET", "/b", "policy", []),
    ("PUT", "/b", "", []),
    ("PUT", "/b", "versioning", []),
    ("GET", "/b/k", "retention", []),
    ("POST", "/b/k", "restore", []),
])
def test_the_actions_a_request_needs(method: str, path: str, query: str, expected: list[tuple[str, str]]):
    assert accesses(method, path, query) == expected


@pytest.mark.parametrize(("authorization", "query", "expected"), [
    ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
     "", True),
    ("", "X-Amz-Credential=testing%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0", True),
    ("AWS testing:c2lnbmF0dXJl", "", True),
    ("", "AWSAccessKeyId=testing&Signature=0&Expires=1", True),
    ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
     "", False),
    ("", "AWSAccessKeyId=testing&Signature=0&Expires=1&SignatureVersion=2", False),
    ("", "", False),  # unsigned: moto's own API (/moto-api/reset), anonymous callers
])
def test_s3_is_recognised_by_its_signature(authorization: str, query: str, expected: bool):
    assert is_s3_request(authorization, urllib.parse.parse_qs(query, keep_blank_values=True)) is expected


def test_a_copy_needs_get_object_on_its_source():
    assert accesses("PUT", "/b/k", headers={"x-amz-copy-source": "/src/a%20b.txt?versionId=v1"}) == [
        ("s3:PutObject", OBJECT), ("s3:GetObjectVersion", "arn:aws:s3:::src/a b.txt")]
    assert accesses("PUT", "/b/k", "partNumber=2&uploadId=u", {"x-amz-copy-source": "src/c"}) == [
        ("s3:PutObject", OBJECT), ("s3:GetObject", "arn:aws:s3:::src/c")]


def test_delete_objects_needs_a_delete_per_listed_key():
    body = (b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object>'
            b"<Object><Key>b</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>")
    assert accesses("POST", "/b", "delete", body=body) == [
        ("s3:DeleteObject", "arn:aws:s3:::b/a"), ("s3:DeleteObjectVersion", "arn:aws:s3:::b/b")]
    assert deleted_objects(b"not xml") == []


def test_an_access_names_its_resource_in_its_partition():
    assert Access("s3:GetObject", "b", "k/é").resource("aws-cn") == "arn:aws-cn:s3:::b/k/é"


# --- moto's own check --------------------------------------------------------------------------


def conditional_deny_bucket() -> FakeBucket:
    bucket = FakeBucket("gate-moto-check", account_id="123456789012", region_name="us-east-1")
    bucket.policy = json.dumps(secure_bucket_policy("arn:aws:s3:::gate-moto-check", None)).encode()
    return bucket


def test_moto_alone_denies_any_object_request_under_a_conditional_deny():
    # Why the gate exists: DenyInsecureTransport's condition does not hold over https, yet moto denies.
    assert MOTO_GET_PERMISSION(conditional_deny_bucket(), "s3:GetObject",
                               "arn:aws:s3:::gate-moto-check/a") == PermissionResult.DENIED


def test_moto_policy_check_is_off_in_the_block_and_restored_after():
    before = FakeBucket.__dict__["get_permission"]  # moto's, unless a module fixture's gate is open
    bucket = conditional_deny_bucket()
    with without_moto_policy_check():
        with without_moto_policy_check():
            pass
        assert bucket.get_permission("s3:GetObject", "arn:aws:s3:::gate-moto-check/a") == PermissionResult.NEUTRAL
    assert FakeBucket.__dict__["get_permission"] is before
    with gated_servers():
        assert FakeBucket.__dict__["get_permission"] is not MOTO_GET_PERMISSION
    assert FakeBucket.__dict__["get_permission"] is before


# --- the certificate ---------------------------------------------------------------------------


def test_the_certificate_is_its_own_ca_for_loopback(tmp_path):
    written = self_signed_certificate(tmp_path)
    certificate = x509.load_pem_x509_certificate(written.cert_path.read_bytes())
    extensions = certificate.extensions
    assert extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    usage = extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.key_cert_sign, usage.digital_signature) == (True, True)
    assert list(extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    names = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ([str(ip) for ip in names.get_values_for_type(x509.IPAddress)],
            names.get_values_for_type(x509.DNSName)) == (["127.0.0.1"], ["localhost"])
    assert certificate.issuer == certificate.subject
    assert written.key_path.stat().st_mode & 0o077 == 0
    assert server_context(written).minimum_version == ssl.TLSVersion.TLSv1_2


def test_a_tls_handshake_verifies_the_certificate_for_both_names(servers: GatedServers):
    port = urllib.parse.urlsplit(servers.https_url).port
    for host in ("127.0.0.1", "localhost"):
        url = f"https://{host}:{port}/moto-api/"
        with urllib.request.urlopen(url, context=client_context(servers.ca_bundle), timeout=10) as response:
            assert response.status == 200
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(servers.https_url + "/moto-api/", context=ssl.create_default_context(), timeout=10)


# --- the server process ------------------------------------------------------------------------


def test_a_secure_moto_server_enforces_the_policy_over_https():
    with MotoServer(secure=True) as server:
        assert server.endpoint_url.startswith("https://127.0.0.1:")
        assert server.ca_bundle is not None and server.ca_bundle.exists()
        s3 = client("s3", server.endpoint_url, verify=server.ca_bundle)
        s3.create_bucket(Bucket="gate-process")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["gate-process"]
        s3.put_bucket_policy(Bucket="gate-process",
                             Policy=json.dumps(secure_bucket_policy("arn:aws:s3:::gate-process", None)))
        s3.put_object(Bucket="gate-process", Key="a.txt", Body=b"over https")
        assert s3.get_object(Bucket="gate-process", Key="a.txt")["Body"].read() == b"over https"
        server.reset()
        assert s3.list_buckets()["Buckets"] == []
    assert not server.ca_bundle.exists()
    assert MotoServer().ca_bundle is None
