from dataclasses import replace

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.key_policy import KEY_ADMIN_ACTIONS
from policies.model import UNKNOWN
from policies.rules.lake_12_foreign_principals import RULE
from tests.policies.builders import (
    ACCOUNT,
    KEY_ARN,
    RAW,
    arn,
    endpoint,
    event_queue,
    lake,
    lake_key,
    recorded_statuses,
    statuses,
    zone_bucket,
)

FOREIGN = "999988887777"
FOREIGN_ROLE = f"arn:aws:iam::{FOREIGN}:role/KeyAdmin"
PASSING = ("pass", f"no statement lets a principal outside the lake's account {ACCOUNT} act")
KEY, ENDPOINT, QUEUE = "lake-key-key", "network-s3-endpoint", "ml-dev-annotations-events"
UNPINNED = f"with no condition pinning the callers to the lake's account {ACCOUNT}"
OUTSIDE = f"outside the lake's account {ACCOUNT}"
READ = {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn(RAW)}/*"}


def with_key_statements(*extra, **changes):
    policy = lake_key().policy
    return lake(keys=(lake_key(policy={**policy, "Statement": [*policy["Statement"], *extra]}),), **changes)


def with_raw_statements(*extra, **changes):
    policy = zone_bucket().policy
    return lake(buckets=(zone_bucket(policy={**policy, "Statement": [*policy["Statement"], *extra]}),), **changes)


def raw_verdict(*extra, **changes):
    return statuses(RULE.check(with_raw_statements(*extra, **changes)))[RAW]


def test_pass_the_compliant_lake():
    assert statuses(RULE.check(lake())) == {
        KEY: PASSING, RAW: PASSING, "ml-dev-logs": PASSING, QUEUE: PASSING, ENDPOINT: PASSING,
    }


def test_pass_principals_pinned_to_the_lake_or_trusted_by_the_config():
    pinned = [
        {**READ, "Sid": "Account", "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}},
        {**READ, "Sid": "Arn", "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}},
        {**READ, "Sid": "Org", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-lake"}}},
        {**READ, "Sid": "Partner", "Principal": {"AWS": f"arn:aws:iam::{FOREIGN}:root"}},
    ]
    assert raw_verdict(*pinned, organization_id="o-lake", trusted_principals=(FOREIGN,)) == PASSING


def test_pass_a_foreign_grant_that_a_deny_cancels():
    """DenyUseByOtherAccounts denies every cryptographic action to other accounts."""
    decrypt = {"Sid": "PartnerDecrypts", "Effect": "Allow", "Principal": {"AWS": FOREIGN}, "Action": "kms:Decrypt",
               "Resource": "*"}
    assert statuses(RULE.check(with_key_statements(decrypt)))[KEY] == PASSING


def test_fail_foreign_key_administrator_beside_the_crypto_only_deny():
    admin = {"Sid": "ForeignAdmin", "Effect": "Allow", "Principal": {"AWS": FOREIGN_ROLE},
             "Action": [*KEY_ADMIN_ACTIONS, "kms:Decrypt"], "Resource": "*"}
    assert statuses(RULE.check(with_key_statements(admin)))[KEY] == (
        "fail", "statement ForeignAdmin allows kms:CancelKeyDeletion, kms:CreateAlias, kms:DeleteAlias, "
                f"kms:DescribeKey, kms:DisableKey and 17 more to {FOREIGN_ROLE}, {OUTSIDE}")


def test_fail_the_requests_an_outsider_would_shape_to_get_through():
    """Uploads with the SSE headers strict mode asks for; decryption through S3, which DenyUseOutsideS3
    allows once DenyUseByOtherAccounts is gone."""
    writes = {"Sid": "Writes", "Effect": "Allow", "Principal": {"AWS": FOREIGN_ROLE}, "Action": "s3:PutObject",
              "Resource": f"{arn(RAW)}/*"}
    strict = secure_bucket_policy(arn(RAW), KEY_ARN, require_sse_header=True)
    model = lake(buckets=(zone_bucket(policy={**strict, "Statement": [*strict["Statement"], writes]}),))
    assert statuses(RULE.check(model))[RAW] == (
        "fail", f"statement Writes allows s3:PutObject to {FOREIGN_ROLE}, {OUTSIDE}")
    policy = lake_key().policy
    kept = [s for s in policy["Statement"] if s["Sid"] != "DenyUseByOtherAccounts"]
    decrypt = {**writes, "Sid": "Decrypts", "Action": "kms:Decrypt", "Resource": "*"}
    model = lake(keys=(lake_key(policy={**policy, "Statement": [*kept, decrypt]}),))
    assert statuses(RULE.check(model))[KEY] == (
        "fail", f"statement Decrypts allows kms:Decrypt to {FOREIGN_ROLE}, {OUTSIDE}")


def test_fail_foreign_root_role_and_account_id():
    root = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{FOREIGN}:root"},
            "Action": "s3:PutBucketPolicy", "Resource": arn(RAW)}
    role = {**READ, "Sid": "Role", "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/Reader", FOREIGN_ROLE]}}
    bare = {**root, "Sid": "Bare", "Principal": {"AWS": FOREIGN}, "Action": ["s3:ListBucket", "s3:Get*"]}
    assert raw_verdict(root, role, bare) == (
        "fail", f"statement Root allows s3:PutBucketPolicy to arn:aws:iam::{FOREIGN}:root, {OUTSIDE}; "
                f"statement Role allows s3:GetObject to {FOREIGN_ROLE}, {OUTSIDE}; "
                "statement Bare allows s3:GetAccelerateConfiguration, s3:GetAnalyticsConfiguration, "
                f"s3:GetBucketAcl, s3:GetBucketCORS, s3:GetBucketLocation and 19 more to {FOREIGN}, {OUTSIDE}")


def test_fail_star_behind_conditions_that_do_not_pin_the_lake_account():
    """Another account, an organisation the config does not name, a key a request may omit, a wildcard."""
    conditions = {
        "OtherAccount": {"StringEquals": {"aws:PrincipalAccount": FOREIGN}},
        "SomeOrg": {"StringEquals": {"aws:PrincipalOrgID": "o-someone"}},
        "IfExists": {"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}},
        "Wildcard": {"StringLike": {"kms:CallerAccount": "1234*"}},
        "Network": {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}},
    }
    statements = [{**READ, "Sid": sid, "Condition": condition} for sid, condition in conditions.items()]
    assert raw_verdict(*statements) == ("fail", "; ".join(
        f'statement {sid} allows s3:GetObject to any principal ("*"), {UNPINNED}' for sid in conditions))


def test_fail_not_principal_and_a_star_queue_statement():
    everyone = {"Sid": "AllButAdmin", "Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "s3:ListBucket", "Resource": arn(RAW)}
    assert raw_verdict(everyone) == (
        "fail", f"statement AllButAdmin allows s3:ListBucket to every principal but its NotPrincipal, {UNPINNED}")
    sends = {"Sid": "AnyoneSends", "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}
    queue = event_queue(policy={"Version": "2012-10-17", "Statement": [sends]})
    assert statuses(RULE.check(lake(queues=(queue,))))[QUEUE] == (
        "fail", "statement AnyoneSends allows sqs:ChangeMessageVisibility, sqs:DeleteMessage, sqs:GetQueueAttributes, "
                f'sqs:GetQueueUrl, sqs:ListDeadLetterSourceQueues and 3 more to any principal ("*"), {UNPINNED}')


def test_fail_endpoint_admitting_another_account():
    policy = endpoint().policy
    statement = {**policy["Statement"][0], "Condition": {"StringEquals": {"aws:PrincipalAccount": FOREIGN}}}
    model = lake(endpoints=(endpoint(policy={**policy, "Statement": [statement]}),))
    assert statuses(RULE.check(model))[ENDPOINT] == (
        "fail", "statement AllowLakeAccountToListedBuckets allows s3:AbortMultipartUpload, "
                "s3:BypassGovernanceRetention, s3:CreateBucket, s3:CreateBucketMetadataTableConfiguration, "
                f's3:DeleteBucket and 81 more to any principal ("*"), {UNPINNED}')


def test_unknown():
    assert statuses(RULE.check(lake(account_id=UNKNOWN)))[KEY] == ("unknown", "the lake's account id is not known")
    assert statuses(RULE.check(lake(keys=(lake_key(policy=UNKNOWN),))))[KEY] == (
        "unknown", "the key policy cannot be known before deployment")
    assert raw_verdict({**READ, "Principal": {"AWS": UNKNOWN}}) == (
        "unknown", "statement Read cannot be known before deployment")
    # A foreign grant beside a Deny that cannot be read yet: whether the Deny cancels it is open.
    deny = {"Sid": "DenyUnknown", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": UNKNOWN}
    assert raw_verdict(READ, deny) == ("unknown", "statement Read cannot be known before deployment")


def test_not_applicable_without_policies():
    model = replace(lake(buckets=(zone_bucket(policy=None),), keys=()), queues=(), endpoints=())
    assert statuses(RULE.check(model)) == {
        "lake": ("not_applicable", "the lake owns no key, bucket, queue or endpoint policy"),
    }



def test_recorded_dev_and_prod_plans_pass():
    assert recorded_statuses(RULE) == {"dev": {"pass"}, "prod": {"pass"}}
