"""The live audit on moto: the dev lake applied from its plan reads back as planned, every setting
costs one call, and denied or throttled reads become findings, never passes or crashes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries.adaptive import ClientRateLimiter
from botocore.retries.standard import ExponentialBackoff

from lake.audit import run_audit
from lake.sandbox.server import client
from policies.adapters.live import Selection, Target
from policies.adapters.plan import lake_from_plan
from policies.drift import Difference, drift
from policies.rule import Status
from tests.live.support import LAKE_TAG, REGION, UNKNOWN_WITHOUT_PLAN, audit, deploy, session

RAW = "mlteam-dev-raw"
BUCKETS = ("mlteam-dev-curated", "mlteam-dev-logs", "mlteam-dev-processed", "mlteam-dev-query-results", RAW)
# moto 5.2.5 stores no BlockedEncryptionTypes (PutBucketEncryption drops it; no field in moto/s3):
# the only setting that cannot round-trip through the sandbox.
MOTO_DROPS_BLOCKED_TYPES = [
    Difference("bucket", name, "encryption.blocked_encryption_types", ["SSE-C"], []) for name in BUCKETS
]
# moto 5.2.5 refuses a flow log destination with a prefix (the sandbox sends the bucket's ARN alone)
# and drops DestinationOptions (lake/sandbox/apply.py, create_flow_log).
MOTO_FLOW_LOG_GAPS = [
    Difference("flow log", "network-flow-log", setting, planned, live) for setting, planned, live in (
        ("destination", "arn:aws:s3:::mlteam-dev-logs/vpc-flow-logs/", "arn:aws:s3:::mlteam-dev-logs"),
        ("file_format", "parquet", None), ("hive_compatible_partitions", True, None),
        ("per_hour_partition", True, None))
]
# Per bucket, one call per setting: tags come with the tagging API's answer, the policy status is
# asked only of a bucket that has a policy (all five have one), and the ACL only of a bucket whose
# ACLs are enabled (none: all are BucketOwnerEnforced).
BUCKET_CALLS = ("GetBucketVersioning", "GetBucketEncryption", "GetBucketOwnershipControls",
                "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketLifecycleConfiguration", "GetBucketLogging",
                "GetBucketNotificationConfiguration")
ONCE = ("GetCallerIdentity", "GetResources", "GetDataCatalogEncryptionSettings", "GetCrawlers", "ListWorkGroups", "DescribeVpcEndpoints",
        "DescribeVpcs", "DescribeFlowLogs",
        "DescribeKey", "ListResourceTags", "GetKeyRotationStatus", "GetKeyPolicy", "GetSecurityConfiguration",
        # The buckets named in the lake's namespace (a bucket that lost its tag), the lake workgroup's tags.
        "ListBuckets", "ListTagsForResource",
        # The customer managed policies, for the consumers' (CONSUMER_CALLS: what each costs).
        "ListPolicies")
# Two of each: workgroups (primary and the lake's), queues (events and its DLQ), crawler roles.
TWICE = ("GetWorkGroup", "GetQueueUrl", "GetQueueAttributes", "GetRole", "ListRolePolicies", "GetRolePolicy",
         "ListAttachedRolePolicies", "GetTags")
# On top, the dev lake's two consumers (training, analysts): per consumer its policy, version and
# attachments, and the role of its name (analysts has none: NoSuchEntity); the training role's own
# reads (its attached policy is the consumer's, read already); the analysts' principal, which
# ListEntitiesForPolicy names without its path (GetRole gives its ARN).
CONSUMER_CALLS = Counter({"GetPolicy": 2, "GetPolicyVersion": 2, "ListEntitiesForPolicy": 2, "GetRole": 2 + 1,
                          "ListRolePolicies": 1, "ListAttachedRolePolicies": 1})




@pytest.fixture
def deployed(document, url):
    return deploy(document, url)


def test_round_trip_zero_findings_and_the_live_model_equals_the_plan(document, url, deployed):
    audited = audit(url)
    assert audited.open() == UNKNOWN_WITHOUT_PLAN
    assert {f.rule_id for f in audited.findings if f.status is Status.PASS} >= {"S3.5", "S3.17", "KMS.4", "LAKE.11"}
    against = run_audit(Target(region=REGION, endpoint_url=url, session=session()), LAKE_TAG, document)
    assert [(f.rule_id, f.resource) for f in against.findings if f.status in (Status.FAIL, Status.UNKNOWN)] == []
    assert sorted(b.name for b in audited.read.lake.buckets) == list(BUCKETS)
    assert drift(lake_from_plan(document), audited.read.lake) == MOTO_DROPS_BLOCKED_TYPES + MOTO_FLOW_LOG_GAPS


def test_every_setting_costs_exactly_one_call(url, deployed):
    calls = audit(url).read.calls
    expected = Counter({**dict.fromkeys(BUCKET_CALLS, 5), **dict.fromkeys(ONCE, 1), **dict.fromkeys(TWICE, 2)})
    expected["GetPublicAccessBlock"] = 5 + 1  # each bucket's, and the account's (S3 Control)
    expected.update(CONSUMER_CALLS)
    assert calls == expected


def test_the_acl_is_read_once_acls_are_enabled(url, deployed):
    client("s3", url).put_bucket_ownership_controls(
        Bucket=RAW, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    client("s3", url).put_bucket_acl(Bucket=RAW, ACL="public-read")
    audited = audit(url)
    assert audited.read.calls["GetBucketAcl"] == 1
    assert audited.read.lake.bucket_named(RAW).acl == "public-read"
    assert audited.open() == {("S3.2", RAW, "fail"), ("S3.12", RAW, "fail"), *UNKNOWN_WITHOUT_PLAN}


def test_stack_outputs_read_each_buckets_tags_instead_of_the_tagging_api(document, url, deployed):
    outputs = {k: v for k, v in document["outputs"].items() if k != "keyArn"}
    read = audit(url, Selection(outputs=outputs)).read
    assert sorted(b.name for b in read.lake.buckets) == list(BUCKETS)
    assert read.calls["GetBucketTagging"] == 5 and "GetResources" not in read.calls
    assert {b.name: b.zone for b in read.lake.buckets}[RAW] == "raw"


def test_prefix_and_names_choose_the_same_lake(url, deployed):
    by_prefix = audit(url, Selection(prefix="mlteam-dev-"))
    by_names = audit(url, Selection(names=BUCKETS))
    assert sorted(b.name for b in by_prefix.read.lake.buckets) == list(BUCKETS)
    assert by_prefix.open() == by_names.open() == UNKNOWN_WITHOUT_PLAN


def _denied(bucket: str):
    def handler(params: dict[str, Any], **_: Any):
        if f"/{bucket}" in params.get("url", ""):
            return AWSResponse(params["url"], 403, {}, None), {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
        return None
    return handler


def test_access_denied_on_one_setting_is_a_finding_and_unknown_for_its_rules_never_a_pass(url, deployed):
    boto = session()
    boto.events.register("before-call.s3.GetBucketPolicy", _denied(RAW))
    result = run_audit(Target(region=REGION, endpoint_url=url, session=boto), Selection(tag=("lake", "mlteam")))
    on_raw = {f.rule_id: (f.status.value, f.message) for f in result.findings if f.resource == RAW
              and f.rule_id in ("S3.5", "LAKE.1", "LAKE.2", "LAKE.11")}
    could_not = "could not verify policy (GetBucketPolicy: AccessDenied: Access Denied)"
    assert on_raw == {
        "S3.5": ("unknown", could_not), "LAKE.1": ("unknown", could_not), "LAKE.2": ("unknown", could_not),
        "LAKE.11": ("fail", "could not verify policy: GetBucketPolicy failed with AccessDenied: Access Denied"),
    }
    assert result.read.calls["GetBucketPolicyStatus"] == 4  # not asked of the bucket whose policy is unknown


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any):
        yield self._content


SLOW_DOWN = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"


def _throttle(bucket: str, times: int):
    """Answer SlowDown (S3's throttling) to the first ``times`` versioning requests for ``bucket``."""
    seen = Counter()

    def handler(request: Any, **_: Any):
        if f"/{bucket}?versioning" in request.url and seen["n"] < times:
            seen["n"] += 1
            return AWSResponse(request.url, 503, {}, _Body(SLOW_DOWN))
        return None
    return handler, seen


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore's own waiting (jittered backoff, then the adaptive rate limiter slowing every later
    request of the client) takes seconds and is not what these tests check: our handling is."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(ClientRateLimiter, "on_sending_request", lambda self, request, **kwargs: None)


def test_throttling_is_retried_and_the_setting_read(url, deployed, no_backoff):
    boto = session()
    handler, seen = _throttle(RAW, 2)
    boto.events.register("before-send.s3.GetBucketVersioning", handler)
    audited = audit(url, boto_session=boto)
    assert seen["n"] == 2 and audited.open() == UNKNOWN_WITHOUT_PLAN
    assert audited.read.requests == sum(audited.read.calls.values()) + 2  # the two retries were sent


def test_persistent_throttling_is_a_could_not_verify_finding(url, deployed, no_backoff):
    boto = session()
    handler, seen = _throttle(RAW, 100)
    boto.events.register("before-send.s3.GetBucketVersioning", handler)
    audited = audit(url, boto_session=boto, max_attempts=3)
    assert seen["n"] == 3
    assert audited.open() == {("S3.14", RAW, "unknown"), ("LAKE.11", RAW, "fail"), *UNKNOWN_WITHOUT_PLAN}
    assert [(u.resource, u.setting, u.operation) for u in audited.read.lake.unverified] == [
        (RAW, "versioning", "GetBucketVersioning")]
    assert audited.read.lake.unverified[0].error.startswith("SlowDown: Please reduce your request rate")


def test_a_missing_bucket_chosen_by_name_is_a_finding_not_a_crash(url, deployed):
    audited = audit(url, Selection(names=(*BUCKETS, "mlteam-dev-gone")))
    assert audited.open() == {("LAKE.11", "mlteam-dev-gone", "fail"), *UNKNOWN_WITHOUT_PLAN}
    assert sorted(b.name for b in audited.read.lake.buckets) == list(BUCKETS)


def test_a_suspended_versioning_shows_as_a_finding_and_as_drift(document, url, deployed):
    client("s3", url).put_bucket_versioning(Bucket=RAW, VersioningConfiguration={"Status": "Suspended"})
    audited = audit(url)
    assert audited.open() == {("S3.14", RAW, "fail"), *UNKNOWN_WITHOUT_PLAN}
    assert [d for d in drift(lake_from_plan(document), audited.read.lake) if d.resource == RAW] == [
        Difference("bucket", RAW, "versioning", "Enabled", "Suspended"),
        Difference("bucket", RAW, "encryption.blocked_encryption_types", ["SSE-C"], []),
    ]


class _Bar:
    """What the audit needs of a progress bar (tqdm's ``total`` and ``update``)."""

    def __init__(self) -> None:
        self.total, self.done = 0, 0

    def update(self, n: int) -> None:
        self.done += n


def test_progress_counts_every_read_and_the_bar_only_draws_on_a_terminal(url, deployed, capsys):
    from lake.audit_command import _progress

    bar = _Bar()
    read = run_audit(Target(region=REGION, endpoint_url=url, session=session()), Selection(tag=("lake", "mlteam")),
                     progress=bar).read
    # Tasks by wave: 5 buckets and 5 account-wide reads (one lists the consumers' policies); 11 follow-ups
    # (endpoints, the events queue, 2 roles, 1 security configuration, 2 workgroups, the 2 crawlers' tags,
    # the 2 consumers); the key reference and the dead-letter queue; the key itself.
    assert bar.total == bar.done == (5 + 5) + 11 + 2 + 1
    assert sum(read.calls.values()) > bar.total  # a task is one resource's reads, not one call
    with _progress() as drawn:  # pytest captures stderr: not a terminal
        assert drawn.disable is True
