"""One question: can PRINCIPAL do ACTION on RESOURCE with CONTEXT, and which statement decided?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..evaluator.evaluate import evaluate
from ..evaluator.request import Decision, Policy, Principal, Request
from ..model import Lake
from .actors import Actor, representative_actors
from .matrix import decide, key_policy
from .scenarios import MODERN_TLS

# Short names for the matrix's representative principals.
ALIASES = {
    "administrator": "lake administrator",
    "deployer": "deployer",
    "reader": "data reader",
    "external": "another account",
    "anonymous": "anonymous",
}


class QuestionError(ValueError):
    """The question names a principal, action or resource the lake does not have."""


def resolve_actor(model: Lake, principal: str, identity_policies: tuple[Policy, ...]) -> Actor:
    """A representative principal by short name, or any IAM ARN with the given identity policies."""
    region = str(model.region)
    if principal in ALIASES:
        actor = next((a for a in representative_actors(model, region) if a.label == ALIASES[principal]), None)
        if actor is None:
            raise QuestionError(f"the stack has no {ALIASES[principal]} (see datalake:administrators / deployer)")
        return replace(actor, identity_policies=actor.identity_policies + identity_policies)
    if not principal.startswith("arn:"):
        raise QuestionError(f"principal '{principal}' is neither an ARN nor one of {', '.join(ALIASES)}")
    described = f"{len(identity_policies)} identity policy file(s) given" if identity_policies else "no identity policy"
    return Actor(principal, Principal.iam(principal), identity_policies, described)


def ask(model: Lake, actor: Actor, action: str, resource: str, context: Mapping[str, Any]) -> Decision:
    """The decision, with the lake key's say for object reads and writes on SSE-KMS buckets.

    S3 requests are assumed to use TLS 1.3 unless ``context`` says otherwise.
    """
    for bucket in model.buckets:
        arn = str(bucket.arn)
        if resource == arn or resource.startswith(f"{arn}/"):
            request = Request(actor.principal, action, resource, {**MODERN_TLS, **context})
            return decide(model, bucket, actor, request, str(model.region))
    for key in model.keys:
        if resource == key.arn:
            return evaluate(Request(actor.principal, action, resource, dict(context)), actor.identity_policies,
                            key_policy(key), str(model.account_id), service="kms")
    raise QuestionError(f"resource '{resource}' is not a bucket, object or key of this stack")
