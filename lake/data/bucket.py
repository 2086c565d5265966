"""One lake bucket as the data client sees it: its name, the lake key, the S3 client, and the
guard that turns a failed call into an error a user can act on."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, SSLError

from .connection import Connection
from .consumers import ZoneConsumers
from .diagnose import Attempt, explain, not_granted, policy_principal
from .errors import DENIED_CODES, DataError, error_code, translate

SSE_HEADER = "x-amz-server-side-encryption"
SSE_KEY_HEADER = "x-amz-server-side-encryption-aws-kms-key-id"


@dataclass
class LakeBucket:
    """A bucket, the lake key's ARN as given (None: see ``key_arn``), and a botocore S3 client
    made from ``connection``; ``consumers``: the stack's consumers, to name a missing grant."""

    name: str
    given_key_arn: str | None
    connection: Connection
    discover_key: bool = False
    s3: Any = field(default=None, repr=False)
    consumers: ZoneConsumers | None = None
    _caller: tuple[str | None] | None = field(default=None, init=False, repr=False)  # None: not asked yet
    _caller_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.s3 is None:
            self.s3 = self.connection.client("s3")

    @functools.cached_property
    def key_arn(self) -> str | None:
        """The key writes name: the one given, else (with ``discover_key``) the bucket's
        default-encryption key, looked up on first use so that reads never pay for it; None
        sends no encryption header (the bucket default applies)."""
        if self.given_key_arn is not None or not self.discover_key:
            return self.given_key_arn
        return default_key_arn(self.s3, self.name)

    @property
    def secure(self) -> bool:
        """Does the client use https? Asked of the client, not of ``--endpoint-url``: botocore also
        takes the endpoint from ``AWS_ENDPOINT_URL`` (what ``lake sandbox`` prints)."""
        return urlsplit(self.s3.meta.endpoint_url).scheme != "http"

    def encryption_args(self) -> dict[str, str]:
        """What every write sends: SSE-KMS with the lake key's full ARN, which the lake's policy
        checks (DenyOtherKmsKey, strict mode's DenyMissingEncryptionHeader)."""
        if self.key_arn is None:
            return {}
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.key_arn}

    def encryption_headers(self) -> dict[str, str]:
        if self.key_arn is None:
            return {}
        return {SSE_HEADER: "aws:kms", SSE_KEY_HEADER: self.key_arn}

    @contextmanager
    def guard(self, operation: str, action: str, key: str | None = None, version_id: str | None = None,
              headers: Mapping[str, str] | None = None) -> Iterator[None]:
        """Run one call; raise a DataError naming the object and what to do when it fails."""
        try:
            yield
        except ClientError as error:
            if error_code(error) in DENIED_CODES:
                attempt = Attempt(operation, action, self.name, key, self.secure, dict(headers or {}))
                raise self.denied(attempt, error) from None
            raise translate(error, operation, self.name, key, version_id) from None
        except NoCredentialsError:
            raise DataError("no AWS credentials found", "configure a profile (--profile) or the "
                            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables") from None
        except SSLError as error:
            raise DataError(f"TLS to {self.connection.endpoint_url or self.s3.meta.endpoint_url} failed: {error}",
                            "for a local test server, trust its certificate: --ca-bundle or AWS_CA_BUNDLE") from None
        except BotoCoreError as error:
            raise DataError(f"{operation} s3://{self.name}/{key or ''}: {error}") from None

    def denied(self, attempt: Attempt, error: ClientError) -> DataError:
        """A consumer's missing grant (consumers.py), else the denied request replayed against the
        bucket policy, read once now (see diagnose.py)."""
        message = error.response.get("Error", {}).get("Message") or error_code(error)
        caller = self.caller_arn()
        missing = self.consumers.hint(caller, attempt.action, attempt.key) if self.consumers else None
        if missing is not None:
            return not_granted(attempt, message, missing)
        return explain(attempt, message, self._policy_text(), caller)

    def caller_arn(self) -> str | None:
        """aws:PrincipalArn of the caller: GetCallerIdentity once per client, on its first denial."""
        with self._caller_lock:
            if self._caller is None:
                self._caller = (self._ask_caller(),)
            return self._caller[0]

    def _policy_text(self) -> str | None:
        try:
            return self.s3.get_bucket_policy(Bucket=self.name)["Policy"]
        except (ClientError, BotoCoreError):
            return None

    def _ask_caller(self) -> str | None:
        try:
            sts = self.connection.client("sts")
            return policy_principal(sts.get_caller_identity()["Arn"])
        except (ClientError, BotoCoreError):
            return None


def default_key_arn(s3: Any, bucket: str) -> str | None:
    """The KMS key ARN of the bucket's default encryption, when it is a full key ARN: the lake's
    policy compares the header with the ARN, so a key id or alias would be refused."""
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except (ClientError, BotoCoreError):
        return None  # unreadable: uploads rely on the bucket's default encryption
    for rule in rules:
        key = rule.get("ApplyServerSideEncryptionByDefault", {}).get("KMSMasterKeyID", "")
        if key.startswith("arn:") and ":key/" in key:
            return key
    return None
