"""One question: can PRINCIPAL do ACTION on RESOURCE with CONTEXT, and which statement decided?"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..evaluator.evaluate import evaluate
from ..evaluator.request import Decision, Policy, Principal, Request
from ..model import Lake
from .actors import Actor, representative_actors
from .inputs import QuestionError, Resource, check_applies, parse_action, parse_principal, parse_resource, shown
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

__all__ = ["ALIASES", "QuestionError", "ask", "resolve_actor"]  # QuestionError lives in inputs.py


def resolve_actor(model: Lake, principal: str, identity_policies: tuple[Policy, ...]) -> Actor:
    """A representative principal by short name, or any IAM ARN with the given identity policies."""
    region = str(model.region)
    parse_principal(principal, ALIASES)
    if principal in ALIASES:
        actor = next((a for a in representative_actors(model, region) if a.label == ALIASES[principal]), None)
        if actor is None:
            raise QuestionError(f"--principal {principal}: the stack has no {ALIASES[principal]}",
                                "see datalake:administrators and datalake:deployer in Pulumi.<stack>.yaml")
        return replace(actor, identity_policies=actor.identity_policies + identity_policies)
    described = f"{len(identity_policies)} identity policy file(s) given" if identity_policies else "no identity policy"
    return Actor(principal, Principal.iam(principal), identity_policies, described)


def ask(model: Lake, actor: Actor, action: str, resource: str, context: Mapping[str, Any]) -> Decision:
    """The decision, with the lake key's say for object reads and writes on SSE-KMS buckets.

    S3 requests are assumed to use TLS 1.3 unless ``context`` says otherwise. The action must be
    an S3 or KMS action that acts on the kind of resource named (``inputs.py``); it is asked as
    AWS spells it, whatever its case.
    """
    known = parse_action(action)
    target = parse_resource(resource)
    check_applies(known, target)
    action = known.name
    for bucket in model.buckets:
        arn = str(bucket.arn)
        if resource == arn or resource.startswith(f"{arn}/"):
            request = Request(actor.principal, action, resource, {**MODERN_TLS, **context})
            return decide(model, bucket, actor, request, str(model.region))
    for key in model.keys:
        if resource == key.arn:
            return evaluate(Request(actor.principal, action, resource, dict(context)), actor.identity_policies,
                            key_policy(key), str(model.account_id), service="kms")
    raise QuestionError(f"--resource {shown(resource)}: not a bucket, object or key of this stack"
                        f"{_closest_bucket(model, target)}", _stack_resources(model))


def _closest_bucket(model: Lake, target: Resource) -> str:
    """`` (did you mean mlteam-dev-raw?)`` for a misspelt bucket of the stack."""
    names = [str(b.name) for b in model.buckets if isinstance(b.name, str)]
    close = difflib.get_close_matches(target.bucket, names, n=1, cutoff=0.8) if target.bucket else []
    return f" (did you mean {close[0]}?)" if close else ""


def _stack_resources(model: Lake) -> str:
    buckets = ", ".join(str(b.name) for b in model.buckets)
    keys = ", ".join(str(k.arn) for k in model.keys)
    return f"this stack's buckets: {buckets or 'none'}; its key: {keys or 'none'}"
