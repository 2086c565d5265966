"""The worked examples of AWS's policy evaluation documentation, decided as the pages decide them.

Each test cites its page. Policies are the pages' own (names of buckets and accounts included);
where a page states a rule without a request, the test is the smallest request that shows it.
"""

from __future__ import annotations

import pytest

from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Decision, Policy, Principal, Request

from .support import ACCOUNT, allow, deny, policy, ref, role, user


def _only_identity(principal: Principal, action: str, resource: str, *policies, **context) -> Decision:
    """A request that only identity policies govern (no resource policy), in the caller's account."""
    return evaluate(Request(principal, action, resource, context), policies, None, principal.account)


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
# "Example identity-based and resource-based policy evaluation" (single account).

CARLOS = user("carlossalazar")
CARLOS_IDENTITY = policy(
    "identity policy of carlossalazar",
    allow(["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
          "arn:aws:s3:::*", Sid="AllowS3ListRead"),
    allow("s3:*", ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"], Sid="AllowS3Self"),
    deny("s3:*", "arn:aws:s3:::*log*", Sid="DenyS3Logs"),
)
CARLOS_BUCKET = policy(
    "bucket policy of carlossalazar",
    allow("s3:*", ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"],
          Principal={"AWS": "arn:aws:iam::123456789012:user/carlossalazar"}),
)


def test_carlos_saving_to_the_logs_bucket_is_denied_by_his_own_policy():
    put = Request(CARLOS, "s3:PutObject", "arn:aws:s3:::carlossalazar-logs/report.txt")
    assert evaluate(put, [CARLOS_IDENTITY], None, ACCOUNT) == Decision(
        "explicit_deny", (ref(CARLOS_IDENTITY, 2),),
        "explicitly denied by DenyS3Logs of identity policy of carlossalazar")


def test_carlos_saving_to_his_bucket_is_allowed_by_both_policies():
    put = Request(CARLOS, "s3:PutObject", "arn:aws:s3:::carlossalazar/report.txt")
    decision = evaluate(put, [CARLOS_IDENTITY], CARLOS_BUCKET, ACCOUNT)
    assert (decision.decision, decision.deciding) == ("allow", (ref(CARLOS_IDENTITY, 1), ref(CARLOS_BUCKET, 0)))


@pytest.mark.parametrize("with_identity", [True, False], ids=["identity-only", "bucket-only"])
def test_within_an_account_either_policy_alone_allows(with_identity):
    # "If one of the policy types allows the request and the other doesn't, the request is still allowed."
    put = Request(CARLOS, "s3:PutObject", "arn:aws:s3:::carlossalazar/report.txt")
    identity, bucket = ([CARLOS_IDENTITY], None) if with_identity else ([], CARLOS_BUCKET)
    expected = ref(CARLOS_IDENTITY, 1) if with_identity else ref(CARLOS_BUCKET, 0)
    assert evaluate(put, identity, bucket, ACCOUNT).deciding == (expected,)


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
# "The difference between explicit and implicit denies".

GET_LIST = policy(
    "identity policy AllowGetListDenyReports",
    allow(["iam:Get*", "iam:List*"], Sid="AllowGetList"),
    deny("iam:*Report", Sid="DenyReports"),
)
REPORTS = policy("identity policy AllowReports", allow("iam:GenerateCredentialReport"))


@pytest.mark.parametrize(
    ("action", "expected", "deciding"),
    [
        ("iam:GetUser", "allow", (ref(GET_LIST, 0),)),
        ("iam:ListRoles", "allow", (ref(GET_LIST, 0),)),
        ("iam:CreatePolicy", "implicit_deny", ()),
        ("iam:GetOrganizationsAccessReport", "explicit_deny", (ref(GET_LIST, 1),)),
        # "If someone adds another policy ... such as iam:GenerateCredentialReport, report-related
        # requests are still denied because of this explicit deny."
        ("iam:GenerateCredentialReport", "explicit_deny", (ref(GET_LIST, 1),)),
    ],
)
def test_allowed_implicitly_denied_and_explicitly_denied_actions(action, expected, deciding):
    decision = _only_identity(user("analyst"), action, "*", GET_LIST, REPORTS)
    assert (decision.decision, decision.deciding) == (expected, deciding)


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
# "Example cross-account policy evaluation": Carlos in 111111111111, buckets in 222222222222.

CROSS_CARLOS = user("carlossalazar", "111111111111")
CROSS_IDENTITY = policy(
    "identity policy of carlossalazar",
    allow("s3:ListAllMyBuckets", Sid="AllowS3ListRead"),
    allow("s3:*Object*", "arn:aws:s3:::Production/*", Sid="AllowS3ProductionObjectActions"),
    deny("s3:*", ["arn:aws:s3:::*log*", "arn:aws:s3:::*log*/*"], Sid="DenyS3Logs"),
)
PRODUCTION_BUCKET = policy(
    "bucket policy of Production",
    allow(["s3:GetObject*", "s3:PutObject*", "s3:ReplicateObject", "s3:RestoreObject"], "arn:aws:s3:::Production/*",
          Principal={"AWS": "arn:aws:iam::111111111111:user/carlossalazar"}),
)


def _cross(action: str, resource: str, identity=(CROSS_IDENTITY,), bucket=PRODUCTION_BUCKET) -> Decision:
    return evaluate(Request(CROSS_CARLOS, action, resource), identity, bucket, "222222222222")


def test_cross_account_save_to_the_logs_bucket_is_denied_in_the_trusted_account():
    decision = _cross("s3:PutObject", "arn:aws:s3:::Production-logs/report.txt", bucket=None)
    assert (decision.decision, decision.deciding) == ("explicit_deny", (ref(CROSS_IDENTITY, 2),))


def test_cross_account_save_to_production_is_allowed_by_both_accounts():
    decision = _cross("s3:PutObject", "arn:aws:s3:::Production/report.txt")
    assert (decision.decision, decision.deciding) == ("allow", (ref(CROSS_IDENTITY, 1), ref(PRODUCTION_BUCKET, 0)))


def test_cross_account_delete_is_not_granted_by_the_bucket_policy():
    # "He can create and edit, but not delete the objects in the bucket."
    assert _cross("s3:DeleteObject", "arn:aws:s3:::Production/report.txt") == Decision(
        "implicit_deny", (), "cross-account: the bucket policy grants nothing to account 111111111111")


def test_cross_account_needs_the_identity_policy_too():
    # "The request is allowed only if both evaluations return a decision of Allow."
    assert _cross("s3:PutObject", "arn:aws:s3:::Production/report.txt", identity=()) == Decision(
        "implicit_deny", (), "cross-account: no identity policy allows s3:PutObject")


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

READ_ANYTHING = policy("identity policy ReadAnything", allow("s3:GetObject"))


@pytest.mark.parametrize("account_principal", ["arn:aws:iam::123456789012:root", "123456789012"])
@pytest.mark.parametrize("with_identity", [True, False])
def test_an_account_principal_delegates_to_the_account_administrator(account_principal, with_identity):
    # #principal-accounts: "When you allow access to a different account, an administrator in that
    # account must then grant access to an identity"; the ARN and the bare id behave the same, and
    # the root ARN "does not limit permissions to only the root user".
    bucket = policy("bucket policy of shared",
                    allow("s3:GetObject", "arn:aws:s3:::shared/*", Principal={"AWS": account_principal}))
    get = Request(role("Analyst"), "s3:GetObject", "arn:aws:s3:::shared/data.csv")
    decision = evaluate(get, [READ_ANYTHING] if with_identity else [], bucket, "555555555555")
    assert decision.decision == ("allow" if with_identity else "implicit_deny")


@pytest.mark.parametrize("anyone", ["*", {"AWS": "*"}])
@pytest.mark.parametrize(
    ("principal", "identity", "expected"),
    [
        # "grants access to all users, including anonymous users"
        (Principal.anonymous(), [], "allow"),
        # "For IAM users and role principals within your account, no other permissions are required."
        (role("Reader"), [], "allow"),
        # "For principals in other accounts, they must also have identity-based permissions."
        (role("Reader", "444455556666"), [], "implicit_deny"),
        (role("Reader", "444455556666"), [READ_ANYTHING], "allow"),
    ],
)
def test_a_wildcard_principal_grants_everyone(anyone, principal, identity, expected):
    # #principal-anonymous: "Principal": "*" and {"AWS": "*"} are equivalent.
    bucket = policy("bucket policy of public", allow("s3:GetObject", "arn:aws:s3:::public/*", Principal=anyone))
    get = Request(principal, "s3:GetObject", "arn:aws:s3:::public/index.html")
    assert evaluate(get, identity, bucket, ACCOUNT).decision == expected


def test_principal_arn_condition_instead_of_not_principal_with_deny():
    # #principal-anonymous, "UsePrincipalArnInsteadOfNotPrincipalWithDeny"; the evaluator fills aws:PrincipalArn.
    bucket = policy("bucket policy of BUCKETNAME", deny(
        "s3:*", ["arn:aws:s3:::BUCKETNAME/*", "arn:aws:s3:::BUCKETNAME"], Principal="*",
        Sid="UsePrincipalArnInsteadOfNotPrincipalWithDeny",
        Condition={"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:user/user-name"}}))
    identity = [policy("identity policy S3", allow("s3:*"))]
    target = "s3:GetObject", "arn:aws:s3:::BUCKETNAME/a"
    exempt = evaluate(Request(user("user-name", "444455556666"), *target), identity, bucket, "444455556666")
    other = evaluate(Request(user("other", "444455556666"), *target), identity, bucket, "444455556666")
    assert (exempt.decision, other.decision, other.deciding) == ("allow", "explicit_deny", (ref(bucket, 0),))


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
# "NotPrincipal with Deny", example "IAM user in the same or a different account".

BOB_ONLY = policy(
    "bucket policy of BUCKETNAME",
    {"Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"],
     "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]}},
    allow("s3:GetObject", "arn:aws:s3:::BUCKETNAME/*", Principal={"AWS": "444455556666"}),
)


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        # "This example by itself does not grant access to Bob": the second statement and his IAM policy do.
        (user("Bob", "444455556666"), "allow"),
        # Naming the account's root exempts the account, not its other users.
        (user("Alice", "444455556666"), "explicit_deny"),
        (Principal.anonymous(), "explicit_deny"),
    ],
)
def test_deny_with_not_principal_spares_only_bob(principal, expected):
    decision = evaluate(Request(principal, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/a"), [READ_ANYTHING], BOB_ONLY,
                        "111122223333")
    denied = expected == "explicit_deny"
    assert decision.decision == expected
    assert decision.deciding == ((ref(BOB_ONLY, 0),) if denied else (ref(READ_ANYTHING, 0), ref(BOB_ONLY, 1)))


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

ACCESS_KEYS = "iam:*AccessKey*", "arn:aws:iam::123456789012:user/*"


def test_string_condition_on_a_principal_tag():
    # #Conditions_String: "If a user without the tag attempts to view or edit an access key, the
    # condition returns false and the request is implicitly denied by this statement."
    keys = policy("identity policy AccessKeys",
                  allow(*ACCESS_KEYS, Condition={"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}))
    target = "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/Ana"
    tagged = _only_identity(user("admin"), *target, keys, **{"aws:PrincipalTag/job-category": "iamuser-admin"})
    untagged = _only_identity(user("admin"), *target, keys)
    assert (tagged.decision, untagged.decision) == ("allow", "implicit_deny")


@pytest.mark.parametrize(("max_keys", "expected"),
                         [("10", "allow"), (5, "allow"), ("11", "implicit_deny"), (None, "implicit_deny")])
def test_numeric_condition_on_max_keys(max_keys, expected):
    # #Conditions_Numeric: the requester can list up to 10 objects at a time.
    listing = policy("identity policy ListTen", allow("s3:ListBucket", "arn:aws:s3:::example_bucket",
                                                      Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}}))
    context = {} if max_keys is None else {"s3:max-keys": max_keys}
    decision = _only_identity(user("u"), "s3:ListBucket", "arn:aws:s3:::example_bucket", listing, **context)
    assert decision.decision == expected


@pytest.mark.parametrize(("issued", "expected"), [("2020-06-01T08:00:00Z", "allow"),
                                                  ("2019-12-31T23:59:59Z", "implicit_deny"), (None, "implicit_deny")])
def test_date_condition_on_token_issue_time(issued, expected):
    # #Conditions_Date: aws:TokenIssueTime exists only for temporary credentials; "if an IAM user
    # attempts to view or edit an access key, the request is denied".
    fresh = policy("identity policy Fresh",
                   allow(*ACCESS_KEYS, Condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}))
    context = {} if issued is None else {"aws:TokenIssueTime": issued}
    decision = _only_identity(user("u"), "iam:ListAccessKeys", "arn:aws:iam::123456789012:user/u", fresh, **context)
    assert decision.decision == expected


@pytest.mark.parametrize(("secure", "expected"),
                         [("false", "explicit_deny"), ("true", "allow"), (False, "explicit_deny")])
def test_bool_condition_denies_requests_without_tls(secure, expected):
    # #Conditions_Boolean, "BooleanExample": "This policy does not allow any actions"; the allow is another policy's.
    tls = policy("identity policy BooleanExample",
                 deny("s3:*", ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
                      Sid="BooleanExample", Condition={"Bool": {"aws:SecureTransport": "false"}}))
    decision = _only_identity(user("u"), "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/a", READ_ANYTHING, tls,
                              **{"aws:SecureTransport": secure})
    assert decision.decision == expected


@pytest.mark.parametrize(
    ("source_ip", "expected"),
    [("203.0.113.7", "allow"), ("2001:db8:1234:5678::9", "allow"), ("198.51.100.1", "implicit_deny"),
     # "except when the requester uses a VPC endpoint ... the condition returns false"
     (None, "implicit_deny")],
)
def test_ip_address_condition_with_ipv4_and_ipv6_ranges(source_ip, expected):
    # #Conditions_IPAddress: the mixed IPv4/IPv6 example.
    office = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}
    ranges = policy("identity policy Office", allow("someservice:*", Condition=office))
    context = {} if source_ip is None else {"aws:SourceIp": source_ip}
    assert _only_identity(user("u"), "someservice:Do", "*", ranges, **context).decision == expected


@pytest.mark.parametrize(("operator", "expected"), [("StringLike", "allow"), ("ArnLike", "implicit_deny")])
def test_arn_operators_match_each_arn_part_on_its_own(operator, expected):
    # #Conditions_ARN: the first * spans "us-east-2:999999999999:store/abc:" for StringLike only.
    pattern = {operator: {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}
    finance = policy("identity policy Finance", allow("someservice:Read", Condition=pattern))
    source = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert _only_identity(user("u"), "someservice:Read", "*", finance, **{"aws:SourceArn": source}).decision == expected


@pytest.mark.parametrize(
    ("operator", "instance_type", "expected"),
    [
        ("StringLike", None, "implicit_deny"),  # "THISPOLICYDOESNOTWORK": the image has no ec2:InstanceType
        ("StringLikeIfExists", None, "allow"),
        ("StringLike", "t2.micro", "allow"),
        ("StringLikeIfExists", "t2.micro", "allow"),
        ("StringLikeIfExists", "m5.large", "implicit_deny"),
    ],
)
def test_if_exists_lets_resources_without_the_key_through(operator, instance_type, expected):
    # #Conditions_IfExists.
    types = {operator: {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    run = policy("identity policy RunInstance", allow("ec2:RunInstances", Sid="RunInstance", Condition=types))
    if instance_type is None:
        resource, context = "arn:aws:ec2:us-east-1::image/ami-1", {}
    else:
        resource, context = "arn:aws:ec2:us-east-1:123456789012:instance/*", {"ec2:InstanceType": instance_type}
    assert _only_identity(user("u"), "ec2:RunInstances", resource, run, **context).decision == expected


@pytest.mark.parametrize(("issued", "expected"), [(None, "allow"), ("2024-01-01T00:00:00Z", "implicit_deny")])
def test_null_condition_allows_only_long_term_credentials(issued, expected):
    # #Conditions_Null: "the user must not be using temporary credentials (the key must not exist)".
    long_term = policy("identity policy LongTerm", allow("ec2:*", Condition={"Null": {"aws:TokenIssueTime": "true"}}))
    context = {} if issued is None else {"aws:TokenIssueTime": issued}
    assert _only_identity(user("u"), "ec2:DescribeInstances", "*", long_term, **context).decision == expected


# --- https://github.com/awsdocs/iam-user-guide/blob/main/doc_source/reference_policies_multi-value-conditions.md
# "Creating a condition that tests multiple key values (set operations)": the Thread table.

THREAD = "arn:aws:dynamodb:us-east-1:123456789012:table/Thread"
ATTRIBUTES = "dynamodb:requestedAttributes"


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [(["PostDateTime", "Message"], "allow"), (["PostDateTime", "UserName"], "implicit_deny"),
     (["ID", "Message"], "implicit_deny")],
)
def test_for_all_values_allows_only_listed_attributes(attributes, expected):
    listed = {"ForAllValues:StringLike": {ATTRIBUTES: ["PostDateTime", "Message", "Tags"]}}
    read = policy("identity policy ThreadRead", allow("dynamodb:GetItem", THREAD, Condition=listed))
    decision = _only_identity(user("u"), "dynamodb:GetItem", THREAD, read, **{ATTRIBUTES: attributes})
    assert decision.decision == expected


@pytest.mark.parametrize(("attributes", "expected"),
                         [(["UserName", "Message", "PostDateTime"], "explicit_deny"), (["UserName"], "allow")])
def test_for_any_value_denies_if_one_attribute_is_forbidden(attributes, expected):
    forbidden = {"ForAnyValue:StringLike": {ATTRIBUTES: ["ID", "PostDateTime"]}}
    write = policy("identity policy ThreadWrite", deny("dynamodb:PutItem", THREAD, Condition=forbidden),
                   allow("dynamodb:PutItem", THREAD))
    decision = _only_identity(user("u"), "dynamodb:PutItem", THREAD, write, **{ATTRIBUTES: attributes})
    assert decision.decision == expected


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html

def _tagging(condition: dict) -> Policy:
    return policy("identity policy Tagging",
                  deny(["iam:Tag*", "iam:UnTag*"], ["*"], Sid="DenyRestrictedTags", Condition=condition),
                  allow("iam:Tag*"))


@pytest.mark.parametrize(
    ("tag_keys", "expected"),
    [(["key1:legal"], "allow"), (["key1:hr", "key1:personnel"], "allow"), (["key2:audit"], "explicit_deny"),
     (None, "explicit_deny")],  # "No aws:TagKeys in the request context": Match
)
def test_for_all_values_string_not_like_table(tag_keys, expected):
    # "Deny a single policy condition value for a multivalued context key" and its table.
    restricted = _tagging({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}})
    context = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    assert _only_identity(user("u"), "iam:TagUser", "*", restricted, **context).decision == expected


@pytest.mark.parametrize(("tag_keys", "expected"),
                         [(None, "allow"), (["key1a", "key3b"], "explicit_deny"), (["key1a", "key4"], "allow")])
def test_null_false_keeps_for_all_values_from_matching_a_missing_key(tag_keys, expected):
    # "You can prevent missing context keys ... from evaluating to true by including a Null condition operator."
    restricted = _tagging({"Null": {"aws:TagKeys": "false"},
                           "ForAllValues:StringLike": {"aws:TagKeys": ["key1*", "key2*", "key3*"]}})
    context = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    assert _only_identity(user("u"), "iam:TagUser", "*", restricted, **context).decision == expected


# --- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-single-valued-context-keys.html

VOLUMES = policy(
    "identity policy Volumes",
    allow("ec2:CreateVolume"),
    allow("ec2:CreateTags", "arn:aws:ec2:us-east-1:123456789012:volume/*",
          Condition={"StringLike": {"aws:RequestTag/project": "*"}}),
    allow("ec2:CreateTags", "arn:aws:ec2:us-east-1:123456789012:*/*",
          Condition={"StringNotEquals": {"aws:ResourceTag/environment": "production"}}),
)


@pytest.mark.parametrize(
    ("tags", "deciding"),
    [
        ({"aws:RequestTag/project": "Feature3", "aws:ResourceTag/environment": "QA"},
         (ref(VOLUMES, 1), ref(VOLUMES, 2))),
        ({"aws:ResourceTag/environment": "QA"}, (ref(VOLUMES, 2),)),
        ({"aws:ResourceTag/environment": "production"}, ()),
        ({}, (ref(VOLUMES, 2),)),  # a negated operator holds when its key is missing
    ],
)
def test_multiple_condition_blocks_with_single_valued_keys(tags, deciding):
    volume = "arn:aws:ec2:us-east-1:123456789012:volume/vol-1"
    decision = _only_identity(user("u"), "ec2:CreateTags", volume, VOLUMES, **tags)
    assert (decision.decision, decision.deciding) == ("allow" if deciding else "implicit_deny", deciding)
