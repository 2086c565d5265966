"""The request context the conditions read: the caller's keys plus the principal keys AWS adds.

AWS sets ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalIsAWSService`` and
``aws:PrincipalServiceName`` itself, so policies (the lake key's denies among them) rely on
them; a caller should not have to repeat what the principal already says. ``aws:ViaAWSService``
is in every request too: "false" unless a service makes the call for the principal (the
caller then says "true"), so a perimeter keyed on it is not skipped by omission. Keys are lowercased
because condition keys are case-insensitive.
"""

from __future__ import annotations

from typing import Any

from .request import Principal, Request


def principal_keys(principal: Principal) -> dict[str, Any]:
    """The keys AWS derives from the principal; an anonymous request has none of them."""
    if principal.is_anonymous:
        return {}
    if principal.service is not None:
        return {"aws:principalisawsservice": "true", "aws:principalservicename": principal.service}
    keys = {"aws:principalarn": principal.arn, "aws:principalisawsservice": "false", "aws:viaawsservice": "false"}
    if principal.account is not None:
        keys["aws:principalaccount"] = principal.account
    return keys


def request_context(request: Request) -> dict[str, Any]:
    """Lowercased keys; values given in the request win over the derived ones."""
    given = {key.lower(): value for key, value in request.context.items()}
    return {**principal_keys(request.principal), **given}
