"""Data access for ML code: read, write, share and restore objects the way the lake's policies
require (TLS, SSE-KMS with the lake key, checksums), concurrently and resumably.

The names below are loaded on first use (PEP 562), so that the command line, which reads a few
defaults from light submodules (limits, checksums) to build its help, does not import boto3.
"""

from importlib import import_module

_WHERE = {
    "LakeClient": "client", "Connection": "connection", "SyncReport": "download", "LakeFileSystem": "filesystem",
    "AccessDeniedError": "errors", "DataError": "errors", "NotFoundError": "errors", "ThrottledError": "errors",
    "TransferError": "errors", "UsageError": "errors", "ObjectInfo": "objects",
    "MAX_EXPIRY_SECONDS": "presign", "Presigned": "presign", "parse_expiry": "presign",
    "Uploaded": "upload", "UploadOptions": "upload", "Version": "versions",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
