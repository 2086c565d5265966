"""Checksums of local files, in S3's encoding (base64 of the big-endian digest).

Uploads send a full-object checksum computed here from the file on disk, so S3 checks the whole
object end to end, multipart uploads included; a sync compares a local file with an object by
the same value.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path

CHUNK = 1024 * 1024
UPLOAD_ALGORITHMS = ("CRC32", "SHA256")


def _crc32(path: Path) -> bytes:
    value = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            value = zlib.crc32(chunk, value)
    return value.to_bytes(4, "big")


def _hashed(name: str) -> Callable[[Path], bytes]:
    def digest(path: Path) -> bytes:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, name).digest()
    return digest


# Algorithms this client can compute without extra libraries (CRC32C/CRC64NVME need awscrt).
LOCAL = {"CRC32": _crc32, "SHA1": _hashed("sha1"), "SHA256": _hashed("sha256"), "MD5": _hashed("md5")}


def file_checksum(path: Path, algorithm: str) -> str:
    return base64.b64encode(LOCAL[algorithm](path)).decode("ascii")


def md5_hex(path: Path) -> str:
    return LOCAL["MD5"](path).hex()
