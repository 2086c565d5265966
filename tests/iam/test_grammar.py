"""The IAM policy grammar: what the program generates follows it, and malformed documents get
exactly the messages a reader needs.

Corpus files are named ``<kind>.<case>.json`` (kind: generic, identity or resource); each
malformed one has a sibling ``<kind>.<case>.expected`` with its messages, one per line.
"""

import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import components.documents
from policies.grammar import policy_schema, validate_policy
from tests.iam.generated import generated_policies

CORPUS = Path(__file__).with_name("corpus")
CHECKED = [
    ('dev/consumer-analysts', 'identity'),
    ('dev/consumer-training', 'identity'),
    ('dev/consumer-training.assumeRolePolicy', 'generic'),
    ('dev/catalog-annotations', 'identity'),
    ('dev/catalog-images', 'identity'),
    ('dev/catalog-annotations-events', 'resource'),
    ('dev/network-s3-endpoint', 'resource'),
    ('dev/crawler-annotations.assumeRolePolicy', 'generic'),
    ('dev/crawler-images.assumeRolePolicy', 'generic'),
    ('dev/lake-key-key', 'resource'),
    ('dev/curated-policy', 'resource'),
    ('dev/logs-policy', 'resource'),
    ('dev/processed-policy', 'resource'),
    ('dev/query-results-policy', 'resource'),
    ('dev/raw-policy', 'resource'),
    ('prod/consumer-training', 'identity'),
    ('prod/consumer-training.assumeRolePolicy', 'generic'),
    ('prod/catalog-annotations', 'identity'),
    ('prod/catalog-features', 'identity'),
    ('prod/catalog-images', 'identity'),
    ('prod/catalog-annotations-events', 'resource'),
    ('prod/network-s3-endpoint', 'resource'),
    ('prod/crawler-annotations.assumeRolePolicy', 'generic'),
    ('prod/crawler-features.assumeRolePolicy', 'generic'),
    ('prod/crawler-images.assumeRolePolicy', 'generic'),
    ('prod/lake-key-key', 'resource'),
    ('prod/curated-policy', 'resource'),
    ('prod/logs-policy', 'resource'),
    ('prod/processed-policy', 'resource'),
    ('prod/query-results-policy', 'resource'),
    ('prod/raw-policy', 'resource'),
    ('prod/outputs.consumers.partner-research.identityPolicy', 'identity'),
    ('builder/zone bucket', 'resource'),
    ('builder/zone bucket, strict', 'resource'),
    ('builder/zone bucket, perimeter', 'resource'),
    ('builder/logs bucket', 'resource'),
    ('builder/key', 'resource'),
    ('builder/key, no administrators', 'resource'),
    ('builder/key, with crawlers', 'resource'),
    ('builder/read access', 'identity'),
    ('builder/s3 endpoint', 'resource'),
    ('builder/crawler trust', 'generic'),
    ('builder/crawler', 'identity'),
    ('builder/crawler, event mode', 'identity'),
    ('builder/event queue', 'resource'),
    ('builder/consumer', 'identity'),
    ('builder/consumer, endpoint', 'identity'),
    ('builder/consumer trust', 'generic'),
    ('builder/zone bucket, external consumer', 'resource'),
    ('builder/key, external consumer', 'resource'),
]
# The operators IAM documents, written out here (the schema matches them by pattern instead).
BASE_OPERATORS = [
    *(f"String{o}" for o in ("Equals", "NotEquals", "EqualsIgnoreCase", "NotEqualsIgnoreCase", "Like", "NotLike")),
    *(
        f"{family}{o}"
        for family in ("Numeric", "Date")
        for o in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
    ),
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    *(f"Arn{o}" for o in ("Equals", "Like", "NotEquals", "NotLike")),
    "Null",
]
SET_PREFIXES = ("", "ForAnyValue:", "ForAllValues:")


def corpus(folder: str) -> list[Path]:
    return sorted((CORPUS / folder).glob("*.json"))


def kind_of(path: Path) -> str:
    return path.name.split(".")[0]


def with_condition(condition: dict) -> dict:
    statement = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": condition}
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_the_schema_is_valid_json_schema():
    Draft202012Validator.check_schema(policy_schema())


def test_the_policies_checked_are_pinned():
    """A new generated policy must be added here, so it cannot slip by unvalidated."""
    assert [(p.name, p.kind) for p in generated_policies()] == CHECKED


def test_every_document_builder_is_checked():
    """Every public function of components/documents that returns a whole document (but the
    ``policy_document`` wrapper they all use) is called by the collection, so none goes unchecked."""
    package = components.documents
    modules = [importlib.import_module(m.name) for m in pkgutil.iter_modules(package.__path__, f"{package.__name__}.")]
    builders = {
        f"{module.__name__}.{name}"
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and name != "policy_document"
        and inspect.signature(function).return_annotation == "PolicyDocument"
    }
    assert builders == {p.builder for p in generated_policies() if p.builder}


def test_every_generated_policy_follows_the_grammar():
    problems = {p.name: validate_policy(p.document, p.kind) for p in generated_policies()}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("path", corpus("valid"), ids=lambda p: p.stem)
def test_valid_document_passes(path):
    assert validate_policy(json.loads(path.read_text()), kind_of(path)) == []


@pytest.mark.parametrize("path", corpus("invalid"), ids=lambda p: p.stem)
def test_malformed_document_gets_exactly_its_messages(path):
    expected = path.with_suffix(".expected").read_text().splitlines()
    assert validate_policy(json.loads(path.read_text()), kind_of(path)) == expected


def test_the_corpus_is_complete():
    invalid = corpus("invalid")
    assert len(invalid) >= 25
    assert len(corpus("valid")) >= 10
    assert sorted(p.stem for p in (CORPUS / "invalid").glob("*.expected")) == [p.stem for p in invalid]
    assert {kind_of(p) for p in invalid + corpus("valid")} == {"generic", "identity", "resource"}


def test_every_documented_operator_is_accepted_with_its_prefixes_and_suffix():
    operators = [
        f"{prefix}{base}{suffix}"
        for base in BASE_OPERATORS
        for prefix in SET_PREFIXES
        for suffix in ("", "IfExists")
        if not (base == "Null" and suffix)
    ]
    assert len(operators) == 26 * 6 + 3
    assert validate_policy(with_condition({op: {"aws:PrincipalTag/team": "true"} for op in operators})) == []


@pytest.mark.parametrize(
    "operator",
    [
        "stringequals",
        "StringEqualsIgnorecase",
        "StringLikeIgnoreCase",
        "NumericLike",
        "DateEqualsIgnoreCase",
        "BoolNot",
        "ArnNotEqualsIfexists",
        "IfExists",
        "StringEqualsIfExistsIfExists",
        "ForAllValues:ForAnyValue:StringEquals",
        "ForAnyValue:",
        "StringEquals:ForAnyValue",
    ],
)
def test_near_miss_operator_is_unknown(operator):
    assert validate_policy(with_condition({operator: {"aws:SourceAccount": "111122223333"}})) == [
        f"Statement[0].Condition: unknown condition operator {operator!r}"
    ]


@pytest.mark.parametrize("prefix", SET_PREFIXES)
def test_null_takes_no_ifexists_suffix(prefix):
    assert validate_policy(with_condition({f"{prefix}NullIfExists": {"aws:SourceVpce": "true"}})) == [
        f"Statement[0].Condition.{prefix}NullIfExists: "
        "Null has no IfExists form: it already tests whether the key exists"
    ]


@pytest.mark.parametrize(
    "key",
    [
        "aws:SourceArn",
        "AWS:SourceArn",
        "s3:x-amz-server-side-encryption",
        "aws:ResourceTag/cost center",
        "kms:EncryptionContext:aws:s3:arn",
        "accounts.google.com:aud",
    ],
)
def test_condition_key_forms(key):
    assert validate_policy(with_condition({"StringEquals": {key: "x"}})) == []


@pytest.mark.parametrize("key", ["SecureTransport", "aws:", ":SecureTransport", "aws:Secure Transport", "aws:/team"])
def test_malformed_condition_key(key):
    assert validate_policy(with_condition({"StringEquals": {key: "x"}})) == [
        f"Statement[0].Condition.StringEquals: bad condition key {key!r}: expected 'service:Key' or 'aws:Key', "
        "optionally with a '/tag-key' suffix"
    ]


def test_trust_policies_have_no_resource_and_are_generic_only():
    trust = json.loads((CORPUS / "valid" / "generic.trust-policy-service.json").read_text())
    assert validate_policy(trust, "generic") == []
    assert validate_policy(trust, "resource") == ["Statement[0]: needs exactly one of Resource or NotResource"]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown policy kind 'bucket': expected one of generic, identity, resource"):
        validate_policy({}, "bucket")
