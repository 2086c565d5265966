"""LAKE.12: no policy the lake owns lets a principal outside the lake's account do anything.

For each Allow of a key, bucket, queue or endpoint policy, the principals it admits from other
accounts: named ARNs and account ids (unless the stack config names them, ``Lake.trusted_principals``),
and ``"*"`` or ``NotPrincipal`` unless a condition pins the callers to the lake's account
(``_lake_conditions``). Service principals are LAKE.13's. Each such principal is then put to the
IAM evaluator (``_foreign_requests``): the statement fails when the policy as a whole (its Deny
statements included) allows it any action of the service. So a foreign key administrator fails
on kms:PutKeyPolicy even beside a Deny of cryptographic use, and a foreign grant that a Deny
cancels entirely passes.

The evaluator judges the policy as written: it does not know which actions a service refuses
across accounts whatever the policy says (KMS's administrative ones, PutKeyPolicy among them).
The lake's policies should grant other accounts nothing, so the rule reports those grants too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..evaluator.principals import entries, named_account
from ..evaluator.request import Principal
from ..iam import Statement, account_of
from ..model import Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._foreign_requests import OwnedPolicy, allowed_actions, outsider, owned_policies
from ._lake_conditions import pins_callers_to_lake
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict

RULE_ID = "LAKE.12"
SHOWN = 5  # actions a message names before "and N more"


@dataclass(frozen=True)
class Foreign:
    """A principal outside the lake's account that a statement admits, as the message names it."""

    who: str
    principal: Principal


def _named(value: str, model: Lake) -> Foreign | None:
    """A principal the statement names, if it belongs to another account the config does not trust.

    A value that names no account (a unique id such as ``AROA...``, which IAM writes in place of a
    deleted role) is left out: no one can act as it any more."""
    account = named_account(value) or account_of(value)
    if account is None or account == model.account_id or {value, account} & set(model.trusted_principals):
        return None
    # A grant to an account reaches its principals through their own IAM policies: one of its roles asks.
    principal = Principal.iam(value) if named_account(value) is None else outsider(model, account)
    return Foreign(f"{value}, outside the lake's account {model.account_id}", principal)


def _foreigners(statement: Statement, model: Lake) -> list[Foreign]:
    """``Federated`` and ``CanonicalUser`` entries are left out: the evaluator models neither, and
    a canonical user id does not say its account."""
    if pins_callers_to_lake(statement, model):
        return []
    unpinned = f"with no condition pinning the callers to the lake's account {model.account_id}"
    if "NotPrincipal" in statement:
        # The evaluator exempts only the principals NotPrincipal names exactly, never the outsider's role.
        return [Foreign(f"every principal but its NotPrincipal, {unpinned}", outsider(model))]
    found = []
    for kind, value in entries(statement.get("Principal")):
        if kind == "AWS" and value == "*":
            found.append(Foreign(f'any principal ("*"), {unpinned}', outsider(model)))
        elif kind == "AWS" and (named := _named(value, model)) is not None:
            found.append(named)
    return found


def _listing(actions: list[str]) -> str:
    shown = ", ".join(actions[:SHOWN])
    return shown if len(actions) <= SHOWN else f"{shown} and {len(actions) - SHOWN} more"


def _judge_statement(owned: OwnedPolicy, model: Lake, name: str, statement: Statement) -> Verdict:
    if statement.get("Effect") == "Deny":
        return passed(f"statement {name} is a Deny")
    if grant_undecided(statement):
        return undecided_verdict([(name, statement)])
    foreign = _foreigners(statement, model) if statement.get("Effect") == "Allow" else []
    if foreign and not owned.known:
        return undecided_verdict([(name, statement)])
    reached = [(f, allowed_actions(owned, statement, f.principal, model)) for f in foreign]
    grants = [f"statement {name} allows {_listing(actions)} to {f.who}" for f, actions in reached if actions]
    return failed("; ".join(grants)) if grants else passed(f"statement {name} lets no other account act")


def judge(owned: OwnedPolicy, model: Lake) -> Verdict:
    if not isinstance(model.account_id, str):
        return unknown("the lake's account id is not known")
    named = named_statements(owned.policy)
    if is_unknown(named):
        return unknown(f"the {owned.noun} cannot be known before deployment")
    return combine((_judge_statement(owned, model, n, s) for n, s in named),
                   f"no statement lets a principal outside the lake's account {model.account_id} act")


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, owned_policies(model), lambda owned: judge(owned, model),
                        "the lake owns no key, bucket, queue or endpoint policy")


RULE = Rule(
    id=RULE_ID,
    title="Policies the lake owns allow nothing to principals outside its account",
    severity=Severity.CRITICAL,
    rationale="A key, bucket, queue or endpoint policy that allows a principal of another account (by name, or "
    "as \"*\" behind a condition that does not pin the callers to the lake's account, such as another account's "
    "id or an organisation the config does not name) puts the lake in that account's hands: it may read or "
    "write data, send messages, or administer the key and the policies. Grants are judged as written, "
    "administrative actions included: a Deny of cryptographic use does not take a foreign key administrator's "
    "grant away, even where KMS does not honour it across accounts today (kms:PutKeyPolicy, "
    "kms:ScheduleKeyDeletion: \"Cross-account use: No\" in the KMS API reference). Each foreign principal "
    "is evaluated against the whole policy, its Deny statements included, with an identity policy of its own "
    "that allows everything (its account is not ours to constrain). Principals the stack config names as "
    "trusted are exempt; none can be named yet.",
    remediation="Remove the statement or the foreign principal named in the finding, or pin \"*\" to the lake's "
    "account with a condition (StringEquals aws:PrincipalAccount or kms:CallerAccount equal to the lake's "
    "account id). The lake's own documents (`components/documents/`) name principals of its account only.",
    reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html",
    check=check,
    scope="every key, bucket, queue and endpoint policy",
)
