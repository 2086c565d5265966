from dataclasses import replace

from components.documents.crawler_role import glue_trust_policy
from policies.model import UNKNOWN
from policies.rules.lake_14_trust_policies import RULE
from tests.access.consumer_models import consumer_lake, consumer_role, training
from tests.policies.builders import ACCOUNT, OTHER_ACCOUNT, SCHEDULED, crawler, crawler_role, lake, statuses

NAME = "ml-dev-crawler-images"
PASSING = ("pass", "only glue.amazonaws.com may assume the role, for the lake's account (aws:SourceAccount)")
GLUE = {"Service": "glue.amazonaws.com"}


def trust(principal=GLUE, condition=None, action="sts:AssumeRole", sid="Trust"):
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def judge(trust_policy, crawlers=(crawler(SCHEDULED),)):
    role = replace(crawler_role(), trust_policy=trust_policy)
    return statuses(RULE.check(lake(roles=(role,), crawlers=crawlers)))


def pinned(value=ACCOUNT, operator="StringEquals"):
    return {operator: {"aws:SourceAccount": value}}


def test_pass_the_crawler_roles_and_statements_that_grant_no_assumption():
    assert statuses(RULE.check(lake())) == {NAME: PASSING, "ml-dev-crawler-annotations": PASSING}
    deny = {"Sid": "NoOne", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}
    policy = glue_trust_policy(ACCOUNT)
    assert judge({**policy, "Statement": [*policy["Statement"], deny]}) == {NAME: PASSING}


def test_fail_any_principal_an_account_root_another_account_and_a_wrong_service():
    assert judge(trust("*", pinned())) == {
        NAME: ("fail", "statement Trust lets any principal assume the role")}
    assert judge(trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})) == {
        NAME: ("fail", f"statement Trust lets the account root (arn:aws:iam::{ACCOUNT}:root) assume the role")}
    assert judge(trust({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/partner"}, action="sts:TagSession")) == {
        NAME: ("fail", f"statement Trust lets account {OTHER_ACCOUNT} (arn:aws:iam::{OTHER_ACCOUNT}:role/partner) "
                       "assume the role")}
    assert judge(trust({"Service": "lambda.amazonaws.com"}, pinned())) == {
        NAME: ("fail", "statement Trust lets the service lambda.amazonaws.com assume the role")}
    assert judge(trust({"Service": ["glue.amazonaws.com"], "AWS": f"arn:aws:iam::{ACCOUNT}:role/ops"}, pinned())) == {
        NAME: ("fail", f"statement Trust lets the IAM principal arn:aws:iam::{ACCOUNT}:role/ops assume the role")}


def test_fail_glue_without_a_pinned_source_account():
    glue = "statement Trust lets glue.amazonaws.com assume it"
    assert judge(trust()) == {NAME: ("fail", f"{glue} with no aws:SourceAccount condition")}
    assert judge(trust(condition=pinned("*", "StringLike"))) == {
        NAME: ("fail", f"{glue} aws:SourceAccount under StringLike, not StringEquals")}
    assert judge(trust(condition=pinned(operator="StringEqualsIfExists"))) == {
        NAME: ("fail", f"{glue} aws:SourceAccount under StringEqualsIfExists, not StringEquals")}
    assert judge(trust(condition=pinned([ACCOUNT, OTHER_ACCOUNT]))) == {
        NAME: ("fail", f"{glue} aws:SourceAccount {ACCOUNT}, {OTHER_ACCOUNT}, not {ACCOUNT}")}


def test_fail_every_principal_but_a_not_principal():
    statement = {"Sid": "Trust", "Effect": "Allow", "NotPrincipal": GLUE, "Action": "sts:AssumeRole"}
    assert judge({"Statement": [statement]}) == {
        NAME: ("fail", "statement Trust lets every principal but its NotPrincipal assume the role")}


def test_fail_a_role_with_no_known_purpose():
    assert judge(glue_trust_policy(ACCOUNT), crawlers=()) == {
        NAME: ("fail", f"the lake declares role {NAME} for no purpose the rules know")}


def test_unknown():
    assert judge(UNKNOWN) == {NAME: ("unknown", "the trust policy cannot be known before deployment")}
    assert judge(trust(UNKNOWN)) == {NAME: ("unknown", "statement Trust cannot be known before deployment")}
    assert judge(glue_trust_policy(ACCOUNT), crawlers=(crawler(SCHEDULED, role_arn=UNKNOWN),)) == {
        NAME: ("unknown", "which crawler uses the role cannot be known before deployment")}


def test_a_crawler_naming_its_role_by_name_finds_it():
    assert judge(trust(), crawlers=(crawler(SCHEDULED, role_arn=NAME),)) == {
        NAME: ("fail", "statement Trust lets glue.amazonaws.com assume it with no aws:SourceAccount condition")}


def test_not_applicable_without_roles():
    assert statuses(RULE.check(lake(roles=()))) == {"lake": ("not_applicable", "the stack declares no IAM role")}


# Consumer roles (issue 15): trusted by their service only, for the lake's account.

def judge_consumer(trust_policy=None, known=True):
    role = consumer_role(training())
    role = role if trust_policy is None else replace(role, trust_policy=trust_policy)
    return statuses(RULE.check(consumer_lake(*((training(),) if known else ()), roles=(role,), crawlers=())))


def test_pass_a_consumer_role_trusted_by_its_service():
    assert judge_consumer() == {"ml-dev-consumer-training": (
        "pass", "only sagemaker.amazonaws.com may assume the role, for the lake's account (aws:SourceAccount)")}


def test_fail_a_consumer_role_trusted_by_another_service_or_without_its_account():
    assert judge_consumer(trust(GLUE, pinned())) == {"ml-dev-consumer-training": (
        "fail", "statement Trust lets the service glue.amazonaws.com assume the role")}
    assert judge_consumer(trust({"Service": "sagemaker.amazonaws.com"})) == {"ml-dev-consumer-training": (
        "fail", "statement Trust lets sagemaker.amazonaws.com assume it with no aws:SourceAccount condition")}


def test_unknown_a_consumer_role_whose_consumer_is_not_known():
    assert judge_consumer(known=False) == {"ml-dev-consumer-training": ("unknown", (
        "role ml-dev-consumer-training is the role of consumer training, whose grants this source cannot tell "
        "(lake audit --against-plan or --stack-outputs knows them)"))}
