"""Live discovery does not depend on tags alone: on the dev lake applied to moto, a lake resource
that lost its tag (a console edit) is still found by what ties it to the lake, judged, and
reported untagged (LAKE.11); against a plan, every resource the plan declares and the account
lacks is a LAKE.11 finding, whatever the selection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lake.audit import run_audit
from lake.sandbox.server import client
from policies.adapters.live import Selection, Target
from policies.rule import Status
from tests.live.support import ACCOUNT, GRANTS_UNKNOWN, REGION, audit, deploy, session

RAW, RESULTS = "mlteam-dev-raw", "mlteam-dev-query-results"
BUCKETS = ("mlteam-dev-curated", "mlteam-dev-logs", "mlteam-dev-processed", RESULTS, RAW)
CRAWLER, WORKGROUP = "mlteam-dev-images", "mlteam-dev"
WORKGROUP_ARN = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{WORKGROUP}"
MISSED = "but it lacks the tag lake=mlteam: tag-based tools (cost allocation, ABAC, tag-scoped audits) miss it"


@pytest.fixture
def deployed(document, url):
    return deploy(document, url)


def _endpoint_id(url: str) -> str:
    (endpoint,) = client("ec2", url).describe_vpc_endpoints()["VpcEndpoints"]
    return endpoint["VpcEndpointId"]


def _untag_bucket(url: str, name: str) -> None:
    s3 = client("s3", url)
    tags = [t for t in s3.get_bucket_tagging(Bucket=name)["TagSet"] if t["Key"] != "lake"]
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})


def _open(findings: list[Any]) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.resource): f.message for f in findings if f.status in (Status.FAIL, Status.UNKNOWN)}


def _lake_11(findings: list[Any]) -> dict[str, str]:
    """Every open LAKE.11 finding, by resource. The other rules' findings an edit opens by design are
    asserted one by one: the rule set grows, and this file proves discovery, not those rules."""
    return {resource: message for (rule, resource), message in _open(findings).items() if rule == "LAKE.11"}


def test_an_endpoint_that_lost_its_tag_is_found_by_its_policy_judged_and_reported(url, deployed):
    ec2, endpoint = client("ec2", url), _endpoint_id(url)
    ec2.delete_tags(Resources=[endpoint], Tags=[{"Key": "lake"}])
    policy = json.loads(ec2.describe_vpc_endpoints()["VpcEndpoints"][0]["PolicyDocument"])
    del policy["Statement"][0]["Condition"]  # anyone's credentials reach the lake through it: LAKE.5
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=json.dumps(policy))
    audited = audit(url)
    assert [e.endpoint_id for e in audited.read.lake.endpoints] == [endpoint]
    assert _lake_11(audited.findings) == {
        endpoint: f"endpoint found through its policy naming the lake's buckets, {MISSED}"}
    assert _open(audited.findings)[("LAKE.5", endpoint)] == (
        "statement AllowLakeAccountToListedBuckets allows any principal without a StringEquals "
        f"aws:PrincipalAccount condition equal to the lake's account {ACCOUNT}")


def test_a_bucket_that_lost_its_tag_is_found_by_its_name_judged_and_reported(url, deployed):
    _untag_bucket(url, RAW)
    client("s3", url).put_bucket_versioning(Bucket=RAW, VersioningConfiguration={"Status": "Suspended"})
    audited = audit(url)
    assert sorted(b.name for b in audited.read.lake.buckets) == list(BUCKETS)
    assert _open(audited.findings) == {
        **GRANTS_UNKNOWN,
        ("LAKE.11", RAW): f"bucket found through its name, in the lake's namespace mlteam-dev-, {MISSED}",
        ("S3.14", RAW): "versioning is Suspended; it must be Enabled",
    }


def test_a_bucket_chosen_by_the_stack_outputs_without_the_tag_is_reported(document, url, deployed):
    _untag_bucket(url, RAW)
    audited = audit(url, Selection(outputs=document["outputs"]))
    # The outputs export the consumers' grants: none of them is unknown (tests/live/test_outputs_consumers.py).
    assert _open(audited.findings) == {("LAKE.11", RAW): f"bucket found through the stack outputs, {MISSED}"}


def test_a_workgroup_that_lost_its_tag_is_reported(url, deployed):
    client("athena", url).untag_resource(ResourceARN=WORKGROUP_ARN, TagKeys=["lake"])
    audited = audit(url)
    assert _open(audited.findings) == {
        **GRANTS_UNKNOWN,
        ("LAKE.11", WORKGROUP): f"workgroup found through its results in a lake bucket, {MISSED}",
    }


def test_a_crawler_that_lost_its_tag_is_reported(url, deployed):
    crawler_arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:crawler/{CRAWLER}"
    client("glue", url).untag_resource(ResourceArn=crawler_arn, TagsToRemove=["lake"])
    audited = audit(url)
    assert _open(audited.findings) == {
        **GRANTS_UNKNOWN,
        ("LAKE.11", CRAWLER): f"crawler found through its targets in a lake bucket, {MISSED}",
    }


def test_a_workgroup_writing_elsewhere_is_still_judged_by_its_name(url, deployed):
    """moto 5.2.5 does not implement UpdateWorkGroup: the workgroup is recreated, results elsewhere."""
    athena = client("athena", url)
    workgroup = athena.get_work_group(WorkGroup=WORKGROUP)["WorkGroup"]
    configuration = workgroup["Configuration"]
    configuration["ResultConfiguration"]["OutputLocation"] = "s3://somewhere-else/results/"
    athena.delete_work_group(WorkGroup=WORKGROUP)
    athena.create_work_group(Name=WORKGROUP, Configuration=configuration,
                             Tags=[{"Key": "lake", "Value": "mlteam"}])
    audited = audit(url)
    assert [w.name for w in audited.read.lake.workgroups] == [WORKGROUP]
    assert _open(audited.findings) == {**GRANTS_UNKNOWN, ("LAKE.8", WORKGROUP): (
        f"query results go to s3://somewhere-else/results/, outside the lake's query-results bucket {RESULTS}")}


def test_a_crawler_retargeted_elsewhere_is_still_judged_by_its_name(url, deployed):
    """moto 5.2.5 does not implement UpdateCrawler: the crawler is recreated, targeting another bucket."""
    glue = client("glue", url)
    crawler = glue.get_crawler(Name=CRAWLER)["Crawler"]
    glue.delete_crawler(Name=CRAWLER)
    glue.create_crawler(
        Name=CRAWLER, Role=crawler["Role"], DatabaseName=crawler["DatabaseName"],
        Targets={"S3Targets": [{"Path": "s3://somewhere-else/images/"}]},
        CrawlerSecurityConfiguration=crawler["CrawlerSecurityConfiguration"])
    audited = audit(url)
    assert CRAWLER in [c.name for c in audited.read.lake.crawlers]
    # Judged: its role is now weighed against the crawler's new target.
    assert _open(audited.findings) == {**GRANTS_UNKNOWN, ("LAKE.10", "mlteam-dev-crawler-images"): (
        "role mlteam-dev-crawler-images reaches beyond its purpose (crawler of s3://somewhere-else/images/): "
        f"s3:GetBucketLocation on {RAW}")}


def _against_plan(url: str, document: dict[str, Any], selection: Selection) -> list[Any]:
    target = Target(region=REGION, endpoint_url=url, session=session())
    return run_audit(target, selection, document).findings


@pytest.mark.parametrize("selection", [Selection(tag=("lake", "mlteam")), Selection(prefix="mlteam-dev-")],
                         ids=["tag", "prefix"])
def test_against_plan_the_unmutated_lake_has_no_finding(document, url, deployed, selection):
    assert _open(_against_plan(url, document, selection)) == {}


@pytest.mark.parametrize("selection", [Selection(tag=("lake", "mlteam")), Selection(prefix="mlteam-dev-")],
                         ids=["tag", "prefix"])
def test_against_plan_a_deleted_crawler_is_a_finding(document, url, deployed, selection):
    client("glue", url).delete_crawler(Name=CRAWLER)
    assert _lake_11(_against_plan(url, document, selection)) == {
        CRAWLER: f"declared in the plan but not found in the account: crawler {CRAWLER}"}


@pytest.mark.parametrize("selection", [Selection(tag=("lake", "mlteam")), Selection(prefix="mlteam-dev-")],
                         ids=["tag", "prefix"])
def test_against_plan_a_deleted_bucket_is_a_finding(document, url, deployed, selection):
    s3 = client("s3", url)
    s3.delete_bucket_policy(Bucket=RESULTS)
    s3.delete_bucket(Bucket=RESULTS)
    assert _lake_11(_against_plan(url, document, selection)) == {
        RESULTS: f"declared in the plan but not found in the account: bucket {RESULTS}"}
