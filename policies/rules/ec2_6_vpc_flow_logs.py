"""EC2.6: the lake's VPC records its traffic in flow logs, delivered to the lake's logs bucket."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import FlowLog, Lake, Vpc, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, passed, per_resource, unknown

RULE_ID = "EC2.6"
# The control's Config rule runs with trafficType REJECT; ALL records rejected traffic too.
RECORDS_REJECTS = ("ALL", "REJECT")


def _bucket_of(destination: str) -> str | None:
    """``arn:aws:s3:::bucket/prefix/`` -> ``bucket``; None for a destination that is not an S3 ARN."""
    if not destination.startswith("arn:") or ":s3:::" not in destination:
        return None
    return destination.split(":s3:::", 1)[1].split("/", 1)[0] or None


def _judge_traffic(flow_log: FlowLog) -> Verdict | None:
    traffic = flow_log.traffic_type
    if is_unknown(traffic):
        return unknown(f"the traffic flow log {flow_log.name} captures cannot be known before deployment")
    if traffic not in RECORDS_REJECTS:
        return failed(f"flow log {flow_log.name} captures {traffic} traffic only; EC2.6 needs rejected traffic "
                      "(ALL or REJECT)")
    return None


def _judge_delivery(flow_log: FlowLog) -> Verdict | None:
    status = flow_log.delivery_status
    if is_unknown(status):
        return unknown(f"whether flow log {flow_log.name} delivers cannot be known")
    if status not in (None, "SUCCESS"):
        return failed(f"flow log {flow_log.name} does not deliver: its delivery status is {status}")
    return None


def _judge_destination(flow_log: FlowLog, logs_buckets: frozenset[str]) -> Verdict:
    kind, destination = flow_log.destination_type, flow_log.destination
    if is_unknown(kind) or is_unknown(destination):
        return unknown(f"the destination of flow log {flow_log.name} cannot be known before deployment")
    bucket = _bucket_of(destination) if kind == "s3" and isinstance(destination, str) else None
    if bucket is None:
        return failed(f"flow log {flow_log.name} delivers to {kind} ({destination}), not to the lake's logs bucket")
    if bucket not in logs_buckets:
        return failed(f"flow log {flow_log.name} delivers to bucket {bucket}, outside the lake: not to the "
                      "lake's logs bucket")
    return passed(f"flow log {flow_log.name} captures {flow_log.traffic_type} traffic into the lake's logs "
                  f"bucket {bucket}")


def _judge_flow_log(flow_log: FlowLog, logs_buckets: frozenset[str] | None) -> Verdict:
    """``logs_buckets`` None: any destination will do (a VPC the lake does not own)."""
    early = _judge_traffic(flow_log) or _judge_delivery(flow_log)
    if early is not None:
        return early
    if logs_buckets is None:
        return passed(f"flow log {flow_log.name} captures {flow_log.traffic_type} traffic")
    return _judge_destination(flow_log, logs_buckets)


def _best(verdicts: Iterable[Verdict]) -> Verdict:
    """One flow log that does the job is enough: the first pass, else unknowns, else every failure."""
    verdicts = list(verdicts)
    for status in (Status.PASS, Status.UNKNOWN):
        found = [message for s, message in verdicts if s is status]
        if found:
            return status, "; ".join(found)
    return failed("; ".join(message for _, message in verdicts))


def judge(vpc: Vpc, logs_buckets: frozenset[str]) -> Verdict:
    if vpc.flow_logs is None:
        return (Status.NOT_APPLICABLE, f"the lake uses the existing VPC {vpc.vpc_id}, which it does not own: "
                "its flow logs are its owner's to declare (the live audit reports them)")
    if is_unknown(vpc.flow_logs):
        return unknown("the VPC's flow logs cannot be known")
    if not vpc.flow_logs:
        return failed("the VPC has no flow log: its traffic is recorded nowhere")
    # The lake's own VPC logs into the lake; a VPC it does not own passes as EC2.6 does, anywhere.
    wanted = logs_buckets if vpc.created_by_lake else None
    return _best(_judge_flow_log(f, wanted) for f in vpc.flow_logs)


def check(model: Lake) -> list[Finding]:
    logs_buckets = frozenset(b.name for b in model.buckets if b.is_logs_bucket)
    return per_resource(RULE_ID, model.vpcs, lambda v: judge(v, logs_buckets),
                        "the stack declares no VPC and its endpoint names none")


RULE = Rule(
    id=RULE_ID,
    title="VPC flow logging is enabled in the lake's VPC, into the lake's logs bucket",
    severity=Severity.MEDIUM,
    rationale="Without flow logs nothing records which addresses reached the lake's network, or were refused: "
    "an investigation (a GuardDuty finding, leaked credentials used from inside the VPC) has no trail, and "
    "AWS does not record flows retroactively. EC2.6 asks for rejected traffic at least; the lake captures "
    "ALL. The VPC the lake creates delivers to the lake's logs bucket, so the records share its retention, "
    "TLS-only policy and Block Public Access; a destination outside the lake fails. That bucket is SSE-S3 "
    "(log delivery cannot write SSE-KMS with the lake key there), which flow logs to S3 support and which "
    "counts as encrypted (S3 encrypts every new object at least with SSE-S3). When the stack names an "
    "existing VPC (`network.vpcId`), the lake does not own it: a plan reports the rule not applicable, and "
    "the live audit still reports whether that VPC has a flow log capturing rejected traffic, anywhere.",
    remediation="Let the lake create its VPC (leave `datalake:network.vpcId` unset): LakeNetwork then declares "
    "an aws.ec2.FlowLog (ALL traffic, 60 s aggregation, Parquet, Hive-compatible hourly partitions) to "
    "`<logs bucket>/vpc-flow-logs/`, and the logs bucket policy lets delivery.logs.amazonaws.com write there "
    "for the lake's account and region only (`components/documents/logs_bucket_policy.py`). For an existing "
    "VPC, ask its owner for a flow log capturing REJECT or ALL traffic.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6",
    check=check,
    scope="the VPC the lake creates, and in a live audit the VPC of its endpoint",
)
