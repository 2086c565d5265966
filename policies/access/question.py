"""One question: can PRINCIPAL do ACTION on RESOURCE with CONTEXT, and which statement decided?"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..evaluator.evaluate import evaluate
from ..evaluator.request import Decision, Policy, Principal, Request
from ..model import Consumer, Lake
from .actors import Actor, consumer_actor, representative_actors
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

# A consumer by name (``datalake:consumers[].name``), or ``consumer:<name>``.
CONSUMER = "consumer:"
CONSUMER_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
CONSUMERS_HINT = "see datalake:consumers in Pulumi.<stack>.yaml"

__all__ = ["ALIASES", "QuestionError", "ask", "check_principal", "resolve_actor"]  # QuestionError: inputs.py


def consumer_name(principal: str) -> str | None:
    """The consumer ``principal`` may name; None for a short name of the matrix or an ARN."""
    if principal in ALIASES or principal.startswith("arn:"):
        return None
    name = principal.removeprefix(CONSUMER)
    return name if CONSUMER_NAME.fullmatch(name) else None


def check_principal(principal: str) -> None:
    """What can be checked before the plan: a short name, a well-formed IAM ARN, or a name that a
    consumer of the stack may have (which only the plan can tell)."""
    if consumer_name(principal) is None:
        parse_principal(principal, ALIASES)


def resolve_actor(model: Lake, principal: str, identity_policies: tuple[Policy, ...]) -> Actor:
    """A representative principal by short name, a consumer by name, or any IAM ARN with the given
    identity policies."""
    region = str(model.region)
    check_principal(principal)
    name = consumer_name(principal)
    if name is not None:
        actor = _consumer_actor(model, principal, name)
        return replace(actor, identity_policies=actor.identity_policies + identity_policies)
    if principal in ALIASES:
        actor = next((a for a in representative_actors(model, region) if a.label == ALIASES[principal]), None)
        if actor is None:
            raise QuestionError(f"--principal {principal}: the stack has no {ALIASES[principal]}",
                                "see datalake:administrators and datalake:deployer in Pulumi.<stack>.yaml")
        return replace(actor, identity_policies=actor.identity_policies + identity_policies)
    described = f"{len(identity_policies)} identity policy file(s) given" if identity_policies else "no identity policy"
    return Actor(principal, Principal.iam(principal), identity_policies, described)


def _consumer_actor(model: Lake, principal: str, name: str) -> Actor:
    """The matrix's row of consumer ``name``; a QuestionError naming the stack's consumers if none."""
    consumer = next((c for c in model.consumers if c.name == name), None)
    if consumer is None:
        raise QuestionError(_no_consumer(model.consumers, principal, name), CONSUMERS_HINT)
    actor = consumer_actor(consumer, model)
    if actor is None:
        raise QuestionError(f"--principal {shown(principal)}: the principal, policies or grants of consumer {name} "
                            "cannot be known before deployment", CONSUMERS_HINT)
    return actor


def _no_consumer(consumers: tuple[Consumer, ...], principal: str, name: str) -> str:
    names = [c.name for c in consumers]
    declared = f"its consumers: {', '.join(names)}" if names else "it declares none"
    option = f"--principal {shown(principal)}"
    if principal.startswith(CONSUMER):
        return f"{option}: the stack declares no consumer {name} ({declared})"
    close = difflib.get_close_matches(name, [*ALIASES, *names], n=1, cutoff=0.6)
    suggestion = f" (did you mean {close[0]}?)" if close else ""
    return (f"{option}: neither an IAM ARN nor one of {', '.join(ALIASES)}, nor a consumer of this stack "
            f"({declared}){suggestion}")


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
