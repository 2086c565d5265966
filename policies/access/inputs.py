"""The inputs of `lake access`, read strictly: a mistake is an error naming the option and the
value (exit 2), never a question answered about something else.

- ``--action``: one S3 or KMS action of the catalogue (``catalogue.py``), any case; a wildcard
  is many requests, not one, and is refused.
- ``--principal``: one of the matrix's short names, or the ARN of an IAM role, user or account
  root (account ids: 12 ASCII digits).
- ``--resource``: the ARN of a bucket, an object or a KMS key; that it belongs to the stack is
  checked by ``question.ask``.
- ``--context KEY=VALUE``: a known condition key (global ``aws:*``, ``s3:*``, ``kms:*``), its
  value of the key's type; a multivalued key may be repeated, a single-valued one may not.
- ``--identity-policy FILE``: an identity policy IAM could store: UTF-8 JSON within IAM's size
  quota and character set, nested no deeper than ``MAX_POLICY_DEPTH``, one object that the
  project's IAM grammar (``policies/grammar``) accepts as an identity policy.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..evaluator.request import Policy
from ..grammar import validate_policy
from .catalogue import Action, catalogue

# IAM counts a policy's characters without whitespace, and stores none longer than 10,240: that
# is the quota of all of a role's inline policies together; a managed policy is limited to 6,144
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MAX_POLICY_CHARACTERS = 10_240
# Read no more than this: room for any indentation of a 10,240-character policy (about 100
# bytes of whitespace per character), and a bound on memory and time whatever the file is.
MAX_POLICY_BYTES = 1024 * 1024
# A policy nests at most 6 levels (document, Statement list, statement, Condition, operator,
# values); deeper input is a mistake, and past a few hundred levels the JSON parser and the
# grammar's validator would exhaust Python's recursion limit.
MAX_POLICY_DEPTH = 32
# "Policy documents can contain only ... tab, linefeed, carriage return, and characters in the
# range U+0020 to U+00FF" (the same IAM quotas page).
_POLICY_CHARACTER = re.compile(r"[^\t\n\r\x20-\xff]")
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)

PARTITION = r"aws(?:-[a-z]+)*"
ACCOUNT = re.compile(r"[0-9]{12}")  # ASCII digits only: never \d, which matches any script's digits
_IAM_NAME = r"[A-Za-z0-9+=,.@_-]{1,64}"  # role and user names (IAM quotas page)
_IAM_PATH = r"/(?:[\x21-\x7e]{0,510}/)?"  # "/" or "/division/team/"
_IAM_RESOURCE = re.compile(rf"root|(?:role|user){_IAM_PATH}{_IAM_NAME}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")
_KEY_ID = re.compile(r"[A-Za-z0-9-]{1,128}")
# A condition value of type ARN: six parts, an account (or "aws" for AWS-owned resources) if any.
_ARN_VALUE = re.compile(rf"arn:{PARTITION}:[a-z0-9-]+:[a-z0-9-]*:(?:[0-9]{{12}}|aws)?:\S+")


class QuestionError(ValueError):
    """The question names a principal, action, resource, context or policy file the lake cannot
    judge (exit 2). ``hint`` says what would be right, as ``lake.errors.InputError`` does."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


ALIASES_HINT = "e.g. --principal arn:aws:iam::123456789012:role/etl"
POLICY_EXAMPLE = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                  '"Resource": "arn:aws:s3:::BUCKET/*"}]}')


def shown(value: str) -> str:
    """A value as an error line shows it: as typed when plain, quoted when empty or odd, cut when long."""
    if len(value) > 120:
        value = value[:100] + "..."
    return value if value and value.isprintable() and " " not in value else repr(value)


def _did_you_mean(matches: list[str]) -> str:
    return f" (did you mean {matches[0]}?)" if matches else ""


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


# --action ------------------------------------------------------------------------------------

def parse_action(value: str) -> Action:
    """The catalogue's action for ``value`` (any case); QuestionError for anything else."""
    option = f"--action {shown(value)}"
    if _has_wildcard(value):
        raise QuestionError(f"{option}: a wildcard stands for many actions, not one request",
                            "ask about one action, e.g. s3:GetObject; `lake plan` prints the access matrix "
                            "of the main S3 actions")
    action = catalogue().action(value)
    if action is None:
        raise QuestionError(f"{option}: not an S3 or KMS action{_did_you_mean(catalogue().close_actions(value))}",
                            "lake access judges S3 and KMS requests (the lake's bucket and key policies), "
                            "e.g. s3:GetObject, s3:PutObject, s3:ListBucket, kms:Decrypt")
    return action


# --principal ---------------------------------------------------------------------------------

def parse_principal(value: str, aliases: Iterable[str]) -> str:
    """``value`` if it is one of ``aliases`` or a well-formed IAM principal ARN."""
    aliases = list(aliases)
    if value in aliases:
        return value
    option = f"--principal {shown(value)}"
    if not value.startswith("arn:"):
        close = _did_you_mean(_close_alias(value, aliases))
        raise QuestionError(f"{option}: neither an IAM ARN nor one of {', '.join(aliases)}{close}", ALIASES_HINT)
    if _has_wildcard(value):
        raise QuestionError(f"{option}: a wildcard stands for many principals, not the one making a request",
                            ALIASES_HINT)
    parts = value.split(":", 5)
    if len(parts) < 6:
        raise QuestionError(f"{option}: not an ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)", ALIASES_HINT)
    _, partition, service, region, account, resource = parts
    if not re.fullmatch(PARTITION, partition):
        raise QuestionError(f"{option}: unknown partition {shown(partition)} (aws, aws-cn, aws-us-gov...)",
                            ALIASES_HINT)
    if service == "sts" and resource.startswith("assumed-role/"):
        role = resource.split("/")[1] if resource.count("/") >= 1 else "ROLE"
        raise QuestionError(f"{option}: a role session; policies see the role that was assumed",
                            f"name the role: --principal arn:{partition}:iam::{account}:role/{role} "
                            "(with its path, if it has one)")
    if service != "iam":
        raise QuestionError(f"{option}: not an IAM principal (service {shown(service)}, not iam)", ALIASES_HINT)
    if region:
        raise QuestionError(f"{option}: IAM ARNs have no region (arn:{partition}:iam::ACCOUNT:...)", ALIASES_HINT)
    if not ACCOUNT.fullmatch(account):
        raise QuestionError(f"{option}: the account id {shown(account)} is not 12 digits (0-9)", ALIASES_HINT)
    if not _IAM_RESOURCE.fullmatch(resource):
        raise QuestionError(f"{option}: names no role, user or account root (role/NAME, user/NAME, root)",
                            "IAM names are 1 to 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional /path/")
    return value


def _close_alias(value: str, aliases: list[str]) -> list[str]:
    return difflib.get_close_matches(value.lower(), aliases, n=1, cutoff=0.6)


# --resource ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Resource:
    arn: str
    kind: str  # "bucket", "object" or "key": the catalogue's resource types
    bucket: str | None = None


KIND_NOUNS = {"bucket": "a bucket", "object": "an object", "key": "a KMS key"}
RESOURCE_HINT = "e.g. --resource arn:aws:s3:::BUCKET/KEY (an object), arn:aws:s3:::BUCKET (a bucket) or the " \
                "key ARN (the keyArn output of `lake plan --format json`)"


def parse_resource(value: str) -> Resource:
    """The kind of ARN ``value`` is: a bucket, an object or a KMS key."""
    option = f"--resource {shown(value)}"
    if _has_wildcard(value):
        raise QuestionError(f"{option}: a wildcard stands for many resources, not the one a request names",
                            RESOURCE_HINT)
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        raise QuestionError(f"{option}: not an ARN", RESOURCE_HINT)
    _, partition, service, region, account, rest = parts
    if not re.fullmatch(PARTITION, partition):
        raise QuestionError(f"{option}: unknown partition {shown(partition)} (aws, aws-cn, aws-us-gov...)",
                            RESOURCE_HINT)
    if service == "s3":
        return _s3_resource(value, option, region, account, rest)
    if service == "kms":
        return _key_resource(value, option, region, account, rest)
    raise QuestionError(f"{option}: not an S3 bucket or object, nor a KMS key (service {shown(service)})",
                        RESOURCE_HINT)


def _s3_resource(value: str, option: str, region: str, account: str, rest: str) -> Resource:
    if region or account:
        raise QuestionError(f"{option}: bucket and object ARNs have no region or account (arn:aws:s3:::BUCKET/KEY)",
                            RESOURCE_HINT)
    bucket, slash, key = rest.partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise QuestionError(f"{option}: {shown(bucket)} is not a bucket name (3 to 63 of a-z 0-9 . -)",
                            RESOURCE_HINT)
    if not slash:
        return Resource(value, "bucket", bucket)
    if not key:
        raise QuestionError(f"{option}: the object key after {bucket}/ is empty",
                            f"name an object (arn:aws:s3:::{bucket}/KEY) or the bucket (arn:aws:s3:::{bucket})")
    if len(key.encode()) > 1024:
        raise QuestionError(f"{option}: the object key is longer than S3's 1,024 bytes", RESOURCE_HINT)
    return Resource(value, "object", bucket)


def _key_resource(value: str, option: str, region: str, account: str, rest: str) -> Resource:
    if not _REGION.fullmatch(region):
        raise QuestionError(f"{option}: {shown(region)} is not a region (e.g. us-east-1)", RESOURCE_HINT)
    if not ACCOUNT.fullmatch(account):
        raise QuestionError(f"{option}: the account id {shown(account)} is not 12 digits (0-9)", RESOURCE_HINT)
    kind, _, key_id = rest.partition("/")
    if kind == "alias":
        raise QuestionError(f"{option}: an alias; key policies are asked about the key itself", RESOURCE_HINT)
    if kind != "key" or not _KEY_ID.fullmatch(key_id):
        raise QuestionError(f"{option}: not a key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)", RESOURCE_HINT)
    return Resource(value, "key")


def check_applies(action: Action, resource: Resource) -> None:
    """The action acts on that kind of resource (s3:GetObject on an object, not on a bucket)."""
    if resource.kind in action.resource_types:
        return
    kinds = [k for k in action.resource_types if k in KIND_NOUNS]
    option = f"--action {action.name}"
    if not kinds:
        acts_on = ", ".join(action.resource_types) or "no resource (it is allowed or not on Resource *)"
        raise QuestionError(f"{option}: acts on {acts_on}, not on a bucket, object or KMS key",
                            "lake access judges requests on this stack's buckets, objects and key")
    nouns = " or ".join(KIND_NOUNS[k] for k in kinds)
    raise QuestionError(f"{option}: acts on {nouns}, not on {KIND_NOUNS[resource.kind]} ({shown(resource.arn)})",
                        _resource_hint(kinds[0], resource))


def _resource_hint(kind: str, resource: Resource) -> str:
    if kind == "object" and resource.bucket:
        return f"name an object: --resource arn:aws:s3:::{resource.bucket}/KEY"
    if kind == "bucket" and resource.bucket:
        return f"name the bucket: --resource arn:aws:s3:::{resource.bucket}"
    return RESOURCE_HINT


# --context -----------------------------------------------------------------------------------

CONTEXT_HINT = "e.g. --context aws:SecureTransport=false, --context aws:SourceIp=203.0.113.7"


def parse_context(pairs: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as a request context: keys as AWS spells them, values checked by type;
    a multivalued key's values (the key given several times) as a list."""
    context: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        option = f"--context {shown(pair)}"
        if not sep or not name:
            raise QuestionError(f"{option}: expected KEY=VALUE", CONTEXT_HINT)
        key = catalogue().condition_key(name)
        if key is None:
            raise QuestionError(_unknown_key(option, name), "the global aws:* keys and the S3 and KMS service keys "
                                "(AWS's Service Authorization Reference; keys are case-insensitive)")
        typed = _typed_value(option, key.name, key.value_type, value)
        given = next((k for k in context if k.lower() == key.name.lower()), key.name)  # any case: one key
        if key.multivalued:
            context.setdefault(given, []).append(typed)
        elif given in context:
            raise QuestionError(f"{option}: {key.name} is given twice, and a request holds one value of it",
                                "repeat only multivalued keys, such as aws:CalledVia or aws:TagKeys")
        else:
            context[key.name] = typed
    return context


def _unknown_key(option: str, name: str) -> str:
    variable = catalogue().variable_key_missing_its_name(name)
    if variable is not None:
        return f"{option}: {variable.pattern} needs its {variable.variable} after {variable.prefix}"
    return f"{option}: unknown condition key{_did_you_mean(catalogue().close_keys(name))}"


def _typed_value(option: str, key: str, kind: str, value: str) -> Any:
    """The value as the evaluator reads it, or QuestionError saying what the key takes."""
    if kind == "Bool":
        if value.lower() not in ("true", "false"):
            raise QuestionError(f"{option}: {key} is true or false", CONTEXT_HINT)
        return value.lower()
    if kind == "Numeric":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise QuestionError(f"{option}: {key} is a number", "e.g. --context s3:TlsVersion=1.2")
        return value
    if kind == "Date":
        if not _is_date(value):
            raise QuestionError(f"{option}: {key} is an ISO 8601 date or epoch seconds",
                                "e.g. --context aws:CurrentTime=2026-01-31T12:00:00Z")
        return value
    if kind == "IPAddress":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise QuestionError(f"{option}: {key} is one IP address (a request comes from one; ranges "
                                "belong in policies)", "e.g. --context aws:SourceIp=203.0.113.7") from None
        return value
    if kind == "ARN" and not _ARN_VALUE.fullmatch(value):
        raise QuestionError(f"{option}: {key} is an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
                            "e.g. --context aws:PrincipalArn=arn:aws:iam::123456789012:role/etl")
    return value


def _is_date(value: str) -> bool:
    """What the evaluator's Date operators read: ISO 8601 or epoch seconds."""
    try:
        float(value)
        return value.strip() != "" and Decimal(value).is_finite()
    except (ValueError, InvalidOperation):
        pass
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


# --identity-policy ---------------------------------------------------------------------------

def load_identity_policies(paths: Iterable[Path]) -> tuple[Policy, ...]:
    return tuple(Policy(f"identity policy {path.name}", load_identity_policy(path)) for path in paths)


def load_identity_policy(path: Path) -> dict[str, Any]:
    """The identity policy in ``path``, or QuestionError naming the file and its first problem."""
    option = f"--identity-policy {shown(str(path))}"
    text = _read_policy_text(path, option)
    _check_characters(text, option)
    _check_depth(text, option)
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise QuestionError(f"{option}: not JSON: {error.msg} (line {error.lineno}, column {error.colno})",
                            f"an identity policy is one JSON object: {POLICY_EXAMPLE}") from None
    except _DocumentError as error:
        raise QuestionError(f"{option}: {error}", f"an identity policy is one JSON object: {POLICY_EXAMPLE}") from None
    except ValueError as error:  # a number of thousands of digits: over int()'s limit (4300 digits)
        raise QuestionError(f"{option}: not JSON Python reads: {str(error).split(';')[0]}",
                            f"an identity policy is one JSON object: {POLICY_EXAMPLE}") from None
    problems = validate_policy(document, "identity")
    if problems:
        more = f"{len(problems) - 1} more problem(s) after this one; " if len(problems) > 1 else ""
        raise QuestionError(f"{option}: {problems[0]}", f"{more}an identity policy: {POLICY_EXAMPLE}")
    return document


def _read_policy_text(path: Path, option: str) -> str:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError:
        raise QuestionError(f"{option}: no such file", "give the path of a JSON identity policy") from None
    except IsADirectoryError:
        raise QuestionError(f"{option}: a directory, not a file", "give the path of a JSON identity policy") from None
    except OSError as error:
        raise QuestionError(f"{option}: cannot be read ({error.strerror or error})",
                            "check the path and its permissions") from None
    if len(data) > MAX_POLICY_BYTES:
        raise QuestionError(f"{option}: larger than 1 MiB, far beyond any policy IAM stores",
                            _quota_hint())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuestionError(f"{option}: not UTF-8 text (byte {error.start})", "save the policy as UTF-8") from None
    characters = sum(1 for c in text if c not in " \t\n\r")
    if characters > MAX_POLICY_CHARACTERS:
        raise QuestionError(f"{option}: {characters:,} characters without whitespace, more than IAM's "
                            f"{MAX_POLICY_CHARACTERS:,} for any identity policy", _quota_hint())
    return text


def _quota_hint() -> str:
    return ("IAM quotas: 6,144 characters for a managed policy, 10,240 for all of a role's inline "
            "policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)")


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"line {line}, column {index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _check_characters(text: str, option: str) -> None:
    found = _POLICY_CHARACTER.search(text)
    if found:
        raise QuestionError(f"{option}: character U+{ord(found[0]):04X} at {_position(text, found.start())}: "
                            "IAM policies hold only tab, line breaks and U+0020 to U+00FF",
                            "replace typographic quotes and other symbols with plain ASCII")


def _check_depth(text: str, option: str) -> None:
    """Deeper than MAX_POLICY_DEPTH: refused before json.loads could recurse into it."""
    depth = 0
    for token in _STRUCTURE.finditer(text):
        mark = token[0]
        if mark in "[{":
            depth += 1
            if depth > MAX_POLICY_DEPTH:
                raise QuestionError(f"{option}: nested deeper than {MAX_POLICY_DEPTH} levels at "
                                    f"{_position(text, token.start())}",
                                    "an IAM policy nests 6 levels at most (Statement, Condition, values)")
        elif mark in "]}":
            depth -= 1


class _DocumentError(ValueError):
    """Valid JSON that no policy reads unambiguously (a repeated key, NaN)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DocumentError(f"the key {key!r} appears twice in one object: which one counts is ambiguous")
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise _DocumentError(f"{name} is not JSON")
