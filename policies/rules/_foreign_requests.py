"""What a principal of another account could do under a policy the lake owns (LAKE.12).

Each owned policy comes with the requests to try: every KMS action on a key and every S3 action
on a bucket or its objects, from the action catalogue (``policies/access/catalogue.json``, AWS's
IAM definition), and SQS's actions below; in the contexts an outsider would choose to get
through: TLS 1.3, SSE headers that satisfy the bucket's upload rules, and for KMS both a direct
call and one through S3 in the lake's region (where the lake key's DenyUseOutsideS3 stays
silent). The outsider's own identity policy allows everything: its account is not ours. Block
Public Access is left out: the rule judges what the policy allows (S3.1 and S3.8 judge the flags).

Queue and endpoint policies are evaluated with the evaluator's S3 rules, which are SQS's too: a
request from another account is allowed when both the caller's identity policy and the resource
policy allow it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..access.actors import EXTERNAL_ACCOUNTS, FULL_ACCESS
from ..access.catalogue import catalogue
from ..access.scenarios import MODERN_TLS, OBJECT_KEY, SSE, SSE_KEY
from ..evaluator.evaluate import evaluate
from ..evaluator.grants import Service
from ..evaluator.request import Policy, Principal, Request
from ..iam import Statement, as_list, covers_action
from ..model import UNKNOWN, Bucket, Key, Lake, Maybe, Queue, VpcEndpoint, contains_unknown, is_unknown

# What a queue policy can grant to another account: SQS ignores cross-account grants of the other
# actions (AddPermission, SetQueueAttributes, DeleteQueue, TagQueue...), per
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-limitations-of-custom-policies.html
SQS_ACTIONS = (
    "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
    "sqs:ListDeadLetterSourceQueues", "sqs:PurgeQueue", "sqs:ReceiveMessage", "sqs:SendMessage",
)
ATTACKER = Policy("identity policy of the outsider (it allows everything: its account is not ours)", FULL_ACCESS)
TLS = {"aws:SecureTransport": "true"}


@dataclass(frozen=True)
class OwnedPolicy:
    """A policy the lake owns, and the requests an outsider would make against it."""

    noun: str  # "key policy", as messages name it
    name: str  # the resource, as findings name it
    ref: str
    policy: Maybe[dict[str, Any]]
    service: Service  # whose grant rules decide: "kms", or "s3" (S3, SQS, endpoints)
    probes: tuple[tuple[str, Maybe[str]], ...]  # (action, resource ARN)
    contexts: tuple[dict[str, Any], ...]

    @property
    def known(self) -> bool:
        """Everything the evaluator would read is known (a preview may not know an ARN yet)."""
        return not contains_unknown((self.policy, self.probes, self.contexts))


@lru_cache(maxsize=None)
def _actions(prefix: str, resource_type: str) -> tuple[str, ...]:
    """The service's actions on a resource type: read once, whatever the number of buckets."""
    return tuple(sorted(a.name for a in catalogue().actions.values()
                        if a.name.startswith(f"{prefix}:") and resource_type in a.resource_types))


def _s3_probes(bucket_arn: Maybe[str]) -> Iterator[tuple[str, Maybe[str]]]:
    yield from ((action, bucket_arn) for action in _actions("s3", "bucket"))
    target = UNKNOWN if is_unknown(bucket_arn) else f"{bucket_arn}/{OBJECT_KEY}"
    yield from ((action, target) for action in _actions("s3", "object"))


def _key_policy(key: Key, region: Maybe[str]) -> OwnedPolicy:
    via_s3 = f"s3.{region}.amazonaws.com" if isinstance(region, str) else UNKNOWN
    return OwnedPolicy("key policy", key.name, key.ref, key.policy, "kms",
                       tuple((action, key.arn) for action in _actions("kms", "key")),
                       (TLS, {**TLS, "kms:ViaService": via_s3}))


def _bucket_policy(bucket: Bucket) -> OwnedPolicy:
    """Uploads try the headers the bucket's default encryption implies, which its rules accept."""
    key = UNKNOWN if is_unknown(bucket.encryption) else getattr(bucket.encryption, "kms_key_id", None)
    headers = {SSE: "aws:kms", SSE_KEY: key} if key is not None else {SSE: "AES256"}
    return OwnedPolicy("bucket policy", bucket.name, bucket.ref, bucket.policy, "s3",
                       tuple(_s3_probes(bucket.arn)), (MODERN_TLS, {**MODERN_TLS, **headers}))


def _queue_policy(queue: Queue) -> OwnedPolicy:
    return OwnedPolicy("queue policy", queue.name, queue.ref, queue.policy, "s3",
                       tuple((action, queue.arn) for action in SQS_ACTIONS), (TLS,))


def _endpoint_policy(endpoint: VpcEndpoint, model: Lake) -> OwnedPolicy:
    """Through the endpoint: to the lake's buckets, and to a bucket outside it (copying data out)."""
    partition = model.partition if isinstance(model.partition, str) else "aws"
    buckets = [b.arn for b in model.buckets] + [f"arn:{partition}:s3:::a-bucket-outside-the-lake"]
    through = {"aws:SourceVpce": endpoint.endpoint_id} if isinstance(endpoint.endpoint_id, str) else {}
    return OwnedPolicy("endpoint policy", endpoint.name, endpoint.ref, endpoint.policy, "s3",
                       tuple(p for arn in buckets for p in _s3_probes(arn)), ({**MODERN_TLS, **through},))


def owned_policies(model: Lake) -> list[OwnedPolicy]:
    """Every key, bucket, queue and endpoint policy of the lake (a resource without one is skipped)."""
    owned = [_key_policy(k, model.region) for k in model.keys] + [_bucket_policy(b) for b in model.buckets]
    owned += [_queue_policy(q) for q in model.queues] + [_endpoint_policy(e, model) for e in model.endpoints]
    return [o for o in owned if o.policy is not None]


def outsider(model: Lake, account: str | None = None) -> Principal:
    """A role of ``account``, by default of an account that is not the lake's."""
    partition = model.partition if isinstance(model.partition, str) else "aws"
    account = account or next(a for a in EXTERNAL_ACCOUNTS if a != model.account_id)
    return Principal.iam(f"arn:{partition}:iam::{account}:role/foreign-principal")


def _unconditioned(policy: dict[str, Any], statement: Statement) -> tuple[int, dict[str, Any]]:
    """The statement's index, and the policy with the statement's conditions dropped.

    Its conditions, none of which pins the callers (else no outsider would be tried), are taken
    as met: the outsider chooses its network, its tags, its organisation, the service it calls
    through. Everything else, Deny statements first, is evaluated as written."""
    listed = as_list(policy.get("Statement"))
    index = next(i for i, s in enumerate(listed) if s is statement)
    bare = {k: v for k, v in statement.items() if k != "Condition"}
    return index, {**policy, "Statement": [bare if i == index else s for i, s in enumerate(listed)]}


def _allows(owned: OwnedPolicy, policy: Policy, index: int, request: Request, model: Lake) -> bool:
    """The policy allows ``request``, and the statement at ``index`` is one of the grants."""
    decision = evaluate(request, (ATTACKER,), policy, str(model.account_id), service=owned.service)
    return decision.allowed and any(ref.index == index for ref in decision.deciding)


def allowed_actions(owned: OwnedPolicy, statement: Statement, principal: Principal, model: Lake) -> list[str]:
    """The actions the policy allows ``principal`` through ``statement`` (sorted), in any context."""
    index, document = _unconditioned(owned.policy, statement)
    policy = Policy(f"{owned.noun} of {owned.name}", document)
    caller = {"kms:CallerAccount": principal.account} if owned.service == "kms" else {}
    allowed: set[str] = set()
    for action, resource in owned.probes:
        if action not in allowed and covers_action(statement, action) and any(
            _allows(owned, policy, index, Request(principal, action, str(resource), {**context, **caller}), model)
            for context in owned.contexts
        ):
            allowed.add(action)
    return sorted(allowed)
