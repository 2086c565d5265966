"""``lake://`` for fsspec: pandas, pyarrow, Dask and anything else that opens files through fsspec
read and write the lake the way its policies require.

    import pandas as pd
    options = {"stack_outputs": "outputs.json"}          # or LAKE_STACK_OUTPUTS=outputs.json
    frame = pd.read_parquet("lake://curated/features/", storage_options=options)

``lake://<zone>/<key>`` is the object ``key`` of the zone's bucket (the stack outputs'
``zoneBuckets``). The filesystem is s3fs, wrapped the way fsspec's ``DirFileSystem`` wraps a
filesystem under a directory: paths are translated zone -> bucket on the way in and bucket -> zone
on the way out, so listings, ``find`` and ``info`` speak zones, and what a Dask worker is handed
opens again through ``lake://``. What the lake adds to s3fs:

- every write (PutObject, CreateMultipartUpload, CopyObject) asks for SSE-KMS with the lake key's
  full ARN, which ``DenyOtherKmsKey`` and strict mode check;
- the data client's connection (``Connection``): TLS trusting ``ca_bundle``, the endpoint, and
  botocore's adaptive retries (8 attempts) as the only retry layer;
- an access denial raises ``PermissionError`` with the data client's diagnosis: the consumer's
  missing grant, or the bucket-policy rule that refused, and the fix (``LakeBucket.denied``).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import ChainMap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from fsspec.asyn import sync_wrapper
from fsspec.implementations.dirfs import DirFileSystem
from fsspec.spec import make_instance
from s3fs import S3FileSystem

from lake.errors import InputError
from lake.inputs import key_arn as check_key_arn
from lake.inputs import STACK_OUTPUTS_REMEDY, shown, stack_outputs
from policies.adapters.live.selection import zone_buckets
from policies.adapters.live.session import frozen_credentials, session_with

from .bucket import SSE_HEADER, SSE_KEY_HEADER, LakeBucket
from .connection import Connection
from .consumers import Consumer, ZoneConsumers, consumers_of
from .diagnose import Attempt
from .errors import DENIED_CODES, DataError, error_code

OUTPUTS_VARIABLE = "LAKE_STACK_OUTPUTS"
PATH_SHAPE = "a path is lake://<zone>/<key>"
# The S3 action the lake's policies judge for each API s3fs calls, where it is not "s3:" + the API's name.
ACTIONS = {
    "HeadObject": "s3:GetObject", "HeadBucket": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions", "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject", "UploadPartCopy": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
    "CopyObject": "s3:PutObject", "DeleteObjects": "s3:DeleteObject",
}


class LakeFileSystem(DirFileSystem):
    """The lake's zones as an fsspec filesystem (protocol ``lake``), on s3fs.

    ``stack_outputs``: `pulumi stack output --json` as a file path or its dict; None reads the file
    named by ``LAKE_STACK_OUTPUTS``. ``endpoint_url``, ``ca_bundle``, ``profile``, ``region``: as
    for the data client (None: botocore's own defaults, e.g. AWS_ENDPOINT_URL, AWS_CA_BUNDLE).
    ``key_arn``: the key writes name (default: the outputs' ``keyArn``). Other options go to s3fs
    (``key``/``secret``/``token`` for explicit credentials, ``default_block_size`` ...).
    """

    protocol = "lake"
    root_marker = ""

    def __init__(self, stack_outputs: Mapping[str, Any] | str | Path | None = None, *,
                 endpoint_url: str | None = None, ca_bundle: str | None = None, profile: str | None = None,
                 region: str | None = None, key_arn: str | None = None, **s3fs_options: Any) -> None:
        self.outputs = load_outputs(stack_outputs)
        self.zones = zone_buckets(self.outputs)
        self._zone_of = {bucket: zone for zone, bucket in self.zones.items()}
        key = key_arn or self.outputs.get("keyArn")
        if key is not None:
            _checked_key_arn(key)
        connection = Connection(region=region, profile=profile, endpoint_url=endpoint_url, verify=ca_bundle,
                                session=_credentials_session(s3fs_options, profile, region))
        refusals = Refusals(self.zones, key, connection, consumers_of(self.outputs))
        mode = {name: s3fs_options.pop(name) for name in ("asynchronous", "loop") if name in s3fs_options}
        inner = LakeS3FileSystem(refusals, **mode, **s3fs_settings(connection, key, s3fs_options))
        super().__init__(path="", fo="", fs=inner, **mode)  # no directory: _join and _relpath map zones

    def __reduce__(self) -> Any:
        # A worker (another process or machine) re-creates the filesystem from the outputs
        # themselves: it may have neither the file nor LAKE_STACK_OUTPUTS.
        return make_instance, (type(self), (), {**self.storage_options, "stack_outputs": self.outputs})

    def __repr__(self) -> str:
        return f"LakeFileSystem(zones={sorted(self.zones)})"

    @classmethod
    def _strip_protocol(cls, path: Any) -> str:
        # fsspec's url_to_fs gives a chained filesystem (DirFileSystem is one) None for "lake://".
        return super()._strip_protocol(path or "")

    # --- zone <-> bucket ------------------------------------------------------------------

    def _join(self, path: Any) -> Any:
        """``zone/key`` -> ``bucket/key`` for the inner s3fs (also lists and dicts of paths)."""
        if isinstance(path, dict):
            return {self._join(each): value for each, value in path.items()}
        if not isinstance(path, str):
            return [self._join(each) for each in path]
        zone, _, key = self._strip_protocol(path).lstrip("/").partition("/")
        bucket = self.zones.get(zone)
        if bucket is None:
            raise FileNotFoundError(unknown_zone(path, zone, self.zones))
        return f"{bucket}/{key}" if key else bucket

    def _relpath(self, path: Any) -> Any:
        """``bucket/key`` from s3fs -> ``zone/key``."""
        if not isinstance(path, str):
            return [self._relpath(each) for each in path]
        bucket, slash, key = path.partition("/")
        return f"{self._zone_of[bucket]}{slash}{key}"

    # --- lake:// itself: the zones --------------------------------------------------------

    def _is_root(self, path: str) -> bool:
        return not self._strip_protocol(path).strip("/")

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        if not self._is_root(path):
            return super().ls(path, detail=detail, **kwargs)
        return self._zone_entries(detail)

    async def _ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        if not self._is_root(path):
            return await super()._ls(path, detail=detail, **kwargs)
        return self._zone_entries(detail)

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        if not self._is_root(path):
            return super().info(path, **kwargs)
        return {"name": "", "size": 0, "type": "directory"}

    def exists(self, path: str, **kwargs: Any) -> bool:
        return self._is_root(path) or super().exists(path, **kwargs)

    async def _exists(self, path: str, **kwargs: Any) -> bool:
        return self._is_root(path) or await super()._exists(path, **kwargs)

    def isdir(self, path: str) -> bool:
        return self._is_root(path) or super().isdir(path)

    async def _isdir(self, path: str) -> bool:
        return self._is_root(path) or await super()._isdir(path)

    def isfile(self, path: str) -> bool:
        return not self._is_root(path) and super().isfile(path)

    async def _isfile(self, path: str) -> bool:
        return not self._is_root(path) and await super()._isfile(path)

    def _zone_entries(self, detail: bool) -> list[Any]:
        zones = sorted(self.zones)
        return [{"name": zone, "size": 0, "type": "directory"} for zone in zones] if detail else zones


class LakeS3FileSystem(S3FileSystem):
    """s3fs whose refused calls raise the lake's diagnosis (every call goes through ``_call_s3``:
    objects, multipart parts, listings, deletes, and the writes of ``open()``'s files).

    ``retries = 1``: botocore's adaptive mode (the data client's ``Connection.config``) already
    retries with backoff and a shared rate limit; s3fs's own loop would multiply its attempts."""

    retries = 1

    def __init__(self, refusals: Refusals, **options: Any) -> None:
        super().__init__(**options)
        self.refusals = refusals

    async def _call_s3(self, method: str, *akwarglist: Any, **kwargs: Any) -> Any:
        sent = ChainMap(kwargs, *reversed(akwarglist), self.s3_additional_kwargs)
        try:
            answer = await super()._call_s3(method, *akwarglist, **kwargs)
        except PermissionError as error:
            cause = error.__cause__
            if not (isinstance(cause, ClientError) and error_code(cause) in DENIED_CODES and "Bucket" in sent):
                raise
            raise await asyncio.to_thread(self.refusals.error, method, sent, cause) from None
        refused = _refused_delete(method, answer)
        if refused is not None:  # DeleteObjects answers 200 and lists what it refused, which s3fs drops
            key, cause = refused
            raise await asyncio.to_thread(self.refusals.error, method, {**sent, "Key": key}, cause)
        return answer

    # s3fs's files (S3File) call the synchronous twin, bound to the base class's _call_s3.
    call_s3 = sync_wrapper(_call_s3)


class Refusals:
    """The lake's refusals, diagnosed by the data client (``LakeBucket.denied``): one ``LakeBucket``
    per zone bucket, made on its first refusal (it asks STS who the caller is, once)."""

    def __init__(self, zones: Mapping[str, str], key_arn: str | None, connection: Connection,
                 consumers: tuple[Consumer, ...]) -> None:
        self._zones = zones
        self._key_arn = key_arn
        self._connection = connection
        self._consumers = consumers
        self._buckets: dict[str, LakeBucket] = {}
        self._lock = threading.Lock()

    def error(self, method: str, sent: Mapping[str, Any], error: ClientError) -> PermissionError:
        bucket = self._bucket(sent["Bucket"])
        api = bucket.s3.meta.method_to_api_mapping.get(method, method)
        key = sent.get("Key") or next((o["Key"] for o in sent.get("Delete", {}).get("Objects", [])), None)
        attempt = Attempt(api, ACTIONS.get(api, f"s3:{api}"), bucket.name, key, bucket.secure, encryption_headers(sent))
        return PermissionError(str(bucket.denied(attempt, error)))

    def _bucket(self, name: str) -> LakeBucket:
        with self._lock:
            if name not in self._buckets:
                zone = next((zone for zone, bucket in self._zones.items() if bucket == name), None)
                consumers = ZoneConsumers(zone, self._consumers) if zone else None
                self._buckets[name] = LakeBucket(name, self._key_arn, self._connection, consumers=consumers)
            return self._buckets[name]


def _refused_delete(method: str, answer: Any) -> tuple[str, ClientError] | None:
    """The first key a DeleteObjects answer says was denied, as the ClientError S3 would have raised."""
    if method != "delete_objects" or not isinstance(answer, Mapping):
        return None
    denied = next((e for e in answer.get("Errors", []) if e.get("Code") in DENIED_CODES), None)
    if denied is None:
        return None
    return denied["Key"], ClientError({"Error": {"Code": denied["Code"], "Message": denied.get("Message", "")}},
                                      "DeleteObjects")


def encryption_headers(sent: Mapping[str, Any]) -> dict[str, str]:
    """The encryption headers a call sent, named as the bucket policy's condition keys see them."""
    headers = {SSE_HEADER: sent.get("ServerSideEncryption"), SSE_KEY_HEADER: sent.get("SSEKMSKeyId")}
    return {name: value for name, value in headers.items() if value}


# --- settings -------------------------------------------------------------------------------


def s3fs_settings(connection: Connection, key_arn: str | None, options: Mapping[str, Any]) -> dict[str, Any]:
    """s3fs's options: the data client's connection, and the lake key on every write."""
    client = {"region_name": connection.region, "verify": connection.verify}
    # SSE-KMS with the key's full ARN, as LakeBucket.encryption_args; s3fs sends it on the calls that take it.
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn} if key_arn else {}
    settings = dict(options)
    settings.update(
        endpoint_url=connection.endpoint_url,
        client_kwargs={**options.get("client_kwargs", {}), **{k: v for k, v in client.items() if v is not None}},
        # botocore keeps a Config's options in _user_provided_options; s3fs builds its AioConfig from a dict.
        config_kwargs={**connection.config()._user_provided_options, **options.get("config_kwargs", {})},
        s3_additional_kwargs={**options.get("s3_additional_kwargs", {}), **encryption},
        skip_instance_cache=True,  # it holds this filesystem's refusals: never shared through fsspec's cache
    )
    if connection.profile is not None:
        settings["profile"] = connection.profile
    return settings


def _credentials_session(options: Mapping[str, Any], profile: str | None, region: str | None) -> Any:
    """A boto3 session with the credentials given to s3fs (``key``/``secret``/``token``), so that a
    refusal is diagnosed as the same caller; None: the data client's default (``profile``)."""
    if options.get("key") is None:
        return None
    return session_with((options["key"], options.get("secret"), options.get("token")), profile, region)


def _checked_key_arn(text: str) -> None:
    try:
        check_key_arn(text, "key_arn")
    except InputError as error:
        raise ValueError(str(DataError(str(error), error.hint))) from None


# --- stack outputs ----------------------------------------------------------------------------


def load_outputs(given: Mapping[str, Any] | str | Path | None) -> Mapping[str, Any]:
    """The stack outputs: given as a dict, a file, or the file LAKE_STACK_OUTPUTS names.
    A missing file is FileNotFoundError, a file that is not stack outputs ValueError (fsspec's callers
    expect these), each with the hint."""
    if isinstance(given, Mapping):
        if not isinstance(given.get("zoneBuckets"), Mapping):
            raise ValueError(str(DataError("stack_outputs: no 'zoneBuckets' output; expected `pulumi stack "
                                           "output --json` of this program", STACK_OUTPUTS_REMEDY)))
        return given
    option, path = ("stack_outputs", given) if given is not None else (OUTPUTS_VARIABLE,
                                                                       os.environ.get(OUTPUTS_VARIABLE))
    if not path:
        raise FileNotFoundError(str(DataError(
            f"no stack outputs: pass stack_outputs= (a file of `pulumi stack output --json`, or its dict) "
            f"or set {OUTPUTS_VARIABLE} to that file", STACK_OUTPUTS_REMEDY)))
    try:
        return stack_outputs(str(path), option).document
    except InputError as error:
        kind = ValueError if Path(path).exists() else FileNotFoundError
        raise kind(str(DataError(str(error), error.hint or None))) from None


def unknown_zone(path: str, zone: str, zones: Mapping[str, str]) -> str:
    from lake.config.messages import did_you_mean  # here: lake.config loads pulumi, which workers need not

    stripped = LakeFileSystem._strip_protocol(path).lstrip("/")
    where = f"lake://{shown(stripped) if stripped else ''}"
    listed = f"the zones: {', '.join(sorted(zones)) or 'none'} (the stack outputs' zoneBuckets); {PATH_SHAPE}"
    if not zone:
        return str(DataError(f"{where}: no zone in the path", listed))
    return str(DataError(f"{where}: no zone {zone!r} in the stack outputs{did_you_mean(zone, zones)}", listed))


def session_credentials(session: Any) -> dict[str, str]:
    """s3fs's ``key``/``secret``/``token`` from a boto3 session (frozen: s3fs cannot refresh another
    session's credentials); none for no session (then s3fs finds credentials as botocore does)."""
    frozen = frozen_credentials(session)
    if frozen is None:
        return {}
    return {name: value for name, value in zip(("key", "secret", "token"), frozen) if value}
