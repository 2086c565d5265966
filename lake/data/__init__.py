"""Data access for ML code: read, write, share and restore objects the way the lake's policies
require (TLS, SSE-KMS with the lake key, checksums), concurrently and resumably."""

from .client import LakeClient
from .connection import Connection
from .download import SyncReport
from .errors import AccessDeniedError, DataError, NotFoundError, ThrottledError, TransferError, UsageError
from .objects import ObjectInfo
from .presign import MAX_EXPIRY_SECONDS, Presigned, parse_expiry
from .upload import Uploaded, UploadOptions
from .versions import Version

__all__ = [
    "MAX_EXPIRY_SECONDS", "AccessDeniedError", "Connection", "DataError", "LakeClient", "NotFoundError",
    "ObjectInfo", "Presigned", "SyncReport", "ThrottledError", "TransferError", "Uploaded", "UploadOptions",
    "UsageError", "Version", "parse_expiry",
]
