from dataclasses import replace

from policies.model import UNKNOWN, AttachedPolicy
from policies.rules.lake_16_consumers import RULE
from tests.access.consumer_models import analysts, arn, consumer_lake, consumer_role, partner, training, with_statements
from tests.policies.builders import lake, recorded_statuses, statuses


def judge(*consumers, **changes):
    return statuses(RULE.check(consumer_lake(*consumers, **changes)))


def test_pass_each_kind_of_consumer():
    assert judge(training(), analysts(), partner()) == {
        "training": ("pass", "consumer training gets exactly its declared access (154 requests proven)"),
        "analysts": ("pass", "consumer analysts gets exactly its declared access (160 requests proven)"),
        "partner": ("pass", "consumer partner gets exactly its declared access (168 requests proven)"),
    }


def test_fail_a_grant_without_its_kms_statement_is_denied_reads_and_writes():
    broken = with_statements(training(), lambda ss: [s for s in ss if s["Sid"] != "UseKeyThroughS3"])
    assert judge(broken) == {"training": ("fail", (
        "consumer training is denied declared access (s3:GetObject on ml-dev-curated/*; s3:PutObject on "
        "ml-dev-processed/features/; kms:Decrypt through S3, kms:GenerateDataKey through S3 on key lake-key-key)"))}


def test_fail_a_prefix_grant_widened_to_the_bucket():
    def widen(statements):
        return [{**s, "Resource": arn("ml-dev-processed/*")} if s["Sid"] == "WriteObjects" else s for s in statements]

    assert judge(with_statements(training(), widen)) == {"training": ("fail", (
        "consumer training gets access it does not declare (s3:PutObject, s3:AbortMultipartUpload, "
        "s3:ListMultipartUploadParts on ml-dev-processed/* outside features/)"))}


def test_fail_delete_object_version_added():
    version = {"Sid": "DeleteVersions", "Effect": "Allow", "Action": "s3:DeleteObjectVersion",
               "Resource": arn("ml-dev-curated/*")}
    assert judge(with_statements(training(), lambda ss: [*ss, version])) == {"training": ("fail", (
        "consumer training gets access it does not declare (s3:DeleteObjectVersion on ml-dev-curated/*)"))}


def test_fail_missing_and_excess_together():
    """A query grant whose zone reads lost aws:CalledVia: read directly, and no longer through Athena only."""
    def direct(statements):
        return [{k: v for k, v in s.items() if k != "Condition"} if s["Sid"] == "AthenaReadObjects" else s
                for s in statements if s["Sid"] != "DecryptCatalogThroughGlue"]

    assert judge(with_statements(analysts(), direct)) == {"analysts": ("fail", (
        "consumer analysts is denied declared access (kms:Decrypt through Glue on key lake-key-key) and gets "
        "access it does not declare (s3:GetObject on ml-dev-curated/*)"))}


def test_fail_an_endpoint_bound_consumer_reachable_from_anywhere():
    anywhere = replace(training(), require_endpoint=True)
    assert judge(anywhere) == {"training": ("fail", (
        "consumer training gets access it does not declare (s3:GetObject without the endpoint, s3:ListBucket "
        "(no s3:prefix) without the endpoint, s3:ListBucket without the endpoint on ml-dev-curated/*; "
        "s3:GetBucketLocation without the endpoint on ml-dev-curated; s3:PutObject without the endpoint, "
        "s3:AbortMultipartUpload without the endpoint, s3:ListMultipartUploadParts without the endpoint on "
        "ml-dev-processed/features/; s3:GetBucketLocation without the endpoint on ml-dev-processed)"))}


def test_fail_an_external_consumer_the_bucket_policy_does_not_grant():
    """The lake's side of a cross-account grant is missing: the curated bucket policy lacks it."""
    model = consumer_lake(partner())
    curated = model.bucket_named("ml-dev-curated")
    bare = replace(curated, policy={**curated.policy, "Statement": [
        s for s in curated.policy["Statement"] if not s["Sid"].startswith("ConsumerPartner")]})
    model = replace(model, buckets=tuple(bare if b is curated else b for b in model.buckets))
    assert statuses(RULE.check(model)) == {"partner": ("fail", (
        "consumer partner is denied declared access (s3:GetObject, s3:ListBucket on ml-dev-curated/features/; "
        "s3:GetBucketLocation on ml-dev-curated)"))}


def test_unknown():
    assert judge(replace(training(), grants=UNKNOWN), replace(analysts(), principal_arn=UNKNOWN),
                 replace(partner(), policies=(UNKNOWN,))) == {
        "training": ("unknown", "the grants of consumer training cannot be known (lake audit --against-plan "
                                "or --stack-outputs knows them)"),
        "analysts": ("unknown", "the ARN of consumer analysts's principal cannot be known before deployment"),
        "partner": ("unknown", "an identity policy of consumer partner cannot be known before deployment"),
    }


def test_unknown_results_location_for_a_query_grant():
    from tests.policies.builders import workgroup

    assert judge(analysts(), workgroups=(workgroup(output_location=UNKNOWN),)) == {"analysts": (
        "unknown", "where the lake's workgroup writes query results cannot be known before deployment")}


def test_not_applicable():
    assert statuses(RULE.check(lake())) == {"lake": ("not_applicable", "the stack declares no consumer")}


def test_the_recorded_dev_and_prod_lakes_fail_nothing():
    assert all("fail" not in found for found in recorded_statuses(RULE).values())


# A service consumer's role, when the model holds it, is judged with what is attached to it: the
# lake's policy, anything attached since, or nothing once the lake's policy is detached.

S3_FULL_ACCESS = AttachedPolicy("arn:aws:iam::aws:policy/AmazonS3FullAccess", {
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def judge_role(**changes):
    consumer = training()
    return statuses(RULE.check(consumer_lake(consumer, roles=(consumer_role(consumer, **changes),))))


def test_pass_a_service_consumer_judged_through_its_role():
    assert judge_role() == {"training": ("pass", "consumer training gets exactly its declared access "
                                                 "(153 requests proven)")}


def test_fail_a_service_consumers_role_without_its_policy():
    assert judge_role(attached=()) == {"training": ("fail", (
        "consumer training is denied declared access (s3:GetObject, s3:ListBucket (no s3:prefix), s3:ListBucket on "
        "ml-dev-curated/*; s3:GetBucketLocation on ml-dev-curated; s3:PutObject, s3:AbortMultipartUpload, "
        "s3:ListMultipartUploadParts on ml-dev-processed/features/; s3:GetBucketLocation on ml-dev-processed; "
        "kms:Decrypt through S3, kms:GenerateDataKey through S3 on key lake-key-key)"))}


def test_fail_a_managed_policy_attached_to_a_service_consumers_role():
    own = consumer_role(training()).attached
    assert judge_role(attached=(*own, S3_FULL_ACCESS)) == {"training": ("fail", (
        "consumer training gets access it does not declare (s3:PutObject, s3:AbortMultipartUpload, "
        "s3:ListMultipartUploadParts, s3:DeleteObject, s3:DeleteObjectVersion on ml-dev-curated/*; s3:PutBucketPolicy "
        "and every other bucket administration action on ml-dev-curated; s3:GetObject, s3:PutObject, "
        "s3:AbortMultipartUpload, s3:ListMultipartUploadParts, s3:DeleteObject, s3:DeleteObjectVersion, s3:ListBucket "
        "(no s3:prefix), s3:ListBucket on ml-dev-logs/*; s3:GetBucketLocation, s3:PutBucketPolicy and every other "
        "bucket administration action on ml-dev-logs; s3:GetObject, s3:DeleteObject, s3:DeleteObjectVersion, "
        "s3:ListBucket on ml-dev-processed/features/; s3:GetObject, s3:PutObject, s3:AbortMultipartUpload, "
        "s3:ListMultipartUploadParts, s3:DeleteObject, s3:DeleteObjectVersion, s3:ListBucket (no s3:prefix), "
        "s3:ListBucket on ml-dev-processed/* outside features/; and 5 more places)"))}


def test_unknown_a_document_attached_to_a_service_consumers_role():
    own = consumer_role(training()).attached
    assert judge_role(attached=(*own, AttachedPolicy("arn:aws:iam::aws:policy/Unpinned"))) == {"training": (
        "unknown", "an identity policy of consumer training cannot be known before deployment")}


def test_fail_a_principal_consumers_policy_detached_although_its_config_attaches_it():
    detached = replace(analysts(), attach=True, attached=False, policy_name="ml-dev-consumer-analysts")
    assert judge(detached) == {"analysts": ("fail", (
        "consumer analysts is denied all its declared access: its policy ml-dev-consumer-analysts is not attached "
        "to arn:aws:iam::123456789012:role/Analyst, which its config asks for (attach: true)"))}


def test_pass_a_principal_consumers_policy_left_unattached_as_its_config_says():
    exported = replace(analysts(), attach=False, attached=False)
    assert judge(exported)["analysts"][0] == "pass"


def test_unknown_whether_a_principal_consumers_policy_is_attached():
    unread = replace(analysts(), attach=True, attached=UNKNOWN)
    assert judge(unread) == {"analysts": ("unknown", (
        "whether consumer analysts's policy is attached to arn:aws:iam::123456789012:role/Analyst cannot be known"))}


def _on_ec2(profile):
    return replace(training(), service="ec2.amazonaws.com", instance_profile=profile)


def test_pass_an_ec2_consumer_whose_instance_profile_holds_its_role():
    role = training().principal_arn.rsplit("/", 1)[-1]
    assert judge(_on_ec2((role,)))["training"][0] == "pass"


def test_fail_an_ec2_consumer_without_its_instance_profile():
    role = training().principal_arn.rsplit("/", 1)[-1]
    assert judge(_on_ec2(None)) == {"training": ("fail", (
        f"consumer training is denied all its declared access: no instance profile {role} lets EC2 instances take "
        "its role"))}


def test_fail_an_ec2_consumers_instance_profile_holding_another_role():
    role = training().principal_arn.rsplit("/", 1)[-1]
    assert judge(_on_ec2(("LakeAdmin",))) == {"training": ("fail", (
        f"consumer training's instance profile {role} holds LakeAdmin instead of its role {role}"))}
    assert judge(_on_ec2(()))["training"] == ("fail", (
        f"consumer training's instance profile {role} holds no role instead of its role {role}"))


def test_unknown_an_ec2_consumers_instance_profile_unread():
    assert judge(_on_ec2(UNKNOWN)) == {"training": ("unknown", (
        "the roles of consumer training's instance profile cannot be known"))}
