from policies.model import UNKNOWN
from policies.rules.lake_15_administration import RULE
from tests.policies.builders import ACCOUNT, ADMIN, arn, lake, lake_key, logs_bucket, statuses, zone_bucket

RAW = arn("ml-dev-raw")
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/PlatformDeployer"
KEY_PASS = ("pass", "every administrator and the deployer may call kms:PutKeyPolicy")
BUCKET_PASS = ("pass", "every administrator and the deployer may call s3:PutBucketPolicy")
KEY_REFUSED = "the key policy allows kms:PutKeyPolicy neither to {who} nor to account " + ACCOUNT


def judged(*bucket_statements, key_statements=None, **changes):
    raw, key = zone_bucket("raw"), lake_key()
    raw = zone_bucket("raw", policy={**raw.policy, "Statement": [*raw.policy["Statement"], *bucket_statements]})
    if key_statements is not None:
        key = lake_key(policy={**key.policy, "Statement": key_statements(key.policy["Statement"])})
    return statuses(RULE.check(lake(buckets=(raw, logs_bucket()), keys=(key,), **changes)))


def test_pass_the_lake_as_built():
    assert judged(deployer=DEPLOYER) == {"lake-key-key": KEY_PASS, "ml-dev-raw": BUCKET_PASS, "ml-dev-logs": BUCKET_PASS}


def test_fail_key_policy_without_root_and_administrators():
    def no_admin(statements):
        return [s for s in statements if s.get("Sid") not in ("EnableIamPolicies", "AllowKeyAdministration")]

    assert judged(key_statements=no_admin)["lake-key-key"] == (
        "fail", f"kms:PutKeyPolicy is refused to {ADMIN} ({KEY_REFUSED.format(who=ADMIN)})")


def test_fail_key_deny_on_policy_changes_exempting_nobody():
    deny = {"Sid": "FreezePolicy", "Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*"}
    assert judged(key_statements=lambda ss: [*ss, deny])["lake-key-key"] == (
        "fail", f"kms:PutKeyPolicy is refused to {ADMIN} (explicitly denied by FreezePolicy of the key policy)")


def test_fail_bucket_deny_without_a_network_key_names_each_person_refused():
    freeze = {"Sid": "Freeze", "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketPolicy", "Resource": RAW,
              "Condition": {"ArnNotLike": {"aws:PrincipalArn": ADMIN}}}
    assert judged(freeze, deployer=DEPLOYER)["ml-dev-raw"] == (
        "fail", f"s3:PutBucketPolicy is refused to {DEPLOYER} (explicitly denied by Freeze of the bucket "
                "policy)")


def test_unknown_policy_value():
    key = lake_key(policy={"Statement": [{"Effect": "Allow", "Principal": {"AWS": UNKNOWN}, "Action": "kms:*",
                                          "Resource": "*"}]})
    found = statuses(RULE.check(lake(buckets=(), keys=(key,))))
    assert found == {"lake-key-key": ("unknown", "the policy or the lake's account cannot be known before deployment")}


def test_fail_key_without_policy_and_pass_bucket_without_policy():
    found = statuses(RULE.check(lake(buckets=(zone_bucket("raw", policy=None),), keys=(lake_key(policy=None),))))
    assert found == {"lake-key-key": ("fail", "no key policy declared: nobody can administer the key"),
                     "ml-dev-raw": ("pass", "no bucket policy: nothing denies s3:PutBucketPolicy")}


def test_not_applicable_without_administrators_or_deployer():
    found = statuses(RULE.check(lake(administrators=(), deployer=None)))
    assert found == {"lake": ("not_applicable", "the stack names no administrator and no deployer")}


def test_not_applicable_without_key_or_bucket():
    found = statuses(RULE.check(lake(buckets=(), keys=())))
    assert found == {"lake": ("not_applicable", "the stack declares no lake key")}


def test_pass_ignores_an_administrator_of_another_account():
    # S3 and KMS refuse policy changes across accounts whatever the policies say; LAKE.12 reports
    # the foreign grant itself.
    foreign = "arn:aws:iam::999988887777:role/KeyAdmin"
    assert judged(administrators=(ADMIN, foreign)) == {
        "lake-key-key": KEY_PASS, "ml-dev-raw": BUCKET_PASS, "ml-dev-logs": BUCKET_PASS}
