"""A WSGI middleware in front of moto that enforces bucket policies on S3 data requests, as S3 does.

moto 5.2.5 cannot stand in for the lake's buckets on its own: for object requests it asks
``FakeBucket.get_permission``, whose statement check answers "denied" whenever a statement's
conditions do not hold, whatever the statement's Effect, and it has no request context (TLS,
headers) to read them with. Every GetObject or PutObject on a lake bucket (its policy has Deny
statements with conditions) gets a 403, even over https, while what the policy really denies is
never enforced. ``PolicyGate`` takes over: it evaluates the bucket policy with the project's own
evaluator (``policies.evaluator``) against what the request really carries, and answers an
explicit deny as S3 does; ``without_moto_policy_check`` switches moto's check off meanwhile.

What is gated: signed S3 requests on path-style URLs, for the data actions below. Signed for S3
means SigV4 with the credential scope ``.../s3/aws4_request`` (in the Authorization header or a
presigned URL's ``X-Amz-Credential``), or S3's own signature version 2 (``Authorization: AWS
key:signature``, or a presigned URL's ``AWSAccessKeyId``/``Signature``/``Expires``): boto3 presigns
with version 2 unless told otherwise. Everything else passes through to moto untouched:

- bucket configuration (``?policy``, ``?versioning``, ``PUT /bucket``...), so that ``apply_plan``
  and the audit keep working whatever the policy says. Real S3 would refuse some of them, e.g.
  GetBucketPolicy over plain http under ``DenyInsecureTransport``;
- object sub-resources not in ``OBJECT_SUBRESOURCES`` (``?retention``, ``?restore``, ``?select``...);
- unsigned requests, and other services.

Who is judged how:

- moto's default credentials (any key its STS did not issue, e.g. the sandbox's ``testing``): the
  caller is moto's account user, whose identity policies moto does not simulate, so only the
  bucket policy's explicit denies are enforced; an allow or an implicit deny passes through.
- credentials moto's STS issued for an assumed role (``callers.py``): the caller is that role's
  session, judged as AWS judges it. Its identity policies and the bucket policy must allow the
  request (an implicit deny is a deny too), and an object read or write encrypted with SSE-KMS
  also needs the key: kms:Decrypt to read (GetObject, a copy's source) and for UploadPart and
  CompleteMultipartUpload, kms:GenerateDataKey for PutObject, CopyObject and CreateMultipartUpload,
  asked through S3 (``kms:ViaService`` s3.<region>.amazonaws.com, ``kms:CallerAccount``), against
  the key's policy and the role's policies, as ``policies.access.matrix.decide`` combines them. The
  key is the object's for a read, else the request's SSE headers, its upload's, or the bucket's
  default encryption. HeadObject needs no key, as in S3. Bucket configuration still passes
  through for a role too (a consumer could rewrite a bucket policy here, never in AWS).

The request context AWS would give the policy: ``aws:SecureTransport``; ``s3:TlsVersion`` (the
version the connection negotiated, https only); the SSE headers the request carries. UploadPart and
CompleteMultipartUpload carry none: S3 judges them by the encryption their upload was created with,
which the gate reads from moto's record of the upload (``FakeMultipart.sse_encryption`` and
``.kms_key_id``; moto does not keep an SSE-C algorithm, but the lake's ``DenySseC`` already refuses
such uploads at creation). Never ``aws:SourceVpce``: the sandbox is not reached through a VPC
endpoint, so a perimeter denies every data request of a principal it does not exempt. A listing's
``prefix`` parameter is ``s3:prefix``, which consumer policies scope ListBucket with.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import ssl
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.access_control import PermissionResult
from moto.kms.models import Key
from moto.s3.models import FakeBucket, FakeKey, s3_backends
from werkzeug.datastructures import EnvironHeaders
from werkzeug.wsgi import get_input_stream

from components.documents.bucket_policy import SSE_C_HEADER, SSE_HEADER, SSE_KMS_KEY_HEADER
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Decision, Policy, Principal, Request

from .callers import Caller, kms_key, signing_caller

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Query = Mapping[str, list[str]]

log = logging.getLogger(__name__)

# moto answers every request signed with the sandbox's fake credentials as this user, of the
# account MOTO_ACCOUNT_ID names when set (MotoServer(account_id=...): a plan's account).
CALLER = Principal.iam(f"arn:aws:iam::{os.environ.get('MOTO_ACCOUNT_ID') or DEFAULT_ACCOUNT_ID}:user/moto")
S3_SCOPE = "/s3/aws4_request"
S3_SIGV2_HEADER = "AWS "  # "AWS key:signature"; the other services' SigV2 is in query parameters
S3_SIGV2_QUERY = frozenset({"AWSAccessKeyId", "Signature", "Expires"})  # theirs add SignatureVersion

# Query keys that qualify a request rather than name a sub-resource: listing and version
# parameters, response header overrides, presigned-URL signature fields, botocore's ``x-id``.
PARAMETERS = frozenset({
    "versionId", "partNumber", "x-id", "list-type", "prefix", "delimiter", "max-keys", "marker",
    "continuation-token", "start-after", "encoding-type", "fetch-owner", "key-marker", "version-id-marker",
    "upload-id-marker", "max-uploads", "max-parts", "part-number-marker", *S3_SIGV2_QUERY,
})
PARAMETER_PREFIXES = ("response-", "x-amz-")

# (method, sub-resource) of an object request -> (action, action when the request names a version).
# None is the object itself. UploadPart, Create- and CompleteMultipartUpload are all s3:PutObject.
OBJECT_SUBRESOURCES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("GET", None): ("s3:GetObject", "s3:GetObjectVersion"),
    ("HEAD", None): ("s3:GetObject", "s3:GetObjectVersion"),
    ("PUT", None): ("s3:PutObject", "s3:PutObject"),
    ("DELETE", None): ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("PUT", "uploadId"): ("s3:PutObject", "s3:PutObject"),
    ("POST", "uploads"): ("s3:PutObject", "s3:PutObject"),
    ("POST", "uploadId"): ("s3:PutObject", "s3:PutObject"),
    ("GET", "uploadId"): ("s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"),
    ("DELETE", "uploadId"): ("s3:AbortMultipartUpload", "s3:AbortMultipartUpload"),
    ("GET", "tagging"): ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("PUT", "tagging"): ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("DELETE", "tagging"): ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    ("GET", "acl"): ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("PUT", "acl"): ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("GET", "attributes"): ("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
}
# (method, sub-resource) of a bucket request -> action: the listings (HEAD /bucket is HeadBucket,
# which S3 authorises as s3:ListBucket). POST ?delete is DeleteObjects, judged key by key.
BUCKET_LISTINGS: dict[tuple[str, str | None], str] = {
    ("GET", None): "s3:ListBucket",
    ("HEAD", None): "s3:ListBucket",
    ("GET", "versions"): "s3:ListBucketVersions",
    ("GET", "uploads"): "s3:ListBucketMultipartUploads",
}
# Condition key -> the request header whose value S3 gives it: the keys the lake's policy reads.
ENCRYPTION_HEADERS = {key: key.removeprefix("s3:") for key in (SSE_HEADER, SSE_KMS_KEY_HEADER, SSE_C_HEADER)}
DRAIN_CHUNK = 1 << 16
UPLOAD_ID_ACTIONS = (("PUT", "uploadId"), ("POST", "uploadId"))  # judged by their upload's encryption
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
READ_ACTIONS = frozenset({"s3:GetObject", "s3:GetObjectVersion"})  # S3 decrypts with the caller's identity


@dataclass(frozen=True)
class Response:
    """The gate's own answer, in place of moto's."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Access:
    """One action on one bucket or object that a request needs."""

    action: str
    bucket: str
    key: str | None = None  # None: the bucket itself
    version_id: str | None = None  # the version a read names (whose KMS key decrypts it)

    def resource(self, partition: str = "aws") -> str:
        bucket_arn = f"arn:{partition}:s3:::{self.bucket}"
        return bucket_arn if self.key is None else f"{bucket_arn}/{self.key}"


# --- what a request asks for -------------------------------------------------------------------


def is_s3_request(authorization: str, query: Query) -> bool:
    """Signed for S3: by SigV4 with a credential scope naming S3, or by S3's signature version 2."""
    credentials = [authorization, *query.get("X-Amz-Credential", [])]
    if any(S3_SCOPE in value for value in credentials) or authorization.startswith(S3_SIGV2_HEADER):
        return True
    return S3_SIGV2_QUERY <= query.keys() and "SignatureVersion" not in query


def wsgi_path(path_info: str) -> str:
    """The decoded URL path: WSGI hands it over as latin-1 text of its UTF-8 bytes (PEP 3333)."""
    return path_info.encode("latin-1").decode("utf-8")


def bucket_and_key(path: str) -> tuple[str, str | None] | None:
    """``/bucket`` or ``/bucket/key`` of a path-style URL; None for ``/`` (ListBuckets)."""
    bucket, _, key = path.lstrip("/").partition("/")
    return (bucket, key or None) if bucket else None


def subresources(query: Query) -> set[str]:
    return {k for k in query if k not in PARAMETERS and not k.lower().startswith(PARAMETER_PREFIXES)}


def only_subresource(query: Query) -> tuple[bool, str | None]:
    """(False, _) when the query names several sub-resources: no data action has two."""
    names = subresources(query)
    return len(names) <= 1, next(iter(names), None)


def copy_source(header: str) -> Access | None:
    """The GetObject a copy needs: ``x-amz-copy-source`` is ``[/]bucket/key[?versionId=...]``, URL-encoded."""
    source, _, version = header.partition("?versionId=")
    found = bucket_and_key(unquote(source))
    if found is None or found[1] is None:
        return None
    return Access("s3:GetObjectVersion" if version else "s3:GetObject", *found, version or None)


def object_accesses(method: str, bucket: str, key: str, query: Query, copy_from: str | None) -> tuple[Access, ...]:
    single, subresource = only_subresource(query)
    actions = OBJECT_SUBRESOURCES.get((method, subresource)) if single else None
    if actions is None:
        return ()
    current, versioned = actions
    version = query.get("versionId", [None])[0]
    accesses = [Access(versioned if version is not None else current, bucket, key, version)]
    if method == "PUT" and subresource in (None, "uploadId") and copy_from:  # CopyObject, UploadPartCopy
        accesses.append(copy_source(copy_from))
    return tuple(a for a in accesses if a is not None)


def deleted_objects(body: bytes) -> list[tuple[str, bool]]:
    """(key, names a version) of each object a DeleteObjects body lists; none if it is not XML
    (moto then answers MalformedXML itself)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return []
    local = {child: child.tag.rpartition("}")[2] for child in root.iter()}
    listed = []
    for element in (e for e, name in local.items() if name == "Object"):
        fields = {local[child]: child.text or "" for child in element}
        if "Key" in fields:
            listed.append((fields["Key"], "VersionId" in fields))
    return listed


def bucket_accesses(method: str, bucket: str, query: Query, body: Callable[[], bytes]) -> tuple[Access, ...]:
    single, subresource = only_subresource(query)
    if not single:
        return ()
    if (method, subresource) == ("POST", "delete"):
        return tuple(Access("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject", bucket, key)
                     for key, versioned in deleted_objects(body()))
    action = BUCKET_LISTINGS.get((method, subresource))
    return (Access(action, bucket),) if action else ()


def requested_accesses(method: str, bucket: str, key: str | None, query: Query, headers: Mapping[str, str],
                       body: Callable[[], bytes]) -> tuple[Access, ...]:
    """Every data action the request needs, its own bucket or object first; () to pass it through.

    ``body`` is read only for DeleteObjects, whose keys are in it."""
    if key is None:
        return bucket_accesses(method, bucket, query, body)
    return object_accesses(method, bucket, key, query, headers.get("x-amz-copy-source"))


# --- the request context ------------------------------------------------------------------------


def tls_version(protocol: str | None) -> str | None:
    """``s3:TlsVersion`` of a connection: ``TLSv1.3`` -> ``1.3``."""
    return protocol.removeprefix("TLSv") if protocol and protocol.startswith("TLSv") else None


def negotiated_protocol(environ: Environ) -> str | None:
    """The TLS version of the request's connection (``TLSv1.3``); None over plain http."""
    connection = environ.get("werkzeug.socket")  # werkzeug's server hands its socket over
    return connection.version() if isinstance(connection, ssl.SSLSocket) else None


def transport_keys(url_scheme: str, protocol: str | None) -> dict[str, str]:
    """``aws:SecureTransport``, and over https ``s3:TlsVersion``."""
    secure = url_scheme == "https"
    keys = {"aws:SecureTransport": "true" if secure else "false"}
    version = tls_version(protocol) if secure else None
    if version is not None:
        keys["s3:TlsVersion"] = version
    return keys


def header_encryption_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """The SSE condition keys of the headers the request carries (absent headers give no key)."""
    return {key: headers[name] for key, name in ENCRYPTION_HEADERS.items() if headers.get(name)}


def upload_encryption_keys(sse_encryption: str | None, kms_key_id: str | None) -> dict[str, str]:
    """The keys of the CreateMultipartUpload an upload was started with, as moto recorded them."""
    recorded = {SSE_HEADER: sse_encryption, SSE_KMS_KEY_HEADER: kms_key_id}
    return {key: value for key, value in recorded.items() if value}


def listing_keys(key: str | None, query: Query) -> dict[str, str]:
    """``s3:prefix`` of a listing that names a prefix (none when it names none, as in S3)."""
    return {"s3:prefix": query["prefix"][0]} if key is None and "prefix" in query else {}


def find_bucket(name: str) -> FakeBucket | None:
    """The bucket in moto's backend of whichever account owns it."""
    located = s3_backends.bucket_accounts.get(name)
    if located is None:
        return None
    partition, account = located
    return s3_backends[account][partition].buckets.get(name)


def encryption_keys(method: str, bucket: FakeBucket | None, query: Query, headers: Mapping[str, str]) -> dict[str, str]:
    """The SSE keys of the request, or of its multipart upload for UploadPart and Complete."""
    single, subresource = only_subresource(query)
    if single and (method, subresource) in UPLOAD_ID_ACTIONS and bucket is not None:
        upload = bucket.multiparts.get(query["uploadId"][0])
        if upload is not None:
            return upload_encryption_keys(upload.sse_encryption, upload.kms_key_id)
    return header_encryption_keys(headers)


# --- the decision -------------------------------------------------------------------------------


def bucket_policy(bucket: FakeBucket) -> Policy | None:
    return None if bucket.policy is None else Policy(f"bucket policy of {bucket.name}", json.loads(bucket.policy))


def bucket_decision(access: Access, bucket: FakeBucket, context: Mapping[str, str]) -> Decision | None:
    """The bucket policy's verdict on ``access`` by moto's user; None when the bucket has no policy."""
    policy = bucket_policy(bucket)
    if policy is None:
        return None
    request = Request(CALLER, access.action, access.resource(bucket.partition), context)
    return evaluate(request, (), policy, bucket.account_id)


def access_denied(message: str, head: bool) -> Response:
    """S3's answer to a denial: its message names the action and resource, never the statement."""
    request_id = secrets.token_hex(8).upper()
    body = b"" if head else (
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>").encode()
    headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(body))),
               ("x-amz-request-id", request_id)]
    return Response("403 Forbidden", headers, body)


def buffered_body(environ: Environ) -> bytes:
    """Read the request body and put it back, so that moto reads it again."""
    body = get_input_stream(environ).read()
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    return body


def drain(environ: Environ) -> None:
    """Read the rest of a refused request's body: a client still sending its upload would see the
    connection drop (an SSL EOF over https) instead of the 403."""
    stream = get_input_stream(environ)
    while stream.read(DRAIN_CHUNK):
        pass


def first_denial(accesses: Iterable[Access], context: Mapping[str, str], head: bool) -> Response | None:
    """The 403 for the first access a bucket policy explicitly denies; None if none is."""
    for access in accesses:
        bucket = find_bucket(access.bucket)
        if bucket is None:
            continue  # moto answers NoSuchBucket
        decision = bucket_decision(access, bucket, context)
        if decision is None or decision.decision != "explicit_deny":
            continue
        resource = access.resource(bucket.partition)
        # The operator's log names the statements; the client, as with S3, must work it out.
        log.info("denied %s on %s: %s", access.action, resource, decision.reason)
        return access_denied(f"User: {CALLER.arn} is not authorized to perform: {access.action} on resource: "
                             f"\"{resource}\" with an explicit deny in a resource-based policy", head)
    return None


# --- an assumed role's request: its policies, the bucket's and the key's -------------------------


def written_key(bucket: FakeBucket, context: Mapping[str, str]) -> str | None:
    """The KMS key a write encrypts with: the one its SSE headers (or its upload's) name, else the
    bucket's default encryption's; None when it is not SSE-KMS."""
    algorithm, key = context.get(SSE_HEADER), context.get(SSE_KMS_KEY_HEADER)
    if algorithm is None:
        default = ((bucket.encryption or {}).get("Rule") or {}).get("ApplyServerSideEncryptionByDefault") or {}
        algorithm, key = default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    return key if algorithm in KMS_ALGORITHMS else None


def stored_key(bucket: FakeBucket, access: Access) -> str | None:
    """The KMS key the object (version) read was encrypted with, as moto recorded it."""
    if access.version_id is None:
        stored = bucket.keys.get(access.key)
    else:
        stored = next((v for v in bucket.keys.getlist(access.key, []) if str(v.version_id) == access.version_id),
                      None)
    return stored.kms_key_id if isinstance(stored, FakeKey) and stored.encryption in KMS_ALGORITHMS else None


def key_use(access: Access, bucket: FakeBucket, context: Mapping[str, str], in_upload: bool) -> tuple[str, str] | None:
    """(KMS action, key id) S3 asks KMS for on the caller's behalf; None when it asks nothing.
    ``in_upload``: UploadPart or CompleteMultipartUpload, which decrypt the upload's data key."""
    if access.action in READ_ACTIONS:
        key_id, action = stored_key(bucket, access), "kms:Decrypt"
    elif access.action == "s3:PutObject":
        key_id, action = written_key(bucket, context), "kms:Decrypt" if in_upload else "kms:GenerateDataKey"
    else:
        return None
    return (action, key_id) if key_id else None


def key_decision(caller: Caller, action: str, key: Key, region: str) -> Decision:
    """The key's policy and the role's policies on a KMS call S3 makes for the caller."""
    context = {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": caller.principal.account}
    policy = Policy(f"key policy of {key.id}", json.loads(key.policy))
    return evaluate(Request(caller.principal, action, key.arn, context), caller.identity_policies, policy,
                    key.account_id, service="kms")


def refusal(caller: Caller, decision: Decision, action: str, resource: str, head: bool) -> Response:
    """S3's 403 for a role: which kind of policy refused, as AWS's messages say it."""
    log.info("denied %s on %s: %s", action, resource, decision.reason)
    identity = {policy.name for policy in caller.identity_policies}
    if decision.decision != "explicit_deny":
        why = f"because no identity-based policy allows the {action} action"
    elif any(ref.policy in identity for ref in decision.deciding):
        why = "with an explicit deny in an identity-based policy"
    else:
        why = "with an explicit deny in a resource-based policy"
    return access_denied(f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} {why}",
                         head)


def access_refusal(caller: Caller, access: Access, bucket: FakeBucket, context: Mapping[str, str], head: bool,
                   in_upload: bool) -> Response | None:
    """S3's side, then (not for HEAD, which reads no data) the key's; None when both allow."""
    resource = access.resource(bucket.partition)
    request = Request(caller.principal, access.action, resource, context)
    s3 = evaluate(request, caller.identity_policies, bucket_policy(bucket), bucket.account_id)
    if not s3.allowed:
        return refusal(caller, s3, access.action, f"\"{resource}\"", head)
    use = None if head else key_use(access, bucket, context, in_upload)
    key = kms_key(use[1], bucket.account_id, bucket.region_name) if use else None
    if use is None or key is None:
        return None  # no SSE-KMS, or a key moto does not have (see callers.py)
    kms = key_decision(caller, use[0], key, bucket.region_name)
    return None if kms.allowed else refusal(caller, kms, use[0], key.arn, head)


def role_denial(caller: Caller, accesses: Iterable[Access], context: Mapping[str, str], head: bool,
                in_upload: bool) -> Response | None:
    """The 403 for the first access the role may not make; None if it may make them all."""
    for access in accesses:
        bucket = find_bucket(access.bucket)
        refused = None if bucket is None else access_refusal(caller, access, bucket, context, head, in_upload)
        if refused is not None:
            return refused
    return None


class PolicyGate:
    """``PolicyGate(moto_app)``: moto's WSGI app, bucket policies enforced on S3 data requests."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        denied = self.denied(environ)
        if denied is None:
            return self.app(environ, start_response)
        drain(environ)
        start_response(denied.status, denied.headers)
        return [denied.body]

    def denied(self, environ: Environ) -> Response | None:
        """The 403 to answer, or None to let moto serve the request."""
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = EnvironHeaders(environ)
        target = bucket_and_key(wsgi_path(environ.get("PATH_INFO", "")))
        if target is None or not is_s3_request(headers.get("Authorization", ""), query):
            return None
        method, (bucket, key) = environ["REQUEST_METHOD"], target
        accesses = requested_accesses(method, bucket, key, query, headers, lambda: buffered_body(environ))
        if not accesses:
            return None
        context = {**transport_keys(environ.get("wsgi.url_scheme", "http"), negotiated_protocol(environ)),
                   **encryption_keys(method, find_bucket(bucket), query, headers), **listing_keys(key, query)}
        caller = signing_caller(headers.get("Authorization", ""), query)
        if caller is None:
            return first_denial(accesses, context, head=method == "HEAD")
        in_upload = (method, only_subresource(query)[1]) in UPLOAD_ID_ACTIONS
        return role_denial(caller, accesses, context, method == "HEAD", in_upload)


# --- moto's own check ---------------------------------------------------------------------------


def _neutral(bucket: FakeBucket, action: str, resource: str) -> PermissionResult:
    return PermissionResult.NEUTRAL


@contextmanager
def without_moto_policy_check() -> Iterator[None]:
    """Switch off moto's bucket-policy check (``FakeBucket.get_permission``) for the block.

    It denies every object request on a bucket whose policy has a conditional statement (see the
    module docstring), so behind the gate it would refuse what the gate allows. Process-wide while
    the block runs; restored on exit, so that in-process moto elsewhere keeps moto's behaviour."""
    original = FakeBucket.__dict__["get_permission"]
    FakeBucket.get_permission = _neutral  # type: ignore[method-assign]
    try:
        yield
    finally:
        FakeBucket.get_permission = original  # type: ignore[method-assign]
