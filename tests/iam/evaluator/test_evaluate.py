"""The decision: S3 and KMS grant rules per caller, Block Public Access, the derived context,
policy document forms, and statements the evaluator cannot read."""

from __future__ import annotations

import pytest

from components.documents.logs_bucket_policy import allow_access_log_delivery
from policies.evaluator.context import request_context
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Decision, Policy, Principal, Request, StatementRef

from .support import ACCOUNT, OTHER_ACCOUNT, allow, deny, policy, ref, role

BUCKET = "arn:aws:s3:::lake-raw"
OBJECT = f"{BUCKET}/data.csv"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234"
READER = role("Reader")
OUTSIDER = role("Reader", OTHER_ACCOUNT)
LOGGING = Principal.aws_service("logging.s3.amazonaws.com")
READ = policy("identity policy Read", allow(["s3:GetObject", "kms:Decrypt"]))


def grant(name: str, principal_element, action: str = "s3:GetObject", resource: str = f"{BUCKET}/*", **extra) -> Policy:
    return policy(name, {"Sid": "Grant", "Effect": "Allow", "Principal": principal_element, "Action": action,
                         "Resource": resource, **extra})


def get(principal: Principal, identity=(READ,), bucket: Policy | None = None, resource: str = OBJECT,
        **options) -> Decision:
    return evaluate(Request(principal, "s3:GetObject", resource), identity, bucket, ACCOUNT, **options)


def decrypt(principal: Principal, key_policy: Policy, identity=(READ,)) -> Decision:
    return evaluate(Request(principal, "kms:Decrypt", KEY), identity, key_policy, ACCOUNT, "kms")


# --- S3

def test_s3_same_account_bucket_grant_to_the_account_only_delegates_to_iam():
    bucket = grant("bucket policy", {"AWS": ACCOUNT})
    assert get(READER, identity=(), bucket=bucket) == Decision(
        "implicit_deny", (), f"no identity policy allows s3:GetObject; the bucket policy's grant to account {ACCOUNT} "
                             "only delegates to IAM policies")
    assert get(READER, bucket=bucket).deciding == (ref(READ, 0),)  # the identity policy decides alone


def test_s3_same_account_without_any_grant():
    assert get(READER, identity=()).reason == (
        f"no identity policy allows s3:GetObject, and the bucket policy does not name {READER.arn}")


def test_s3_cross_account_through_a_grant_to_its_account():
    bucket = grant("bucket policy", {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"})
    assert get(OUTSIDER, bucket=bucket).deciding == (ref(READ, 0), ref(bucket, 0))
    assert get(OUTSIDER, identity=(), bucket=bucket).decision == "implicit_deny"


def test_s3_identity_policies_do_not_apply_to_anonymous_callers_or_services():
    deny_all = policy("identity policy DenyAll", {"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert get(Principal.anonymous(), identity=(READ, deny_all)) == Decision(
        "implicit_deny", (), "the bucket policy allows s3:GetObject to no anonymous caller")
    assert get(LOGGING, identity=(READ, deny_all)) == Decision(
        "implicit_deny", (), "the bucket policy does not allow s3:GetObject to the service logging.s3.amazonaws.com")


@pytest.mark.parametrize(
    ("source_arn", "source_account", "expected"),
    [("arn:aws:s3:::lake-raw", ACCOUNT, "allow"), ("arn:aws:s3:::someone-else", ACCOUNT, "implicit_deny"),
     ("arn:aws:s3:::lake-raw", OTHER_ACCOUNT, "implicit_deny")],
)
def test_s3_log_delivery_service_grant_of_the_lake(source_arn, source_account, expected):
    logs = policy("bucket policy of lake-logs",
                  allow_access_log_delivery("arn:aws:s3:::lake-logs", "s3/", ["arn:aws:s3:::lake-raw"], ACCOUNT))
    put = Request(LOGGING, "s3:PutObject", "arn:aws:s3:::lake-logs/s3/2024-01-01",
                  {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account})
    assert evaluate(put, [], logs, ACCOUNT).decision == expected


# --- KMS: the key policy is authoritative

@pytest.mark.parametrize(
    ("principal_element", "identity", "expected"),
    [
        ({"AWS": READER.arn}, (), "allow"),  # the key policy names the role: enough on its own
        ("*", (), "allow"),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, (READ,), "allow"),  # enables IAM policies
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, (), "implicit_deny"),
        ({"AWS": role("Other").arn}, (READ,), "implicit_deny"),  # identity policies alone never grant a key
    ],
)
def test_kms_same_account(principal_element, identity, expected):
    key_policy = grant("key policy", principal_element, "kms:*", "*")
    assert decrypt(READER, key_policy, identity).decision == expected


def test_kms_reasons():
    assert decrypt(READER, grant("key policy", {"AWS": role("Other").arn}, "kms:*", "*")).reason == (
        f"the key policy allows kms:Decrypt neither to {READER.arn} nor to account {ACCOUNT}")
    assert decrypt(Principal.anonymous(), grant("key policy", "*", "kms:*", "*")) == Decision(
        "implicit_deny", (), "KMS accepts no anonymous request")


@pytest.mark.parametrize("principal_element", [{"AWS": OUTSIDER.arn}, {"AWS": OTHER_ACCOUNT}, "*"])
def test_kms_cross_account_needs_the_key_policy_and_an_identity_policy(principal_element):
    key_policy = grant("key policy", principal_element, "kms:*", "*")
    assert decrypt(OUTSIDER, key_policy).decision == "allow"
    assert decrypt(OUTSIDER, key_policy, identity=()).reason == "cross-account: no identity policy allows kms:Decrypt"


def test_kms_service_principal_needs_the_key_policy():
    key_policy = grant("key policy", {"Service": "logging.s3.amazonaws.com"}, "kms:*", "*")
    assert decrypt(LOGGING, key_policy, identity=()).decision == "allow"
    root_only = grant("key policy", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "kms:*", "*")
    assert decrypt(LOGGING, root_only).decision == "implicit_deny"


def test_an_identity_deny_applies_to_kms_without_the_key_policy():
    deny = policy("identity policy NoDecrypt", {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"})
    decision = decrypt(READER, grant("key policy", {"AWS": READER.arn}, "kms:*", "*"), identity=(deny,))
    assert (decision.decision, decision.deciding) == ("explicit_deny", (ref(deny, 0),))


# --- Block Public Access: RestrictPublicBuckets

PUBLIC = policy("bucket policy", {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                  "Resource": f"{BUCKET}/*"},
                {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:GetObject",
                 "Resource": f"{BUCKET}/*"})
BLOCKED = (f"Block Public Access (RestrictPublicBuckets): the public bucket policy grants s3:GetObject only to "
           f"account {ACCOUNT} and AWS services")


@pytest.mark.parametrize(
    ("principal", "identity", "expected"),
    [
        (Principal.anonymous(), (), Decision("implicit_deny", (), BLOCKED)),
        (OUTSIDER, (READ,), Decision("implicit_deny", (), BLOCKED)),  # even the non-public grant to the partner
        (READER, (), Decision("allow", (ref(PUBLIC, 0),), "allowed by Public of bucket policy")),
        (LOGGING, (), Decision("allow", (ref(PUBLIC, 0),), "allowed by Public of bucket policy")),
    ],
)
def test_restrict_public_buckets(principal, identity, expected):
    assert get(principal, identity=identity, bucket=PUBLIC, restrict_public_buckets=True) == expected


def test_restrict_public_buckets_leaves_non_public_policies_and_kms_alone():
    partner = grant("bucket policy", {"AWS": OTHER_ACCOUNT})
    assert get(OUTSIDER, bucket=partner, restrict_public_buckets=True).decision == "allow"
    pinned = grant("bucket policy", "*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-123"}})
    assert evaluate(Request(OUTSIDER, "s3:GetObject", OBJECT, {"aws:PrincipalOrgID": "o-123"}), [READ], pinned,
                    ACCOUNT, restrict_public_buckets=True).decision == "allow"
    key_policy = grant("key policy", "*", "kms:*", "*")
    assert evaluate(Request(OUTSIDER, "kms:Decrypt", KEY), [READ], key_policy, ACCOUNT, "kms", True).decision == "allow"


def test_adding_a_public_allow_revokes_cross_account_grants_under_restrict_public_buckets():
    # The one way an added Allow turns an allow into a deny, as AWS documents for RestrictPublicBuckets.
    partner = policy("bucket policy", PUBLIC.document["Statement"][1])
    assert get(OUTSIDER, bucket=partner, restrict_public_buckets=True).decision == "allow"
    assert get(OUTSIDER, bucket=PUBLIC, restrict_public_buckets=True).decision == "implicit_deny"


def test_denies_of_a_public_bucket_policy_still_hold_under_restrict_public_buckets():
    tls = {"Sid": "Tls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*",
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    bucket = policy("bucket policy", PUBLIC.document["Statement"][0], tls)
    decision = evaluate(Request(READER, "s3:GetObject", OBJECT, {"aws:SecureTransport": "false"}), [], bucket, ACCOUNT,
                        restrict_public_buckets=True)
    assert decision.deciding == (ref(bucket, 1),)


# --- The request context

def test_principal_keys_are_derived():
    assert request_context(Request(READER, "s3:GetObject", OBJECT)) == {
        "aws:principalarn": READER.arn, "aws:principalaccount": ACCOUNT, "aws:principalisawsservice": "false",
        "aws:viaawsservice": "false"}
    assert request_context(Request(LOGGING, "s3:PutObject", OBJECT)) == {
        "aws:principalisawsservice": "true", "aws:principalservicename": "logging.s3.amazonaws.com"}
    assert request_context(Request(Principal.anonymous(), "s3:GetObject", OBJECT)) == {}


def test_given_context_wins_and_keys_are_lowercased():
    context = request_context(Request(READER, "s3:GetObject", OBJECT, {"AWS:PrincipalArn": "given", "S3:Prefix": "a/"}))
    assert (context["aws:principalarn"], context["s3:prefix"]) == ("given", "a/")


def test_derived_keys_drive_conditions():
    own_account = grant("bucket policy", "*", Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}})
    assert get(READER, identity=(), bucket=own_account).decision == "allow"
    assert get(OUTSIDER, bucket=own_account).decision == "implicit_deny"


# --- Policy documents

def test_single_statement_object_and_string_fields():
    single = Policy("identity policy Single", {"Statement": allow("s3:getobject", OBJECT)})
    assert get(READER, identity=(single,)).deciding == (StatementRef(single.name, None, 0),)


def test_not_action_and_not_resource():
    everything_else = policy("identity policy",
                             {"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": f"{BUCKET}/secret/*"})
    assert get(READER, identity=(everything_else,)).decision == "allow"
    delete = Request(READER, "s3:DeleteObject", OBJECT)
    secret = Request(READER, "s3:GetObject", f"{BUCKET}/secret/x")
    assert evaluate(delete, [everything_else], None, ACCOUNT).decision == "implicit_deny"
    assert evaluate(secret, [everything_else], None, ACCOUNT).decision == "implicit_deny"


def test_actions_ignore_case_and_resources_do_not():
    upper = policy("identity policy", {"Effect": "Allow", "Action": "S3:GETOBJECT", "Resource": OBJECT.upper()})
    assert get(READER, identity=(upper,)).decision == "implicit_deny"
    assert evaluate(Request(READER, "s3:getObject", OBJECT.upper()), [upper], None, ACCOUNT).decision == "allow"


def test_policy_variables_are_taken_literally():
    home = policy("identity policy Home", allow("s3:GetObject", f"{BUCKET}/home/${{aws:username}}/*"))
    assert get(READER, (home,), resource=f"{BUCKET}/home/Reader/x").decision == "implicit_deny"
    assert get(READER, (home,), resource=f"{BUCKET}/home/${{aws:username}}/x").decision == "allow"


def test_every_applicable_deny_is_named_in_order():
    denies = policy("identity policy", {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
                    {"Sid": "B", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    {"Sid": "C", "Effect": "Deny", "Action": "s3:Get*", "Resource": "*"})
    bucket = policy("bucket policy", deny("*", Sid="D", Principal={"AWS": ACCOUNT}))
    assert get(READER, identity=(denies,), bucket=bucket) == Decision(
        "explicit_deny", (ref(denies, 0), ref(denies, 2), ref(bucket, 0)),
        "explicitly denied by A of identity policy, C of identity policy, D of bucket policy")


# --- Statements the evaluator cannot read

UNKNOWN = {"StringEqualsMaybe": {"aws:PrincipalAccount": ACCOUNT}}


def test_an_unreadable_allow_does_not_apply_and_the_reason_says_so():
    odd = policy("identity policy Odd", allow("s3:*", Sid="Odd", Condition=UNKNOWN))
    assert get(READER, identity=(odd,)).reason == (
        f"no identity policy allows s3:GetObject, and the bucket policy does not name {READER.arn}; "
        "Odd of identity policy Odd was not evaluated: unknown condition operator 'StringEqualsMaybe'")


def test_an_unreadable_deny_never_silently_allows():
    odd = policy("identity policy Odd", deny("s3:*", Condition=UNKNOWN))
    assert get(READER, identity=(READ, odd)) == Decision(
        "allow", (ref(READ, 0),), "allowed by statement 0 of identity policy Read; statement 0 of identity policy Odd "
                                  "was not evaluated: unknown condition operator 'StringEqualsMaybe'")


def test_a_single_valued_operator_on_a_multivalued_key_is_reported_not_guessed():
    # A deny meant for calls through Athena, written without ForAnyValue: AWS does not say how it reads.
    odd = policy("identity policy Odd", deny("s3:*", Sid="NotViaAthena",
                                             Condition={"StringNotEquals": {"aws:CalledVia": "athena.amazonaws.com"}}))
    via_athena = Request(READER, "s3:GetObject", OBJECT, {"aws:CalledVia": ["athena.amazonaws.com"]})
    assert evaluate(via_athena, (READ, odd), None, ACCOUNT) == Decision(
        "allow", (ref(READ, 0),), "allowed by statement 0 of identity policy Read; NotViaAthena of identity policy "
                                  "Odd was not evaluated: StringNotEquals on aws:CalledVia, a multivalued key, which "
                                  "needs ForAnyValue: or ForAllValues: (AWS defines no single-valued operator on "
                                  "several values)")


def test_a_list_given_to_a_single_valued_operator_is_reported_not_guessed():
    vpce = policy("identity policy Vpce", allow("s3:*", Sid="ViaVpce", Condition={"StringEquals": {
        "aws:SourceVpce": "vpce-1"}}))
    two_endpoints = Request(READER, "s3:GetObject", OBJECT, {"aws:SourceVpce": ["vpce-1", "vpce-2"]})
    assert evaluate(two_endpoints, (vpce,), None, ACCOUNT).reason == (
        f"no identity policy allows s3:GetObject, and the bucket policy does not name {READER.arn}; ViaVpce of "
        "identity policy Vpce was not evaluated: the request "
        "gives aws:SourceVpce as a list of values, which StringEquals does not compare: a list needs ForAnyValue: "
        "or ForAllValues:")


def test_an_unknown_effect_is_reported_and_other_entries_keep_their_numbering():
    odd = policy("identity policy Odd", "not a statement", {"Effect": "deny", "Action": "s3:*", "Resource": "*"})
    decision = get(READER, identity=(odd,))
    assert decision.decision == "implicit_deny"
    assert decision.reason.endswith(
        "statement 1 of identity policy Odd was not evaluated: its Effect 'deny' is neither Allow nor Deny")


def test_statements_that_do_not_match_are_not_read():
    other = policy("identity policy Other", allow("ec2:*", Condition=UNKNOWN))
    assert get(READER, identity=(READ, other)).reason == "allowed by statement 0 of identity policy Read"
