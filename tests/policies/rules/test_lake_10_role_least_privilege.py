from policies.model import UNKNOWN
from policies.rules.lake_10_role_least_privilege import RULE
from tests.policies.builders import crawler_role, lake, statuses

NAME = "ml-dev-crawler-images"
PASSING = ("pass", "no inline policy grants every S3 action, nor S3 data actions on every bucket")
READ_ALL = {"Sid": "ReadAll", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}


def judge(*statements, policies=None):
    documents = policies if policies is not None else ({"Version": "2012-10-17", "Statement": list(statements)},)
    return statuses(RULE.check(lake(roles=(crawler_role(policies=documents),))))


def test_pass_the_crawler_roles():
    assert statuses(RULE.check(lake())) == {NAME: PASSING, "ml-dev-crawler-annotations": PASSING}


def test_pass_a_deny_on_everything_and_non_s3_actions_on_star():
    deny = {"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}
    glue = {"Sid": "Config", "Effect": "Allow", "Action": "glue:GetSecurityConfiguration", "Resource": "*"}
    assert judge(deny, glue) == {NAME: PASSING}


def test_fail_data_actions_on_every_bucket():
    objects = {"Sid": "WriteAnywhere", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::*/*"}
    assert judge(READ_ALL, objects) == {
        NAME: ("fail", f"role {NAME}: statement ReadAll allows s3:GetObject, s3:ListBucket on *; role {NAME}: "
                       "statement WriteAnywhere allows s3:PutObject on arn:aws:s3:::*/*"),
    }


def test_fail_every_s3_action():
    scoped = {"Sid": "Admin", "Effect": "Allow", "Action": ["s3:*", "glue:*"], "Resource": "arn:aws:s3:::ml-dev-raw"}
    everything = {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::ml-dev-raw"}
    assert judge(scoped, everything, not_action) == {
        NAME: ("fail", f"role {NAME}: statement Admin allows s3:*; role {NAME}: statement Everything allows * and "
                       "allows s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket on *; role "
                       f"{NAME}: statement #3 (no Sid) allows every action but iam:*"),
    }


def test_unknown():
    assert judge(policies=(UNKNOWN,)) == {NAME: ("unknown", "a policy of the role cannot be known before deployment")}
    assert judge({**READ_ALL, "Resource": UNKNOWN}) == {
        NAME: ("unknown", "statement ReadAll cannot be known before deployment"),
    }


def test_not_applicable_without_roles():
    assert statuses(RULE.check(lake(roles=()))) == {"lake": ("not_applicable", "the stack declares no IAM role")}
