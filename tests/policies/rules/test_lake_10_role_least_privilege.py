from dataclasses import replace

from policies.aws_managed import pinned_document
from policies.model import UNKNOWN, AttachedPolicy
from policies.rules.lake_10_role_least_privilege import RULE
from tests.policies.builders import ACCOUNT, KEY_ARN, SCHEDULED, arn, crawler, crawler_role, lake, lake_key, statuses
from tests.access.consumer_models import consumer_lake, consumer_role, training
from tests.policies.builders import zone_bucket

NAME = "ml-dev-crawler-images"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{NAME}"
PURPOSE = "crawler of s3://ml-dev-raw/images/"
BEYOND = f"role {NAME} reaches beyond its purpose ({PURPOSE}): "
ADMINISTRATION = "s3:PutBucketPolicy and every other bucket administration action"
S3_ALL = {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def judge(role=None, buckets=(zone_bucket("raw"), zone_bucket("curated")), crawlers=(crawler(SCHEDULED),), **changes):
    """The scheduled crawler and its role, on the raw and curated buckets."""
    role = role or crawler_role()
    return statuses(RULE.check(lake(roles=(role,), crawlers=crawlers, buckets=buckets, **changes)))


def with_policy(*statements):
    role = crawler_role()
    return replace(role, policies=(*role.policies, document(*statements)))


def attached(name):
    return replace(crawler_role(), attached=(AttachedPolicy(f"arn:aws:iam::aws:policy/{name}",
                                                            pinned_document(f"arn:aws:iam::aws:policy/{name}")),))


def test_pass_the_crawler_roles():
    assert statuses(RULE.check(lake())) == {
        NAME: ("pass", f"the role reaches no more of the lake than its purpose ({PURPOSE})"),
        "ml-dev-crawler-annotations": (
            "pass", "the role reaches no more of the lake than its purpose (crawler of s3://ml-dev-raw/annotations/)"),
    }


def test_pass_grants_that_reach_nothing_more_a_deny_and_non_s3_actions():
    deny = {"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}
    glue = {"Sid": "Config", "Effect": "Allow", "Action": "glue:GetSecurityConfiguration", "Resource": "*"}
    assert judge(with_policy(S3_ALL, deny)) == judge(with_policy(glue)) == {
        NAME: ("pass", f"the role reaches no more of the lake than its purpose ({PURPOSE})"),
    }


def test_fail_inline_s3_on_everything_reads_deletes_and_administers_every_bucket():
    """Writes stay out of reach: the lake key refuses the role kms:GenerateDataKey."""
    assert judge(with_policy(S3_ALL)) == {NAME: ("fail", BEYOND + (
        "s3:GetObject, s3:DeleteObject, s3:DeleteObjectVersion, s3:ListBucket on ml-dev-curated/*; "
        f"s3:GetBucketLocation, {ADMINISTRATION} on ml-dev-curated; "
        "s3:DeleteObject, s3:DeleteObjectVersion on ml-dev-raw/images/; "
        "s3:GetObject, s3:DeleteObject, s3:DeleteObjectVersion, s3:ListBucket on ml-dev-raw/* outside images/; "
        f"{ADMINISTRATION} on ml-dev-raw"))}


def test_fail_aws_glue_service_role_lists_every_bucket():
    assert judge(attached("service-role/AWSGlueServiceRole")) == {NAME: ("fail", BEYOND + (
        "s3:ListBucket on ml-dev-curated/*; s3:GetBucketLocation on ml-dev-curated; "
        "s3:ListBucket on ml-dev-raw/* outside images/"))}


def test_fail_s3_read_only_access_reads_other_buckets_and_prefixes():
    assert judge(attached("AmazonS3ReadOnlyAccess")) == {NAME: ("fail", BEYOND + (
        "s3:GetObject, s3:ListBucket on ml-dev-curated/*; s3:GetBucketLocation on ml-dev-curated; "
        "s3:GetObject, s3:ListBucket on ml-dev-raw/* outside images/"))}


def test_fail_write_on_its_own_prefix_with_the_key_to_encrypt():
    write = {"Sid": "Write", "Effect": "Allow", "Action": "s3:PutObject", "Resource": arn("ml-dev-raw/images/*")}
    keys = {"Sid": "DataKeys", "Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": KEY_ARN}
    assert judge(with_policy(write, keys)) == {NAME: ("fail", BEYOND + (
        "s3:PutObject on ml-dev-raw/images/; kms:GenerateDataKey through S3 on key lake-key-key"))}


def test_fail_a_bucket_policy_that_grants_the_role_more():
    curated = zone_bucket("curated")
    grant = {"Sid": "CrawlerReadsCurated", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
             "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arn("ml-dev-curated"), arn("ml-dev-curated/*")]}
    opened = replace(curated, policy={**curated.policy, "Statement": [*curated.policy["Statement"], grant]})
    assert judge(buckets=(zone_bucket("raw"), opened)) == {NAME: ("fail", BEYOND + (
        "s3:GetObject, s3:ListBucket on ml-dev-curated/*"))}


def test_pass_a_public_bucket_statement_is_not_the_role_s_reach():
    """Anyone may read: S3.2 reports it; the role reaches nothing a role without policies does not."""
    curated = zone_bucket("curated")
    public = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": arn("ml-dev-curated/*")}
    opened = replace(curated, policy={**curated.policy, "Statement": [*curated.policy["Statement"], public]})
    assert judge(buckets=(zone_bucket("raw"), opened)) == {
        NAME: ("pass", f"the role reaches no more of the lake than its purpose ({PURPOSE})")}


def test_fail_a_key_policy_that_grants_the_role_every_kms_action():
    key = lake_key()
    grant = {"Sid": "CrawlerOwnsKey", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "kms:*",
             "Resource": "*"}
    opened = replace(key, policy={**key.policy, "Statement": [*key.policy["Statement"], grant]})
    assert judge(keys=(opened,)) == {NAME: ("fail", BEYOND + (
        "kms:GenerateDataKey through S3, kms:CreateGrant, kms:PutKeyPolicy, kms:ScheduleKeyDeletion, "
        "kms:DisableKey on key lake-key-key"))}


def test_fail_a_role_with_no_known_purpose():
    assert judge(crawlers=()) == {NAME: ("fail", f"the lake declares role {NAME} for no purpose the rules know")}


def test_fail_lists_at_most_six_places():
    buckets = tuple(zone_bucket(z) for z in ("raw", "curated", "processed", "sandbox"))
    [(status, message)] = judge(with_policy(S3_ALL), buckets=buckets).values()
    assert status == "fail" and message.endswith("; and 3 more places") and message.count(" on ") == 6


def test_unknown_policies():
    role = crawler_role()
    unpinned = AttachedPolicy("arn:aws:iam::aws:policy/AmazonAthenaFullAccess", UNKNOWN)
    assert judge(replace(role, policies=(UNKNOWN,))) == {
        NAME: ("unknown", "an inline policy of the role cannot be known before deployment")}
    assert judge(replace(role, attached=(unpinned,))) == {NAME: ("unknown", (
        "the document of attached policy arn:aws:iam::aws:policy/AmazonAthenaFullAccess cannot be known "
        "(not in the pinned AWS managed list, or unread)"))}
    assert judge(replace(role, attached=(AttachedPolicy(UNKNOWN, UNKNOWN),))) == {
        NAME: ("unknown", "which managed policies are attached to the role cannot be known")}
    assert judge(buckets=(zone_bucket("raw"), zone_bucket("curated", policy=UNKNOWN))) == {
        NAME: ("unknown", "the ARN or policy of bucket ml-dev-curated cannot be known before deployment")}


def test_unknown_which_crawler_uses_the_role():
    assert judge(crawlers=(crawler(SCHEDULED, role_arn=UNKNOWN),)) == {
        NAME: ("unknown", "which crawler uses the role cannot be known before deployment")}


def test_a_role_arn_unknown_yet_is_joined_by_the_crawler_dependency_and_named_by_its_name():
    role = replace(with_policy(S3_ALL), arn=UNKNOWN)
    joined = crawler(SCHEDULED, role_arn=UNKNOWN, role_ref=role.ref)
    assert judge(role, crawlers=(joined,)) == judge(with_policy(S3_ALL))


def test_not_applicable_without_roles():
    assert statuses(RULE.check(lake(roles=()))) == {"lake": ("not_applicable", "the stack declares no IAM role")}


# Consumer roles (issue 15): a service consumer's role may do what its grants declare.

TRAINING = "ml-dev-consumer-training"
TRAINING_PURPOSE = "consumer training: read s3://ml-dev-curated/*, write s3://ml-dev-processed/features/"


def judge_consumer(role, *consumers):
    return statuses(RULE.check(consumer_lake(*consumers, roles=(role,), crawlers=())))


def test_pass_a_consumer_role_reaches_its_grants():
    assert judge_consumer(consumer_role(training()), training()) == {
        TRAINING: ("pass", f"the role reaches no more of the lake than its purpose ({TRAINING_PURPOSE})")}


def test_fail_a_consumer_role_with_more_than_its_grants():
    role = replace(consumer_role(training()), policies=(document(
        {"Sid": "DeleteCurated", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": arn("ml-dev-curated/*")},
    ),))
    assert judge_consumer(role, training()) == {TRAINING: ("fail", (
        f"role {TRAINING} reaches beyond its purpose ({TRAINING_PURPOSE}): s3:DeleteObject on ml-dev-curated/*"))}


def test_unknown_a_consumer_role_whose_consumer_is_not_known():
    """The policy pack, or a live audit without a plan: the role's tag names a consumer, not its grants."""
    assert judge_consumer(consumer_role(training())) == {TRAINING: ("unknown", (
        f"role {TRAINING} is the role of consumer training, whose grants this source cannot tell "
        "(lake audit --against-plan or --stack-outputs knows them)"))}
