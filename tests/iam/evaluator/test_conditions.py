"""Condition operators, one table row per case: each operator true, false and with its key missing;
the IfExists variants; Null; multi-valued keys under ForAnyValue / ForAllValues; unreadable input."""

from __future__ import annotations

import re

import pytest

from policies.evaluator.conditions import conditions_hold, parse_operator
from policies.evaluator.operators import OPERATORS, UnreadableStatement

KEY = "test:Key"
MISSING = None

# (operator, policy value(s), request value or MISSING, holds)
OPERATOR_CASES = [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringEquals", "abc", MISSING, False),
    ("StringNotEquals", "abc", "abc", False),
    ("StringNotEquals", "abc", "xyz", True),
    ("StringNotEquals", "abc", MISSING, True),
    ("StringEqualsIgnoreCase", "abc", "ABC", True),
    ("StringEqualsIgnoreCase", "abc", "abd", False),
    ("StringEqualsIgnoreCase", "abc", MISSING, False),
    ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
    ("StringNotEqualsIgnoreCase", "abc", "abd", True),
    ("StringNotEqualsIgnoreCase", "abc", MISSING, True),
    ("StringLike", "home/*", "home/ana/notes.txt", True),
    ("StringLike", "h?me/*", "home/x", True),
    ("StringLike", "home/*", "Home/x", False),
    ("StringLike", "home/*", MISSING, False),
    ("StringNotLike", "home/*", "home/x", False),
    ("StringNotLike", "home/*", "tmp/x", True),
    ("StringNotLike", "home/*", MISSING, True),
    ("NumericEquals", "10", 10, True),
    ("NumericEquals", 10, "10.0", True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", "10", MISSING, False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericNotEquals", "10", 10, False),
    ("NumericNotEquals", "10", MISSING, True),
    ("NumericLessThan", 1.2, "1.0", True),
    ("NumericLessThan", 1.2, "1.2", False),
    ("NumericLessThan", 1.2, MISSING, False),
    ("NumericLessThanEquals", "1.2", "1.2", True),
    ("NumericLessThanEquals", "1.2", 1.3, False),
    ("NumericLessThanEquals", "1.2", MISSING, False),
    ("NumericGreaterThan", "5", "6", True),
    ("NumericGreaterThan", "5", "5", False),
    ("NumericGreaterThan", "5", MISSING, False),
    ("NumericGreaterThanEquals", "5", "5", True),
    ("NumericGreaterThanEquals", "5", "4.99", False),
    ("NumericGreaterThanEquals", "5", MISSING, False),
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00+00:00", True),
    ("DateEquals", "2020-01-01T00:00:00Z", 1577836800, True),  # epoch seconds
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-02", False),
    ("DateEquals", "2020-01-01T00:00:00Z", MISSING, False),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", MISSING, True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ("DateLessThan", "2020-01-01T00:00:00Z", MISSING, False),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01", True),  # a date alone is midnight UTC
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", False),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", MISSING, False),
    ("DateGreaterThan", "1577836800", "2020-01-01T00:00:01Z", True),
    ("DateGreaterThan", "1577836800", "2020-01-01T00:00:00Z", False),
    ("DateGreaterThan", "1577836800", MISSING, False),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T01:00:00+01:00", True),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2019-06-01T00:00:00Z", False),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", MISSING, False),
    ("Bool", "true", "true", True),
    ("Bool", "true", True, True),
    ("Bool", True, "TRUE", True),
    ("Bool", "false", "true", False),
    ("Bool", "false", MISSING, False),
    ("BinaryEquals", "QmluYXJ5", b"Binary", True),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("BinaryEquals", "QmluYXJ5", b"Other", False),
    ("BinaryEquals", "QmluYXJ5", MISSING, False),
    ("IpAddress", "203.0.113.0/24", "203.0.113.9", True),
    ("IpAddress", "203.0.113.9", "203.0.113.9", True),  # no prefix: /32
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
    ("IpAddress", "203.0.113.0/24", "10.0.0.1", False),
    ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),
    ("IpAddress", "203.0.113.0/24", MISSING, False),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.9", False),
    ("NotIpAddress", "203.0.113.0/24", "10.0.0.1", True),
    ("NotIpAddress", "203.0.113.0/24", MISSING, True),
    ("ArnEquals", "arn:aws:s3:::lake", "arn:aws:s3:::lake", True),
    ("ArnEquals", "arn:aws:s3:::lake", "arn:aws:s3:::Lake", False),
    ("ArnEquals", "arn:aws:s3:::lake", MISSING, False),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:123456789012:topic", True),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:999999999999:topic", False),
    ("ArnLike", "*", "arn:aws:sns:us-east-1:999999999999:topic", True),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", MISSING, False),
    ("ArnNotEquals", "arn:aws:s3:::lake", "arn:aws:s3:::lake", False),
    ("ArnNotEquals", "arn:aws:s3:::lake", "arn:aws:s3:::other", True),
    ("ArnNotEquals", "arn:aws:s3:::lake", MISSING, True),
    ("ArnNotLike", "arn:aws:iam::*:role/Lake*", "arn:aws:iam::123456789012:role/LakeReader", False),
    ("ArnNotLike", "arn:aws:iam::*:role/Lake*", "arn:aws:iam::123456789012:role/Other", True),
    ("ArnNotLike", "arn:aws:iam::*:role/Lake*", MISSING, True),
]


def holds(operator: str, policy_values, request_value, key: str = KEY) -> bool:
    context = {} if request_value is MISSING else {key.lower(): request_value}
    return conditions_hold({operator: {key: policy_values}}, context)


@pytest.mark.parametrize(("operator", "policy_values", "request_value", "expected"), OPERATOR_CASES)
def test_operator(operator, policy_values, request_value, expected):
    assert holds(operator, policy_values, request_value) is expected


def test_the_table_covers_every_operator_true_false_and_missing():
    outcomes = {(op, value is MISSING, expected) for op, _, value, expected in OPERATOR_CASES}
    for operator, (_, negated) in OPERATORS.items():
        assert (operator, True, negated) in outcomes, f"{operator}: missing key"
        assert {(operator, False, True), (operator, False, False)} <= outcomes, f"{operator}: true and false"


@pytest.mark.parametrize(("operator", "policy_values", "request_value", "expected"), OPERATOR_CASES)
def test_if_exists_variant(operator, policy_values, request_value, expected):
    # A missing key holds; a present one compares exactly as without the suffix.
    expected_if_exists = True if request_value is MISSING else expected
    assert holds(f"{operator}IfExists", policy_values, request_value) is expected_if_exists


@pytest.mark.parametrize(
    ("policy_values", "request_value", "expected"),
    [("true", MISSING, True), ("true", "x", False), ("false", MISSING, False), ("false", "x", True),
     (True, MISSING, True), (False, "", True), (["true", "false"], "x", True), ("true", [], True)],
)
def test_null(policy_values, request_value, expected):
    assert holds("Null", policy_values, request_value) is expected


@pytest.mark.parametrize(
    ("operator", "request_value", "expected"),
    [
        ("ForAnyValue:StringEquals", ["a", "x"], True),
        ("ForAnyValue:StringEquals", ["x", "y"], False),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAnyValue:StringEquals", MISSING, False),
        ("ForAllValues:StringEquals", ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a"], True),
        ("ForAllValues:StringEquals", ["a", "x"], False),
        ("ForAllValues:StringEquals", [], True),
        ("ForAllValues:StringEquals", MISSING, True),
        ("ForAnyValue:StringNotEquals", ["a", "x"], True),  # x matches neither policy value
        ("ForAnyValue:StringNotEquals", ["a", "b"], False),
        ("ForAnyValue:StringNotEquals", MISSING, False),
        ("ForAllValues:StringNotEquals", ["x", "y"], True),
        ("ForAllValues:StringNotEquals", ["a", "x"], False),
        ("ForAllValues:StringNotEquals", MISSING, True),
        ("ForAnyValue:StringEqualsIfExists", MISSING, True),
        ("ForAllValues:StringLike", ["a", "b"], True),
        ("ForAnyValue:StringLike", "b", True),  # a single request value is a one-element set
    ],
)
def test_multi_valued_keys(operator, request_value, expected):
    assert holds(operator, ["a", "b"], request_value) is expected


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
# "Multivalued context keys require a condition set operator": AWS defines no reading of a single-valued
# operator on several values, so the evaluator refuses the statement instead of guessing one.

@pytest.mark.parametrize(
    ("operator", "key"),
    [("StringEquals", "aws:CalledVia"), ("StringNotEquals", "aws:TagKeys"), ("StringLike", "aws:PrincipalOrgPaths"),
     ("StringLikeIfExists", "aws:ResourceOrgPaths"), ("StringEquals", "AWS:SourceOrgPaths"),
     ("StringEquals", "s3:RequestObjectTagKeys"), ("StringNotEquals", "kms:EncryptionContextKeys")],
)
def test_a_single_valued_operator_on_a_documented_multivalued_key_is_unreadable(operator, key):
    message = (f"{operator} on {key}, a multivalued key, which needs ForAnyValue: or ForAllValues: (AWS defines no "
               "single-valued operator on several values)")
    for request_value in (["athena.amazonaws.com"], "athena.amazonaws.com", MISSING):  # whatever the request holds
        with pytest.raises(UnreadableStatement) as raised:
            holds(operator, "athena.amazonaws.com", request_value, key)
        assert str(raised.value) == message


@pytest.mark.parametrize("operator", ["StringEquals", "StringNotEquals", "ArnLike", "NumericLessThan", "Bool"])
def test_a_request_giving_a_list_to_a_single_valued_operator_is_unreadable(operator):
    with pytest.raises(UnreadableStatement) as raised:
        holds(operator, "a", ["a", "b"])
    assert str(raised.value) == (f"the request gives {KEY} as a list of values, which {operator} does not compare: "
                                 "a list needs ForAnyValue: or ForAllValues:")


def test_set_operators_and_null_read_a_multivalued_key():
    assert holds("ForAnyValue:StringEquals", "athena.amazonaws.com", ["glue.amazonaws.com", "athena.amazonaws.com"],
                 "aws:CalledVia") is True
    assert holds("ForAllValues:StringEquals", "athena.amazonaws.com", ["glue.amazonaws.com"], "aws:CalledVia") is False
    assert holds("Null", "false", ["athena.amazonaws.com"], "aws:CalledVia") is True
    assert holds("Null", "true", MISSING, "aws:TagKeys") is True


@pytest.mark.parametrize(
    ("operator", "request_value", "expected"),
    [
        ("ForAnyValue:StringEquals", "vpce-1", True),
        ("ForAnyValue:StringEquals", "vpce-2", False),
        ("ForAnyValue:StringEquals", MISSING, False),
        ("ForAllValues:StringEquals", "vpce-2", False),
        ("ForAllValues:StringEquals", MISSING, True),  # the "overly permissive" case the page warns of
    ],
)
def test_a_set_operator_on_a_single_valued_key_is_evaluated_as_aws_defines_it(operator, request_value, expected):
    # The page advises against it but defines it: the value is a one-element set, and ForAllValues holds
    # when the key is missing. Evaluated so, as AWS would grant it, rather than refused.
    assert holds(operator, "vpce-1", request_value, "aws:SourceVpce") is expected


def test_numeric_set_operators():
    assert holds("ForAllValues:NumericLessThan", 5, [1, 2]) is True
    assert holds("ForAllValues:NumericLessThan", 5, [1, 9]) is False
    assert holds("ForAnyValue:NumericLessThan", 5, [9, 1]) is True


def test_blocks_and_keys_are_anded_and_values_ored():
    condition = {"StringEquals": {"a:One": ["1", "one"], "a:Two": "2"}, "Bool": {"a:Flag": "true"}}
    everything = {"a:one": "one", "a:two": "2", "a:flag": "true"}
    assert conditions_hold(condition, everything)
    assert not conditions_hold(condition, {**everything, "a:two": "3"})
    assert not conditions_hold(condition, {**everything, "a:flag": "false"})
    assert conditions_hold({}, {}) and conditions_hold(None, {})


def test_condition_keys_are_case_insensitive_and_values_case_sensitive():
    assert conditions_hold({"StringEquals": {"AWS:SecureTransport": "true"}}, {"aws:securetransport": "true"})
    assert not conditions_hold({"StringEquals": {"s3:prefix": "Home/"}}, {"s3:prefix": "home/"})


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"StringEqualz": {KEY: "a"}}, "unknown condition operator 'StringEqualz'"),
        ({"ForSomeValues:StringEquals": {KEY: "a"}}, "unknown condition operator 'ForSomeValues:StringEquals'"),
        ({"NullIfExists": {KEY: "true"}}, "unknown condition operator 'NullIfExists'"),
        ({"ForAnyValue:Null": {KEY: "true"}}, "unknown condition operator 'ForAnyValue:Null'"),
        ({"stringequals": {KEY: "a"}}, "unknown condition operator 'stringequals'"),
        ({"NumericEquals": {KEY: "ten"}}, "'ten' is not a number"),
        ({"DateEquals": {KEY: "yesterday"}}, "'yesterday' is not an ISO 8601 date or epoch time"),
        ({"IpAddress": {KEY: "10.0.0.0/33"}}, "10.0.0.0/33"),
        ({"Null": {KEY: "maybe"}}, "Null takes true or false, not ['maybe']"),
        ({"StringEquals": "a"}, "the Condition element is not a map of operators to keys"),
    ],
)
def test_unreadable_conditions_raise_with_the_reason(condition, message):
    with pytest.raises(UnreadableStatement, match=re.escape(message)):
        conditions_hold(condition, {KEY.lower(): "1"})


def test_an_unknown_operator_is_reported_even_after_a_false_condition():
    with pytest.raises(UnreadableStatement):
        conditions_hold({"StringEquals": {KEY: "nope"}, "Foo": {KEY: "a"}}, {KEY.lower(): "1"})


def test_parse_operator():
    parsed = parse_operator("ForAllValues:StringNotLikeIfExists")
    assert (parsed.qualifier, parsed.negated, parsed.if_exists) == ("ForAllValues", True, True)
    assert parse_operator("Null").compare is None
