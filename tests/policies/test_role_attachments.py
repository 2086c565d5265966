"""Managed policies attached to roles, as the plan and pack adapters read them, and the pinned
documents of the AWS managed ones."""

import json

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.adapters.plan import lake_from_plan
from policies.adapters.resources import LakeContext, ResourceRecord, build_lake
from policies.aws_managed import pinned_arns, pinned_document
from policies.model import UNKNOWN, AttachedPolicy
from tests.support import REPO

ROLE_URN = "urn:pulumi:dev::datalake::datalake:storage:DataLake$aws:iam/role:Role::crawler-images"
POLICY_URN = "urn:pulumi:dev::datalake::datalake:storage:DataLake$aws:iam/policy:Policy::extra"
CUSTOMER_ARN = "arn:aws:iam::123456789012:policy/extra"
GLUE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
ATHENA = "arn:aws:iam::aws:policy/AmazonAthenaFullAccess"
EXTRA = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def role(**props):
    return ResourceRecord("aws:iam/role:Role", ROLE_URN, "crawler-images",
                          {"name": "ml-dev-crawler-images", "assumeRolePolicy": "{}", **props})


def attachment(name, policy_arn, dependencies=None):
    return ResourceRecord("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"urn:attach:{name}", name,
                          {"role": "ml-dev-crawler-images", "policyArn": policy_arn}, dependencies=dependencies or {})


def attached(*records):
    [read] = build_lake(records, LakeContext(source="plan")).roles
    return read.attached


def test_the_pinned_list_holds_what_a_crawler_role_typically_gets():
    assert [a.rsplit("/", 1)[-1] for a in pinned_arns()] == [
        "AWSGlueConsoleFullAccess", "AdministratorAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
        "PowerUserAccess", "ReadOnlyAccess", "AWSGlueServiceRole"]
    assert pinned_document("arn:aws-us-gov:iam::aws:policy/AdministratorAccess") == {
        "Version": "2012-10-17", "Statement": [{"Action": "*", "Resource": "*", "Effect": "Allow"}]}
    assert pinned_document(ATHENA) is None and pinned_document(CUSTOMER_ARN) is None


def test_attachments_of_aws_managed_policies_read_the_pinned_document_or_stay_unknown():
    assert attached(role(), attachment("glue", GLUE_ROLE), attachment("athena", ATHENA)) == (
        AttachedPolicy(GLUE_ROLE, pinned_document(GLUE_ROLE)), AttachedPolicy(ATHENA, UNKNOWN))


def test_a_customer_managed_policy_of_the_stack_is_joined_by_dependency_even_before_its_arn_is_known():
    policy = ResourceRecord("aws:iam/policy:Policy", POLICY_URN, "extra", {"policy": json.dumps(EXTRA)})
    joined = attachment("extra", UNKNOWN, {"policyArn": POLICY_URN})
    assert attached(role(), policy, joined) == (AttachedPolicy(UNKNOWN, EXTRA),)
    by_arn = ResourceRecord("aws:iam/policy:Policy", POLICY_URN, "extra", {"policy": EXTRA, "arn": CUSTOMER_ARN})
    assert attached(role(), by_arn, attachment("extra", CUSTOMER_ARN)) == (AttachedPolicy(CUSTOMER_ARN, EXTRA),)


def test_managed_policy_arns_of_the_role_count_once_and_unknown_ones_stay_unknown():
    listed = role(managedPolicyArns=[GLUE_ROLE, CUSTOMER_ARN])
    assert attached(listed, attachment("glue", GLUE_ROLE)) == (
        AttachedPolicy(GLUE_ROLE, pinned_document(GLUE_ROLE)), AttachedPolicy(CUSTOMER_ARN, UNKNOWN))
    assert attached(role(managedPolicyArns=UNKNOWN)) == (AttachedPolicy(UNKNOWN, UNKNOWN),)


def test_the_dev_plan_attaches_only_the_training_policy_and_crawlers_name_their_role_resource():
    plan = plan_document(plan_stack(REPO, "dev"))
    model = lake_from_plan(plan)
    # The one attachment to a role of the stack: the training consumer's own policy, joined with its document
    # (the analysts' attachment goes to their existing role, which the plan does not declare).
    training = plan["outputs"]["consumers"]["training"]
    policy = AttachedPolicy(training["policyArn"], json.loads(training["identityPolicy"]))
    assert {r.name: r.attached for r in model.roles} == {
        "mlteam-dev-consumer-training": (policy,),
        "mlteam-dev-crawler-annotations": (),
        "mlteam-dev-crawler-images": (),
    }
    roles = {r.ref: r.name for r in model.roles}
    assert sorted(roles[c.role_ref] for c in model.crawlers) == [
        "mlteam-dev-crawler-annotations", "mlteam-dev-crawler-images"]
