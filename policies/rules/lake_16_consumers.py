"""LAKE.16: each consumer gets exactly its declared access, proven both ways with the evaluator."""

from __future__ import annotations

from ..access.consumers import ATHENA_SUFFIX, OUTSIDE_SUFFIX, Probe, Proof, prove, undecidable
from ..access.reach import Reach, describe
from components.settings import CONSUMER_SERVICES

from ..model import Consumer, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, passed, per_resource, unknown

RULE_ID = "LAKE.16"
EC2_SERVICE = CONSUMER_SERVICES["ec2"]


def _described(probes: list[Probe]) -> str:
    """Grouped by place (``reach.describe``). A request made through Athena that goes the same way as
    the same request made directly, or from outside the endpoint, at the same place is left out: it
    adds nothing to fix."""
    found = [(p.action, p.where) for p in probes]
    return describe([Reach(action, where) for action, where in found if not _echo(action, where, found)])


def _echo(action: str, where: str, found: list[tuple[str, str]]) -> bool:
    direct = action.removesuffix(ATHENA_SUFFIX)
    return action != direct and ((direct, where) in found or (direct + OUTSIDE_SUFFIX, where) in found)


def _verdict(consumer: Consumer, proof: Proof) -> Verdict:
    problems = []
    if proof.missing:
        problems.append(f"is denied declared access ({_described(proof.missing)})")
    if proof.excess:
        problems.append(f"gets access it does not declare ({_described(proof.excess)})")
    if problems:
        return failed(f"consumer {consumer.name} {' and '.join(problems)}")
    return passed(f"consumer {consumer.name} gets exactly its declared access ({proof.probes} requests proven)")


def _detached(consumer: Consumer) -> Verdict | None:
    """A principal of the lake's account whose config attaches the policy (``attach: true``) gets
    nothing from it once detached. (A service consumer is judged by what its role holds.)"""
    if consumer.kind != "principal" or consumer.attach is not True or consumer.attached is True:
        return None
    if consumer.attached is False:
        return failed(f"consumer {consumer.name} is denied all its declared access: its policy "
                      f"{consumer.policy_name} is not attached to {consumer.principal_arn}, which its config "
                      "asks for (attach: true)")
    return unknown(f"whether consumer {consumer.name}'s policy is attached to {consumer.principal_arn} cannot be known")


def _instance_profile(consumer: Consumer) -> Verdict | None:
    """An ec2 consumer's instances take its role through the instance profile named as the role, which
    must hold that role and no other (another role would be what instances launched with it act as)."""
    if consumer.service != EC2_SERVICE:
        return None
    role = str(consumer.principal_arn).rsplit("/", 1)[-1]
    held = consumer.instance_profile
    if is_unknown(held) or (isinstance(held, tuple) and any(is_unknown(r) for r in held)):
        return unknown(f"the roles of consumer {consumer.name}'s instance profile cannot be known")
    if held is None:
        return failed(f"consumer {consumer.name} is denied all its declared access: no instance profile {role} lets "
                      "EC2 instances take its role")
    if tuple(held) != (role,):
        found = ", ".join(held) or "no role"
        return failed(f"consumer {consumer.name}'s instance profile {role} holds {found} instead of its role {role}")
    return None


def judge(consumer: Consumer, model: Lake) -> Verdict:
    reason = undecidable(model, consumer)
    if reason:
        return unknown(reason)
    return _detached(consumer) or _instance_profile(consumer) or _verdict(consumer, prove(model, consumer))


def _undeclared(model: Lake) -> list[Finding]:
    """Consumer resources (tagged ``consumer``) of a source that carries no stack config (a preview's
    policy pack): their declared grants cannot be known there, so each is unknown, never not applicable."""
    tagged = [(r.name, r.ref, r.tags["consumer"]) for r in (*model.roles, *model.iam_policies) if "consumer" in r.tags]
    why = "the grants it declares are in the stack config, which this source does not carry (`lake plan` and " \
          "`lake audit --against-plan` or `--stack-outputs` prove them)"
    first = {consumer: (name, ref) for name, ref, consumer in reversed(tagged)}  # one finding per consumer
    return [Finding(RULE_ID, Status.UNKNOWN, name, f"consumer {consumer}: {why}", ref)
            for consumer, (name, ref) in sorted(first.items())]


def check(model: Lake) -> list[Finding]:
    if not model.consumers and _undeclared(model):
        return _undeclared(model)
    return per_resource(RULE_ID, model.consumers, lambda c: judge(c, model), "the stack declares no consumer")


RULE = Rule(
    id=RULE_ID,
    title="Consumers get exactly their declared access",
    severity=Severity.HIGH,
    rationale="A consumer (datalake:consumers: a training job, a notebook, an analyst, a partner account) is "
    "given policies the lake writes from its declared grants. The rule proves them both ways with the policy "
    "evaluator, joining the consumer's identity policies with the bucket policies and the key policy: every "
    "declared request (each zone, prefix and operation, S3 and the lake key together, through Athena for "
    "queries, through the endpoint when the consumer must use it) is allowed, and everything else over the "
    "lake's buckets, prefixes, key, workgroups and databases is denied: other prefixes and buckets, "
    "s3:DeleteObjectVersion, bucket administration, direct use of the key, the same requests from outside "
    "the endpoint. A service consumer is judged by everything its role holds; a policy the config attaches "
    "(attach: true) that is not attached, or an ec2 consumer's instance profile that does not hold exactly its "
    "role, fails too. A grant that lost its KMS statement fails at the first read; one that reaches the whole "
    "bucket exposes the rest of the zone. High, as LAKE.10: the excess stays with principals the stack "
    "names (S3.6 and LAKE.12 judge what other accounts reach).",
    remediation="Declare each consumer's grants in `datalake:consumers` and let the lake build their "
    "documents (`components/documents/consumer_access.py`); do not edit the consumer policies, bucket "
    "policies or key policy by hand. An external consumer must attach the identity policy the stack exports.",
    reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    check=check,
    scope="every consumer the stack config declares, through its identity policies, the bucket policies and "
    "the key policy",
)
