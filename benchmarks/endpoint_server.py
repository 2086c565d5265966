"""An S3-like server for the speed benchmarks: asyncio, keep-alive, TLS, a latency model, in memory.

What it is for: the sandbox server (moto behind werkzeug's development server) answers one request
at a time per thread under one GIL, closes every connection and adds no latency, so it caps every
tool it serves. This server answers the subset of the S3 API the benchmarked tools send (the data
client, the AWS CLI, a plain boto3 loop, s3fs; `lake audit` and prowler's bucket reads), cheaply:

- HTTP/1.1 with keep-alive, ``Expect: 100-continue``, request bodies by length or chunked;
  TLS when given a certificate; only ever bound to 127.0.0.1.
- SigV4 verified (the Authorization header and presigned URLs, against the access keys it is
  given), the payload's SHA-256 when the client signs it, the signature of every chunk of a signed
  aws-chunked body (not the trailer's signature); no clock-skew check. SigV2 (boto3's presigned
  URLs unless told otherwise) is parsed, its access key checked, its signature not verified.
- aws-chunked bodies (signed or not) with trailing checksums; CRC32, SHA-1 and SHA-256 are
  verified (header or trailer), CRC32C and CRC64NVME are kept as sent (no C implementation in the
  standard library). Content-MD5 is verified.
- Objects: Put, Get (ranges, ``If-Match``/``If-None-Match``, ``x-amz-checksum-mode``), Head,
  Copy, Delete, DeleteObjects, versioning (Enabled or Suspended), user metadata, SSE headers
  (SSE-KMS with any key id, or the bucket's default encryption) stored and answered.
- Multipart uploads: Create, UploadPart, Complete (ETag and checksums as S3 computes them: a
  FULL_OBJECT CRC32 combined from the parts' CRCs, a COMPOSITE one from their digests), Abort,
  ListParts, ListMultipartUploads.
- Listings: ListBuckets, ListObjectsV2 and V1 (prefix, delimiter, pagination, ``encoding-type``),
  ListObjectVersions.
- Bucket configuration: every ``PUT /bucket?<setting>`` is kept as sent and answered back by the
  matching GET; unset settings answer what S3 answers for a new bucket (default SSE-S3 encryption,
  Block Public Access on, ACLs disabled, or the NoSuch... error). GetBucketPolicyStatus is derived
  from the policy (public when a statement allows ``*`` without a condition).

Not S3's job here: bucket policies are not enforced (the policy gate is tested elsewhere, with
moto), nor IAM. Requests for other services (KMS, STS, Glue...: the credential scope of their
signature says which), ``/moto-api/`` and S3 Control are forwarded to a moto server when one is
given (``--backend``); bucket creation, deletion and tagging are also forwarded, so that moto's
tagging API and S3 Control see the buckets.

Latency model (the same for every request of every tool, forwarded ones included): the first
byte of each response leaves no sooner than ``--first-byte-ms`` after the request's last byte
arrived (interim ``100 Continue`` answers are not delayed); ``--bandwidth-mbps`` caps each
connection in each direction (token bucket). See benchmarks/endpoint.py.

    python -m benchmarks.endpoint_server --port N [--cert C --key K] [--first-byte-ms 30]
        [--bandwidth-mbps 0] [--backend http://127.0.0.1:M] [--credentials testing:testing]
        [--loop asyncio|uvloop]

It prints ``ready <url>`` once it listens and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import hashlib
import hmac
import json
import re
import signal
import ssl
import sys
import time
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import quote, quote_plus, unquote, urlsplit
from xml.etree import ElementTree
from xml.sax.saxutils import escape

HOST = "127.0.0.1"
REGION = "us-east-1"
OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 5 * 1024 ** 3  # S3's single PUT limit
UNSIGNED = "UNSIGNED-PAYLOAD"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
CHECKSUMS = ("crc32", "crc32c", "crc64nvme", "sha1", "sha256")
SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
AUTH_V4 = re.compile(r"AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,"
                     r"\s*Signature=([0-9a-f]+)")
# Object request headers S3 keeps and answers back on GET and HEAD.
KEPT_HEADERS = ("content-type", "content-encoding", "content-disposition", "content-language", "cache-control",
                "expires", "x-amz-storage-class", "x-amz-website-redirect-location", "x-amz-tagging-count")
SSE_HEADERS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
               "x-amz-server-side-encryption-bucket-key-enabled", "x-amz-server-side-encryption-context",
               "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key-md5")
RESPONSE_OVERRIDES = {"response-content-type": "content-type", "response-content-disposition": "content-disposition",
                      "response-content-encoding": "content-encoding", "response-content-language": "content-language",
                      "response-cache-control": "cache-control", "response-expires": "expires"}
STATUS = {200: "OK", 204: "No Content", 206: "Partial Content", 304: "Not Modified", 400: "Bad Request",
          403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 411: "Length Required",
          412: "Precondition Failed", 413: "Payload Too Large", 416: "Range Not Satisfiable",
          500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 100: "Continue"}


# --- what S3 answers for a bucket setting that was never set ----------------------------------------

def _xml(root: str, inner: str = "") -> bytes:
    return XML_HEAD + f'<{root} xmlns="{S3_NS}">{inner}</{root}>'.encode()


def _owner() -> str:
    return f"<Owner><ID>{OWNER_ID}</ID><DisplayName>bench</DisplayName></Owner>"


def _grant(grantee: str, permission: str) -> str:
    return (f'<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {grantee}</Grantee>'
            f"<Permission>{permission}</Permission></Grant>")


OWNER_GRANTEE = f'xsi:type="CanonicalUser"><ID>{OWNER_ID}</ID><DisplayName>bench</DisplayName>'
GROUP = 'xsi:type="Group"><URI>http://acs.amazonaws.com/groups/{}</URI>'
CANNED_ACLS = {
    "private": [],
    "public-read": [(GROUP.format("global/AllUsers"), "READ")],
    "public-read-write": [(GROUP.format("global/AllUsers"), "READ"), (GROUP.format("global/AllUsers"), "WRITE")],
    "authenticated-read": [(GROUP.format("global/AuthenticatedUsers"), "READ")],
    "log-delivery-write": [(GROUP.format("s3/LogDelivery"), "WRITE"), (GROUP.format("s3/LogDelivery"), "READ_ACP")],
    "bucket-owner-read": [], "bucket-owner-full-control": [], "aws-exec-read": [],
}


def canned_acl(name: str) -> bytes:
    grants = [_grant(OWNER_GRANTEE, "FULL_CONTROL")] + [_grant(g, p) for g, p in CANNED_ACLS.get(name, [])]
    return _xml("AccessControlPolicy", _owner() + "<AccessControlList>" + "".join(grants) + "</AccessControlList>")


# subresource -> (default body, or (status, error code, message) when S3 has nothing to answer)
BUCKET_SETTINGS: dict[str, bytes | tuple[int, str, str]] = {
    "versioning": _xml("VersioningConfiguration"),
    "encryption": _xml("ServerSideEncryptionConfiguration",
                       "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
                       "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>"),
    "publicAccessBlock": _xml("PublicAccessBlockConfiguration",
                              "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
                              "<BlockPublicPolicy>true</BlockPublicPolicy>"
                              "<RestrictPublicBuckets>true</RestrictPublicBuckets>"),
    "ownershipControls": _xml("OwnershipControls", "<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>"),
    "acl": canned_acl("private"),
    "policy": (404, "NoSuchBucketPolicy", "The bucket policy does not exist"),
    "lifecycle": (404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    "logging": _xml("BucketLoggingStatus"),
    "notification": _xml("NotificationConfiguration"),
    "tagging": (404, "NoSuchTagSet", "The TagSet does not exist"),
    "cors": (404, "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    "website": (404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    "replication": (404, "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
    "object-lock": (404, "ObjectLockConfigurationNotFoundError",
                    "Object Lock configuration does not exist for this bucket"),
    "accelerate": _xml("AccelerateConfiguration"),
    "requestPayment": _xml("RequestPaymentConfiguration", "<Payer>BucketOwner</Payer>"),
    "analytics": _xml("ListBucketAnalyticsConfigurationResult", "<IsTruncated>false</IsTruncated>"),
    "metrics": _xml("ListMetricsConfigurationsResult", "<IsTruncated>false</IsTruncated>"),
    "inventory": _xml("ListInventoryConfigurationsResult", "<IsTruncated>false</IsTruncated>"),
    "intelligent-tiering": _xml("ListBucketIntelligentTieringConfigurationsOutput", "<IsTruncated>false</IsTruncated>"),
}
# Bucket writes moto must also see (its tagging API and S3 Control read its own buckets).
MIRRORED = {("PUT", None), ("DELETE", None), ("PUT", "tagging"), ("DELETE", "tagging")}


class S3Error(Exception):
    def __init__(self, status: int, code: str, message: str, resource: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.resource = status, code, message, resource


# --- checksums ----------------------------------------------------------------------------------------

def _gf2_times(matrix: list[int], vector: int) -> int:
    total, n = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[n]
        vector >>= 1
        n += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine: the CRC32 of A+B from crc(A), crc(B) and len(B), without the bytes."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def digest(algorithm: str, segments: list) -> str | None:
    """The base64 checksum S3 answers for ``segments`` (None: no implementation here)."""
    if algorithm == "crc32":
        crc = 0
        for segment in segments:
            crc = zlib.crc32(segment, crc)
        return _b64(crc.to_bytes(4, "big"))
    if algorithm in ("sha1", "sha256"):
        hasher = hashlib.new(algorithm)
        for segment in segments:
            hasher.update(segment)
        return _b64(hasher.digest())
    return None


# --- the store ------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Version:
    key: str
    version_id: str  # "null" when the bucket is not versioned
    segments: list  # bytes-like pieces of the body, in order (a multipart object keeps its parts)
    size: int
    etag: str  # with its quotes
    modified: float
    headers: dict  # content-type, SSE, user metadata...: answered back on GET and HEAD
    checksum: tuple | None = None  # (algorithm, base64 value, "FULL_OBJECT" or "COMPOSITE")
    delete_marker: bool = False
    tags: bytes | None = None
    parts: int = 0  # number of parts of a multipart object


@dataclass(slots=True)
class Part:
    body: bytes
    etag: str
    checksum: tuple | None  # (algorithm, base64 value)
    modified: float


@dataclass(slots=True)
class Upload:
    key: str
    upload_id: str
    headers: dict
    initiated: float
    checksum_algorithm: str | None
    checksum_type: str
    parts: dict = field(default_factory=dict)


@dataclass
class Bucket:
    name: str
    created: float
    region: str
    settings: dict = field(default_factory=dict)  # subresource -> body as sent
    objects: dict = field(default_factory=dict)  # key -> [Version], oldest first
    keys: list = field(default_factory=list)  # sorted keys with at least one version
    uploads: dict = field(default_factory=dict)  # upload id -> Upload
    versioning: str = ""  # "", "Enabled" or "Suspended"
    default_sse: dict = field(default_factory=dict)  # SSE response headers from the bucket's encryption

    def latest(self, key: str) -> Version | None:
        versions = self.objects.get(key)
        return versions[-1] if versions else None

    def add(self, version: Version) -> None:
        versions = self.objects.get(version.key)
        if versions is None:
            self.objects[version.key] = [version]
            bisect.insort(self.keys, version.key)
            return
        if self.versioning != "Enabled":  # the "null" version is replaced
            versions[:] = [v for v in versions if v.version_id != "null"]
        versions.append(version)

    def remove(self, key: str, version_id: str) -> Version | None:
        versions = self.objects.get(key, [])
        found = next((v for v in versions if v.version_id == version_id), None)
        if found is not None:
            versions.remove(found)
            if not versions:
                del self.objects[key]
                self.keys.pop(bisect.bisect_left(self.keys, key))
        return found


@dataclass(slots=True)
class Request:
    method: str
    target: str  # as sent: path and query, still percent-encoded
    path: str
    query: str
    headers: dict  # lower-case name -> value (repeated headers joined with ",")
    body: bytes
    received: float  # loop time when the last byte arrived
    secure: bool

    def params(self) -> dict[str, str]:
        found = {}
        for pair in self.query.split("&") if self.query else ():
            name, _, value = pair.partition("=")
            found[unquote(name)] = unquote(value)
        return found


@dataclass(slots=True)
class Response:
    status: int
    headers: list  # [(name, value)]
    body: object = b""  # bytes, or a list of bytes-like segments
    length: int | None = None  # Content-Length, when it is not len(body) (HEAD)


def xml_response(status: int, body: bytes, headers: list | None = None) -> Response:
    return Response(status, [("Content-Type", "application/xml")] + (headers or []), body)


def error_response(error: S3Error, request_id: str, head: bool = False) -> Response:
    body = XML_HEAD + (f"<Error><Code>{error.code}</Code><Message>{escape(error.message)}</Message>"
                       f"<Resource>{escape(error.resource)}</Resource><RequestId>{request_id}</RequestId></Error>").encode()
    return Response(error.status, [("Content-Type", "application/xml")], b"" if head else body,
                    length=len(body) if head else None)


def iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp)) + f".{int(timestamp * 1000) % 1000:03d}Z"


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


# --- signatures -------------------------------------------------------------------------------------------

class Signatures:
    """SigV4 verification with the endpoint's access keys; signing keys cached per day and scope."""

    def __init__(self, credentials: dict[str, str]) -> None:
        self.credentials = credentials
        self._keys: dict[tuple[str, str, str, str], bytes] = {}

    def signing_key(self, access_key: str, day: str, region: str, service: str) -> bytes:
        cache = (access_key, day, region, service)
        key = self._keys.get(cache)
        if key is None:
            secret = self.credentials.get(access_key)
            if secret is None:
                raise S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
            key = ("AWS4" + secret).encode()
            for part in (day, region, service, "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._keys[cache] = key
        return key

    def verify(self, request: Request) -> tuple[bytes, str, str] | None:
        """None for an anonymous request; else (signing key, scope, seed signature) once verified."""
        authorization = request.headers.get("authorization")
        if authorization is not None:
            if authorization.startswith("AWS "):
                self._sigv2_key(authorization[4:].rpartition(":")[0])
                return None
            found = AUTH_V4.match(authorization)
            if found is None:
                raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed")
            credential, signed_headers, signature = found.groups()
            amz_date = request.headers.get("x-amz-date") or ""
            payload = request.headers.get("x-amz-content-sha256") or UNSIGNED
            query = canonical_query(request.query, None)
        else:
            params = request.params()
            if "AWSAccessKeyId" in params:
                self._sigv2_key(params["AWSAccessKeyId"])
                return None
            if "X-Amz-Signature" not in params:
                return None
            credential, signed_headers = params.get("X-Amz-Credential", ""), params.get("X-Amz-SignedHeaders", "")
            signature, amz_date = params["X-Amz-Signature"], params.get("X-Amz-Date", "")
            payload = request.headers.get("x-amz-content-sha256") or UNSIGNED
            query = canonical_query(request.query, "X-Amz-Signature")
            expires = int(params.get("X-Amz-Expires", "604800"))
            if time.time() > _amz_time(amz_date) + expires:
                raise S3Error(403, "AccessDenied", "Request has expired")
        access_key, day, region, service, _ = (credential.split("/") + [""] * 5)[:5]
        key = self.signing_key(access_key, day, region, service)
        headers = "".join(f"{name}:{' '.join(request.headers.get(name, '').split())}\n"
                          for name in signed_headers.split(";"))
        canonical = f"{request.method}\n{request.path}\n{query}\n{headers}\n{signed_headers}\n{payload}"
        scope = f"{day}/{region}/{service}/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                                                       "signature you provided. Check your key and signing method.")
        if len(payload) == 64 and payload != hashlib.sha256(request.body).hexdigest():
            raise S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not "
                                                             "match what was computed.")
        return key, f"{amz_date}\n{scope}", signature

    def _sigv2_key(self, access_key: str) -> None:
        if access_key not in self.credentials:
            raise S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")


def _amz_time(amz_date: str) -> float:
    try:
        return time.mktime(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) - time.timezone
    except ValueError:
        raise S3Error(403, "AccessDenied", "X-Amz-Date is not a valid date") from None


def canonical_query(query: str, skip: str | None) -> str:
    if not query:
        return ""
    pairs = []
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        name = unquote(name)
        if name == skip:
            continue
        pairs.append((quote(name, safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def service_of(request: Request) -> str:
    """The service a request is signed for (its credential scope); "s3" when unsigned or SigV2."""
    authorization = request.headers.get("authorization")
    source = authorization if authorization is not None else unquote(request.query)
    found = SCOPE.search(source) if source and "Credential=" in source else None
    return found.group(4) if found else "s3"


def decode_aws_chunked(body: bytes, signing: tuple[bytes, str, str] | None, signed: bool) -> tuple[list, dict]:
    """The payload of an aws-chunked body (as memoryview slices) and its trailing headers; with
    ``signed``, every chunk's signature is checked against the request's seed signature."""
    view, position, pieces, trailers = memoryview(body), 0, [], {}
    previous = signing[2] if signing else ""
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            raise S3Error(400, "IncompleteBody", "The aws-chunked body ends inside a chunk header")
        size_text, _, extension = bytes(view[position:line_end]).partition(b";")
        size = int(size_text, 16)
        start, end = line_end + 2, line_end + 2 + size
        if end > len(body):
            raise S3Error(400, "IncompleteBody", "The aws-chunked body is shorter than its chunks")
        if signed and signing:
            key, scope, _ = signing
            chunk_hash = hashlib.sha256(view[start:end]).hexdigest()
            to_sign = f"AWS4-HMAC-SHA256-PAYLOAD\n{scope}\n{previous}\n{EMPTY_SHA256}\n{chunk_hash}"
            expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            given = extension.partition(b"chunk-signature=")[2].decode()
            if not hmac.compare_digest(expected, given):
                raise S3Error(403, "SignatureDoesNotMatch", "A chunk signature does not match")
            previous = expected
        if size == 0:
            position = start
            break
        pieces.append(view[start:end])
        position = end + 2
    for line in bytes(view[position:]).split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if colon:
            trailers[name.decode().strip().lower()] = value.decode().strip()
    return pieces, trailers


# --- the S3 API --------------------------------------------------------------------------------------------

class S3:
    """The in-memory S3: buckets, objects and their versions, multipart uploads."""

    def __init__(self, signatures: Signatures) -> None:
        self.signatures = signatures
        self.buckets: dict[str, Bucket] = {}
        self.counts: Counter = Counter()

    # entry point: a Request, verified and routed; raises S3Error
    def handle(self, request: Request) -> Response:
        signing = self.signatures.verify(request)
        path = request.path
        bucket_name, _, raw_key = path[1:].partition("/")
        bucket_name, key = unquote(bucket_name), unquote(raw_key)
        params = request.params()
        method = request.method
        if not bucket_name:
            self.counts["ListBuckets"] += 1
            return self.list_buckets()
        if not raw_key:
            return self.bucket_request(method, bucket_name, params, request)
        bucket = self.bucket(bucket_name)
        if method in ("GET", "HEAD"):
            if "uploadId" in params:
                return self.list_parts(bucket, key, params)
            if "tagging" in params:
                return self.get_object_tagging(bucket, key, params)
            if "acl" in params:
                return xml_response(200, canned_acl("private"))
            self.counts["HeadObject" if method == "HEAD" else "GetObject"] += 1
            return self.get_object(bucket, key, params, request.headers, method == "HEAD")
        if method == "PUT":
            if "partNumber" in params and "uploadId" in params:
                self.counts["UploadPart"] += 1
                return self.upload_part(bucket, key, params, request, signing)
            if "tagging" in params:
                return self.put_object_tagging(bucket, key, params, request.body)
            if "acl" in params or "retention" in params or "legal-hold" in params:
                return Response(200, [])
            if "x-amz-copy-source" in request.headers:
                self.counts["CopyObject"] += 1
                return self.copy_object(bucket, key, request)
            self.counts["PutObject"] += 1
            return self.put_object(bucket, key, request, signing)
        if method == "DELETE":
            if "uploadId" in params:
                self.counts["AbortMultipartUpload"] += 1
                if bucket.uploads.pop(params["uploadId"], None) is None:
                    raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.")
                return Response(204, [])
            if "tagging" in params:
                version = self.version(bucket, key, params.get("versionId"))
                version.tags = None
                return Response(204, [])
            self.counts["DeleteObject"] += 1
            return self.delete_object(bucket, key, params.get("versionId"))
        if method == "POST":
            if "uploads" in params:
                self.counts["CreateMultipartUpload"] += 1
                return self.create_upload(bucket, key, request.headers)
            if "uploadId" in params:
                self.counts["CompleteMultipartUpload"] += 1
                return self.complete_upload(bucket, key, params["uploadId"], request)
        raise S3Error(501, "NotImplemented", f"{method} on an object with ?{request.query} is not implemented here")

    def bucket(self, name: str) -> Bucket:
        found = self.buckets.get(name)
        if found is None:
            raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist", name)
        return found

    # --- buckets
    def list_buckets(self) -> Response:
        items = "".join(f"<Bucket><Name>{escape(b.name)}</Name><CreationDate>{iso(b.created)}</CreationDate>"
                        f"<BucketRegion>{b.region}</BucketRegion></Bucket>"
                        for b in sorted(self.buckets.values(), key=lambda b: b.name))
        return xml_response(200, _xml("ListAllMyBucketsResult", _owner() + f"<Buckets>{items}</Buckets>"))

    def bucket_request(self, method: str, name: str, params: dict, request: Request) -> Response:
        setting = next((p for p in params if p in BUCKET_SETTINGS or p == "policyStatus"), None)
        if method == "PUT" and setting is None:
            self.counts["CreateBucket"] += 1
            return self.create_bucket(name, request)
        bucket = self.bucket(name)
        if method == "HEAD":
            self.counts["HeadBucket"] += 1
            return Response(200, [("x-amz-bucket-region", bucket.region)])
        if method == "DELETE" and setting is None:
            self.counts["DeleteBucket"] += 1
            if bucket.objects or bucket.uploads:
                raise S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", name)
            del self.buckets[name]
            return Response(204, [])
        if method == "POST" and "delete" in params:
            self.counts["DeleteObjects"] += 1
            return self.delete_objects(bucket, request.body)
        if method == "GET":
            if "location" in params:
                self.counts["GetBucketLocation"] += 1
                region = "" if bucket.region == "us-east-1" else bucket.region
                return xml_response(200, _xml("LocationConstraint", region))
            if "versions" in params:
                self.counts["ListObjectVersions"] += 1
                return self.list_versions(bucket, params)
            if "uploads" in params:
                self.counts["ListMultipartUploads"] += 1
                return self.list_uploads(bucket, params)
            if setting == "policyStatus":
                self.counts["GetBucketPolicyStatus"] += 1
                return self.policy_status(bucket)
            if setting is not None:
                self.counts[f"GetBucket:{setting}"] += 1
                return self.get_setting(bucket, setting)
            self.counts["ListObjectsV2" if params.get("list-type") == "2" else "ListObjects"] += 1
            return self.list_objects(bucket, params)
        if method == "PUT" and setting is not None:
            self.counts[f"PutBucket:{setting}"] += 1
            return self.put_setting(bucket, setting, request)
        if method == "DELETE" and setting is not None:
            self.counts[f"DeleteBucket:{setting}"] += 1
            bucket.settings.pop(setting, None)
            if setting == "encryption":
                bucket.default_sse = {}
            return Response(204, [])
        raise S3Error(501, "NotImplemented", f"{method} on a bucket with ?{request.query} is not implemented here")

    def create_bucket(self, name: str, request: Request) -> Response:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name):
            raise S3Error(400, "InvalidBucketName", "The specified bucket is not valid.", name)
        region = REGION
        if request.body.strip():
            found = re.search(rb"<LocationConstraint>([^<]*)</LocationConstraint>", request.body)
            region = found.group(1).decode() if found and found.group(1) else REGION
        if name not in self.buckets:
            bucket = Bucket(name, time.time(), region)
            acl = request.headers.get("x-amz-acl")
            if acl:
                bucket.settings["acl"] = canned_acl(acl)
            ownership = request.headers.get("x-amz-object-ownership")
            if ownership:
                bucket.settings["ownershipControls"] = _xml(
                    "OwnershipControls", f"<Rule><ObjectOwnership>{escape(ownership)}</ObjectOwnership></Rule>")
            self.buckets[name] = bucket
        return Response(200, [("Location", f"/{name}")])

    def get_setting(self, bucket: Bucket, setting: str) -> Response:
        stored = bucket.settings.get(setting)
        if stored is not None:
            kind = "application/json" if setting == "policy" else "application/xml"
            return Response(200, [("Content-Type", kind)], stored)
        default = BUCKET_SETTINGS[setting]
        if isinstance(default, tuple):
            raise S3Error(default[0], default[1], default[2], bucket.name)
        return xml_response(200, default)

    def put_setting(self, bucket: Bucket, setting: str, request: Request) -> Response:
        body = request.body
        if setting == "acl" and not body.strip():
            body = canned_acl(request.headers.get("x-amz-acl", "private"))
        if setting == "policy":
            try:
                json.loads(body)
            except ValueError:
                raise S3Error(400, "MalformedPolicy", "Policies must be valid JSON", bucket.name) from None
        else:
            try:
                root = ElementTree.fromstring(body)
            except ElementTree.ParseError:
                raise S3Error(400, "MalformedXML", "The XML you provided was not well-formed", bucket.name) from None
            if setting == "versioning":
                status = _find_text(root, "Status")
                bucket.versioning = status or bucket.versioning
            if setting == "encryption":
                bucket.default_sse = _default_sse(root)
        bucket.settings[setting] = body
        return Response(204 if setting in ("policy", "tagging", "encryption", "ownershipControls", "publicAccessBlock",
                                           "cors", "website", "lifecycle") else 200, [])

    def policy_status(self, bucket: Bucket) -> Response:
        policy = bucket.settings.get("policy")
        if policy is None:
            raise S3Error(404, "NoSuchBucketPolicy", "The bucket policy does not exist", bucket.name)
        public = any(
            statement.get("Effect") == "Allow" and not statement.get("Condition")
            and statement.get("Principal") in ("*", {"AWS": "*"}, {"AWS": ["*"]})
            for statement in _statements(json.loads(policy))
        )
        return xml_response(200, _xml("PolicyStatus", f"<IsPublic>{'true' if public else 'false'}</IsPublic>"))

    # --- objects
    def version(self, bucket: Bucket, key: str, version_id: str | None) -> Version:
        versions = bucket.objects.get(key)
        if not versions:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", key)
        if version_id is None:
            found = versions[-1]
            if found.delete_marker:
                raise S3Error(404, "NoSuchKey", "The specified key does not exist.", key)
            return found
        for found in versions:
            if found.version_id == version_id:
                if found.delete_marker:
                    raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
                return found
        raise S3Error(404, "NoSuchVersion", "The specified version does not exist.", key)

    def get_object(self, bucket: Bucket, key: str, params: dict, headers: dict, head: bool) -> Response:
        if "partNumber" in params:
            raise S3Error(501, "NotImplemented", "GET by part number is not implemented here")
        version = self.version(bucket, key, params.get("versionId"))
        if_match, if_none = headers.get("if-match"), headers.get("if-none-match")
        if if_match is not None and if_match.strip() not in ("*", version.etag):
            raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
        if if_none is not None and if_none.strip() in ("*", version.etag):
            return Response(304, [("ETag", version.etag)])
        answer = self.object_headers(bucket, version)
        for name, header in RESPONSE_OVERRIDES.items():
            if name in params:
                answer = [(n, v) for n, v in answer if n.lower() != header] + [(header, params[name])]
        wanted = headers.get("range")
        if wanted is None:
            if version.checksum and headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
                algorithm, value, kind = version.checksum
                answer += [(f"x-amz-checksum-{algorithm}", value), ("x-amz-checksum-type", kind)]
            if head:
                return Response(200, answer, b"", length=version.size)
            return Response(200, answer, version.segments, length=version.size)
        first, last = parse_range(wanted, version.size)
        answer.append(("Content-Range", f"bytes {first}-{last}/{version.size}"))
        length = last - first + 1
        if head:
            return Response(206, answer, b"", length=length)
        return Response(206, answer, slice_segments(version.segments, first, last + 1), length=length)

    def object_headers(self, bucket: Bucket, version: Version) -> list:
        answer = [("ETag", version.etag), ("Last-Modified", http_date(version.modified)), ("Accept-Ranges", "bytes")]
        if bucket.versioning:
            answer.append(("x-amz-version-id", version.version_id))
        answer += version.headers.items()
        if version.parts:
            answer.append(("x-amz-mp-parts-count", str(version.parts)))
        return answer

    def put_object(self, bucket: Bucket, key: str, request: Request, signing) -> Response:
        segments, checksum = self.payload(request, signing)
        size = sum(len(s) for s in segments)
        md5 = hashlib.md5()
        for segment in segments:
            md5.update(segment)
        given_md5 = request.headers.get("content-md5")
        if given_md5 is not None and given_md5 != _b64(md5.digest()):
            raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        body = b"".join(segments) if len(segments) != 1 else bytes(segments[0])
        headers = self.stored_headers(bucket, request.headers)
        version = Version(key, self.new_version_id(bucket), [body], size, f'"{md5.hexdigest()}"', time.time(), headers,
                          (checksum[0], checksum[1], "FULL_OBJECT") if checksum else None)
        bucket.add(version)
        return Response(200, self.write_headers(bucket, version))

    def payload(self, request: Request, signing) -> tuple[list, tuple | None]:
        """The decoded body's segments and the checksum it carried, verified where implemented."""
        headers = request.headers
        mode = headers.get("x-amz-content-sha256", "")
        if mode.startswith("STREAMING-") or "aws-chunked" in headers.get("content-encoding", ""):
            segments, trailers = decode_aws_chunked(request.body, signing, mode.startswith(STREAMING_SIGNED))
            decoded = headers.get("x-amz-decoded-content-length")
            if decoded is not None and int(decoded) != sum(len(s) for s in segments):
                raise S3Error(400, "IncompleteBody", "The decoded length differs from x-amz-decoded-content-length")
        else:
            segments, trailers = [request.body], {}
        checksum = None
        for algorithm in CHECKSUMS:
            name = f"x-amz-checksum-{algorithm}"
            value = trailers.get(name) or headers.get(name)
            if value:
                computed = digest(algorithm, segments)
                if computed is not None and computed != value:
                    raise S3Error(400, "BadDigest", f"The {algorithm.upper()} you specified did not match the "
                                                    "calculated checksum.")
                checksum = (algorithm, value)
                break
        return segments, checksum

    def stored_headers(self, bucket: Bucket, headers: dict) -> dict:
        kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
        kept.setdefault("content-type", "binary/octet-stream")
        kept.update({name: value for name, value in headers.items() if name.startswith("x-amz-meta-")})
        sse = {name: headers[name] for name in SSE_HEADERS if name in headers}
        if "x-amz-server-side-encryption" not in sse and "x-amz-server-side-encryption-customer-algorithm" not in sse:
            sse = dict(bucket.default_sse or {"x-amz-server-side-encryption": "AES256"})
        if sse.get("x-amz-server-side-encryption") == "aws:kms" and "x-amz-server-side-encryption-aws-kms-key-id" not in sse:
            sse["x-amz-server-side-encryption-aws-kms-key-id"] = f"arn:aws:kms:{bucket.region}:123456789012:alias/aws/s3"
        sse.pop("x-amz-server-side-encryption-context", None)
        kept.update(sse)
        return kept

    def write_headers(self, bucket: Bucket, version: Version) -> list:
        answer = [("ETag", version.etag)]
        if bucket.versioning:
            answer.append(("x-amz-version-id", version.version_id))
        answer += [(n, v) for n, v in version.headers.items() if n.startswith("x-amz-server-side-encryption")]
        if version.checksum:
            answer += [(f"x-amz-checksum-{version.checksum[0]}", version.checksum[1]),
                       ("x-amz-checksum-type", version.checksum[2])]
        return answer

    @staticmethod
    def new_version_id(bucket: Bucket) -> str:
        return uuid.uuid4().hex if bucket.versioning == "Enabled" else "null"

    def copy_object(self, bucket: Bucket, key: str, request: Request) -> Response:
        source = unquote(request.headers["x-amz-copy-source"]).lstrip("/")
        source_path, _, query = source.partition("?")
        source_bucket, _, source_key = source_path.partition("/")
        source_version = query.partition("versionId=")[2] or None
        original = self.version(self.bucket(source_bucket), source_key, source_version)
        headers = dict(original.headers)
        if request.headers.get("x-amz-metadata-directive", "COPY").upper() == "REPLACE":
            headers = self.stored_headers(bucket, request.headers)
        else:
            headers.update({n: v for n, v in self.stored_headers(bucket, request.headers).items()
                            if n.startswith("x-amz-server-side-encryption") and n in request.headers})
        version = Version(key, self.new_version_id(bucket), list(original.segments), original.size, original.etag,
                          time.time(), headers, original.checksum, parts=original.parts)
        bucket.add(version)
        result = _xml("CopyObjectResult",
                      f"<LastModified>{iso(version.modified)}</LastModified><ETag>{escape(version.etag)}</ETag>")
        return xml_response(200, result, [(n, v) for n, v in self.write_headers(bucket, version) if n != "ETag"])

    def delete_object(self, bucket: Bucket, key: str, version_id: str | None) -> Response:
        if version_id is not None:
            removed = bucket.remove(key, version_id)
            answer = [("x-amz-version-id", version_id)]
            if removed is not None and removed.delete_marker:
                answer.append(("x-amz-delete-marker", "true"))
            return Response(204, answer)
        if bucket.versioning:
            marker = Version(key, self.new_version_id(bucket), [], 0, "", time.time(), {}, delete_marker=True)
            bucket.add(marker)
            return Response(204, [("x-amz-delete-marker", "true"), ("x-amz-version-id", marker.version_id)])
        bucket.remove(key, "null")
        return Response(204, [])

    def delete_objects(self, bucket: Bucket, body: bytes) -> Response:
        root = ElementTree.fromstring(body)
        quiet = (_find_text(root, "Quiet") or "").lower() == "true"
        done = []
        for item in root.iter():
            if _local(item.tag) != "Object":
                continue
            key, version_id = _find_text(item, "Key"), _find_text(item, "VersionId")
            answer = self.delete_object(bucket, key, version_id)
            if not quiet:
                extra = dict(answer.headers)
                version = f"<VersionId>{escape(version_id)}</VersionId>" if version_id else ""
                marker = ("<DeleteMarker>true</DeleteMarker>"
                          f"<DeleteMarkerVersionId>{extra.get('x-amz-version-id', '')}</DeleteMarkerVersionId>"
                          if extra.get("x-amz-delete-marker") and not version_id else "")
                done.append(f"<Deleted><Key>{escape(key)}</Key>{version}{marker}</Deleted>")
        return xml_response(200, _xml("DeleteResult", "".join(done)))

    def get_object_tagging(self, bucket: Bucket, key: str, params: dict) -> Response:
        version = self.version(bucket, key, params.get("versionId"))
        return xml_response(200, version.tags or _xml("Tagging", "<TagSet></TagSet>"))

    def put_object_tagging(self, bucket: Bucket, key: str, params: dict, body: bytes) -> Response:
        version = self.version(bucket, key, params.get("versionId"))
        version.tags = body
        return Response(200, [("x-amz-version-id", version.version_id)] if bucket.versioning else [])

    # --- multipart uploads
    def create_upload(self, bucket: Bucket, key: str, headers: dict) -> Response:
        algorithm = headers.get("x-amz-checksum-algorithm", "").lower() or None
        kind = headers.get("x-amz-checksum-type", "COMPOSITE" if algorithm else "").upper()
        upload = Upload(key, uuid.uuid4().hex, self.stored_headers(bucket, headers), time.time(), algorithm, kind)
        bucket.uploads[upload.upload_id] = upload
        answer = [(n, v) for n, v in upload.headers.items() if n.startswith("x-amz-server-side-encryption")]
        if algorithm:
            answer += [("x-amz-checksum-algorithm", algorithm.upper()), ("x-amz-checksum-type", kind)]
        result = (f"<Bucket>{escape(bucket.name)}</Bucket><Key>{escape(key)}</Key>"
                  f"<UploadId>{upload.upload_id}</UploadId>")
        return xml_response(200, _xml("InitiateMultipartUploadResult", result), answer)

    def upload(self, bucket: Bucket, upload_id: str, key: str) -> Upload:
        upload = bucket.uploads.get(upload_id)
        if upload is None or upload.key != key:
            raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.", upload_id)
        return upload

    def upload_part(self, bucket: Bucket, key: str, params: dict, request: Request, signing) -> Response:
        upload = self.upload(bucket, params["uploadId"], key)
        number = int(params["partNumber"])
        if not 1 <= number <= 10000:
            raise S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
        if "x-amz-copy-source" in request.headers:
            raise S3Error(501, "NotImplemented", "UploadPartCopy is not implemented here")
        segments, checksum = self.payload(request, signing)
        body = b"".join(segments) if len(segments) != 1 else bytes(segments[0])
        md5 = hashlib.md5(body)
        given_md5 = request.headers.get("content-md5")
        if given_md5 is not None and given_md5 != _b64(md5.digest()):
            raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        etag = f'"{md5.hexdigest()}"'
        if checksum is None and upload.checksum_algorithm:
            computed = digest(upload.checksum_algorithm, [body])
            checksum = (upload.checksum_algorithm, computed) if computed else None
        upload.parts[number] = Part(body, etag, checksum, time.time())
        answer = [("ETag", etag)]
        answer += [(n, v) for n, v in upload.headers.items() if n.startswith("x-amz-server-side-encryption")]
        if checksum:
            answer.append((f"x-amz-checksum-{checksum[0]}", checksum[1]))
        return Response(200, answer)

    def complete_upload(self, bucket: Bucket, key: str, upload_id: str, request: Request) -> Response:
        upload = self.upload(bucket, upload_id, key)
        root = ElementTree.fromstring(request.body)
        chosen = []
        for item in root.iter():
            if _local(item.tag) != "Part":
                continue
            number, etag = int(_find_text(item, "PartNumber")), _find_text(item, "ETag")
            part = upload.parts.get(number)
            if part is None or (etag and etag.strip('"') != part.etag.strip('"')):
                raise S3Error(400, "InvalidPart", "One or more of the specified parts could not be found.")
            chosen.append((number, part))
        if not chosen or [n for n, _ in chosen] != sorted({n for n, _ in chosen}):
            raise S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        parts = [part for _, part in chosen]
        md5s = b"".join(bytes.fromhex(p.etag.strip('"')) for p in parts)
        etag = f'"{hashlib.md5(md5s).hexdigest()}-{len(parts)}"'
        checksum = self.upload_checksum(upload, parts, request.headers)
        size = sum(len(p.body) for p in parts)
        version = Version(key, self.new_version_id(bucket), [p.body for p in parts], size, etag, time.time(),
                          upload.headers, checksum, parts=len(parts))
        del bucket.uploads[upload_id]
        bucket.add(version)
        extra = ""
        if checksum:
            name = {"crc32": "CRC32", "crc32c": "CRC32C", "crc64nvme": "CRC64NVME", "sha1": "SHA1",
                    "sha256": "SHA256"}[checksum[0]]
            extra = f"<Checksum{name}>{checksum[1]}</Checksum{name}><ChecksumType>{checksum[2]}</ChecksumType>"
        result = (f"<Location>/{escape(bucket.name)}/{escape(key)}</Location><Bucket>{escape(bucket.name)}</Bucket>"
                  f"<Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag>{extra}")
        headers = [(n, v) for n, v in self.write_headers(bucket, version)
                   if n != "ETag" and not n.startswith("x-amz-checksum")]
        return xml_response(200, _xml("CompleteMultipartUploadResult", result), headers)

    @staticmethod
    def upload_checksum(upload: Upload, parts: list, headers: dict) -> tuple | None:
        """FULL_OBJECT: the whole object's checksum (CRC32 combined from the parts'); COMPOSITE: the
        checksum of the parts' checksums, "-N". A full-object value the client sent must match."""
        algorithm = upload.checksum_algorithm
        if not algorithm or any(p.checksum is None or p.checksum[0] != algorithm for p in parts):
            return None
        if upload.checksum_type == "FULL_OBJECT":
            if algorithm != "crc32":
                value = digest(algorithm, [p.body for p in parts])
                if value is None:
                    return None
            else:
                crc = 0
                for part in parts:
                    crc = crc32_combine(crc, int.from_bytes(base64.b64decode(part.checksum[1]), "big"), len(part.body))
                value = _b64(crc.to_bytes(4, "big"))
            given = headers.get(f"x-amz-checksum-{algorithm}")
            if given and given != value:
                raise S3Error(400, "BadDigest", f"The {algorithm.upper()} you specified for the full object did not "
                                                "match the calculated checksum.")
            return algorithm, value, "FULL_OBJECT"
        raw = b"".join(base64.b64decode(p.checksum[1]) for p in parts)
        value = digest(algorithm, [raw])
        return (algorithm, f"{value}-{len(parts)}", "COMPOSITE") if value else None

    def list_parts(self, bucket: Bucket, key: str, params: dict) -> Response:
        self.counts["ListParts"] += 1
        upload = self.upload(bucket, params["uploadId"], key)
        items = "".join(f"<Part><PartNumber>{n}</PartNumber><LastModified>{iso(p.modified)}</LastModified>"
                        f"<ETag>{escape(p.etag)}</ETag><Size>{len(p.body)}</Size></Part>"
                        for n, p in sorted(upload.parts.items()))
        result = (f"<Bucket>{escape(bucket.name)}</Bucket><Key>{escape(key)}</Key><UploadId>{upload.upload_id}</UploadId>"
                  f"<IsTruncated>false</IsTruncated>{items}")
        return xml_response(200, _xml("ListPartsResult", result))

    def list_uploads(self, bucket: Bucket, params: dict) -> Response:
        prefix = params.get("prefix", "")
        items = "".join(f"<Upload><Key>{escape(u.key)}</Key><UploadId>{u.upload_id}</UploadId>"
                        f"<Initiated>{iso(u.initiated)}</Initiated></Upload>"
                        for u in sorted(bucket.uploads.values(), key=lambda u: (u.key, u.initiated))
                        if u.key.startswith(prefix))
        result = (f"<Bucket>{escape(bucket.name)}</Bucket><Prefix>{escape(prefix)}</Prefix>"
                  f"<IsTruncated>false</IsTruncated>{items}")
        return xml_response(200, _xml("ListMultipartUploadsResult", result))

    # --- listings
    def list_objects(self, bucket: Bucket, params: dict) -> Response:
        v2 = params.get("list-type") == "2"
        prefix, delimiter = params.get("prefix", ""), params.get("delimiter", "")
        limit = max(0, min(int(params.get("max-keys", "1000")), 1000))
        encode = params.get("encoding-type") == "url"
        token = params.get("continuation-token")
        after = base64.urlsafe_b64decode(token.encode()).decode() if token else params.get(
            "start-after" if v2 else "marker", "")
        keys = bucket.keys
        index = bisect.bisect_right(keys, after) if after else 0
        index = max(index, bisect.bisect_left(keys, prefix))
        if token and delimiter and after.endswith(delimiter) and after.startswith(prefix):
            index = max(index, bisect.bisect_left(keys, after + "\U0010ffff"))  # past a common prefix already listed
        contents, prefixes, last, truncated = [], [], "", False
        while index < len(keys):
            key = keys[index]
            if not key.startswith(prefix):
                break
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if len(contents) + len(prefixes) >= limit:
                        truncated = True
                        break
                    prefixes.append(common)
                    last = common
                    index = bisect.bisect_left(keys, common + "\U0010ffff")
                    continue
            latest = bucket.objects[key][-1]
            index += 1
            if latest.delete_marker:
                continue
            if len(contents) + len(prefixes) >= limit:
                truncated = True
                break
            contents.append(latest)
            last = key
        name = (lambda k: quote_plus(k, safe="/")) if encode else escape
        items = "".join(
            f"<Contents><Key>{name(v.key)}</Key><LastModified>{iso(v.modified)}</LastModified>"
            f"<ETag>{escape(v.etag)}</ETag><Size>{v.size}</Size><StorageClass>STANDARD</StorageClass>"
            + (f"<ChecksumAlgorithm>{v.checksum[0].upper()}</ChecksumAlgorithm>" if v.checksum else "")
            + ("" if v2 else _owner()) + "</Contents>" for v in contents)
        common = "".join(f"<CommonPrefixes><Prefix>{name(p)}</Prefix></CommonPrefixes>" for p in prefixes)
        head = (f"<Name>{escape(bucket.name)}</Name><Prefix>{name(prefix)}</Prefix><MaxKeys>{limit}</MaxKeys>"
                + (f"<Delimiter>{name(delimiter)}</Delimiter>" if delimiter else "")
                + ("<EncodingType>url</EncodingType>" if encode else "")
                + f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        if v2:
            head += f"<KeyCount>{len(contents) + len(prefixes)}</KeyCount>"
            if token:
                head += f"<ContinuationToken>{escape(token)}</ContinuationToken>"
            if truncated:
                following = base64.urlsafe_b64encode(last.encode()).decode()
                head += f"<NextContinuationToken>{following}</NextContinuationToken>"
            if "start-after" in params:
                head += f"<StartAfter>{name(params['start-after'])}</StartAfter>"
        else:
            head += f"<Marker>{name(params.get('marker', ''))}</Marker>"
            if truncated and delimiter:
                head += f"<NextMarker>{name(last)}</NextMarker>"
        return xml_response(200, _xml("ListBucketResult", head + items + common))

    def list_versions(self, bucket: Bucket, params: dict) -> Response:
        prefix = params.get("prefix", "")
        limit = max(0, min(int(params.get("max-keys", "1000")), 1000))
        key_marker, version_marker = params.get("key-marker", ""), params.get("version-id-marker", "")
        encode = params.get("encoding-type") == "url"
        name = (lambda k: quote_plus(k, safe="/")) if encode else escape
        index = bisect.bisect_left(bucket.keys, max(prefix, key_marker))
        entries, truncated, next_marker = [], False, None
        while index < len(bucket.keys) and not truncated:
            key = bucket.keys[index]
            index += 1
            if not key.startswith(prefix):
                break
            versions = list(reversed(bucket.objects[key]))
            if key == key_marker:
                if not version_marker:
                    continue
                ids = [v.version_id for v in versions]
                versions = versions[ids.index(version_marker) + 1:] if version_marker in ids else []
            for position, version in enumerate(versions):
                if len(entries) >= limit:
                    truncated, next_marker = True, entries[-1][0]
                    break
                entries.append((version, position == 0 and version is bucket.objects[key][-1]))
        items = []
        for version, latest in entries:
            common = (f"<Key>{name(version.key)}</Key><VersionId>{version.version_id}</VersionId>"
                      f"<IsLatest>{'true' if latest else 'false'}</IsLatest><LastModified>{iso(version.modified)}</LastModified>")
            if version.delete_marker:
                items.append(f"<DeleteMarker>{common}{_owner()}</DeleteMarker>")
            else:
                items.append(f"<Version>{common}<ETag>{escape(version.etag)}</ETag><Size>{version.size}</Size>"
                             f"<StorageClass>STANDARD</StorageClass>{_owner()}</Version>")
        head = (f"<Name>{escape(bucket.name)}</Name><Prefix>{name(prefix)}</Prefix><KeyMarker>{name(key_marker)}</KeyMarker>"
                f"<VersionIdMarker>{escape(version_marker)}</VersionIdMarker><MaxKeys>{limit}</MaxKeys>"
                f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        if truncated and next_marker is not None:
            head += (f"<NextKeyMarker>{name(next_marker.key)}</NextKeyMarker>"
                     f"<NextVersionIdMarker>{next_marker.version_id}</NextVersionIdMarker>")
        return xml_response(200, _xml("ListVersionsResult", head + "".join(items)))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _find_text(element: ElementTree.Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def _default_sse(root: ElementTree.Element) -> dict:
    """SSE response headers from a ServerSideEncryptionConfiguration's first rule."""
    found = {}
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "SSEAlgorithm":
            found["x-amz-server-side-encryption"] = (element.text or "").strip()
        elif tag == "KMSMasterKeyID" and element.text:
            found["x-amz-server-side-encryption-aws-kms-key-id"] = element.text.strip()
        elif tag == "BucketKeyEnabled" and (element.text or "").strip().lower() == "true":
            found["x-amz-server-side-encryption-bucket-key-enabled"] = "true"
    return found


def _statements(policy: dict) -> list:
    statements = policy.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def parse_range(header: str, size: int) -> tuple[int, int]:
    unit, _, spec = header.partition("=")
    first_text, dash, last_text = spec.strip().partition("-")
    if unit.strip() != "bytes" or not dash or "," in spec:
        raise S3Error(416, "InvalidRange", "The requested range is not satisfiable")
    if not first_text:  # the last N bytes
        first, last = max(0, size - int(last_text)), size - 1
    else:
        first, last = int(first_text), min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or first > last:
        raise S3Error(416, "InvalidRange", "The requested range is not satisfiable")
    return first, last


def slice_segments(segments: list, start: int, end: int) -> list:
    """The bytes [start, end) of a body kept in segments, as memoryview slices (no copy)."""
    found, offset = [], 0
    for segment in segments:
        length = len(segment)
        if offset + length > start and offset < end:
            found.append(memoryview(segment)[max(0, start - offset):min(length, end - offset)])
        offset += length
        if offset >= end:
            break
    return found


# --- HTTP ------------------------------------------------------------------------------------------------

class Limits:
    """The latency model and where to forward what is not S3's."""

    def __init__(self, first_byte: float, bandwidth: float, backend: tuple[str, int] | None) -> None:
        self.first_byte = first_byte  # seconds from a request's last byte to its response's first
        self.bandwidth = bandwidth  # bytes per second per connection and direction; 0: no cap
        self.backend = backend


class Connection(asyncio.Protocol):
    """One client connection: requests read in turn (keep-alive), each answered after the delay."""

    def __init__(self, server: Server) -> None:
        self.server, self.limits = server, server.limits
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.pieces: list[bytes] = []  # chunks of a chunked request body read so far
        self.transport: asyncio.Transport | None = None
        self.head: tuple | None = None  # (method, target, headers) of the request being read
        self.needed = 0  # body bytes still expected (Content-Length), or -1: chunked
        self.busy = False  # a response is being prepared or paced: the next request waits
        self.closing = False
        self.secure = False
        self.budget = 0.0  # token bucket of the bandwidth cap, reads
        self.budget_time = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.secure = transport.get_extra_info("sslcontext") is not None
        self.server.connections += 1

    def connection_lost(self, error: Exception | None) -> None:
        self.transport = None
        self.server.connections -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.limits.bandwidth:
            self._pace_reading(len(data))
        if not self.busy:
            self._parse()

    def _pace_reading(self, size: int) -> None:
        now = self.loop.time()
        rate = self.limits.bandwidth
        self.budget = min(rate * 0.05, self.budget + (now - self.budget_time) * rate) - size
        self.budget_time = now
        if self.budget < 0 and self.transport is not None:
            self.transport.pause_reading()
            self.loop.call_later(-self.budget / rate, self._resume)

    def _resume(self) -> None:
        if self.transport is not None:
            self.transport.resume_reading()

    def _parse(self) -> None:
        while not self.busy and self.transport is not None:
            if self.head is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buffer) > MAX_HEADER_BYTES:
                        self._fail(431, "RequestHeaderSectionTooLarge")
                    return
                lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
                del self.buffer[:end + 4]
                try:
                    method, target, _ = lines[0].split(" ", 2)
                except ValueError:
                    self._fail(400, "BadRequest")
                    return
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    name = name.strip().lower()
                    headers[name] = f"{headers[name]},{value.strip()}" if name in headers else value.strip()
                self.head = (method, target, headers)
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    self.needed = -1
                else:
                    self.needed = int(headers.get("content-length", "0") or 0)
                    if self.needed > MAX_BODY_BYTES:
                        self._fail(413, "EntityTooLarge")
                        return
                if self.needed and headers.get("expect", "").lower() == "100-continue":
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if self.needed == -1:
                body = self._chunked_body()
                if body is None:
                    return
            else:
                if len(self.buffer) < self.needed:
                    return
                body = bytes(self.buffer[:self.needed]) if self.needed else b""
                del self.buffer[:self.needed]
            method, target, headers = self.head
            self.head = None
            path, _, query = target.partition("?")
            if path.startswith(("http://", "https://")):
                path = urlsplit(path).path or "/"
            request = Request(method, target, path, query, headers, body, self.loop.time(), self.secure)
            if headers.get("connection", "").lower() == "close":
                self.closing = True
            self.busy = True
            self.server.dispatch(self, request)

    def _chunked_body(self) -> bytes | None:
        """The whole body of a chunked request once its last chunk has arrived, else None. Chunks
        are taken off the buffer as they complete (kept in ``self.pieces``), so a long body costs
        one pass, not one per read."""
        buffer = self.buffer
        while True:
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                return None
            size = int(bytes(buffer[:line_end]).split(b";")[0], 16)
            start = line_end + 2
            if size == 0:  # the last chunk, then trailer fields, then an empty line
                if buffer[start:start + 2] == b"\r\n":
                    end = start + 2
                else:
                    trailer_end = buffer.find(b"\r\n\r\n", start)
                    if trailer_end < 0:
                        return None
                    end = trailer_end + 4
                del buffer[:end]
                body, self.pieces = b"".join(self.pieces), []
                return body
            if len(buffer) < start + size + 2:
                return None
            self.pieces.append(bytes(buffer[start:start + size]))
            del buffer[:start + size + 2]

    def _fail(self, status: int, code: str) -> None:
        self.closing = True
        self.busy = True
        body = XML_HEAD + f"<Error><Code>{code}</Code></Error>".encode()
        self.send(Response(status, [("Content-Type", "application/xml")], body), self.loop.time(), head=False)

    def send(self, response: Response, received: float, head: bool, keep: bool = True) -> None:
        """``response`` once the first-byte delay since ``received`` has passed."""
        wait = received + self.limits.first_byte - self.loop.time()
        if wait > 0:
            self.loop.call_later(wait, self._write, response, head, keep)
        else:
            self._write(response, head, keep)

    def _write(self, response: Response, head: bool, keep: bool) -> None:
        transport = self.transport
        if transport is None:
            return
        body = response.body
        segments = body if isinstance(body, list) else ([body] if body else [])
        length = response.length if response.length is not None else sum(len(s) for s in segments)
        lines = [f"HTTP/1.1 {response.status} {STATUS.get(response.status, 'Unknown')}", f"Date: {self.server.date()}",
                 "Server: lake-bench-s3", f"x-amz-request-id: {self.server.request_id()}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        if response.status not in (204, 304):
            lines.append(f"Content-Length: {length}")
        if not keep or self.closing:
            lines.append("Connection: close")
        header = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if head or response.status in (204, 304):
            segments = []
        if self.limits.bandwidth and segments:
            transport.write(header)
            self._pace(list(segments), keep)
            return
        if segments and len(segments[0]) < 16384:
            transport.write(header + bytes(segments[0]))
            segments = segments[1:]
        else:
            transport.write(header)
        for segment in segments:
            transport.write(segment)
        self._done(keep)

    def _pace(self, segments: list, keep: bool) -> None:
        """Body writes spaced out to the bandwidth cap (slices of 16 KiB)."""
        transport = self.transport
        if transport is None:
            return
        budget = max(16384, int(self.limits.bandwidth * 0.01))
        sent = 0
        while segments and sent < budget:
            piece = memoryview(segments[0])
            take = piece[:budget - sent]
            transport.write(take)
            sent += len(take)
            if len(take) < len(piece):
                segments[0] = piece[len(take):]
            else:
                segments.pop(0)
        if segments:
            self.loop.call_later(sent / self.limits.bandwidth, self._pace, segments, keep)
        else:
            self.loop.call_later(sent / self.limits.bandwidth, self._done, keep)

    def _done(self, keep: bool) -> None:
        if not keep or self.closing:
            if self.transport is not None:
                self.transport.close()
            return
        self.busy = False
        if self.buffer:
            self._parse()


class Server:
    def __init__(self, s3: S3, limits: Limits) -> None:
        self.s3, self.limits = s3, limits
        self.connections = 0
        self._date, self._date_second = "", -1
        self._request_ids = 0
        self.forwarded: Counter = Counter()

    def date(self) -> str:
        second = int(time.time())
        if second != self._date_second:
            self._date, self._date_second = http_date(second), second
        return self._date

    def request_id(self) -> str:
        self._request_ids += 1
        return f"{self._request_ids:016X}"

    def dispatch(self, connection: Connection, request: Request) -> None:
        head = request.method == "HEAD"
        if request.path.startswith("/__endpoint/"):
            connection.send(self.stats(), request.received, head)
            return
        service = service_of(request)
        if service != "s3" or request.path.startswith(("/moto-api", "/v20180820")):
            asyncio.ensure_future(self._forwarded(connection, request, head))
            return
        try:
            response = self.s3.handle(request)
        except S3Error as error:
            response = error_response(error, self.request_id(), head)
        except Exception as error:  # noqa: BLE001 - a bug answers 500 and keeps the server up
            print(f"endpoint: {request.method} {request.target}: {type(error).__name__}: {error}", file=sys.stderr)
            response = error_response(S3Error(500, "InternalError", str(error)), self.request_id(), head)
        bucket, _, key = request.path[1:].partition("/")
        setting = next((p for p in request.params() if p in BUCKET_SETTINGS), None) if not key else "object"
        if self.limits.backend and bucket and (request.method, setting) in MIRRORED and response.status < 300:
            asyncio.ensure_future(self._mirrored(connection, request, response, head))
            return
        connection.send(response, request.received, head)

    def stats(self) -> Response:
        body = json.dumps({"requests": dict(self.s3.counts), "forwarded": dict(self.forwarded),
                           "connections": self.connections, "buckets": len(self.s3.buckets),
                           "cpu_seconds": time.process_time()}).encode()
        return Response(200, [("Content-Type", "application/json")], body)

    async def _forwarded(self, connection: Connection, request: Request, head: bool) -> None:
        if self.limits.backend is None:
            response = error_response(S3Error(501, "NotImplemented", "only S3 is served here (no --backend)"),
                                      self.request_id(), head)
        else:
            self.forwarded[service_of(request)] += 1
            response = await self.forward(request)
        connection.send(response, request.received, head)

    async def _mirrored(self, connection: Connection, request: Request, response: Response, head: bool) -> None:
        answer = await self.forward(request)
        if answer.status >= 300:
            print(f"endpoint: moto refused the mirrored {request.method} {request.target}: {answer.status}",
                  file=sys.stderr)
        connection.send(response, request.received, head)

    async def forward(self, request: Request) -> Response:
        """The request sent as it came to the backend (a moto server), its answer read whole."""
        host, port = self.limits.backend
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as error:
            return error_response(S3Error(502, "BadGateway", f"backend: {error}"), self.request_id())
        skipped = {"connection", "transfer-encoding", "content-length", "expect", "keep-alive"}
        lines = [f"{request.method} {request.target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in request.headers.items() if name not in skipped]
        lines += [f"Content-Length: {len(request.body)}", "Connection: close"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
        try:
            raw = await asyncio.wait_for(reader.read(), timeout=120)
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = []
        chunked = False
        for line in header_lines:
            name, _, value = line.partition(":")
            lower = name.strip().lower()
            if lower == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            if lower in ("connection", "transfer-encoding", "content-length", "date", "server", "keep-alive"):
                continue
            headers.append((name.strip(), value.strip()))
        if chunked:
            body = _unchunk(body)
        return Response(status, headers, body, length=len(body))


def _unchunk(data: bytes) -> bytes:
    pieces, position = [], 0
    while True:
        line_end = data.find(b"\r\n", position)
        size = int(data[position:line_end].split(b";")[0], 16)
        if size == 0:
            return b"".join(pieces)
        pieces.append(data[line_end + 2:line_end + 2 + size])
        position = line_end + 2 + size + 2


# --- running ---------------------------------------------------------------------------------------------

def parse_credentials(values: list[str]) -> dict[str, str]:
    return dict(value.split(":", 1) for value in values) if values else {"testing": "testing"}


async def serve(args: argparse.Namespace) -> None:
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.cert, args.key)
    backend = None
    if args.backend:
        parts = urlsplit(args.backend)
        if parts.hostname != HOST:
            raise SystemExit(f"--backend must be on {HOST}: {args.backend}")
        backend = (parts.hostname, parts.port or 80)
    limits = Limits(args.first_byte_ms / 1000, args.bandwidth_mbps * 1_000_000 / 8, backend)
    server = Server(S3(Signatures(parse_credentials(args.credentials))), limits)
    loop = asyncio.get_running_loop()
    listening = await loop.create_server(lambda: Connection(server), HOST, args.port, ssl=context, backlog=1024,
                                         reuse_address=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    port = listening.sockets[0].getsockname()[1]
    print(f"ready {'https' if context else 'http'}://{HOST}:{port} loop={type(loop).__module__}", flush=True)
    async with listening:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.endpoint_server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one, printed)")
    parser.add_argument("--cert", help="PEM certificate: serve https")
    parser.add_argument("--key", help="PEM private key of --cert")
    parser.add_argument("--first-byte-ms", type=float, default=0.0, help="delay before each response's first byte")
    parser.add_argument("--bandwidth-mbps", type=float, default=0.0, help="cap per connection and direction (0: none)")
    parser.add_argument("--backend", help="moto server on 127.0.0.1 for every other service, e.g. http://127.0.0.1:5000")
    parser.add_argument("--credentials", action="append", default=[], help="ACCESS_KEY:SECRET (repeatable); "
                                                                           "default testing:testing")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio",
                        help="event loop (uvloop only where installed: benchmarks/endpoint_candidates.py compares them)")
    args = parser.parse_args(argv)
    if args.loop == "uvloop":
        import uvloop  # type: ignore[import-not-found]  # noqa: PLC0415 - optional, never in the project's venv

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
