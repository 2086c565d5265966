"""Errors of the data client a user can act on: one sentence naming the object, plus a hint.

boto3 raises ``ClientError`` with S3's error code; ``translate`` turns the codes a lake user
meets (a missing bucket or key, a denial, throttling that outlasted the retries) into these.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

NOT_FOUND_CODES = frozenset({"NoSuchBucket", "NoSuchKey", "NoSuchVersion", "404", "NotFound"})
DENIED_CODES = frozenset({"AccessDenied", "403", "Forbidden", "AllAccessDisabled"})
THROTTLING_CODES = frozenset({"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
                              "ServiceUnavailable", "503", "TooManyRequestsException"})


class DataError(Exception):
    """A data operation failed; ``str`` is the message, then the hint on its own line."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\nhint: {self.hint}"


class NotFoundError(DataError):
    """The bucket, key or version does not exist (or the caller may not know it exists)."""


class AccessDeniedError(DataError):
    """S3 or KMS refused the request; ``rules`` are the bucket-policy statements that explain it."""

    def __init__(self, message: str, hint: str | None = None, rules: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint)
        self.rules = rules


class ThrottledError(DataError):
    """S3 kept throttling after every retry."""


class TransferError(DataError):
    """An upload or download did not complete (nothing is left behind under the final name)."""


class UsageError(DataError, ValueError):
    """The caller asked for something invalid (an expiry over 7 days, a key outside the prefix)."""


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def attempts(error: ClientError) -> int:
    """How many times botocore sent the request before giving up (1 when it did not retry)."""
    return int(error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1


def s3_url(bucket: str, key: str | None = None, version_id: str | None = None) -> str:
    url = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
    return f"{url} (version {version_id})" if version_id else url


def not_found(error: ClientError, bucket: str, key: str | None, version_id: str | None) -> NotFoundError:
    code = error_code(error)
    if code == "NoSuchBucket":
        return NotFoundError(f"bucket {bucket} does not exist",
                             "check the bucket name, or the stack outputs and --zone you chose")
    if code == "NoSuchVersion" or version_id:
        return NotFoundError(f"{s3_url(bucket, key, version_id)} does not exist",
                             f"list the versions with: lake data versions {key}")
    what = s3_url(bucket, key)
    return NotFoundError(f"{what} does not exist", "list what there is with: lake data ls PREFIX")


def throttled(error: ClientError, operation: str, target: str) -> ThrottledError:
    return ThrottledError(
        f"{operation} {target}: S3 still throttled the request ({error_code(error)}) after {attempts(error)} attempts "
        "with backoff", "retry later, or lower --concurrency")


def translate(error: ClientError, operation: str, bucket: str, key: str | None = None,
              version_id: str | None = None) -> DataError:
    """The error to raise for a failed call (access denials are diagnosed in ``diagnose.py``)."""
    code = error_code(error)
    if code in NOT_FOUND_CODES:
        return not_found(error, bucket, key, version_id)
    if code in THROTTLING_CODES:
        return throttled(error, operation, s3_url(bucket, key))
    message = error.response.get("Error", {}).get("Message") or code
    return DataError(f"{operation} {s3_url(bucket, key, version_id)} failed: {code}: {message}")
