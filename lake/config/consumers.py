"""Checks of ``datalake:consumers`` and ``datalake:trustedAccounts``: who may use the lake, and how.

Each consumer becomes a role and/or a policy named after it, so names are unique and short
enough. Its identity decides where its access is written: a role the lake creates (``service``),
the lake account's own principal (``principal``, the policy attached or exported), or a role of a
trusted account (bucket and key policies name it). Sharing with another account is a decision,
made by listing it in ``trustedAccounts``: a principal of any other account is an error. Grants
must say each access once: repeated or overlapping grants hide which one was meant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from components.naming import consumer_policy_name, consumer_role_name
from components.settings import ConsumerSettings, GrantSettings, LakeSettings, principal_account
from lake.config.aws_provider import ALLOWED_ACCOUNTS_KEY
from lake.config.datasets import MAX_ROLE_NAME_LENGTH, unknown_zone_problems
from lake.config.problems import NAMESPACE, ConfigProblem, key_path

# IAM refuses longer managed policy names.
MAX_POLICY_NAME_LENGTH = 128

# The short names `lake access` gives its representative principals (policies/access/question.py
# ALIASES; a test pins both equal): a consumer named so would be ambiguous there. Copied, not
# imported, so that reading a config does not load the policy engine.
RESERVED_CONSUMER_NAMES = ("administrator", "deployer", "reader", "external", "anonymous")

TRUSTED_ACCOUNTS = f"{NAMESPACE}:trustedAccounts"


@dataclass(frozen=True)
class Context:
    """What the checks of one consumer need besides the consumer itself."""

    settings: LakeSettings
    own_accounts: tuple[str, ...]  # aws:allowedAccountIds: the lake's account(s)

    def is_external(self, consumer: ConsumerSettings) -> bool:
        """A principal of a trusted other account. One of an account neither the lake's nor trusted
        gets that one error, not also those of the external consumer it may not be."""
        if consumer.principal is None:
            return False
        account = principal_account(consumer.principal)
        return account not in self.own_accounts and account in self.settings.trusted_accounts


def consumer_problems(settings: LakeSettings, own_accounts: Sequence[str]) -> list[ConfigProblem]:
    """Errors and warnings of the consumers and trusted accounts of schema-valid ``settings``.

    ``own_accounts`` is ``aws:allowedAccountIds`` (already checked), empty when unset.
    """
    context = Context(settings, tuple(own_accounts))
    problems = _trusted_account_problems(context)
    for index, consumer in enumerate(settings.consumers):
        earlier = settings.consumers[:index]
        problems += _name_problems(index, consumer, earlier, settings)
        problems += _identity_problems(index, consumer, earlier, context)
        problems += _endpoint_problems(index, consumer, context)
        problems += _grant_problems(index, consumer, context)
    return problems


def _path(index: int, *parts: str | int) -> str:
    return key_path(NAMESPACE, ("consumers", index, *parts))


def _trusted_account_problems(context: Context) -> list[ConfigProblem]:
    """The lake's own account is never "trusted": its principals are consumers as they are, and
    listing it would make the bucket policies grant the lake's own roles as if they were foreign."""
    return [
        ConfigProblem(
            key_path(NAMESPACE, ("trustedAccounts", index)),
            f"'{account}' is the lake's own account ({ALLOWED_ACCOUNTS_KEY}): its principals can be consumers "
            "without being trusted; remove it",
        )
        for index, account in enumerate(context.settings.trusted_accounts)
        if account in context.own_accounts
    ]


def _name_problems(
    index: int, consumer: ConsumerSettings, earlier: Sequence[ConsumerSettings], settings: LakeSettings
) -> list[ConfigProblem]:
    path = _path(index, "name")
    first = next((position for position, other in enumerate(earlier) if other.name == consumer.name), None)
    problems = [] if first is None else [
        ConfigProblem(path, f"consumer '{consumer.name}' is already declared at consumers[{first}]")
    ]
    if consumer.name in RESERVED_CONSUMER_NAMES:
        problems.append(ConfigProblem(
            path,
            f"'{consumer.name}' is reserved: `lake access` names its representative principals "
            f"{', '.join(RESERVED_CONSUMER_NAMES)}",
        ))
    return problems + _name_length_problems(path, consumer, settings)


def _name_length_problems(path: str, consumer: ConsumerSettings, settings: LakeSettings) -> list[ConfigProblem]:
    """The role (service consumers) and the managed policy (all but other accounts' principals)."""
    lake, stack = settings.name, settings.stack
    names = []
    if consumer.service is not None:
        names.append(("consumer role", consumer_role_name(lake, stack, consumer.name), MAX_ROLE_NAME_LENGTH))
    names.append(("consumer policy", consumer_policy_name(lake, stack, consumer.name), MAX_POLICY_NAME_LENGTH))
    return [
        ConfigProblem(path, f"{what} name '{name}' is {len(name)} characters long; IAM allows at most {limit}")
        for what, name, limit in names
        if len(name) > limit
    ]


def _identity_problems(
    index: int, consumer: ConsumerSettings, earlier: Sequence[ConsumerSettings], context: Context
) -> list[ConfigProblem]:
    if (consumer.principal is None) == (consumer.service is None):
        return [_identity_count_problem(index, consumer)]
    if consumer.service is not None:
        return [] if not consumer.attach else [ConfigProblem(
            _path(index, "attach"),
            "is only for a principal of the lake's account: the role the lake creates for a service "
            "always has its policy attached",
        )]
    return (
        _principal_taken_problems(index, consumer.principal, earlier, context.settings)
        + _account_problems(index, consumer, context)
    )


def _identity_count_problem(index: int, consumer: ConsumerSettings) -> ConfigProblem:
    choice = "principal (an existing IAM role or user) or service (a role the lake creates for that service)"
    if consumer.principal is None:
        return ConfigProblem(_path(index), f"has no identity: set either {choice}")
    return ConfigProblem(_path(index), f"has both principal and service: a consumer has one identity, {choice}")


def _identity(arn: str) -> tuple[str, str, str]:
    """Account, kind and name: IAM names are unique per account whatever their path, and
    case-insensitive, so ``role/a/X`` and ``role/x`` are one identity."""
    kind, _, name = arn.split(":")[5].partition("/")
    return principal_account(arn), kind, name.rsplit("/", 1)[-1].lower()


def _principal_taken_problems(
    index: int, principal: str, earlier: Sequence[ConsumerSettings], settings: LakeSettings
) -> list[ConfigProblem]:
    """An identity given twice (two consumers, or an administrator or the deployer, who already
    have full access): its access would be the sum of two declarations, neither of them true."""
    identity = _identity(principal)
    path = _path(index, "principal")
    holders = [(f"consumers[{position}]", other.principal) for position, other in enumerate(earlier)]
    holders += [(f"{NAMESPACE}:administrators[{n}]", arn) for n, arn in enumerate(settings.administrators)]
    holders += [(f"{NAMESPACE}:deployer", settings.deployer)]
    where = next((label for label, arn in holders if arn is not None and _identity(arn) == identity), None)
    if where is None:
        return []
    if where.startswith("consumers"):
        why = f"{where} has the same principal; give it one consumer with all its grants"
    else:
        why = f"{where} names it, with full access to the lake already; it cannot also be a consumer"
    return [ConfigProblem(path, f"an identity given twice: {why}")]


def _account_problems(index: int, consumer: ConsumerSettings, context: Context) -> list[ConfigProblem]:
    account = principal_account(consumer.principal)
    path = _path(index, "principal")
    if account in context.own_accounts:
        return []
    if not context.is_external(consumer):
        own = ", ".join(context.own_accounts) or "unset"
        return [ConfigProblem(
            path,
            f"belongs to account {account}, which is neither the lake's ({ALLOWED_ACCOUNTS_KEY}: {own}) nor "
            f"in {TRUSTED_ACCOUNTS}; add '{account}' to {TRUSTED_ACCOUNTS} to share the lake with it",
        )]
    problems = []
    if _identity(consumer.principal)[1] == "user":
        problems.append(ConfigProblem(
            path,
            f"is a user of another account ({account}); only roles of other accounts can be consumers: "
            "name a role its users assume",
        ))
    if consumer.attach:
        problems.append(ConfigProblem(
            _path(index, "attach"),
            f"the lake cannot attach policies in another account ({account}): that account attaches the "
            "exported identity policy",
        ))
    return problems


def _endpoint_problems(index: int, consumer: ConsumerSettings, context: Context) -> list[ConfigProblem]:
    """Other accounts cannot reach the lake's VPC endpoint; a consumer off the endpoint while the
    perimeter is on is let through the perimeter, which the user must know."""
    settings, path = context.settings, _path(index, "requireEndpoint")
    if context.is_external(consumer) and settings.requires_endpoint(consumer):
        why = "is true" if consumer.require_endpoint else "is unset and the perimeter is on"
        return [ConfigProblem(
            path,
            f"{why}, but a consumer of another account ({principal_account(consumer.principal)}) cannot use the "
            "lake's VPC endpoint; set requireEndpoint: false",
        )]
    if consumer.require_endpoint is False and settings.perimeter_enabled:
        return [ConfigProblem(
            path,
            f"is false while the perimeter is on: consumer '{consumer.name}' is exempt from the perimeter, "
            "its requests need not come through the lake's endpoint",
            "warning",
        )]
    return []


def _grant_problems(index: int, consumer: ConsumerSettings, context: Context) -> list[ConfigProblem]:
    zones = [zone.name for zone in context.settings.zones]
    problems = []
    for position, grant in enumerate(consumer.grants):
        path = _path(index, "grants", position)
        problems += unknown_zone_problems(f"{path}.zone", grant.zone, zones)
        problems += _prefix_overlap_problems(path, grant)
        problems += _repeated_grant_problems(path, grant, consumer.grants[:position])
        if grant.access == "query" and context.is_external(consumer):
            problems.append(ConfigProblem(
                f"{path}.access",
                f"query is not possible for a consumer of another account ({principal_account(consumer.principal)}): "
                "Athena and the Glue catalog are the lake account's",
            ))
    return problems


def _contains(prefix: str, other: str) -> bool:
    """Either prefix contains the other (``a/`` contains ``a/b/``)."""
    return prefix.startswith(other) or other.startswith(prefix)


def _prefix_overlap_problems(path: str, grant: GrantSettings) -> list[ConfigProblem]:
    """Reported on the later prefix, naming the first earlier one it overlaps. Equal prefixes are
    the schema's (uniqueItems)."""
    problems = []
    for position, prefix in enumerate(grant.prefixes):
        first = next((n for n, other in enumerate(grant.prefixes[:position]) if _contains(prefix, other)), None)
        if first is not None:
            problems.append(ConfigProblem(
                f"{path}.prefixes[{position}]",
                f"'{prefix}' overlaps '{grant.prefixes[first]}' (prefixes[{first}]): one contains the other",
            ))
    return problems


def _repeated_grant_problems(path: str, grant: GrantSettings, earlier: Sequence[GrantSettings]) -> list[ConfigProblem]:
    """One grant per zone and access: two would hide which prefixes were meant (a whole-zone grant
    makes any prefixed one of the same access pointless)."""
    same = (grant.zone, grant.access)
    first = next((n for n, other in enumerate(earlier) if (other.zone, other.access) == same), None)
    if first is None:
        return []
    other = earlier[first]
    if not other.prefixes:
        why = f"grants[{first}] already gives it on the whole zone"
    elif not grant.prefixes:
        why = f"this grant covers the whole zone, prefixes of grants[{first}] included"
    else:
        why = f"list all its prefixes in grants[{first}]"
    return [ConfigProblem(path, f"repeats {grant.access} access to zone '{grant.zone}' of grants[{first}]: {why}")]
