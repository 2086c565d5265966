from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.lake_5_endpoint_policy import RULE
from tests.policies.builders import ACCOUNT, LOGS, OTHER_ACCOUNT, RAW, arn, endpoint, lake, statuses

NAME = "network-s3-endpoint"
PASSING = "every Allow is limited to the lake account's principals and to the lake's buckets and the allowlist"
LAKE_RESOURCES = [arn(RAW), f"{arn(RAW)}/*", arn(LOGS), f"{arn(LOGS)}/*"]
PINNED = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
ALLOW = {"Sid": "Lake", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": LAKE_RESOURCES,
         "Condition": PINNED}
REGISTRY = "shared-model-registry"
ORGANIZATION = "o-a1b2c3d4e5"
ANYONE = ("allows any principal without a StringEquals aws:PrincipalAccount condition equal to the lake's account "
          f"{ACCOUNT}")


def judge(*statements, **changes):
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    return statuses(RULE.check(lake(endpoints=(endpoint(policy=policy),), **changes)))


def test_pass_the_lake_endpoint_policy():
    assert statuses(RULE.check(lake())) == {NAME: ("pass", PASSING)}


def test_pass_narrower_resources_allowlisted_buckets_lake_arns_organization_and_denies():
    narrower = {**ALLOW, "Sid": "Prefix", "Resource": f"{arn(RAW)}/images/*"}
    listed = {**ALLOW, "Sid": "Registry", "Resource": [arn(REGISTRY), f"{arn(REGISTRY)}/*"]}
    admin = {**ALLOW, "Sid": "Admin", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin"}}
    del admin["Condition"]
    organization = {**ALLOW, "Sid": "Org", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION}}}
    role = {**ALLOW, "Sid": "Role",
            "Condition": {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin"}}}
    deny = {"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    assert judge(ALLOW, narrower, listed, admin, organization, role, deny, allowed_buckets=(REGISTRY,),
                 organization_id=ORGANIZATION) == {NAME: ("pass", PASSING)}


def test_fail_no_policy():
    assert statuses(RULE.check(lake(endpoints=(endpoint(policy=None),)))) == {
        NAME: ("fail", "no endpoint policy declared: the default policy allows anyone every action on every bucket"),
    }


def test_fail_every_bucket_whatever_the_principal_condition():
    everything = {**ALLOW, "Sid": "Everything", "Resource": "*"}
    s3_star = {**ALLOW, "Sid": "AnyBucket", "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]}
    not_resource = {**ALLOW, "Sid": "AllBut", "NotResource": "arn:aws:s3:::x/*"}
    del not_resource["Resource"]
    assert judge(everything, s3_star, not_resource) == {
        NAME: ("fail", "statement Everything allows every bucket (*); statement AnyBucket allows every bucket "
                       "(arn:aws:s3:::*, arn:aws:s3:::*/*); statement AllBut allows every resource but "
                       "arn:aws:s3:::x/* (NotResource)"),
    }


def test_fail_principals_not_limited_to_the_lake_account():
    no_condition = {**ALLOW, "Sid": "NoCondition"}
    del no_condition["Condition"]
    if_exists = {**ALLOW, "Sid": "IfExists", "Condition": {"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}}}
    wildcard = {**ALLOW, "Sid": "Wildcard", "Condition": {"StringLike": {"aws:PrincipalAccount": "*"}}}
    two_accounts = {**ALLOW, "Sid": "TwoAccounts",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, OTHER_ACCOUNT]}}}
    organization = {**ALLOW, "Sid": "Org", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION}}}
    assert judge(no_condition, if_exists, wildcard, two_accounts, organization) == {
        NAME: ("fail", "; ".join(f"statement {sid} {ANYONE}"
                                 for sid in ("NoCondition", "IfExists", "Wildcard", "TwoAccounts", "Org"))),
    }
    other_org = {**ALLOW, "Sid": "OtherOrg", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}}
    assert judge(other_org, organization_id=ORGANIZATION) == {
        NAME: ("fail", f"statement OtherOrg {ANYONE} or aws:PrincipalOrgID equal to {ORGANIZATION}"),
    }


def test_fail_named_principals_outside_the_account_and_not_principal():
    partner = {"Sid": "Partner", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn(RAW)}/*",
               "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{OTHER_ACCOUNT}:root"],
                             "Service": "glue.amazonaws.com"}}
    not_principal = {"Sid": "AllBut", "Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": "s3:GetObject", "Resource": f"{arn(RAW)}/*"}
    assert judge(partner, not_principal) == {
        NAME: ("fail", f"statement Partner allows principals outside the lake's account: arn:aws:iam::{OTHER_ACCOUNT}"
                       ":root, glue.amazonaws.com; statement AllBut allows every principal but its NotPrincipal "
                       f"without a StringEquals aws:PrincipalAccount condition equal to the lake's account {ACCOUNT}"),
    }


def test_fail_buckets_outside_the_lake_and_the_allowlist_and_both_problems_at_once():
    outside = {**ALLOW, "Sid": "Outside", "Resource": [
        *LAKE_RESOURCES, arn("exfiltration"), f"{arn('exfiltration')}/*", "arn:aws:s3:::ml-dev-*",
        f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap"]}
    both = {**ALLOW, "Sid": "Both", "Resource": "*"}
    del both["Condition"]
    assert judge(outside, both, allowed_buckets=(REGISTRY,)) == {
        NAME: ("fail", "statement Outside allows resources outside the lake and its allowlist: exfiltration, "
                       f"arn:aws:s3:::ml-dev-*, arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap; "
                       f"statement Both {ANYONE} and allows every bucket (*)"),
    }


def test_unknown_allowlist_names_the_buckets_outside_the_lake():
    listed = {**ALLOW, "Sid": "Registry", "Resource": [arn(REGISTRY), f"{arn(REGISTRY)}/*"]}
    assert judge(ALLOW, listed, allowed_buckets=UNKNOWN) == {
        NAME: ("unknown", f"statement Registry allows buckets outside the lake: {REGISTRY}; whether the network "
                          "allowlist names them cannot be known without the stack's configuration"),
    }
    # Only the lake's buckets: the allowlist does not matter.
    assert judge(ALLOW, allowed_buckets=UNKNOWN) == {NAME: ("pass", PASSING)}
    # An allowlist holds bucket names: an access point fails whatever it holds.
    access_point = {**ALLOW, "Sid": "AccessPoint", "Resource": f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap"}
    assert judge(listed, access_point, allowed_buckets=UNKNOWN) == {
        NAME: ("fail", "statement AccessPoint allows resources outside the lake and its allowlist: "
                       f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap"),
    }


def test_unknown_policy_resource_condition_bucket_arns_and_account():
    assert statuses(RULE.check(lake(endpoints=(endpoint(policy=UNKNOWN),)))) == {
        NAME: ("unknown", "the endpoint policy cannot be known before deployment"),
    }
    assert judge({**ALLOW, "Resource": [UNKNOWN]}) == {
        NAME: ("unknown", "statement Lake cannot be known before deployment"),
    }
    assert judge({**ALLOW, "Condition": {"StringEquals": {"aws:PrincipalAccount": UNKNOWN}}}) == {
        NAME: ("unknown", "statement Lake cannot be known before deployment"),
    }
    model = lake()
    preview = replace(model, buckets=(replace(model.buckets[0], arn=UNKNOWN), model.buckets[1]))
    assert statuses(RULE.check(preview)) == {NAME: ("unknown", "statement AllowLakeAccountToListedBuckets cannot "
                                                               "be known before deployment")}
    assert statuses(RULE.check(replace(model, account_id=UNKNOWN))) == {
        NAME: ("unknown", "the lake's account cannot be known before deployment"),
    }


def test_not_applicable_without_endpoints():
    assert statuses(RULE.check(replace(lake(), endpoints=()))) == {
        "lake": ("not_applicable", "the stack declares no VPC endpoint"),
    }
