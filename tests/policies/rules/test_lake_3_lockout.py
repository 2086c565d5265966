from policies.model import UNKNOWN
from policies.rules.lake_3_lockout import RULE
from tests.policies.builders import ACCOUNT, ADMIN, arn, lake, lake_key, logs_bucket, statuses, zone_bucket

RAW = arn("ml-dev-raw")
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/PlatformDeployer"
BUCKET_POLICY_ACTIONS = ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"]
OUTSIDE_VPCE = {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}
EXEMPT_ADMIN = {"ArnNotLike": {"aws:PrincipalArn": [ADMIN]}}
# The perimeter as it should be written: everyone but the administrators, everything but policy management.
PERIMETER = {
    "Sid": "DenyOutsideVpce",
    "Effect": "Deny",
    "Principal": "*",
    "NotAction": BUCKET_POLICY_ACTIONS,
    "Resource": [RAW, f"{RAW}/*"],
    "Condition": {**OUTSIDE_VPCE, **EXEMPT_ADMIN},
}
KEY_PERIMETER = {
    "Sid": "DenyOutsideOffice",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
    "Resource": "*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}, **EXEMPT_ADMIN},
}
BUCKET_PASS = ("pass", "every network-keyed Deny (statement DenyOutsideVpce) exempts every administrator and does not "
                       "deny s3:PutBucketPolicy, s3:GetBucketPolicy, s3:DeleteBucketPolicy")
KEY_PASS = ("pass", "every network-keyed Deny (statement DenyOutsideOffice) exempts every administrator and does not "
                    "deny kms:PutKeyPolicy, kms:GetKeyPolicy")


def without(statement, *elements):
    return {k: v for k, v in statement.items() if k not in elements}


def with_perimeter(*bucket_statements, key_statements=(), **changes):
    raw, key = zone_bucket("raw"), lake_key()
    raw = zone_bucket("raw", policy={**raw.policy, "Statement": [*raw.policy["Statement"], *bucket_statements]})
    key = lake_key(policy={**key.policy, "Statement": [*key.policy["Statement"], *key_statements]})
    return statuses(RULE.check(lake(buckets=(raw, logs_bucket()), keys=(key,), **changes)))


def test_pass_admins_exempt_and_policy_management_left_open():
    # The logs bucket has no perimeter: nothing to say about it.
    assert with_perimeter(PERIMETER, key_statements=[KEY_PERIMETER]) == {
        "ml-dev-raw": BUCKET_PASS,
        "lake-key-key": KEY_PASS,
    }


def test_pass_wildcard_exemption_and_not_principal_with_the_account():
    wildcard = {**PERIMETER, "Condition": {**OUTSIDE_VPCE, "ArnNotLikeIfExists": {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}}
    not_principal = {**without(KEY_PERIMETER, "Principal"), "Condition": {"NotIpAddress": {
        "aws:SourceIp": "203.0.113.0/24"}}, "NotPrincipal": {"AWS": [ADMIN, DEPLOYER, f"arn:aws:iam::{ACCOUNT}:root"]}}
    assert with_perimeter(wildcard, key_statements=[not_principal], administrators=(ADMIN, DEPLOYER)) == {
        "ml-dev-raw": BUCKET_PASS,
        "lake-key-key": KEY_PASS,
    }


def test_pass_with_an_unknown_endpoint_id():
    unknown_vpce = {**PERIMETER, "Condition": {"StringNotEquals": {"aws:SourceVpce": UNKNOWN}, **EXEMPT_ADMIN}}
    assert with_perimeter(unknown_vpce) == {"ml-dev-raw": BUCKET_PASS}


def test_fail_no_exemption_and_policy_management_denied():
    naive = {**without(PERIMETER, "NotAction"), "Action": "s3:*", "Condition": OUTSIDE_VPCE}
    assert with_perimeter(naive) == {
        "ml-dev-raw": ("fail", f"statement DenyOutsideVpce (aws:SourceVpce) does not exempt {ADMIN} and denies "
                               "s3:PutBucketPolicy, s3:GetBucketPolicy, s3:DeleteBucketPolicy"),
    }


def test_fail_one_administrator_of_two_exempt():
    assert with_perimeter(PERIMETER, administrators=(ADMIN, DEPLOYER)) == {
        "ml-dev-raw": ("fail", f"statement DenyOutsideVpce (aws:SourceVpce) does not exempt {DEPLOYER}"),
    }


def test_fail_a_non_negated_operator_is_no_exemption():
    only_admin = {**PERIMETER, "Condition": {**OUTSIDE_VPCE, "ArnLike": {"aws:PrincipalArn": ADMIN}}}
    assert with_perimeter(only_admin) == {
        "ml-dev-raw": ("fail", f"statement DenyOutsideVpce (aws:SourceVpce) does not exempt {ADMIN}"),
    }


def test_fail_exact_string_match_is_case_sensitive():
    other_case = {**PERIMETER, "Condition": {**OUTSIDE_VPCE, "StringNotEquals": {
        "aws:SourceVpce": "vpce-0123456789abcdef0", "aws:PrincipalArn": ADMIN.lower()}}}
    assert with_perimeter(other_case) == {
        "ml-dev-raw": ("fail", f"statement DenyOutsideVpce (aws:SourceVpce) does not exempt {ADMIN}"),
    }


def test_fail_not_principal_without_the_account():
    role_only = {**without(PERIMETER, "Principal"), "NotPrincipal": {"AWS": ADMIN}, "Condition": OUTSIDE_VPCE}
    assert with_perimeter(role_only) == {
        "ml-dev-raw": ("fail", f"statement DenyOutsideVpce (aws:SourceVpce) names {ADMIN} in NotPrincipal without its "
                               f"account arn:aws:iam::{ACCOUNT}:root"),
    }


def test_fail_nobody_exempt_without_administrators():
    assert with_perimeter(PERIMETER, administrators=()) == {
        "ml-dev-raw": ("fail", "statement DenyOutsideVpce (aws:SourceVpce) exempts nobody: the stack names no "
                               "administrator"),
    }


def test_fail_key_policy_management_denied():
    all_kms = {**KEY_PERIMETER, "Action": "kms:*"}
    assert with_perimeter(key_statements=[all_kms]) == {
        "lake-key-key": ("fail", "statement DenyOutsideOffice (aws:SourceIp) denies kms:PutKeyPolicy, kms:GetKeyPolicy"),
    }


def test_unknown_policy_and_unknown_exemption():
    unknown_exemption = {**PERIMETER, "Condition": {**OUTSIDE_VPCE, "ArnNotLike": {"aws:PrincipalArn": [UNKNOWN]}}}
    assert with_perimeter(unknown_exemption) == {
        "ml-dev-raw": ("unknown", "the actions or exemptions of statement DenyOutsideVpce (aws:SourceVpce) cannot be "
                                  "known before deployment"),
    }
    assert statuses(RULE.check(lake(buckets=(zone_bucket("raw", policy=UNKNOWN), logs_bucket())))) == {
        "ml-dev-raw": ("unknown", "the policy cannot be known before deployment"),
    }


def test_not_applicable_without_a_network_keyed_deny():
    assert statuses(RULE.check(lake())) == {
        "lake": ("not_applicable", "no bucket or key policy has a Deny keyed on aws:SourceVpce, aws:SourceVpc, "
                                   "aws:SourceIp or aws:VpcSourceIp"),
    }
