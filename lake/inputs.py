"""The inputs of `lake data` and `lake audit`, checked before the first network call or data read.

Each check takes the text a user typed and returns the value to use, or raises
``lake.errors.InputError`` with one line naming the option and the value, and a hint. The
commands attach them as argparse ``type=`` functions through ``argument``: argparse would turn
an exception into its own message (dropping the hint, and for a ValueError even the message),
so a failed check is handed back as an ``Invalid`` value, and ``reject_invalid`` raises the
first one as soon as the command starts, before a client is even built.

The limits are S3's and AWS's own, so that a value they would refuse is refused here first,
without a request, with the limit named:

- bucket names: "General purpose bucket naming rules", Amazon S3 User Guide,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
- object keys: at most 1,024 bytes of UTF-8 ("Naming Amazon S3 objects",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html)
- multipart uploads: parts of 5 MiB to 5 GiB, at most 10,000 parts, a single PUT up to 5 GiB
  ("Amazon S3 multipart upload limits", https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html)
- request rates: 3,500 writes or 5,500 reads per second per partitioned prefix ("Best practices
  design patterns: optimizing Amazon S3 performance",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html)
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from components.naming import RESERVED_BUCKET_PREFIXES, RESERVED_BUCKET_SUFFIXES
from lake.errors import InputError

MiB = 1024 * 1024
GiB = 1024 * MiB

# --- S3's limits --------------------------------------------------------------------------------

BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", re.ASCII)
MAX_KEY_BYTES = 1024
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * GiB
MAX_SINGLE_PUT = 5 * GiB
MAX_PARTS = 10_000
MAX_OBJECT_SIZE = MAX_PARTS * MAX_PART_SIZE  # 48.8 TiB: the "maximum object size" S3 states
DATA_CONCURRENCY = 32  # `lake data` requests in flight by default
MAX_CONCURRENCY = 256
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+", re.ASCII)
# An organisation-wide audit (`lake audit --accounts/--organization`): IAM's and STS's own patterns.
ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)  # not \d, which takes any script's digits
ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}", re.ASCII)  # IAM RoleName: [\w+=,.@-]+, 1 to 64
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}", re.ASCII)  # STS ExternalId: [\w+=,.@:/-]*, 2 to 1,224
DEFAULT_ACCOUNT_CONCURRENCY = 4  # accounts audited at once
MAX_ACCOUNT_CONCURRENCY = 32
KEY_ARN = re.compile(r"arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}", re.ASCII)
TAG_KEY_CHARS, TAG_VALUE_CHARS = 128, 256

# --- JSON documents given as files --------------------------------------------------------------

MAX_DOCUMENT_BYTES = 64 * MiB  # a plan of the dev lake is 0.1 MB
MAX_JSON_DEPTH = 64  # a plan nests 9 levels; json.loads itself fails near 1,000 (RecursionError)
PLAN_FORMAT_VERSION = 1  # lake/plan/render.py FORMAT_VERSION, docs/plan-format.md


# --- how a check reaches argparse ---------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    """What an argparse ``type=`` function returns for a value its check refused."""

    error: InputError


def argument(check: Callable[[str, str], Any], option: str) -> Callable[[str], Any]:
    """``check`` as an argparse ``type=`` function for ``option`` (named in its messages)."""

    def parse(text: str) -> Any:
        try:
            return check(text, option)
        except InputError as error:
            return Invalid(error)

    parse.__name__ = check.__name__
    return parse


def reject_invalid(args: argparse.Namespace) -> None:
    """Raise the first refused value of the command line (in the parser's option order)."""
    for value in vars(args).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Invalid):
                raise item.error


def shown(text: str, limit: int = 80) -> str:
    """A value as an error line shows it: as typed when plain, quoted when it has spaces or control
    characters (a newline must not split the line), shortened when long."""
    short = text if len(text) <= limit else text[:limit] + "..."
    return short if short and short.isprintable() and " " not in short else repr(short)


def one_line(text: object) -> str:
    return " ".join(str(text).split())


# --- names ---------------------------------------------------------------------------------------


def bucket_name(text: str, option: str = "--bucket") -> str:
    """A general purpose bucket name S3 would accept (names of buckets created before March 2018 in
    us-east-1 may break these rules; the lake's own buckets never do)."""
    problem = _bucket_name_problem(text)
    if problem:
        raise InputError(f"{option} {shown(text)}: not a valid S3 bucket name: {problem}",
                         "bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and "
                         "ending with a letter or digit (S3 User Guide: general purpose bucket naming rules)")
    return text


def _bucket_name_problem(text: str) -> str | None:
    if not text.isascii():
        return "only ASCII letters, digits, dots and hyphens"
    if not 3 <= len(text) <= 63:
        return f"{len(text)} characters, not 3 to 63"
    if not BUCKET_NAME.fullmatch(text):
        bad = next((c for c in text if not (c.islower() or c.isdigit() or c in ".-")), None)
        if bad is not None:
            return f"{bad!r} is not allowed (lowercase letters, digits, dots and hyphens only)"
        return "it must begin and end with a letter or digit"
    if ".." in text:
        return "two adjacent dots"
    if _is_ip_address(text):
        return "formatted as an IP address"
    reserved = next((p for p in RESERVED_BUCKET_PREFIXES if text.startswith(p)), None)
    if reserved:
        return f"the prefix {reserved} is reserved by S3"
    reserved = next((s for s in RESERVED_BUCKET_SUFFIXES if text.endswith(s)), None)
    if reserved:
        return f"the suffix {reserved} is reserved by S3"
    return None


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return bool(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", text))
    return True


def bucket_prefix(text: str, option: str = "--prefix") -> str:
    """The start of bucket names (``lake audit --prefix``): what a bucket name may begin with."""
    if not text.isascii() or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,62}", text, re.ASCII):
        raise InputError(f"{option} {shown(text)}: no S3 bucket name starts like this",
                         "bucket names start with a lowercase letter or digit, then lowercase letters, digits, "
                         "dots and hyphens (63 characters at most)")
    return text


def _key_bytes(text: str, option: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # undecodable bytes on the command line arrive as lone surrogates
        raise InputError(f"{option} {shown(text)}: not valid UTF-8",
                         "S3 object keys are UTF-8 text; check the terminal's or the file name's encoding") from None


def object_key(text: str, option: str = "KEY") -> str:
    """A key that must name one object: not empty, at most 1,024 bytes of UTF-8."""
    if not text:
        raise InputError(f"{option} is empty: name an object", "list the keys there are with: lake data ls PREFIX")
    return key_prefix(text, option)


def key_prefix(text: str, option: str = "PREFIX") -> str:
    """A key or the start of keys (may be empty: the whole bucket), at most 1,024 bytes of UTF-8."""
    size = _key_bytes(text, option)
    if size > MAX_KEY_BYTES:
        raise InputError(f"{option} {shown(text)}: {size} bytes of UTF-8; S3 keys are at most {MAX_KEY_BYTES}",
                         "shorten the key (S3 User Guide: naming Amazon S3 objects)")
    return text


def check_keys(keys: list[str], option: str = "KEY") -> None:
    """Keys composed by the client (a prefix and file names), checked before the first upload."""
    for key in keys:
        object_key(key, option)


def version_id(text: str, option: str = "--version-id") -> str:
    if not text or not text.isascii() or not text.isprintable() or " " in text or len(text) > MAX_KEY_BYTES:
        raise InputError(f"{option} {shown(text)}: not an S3 version id",
                         "copy one from: lake data versions KEY")
    return text


def key_arn(text: str, option: str = "--key-arn") -> str:
    """The lake key's full ARN: the lake's bucket policy compares the upload's key header with it."""
    if not KEY_ARN.fullmatch(text):
        raise InputError(f"{option} {shown(text)}: not a full KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)",
                         "the lake refuses uploads naming a key id or an alias (DenyOtherKmsKey): pass the "
                         "stack outputs' keyArn")
    return text


def region(text: str, option: str = "--region") -> str:
    if not REGION.fullmatch(text):
        raise InputError(f"{option} {shown(text)}: not an AWS region name",
                         "regions look like us-east-1, eu-west-3 or ap-southeast-2")
    return text


def _items(text: str, option: str, what: str) -> list[str]:
    """A comma-separated list (spaces around items ignored), every item present."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InputError(f"{option} {shown(text)}: an empty item; give {what} separated by commas, no empty one")
    return items


def account_ids(text: str, option: str = "--accounts") -> tuple[str, ...]:
    """AWS account ids, exactly 12 ASCII digits each (leading zeros kept), each once."""
    ids = _items(text, option, "12-digit account ids")
    for item in ids:
        if not ACCOUNT_ID.fullmatch(item):
            raise InputError(f"{option} {shown(item)}: not an AWS account id",
                             "account ids are exactly 12 digits (0-9), leading zeros included, e.g. 012345678901")
    return tuple(dict.fromkeys(ids))


def regions(text: str, option: str = "--regions") -> tuple[str, ...]:
    """AWS region names, each once, in the order given."""
    names = _items(text, option, "region names")
    for name in names:
        region(name, option)
    return tuple(dict.fromkeys(names))


def role_name(text: str, option: str = "--role-name") -> str:
    """An IAM role name (the audit assumes arn:aws:iam::ACCOUNT:role/NAME): 1 to 64 ASCII letters,
    digits and +=,.@_- (IAM User Guide: IAM object quotas and names)."""
    if not ROLE_NAME.fullmatch(text):
        bad = next((c for c in text if not (c.isascii() and (c.isalnum() or c in "_+=,.@-"))), None)
        if bad is None:
            problem = f"{len(text)} characters, not 1 to 64"
        else:
            hint = " (give the role's name, not its ARN or path)" if bad in ":/" else ""
            problem = f"{bad!r} is not allowed{hint}"
        raise InputError(f"{option} {shown(text)}: not an IAM role name: {problem}",
                         "role names are 1 to 64 ASCII letters, digits and + = , . @ _ - (the role must exist "
                         "under that name in every audited account)")
    return text


def external_id(text: str, option: str = "--external-id") -> str:
    """The ExternalId the audit role's trust policy requires (sts:ExternalId)."""
    if not EXTERNAL_ID.fullmatch(text):
        bad = next((c for c in text if not (c.isascii() and (c.isalnum() or c in "_+=,.@:/-"))), None)
        problem = f"{bad!r} is not allowed" if bad is not None else f"{len(text)} characters, not 2 to 1,224"
        raise InputError(f"{option}: not an STS external id: {problem}",
                         "external ids are 2 to 1,224 ASCII letters, digits and + = , . @ : / _ -")
    return text


def profile(text: str, option: str = "--profile") -> str:
    """A named profile of the AWS config or credentials file (read locally, as boto3 would)."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    session = botocore.session.Session()
    try:
        known = session.available_profiles
    except BotoCoreError as error:  # e.g. ConfigParseError: a config file that is not INI
        raise InputError(f"{option} {shown(text)}: cannot read the AWS config ({one_line(error)})",
                         "fix the file, or point AWS_CONFIG_FILE elsewhere") from None
    if text in known:
        return text
    files = f"{session.get_config_variable('config_file')} or {session.get_config_variable('credentials_file')}"
    listed = ", ".join(sorted(known)[:10]) + (", ..." if len(known) > 10 else "")
    raise InputError(f"{option} {shown(text)}: no such profile in {files}",
                     f"profiles there: {listed}" if known else
                     f"create it with: aws configure --profile {shown(text)} (or use --region and the AWS_* variables)")


def environment_profile() -> None:
    """AWS_PROFILE (or AWS_DEFAULT_PROFILE) naming a profile that does not exist: boto3 would fail
    only when the first client is made; say so first, like --profile."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        value = os.environ.get(name)
        if value:
            profile(value, name)
            return


# --- numbers -------------------------------------------------------------------------------------


def _whole(text: str, option: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise InputError(f"{option} {shown(text)}: not a whole number")
    return int(text)


def concurrency(text: str, option: str = "--concurrency") -> int:
    value = _whole(text, option)
    if not 1 <= value <= MAX_CONCURRENCY:
        raise InputError(f"{option} {value}: give 1 to {MAX_CONCURRENCY} requests in flight",
                         "each request in flight holds a thread and a connection, and S3 serves about 3,500 writes "
                         "or 5,500 reads per second per prefix: more only adds throttling")
    return value


def account_concurrency(text: str, option: str = "--account-concurrency") -> int:
    value = _whole(text, option)
    if not 1 <= value <= MAX_ACCOUNT_CONCURRENCY:
        raise InputError(f"{option} {value}: give 1 to {MAX_ACCOUNT_CONCURRENCY} accounts audited at once",
                         "each account audited at once has its own --concurrency reads in flight")
    return value


def part_size_mib(text: str, option: str = "--part-size") -> int:
    value = _whole(text, option)
    if not MIN_PART_SIZE // MiB <= value <= MAX_PART_SIZE // MiB:
        raise InputError(f"{option} {value}: S3 takes parts of {MIN_PART_SIZE // MiB} MiB to "
                         f"{MAX_PART_SIZE // MiB} MiB (5 GiB)",
                         "S3 multipart upload limits: 5 MiB to 5 GiB a part, 10,000 parts at most")
    return value


def multipart_threshold_mib(text: str, option: str = "--multipart-threshold") -> int:
    value = _whole(text, option)
    if not 1 <= value <= MAX_SINGLE_PUT // MiB:
        raise InputError(f"{option} {value}: give 1 to {MAX_SINGLE_PUT // MiB} MiB",
                         "S3 refuses a single PUT over 5 GiB: larger files must go up in parts")
    return value


def check_file_sizes(sizes: dict[str, int]) -> None:
    """Files S3 could not store as one object, refused before anything is sent. (Beyond
    part size x 10,000, s3transfer raises the part size so an upload stays within 10,000 parts.)"""
    for name, size in sizes.items():
        if size > MAX_OBJECT_SIZE:
            raise InputError(f"{name}: {size:,} bytes; an S3 object is at most {MAX_OBJECT_SIZE:,} bytes "
                             "(10,000 parts of 5 GiB)", "split the file")


def expiry(text: str, option: str = "--expires") -> int:
    """Seconds, 1 s to 7 days (S3's limit for SigV4 presigned URLs)."""
    from lake.data.errors import UsageError
    from lake.data.presign import MAX_EXPIRY_SECONDS, parse_expiry

    try:
        seconds = parse_expiry(text)
    except UsageError:
        readable = "give seconds or a number with s, m, h or d, e.g. 3600, 12h, 7d"
        raise InputError(f"{option} {shown(text)}: {readable}") from None
    if not 1 <= seconds <= MAX_EXPIRY_SECONDS:
        raise InputError(f"{option} {shown(text)}: {seconds} s; presigned URLs last from 1 s to 7 days "
                         f"({MAX_EXPIRY_SECONDS} s)", "S3 refuses SigV4 presigned URLs valid for longer than 7 days")
    return seconds


def metadata_pair(text: str, option: str = "--metadata") -> tuple[str, str]:
    """User metadata NAME=VALUE (names and the 2 KB total are checked by UploadOptions, still
    before the first request)."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise InputError(f"{option} {shown(text)}: expected NAME=VALUE, e.g. source=bccd")
    return name, value


def tag(text: str, option: str = "--tag") -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise InputError(f"{option} {shown(text)}: expected KEY=VALUE, e.g. lake=mlteam")
    if len(key) > TAG_KEY_CHARS or len(value) > TAG_VALUE_CHARS:
        raise InputError(f"{option} {shown(text)}: tag keys are at most {TAG_KEY_CHARS} characters and values "
                         f"{TAG_VALUE_CHARS}")
    return key, value


# --- where AWS is --------------------------------------------------------------------------------


def endpoint_url(text: str, option: str = "--endpoint-url") -> str:
    """An https URL, or plain http to this machine only: the lake's bucket policies deny every
    request without TLS (aws:SecureTransport), so plain http can only reach a local test server."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError when out of range or not a number
    except ValueError as error:
        raise InputError(f"{option} {shown(text)}: not a URL ({one_line(error)})",
                         "e.g. https://s3.eu-west-1.amazonaws.com or https://127.0.0.1:5000") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not text.isprintable() or " " in text:
        raise InputError(f"{option} {shown(text)}: expected http:// or https:// and a host name",
                         "e.g. https://s3.eu-west-1.amazonaws.com or https://127.0.0.1:5000")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"{option} {shown(text)}: credentials in the URL are not used and would be logged",
                         "remove USER:PASSWORD@; credentials come from --profile or the AWS_* variables")
    if parts.query or parts.fragment:
        raise InputError(f"{option} {shown(text)}: an endpoint takes no query or fragment",
                         "give the scheme, the host and the port only")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise InputError(f"{option} {shown(text)}: plain http to {parts.hostname}, which the lake refuses",
                         "the lake's bucket policies deny requests without TLS: use https:// (plain http is "
                         "only for a test server on this machine: 127.0.0.1, ::1 or localhost)")
    return text


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ca_bundle(text: str, option: str = "--ca-bundle") -> str:
    """A readable file of PEM certificates (ssl loads it the way botocore's TLS will)."""
    path = Path(text)
    if not path.exists():
        raise InputError(f"{option} {shown(text)}: no such file",
                         "give the PEM file of the test server's certificate (e.g. the sandbox's ca.pem)")
    if not path.is_file():
        raise InputError(f"{option} {shown(text)}: not a file", "give a PEM file of certificates")
    if not os.access(path, os.R_OK):
        raise InputError(f"{option} {shown(text)}: not readable (permission denied)",
                         "check the file's permissions")
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as error:
        raise InputError(f"{option} {shown(text)}: no PEM certificate in it ({one_line(error)})",
                         "give the certificate in PEM form (-----BEGIN CERTIFICATE-----)") from None
    return text


# --- local files ---------------------------------------------------------------------------------


def existing_path(text: str, option: str = "PATH") -> Path:
    path = Path(text)
    if not path.exists():
        raise InputError(f"{option} {shown(text)}: no such file or directory")
    if not (path.is_file() or path.is_dir()):
        raise InputError(f"{option} {shown(text)}: not a regular file or a directory")
    return path


def directory(text: str, option: str = "DIRECTORY") -> Path:
    """A directory to write into: it may not exist yet, but must not be something else."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {shown(text)}: exists and is not a directory")
    return path


@dataclass(frozen=True)
class JsonFile:
    """A JSON document read from a file the user named, and where it came from."""

    path: Path
    document: dict[str, Any]

    def __str__(self) -> str:
        return str(self.path)


def json_file(text: str, option: str, what: str, remedy: str) -> JsonFile:
    """A JSON object from a file: at most MAX_DOCUMENT_BYTES, nested at most MAX_JSON_DEPTH deep.
    ``what`` names the document ("stack outputs"), ``remedy`` says how to get a good one."""
    path = Path(text)
    where = f"{option} {shown(text)}"
    if path.is_dir():
        raise InputError(f"{where}: a directory, not a file of {what}", remedy)
    try:
        with path.open("rb") as handle:  # a pipe (<(pulumi stack output --json)) is fine too
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{where}: no such file", remedy) from None
    except OSError as error:
        raise InputError(f"{where}: cannot read it ({error.strerror or one_line(error)})") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{where}: over {MAX_DOCUMENT_BYTES // MiB} MiB, too large for {what}", remedy)
    try:
        document = json.loads(data, parse_constant=_no_constant)
        too_deep = _depth(document) > MAX_JSON_DEPTH
    except RecursionError:  # json.loads recurses once per level: thousands of brackets exhaust the stack
        too_deep = True
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, NaN or Infinity
        raise InputError(f"{where}: not a readable JSON file of {what} ({one_line(error)})", remedy) from None
    if too_deep:
        raise InputError(f"{where}: nested deeper than {MAX_JSON_DEPTH} levels, not {what}", remedy)
    if not isinstance(document, dict):
        raise InputError(f"{where}: a JSON {_json_type(document)}, not {what}", remedy)
    return JsonFile(path, document)


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any) -> int:
    """How deep objects and arrays nest (iteratively: the value may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_JSON_DEPTH:
                stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


# The hint of every problem with a stack outputs file (here, and lake/data/filesystem.py).
STACK_OUTPUTS_REMEDY = "write it with: pulumi stack output --json > outputs.json"


def stack_outputs(text: str, option: str = "--stack-outputs") -> JsonFile:
    """`pulumi stack output --json` of this program: zoneBuckets, valid bucket names, keyArn."""
    loaded = json_file(text, option, "stack outputs", STACK_OUTPUTS_REMEDY)
    outputs = loaded.document
    zones = outputs.get("zoneBuckets")
    if not isinstance(zones, dict):
        raise InputError(f"{option} {shown(text)}: no 'zoneBuckets' output; expected `pulumi stack output --json` "
                         "of this program", STACK_OUTPUTS_REMEDY)
    named = {f"zoneBuckets.{zone}": bucket for zone, bucket in zones.items()}
    named.update({key: outputs[key] for key in ("logsBucket", "queryResultsBucket") if key in outputs})
    for where, bucket in named.items():
        name = bucket.get("name") if isinstance(bucket, dict) else bucket
        if not isinstance(name, str) or _bucket_name_problem(name):
            raise InputError(f"{option} {shown(text)}: {shown(where)} is not a valid S3 bucket name ({shown(str(name))})",
                             STACK_OUTPUTS_REMEDY)
    if "keyArn" in outputs and not (isinstance(outputs["keyArn"], str) and KEY_ARN.fullmatch(outputs["keyArn"])):
        raise InputError(f"{option} {shown(text)}: keyArn is not a full KMS key ARN", STACK_OUTPUTS_REMEDY)
    return loaded


def audited_stack_outputs(text: str, option: str = "--stack-outputs") -> JsonFile:
    """Stack outputs (``stack_outputs``) whose ``consumers`` `lake audit` can take the consumers' config
    from (policies/adapters/live/exported.py): an entry it cannot use is refused now, with its key path.
    (`lake data` reads them for hints only, and leaves such an entry out: lake/data/consumers.py.)"""
    from policies.adapters.live.exported import exported_consumers
    from policies.adapters.live.selection import SelectionError

    loaded = stack_outputs(text, option)
    try:
        exported_consumers(loaded.document)
    except SelectionError as error:
        raise InputError(f"{option} {shown(text)}: {error}", STACK_OUTPUTS_REMEDY) from None
    return loaded


def plan_file(text: str, option: str = "--against-plan") -> JsonFile:
    """A plan document written by `lake plan --format json`, of a format version this lake reads."""
    remedy = "write one with: lake plan --format json --output plan.json"
    loaded = json_file(text, option, "a plan document", remedy)
    plan = loaded.document
    where = f"{option} {shown(text)}"
    if plan.get("source") == "live":
        raise InputError(f"{where}: a `lake audit` report, not a plan document", remedy)
    if "formatVersion" not in plan or "resources" not in plan or "environment" not in plan:
        raise InputError(f"{where}: not a plan document (no formatVersion, resources or environment)", remedy)
    version = plan["formatVersion"]
    if not isinstance(version, int) or isinstance(version, bool) or version != PLAN_FORMAT_VERSION:
        raise InputError(f"{where}: plan formatVersion {shown(json.dumps(version))}; this lake reads formatVersion "
                         f"{PLAN_FORMAT_VERSION}", f"{remedy}, with this version of lake")
    if not isinstance(plan["resources"], list) or not isinstance(plan["environment"], dict):
        raise InputError(f"{where}: not a plan document (resources or environment malformed)", remedy)
    try:  # what the audit makes of it once the account is read: a plan it cannot use is refused now
        from policies.adapters.plan import lake_from_plan

        lake_from_plan(plan)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as error:
        missing = f"no {error.args[0]!r}" if isinstance(error, KeyError) and error.args else one_line(error)
        raise InputError(f"{where}: not a plan document lake can read ({one_line(missing)[:160]})", remedy) from None
    return loaded
